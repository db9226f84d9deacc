"""👍/👎 votes on answers, appended as JSON lines to `Settings.feedback_file`.

One line per vote: time, id (of the answered turn), question, answer, citations, vote
("up"/"down", or null when a vote is taken back), optional comment. A later line with the same
id replaces the earlier one, so changing a vote or adding a comment after 👎 just appends.
`bot feedback` prints `summary(settings)`.
"""
from __future__ import annotations

import json
import threading
import uuid
from dataclasses import asdict, is_dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..errors import BotError
from ..settings import Settings

UP, DOWN = "up", "down"
_VOTES = {
    True: UP, "up": UP, "like": UP, "👍": UP, "+1": UP, "1": UP,
    False: DOWN, "down": DOWN, "dislike": DOWN, "👎": DOWN, "-1": DOWN,
    None: None, "": None, "none": None, "clear": None,
}
_lock = threading.Lock()  # one writer at a time within a process; lines are appended whole


def normalize_vote(vote: object) -> str | None:
    """"up", "down" or None (vote taken back); accepts Gradio's True/False/"Like"/"Dislike"."""
    key = vote.strip().lower() if isinstance(vote, str) else vote
    try:
        return _VOTES[key]
    except (KeyError, TypeError):
        raise BotError(f"Unknown vote {vote!r}.", hint="Use 'up' or 'down'.") from None


def record(settings: Settings, question: str, answer: object, vote: object, comment: str = "", *,
           citations: list | None = None, turn_id: str | None = None) -> dict:
    """Append one vote and return the stored record.

    `answer` is an `Answer` (its text and citations are stored) or the answer text;
    `turn_id` ties later votes/comments on the same answer together (a new id if omitted).
    """
    text = getattr(answer, "text", answer)
    if citations is None:
        citations = getattr(answer, "citations", None) or []
    entry = {
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "id": turn_id or uuid.uuid4().hex,
        "question": str(question),
        "answer": "" if text is None else str(text),
        "citations": [_plain(c) for c in citations],
        "vote": normalize_vote(vote),
        "comment": (comment or "").strip(),
    }
    path = Path(settings.feedback_file)
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    try:
        with _lock:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as fh:
                fh.write(line)
    except OSError as err:
        raise BotError(f"Cannot write feedback to {path}: {err.strerror}.",
                       hint="Set BOT_FEEDBACK_FILE to a writable file.") from None
    return entry


def load(settings: Settings) -> tuple[list[dict], int]:
    """The current vote per answered turn (last line per id wins, taken-back votes dropped),
    oldest first, and the number of lines that could not be read."""
    path = Path(settings.feedback_file)
    latest: dict[str, dict] = {}
    bad = 0
    try:
        fh = path.open(encoding="utf-8")
    except FileNotFoundError:
        return [], 0
    except OSError as err:
        raise BotError(f"Cannot read {path}: {err.strerror}.") from None
    with fh:
        for n, line in enumerate(fh):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                vote = normalize_vote(entry.get("vote"))
            except (ValueError, AttributeError, BotError):
                bad += 1
                continue
            key = str(entry.get("id") or f"line-{n}")
            latest.pop(key, None)  # re-insert so the order follows the latest vote
            latest[key] = {**entry, "vote": vote}
    return [e for e in latest.values() if e["vote"] is not None], bad


def summary(settings: Settings) -> str:
    """Counts, share of 👍, and every 👎 answer with its question and comment, for review."""
    path = Path(settings.feedback_file)
    entries, bad = load(settings)
    skipped = f"\n({bad} unreadable line{'s' if bad != 1 else ''} skipped)" if bad else ""
    if not entries:
        where = "does not exist yet" if not path.exists() else "has no votes"
        return f"No feedback yet ({path} {where}).{skipped}"
    up = sum(e["vote"] == UP for e in entries)
    down = [e for e in entries if e["vote"] == DOWN]
    lines = [f"Feedback in {path}: {len(entries)} vote{'s' if len(entries) != 1 else ''}, "
             f"👍 {up}, 👎 {len(down)} ({up / len(entries):.0%} 👍)"]
    if down:
        lines.append("")
        lines.append("👎 answers to review:")
        for i, e in enumerate(down, 1):
            lines.append(f"{i}. [{e.get('time', '?')}] Q: {_one_line(e.get('question', ''), 200)}")
            lines.append(f"   A: {_one_line(e.get('answer', ''), 300)}")
            if e.get("comment"):
                lines.append(f"   comment: {_one_line(e['comment'], 300)}")
    return "\n".join(lines) + skipped


def _plain(citation: object) -> dict:
    if is_dataclass(citation):
        citation = asdict(citation)
    if not isinstance(citation, dict):
        return {"quote": str(citation)}
    return {k: citation[k] for k in ("n", "report", "location", "quote", "attribution") if k in citation}


def _one_line(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
