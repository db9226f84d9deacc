"""One feature vector per answer candidate, whatever path made it.

Every path of the answerer (a sentence, a table cell, a whole row, a count, the largest or
smallest row, a table's own structure, a record table's rows) yields `Option`s described by the
same general features, so one fitted scorer (bot.scorer) ranks them all and decides whether the
best one answers at all. The features are signals the matcher already computes (coverage of the
question's terms, value kind, year/period/plan agreement), plus character coverage, retrieval
ranks and which path made the candidate. No weight lives here: `bot.fit` fits them.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from .match import CJK_RE, Needs, coverage, date_fit, fit, period_fit, plan_fit
from .sections import scope_text, scoped_needs

PATHS = ("sentence", "cell", "row", "count", "extreme", "structure", "records")
INTENTS = ("value", "count", "list", "when", "who", "why", "define")

# the features of a candidate, in the order of the fitted weights
FEATURES = (
    "cov", "kind", "date", "period", "plan", "product", "miss_frac", "miss_entity", "miss_measure",
    "char_cov", "char_cov_ctx", "raw_cov", "rank_inv", "rank_log", "dense_inv", "lex_inv", "in_top8",
    "has_figure", "lang_en", "asks_year", "n_needs_log", "named_in", "named_out", "top_report",
    *(f"path_{p}" for p in PATHS), *(f"intent_{i}" for i in INTENTS),
    # a linear model weighs a signal differently per path only through these products
    *(f"{s}*{p}" for p in PATHS for s in ("cov", "product", "rank_inv", "char_cov")),
    *(f"kind*{i}" for i in INTENTS), "product*lang_en", "cov*lang_en",
)
# the features of the decision "does the best candidate answer?" (no answer is its rival)
DECISION_FEATURES = FEATURES + ("best_logit", "margin", "n_options_log", "paths_agree")

LATIN_WORD_RE = re.compile(r"[a-z][a-z0-9]+")
FIGURE_RE = re.compile(r"\d")


@dataclass
class Option:
    """One candidate answer: what made it, its features, the text it would state (for labelling)
    and how to write it out as a Draft."""
    path: str
    feats: dict[str, float]
    text: str
    make: Callable[[], object]
    source: object = None  # the path's own candidate (answer.Candidate, cells.Cell, a Draft)
    prob: float = 0.0
    logit: float = 0.0
    rank: int = 0
    extra: dict = field(default_factory=dict)


@lru_cache(maxsize=4096)
def _grams(text: str) -> frozenset[str]:
    han = "".join(CJK_RE.findall(text))
    low = text.lower()
    latin = {w[:6] for w in LATIN_WORD_RE.findall(low) if len(w) >= 3}
    return frozenset({han[i:i + 2] for i in range(len(han) - 1)} | latin)


def raw_grams(text: str) -> frozenset[str]:
    """The bigrams and word stems of the question as typed, without its framing words
    ("多少", "what was")."""
    from .match import EN_FRAMING
    from .question import FRAMING

    han = re.sub(r"[^\u4e00-\u9fff]+", " ", text)
    for word in sorted(FRAMING, key=len, reverse=True):
        han = han.replace(word, " ")
    latin = " ".join(w for w in re.findall(r"[A-Za-z][A-Za-z'-]+", text) if w.lower() not in EN_FRAMING)
    return _grams(" ".join(han.split()) + " " + latin)


def question_grams(needs: Needs) -> frozenset[str]:
    """The character bigrams (CJK) and word stems (Latin) of what the question names."""
    got = needs.extra.get("_grams")
    if got is None:
        got = frozenset().union(*(_grams(n.text) for n in needs.items)) if needs.items else frozenset()
        needs.extra["_grams"] = got
    return got


def char_share(needs: Needs, text: str, context: str = "") -> float:
    """The share of the question's bigrams/stems in `text` (and `context`, when given)."""
    grams = question_grams(needs)
    if not grams:
        return 0.5
    have, more = _grams(text), (_grams(context) if context else frozenset())
    return sum(g in have or g in more for g in grams) / len(grams)


def features(needs: Needs, path: str, *, cov: float, missing: list[str], kind: float, date: float,
             period: float, plan: float, rank: int, primary: str, context: str,
             dense_rank: int | None = None, lexical_rank: int | None = None, file: str = "") -> dict[str, float]:
    n = max(1, len(needs.items))
    entity = any(i.entity and i.text in missing for i in needs.items)
    measure = any(i.measure and i.text in missing for i in needs.items)
    feats = {
        "cov": cov, "kind": kind, "date": date, "period": period, "plan": plan,
        "product": cov * kind * date * period * plan,
        "miss_frac": len(missing) / n, "miss_entity": float(entity), "miss_measure": float(measure),
        "char_cov": char_share(needs, primary), "char_cov_ctx": char_share(needs, primary, context),
        "rank_inv": 1.0 / (rank + 1), "rank_log": math.log1p(rank), "in_top8": float(rank < 8),
        "dense_inv": 1.0 / dense_rank if dense_rank else 0.0,
        "lex_inv": 1.0 / lexical_rank if lexical_rank else 0.0,
        "has_figure": float(bool(FIGURE_RE.search(primary))),
        "lang_en": float(needs.lang == "en"), "asks_year": float(bool(needs.years)),
        "n_needs_log": math.log1p(len(needs.items)),
    }
    # the question as typed (names its analysis did not keep as terms count here)
    raw = needs.extra.get("raw_grams") or frozenset()
    if raw:
        have, more = _grams(primary), _grams(context)
        feats["raw_cov"] = sum(g in have or g in more for g in raw) / len(raw)
    else:
        feats["raw_cov"] = 0.5
    # scope: the reports the question names (bot.scope), and the report of the top passage
    named = needs.extra.get("named") or set()
    feats["named_in"] = float(bool(named) and file in named)
    feats["named_out"] = float(bool(named) and file not in named)
    feats["top_report"] = float(file == needs.extra.get("top_file"))
    for p in PATHS:
        feats[f"path_{p}"] = float(p == path)
    for i in INTENTS:
        feats[f"intent_{i}"] = float(needs.intent == i)
        feats[f"kind*{i}"] = kind * feats[f"intent_{i}"]
    for p in PATHS:
        on = feats[f"path_{p}"]
        for name in ("cov", "product", "rank_inv", "char_cov"):
            feats[f"{name}*{p}"] = feats[name] * on
    feats["product*lang_en"] = feats["product"] * feats["lang_en"]
    feats["cov*lang_en"] = cov * feats["lang_en"]
    return feats


def draft_option(needs: Needs, path: str, draft, evidence, frame: str = "") -> Option | None:
    """A whole answer a table path wrote (a count, the largest row, a table's years or rows):
    described by the same features as a sentence, read off what its first line states, the
    table it cites (`frame`: caption and column labels) and where retrieval ranked that table."""
    if draft is None or draft.refused or not draft.chunks:
        return None
    head = draft.body.split("\n", 1)[0].replace("**", "")
    chunk = draft.chunks[0]
    primary = f"{head}\n{frame}"
    context = "\n".join(c.text for c in draft.chunks[:8])
    scope = "\n".join((chunk.caption, scope_text(chunk)))  # + the part's year and the report's scope
    cov, missing = coverage(needs, primary, context, scope, scoped_needs(needs, chunk), measures=False)
    ranks = {e.chunk.id: i for i, e in enumerate(evidence)}
    tables = {e.chunk.table_id: i for i, e in reversed(list(enumerate(evidence))) if e.chunk.table_id}
    rank = min([ranks[c.id] for c in draft.chunks if c.id in ranks] +
               [tables.get(chunk.table_id, len(evidence))])
    ev = evidence[rank] if rank < len(evidence) else None
    feats = features(needs, path, cov=cov, missing=missing, kind=fit(needs, head),
                     date=date_fit(needs, primary, "", scope), period=period_fit(needs, primary),
                     plan=plan_fit(needs, head), rank=rank, primary=primary, context=context,
                     dense_rank=ev and ev.dense_rank, lexical_rank=ev and ev.lexical_rank, file=chunk.file)
    text = draft.body + "\n" + " ".join(draft.figures)
    return Option(path, feats, text, lambda: draft, draft, rank=rank)


def decision_features(best: Option, options: list[Option]) -> dict[str, float]:
    """The rival of "no answer": the best candidate, how sure the ranker is of it and how far it
    stands above the next one."""
    ordered = sorted(options, key=lambda o: -o.logit)
    second = ordered[1].logit if len(ordered) > 1 else best.logit - 5.0
    feats = dict(best.feats)
    feats["best_logit"] = best.logit
    feats["margin"] = min(5.0, best.logit - second)
    feats["n_options_log"] = math.log1p(len(options))
    top = ordered[:3]
    feats["paths_agree"] = float(len({o.path for o in top}) == 1)
    return feats
