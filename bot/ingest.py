"""Corpus folder -> index build. Incremental (unchanged files reuse their embeddings) and
atomic (a new build is committed only when complete; see store.py).

Test-only stage holds: with `BOT_INGEST_STAGES=DIR` set, ingest announces each stage it reaches
by appending its name as a line to `DIR/stages`, then waits until the file `DIR/go-<stage>`
exists (at most `STAGE_HOLD_LIMIT` seconds). The stages, in order: `files-read` (corpus read
and chunked, nothing written), `embeddings-written` (the new build holds every chunk, not
committed), `manifest-written` (its manifest is stored, the pointer not yet moved),
`pointer-swapped` (the new build is the current one, old builds not yet collected); and, in
server mode, `lease-busy` each time it finds another ingest holding the writer lease. Fault
tests (tests/test_faults.py, tests/test_chroma_server.py) kill or inspect ingest at exactly
these points instead of guessing how long it takes. Unset, nothing is announced or awaited.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from .chunk import chunk_report, planted_instructions
from .embed import get_embedder
from .errors import BotError
from .formats import ocr
from .lexical import tokenize
from .readers import is_candidate, read_report
from .settings import Settings
from .store import Manifest, chunk_to_record, open_store, record_to_chunk
from .vocab import definitions_of

# Bump when parsing or chunking changes the chunks a file gives: forces re-chunking.
CHUNKER_VERSION = "17"  # 17: PDF borderless tables take up to four header lines and bot.grid up to four header rows (a two-line column group name over the years and units); a header span stops before a column whose lower labels repeat one it covers (a column group, the unnamed total); footnote marks left out of column labels; a borderless table goes on over a blank line when the next line fills every column; 16: a row whose figure columns are all empty is a section row even when a notes or links column beside them has text; 15: a report's period from a Chinese statement of the year ended ("截至…止年度", "报告期：…至…"), a split-year period's year is the year it ends in ("2021-22": 2022); 14: PDF text outside the page box left out, lines grouped by type size and position, key figures with their labels, layout frames read region by region (tables under a header line), Indian digit grouping; 13: a table whose body starts over under its own header rows (another period's block) is read as one table per block (bot.grid.split_blocks); 12: a Word file converted from PDF (a paragraph per printed line) has its paragraphs joined again; 11: OCR of pages without a usable text layer and of large images in pages (bot.formats.ocr); 10: a part's masthead under no heading of the previous part; 9: report titles checked against a descriptive file name, places read after dates, national scope from the title, periods from the file name before the cover; 8: a lone dated item title starts no year part; 7: PDF tables by columns, navigation tables, repaired Word packages, delimited text rows; 6: report parts (section, year) and scope on every chunk (bot.sections); 5: chunk ids from position, not text; 4: requests addressed to the assistant left out (bot.guard); 3: grid tables, PDF layout, English BM25 tokens
EMBED_BATCH = 32
STAGES_ENV = "BOT_INGEST_STAGES"
STAGE_HOLD_LIMIT = 600.0  # a test that died must not leave ingest waiting forever


def announce_stage(stage: str) -> None:
    """The test-only stage hold described in the module docstring."""
    folder = os.environ.get(STAGES_ENV, "").strip()
    if not folder:
        return
    folder = Path(folder)
    with open(folder / "stages", "a", encoding="utf-8") as fh:
        fh.write(stage + "\n")
    go = folder / f"go-{stage}"
    deadline = time.monotonic() + STAGE_HOLD_LIMIT
    while not go.exists():
        if time.monotonic() > deadline:
            raise BotError(f"Ingest was held at stage {stage} for {STAGE_HOLD_LIMIT:g} s ({STAGES_ENV} is set).",
                           hint=f"{STAGES_ENV} is for tests; unset it.")
        time.sleep(0.01)


@dataclass
class IngestResult:
    files: int = 0
    chunks: int = 0
    tables: int = 0
    embedded: int = 0  # chunks embedded this run
    reused: int = 0  # chunks copied from the previous build
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # file -> why it could not be indexed
    changed: bool = True
    where: str = ""
    ocr_pages: int = 0  # pages of the files read this run that OCR read (or took from its cache)

    def summary(self) -> str:
        state = "index updated" if self.changed else "index already up to date"
        line = (f"{state}: {self.files} files, {self.chunks} chunks, {self.tables} tables "
                f"({self.embedded} embedded, {self.reused} reused) in {self.seconds:.1f} s -> {self.where}")
        if self.ocr_pages:
            line += f"\n{self.ocr_pages} page(s) read by OCR (cached by file content in the index folder's ocr/)"
        if self.errors:
            line += f"\n{len(self.errors)} file(s) could not be read; the index keeps what it had for them."
        return line


def report_facts(report) -> dict:
    """What `bot reports` shows of a file beside its title: format, pages, sections, scope."""
    pages = {b.page for b in report.blocks if b.page}
    sections = {getattr(b, "section", "") or b.heading for b in report.blocks} - {"", None}
    facts = {"format": Path(report.file).suffix.lower().lstrip("."), "pages": max(pages, default=0),
             "sections": len(sections), "paragraphs": len(report.paragraphs), "scope": report.scope}
    ocr = getattr(report, "ocr", None) or {}
    if ocr.get("pages"):  # which pages OCR read, and how sure it was of their words (bot.formats.ocr)
        facts["ocr_pages"] = list(ocr["pages"])
        facts["ocr_confidence"] = ocr.get("confidence")
    return facts


def mark_ocr_figures(report, chunks: list) -> list:
    """A chunk quoting a figure OCR read with low confidence lists it (`ocr_low`) and says so in
    its location, which every citation shows: "（OCR，请核对：1,234）"."""
    low = (getattr(report, "ocr", None) or {}).get("low") or {}
    if not low:
        return chunks
    out = []
    for c in chunks:
        figures = [f for f in low.get(c.page, []) if f in c.text] if c.page else []
        if figures:
            c = replace(c, ocr_low=" ".join(figures), location=f"{c.location}（OCR，请核对：{'、'.join(figures)}）")
        out.append(c)
    return out


def file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextmanager
def ingest_lock(settings: Settings):
    """One ingest at a time per index folder (Chroma's local store is not safe for two writers)."""
    if settings.chroma_url:  # the server's writer lease (ServerStore.exclusive) does this there
        yield
        return
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.index_dir / ".ingest.lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BotError(f"Another ingest is running on {settings.index_dir}.",
                           hint="Wait for it to finish, then try again.") from None
        yield


def ingest(settings: Settings, *, progress: bool | None = None, log=None) -> IngestResult:
    log = log or (lambda msg: print(msg, file=sys.stderr))
    started = time.perf_counter()
    corpus = settings.corpus_dir
    if not corpus.is_dir():
        raise BotError(f"The corpus folder {corpus} does not exist.",
                       hint="Create it and put reports in it, or set BOT_CORPUS_DIR / --corpus.")
    with ingest_lock(settings):
        store = open_store(settings)
        with store.exclusive(announce=announce_stage, log=log):
            return _ingest(settings, store, corpus, started, progress, log)


def _ingest(settings: Settings, store, corpus: Path, started: float, progress, log) -> IngestResult:
    old = store.current()
    reusable = old if old and old.embedding == settings.embedding and old.chunker == CHUNKER_VERSION else None
    result = IngestResult(where=store.where())

    paths = sorted((p for p in corpus.rglob("*") if is_candidate(p)), key=lambda p: str(p))
    files: dict[str, dict] = {}
    keep_old: set[str] = set()  # files whose chunks are copied from the old build
    fresh: dict[str, list] = {}  # file -> [(chunk, tokens)] to embed
    limit = settings.max_file_mb * 1_000_000
    ocr_bar = _OcrBar(progress)
    for path in paths:
        name = path.relative_to(corpus).as_posix()
        size = path.stat().st_size
        if limit and size > limit:
            # checked before reading: a huge file would take memory and hours of embedding
            why = (f"it is {size / 1e6:.1f} MB, over the {settings.max_file_mb:g} MB limit for one report "
                   f"(BOT_MAX_FILE_MB); split it, or raise the limit")
            _skip(result, name, why, log)
            if reusable and name in reusable.files:
                keep_old.add(name)
                files[name] = reusable.files[name]
            continue
        sha = file_sha(path)
        if reusable and reusable.files.get(name, {}).get("sha256") == sha:
            keep_old.add(name)
            files[name] = reusable.files[name]
            continue
        try:
            with ocr.cache_in(settings.index_dir), ocr.counting(ocr_bar.update):
                report, chunks, defines = _read_and_chunk(path, name, log)
            result.ocr_pages += len(report.ocr.get("pages", []))
        except BotError as err:
            _skip(result, name, err.message.removeprefix(f"{name}: "), log)
            if reusable and name in reusable.files:
                keep_old.add(name)
                files[name] = reusable.files[name]
            continue
        fresh[name] = chunks
        files[name] = {"sha256": sha, "title": report.title, "chunks": len(chunks),
                       "tables": len({t.number for t in report.tables}), **report_facts(report),
                       "defines": defines}

    ocr_bar.close()
    result.files = len(files)
    result.tables = sum(f["tables"] for f in files.values())
    unchanged = old is not None and reusable is not None and not fresh and set(files) == set(old.files)
    if unchanged:
        result.changed = False
        result.chunks = old.chunk_count
        result.reused = old.chunk_count
        result.seconds = time.perf_counter() - started
        return result
    if not files:
        raise BotError(f"No readable reports in {corpus}.",
                       hint="Add reports there (.txt .md .html .docx .pdf .xlsx .csv; see README), then run `bot ingest`.")

    announce_stage("files-read")
    embedder = get_embedder(settings.embedding)
    writer = store.begin()
    try:
        known = _known_vectors(store, old, settings, fresh)
        stored, same = _embed_new(embedder, fresh, writer, progress, failed := {}, known)
        result.embedded, result.reused = stored - same, same
        for name, why in failed.items():
            # embedding or storing this file failed: name it, keep what the old build had for it
            _skip(result, name, why, log)
            files.pop(name, None)
            if reusable and name in reusable.files:
                keep_old.add(name)
                files[name] = reusable.files[name]
        if not files:
            raise BotError("No report could be indexed.", hint="See the errors above.")
        result.files = len(files)
        result.tables = sum(f["tables"] for f in files.values())
        if keep_old:
            result.reused += _copy_old(store, reusable, keep_old, writer)
        dim = _dimension(embedder, old, reusable)
        announce_stage("embeddings-written")
        writer.commit(Manifest(build=writer.build, embedding=settings.embedding, dim=dim,
                               chunker=CHUNKER_VERSION, files=files, skipped=result.skipped), announce=announce_stage)
    except BaseException:
        writer.abort()
        raise
    result.chunks = writer.count
    result.seconds = time.perf_counter() - started
    return result


class _OcrBar:
    """A progress bar counting pages as OCR reads them (created at the first one: most corpora
    have none); drawn on a terminal, like the embedding bar."""

    def __init__(self, progress: bool | None):
        self.progress = progress
        self.bar = None

    def update(self, pages: int) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(unit="page", desc="OCR", file=sys.stderr,
                            disable=None if self.progress is None else not self.progress)
        self.bar.update(pages)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _skip(result: IngestResult, name: str, why: str, log) -> None:
    result.errors.append(f"{name}: {why}")
    result.skipped[name] = why
    log(f"error: {name}: {why}")


def _copy_old(store, old: Manifest, names: set[str], writer) -> int:
    ids, docs, metas = [], [], []
    for cid, doc, meta in store.records(old.build):
        if meta["file"] in names:
            ids.append(cid)
            docs.append(doc)
            metas.append(meta)
    vectors = store.embeddings(old.build, ids)
    writer.add(ids, docs, metas, [vectors[i] for i in ids])
    return len(ids)


def _known_vectors(store, old: Manifest | None, settings: Settings, fresh: dict[str, list]) -> dict[str, list[float]]:
    """Vectors the previous build already holds for the texts about to be embedded: a changed
    file, or a new chunker, mostly re-cuts text that was embedded before with the same model."""
    if old is None or old.embedding != settings.embedding:
        return {}
    wanted = {_embed_text(c) for items in fresh.values() for c, _ in items}
    ids: dict[str, str] = {}
    try:
        for cid, doc, meta in store.records(old.build):
            text = _embed_text(record_to_chunk(cid, doc, meta))
            if text in wanted:
                ids.setdefault(text, cid)
        vectors = store.embeddings(old.build, list(ids.values()))
    except Exception:  # noqa: BLE001 - an unreadable old build only costs the reuse
        return {}
    return {text: vectors[cid] for text, cid in ids.items() if cid in vectors}


def _embed_new(embedder, fresh: dict[str, list], writer, progress: bool | None, failed: dict[str, str],
               known: dict[str, list[float]] | None = None) -> tuple[int, int]:
    """Embed and store each file's new chunks (a text the old build embedded keeps its vector,
    `known`); a file whose embedding or storing fails is recorded in `failed` (file -> reason)
    with none of its chunks left in the build. Returns (chunks stored, of which vectors reused)."""
    known = known or {}
    reused = 0
    total = sum(len(v) for v in fresh.values())
    if not total:
        return 0, 0
    from tqdm import tqdm

    # tqdm draws only on a terminal unless asked; it is the progress bar for long corpora
    bar = tqdm(total=total, unit="chunk", desc="embedding", disable=None if progress is None else not progress,
               file=sys.stderr)
    done = 0
    for name, items in fresh.items():
        added: list[str] = []
        try:
            for start in range(0, len(items), EMBED_BATCH * 8):
                batch = items[start:start + EMBED_BATCH * 8]
                texts = [_embed_text(c) for c, _ in batch]
                todo = [t for t in dict.fromkeys(texts) if t not in known]
                made = dict(zip(todo, embedder.embed_documents(todo))) if todo else {}
                reused += len(texts) - len(todo)
                vectors = [known[t] if t in known else made[t] for t in texts]
                records = [chunk_to_record(c, t) for c, t in batch]
                ids = [r[0] for r in records]
                writer.add(ids, [r[1] for r in records], [r[2] for r in records], vectors)
                added += ids
                bar.update(len(batch))
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as err:  # noqa: BLE001 - one file must not cost the build (see below)
            failed[name] = internal_error("embedding or storing", err)
            if added:
                writer.remove(added)
            continue
        done += len(items)
    bar.close()
    return done, reused


def _read_and_chunk(path: Path, name: str, log) -> tuple:
    """Read, chunk and tokenise one file. Any failure becomes a `BotError` naming the file: the
    reader's own `UnreadableFile` (the file's fault) or an internal error (ours, said so)."""
    try:
        report = read_report(path, name)
        chunks = mark_ocr_figures(report, chunk_report(report))
        if report.ocr.get("pages"):
            log(f"note: {name}: {len(report.ocr['pages'])} page(s) read by OCR "
                f"(mean confidence {report.ocr.get('confidence') or 0:.2f})")
        planted = planted_instructions(report)
        if planted:
            more = f" and {len(planted) - 3} more" if len(planted) > 3 else ""
            log(f"note: {name}: left out {len(planted)} passage(s) that read as instructions to an AI "
                f"assistant, not report content ({'; '.join(planted[:3])}{more})")
        # the terms the report defines for itself ("（以下简称…）"), read once here, not per question
        defines = definitions_of("\n".join([chunks[0].report if chunks else ""] + [c.text for c in chunks]))
        return report, [(c, tokenize(c.text)) for c in chunks], defines
    except BotError:
        raise
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except Exception as err:  # noqa: BLE001 - a bug in our reading code must not stop the build
        raise BotError(f"{name}: {internal_error('reading', err)}") from err


def internal_error(stage: str, err: Exception) -> str:
    """A failure in our own code is reported as ours, never as the user's damaged file."""
    import traceback

    frames = traceback.extract_tb(err.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return (f"skipped: an internal error while {stage} it ({type(err).__name__}{where}: {str(err)[:160]}); "
            "this is a bug in the assistant, not a problem with the file; please report it")


def _embed_text(chunk) -> str:
    return f"{chunk.heading}\n{chunk.text}" if chunk.heading else chunk.text


def _dimension(embedder, old: Manifest | None, reusable: Manifest | None) -> int:
    if reusable:
        return reusable.dim
    return len(embedder.embed_query("dimension"))
