"""The fitted ranking of answer candidates: which sentence or table cell answers the question.

`bot.answer._candidates` (sentences) and `bot.cells.candidates` (table cells and whole rows)
describe each candidate with the same general features: the parts of the hand-built score kept
apart (coverage as the hand score counts it, the words said in the candidate itself against those
only its passage, its heading or the report's title/scope supply, kind, date, period and plan fit),
retrieval's ranks and score, sentence or cell, how many figures it states. A logistic model fitted
by `bot.fit_rank` (`make fit`) on the dev sets' candidates, labelled by whether they state the
expected figures, scores them; `bot.answer.propose` answers from the highest. The weights live in
bot/data/rank_weights.json: no weight here is set by hand.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from .decision import Logistic
from .facts import FEATURES as FACTS, all_facts
from .figures import find_figures
from .match import CJK_RE, Needs, _bigram_share, coverage, match

WEIGHTS = Path(__file__).with_name("data") / "rank_weights.json"
# the features, in the order of the weights file (a new one means a refit: `make fit`)
FEATURES = (
    "hand", "cov", "cov_said", "cov_passage", "scoped_share", "chars",
    "missing_share", "missing_entity", "missing_measure",
    "kind", "date", "period", "plan",
    "rank", "in_evidence", "score", "dense_rank", "lexical_rank",
    "cell", "whole_row", "figures", "has_figure", "define", "length",
    "cov_own", "scoped_said", "exact", "whole_row_many", "figures_many",
    "cell_en", "rank_en", "cov_said_en", "cov_own_en",
    "group_fit", "group_misfit",
    *FACTS,
)


def _rank_inv(value) -> float:
    return 1.0 / (1 + value) if value is not None else 0.0


def _chars(needs: Needs, text: str) -> float:
    """The share of the question's Chinese character pairs the candidate holds (words a
    dictionary splits differently still share their characters)."""
    asked = "".join(n.text for n in needs.items if CJK_RE.search(n.text))
    return _bigram_share(asked, text) if asked else 0.0


def common(needs: Needs, primary: str, passage: str, near: str, scoped: set[str], missing: list[str],
           evidence, rank: int, in_evidence: bool, stated: str | None = None, label: str = "") -> dict[str, float]:
    """The features every candidate has. `primary` is what the candidate itself says (the
    sentence, or the row and column labels), `passage` the rest of its passage (or the table's
    prose), `scoped` the needs its report's title or scope supplies, `evidence` its retrieved
    passage (None for a row retrieval did not return); `stated` what it states with its figures
    (a cell's labels and value; the sentence when not given), `label` its table row's label."""
    items = needs.items
    # said in the candidate itself: the title or scope supplies nothing here
    said, _ = coverage(needs, primary, "", "", set(), near)
    in_passage, _ = coverage(needs, primary, passage, "", set(), near)
    lacking = [n for n in items if n.text in missing]
    counted = [n for n in items if n.text not in scoped] or [None]
    out = {
        "cov_said": said,
        "cov_passage": in_passage,
        "scoped_share": sum(n.text in scoped for n in items) / len(items) if items else 0.0,
        "chars": _chars(needs, primary),
        "missing_share": len(lacking) / len(counted),
        "missing_entity": float(any(n.entity for n in lacking)),
        "missing_measure": float(any(n.measure for n in lacking)),
        "rank": _rank_inv(rank),
        "in_evidence": float(in_evidence),
        "score": float(evidence.score) if evidence is not None else 0.0,
        "dense_rank": _rank_inv(getattr(evidence, "dense_rank", None)),
        "lexical_rank": _rank_inv(getattr(evidence, "lexical_rank", None)),
        "figures": min(len(find_figures(primary)), 5) / 5,
        "length": min(len(primary), 400) / 400,
    }
    # the words the candidate itself says, of those its title or scope does not supply; and of
    # those it does, the ones it says anyway (a sentence naming the report's own subject outranks
    # one that leaves it to the title)
    out["cov_own"], _ = coverage(needs, primary, "", "", scoped, near)
    own = [n for n in items if n.text in scoped]
    out["scoped_said"] = sum(match(n, primary) >= 1.0 for n in own) / len(own) if own else 0.0
    # the question's own words, literally (not through a variant or a shared character)
    low = primary.lower()
    out["exact"] = sum(n.text.lower() in low for n in counted if n) / len(counted) if counted[0] else 0.0
    # bot.facts' separate facts: the unit and type asked against its figures, a change for a
    # level, the measure said exactly or only inside a longer term, the row label's extra words
    out.update(all_facts(needs, primary if stated is None else stated, label))
    return out


def finish(feats: dict[str, float], needs: Needs) -> dict[str, float]:
    """The features that combine a candidate's with the question's: a whole row or a sentence of
    several figures when several measures are asked; English questions' own weights."""
    many = float(sum(n.measure for n in needs.items) >= 2)
    en = float(needs.lang == "en")
    feats["has_figure"] = float(feats["figures"] > 0)
    # a table cell's column group against the question (bot.cells.group_fit); none for the rest
    feats.setdefault("group_fit", 0.0)
    feats.setdefault("group_misfit", 0.0)
    feats["whole_row_many"] = feats["whole_row"] * many
    feats["figures_many"] = feats["figures"] * many
    feats["cell_en"] = feats["cell"] * en
    feats["rank_en"] = feats["rank"] * en
    feats["cov_said_en"] = feats["cov_said"] * en
    feats["cov_own_en"] = feats["cov_own"] * en
    return feats


def said_in(needs: Needs, text: str) -> float:
    """Does the text name any of the question's needs (a label match)?"""
    return float(any(match(n, text) >= 0.5 for n in needs.items))


class Model(Logistic):
    """The fitted ranking: a candidate's score is its probability of stating the answer."""

    def score(self, feats: dict[str, float]) -> float:
        return self.probability(feats)


@lru_cache(maxsize=4)
def load(path: str = str(WEIGHTS)) -> Model | None:
    """The fitted model, or None: no weights, or weights whose document-level cross-validated
    top-1 accuracy did not beat the hand score's (`use` false, set by bot.fit_rank from its CV,
    not by hand): the hand score then ranks."""
    p = Path(path)
    if not p.exists():
        return None
    w = json.loads(p.read_text(encoding="utf-8"))
    if not w.get("use", True):
        return None
    return Model(tuple(w["features"]), tuple(w["coef"]), float(w["intercept"]), tuple(w["mean"]), tuple(w["scale"]))


# Set by bot.fit_rank's dump: every candidate is described even when no model ranks them.
RECORD = False


def wanted() -> bool:
    """Are candidates' features needed (a model ranks them, or the fit's dump records them)?
    Without, describing them would cost every answer time for nothing."""
    return RECORD or load() is not None


def ranked(cands: list, model: Model | None = None) -> list:
    """Each candidate's fitted score set (`.fitted`); without weights, the hand score."""
    model = model if model is not None else load()
    for c in cands:
        c.fitted = model.score(c.feats) if model is not None and c.feats else c.score
    return cands
