"""The one answer/no-answer decision: p(the chosen answer states the right figure).

Every path of `bot.answer.compose` (table description, largest/smallest, count, record table,
sentence, table cell) proposes its draft; this module describes the proposal with general
features (how much of the question it covers, by words and by kinds of term; the asked year,
period and plan against what the cited passages say; the value type asked and found; retrieval
rank and score; which path; the margin over the next candidate) and a logistic model fitted by
`bot.fit_decision` (`make fit`) turns them into a probability. The answer is given when the model
finds it more likely right than not (p >= 1 - p): the fitted intercept, not a hand-set constant,
decides. Weights live in bot/data/decision_weights.json.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .facts import CLAUSE_FEATURES, FEATURES as FACTS, all_facts, clause_facts, family_facts, first_part, own_clause
from .figures import find_dates, find_figures
from .match import Needs, coverage, date_fit, label_years, period_fit, plan_fit
from .sections import scope_text, scoped_needs
from .types import Chunk, Evidence

WEIGHTS = Path(__file__).with_name("data") / "decision_weights.json"
PATHS = ("structure", "extreme", "count", "record", "text", "cell", "cell-text")
INTENTS = ("value", "count", "list", "when", "who", "where", "why", "define")
MARKUP_RE = re.compile(r"\*\*|\[\d+\]")
# the features, in the order of the weights file (a new one means a refit: `make fit`)
FEATURES = (
    "hand", "hand_missing", "margin", "runner_up",
    "cov", "cov_head", "missing_share", "missing_entity", "missing_measure", "unknown_entity",
    "year_asked", "year_match", "year_other", "date", "period", "plan",
    "figures", "dates", "rank", "top_score", "dense_rank", "cited",
    "lang_en", *(f"path_{p}" for p in PATHS), *(f"intent_{i}" for i in INTENTS),
    *FACTS, "span_asked", "span_stated", "span_near", *CLAUSE_FEATURES,
)


@dataclass
class Proposal:
    """A path's would-be answer and what the decision needs to know about how it was chosen."""
    draft: object  # bot.answer.Draft
    path: str
    hand: float | None = None  # the hand-built score of the chosen candidate (text and cell paths)
    runner_up: float | None = None  # the next candidate's score
    missing: tuple[str, ...] = ()
    fitted: float | None = None  # bot.rank's fitted score of the chosen candidate
    fitted_runner_up: float | None = None  # the next candidate's
    span: str = ""  # the name, date or reason the first line states (bot.spans), when one was asked
    span_near: float = 0.0  # how the question's role word stands to it (bot.spans.Span.near)
    span_sentence: str = ""  # the sentence (an English passage: the passage) the span was read from


def features(needs: Needs, evidence: list[Evidence], proposal: Proposal, index=None) -> dict[str, float]:
    draft = proposal.draft
    chunks: list[Chunk] = list(draft.chunks)
    head = MARKUP_RE.sub("", draft.body.partition("\n")[0])
    cited = "\n".join(c.text for c in chunks)
    first = chunks[0] if chunks else None
    scope = scope_text(first) if first is not None else ""
    scoped = scoped_needs(needs, first) if first is not None else set()
    # a span's first line is only the span ("the re-opening of …"): what it is the reason, date or
    # name of is said by the sentence it was read from, quoted under it, as the span's own hand
    # score reads it ("…revenues of $19,984,378 … This increase was directly attributable to …")
    frame = "\n".join(filter(None, [head, first.caption if first else "", " ".join(first.header) if first else "",
                                    first.label if first else "", proposal.span_sentence]))
    cov, missing = coverage(needs, frame, cited, scope, scoped)
    cov_head, _ = coverage(needs, head, "", "", scoped)
    counted = [n for n in needs.items if n.text not in scoped] or [None]
    lacking = [n for n in needs.items if n.text in missing]
    asked = set(needs.years)
    # the years of the figure's own line when it names any ("到2024年…规模达到了1014亿元" is no answer
    # for 2020 because its passage opens "2020年到2024年…"), else its passage's and report's; a span's
    # line (a release date, a name) is not the asked period's figure
    said = (not proposal.span and label_years(head)) or label_years(cited + "\n" + scope + "\n" + head)
    ranks = {e.chunk.id: i for i, e in enumerate(evidence)}
    where = [ranks[c.id] for c in chunks if c.id in ranks]
    top = min(where) if where else len(evidence)
    ev = evidence[top] if where else None
    out = {
        "hand": proposal.hand if proposal.hand is not None else 0.0,
        "hand_missing": float(proposal.hand is None),
        "runner_up": proposal.runner_up if proposal.runner_up is not None else 0.0,
        "margin": (proposal.hand - proposal.runner_up) if proposal.hand is not None and proposal.runner_up is not None
        else (proposal.hand or 0.0),
        "cov": cov,
        "cov_head": cov_head,
        "missing_share": len(lacking) / len(counted),
        "missing_entity": float(any(n.entity for n in lacking)),
        "missing_measure": float(any(n.measure for n in lacking)),
        # a company or place the question names that no report of the corpus mentions at all
        "unknown_entity": float(index is not None and any(
            n.entity and not any(index.mentions(v) for v in n.variants | {n.text}) for n in needs.items)),
        "year_asked": float(bool(asked)),
        "year_match": float(bool(asked & said)),
        "year_other": float(bool(asked) and bool(said) and not asked & said),
        # the year the first line's figure refers to (the nearest year before it, else the
        # heading's or report's), as the hand score judges a sentence
        "date": date_fit(needs, head, "", scope),
        "period": period_fit(needs, head, cited, scope=scope),
        "plan": plan_fit(needs, head),
        "figures": min(len(draft.figures), 5) / 5,
        "dates": float(bool(find_dates(head))),
        "rank": 1.0 / (1 + top),
        "top_score": float(ev.score) if ev is not None else 0.0,
        "dense_rank": 1.0 / (1 + ev.dense_rank) if ev is not None and ev.dense_rank is not None else 0.0,
        "cited": min(len(chunks), 5) / 5,
        "lang_en": float(needs.lang == "en"),
    }
    for p in PATHS:
        out[f"path_{p}"] = float(proposal.path == p)
    for i in INTENTS:
        out[f"intent_{i}"] = float(needs.intent == i)
    if not find_figures(head) and not draft.figures:
        out["figures"] = 0.0
    # the unit and type asked against the first line's figures, a change for a level, the measure
    # said exactly or only inside a longer term, a table row label's words the question does not
    # say: separate facts, each weighed by the fit (they replace the hand-graded "kind" level,
    # whose one weight could not tell a missing unit from a change given for a level)
    label = first.label if first is not None else ""
    out.update(all_facts(needs, head, label))
    # a name, date or reason asked (bot.spans): stated as a span read next to the question's role
    # word, or answered some other way (a figure, a sentence) — the fit weighs each
    out["span_asked"] = float(bool(needs.extra.get("span")))
    out["span_stated"] = float(bool(proposal.span))
    out["span_near"] = proposal.span_near
    # the figure's own clause (for a cell: its row label, column header and table title) against
    # the question's words, beside the passage's; and the family of value asked (money, people,
    # count, percent) against the figure's: a passage on the asked measure may state another
    # measure's figure ("普通高中…，在校生14.01万人" for 招生; "增长14.8%" for 多少亿元)
    raw = draft.body.partition("\n")[0]
    clause = own_clause(raw)
    if first is not None and proposal.path.startswith("cell"):
        clause = "\n".join(filter(None, [clause, first.label, " ".join(first.header), first.caption]))
    names = frozenset({n.text for n in needs.items if n.entity and not n.measure} | set(needs.extra.get("titled", ())))
    # the first line's first figure answers the question's first part ("社零总额多少？同比增长多少")
    question = first_part(needs.extra.get("question", ""))
    forms = tuple((n.text, frozenset(n.variants)) for n in needs.items)
    out.update(clause_facts(question, clause, cited, names, forms))
    out.update(family_facts(question, raw, needs.lang))
    return out


@dataclass(frozen=True)
class Logistic:
    """A fitted logistic model over named features, standardised as when it was fitted (the
    decision's and bot.rank's)."""
    names: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]

    def probability(self, feats: dict[str, float]) -> float:
        z = self.intercept
        for n, c, m, s in zip(self.names, self.coef, self.mean, self.scale):
            z += c * (feats.get(n, 0.0) - m) / s
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


@dataclass(frozen=True)
class Model(Logistic):
    confident: float = 0.5  # above it the answer is stated plainly; below, "the closest the report comes"


@lru_cache(maxsize=4)
def load(path: str = str(WEIGHTS)) -> Model | None:
    p = Path(path)
    if not p.exists():
        return None
    w = json.loads(p.read_text(encoding="utf-8"))
    return Model(tuple(w["features"]), tuple(w["coef"]), float(w["intercept"]), tuple(w["mean"]),
                 tuple(w["scale"]), float(w["confident"]))


# Set only by the fit's dump (bot.fit_decision): every proposal is answered, so that it can be
# labelled by whether it states the expected figures.
OPEN = False
