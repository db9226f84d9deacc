"""BOT_CHROMA_URL mode against a real Chroma server (`chroma run` on 127.0.0.1, free port, temp
dir): the store itself, ingest into it, two app replicas sharing it (answers identical to the
embedded index), a lost server (clear error, 503) and its recovery, and replicas following a
new ingest without a restart. Hardening (issue 14): a collection whose stored configuration
names an embedding function is refused before any write; the server behind a token-checking
reverse proxy, with and without BOT_CHROMA_TOKEN; two ingests at once take turns on the
server's writer lease, and a killed ingest's lease expires."""
from __future__ import annotations

import random
import shutil
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.serve.app import create_app
from bot.serve.config import ApiConfig
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


# -- hardening (issue 14): poisoned configuration, token proxy, one writer at a time ------------------
@pytest.fixture
def fresh_chroma(tmp_path):
    server = ChromaServer(tmp_path / "chroma-data").start()
    yield server
    server.stop()


def _collections(url: str, headers: dict | None = None) -> dict[str, dict]:
    r = httpx.get(f"{url}/api/v2/tenants/default_tenant/databases/default_database/collections",
                  headers=headers or {}, timeout=30)
    r.raise_for_status()
    return {c["name"]: c for c in r.json()}


def _shipped_corpus(root: Path, *extra: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for folder in (SHIPPED_CORPUS, *extra):
        for f in folder.iterdir():
            if f.is_file():
                shutil.copy(f, root / f.name)
    return root


POISON = {"type": "known", "name": "sentence_transformer",
          "config": {"model_name": "attacker/remote-model", "device": "cpu", "normalize_embeddings": False}}


def test_a_poisoned_collection_configuration_is_refused_before_any_write(fresh_chroma, tmp_path, monkeypatch):
    """Someone with access to the server pre-creates `bot_manifests` naming an embedding function;
    ingest must refuse before writing anything, and never build that function."""
    from chromadb.utils import embedding_functions

    built = []

    class Tripwire:
        @staticmethod
        def build_from_config(config):
            built.append(config)
            raise AssertionError("the stored embedding function was built")

    monkeypatch.setitem(embedding_functions.known_embedding_functions, "sentence_transformer", Tripwire)
    r = httpx.post(f"{fresh_chroma.url}/api/v2/tenants/default_tenant/databases/default_database/collections",
                   json={"name": "bot_manifests", "configuration": {"embedding_function": POISON}}, timeout=30)
    assert r.status_code == 200, r.text
    settings = Settings().with_(corpus_dir=SHIPPED_CORPUS, index_dir=tmp_path / "unused", chroma_url=fresh_chroma.url)
    with pytest.raises(BotError) as err:
        ingest(settings, progress=False, log=lambda m: None)
    message = str(err.value)
    assert "bot_manifests" in message and "embedding function" in message and "attacker/remote-model" in message
    assert not built
    names = _collections(fresh_chroma.url)
    assert set(names) <= {"bot_manifests", "bot_current"}, names  # no build, no lease left behind
    count = httpx.get(f"{fresh_chroma.url}/api/v2/tenants/default_tenant/databases/default_database/collections/"
                      f"{names['bot_manifests']['id']}/count", timeout=30).json()
    assert count == 0


def test_a_build_collection_with_a_stored_embedding_function_is_refused(fresh_chroma):
    """A build collection (named like ours) that names an embedding function: refused for reading
    and for writing, and with it no function is built."""
    build = "20990101-000000-abcdef"
    r = httpx.post(f"{fresh_chroma.url}/api/v2/tenants/default_tenant/databases/default_database/collections",
                   json={"name": f"bot_{build}", "configuration": {"embedding_function": POISON,
                                                                    "hnsw": {"space": "cosine"}}}, timeout=30)
    assert r.status_code == 200, r.text
    store = ServerStore(fresh_chroma.url)
    with pytest.raises(BotError, match="embedding function"):
        store.query(build, [1.0, 0.0], 1)
    with pytest.raises(BotError, match="embedding function"):
        store._collection(build, create=True)


def test_check_configuration_reads_every_embedding_function_entry():
    from bot.store import check_configuration

    inert = {"embedding_function": {"type": "legacy"}, "hnsw": {"space": "cosine"}}
    check_configuration("c", inert, {"keys": {"#embedding": {"float_list": {"vector_index": {
        "config": {"embedding_function": {"type": "legacy"}}}}}}}, space="cosine")
    check_configuration("c", {"embedding_function": None}, None)
    sparse = {"keys": {"sparse": {"sparse_vector": {"sparse_vector_index": {"config": {
        "embedding_function": {"type": "known", "name": "chroma_bm25", "config": {}}}}}}}}
    with pytest.raises(BotError, match="schema.keys.sparse"):
        check_configuration("c", inert, sparse)
    with pytest.raises(BotError, match="distance"):
        check_configuration("c", {"hnsw": {"space": "l2"}}, None, space="cosine")


# -- behind an authenticating reverse proxy ------------------------------------------------------------
TOKEN = "test-token-" + "7f3c9a"


class TokenProxy:
    """A reverse proxy on 127.0.0.1 that forwards to Chroma only requests carrying the token in both
    headers the project sends, and counts what it forwarded and refused."""

    def __init__(self, upstream: str, token: str):
        from starlette.applications import Starlette
        from starlette.responses import PlainTextResponse, Response
        from starlette.routing import Route

        self.forwarded = 0
        self.refused = 0
        client = httpx.AsyncClient(base_url=upstream, timeout=120)
        hop = {"host", "content-length", "transfer-encoding", "connection", "content-encoding"}

        async def forward(request):
            if (request.headers.get("authorization") != f"Bearer {token}"
                    or request.headers.get("x-chroma-token") != token):
                self.refused += 1
                return PlainTextResponse("missing or wrong token", status_code=401)
            self.forwarded += 1
            up = await client.request(request.method, request.url.path, params=request.query_params,
                                      content=await request.body(),
                                      headers={k: v for k, v in request.headers.items() if k.lower() not in hop})
            return Response(up.content, status_code=up.status_code,
                            headers={k: v for k, v in up.headers.items() if k.lower() not in hop})

        methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
        self.server = LiveServer(Starlette(routes=[Route("/{path:path}", forward, methods=methods)]))
        self.url = self.server.url


@pytest.fixture
def proxy(fresh_chroma):
    p = TokenProxy(fresh_chroma.url, TOKEN)
    p.server.start()
    yield p
    p.server.stop()


def test_through_the_token_proxy_without_the_token_is_refused(proxy, tmp_path):
    for token, state in (("", "a token is needed"), ("wrong", "a token was refused")):
        settings = Settings().with_(corpus_dir=SHIPPED_CORPUS, index_dir=tmp_path / "unused",
                                    chroma_url=proxy.url, chroma_token=token)
        with pytest.raises(BotError) as err:
            ingest(settings, progress=False, log=lambda m: None)
        assert proxy.url in str(err.value) and state in str(err.value)
        assert "BOT_CHROMA_TOKEN" in err.value.hint
    assert proxy.forwarded == 0 and proxy.refused >= 2
    assert TOKEN not in repr(Settings().with_(chroma_token=TOKEN))  # never printed with the settings


def test_through_the_token_proxy_with_the_token_ingest_and_answers_work(proxy, tmp_path):
    settings = Settings().with_(corpus_dir=SHIPPED_CORPUS, index_dir=tmp_path / "unused",
                                chroma_url=proxy.url, chroma_token=TOKEN)
    result = ingest(settings, progress=False, log=lambda m: None)
    assert result.where == proxy.url and result.chunks > 0
    answer = Assistant(settings).ask(SIZE_Q)
    assert "1014亿元" in answer.figures
    assert proxy.forwarded > 0 and proxy.refused == 0  # every request carried both headers


# -- two ingests against one server ---------------------------------------------------------------------
def _build_passes_golden(settings: Settings, store: ServerStore, build: str) -> list:
    from bot.evaluate import run_eval
    from bot.index import LoadedIndex

    got = store.client.get_collection("bot_manifests").get(ids=[build], include=["documents"])
    manifest = Manifest.from_json(got["documents"][0])
    index = LoadedIndex(store, manifest, settings.embedding)
    assert len(index.chunks) == manifest.chunk_count > 0
    report = run_eval(settings, GOLDEN / "shipped.jsonl", verbose=False, assistant=Assistant(settings, index=index))
    return [(r.id, r.problems) for r in report.results if not r.passed]


def test_two_concurrent_ingests_take_turns_and_both_builds_stay_intact(fresh_chroma, tmp_path):
    from held_ingest import HeldIngest

    env = {"BOT_CHROMA_URL": fresh_chroma.url}
    first_corpus = _shipped_corpus(tmp_path / "corpus-a")
    second_corpus = _shipped_corpus(tmp_path / "corpus-b", STUB_CORPUS)
    first = HeldIngest(tmp_path / "first", first_corpus, env=env)
    first.release("files-read")
    first.wait_for("embeddings-written")  # its whole build written, not committed, lease held
    building = {n for n in _collections(fresh_chroma.url) if n.startswith("bot_2")}
    assert len(building) == 1
    second = HeldIngest(tmp_path / "second", second_corpus, env=env)
    second.release("lease-busy")  # let it keep looking (each look is announced again)
    second.wait_for("lease-busy", times=3)  # it looked three times and was turned away each time
    assert "files-read" not in second.stages()
    assert {n for n in _collections(fresh_chroma.url) if n.startswith("bot_2")} == building
    assert first.finish() == 0, first.log()
    assert second.finish() == 0, second.log()
    assert "waiting for another ingest" in second.log()

    store = ServerStore(fresh_chroma.url)
    pointer = store.client.get_collection("bot_current").metadata
    a_build, b_build = pointer["previous"], pointer["build"]
    assert f"bot_{a_build}" in building and a_build != b_build
    assert "bot_lease" not in _collections(fresh_chroma.url)  # released
    settings = Settings().with_(corpus_dir=second_corpus, index_dir=tmp_path / "unused", chroma_url=fresh_chroma.url)
    assert _build_passes_golden(settings, store, a_build) == []
    assert _build_passes_golden(settings, store, b_build) == []
    assert store.current().build == b_build and len(store.current().files) > 1


def test_a_stale_lease_of_a_killed_ingest_expires(fresh_chroma, tmp_path):
    from held_ingest import HeldIngest

    corpus = _shipped_corpus(tmp_path / "corpus")
    short = {"BOT_CHROMA_URL": fresh_chroma.url, "BOT_CHROMA_LEASE_SECONDS": "2"}
    crashed = HeldIngest(tmp_path / "crashed", corpus, env=short)
    crashed.release("files-read")
    crashed.wait_for("embeddings-written")
    crashed.kill()
    assert "bot_lease" in _collections(fresh_chroma.url)  # left behind by the kill
    after = HeldIngest(tmp_path / "after", corpus, env={"BOT_CHROMA_URL": fresh_chroma.url})
    assert after.finish() == 0, after.log()  # waited at most the 2 s the lease had left
    assert "stale ingest lease" in after.log()
    names = _collections(fresh_chroma.url)
    assert "bot_lease" not in names and not any(n.startswith("bot_lease_stale") for n in names)
    store = ServerStore(fresh_chroma.url)
    assert {n for n in names if n.startswith("bot_2")} == {f"bot_{store.current().build}"}  # the orphan is gone
