"""`make load`: 50 concurrent clients against the REST API on 127.0.0.1 for 60 seconds.

Starts the server itself (`python -m bot.cli serve` on a free loopback port, rate limit off, the
index of corpus/ or a temporary one built from it), sends a bounded number of requests, and prints
requests per second, p50/p95/p99 latency, errors and wrong answers. Questions are the single- and
multi-turn cases of tests/golden/shipped.jsonl that expect figures: an answer is wrong when an
expected figure is missing from `figures`. Exit status 1 on any error or wrong answer.

    python tests/load.py [--clients 50] [--seconds 60] [--max-requests 20000] [--url URL]

Not collected by pytest (the file name does not start with test_). Only loopback targets.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "shipped.jsonl"


def cases() -> list[dict]:
    out = []
    for line in GOLDEN.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        case = json.loads(line)
        if case.get("figures"):
            turns = case.get("turns") or [case["question"]]
            out.append({"id": case["id"], "question": turns[-1], "history": turns[:-1], "figures": case["figures"]})
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(index_dir: Path | None) -> tuple[subprocess.Popen, str, tempfile.TemporaryDirectory | None]:
    env = {**os.environ, "BOT_RATE_LIMIT": "off", "BOT_API_KEYS": "", "BOT_UI_USERS": "", "BOT_LLM": "",
           "GRADIO_ANALYTICS_ENABLED": "False", "ANONYMIZED_TELEMETRY": "False", "HF_HUB_OFFLINE": "1",
           "PYTHONPATH": str(ROOT)}
    tmp = None
    if index_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="bot-load-")
        index_dir = Path(tmp.name) / "index"
        print(f"building a test index of corpus/ in {index_dir} …", flush=True)
        subprocess.run([sys.executable, "-m", "bot.cli", "ingest", "--corpus", str(ROOT / "corpus"), "--index",
                        str(index_dir), "-q"], check=True, cwd=ROOT, env=env)
    env["BOT_INDEX_DIR"] = str(index_dir)
    env["BOT_CORPUS_DIR"] = str(ROOT / "corpus")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(Path(tempfile.gettempdir()) / f"bot-load-server-{port}.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    proc.log_path = log.name  # type: ignore[attr-defined]
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                return proc, url, tmp
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise SystemExit("the server did not answer /api/v1/health within 180 s")


async def run(url: str, clients: int, seconds: float, max_requests: int) -> dict:
    questions = cases()
    latencies: list[float] = []
    errors: list[str] = []
    wrong: list[str] = []
    sent = 0
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(n: int, http: httpx.AsyncClient) -> None:
        nonlocal sent
        i = n
        while time.monotonic() < deadline and sent < max_requests:
            sent += 1
            case = questions[i % len(questions)]
            i += clients
            started = time.perf_counter()
            try:
                r = await http.post("/api/v1/ask", json={"question": case["question"], "history": case["history"]})
            except httpx.HTTPError as err:
                errors.append(f"{case['id']}: {type(err).__name__}: {err}")
                continue
            latencies.append(time.perf_counter() - started)
            if r.status_code != 200:
                errors.append(f"{case['id']}: HTTP {r.status_code} {r.text[:200]}")
                continue
            figures = r.json().get("figures", [])
            missing = [f for f in case["figures"] if f not in figures]
            if missing:
                wrong.append(f"{case['id']}: missing {missing}, got {figures}")

    started = time.monotonic()
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        await asyncio.gather(*(client(n, http) for n in range(clients)))
    elapsed = time.monotonic() - started
    return {"requests": len(latencies) + sum(1 for e in errors if "HTTP" not in e), "answered": len(latencies),
            "seconds": elapsed, "latencies": latencies, "errors": errors, "wrong": wrong,
            "distinct_questions": len(questions)}


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--max-requests", type=int, default=20_000, help="stop after this many requests in all")
    ap.add_argument("--url", help="a server already running on 127.0.0.1 (its rate limit must be off)")
    ap.add_argument("--index", help="index folder for the server this script starts (default: a fresh index of "
                                    "corpus/ in a temporary folder)")
    args = ap.parse_args(argv)

    proc = tmp = None
    if args.url:
        host = urlparse(args.url).hostname or ""
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit(f"--url must be a loopback address, not {host}")
        url = args.url.rstrip("/")
    else:
        proc, url, tmp = start_server(Path(args.index) if args.index else None)
    try:
        print(f"{args.clients} clients, {args.seconds:g} s, at most {args.max_requests} requests -> {url}/api/v1/ask",
              flush=True)
        result = asyncio.run(run(url, args.clients, args.seconds, args.max_requests))
        healthy = httpx.get(f"{url}/api/v1/health", timeout=10).status_code == 200
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        if tmp is not None:
            tmp.cleanup()
    lat = [x * 1000 for x in result["latencies"]]
    print(f"requests: {result['requests']} in {result['seconds']:.1f} s = {result['requests'] / result['seconds']:.1f}/s "
          f"({result['distinct_questions']} golden questions, single and follow-up turns)")
    if lat:
        print(f"latency ms: p50 {pct(lat, 50):.0f}, p95 {pct(lat, 95):.0f}, p99 {pct(lat, 99):.0f}, "
              f"mean {statistics.fmean(lat):.0f}, max {max(lat):.0f}")
    print(f"errors: {len(result['errors'])}, wrong answers: {len(result['wrong'])} of {result['answered']} checked, "
          f"server healthy after: {healthy}")
    for line in (result["errors"] + result["wrong"])[:10]:
        print(f"  {line}")
    if proc is not None and (result["errors"] or not healthy):
        print(f"server log: {proc.log_path}")
    return 0 if not result["errors"] and not result["wrong"] and healthy and result["answered"] else 1


if __name__ == "__main__":
    sys.exit(main())
