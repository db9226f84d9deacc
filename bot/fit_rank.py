"""`python -m bot.fit_rank`: fit the ranking of answer candidates (bot.rank) on the dev sets.

    python -m bot.fit_rank dump [--sets ...] [--dump FILE] [--index-root /tmp/dev-hook-SET]
        ask every answerable golden case through the chain, retrieving DEPTH passages; build every
        sentence and table-cell candidate of the passages compose sees (the chain's top_k) and
        label each by whether it states the case's expected figures (bot.evaluate.states, as the
        evaluation judges an answer), and record whether some candidate of the top 8, 16 and 30
        passages does (the pool recall if compose saw more evidence).
    python -m bot.fit_rank fit [--dump FILE] [--out bot/data/rank_weights.json]
        fit a logistic model on the labelled candidates (lbfgs, fixed C, inputs sorted:
        deterministic; each question weighs the same, its right and wrong candidates half each),
        print the pool recall and document-level cross-validated top-1 accuracy (GroupKFold by document: a
        document's questions are ranked by weights fitted without it) beside the hand score's and
        the all-fitted figure, and write the weights, marked for use only when the
        cross-validated top-1 beats the hand score's.

The stored dump (tests/data/rank_dump.jsonl.gz) is what the shipped weights were fitted on; `make
fit` redoes it from the indexes, refits, then redoes the decision's dump with the new ranking.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

from .fit_decision import DEV, LOCAL, LOCAL_CORPUS, LOCAL_INDEX, SETS, document

ROOT = Path(__file__).resolve().parent.parent
DUMP = ROOT / "tests" / "data" / "rank_dump.jsonl.gz"
OUT = ROOT / "bot" / "data" / "rank_weights.json"
C = 1.0  # the logistic regression's regularisation (sklearn's default)
DEPTHS = (8, 16, 30)  # passages compose could see: the pool recall at each
# the cells a question's dump keeps beside every right one: the best by the hand score and by
# words said (a table of a few hundred rows would otherwise outweigh every sentence)
CELLS_KEPT = 60


def _assistant(settings, k: int):
    """The chain retrieving `settings.top_k` passages, of which compose sees the first `k` (the
    chain's own top_k), keeping the last turn's query, needs and evidence."""
    from .chain import Assistant

    class Recording(Assistant):
        state = None

        def _compose(self, state):
            self.state = state
            return super()._compose({**state, "evidence": state["evidence"][:k]})

    return Recording(settings)


def _labeller(case: dict):
    from .evaluate import _readable, states

    expected = list(case.get("figures") or [])

    def right(text: str) -> int:
        text = _readable(text)
        return int(all(states(text, e) for e in expected))

    def some(text: str) -> bool:
        text = _readable(text)
        return any(states(text, e) for e in expected)
    return right, some


def _pool(q, needs, evidence, index, right, some):
    """Every candidate of `evidence`, labelled: [(kind, candidate, y)]."""
    from . import cells
    from .answer import _candidates

    out = []
    for c in _candidates(q, evidence, index, needs):
        out.append(("text", c, right(c.sentence)))
    for c in cells.candidates(needs, evidence, index):
        row_text = " ".join(c.row.cells) + " " + c.row.text
        y = 0
        if some(row_text):
            y = right(cells.draft(q, needs, c).body.partition("\n")[0])
        out.append(("cell", c, y))
    return out


def run_dump(sets, out: Path, index_root: str) -> None:
    from . import answer
    from .errors import BotError
    from .evaluate import load_cases
    from .settings import Settings

    from . import rank

    rank.RECORD = True
    rows = []
    for name in sets:
        index_dir = Path((LOCAL_INDEX if name in LOCAL_CORPUS else index_root).replace("SET", name))
        if not index_dir.exists():
            print(f"{name}: no index at {index_dir}, skipped", file=sys.stderr)
            continue
        os.environ["BOT_INDEX_DIR"] = str(index_dir)
        settings = Settings()
        k = settings.top_k
        assistant = _assistant(settings.with_(top_k=max(DEPTHS)), k)
        index = assistant.index
        cases = load_cases(LOCAL.get(name) or DEV / name / "golden.jsonl")
        for case in cases:
            if case.get("refused") or not case.get("figures"):
                continue
            turns = list(case.get("turns") or [case["question"]])
            try:
                for i, turn in enumerate(turns):
                    assistant.ask(turn, turns[:i])
            except BotError:
                continue
            st = assistant.state
            q, needs, evidence = st["query"], st["needs"], st["evidence"]
            right, some = _labeller(case)
            prop = answer.propose(q, evidence[:k], index, needs)
            path = getattr(prop, "path", "refused")
            recall = {}
            for depth in DEPTHS:
                pool = _pool(q, needs, evidence[:depth], index, right, some)
                recall[str(depth)] = int(any(y for _, _, y in pool))
                if depth == k:
                    kept = pool
            text = [c for kind, c, _ in kept if kind == "text"]
            grid = [c for kind, c, _ in kept if kind == "cell"]
            labels = {id(c): y for _, c, y in kept}
            _, hand_best = answer.pick(text, grid, key=lambda c: c.score)
            cell_rows = sorted((x for x in kept if x[0] == "cell"), key=lambda x: (-x[1].score))
            by_said = sorted(cell_rows, key=lambda x: -x[1].feats["cov_said"])
            keep_cells = {id(x[1]) for x in cell_rows[:CELLS_KEPT] + by_said[:CELLS_KEPT]} | \
                {id(x[1]) for x in cell_rows if x[2]} | ({id(hand_best)} if hand_best is not None else set())
            cands = []
            for kind, c, y in kept:
                if kind == "cell" and id(c) not in keep_cells:
                    continue
                cands.append({"kind": kind, "y": y, "hand_pick": int(c is hand_best),
                              "same": _same_key(kind, c),
                              "f": {f: round(float(v), 5) for f, v in sorted(c.feats.items())}})
            rows.append({"q": f"{name}:{case['id']}", "doc": document(name, str(case["id"])), "path": path,
                         "recall": recall, "cells": len(grid), "hand_right": labels.get(id(hand_best), 0),
                         "cands": cands})
        print(f"{name}: {len(cases)} cases", file=sys.stderr)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows.sort(key=lambda r: r["q"])
    with gzip.open(out, "wt", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")


def _same_key(kind, c) -> str:
    """What `answer.pick`'s cell-text rule compares: a cell's numbers, a sentence's numbers."""
    from .figures import numbers_in

    if kind == "cell":
        return "|".join(sorted(numbers_in(c.row.cells[c.col]))) if c.col is not None else ""
    return "|".join(sorted(numbers_in(c.sentence)))


# -- fit ------------------------------------------------------------------------------------
def load_dump(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return sorted(rows, key=lambda r: r["q"])


def _ranked(rows):
    """The questions whose pool holds a right candidate and that reach the ranking (the text or
    cell path): the ones a ranking can get right or wrong."""
    return [r for r in rows if r["recall"]["8"] and r["path"] in ("text", "cell", "cell-text") and r["cands"]]


def fit(rows: list[dict]) -> dict:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from .rank import FEATURES

    X, y, w = [], [], []
    for r in _ranked(rows):
        pos = sum(c["y"] for c in r["cands"])
        neg = len(r["cands"]) - pos
        for c in r["cands"]:
            X.append([c["f"].get(n, 0.0) for n in FEATURES])
            y.append(c["y"])
            w.append(0.5 / pos if c["y"] else (0.5 / neg if neg else 0.0))
    X, y, w = np.array(X, dtype=float), np.array(y), np.array(w)
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, solver="lbfgs", max_iter=5000).fit((X - mean) / scale, y, sample_weight=w)
    return {"features": list(FEATURES), "coef": [round(float(c), 6) for c in model.coef_[0]],
            "intercept": round(float(model.intercept_[0]), 6),
            "mean": [round(float(m), 6) for m in mean], "scale": [round(float(s), 6) for s in scale]}


class _C:
    """A dumped candidate as `answer.pick` reads one."""

    def __init__(self, c: dict, fitted: float):
        self.kind, self.y, self.fitted, self.score = c["kind"], c["y"], fitted, c["f"]["hand"]
        self.same = set(filter(None, c["same"].split("|")))
        self.col = None if c["f"].get("whole_row") else 0


def top1(rows: list[dict], weights: dict | None) -> dict[str, int]:
    """Per question: does the candidate the ranking picks (answer.pick's rule over the dumped
    pool) state the expected figures? With no weights, the hand score's pick at dump time."""
    from .answer import SAME_FIGURE_TEXT
    from .rank import Model

    model = Model(tuple(weights["features"]), tuple(weights["coef"]), weights["intercept"],
                  tuple(weights["mean"]), tuple(weights["scale"])) if weights else None
    out = {}
    for r in rows:
        if model is None:
            out[r["q"]] = r["hand_right"]
            continue
        cands = [_C(c, model.score(c["f"])) for c in r["cands"]]
        text = [c for c in cands if c.kind == "text"]
        grid = [c for c in cands if c.kind == "cell"]
        best_text = max(text, key=lambda c: c.fitted, default=None)
        best_cell = max(grid, key=lambda c: c.fitted, default=None)
        best = best_text
        if best_cell is not None and (best_text is None or best_cell.fitted > best_text.fitted):
            best = best_cell
            if best_text is not None and best_text.score >= SAME_FIGURE_TEXT and best_cell.col is not None and \
                    best_cell.same <= best_text.same:
                best = best_text
        out[r["q"]] = best.y if best is not None else 0
    return out


def cross_validate(rows: list[dict], folds: int = 10) -> dict[str, int]:
    from sklearn.model_selection import GroupKFold

    docs = sorted({r["doc"] for r in rows})
    groups = [docs.index(r["doc"]) for r in rows]
    out = {}
    for train, test in GroupKFold(n_splits=min(folds, len(docs))).split(rows, groups=groups):
        weights = fit([rows[i] for i in train])
        out.update(top1([rows[i] for i in test], weights))
    return out


def report(rows: list[dict], weights: dict, hand: dict, cv: dict) -> str:
    full = top1(rows, weights)
    lines = ["## Candidate ranking (bot.fit_rank)", "",
             "Pool recall: some candidate of the top-k passages states the expected figures (answerable "
             "cases). Top-1: the picked candidate does, over the cases that reach the sentence/cell ranking.", "",
             "| set | cases | recall k=8 | k=16 | k=30 | ranked | hand top-1 | CV top-1 | all-fitted top-1 |",
             "|---|---|---|---|---|---|---|---|---|"]
    by_set = defaultdict(list)
    for r in rows:
        by_set[r["q"].split(":")[0]].append(r)
    pct = lambda a, b: f"{a} ({100 * a / b:.0f}%)" if b else "0"  # noqa: E731
    for name in sorted(by_set) + ["all"]:
        qs = rows if name == "all" else by_set[name]
        ranked = [r for r in qs if r["path"] in ("text", "cell", "cell-text")]
        lines.append(f"| {name} | {len(qs)} | " + " | ".join(pct(sum(r["recall"][str(d)] for r in qs), len(qs))
                                                           for d in DEPTHS) +
                     f" | {len(ranked)} | " + " | ".join(pct(sum(m[r["q"]] for r in ranked), len(ranked))
                                                         for m in (hand, cv, full)) + " |")
    lines += ["", f"The fitted ranking is used: {weights['use']} (only when its cross-validated top-1, "
              f"{weights['cv_top1']}, beats the hand score's, {weights['hand_top1']})."]
    return "\n".join(lines)


def run_fit(dump: Path, out: Path, show: bool = True) -> dict:
    """Fit, and judge the fit by document-level cross-validation: the weights are marked for use
    (`use`) only when the ranking they give documents they were not fitted on picks a right
    candidate more often than the hand score does; otherwise bot.rank leaves the hand score to rank."""
    rows = load_dump(dump)
    weights = fit(rows)
    ranked = [r for r in rows if r["path"] in ("text", "cell", "cell-text")]
    hand, cv = top1(rows, None), cross_validate(rows)
    weights["hand_top1"] = sum(hand[r["q"]] for r in ranked)
    weights["cv_top1"] = sum(cv[r["q"]] for r in ranked)
    weights["use"] = weights["cv_top1"] > weights["hand_top1"]
    if show:
        print(report(rows, weights, hand, cv))
    out.write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
    return weights


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.fit_rank", description=__doc__.split("\n")[0])
    parser.add_argument("step", nargs="?", choices=("dump", "fit", "all"), default="all")
    parser.add_argument("--sets", nargs="+", default=[*SETS])
    parser.add_argument("--dump", type=Path, default=DUMP)
    parser.add_argument("--index-root", default="/tmp/dev-hook-SET", help="index folder; SET is the set's name")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if args.step in ("dump", "all"):
        run_dump(args.sets, args.dump, args.index_root)
    if args.step in ("fit", "all"):
        run_fit(args.dump, args.out)


if __name__ == "__main__":
    main()
