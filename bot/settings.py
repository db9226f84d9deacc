"""All settings in one documented object, read from the environment (BOT_*) with overrides.

| variable | default | meaning |
|---|---|---|
| BOT_CORPUS_DIR | corpus | folder of reports to ingest |
| BOT_INDEX_DIR | index | where the embedded Chroma index lives |
| BOT_EMBEDDING | e5 | `e5` or `sentence-transformers:<model name or path>` |
| BOT_CHROMA_URL | (empty) | e.g. http://127.0.0.1:8000: use a Chroma server instead of `index/` |
| BOT_CHROMA_TOKEN | (empty) | sent with every Chroma request as `Authorization: Bearer` and `X-Chroma-Token` (for the authenticating proxy in front of the server) |
| BOT_CHROMA_LEASE_SECONDS | 600 | an ingest's writer lease on the Chroma server expires this long after its last renewal (a crashed ingest blocks others at most this long) |
| BOT_TOP_K | 8 | evidence chunks retrieved per question |
| BOT_MAX_QUESTION_CHARS | 1000 | longer questions are refused with a message |
| BOT_MAX_FILE_MB | 50 | corpus files larger than this are skipped by ingest with a message (0: no limit) |
| BOT_LLM | (empty) | `openai:<model>` or `ollama:<model>` to let a chat model word answers |
| BOT_LLM_TIMEOUT | 20 | seconds before an LLM answer falls back to the grounded one |
| BOT_FEEDBACK_FILE | feedback.jsonl | where 👍/👎 votes are appended |
| BOT_EXAMPLES_FILE | <corpus>/examples.txt | example questions shown on the start screen |
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from .errors import BotError


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = field(default_factory=lambda: Path(_env("BOT_CORPUS_DIR", "corpus")))
    index_dir: Path = field(default_factory=lambda: Path(_env("BOT_INDEX_DIR", "index")))
    embedding: str = field(default_factory=lambda: _env("BOT_EMBEDDING", "e5"))
    chroma_url: str = field(default_factory=lambda: _env("BOT_CHROMA_URL", ""))
    chroma_token: str = field(default_factory=lambda: _env("BOT_CHROMA_TOKEN", ""), repr=False)
    chroma_lease_seconds: float = field(default_factory=lambda: _float("BOT_CHROMA_LEASE_SECONDS", 600.0))
    top_k: int = field(default_factory=lambda: _int("BOT_TOP_K", 8))
    max_question_chars: int = field(default_factory=lambda: _int("BOT_MAX_QUESTION_CHARS", 1000))
    max_file_mb: float = field(default_factory=lambda: _float("BOT_MAX_FILE_MB", 50.0))
    llm: str = field(default_factory=lambda: _env("BOT_LLM", ""))
    llm_timeout: float = field(default_factory=lambda: float(_env("BOT_LLM_TIMEOUT", "20")))
    feedback_file: Path = field(default_factory=lambda: Path(_env("BOT_FEEDBACK_FILE", "feedback.jsonl")))
    examples_file: Path | None = field(
        default_factory=lambda: Path(os.environ["BOT_EXAMPLES_FILE"]) if os.environ.get("BOT_EXAMPLES_FILE") else None
    )

    def __post_init__(self) -> None:
        if self.top_k <= 0:
            raise BotError(f"top_k must be greater than 0. Currently, top_k is {self.top_k}.",
                           hint="Set BOT_TOP_K to a whole number such as 8.")
        if self.max_file_mb < 0:
            raise BotError(f"max_file_mb must be 0 (no limit) or more. Currently it is {self.max_file_mb:g}.")
        if self.chroma_lease_seconds <= 0:
            raise BotError(f"chroma_lease_seconds must be greater than 0. Currently it is {self.chroma_lease_seconds:g}.",
                           hint="Set BOT_CHROMA_LEASE_SECONDS to a number of seconds such as 600.")
        if self.max_question_chars <= 0:
            raise BotError(f"max_question_chars must be greater than 0. Currently it is {self.max_question_chars}.")

    def with_(self, **overrides) -> "Settings":
        """A copy with the given fields replaced; `None` values are ignored (unset CLI flags)."""
        known = {f.name for f in fields(self)}
        given = {k: v for k, v in overrides.items() if v is not None and k in known}
        for key in ("corpus_dir", "index_dir", "feedback_file", "examples_file"):
            if key in given:
                given[key] = Path(given[key])
        return replace(self, **given)

    @property
    def examples_path(self) -> Path:
        return self.examples_file or self.corpus_dir / "examples.txt"


def _int(name: str, default: int) -> int:
    raw = _env(name, str(default))
    try:
        return int(raw)
    except ValueError:
        raise BotError(f"{name} must be a whole number. Currently, it is '{raw}'.") from None


def _float(name: str, default: float) -> float:
    raw = _env(name, str(default))
    try:
        return float(raw)
    except ValueError:
        raise BotError(f"{name} must be a number. Currently, it is '{raw}'.") from None
