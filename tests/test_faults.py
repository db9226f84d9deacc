"""Faults (issue 8): ingest killed with SIGKILL at random points, and the file routes of the real
server against path traversal.

A lost Chroma server (clear 503, recovery when it returns) is tested against a real `chroma run`
in tests/test_chroma_server.py::test_lost_server_gives_503_then_recovers; not repeated here.
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import GOLDEN, ROOT, SHIPPED_CORPUS  # noqa: E402
from conftest_api import free_port  # noqa: E402


def filler_report(seed: int, n: int = 300) -> str:
    """A made-up report on another subject, different each round, so every ingest has work to do."""
    rng = random.Random(seed)
    lines = [f"第{seed}号样本园区运营报告"]
    for i in range(n):
        lines.append(f"样本园区{seed}-{i}的年度游客接待量为{rng.randint(10, 999)}.{rng.randint(0, 9)}万人次，"
                     f"园区编号为Y{seed:02d}{i:04d}。")
    return "\n".join(lines) + "\n"


@pytest.mark.slow
def test_sigkill_during_ingest_ten_times_leaves_an_index_that_passes_the_golden_set(tmp_path):
    from bot.evaluate import run_eval
    from bot.index import load_index
    from bot.ingest import ingest
    from bot.settings import Settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for f in SHIPPED_CORPUS.iterdir():
        if f.is_file():
            shutil.copy(f, corpus / f.name)
    settings = Settings().with_(corpus_dir=corpus, index_dir=tmp_path / "index")
    ingest(settings, progress=False, log=lambda m: None)
    golden = GOLDEN / "shipped.jsonl"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rng = random.Random(int(os.environ.get("BOT_FAULT_SEED", "8")))
    # how long a full ingest of one filler report takes here, to pick kill points inside it
    (corpus / "filler.txt").write_text(filler_report(0), encoding="utf-8")
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "bot.cli", "ingest", "--corpus", str(corpus), "--index",
                    str(settings.index_dir), "-q"], cwd=ROOT, env=env, check=True, capture_output=True)
    full = time.monotonic() - started
    builds_seen = set()
    killed = 0
    for round_ in range(1, 11):
        (corpus / "filler.txt").write_text(filler_report(round_), encoding="utf-8")
        delay = rng.uniform(0.2, full * 1.1)
        proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "ingest", "--corpus", str(corpus), "--index",
                                 str(settings.index_dir), "-q"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait()
        index = load_index(settings)  # opens: the previous build or a complete new one
        builds_seen.add(index.manifest.build)
        fillers = {c.file for c in index.chunks} - {f.name for f in SHIPPED_CORPUS.iterdir()}
        assert fillers == {"filler.txt"}, fillers
        report = run_eval(settings, golden, verbose=False)
        failed = [(r.id, r.problems) for r in report.results if not r.passed]
        assert not failed, (round_, delay, failed)
    assert killed >= 8, f"only {killed} of 10 ingests were killed before they finished ({full:.1f} s each)"
    # and a normal ingest afterwards completes and holds the last filler report
    result = ingest(settings, progress=False, log=lambda m: None)
    assert not result.errors
    index = load_index(settings)
    assert any("Y10" in c.text for c in index.chunks)
    leftovers = [p.name for p in (settings.index_dir / "builds").iterdir()]
    assert len(leftovers) <= 2, leftovers  # killed builds do not pile up


# -- path traversal against the real server -------------------------------------------------------------
SECRET_NAME = "secret-canary.txt"
SECRET_TEXT = "canary-file-content-Xq7"


@pytest.fixture(scope="module")
def real_server(shipped_index, tmp_path_factory):
    """`bot serve` as a user starts it, with a file next to the index that must never be served."""
    port = free_port()
    workdir = tmp_path_factory.mktemp("serve-cwd")
    (workdir / SECRET_NAME).write_text(SECRET_TEXT, encoding="utf-8")
    (Path(shipped_index.index_dir) / SECRET_NAME).write_text(SECRET_TEXT, encoding="utf-8")
    env = {**os.environ, "BOT_INDEX_DIR": str(shipped_index.index_dir), "BOT_CORPUS_DIR": str(SHIPPED_CORPUS),
           "BOT_RATE_LIMIT": "off", "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                            cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert proc.poll() is None, "bot serve exited"
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("bot serve did not start")
    yield url, workdir, Path(shipped_index.index_dir)
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()


def traversal_paths(workdir: Path, index_dir: Path) -> list[str]:
    targets = ["/etc/passwd", str(workdir / SECRET_NAME), str(index_dir / SECRET_NAME), str(ROOT / "pyproject.toml")]
    relative = ["../../../../../../etc/passwd", f"../{SECRET_NAME}", SECRET_NAME, "pyproject.toml",
                "../../../../../../" + str(index_dir / SECRET_NAME).lstrip("/")]
    out = []
    for prefix in ("/gradio_api/file=", "/embed/gradio_api/file=", "/file=", "/gradio_api/file/"):
        for t in targets + relative:
            out.append(prefix + t)
            out.append(prefix + t.replace("/", "%2F").replace(".", "%2E"))  # URL-encoded
            out.append(prefix + t.replace("/", "%252F").replace(".", "%252E"))  # double-encoded
            out.append(prefix + t.replace("../", "..%5C").replace("/", "%5C"))  # backslashes
            out.append(prefix + t.replace("../", "....//"))
    out += ["/static/../../../../etc/passwd", "/assets/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
            "/gradio_api/file=/proc/self/environ", "/gradio_api/file=%2Fproc%2Fself%2Fenviron",
            "/embed/../../../../etc/passwd", "/gradio_api/upload?path=../../etc/passwd",
            "/gradio_api/file=file:///etc/passwd", "/gradio_api/proxy=http://127.0.0.1:1/x"]
    return out


@pytest.mark.slow
def test_file_routes_refuse_path_traversal(real_server):
    url, workdir, index_dir = real_server
    served = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for path in traversal_paths(workdir, index_dir):
            # send the path exactly as written (no client-side normalisation of ../)
            r = client.send(client.build_request("GET", httpx.URL(url + path) if "%" in path else url + path))
            body = r.text
            leaked = ("root:x:0:0" in body or SECRET_TEXT in body or "[build-system]" in body
                      or "BOT_INDEX_DIR" in body)
            if r.status_code == 200 and leaked:
                served.append(path)
            assert r.status_code != 500, (path, body[:200])
        assert not served, served
        # the server still answers after all of that
        assert client.get("/api/v1/health").status_code == 200


@pytest.mark.slow
def test_raw_socket_traversal_is_refused(real_server):
    """Request lines no HTTP client would send (unnormalised ../ and absolute paths)."""
    import socket

    url, workdir, index_dir = real_server
    host, port = url.removeprefix("http://").split(":")
    for target in ["/gradio_api/file=../../../../../../etc/passwd", "/../../../../etc/passwd",
                   f"/gradio_api/file={workdir}/{SECRET_NAME}", "/gradio_api/file=/etc/passwd",
                   "/embed/gradio_api/file=../../../../../../etc/passwd", "//etc/passwd"]:
        with socket.create_connection((host, int(port)), timeout=30) as s:
            s.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        status = int(head.split()[1])
        assert b"root:x:0:0" not in body and SECRET_TEXT.encode() not in body, (target, status)
        assert status != 500, target
