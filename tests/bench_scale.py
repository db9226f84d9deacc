"""Scale benchmark (`make bench-scale`; not collected by pytest): grow a corpus of about N chunks
(default 100,000) from the shipped report, ingest it, and measure answer latency at that size,
with the embedded index and with a Chroma server.

    python tests/bench_scale.py                      # ~100,000 chunks, vectors chosen by --vectors auto
    python tests/bench_scale.py --chunks 3000 --vectors e5
    python tests/bench_scale.py --modes embedded --questions 40

The corpus: the shipped report as is, plus synthetic reports made from it with another industry,
region and year and rescaled figures ("2021年广东省储能行业市场规模达到了347亿元…"); each gives
the same 15 chunks the shipped report does. Questions: the shipped golden set plus questions
whose answer the generator knows; the hit rate (expected figure in the answer) is printed
next to the latency.

Vectors. Embedding every chunk with e5 costs ~0.1-0.5 s per chunk on 2 shared cores, so the
script measures the rate first and prints what a full e5 ingest would take.
- `--vectors e5`: every chunk embedded with e5 (the real ingest; use with --chunks that fit).
- `--vectors template`: each chunk gets the e5 vector of its *template* (the chunk with its
  figures, years and region masked; a few hundred distinct texts), so 100k chunks go through the
  real ingest, Chroma and BM25 at full size in minutes. Questions are still embedded with e5.
  Dense retrieval then cannot tell regions and years apart (BM25 can); latency is what this
  mode is for, and the output says which mode ran.
- `--vectors auto` (default): e5 if the estimate fits in --budget minutes, else template.
The Chroma-server run reuses the vectors computed for the embedded run (said in the output).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

SHIPPED = ROOT / "corpus" / "中国智算中心行业发展现状.txt"
GOLDEN = ROOT / "tests" / "golden" / "shipped.jsonl"
TOPIC, REGION = "智算中心", "我国"
TOPICS = ["储能", "光伏", "风电", "氢能", "锂电池", "新能源汽车", "充电桩", "工业机器人", "服务机器人", "无人机",
          "半导体", "集成电路", "显示面板", "消费电子", "云计算", "大数据", "物联网", "区块链", "网络安全", "工业互联网",
          "智慧城市", "智慧医疗", "医疗器械", "生物医药", "创新药", "养老服务", "预制菜", "冷链物流", "跨境电商", "直播电商",
          "在线教育", "职业教育", "数字文创", "电子竞技", "低空经济", "卫星互联网", "智能家居", "智能穿戴", "环保设备", "水处理"]
REGIONS = ["北京市", "天津市", "河北省", "山西省", "内蒙古", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省", "浙江省",
           "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西", "海南省", "重庆市",
           "四川省", "贵州省", "云南省", "西藏", "陕西省", "甘肃省", "青海省", "宁夏", "新疆"]
YEARS = list(range(2015, 2025))
FIGURE_RE = re.compile(r"(\d+(?:\.\d+)?)(?=\s*(?:亿元|%|EFLOPS))")
YEAR_RE = re.compile(r"(?<!\d)(20[12]\d)(?=年)")
MASK_RE = re.compile(r"\d+(?:\.\d+)?")


# -- corpus --------------------------------------------------------------------------------------
def variant(text: str, topic: str, region: str, year: int, rng: random.Random) -> tuple[str, str]:
    """The shipped report retold for another industry, region and year; and its market size."""
    shift = year - 2024
    out = YEAR_RE.sub(lambda m: str(int(m.group(1)) + shift), text)

    def rescale(m):
        raw = m.group(1)
        decimals = len(raw.split(".")[1]) if "." in raw else 0
        value = float(raw) * rng.uniform(0.2, 3.0) if decimals == 0 else rng.uniform(1, 60)
        return f"{value:.{decimals}f}"

    out = FIGURE_RE.sub(rescale, out)
    out = out.replace(TOPIC, topic).replace(REGION, region)
    size = re.search(r"市场规模达到了(\d+(?:\.\d+)?亿元)", out)
    return out, size.group(1) if size else ""


def build_corpus(folder: Path, chunks: int, per_report: int, seed: int = 1) -> tuple[int, list[dict]]:
    """Write the shipped report plus enough synthetic ones; return (reports, known answers)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SHIPPED, folder / SHIPPED.name)
    text = SHIPPED.read_text(encoding="utf-8")
    combos = [(t, r, y) for t in TOPICS for r in REGIONS for y in YEARS]
    rng.shuffle(combos)
    wanted = max(0, round(chunks / per_report) - 1)
    if wanted > len(combos):
        raise SystemExit(f"--chunks {chunks} needs {wanted} synthetic reports; the generator has {len(combos)}.")
    known = []
    sub = folder / "synthetic"
    sub.mkdir(exist_ok=True)
    for topic, region, year in combos[:wanted]:
        body, size = variant(text, topic, region, year, rng)
        (sub / f"{topic}_{region}_{year}.txt").write_text(body, encoding="utf-8")
        if size:
            known.append({"question": f"{year}年{region}{topic}行业市场规模是多少？", "figures": [size]})
    return wanted + 1, known


# -- embeddings ------------------------------------------------------------------------------------
class Vectors:
    """The ingest's embedder for the benchmark: e5 per chunk, or e5 per masked template; both
    cached by text so the Chroma-server run reuses the embedded run's vectors."""

    def __init__(self, base, mode: str):
        self.base = base
        self.mode = mode
        self.cache: dict[str, list[float]] = {}
        self.embedded = 0
        self.seconds = 0.0

    def key(self, text: str) -> str:
        if self.mode == "e5":
            return text
        masked = MASK_RE.sub("0", text)
        for region in REGIONS:
            masked = masked.replace(region, REGION)
        return masked

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        keys = [self.key(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self.cache))
        if missing:
            started = time.perf_counter()
            for k, v in zip(missing, self.base.embed_documents(missing)):
                self.cache[k] = v
            self.seconds += time.perf_counter() - started
            self.embedded += len(missing)
        return [self.cache[k] for k in keys]

    def embed_query(self, text: str) -> list[float]:
        return self.base.embed_query(text)


def sample_texts(folder: Path, n: int) -> list[str]:
    from bot.chunk import chunk_report
    from bot.readers import read_report

    texts = []
    for path in sorted((folder / "synthetic").glob("*.txt"))[:max(1, n // 10)]:
        texts += [c.text for c in chunk_report(read_report(path, path.name))]
    return texts[:n]


def measure_rate(embedder, texts: list[str]) -> float:
    embedder.embed_documents(texts[:2])  # warm up
    started = time.perf_counter()
    embedder.embed_documents(texts)
    return len(texts) / (time.perf_counter() - started)


# -- running ---------------------------------------------------------------------------------------
def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def questions(known: list[dict], count: int, rng: random.Random) -> list[dict]:
    """The shipped golden set, then questions about synthetic reports up to `count`."""
    golden = [dict(json.loads(line), kind="shipped")
              for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line.strip()]
    extra = max(0, count - len(golden))
    return golden[:count] + [dict(k, kind="synthetic") for k in rng.sample(known, min(len(known), extra))]


class TimedEmbedder:
    """Wraps the index's embedder to time the question embeddings inside each answer."""

    def __init__(self, base):
        self.base = base
        self.seconds = 0.0

    def embed_query(self, text: str) -> list[float]:
        started = time.perf_counter()
        try:
            return self.base.embed_query(text)
        finally:
            self.seconds += time.perf_counter() - started

    def __getattr__(self, name):
        return getattr(self.base, name)


def run_questions(assistant, cases: list[dict]) -> dict:
    timer = TimedEmbedder(assistant.index.embedder)
    assistant.index.embedder = timer
    totals, embeds, hits, slow = [], [], {"shipped": [0, 0], "synthetic": [0, 0]}, []
    for case in cases:
        turns = case.get("turns") or [case["question"]]
        before = timer.seconds
        started = time.perf_counter()
        answer = assistant.ask(turns[-1], turns[:-1])
        totals.append(time.perf_counter() - started)
        embeds.append(timer.seconds - before)
        slow.append((totals[-1], turns[-1]))
        ok = all(f in answer.text for f in case.get("figures", []))
        hits[case["kind"]][0] += ok
        hits[case["kind"]][1] += 1
    rest = [t - e for t, e in zip(totals, embeds)]
    return {"n": len(totals), "p50": percentile(totals, 50), "p95": percentile(totals, 95), "max": max(totals),
            "e5_p50": percentile(embeds, 50), "e5_p95": percentile(embeds, 95),
            "rest_p50": percentile(rest, 50), "rest_p95": percentile(rest, 95),
            "hits": {k: f"{a}/{b}" for k, (a, b) in hits.items() if b},
            "slowest": [f"{t * 1000:.0f} ms {q}" for t, q in sorted(slow, reverse=True)[:3]]}


def clear_caches() -> None:
    """Forget memoised query embeddings and word splits, so no mode profits from an earlier one."""
    import bot.answer
    from bot.embed import get_embedder

    for fn in (getattr(type(get_embedder("e5")), "_cached_query", None), getattr(bot.answer, "_part_words", None)):
        if hasattr(fn, "cache_clear"):
            fn.cache_clear()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_mode(name: str, settings, vectors: Vectors, cases: list[dict]) -> dict:
    import bot.ingest as ingest_mod
    from bot.chain import Assistant
    from bot.index import load_index

    say = lambda msg: print(f"[{time.strftime('%H:%M:%S')}] {name}: {msg}", flush=True)  # noqa: E731
    say("ingest")
    real = ingest_mod.get_embedder
    ingest_mod.get_embedder = lambda spec: vectors
    before_embedded, before_seconds = vectors.embedded, vectors.seconds
    try:
        result = ingest_mod.ingest(settings, progress=None, log=lambda m: print(m, file=sys.stderr))
    finally:
        ingest_mod.get_embedder = real
    say(f"ingest done in {result.seconds:.0f} s; loading the index")
    started = time.perf_counter()
    index = load_index(settings)
    load_s = time.perf_counter() - started
    assistant = Assistant(settings, index=index)
    assistant.ask("热身")  # warm-up: jieba's dictionaries, the model
    clear_caches()  # each mode embeds and analyses its questions from scratch
    say(f"index loaded in {time.perf_counter() - started:.0f} s; asking {len(cases)} questions")
    lat = run_questions(assistant, cases)
    return {"mode": name, "chunks": result.chunks, "files": result.files, "ingest_s": result.seconds,
            "ingest": "built" if result.changed else "already up to date (reused)",
            "texts_embedded": vectors.embedded - before_embedded, "embed_s": vectors.seconds - before_seconds,
            "load_s": load_s, **lat, "rss_mb": rss_mb()}


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_chroma(path: Path, port: int) -> subprocess.Popen:
    import httpx

    chroma = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen([str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("chroma run did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--chunks", type=int, default=100_000, help="target corpus size in chunks (default 100000)")
    p.add_argument("--vectors", choices=["auto", "e5", "template"], default="auto")
    p.add_argument("--budget", type=float, default=20, help="minutes a full e5 ingest may take under --vectors auto")
    p.add_argument("--modes", default="embedded,server", help="comma-separated: embedded, server")
    p.add_argument("--questions", type=int, default=60, help="questions timed per mode")
    p.add_argument("--workdir", help="keep corpus and indexes here (default: a temp dir, removed)")
    p.add_argument("--restart-check", action="store_true", help="restart the Chroma server and re-check the count")
    args = p.parse_args(argv)

    from bot.chunk import chunk_report
    from bot.embed import get_embedder
    from bot.readers import read_report
    from bot.settings import Settings

    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="bench-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    per_report = len(chunk_report(read_report(SHIPPED, SHIPPED.name)))
    started = time.perf_counter()
    reports, known = build_corpus(corpus, args.chunks, per_report)
    print(f"corpus: {reports} reports x {per_report} chunks = ~{reports * per_report} chunks "
          f"(generated in {time.perf_counter() - started:.1f} s) in {corpus}")

    e5 = get_embedder("e5")
    rate = measure_rate(e5, sample_texts(corpus, 48))
    full_min = reports * per_report / rate / 60
    print(f"e5 embedding rate here: {rate:.1f} chunks/s -> a full e5 ingest of {reports * per_report} chunks "
          f"would take ~{full_min:.0f} min")
    mode = args.vectors
    if mode == "auto":
        mode = "e5" if full_min <= args.budget else "template"
    print(f"vectors: {mode}" + (" (e5 of each chunk's masked template; see --help)" if mode == "template" else " (every chunk)"))
    vectors = Vectors(e5, mode)

    cases = questions(known, args.questions, random.Random(2))
    results = []
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    try:
        if "embedded" in modes:
            settings = Settings().with_(corpus_dir=corpus, index_dir=work / "index", chroma_url="")
            results.append(bench_mode("embedded", settings, vectors, cases))
            print(json.dumps(results[-1], ensure_ascii=False), flush=True)
        if "server" in modes:
            port = free_port()
            proc = start_chroma(work / "chroma", port)
            try:
                url = f"http://127.0.0.1:{port}"
                settings = Settings().with_(corpus_dir=corpus, index_dir=work / "unused", chroma_url=url)
                res = bench_mode("server", settings, vectors, cases)
                if "embedded" in modes:
                    res["note"] = "vectors reused from the embedded run"
                results.append(res)
                print(json.dumps(res, ensure_ascii=False), flush=True)
                if args.restart_check:
                    from bot.store import ServerStore

                    stop(proc)
                    proc = start_chroma(work / "chroma", port)
                    store = ServerStore(url)
                    build = store.current().build
                    count = store._collection(build).count()
                    print(f"after a Chroma server restart: {count} records in build {build} "
                          f"({'intact' if count == res['chunks'] else 'LOST RECORDS'})", flush=True)
            finally:
                stop(proc)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)

    print()
    print("| mode | chunks | ingest s | texts embedded | embed s | index load s | answer p50 / p95 ms | "
          "of which e5 question embedding p50 / p95 ms | rest p50 / p95 ms | hits shipped | hits synthetic | max RSS MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        ingest_s = f"{r['ingest_s']:.0f}" if r["ingest"] == "built" else "reused"
        print(f"| {r['mode']} | {r['chunks']} | {ingest_s} | {r['texts_embedded']} | {r['embed_s']:.0f} | "
              f"{r['load_s']:.1f} | {r['p50'] * 1000:.0f} / {r['p95'] * 1000:.0f} | "
              f"{r['e5_p50'] * 1000:.0f} / {r['e5_p95'] * 1000:.0f} | {r['rest_p50'] * 1000:.0f} / {r['rest_p95'] * 1000:.0f} | "
              f"{r['hits'].get('shipped', '-')} | "
              f"{r['hits'].get('synthetic', '-')} | {r['rss_mb']:.0f} |")
    print(f"(vectors: {mode}; e5 rate {rate:.1f} chunks/s; {len(cases)} questions per mode; {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
