"""The fitted answer scorer: two logistic models read from bot/scorer_weights.json (`bot.fit`
writes it; no scikit-learn at answer time, each score is one dot product).

- the ranker: the probability that a candidate (a sentence, a cell, a row, a count…) states
  what the question asks for; the candidate it scores highest is the answer, if any;
- the decision: the probability that this best candidate answers at all, against the candidate
  "no answer" (probability 1 - p). The answer is given when it is the likelier of the two.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

WEIGHTS = Path(__file__).with_name("scorer_weights.json")


@dataclass(frozen=True)
class Linear:
    features: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]

    def logit(self, feats: dict[str, float]) -> float:
        z = self.intercept
        for name, w, m, s in zip(self.features, self.coef, self.mean, self.scale):
            z += w * (feats.get(name, 0.0) - m) / s
        return z

    @classmethod
    def from_json(cls, data: dict) -> "Linear":
        return cls(tuple(data["features"]), tuple(data["coef"]), float(data["intercept"]),
                   tuple(data["mean"]), tuple(data["scale"]))


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


@lru_cache(maxsize=4)
def load(path: str = str(WEIGHTS)) -> tuple[Linear, Linear]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return Linear.from_json(data["ranker"]), Linear.from_json(data["decision"])


def rank(options) -> None:
    """Score every option in place (`logit`, `prob`)."""
    ranker, _ = load()
    for o in options:
        o.logit = ranker.logit(o.feats)
        o.prob = sigmoid(o.logit)


def answerable(feats: dict[str, float]) -> float:
    """P(the best candidate answers the question); "no answer" has 1 - this."""
    _, decision = load()
    return sigmoid(decision.logit(feats))
