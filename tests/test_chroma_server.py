"""BOT_CHROMA_URL mode against a real Chroma server (`chroma run` on 127.0.0.1, free port, temp
dir): the store itself, ingest into it, two app replicas sharing it (answers identical to the
embedded index), a lost server (clear error, 503) and its recovery, and replicas following a
new ingest without a restart."""
from __future__ import annotations

import random
import shutil
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.api import ApiConfig, create_app
from bot.chain import Assistant
from bot.errors import BotError
from bot.ingest import ingest
from bot.settings import Settings
from bot.store import Manifest, ServerStore

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import GOLDEN, SHIPPED_CORPUS, STUB_CORPUS  # noqa: E402
from conftest_api import ChromaServer, LiveServer  # noqa: E402

pytestmark = pytest.mark.slow
SIZE_Q = "2024年我国智算中心行业市场规模是多少？"


@pytest.fixture(scope="module")
def chroma(tmp_path_factory):
    server = ChromaServer(tmp_path_factory.mktemp("chroma") / "data").start()
    yield server
    server.stop()


def _unit(rng: random.Random, dim: int) -> list[float]:
    v = [rng.gauss(0, 1) for _ in range(dim)]
    norm = sum(x * x for x in v) ** 0.5
    return [x / norm for x in v]


def _manifest(dim: int) -> Manifest:
    return Manifest(build="", embedding="test", dim=dim, chunker="test")


# -- the store ------------------------------------------------------------------------------------
def test_server_store_builds_persist_across_a_restart(chroma):
    """3,000 records (above the size where chroma issue 7090 lost an index over a restart)."""
    rng = random.Random(7)
    store = ServerStore(chroma.url)
    writer = store.begin()
    n, dim = 3000, 16
    vectors = [_unit(rng, dim) for _ in range(n)]
    ids = [f"c{i}" for i in range(n)]
    writer.add(ids, [f"text {i}" for i in ids], [{"file": "f.txt", "tokens": f"t{i}"} for i in range(n)], vectors)
    writer.commit(_manifest(dim))
    build = store.current().build
    assert build == writer.build and store.current().chunk_count == n

    chroma.stop()
    with pytest.raises(BotError) as err:
        store.current()
    assert "Chroma server" in str(err.value) and chroma.url in str(err.value)
    with pytest.raises(BotError):
        list(store.records(build))
    chroma.start()

    again = ServerStore(chroma.url)
    assert again.current().build == build
    records = list(again.records(build))
    assert len(records) == n and {r[0] for r in records} == set(ids)
    probe = 1234
    assert again.query(build, vectors[probe], 3)[0][0] == ids[probe]
    got = again.embeddings(build, ids[:5])
    assert all(abs(a - b) < 1e-5 for a, b in zip(got["c3"], vectors[3]))
    # the store object made before the restart works again too
    assert store.query(build, vectors[7], 1)[0][0] == "c7"


def test_server_store_keeps_current_and_previous_builds_only(chroma):
    store = ServerStore(chroma.url)
    rng = random.Random(1)
    builds = []
    for _ in range(3):
        writer = store.begin()
        writer.add(["a", "b"], ["x", "y"], [{"file": "f"}, {"file": "f"}], [_unit(rng, 4), _unit(rng, 4)])
        writer.commit(_manifest(4))
        builds.append(writer.build)
        time.sleep(1.1)  # build ids carry the time to the second
    names = {c.name for c in store.client.list_collections()}
    assert f"bot_{builds[2]}" in names and f"bot_{builds[1]}" in names
    assert f"bot_{builds[0]}" not in names
    kept = store.client.get_collection("bot_manifests").get(include=[])["ids"]
    assert set(kept) == {builds[1], builds[2]}
    with pytest.raises(BotError) as err:
        store.query(builds[0], _unit(rng, 4), 1)
    assert builds[0] in str(err.value)


def test_unreachable_server_is_a_clear_error(tmp_path):
    from conftest_api import free_port

    url = f"http://127.0.0.1:{free_port()}"
    settings = Settings().with_(corpus_dir=SHIPPED_CORPUS, index_dir=tmp_path, chroma_url=url)
    with pytest.raises(BotError) as err:
        ingest(settings, progress=False, log=lambda m: None)
    assert url in str(err.value) and "chroma run" in str(err.value)


# -- ingest and two replicas ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def served(chroma, tmp_path_factory):
    """The shipped report ingested into the Chroma server; settings for replicas."""
    corpus = tmp_path_factory.mktemp("corpus")
    for f in SHIPPED_CORPUS.iterdir():
        if f.is_file():
            shutil.copy(f, corpus / f.name)
    settings = Settings().with_(corpus_dir=corpus, index_dir=tmp_path_factory.mktemp("unused-index"),
                                chroma_url=chroma.url)
    result = ingest(settings, progress=False, log=lambda m: None)
    assert result.where == chroma.url and result.chunks > 0
    return settings


@pytest.fixture(scope="module")
def replicas(served):
    config = ApiConfig(rate_limit="off", reload_check_seconds=0.5)
    one = LiveServer(create_app(served, config=config, chat=False)).start()
    two = LiveServer(create_app(served, config=config, chat=False)).start()
    yield one, two
    one.stop()
    two.stop()


def _golden_turns() -> list[list[str]]:
    import json

    cases = [json.loads(line) for line in (GOLDEN / "shipped.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return [c.get("turns") or [c["question"]] for c in cases]


def _ask(url: str, turns: list[str]) -> httpx.Response:
    return httpx.post(f"{url}/api/v1/ask", json={"question": turns[-1], "history": turns[:-1]}, timeout=60)


def test_two_replicas_answer_like_the_embedded_index(replicas, served, assistant):
    one, two = replicas
    for replica in (one, two):
        health = httpx.get(f"{replica.url}/api/v1/health").json()
        assert health["where"] == served.chroma_url and health["chunks"] == len(assistant.index.chunks)
    turns_list = _golden_turns()
    assert len(turns_list) >= 10
    for i, turns in enumerate(turns_list):
        replica = (one, two)[i % 2]
        r = _ask(replica.url, turns)
        assert r.status_code == 200, (turns, r.text)
        embedded = assistant.ask(turns[-1], turns[:-1]).to_json()
        embedded.pop("seconds", None)
        assert r.json() == embedded, turns
    # the lexical side works the same way on the server: a date question BM25 is needed for
    r = _ask(two.url, ["2024年12月发布的政策有几项？"])
    assert r.status_code == 200 and r.json()["citations"]


def test_lost_server_gives_503_then_recovers(replicas, chroma):
    one, two = replicas
    before = _ask(one.url, [SIZE_Q])
    assert before.status_code == 200 and "1014亿元" in before.json()["figures"]
    chroma.stop()
    try:
        for replica in (one, two):
            r = _ask(replica.url, [SIZE_Q])
            assert r.status_code == 503, r.text
            assert chroma.url in r.json()["error"]["message"] and r.headers["retry-after"]
            health = httpx.get(f"{replica.url}/api/v1/health")
            assert health.status_code == 503 and health.json()["status"] == "unavailable"
    finally:
        chroma.start()
    for replica in (one, two):
        after = _ask(replica.url, [SIZE_Q])
        assert after.status_code == 200, after.text
        assert after.json() == before.json()
        assert httpx.get(f"{replica.url}/api/v1/health").json()["status"] == "ok"


def test_replicas_follow_a_new_ingest(replicas, served):
    one, two = replicas
    old = httpx.get(f"{one.url}/api/v1/health").json()
    for f in STUB_CORPUS.iterdir():
        shutil.copy(f, served.corpus_dir / f.name)
    result = ingest(served, progress=False, log=lambda m: None)
    assert result.reused == old["chunks"] and result.chunks > old["chunks"]
    for replica in (one, two):
        # no request needed: the server's own watcher notices the new build
        assistant_ = replica.server.config.app.state.service.assistant
        deadline = time.monotonic() + 60
        while assistant_.index.manifest.build == old["build"]:
            assert time.monotonic() < deadline, "replica did not load the new build"
            time.sleep(0.2)
        health = httpx.get(f"{replica.url}/api/v1/health").json()
        assert health["build"] != old["build"]
        assert health["chunks"] == result.chunks and len(health["reports"]) == 2
    # the replica answers from the new build (and still from the old report)
    assert "1014亿元" in _ask(two.url, [SIZE_Q]).json()["figures"]
