"""An index build loaded for answering: chunks, the BM25 model over their tokens, the corpus
vocabulary (to tell when a question names something no report mentions) and the tables."""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from .embed import get_embedder
from .errors import BotError
from .settings import Settings
from .store import Manifest, Store, open_store, record_to_chunk
from .types import Chunk

SENTENCE_END_RE = re.compile(r"(?<=[。！？!?])")


@dataclass
class TableView:
    table_id: str
    caption: str
    header: tuple[str, ...]
    rows: list[Chunk] = field(default_factory=list)  # row chunks in order
    record: Chunk | None = None


class LoadedIndex:
    def __init__(self, store: Store, manifest: Manifest, embedding: str):
        import bm25s

        self.store = store
        self.manifest = manifest
        if manifest.embedding != embedding:
            raise BotError(
                f"The index was built with the embedder '{manifest.embedding}', but '{embedding}' is configured.",
                hint="Re-ingest with `bot ingest` (it rebuilds with the configured embedder), or set BOT_EMBEDDING back.",
            )
        self.embedder = get_embedder(embedding)
        self.chunks: list[Chunk] = []
        token_lists: list[list[str]] = []
        for cid, text, meta in store.records(manifest.build):
            self.chunks.append(record_to_chunk(cid, text, meta))
            token_lists.append(meta.get("tokens", "").split())
        if not self.chunks:
            raise BotError("The index is empty.", hint="Put reports in corpus/ and run `bot ingest`.")
        self.by_id = {c.id: i for i, c in enumerate(self.chunks)}
        self.bm25 = bm25s.BM25()
        self.bm25.index(token_lists, show_progress=False)
        # document frequency per token, for weighting question words by how telling they are
        self.df: Counter[str] = Counter()
        for toks in token_lists:
            self.df.update(set(toks))
        self.n_docs = len(token_lists)
        self.tables: dict[str, TableView] = {}
        for c in self.chunks:
            if c.kind in ("row", "table"):
                view = self.tables.setdefault(c.table_id, TableView(c.table_id, c.caption, c.header))
                if c.kind == "row":
                    view.rows.append(c)
                else:
                    view.record = c
        for view in self.tables.values():
            view.rows.sort(key=lambda c: c.row)
        # per report file, so answering looks at one report's tables or prose, not the whole index
        self.file_tables: dict[str, list[TableView]] = {}
        for view in self.tables.values():
            if view.rows:
                self.file_tables.setdefault(view.rows[0].file, []).append(view)
        self.file_paragraphs: dict[str, list[Chunk]] = {}
        for c in self.chunks:
            if c.kind == "paragraph":
                self.file_paragraphs.setdefault(c.file, []).append(c)
        # what the reports mention: passages plus the headings, captions and titles they sit under
        self.text_blob = "\n".join(
            [c.text for c in self.chunks if c.kind != "table"]
            + sorted({c.heading for c in self.chunks} | {c.caption for c in self.chunks} | {c.report for c in self.chunks}))
        self.reports = sorted({(c.file, c.report) for c in self.chunks})
        self.scopes = {c.file: c.scope for c in self.chunks if c.scope}  # file -> its scope words (bot.sections)
        self._learned: dict[str, str] | None = None
        self._matrix = None  # the chunks' embeddings, normalised, in chunk order (exact_dense)

    @property
    def learned(self) -> dict[str, str]:
        """Abbreviations the reports define for themselves ("（以下简称“华锦股份”）", '(the
        "Company")', "股票简称 | 华润三九"), as ingest read them from each file (the manifest's
        "defines"); an index built before ingest kept them is read once for them instead."""
        if self._learned is None:
            files = getattr(getattr(self, "manifest", None), "files", None) or {}
            if files and all("defines" in f for f in files.values()):
                from .vocab import merge_definitions
                self._learned = merge_definitions({name: f["defines"] for name, f in files.items()})
            else:
                self._learned = _learned_for(self)
        return self._learned

    def exact_dense(self, vector, n: int):
        """The n chunks nearest the query vector by exact cosine distance (indices into
        `chunks`), ties by chunk id; None for an index too large to hold its vectors in memory, or
        on a Chroma server (HNSW answers then). Exact, because an approximate search asked for hundreds of
        neighbours (a named report's passages) misses a different few in each process, and the
        same question must get the same answer anywhere."""
        import numpy as np

        if self._matrix is None:
            from .store import EmbeddedStore

            # a Chroma server (the path for corpora one machine cannot hold) answers with its HNSW
            if len(self.chunks) > EXACT_DENSE_MAX or not isinstance(self.store, EmbeddedStore):
                return None
            ids = [c.id for c in self.chunks]
            got = self.store.embeddings(self.manifest.build, ids)
            if len(got) != len(ids):
                return None
            m = np.array([got[i] for i in ids], dtype=np.float32)
            m /= np.linalg.norm(m, axis=1, keepdims=True) + 1e-12
            self._matrix = m, np.argsort(np.argsort(np.array(ids)))  # each chunk's rank by id
        m, id_rank = self._matrix
        q = np.asarray(vector, dtype=np.float32)
        dist = np.round(1.0 - m @ (q / (np.linalg.norm(q) + 1e-12)), 5)  # as the store ranks: digits above float noise
        order = np.lexsort((id_rank, dist))
        return order[:n]

    def idf(self, token: str) -> float:
        return math.log(1 + (self.n_docs - self.df.get(token, 0) + 0.5) / (self.df.get(token, 0) + 0.5))

    def mentions(self, term: str) -> bool:
        """Does any report text contain this term (as a token or as a substring)?"""
        return term.lower() in self.df or term in self.text_blob

    def co_listed(self, a: str, b: str) -> bool:
        """Do `a` and `b` appear in one sentence of some paragraph (names listed side by side)?"""
        if a == b or a not in self.text_blob or b not in self.text_blob:
            return False
        for c in self.chunks:
            if c.kind == "paragraph" and a in c.text and b in c.text:
                if any(a in s and b in s for s in SENTENCE_END_RE.split(c.text)):
                    return True
        return False

    def health(self) -> dict:
        return {"status": "ok", "build": self.manifest.build, "chunks": len(self.chunks),
                "embedding": self.manifest.embedding, "where": self.store.where(),
                "reports": [{"file": f, "title": t} for f, t in self.reports]}


EXACT_DENSE_MAX = 50_000  # chunks whose vectors (384 floats each, ~75 MB) are searched exactly
LEARNED_VERSION = 1  # bumped when what `learn_from_reports` finds changes


def _learned_for(index: "LoadedIndex") -> dict[str, str]:
    """The reports' own definitions for an index built before ingest kept them, cached per build
    in the temporary directory: reading every
    chunk of a large index again for each one-off `bot ask` would cost more than the answer."""
    import hashlib
    import json
    import os
    import tempfile

    from .vocab import learn_from_reports

    manifest = getattr(index, "manifest", None)
    path = None
    if manifest is not None:
        key = hashlib.sha1(f"{index.store.where()}|{manifest.build}|{len(index.chunks)}|{LEARNED_VERSION}".encode()).hexdigest()
        path = os.path.join(tempfile.gettempdir(), f"bot-learned-{key[:16]}.json")
        try:
            with open(path, encoding="utf-8") as fh:
                return json.load(fh)
        except (OSError, ValueError):
            pass
    texts: dict[str, list[str]] = {}
    for c in index.chunks:  # a row chunk says "股票简称：金花股份" where its table has columns
        texts.setdefault(c.file, [c.report] if c.report else []).append(c.text)
    learned = learn_from_reports({f: "\n".join(parts) for f, parts in texts.items()})
    if path:
        try:
            tmp = f"{path}.{os.getpid()}.tmp"
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(learned, fh, ensure_ascii=False)
            os.replace(tmp, path)
        except OSError:
            pass
    return learned


def load_index(settings: Settings) -> LoadedIndex:
    store = open_store(settings)
    manifest = store.current()
    if manifest is None:
        raise BotError(f"No index found in {store.where()}.",
                       hint="Run `bot ingest` (or `make run`, which builds it) first.")
    return LoadedIndex(store, manifest, settings.embedding)
