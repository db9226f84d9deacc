"""`python -m bot.fit`: fit the answer scorer (bot.scorer) on the development sets.

Two steps, each its own sub-command (with no sub-command, both run):

    python -m bot.fit dump [--sets zh en zh-wide en-wide] [--dump FILE]
        for every golden case, retrieve its evidence from the set's index (/tmp/dev-hook-SET or
        --index-root), gather the candidates of every path with their features
        (bot.answer_features) and label each by whether it states the expected figures/quotes;
        add counterfactual no-answer cases made automatically: the same question with the
        candidates that hold the answer removed, with its year changed to one the corpus lacks,
        and with the company or place it names changed to one named by another document's
        question that this corpus never mentions.
    python -m bot.fit fit [--dump FILE] [--out bot/scorer_weights.json]
        fit the ranker and the answer/no-answer decision (logistic regression), report
        document-level cross-validated figures (GroupKFold by document: a document's cases are
        scored by weights fitted without it) beside the all-documents-fitted ones, and write the
        weights.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "dev"
SETS = ("zh", "en", "zh-wide", "en-wide")
# the repository's own golden sets (one report each); their indexes are built by `make fit`
LOCAL = {"shipped": ROOT / "tests" / "golden" / "shipped.jsonl", "stub": ROOT / "tests" / "golden" / "stub.jsonl"}
DUMP = Path("/tmp/scorer-dump.jsonl")
LOCAL_INDEX = "/tmp/scorer-idx-SET"
POOL_K = int(os.environ.get("BOT_POOL_K", "24"))  # as Settings.pool_k: the passages candidates come from
YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


# -- labelling ------------------------------------------------------------------------------
def label(option_text: str, case: dict) -> float:
    """The share of the case's expected figures and quotes the candidate states."""
    from .evaluate import _readable, states

    expected = list(case.get("figures") or []) + list(case.get("quotes") or [])
    if not expected:
        return 0.0
    text = _readable(option_text)
    return sum(states(text, e) for e in expected) / len(expected)


def document(set_name: str, case_id: str) -> str:
    if set_name in LOCAL:
        return set_name  # one report
    parts = case_id.split("-")
    return f"{set_name}:{parts[2] if len(parts) > 2 else case_id}"


def _absent_year(index) -> str:
    have = set(YEAR_RE.findall(index.text_blob))
    return next(str(y) for y in range(2031, 2100) if str(y) not in have)


def _pool(index, retriever_k: int, standalone: str, lang_of: str):
    from .answer import gather
    from .match import needs_of
    from .question import analyse, language
    from .retrieve import hybrid_search

    query = analyse(standalone)
    query.lang = language(lang_of) if len(lang_of) > 3 else query.lang
    needs = needs_of(query, index)
    evidence = hybrid_search(index, standalone, retriever_k)
    if not evidence:
        return [], needs
    return gather(query, evidence, index, needs), needs


def _rows(options, case: dict, doc: str, qid: str, kind: str, drop_positive: bool = False) -> list[dict]:
    out = []
    for o in options:
        y = 0.0 if kind != "answer" else label(o.text, case)
        if drop_positive and label(o.text, case) >= 0.5:
            continue
        out.append({"q": qid, "doc": doc, "kind": kind, "path": o.path, "y": y,
                    "f": {k: round(v, 5) for k, v in o.feats.items()}})
    return out


def run_dump(sets, out: Path, index_root: str) -> None:
    from .chain import Assistant
    from .evaluate import load_cases
    from .settings import Settings

    names: list[str] = []
    with out.open("w", encoding="utf-8") as fh:
        for name in sets:
            index_dir = Path((LOCAL_INDEX if name in LOCAL else index_root).replace("SET", name))
            if not index_dir.exists():
                print(f"{name}: no index at {index_dir}, skipped", file=sys.stderr)
                continue
            os.environ["BOT_INDEX_DIR"] = str(index_dir)
            assistant = Assistant(Settings())
            index = assistant.index
            absent = _absent_year(index)
            blob = index.text_blob.lower()
            n = 0
            for case in load_cases(LOCAL.get(name) or DEV / name / "golden.jsonl"):
                turns = case.get("turns") or [case["question"]]
                standalone = assistant.standalone(turns[-1], turns[:-1])
                doc = document(name, str(case["id"]))
                qid = f"{name}:{case['id']}"
                options, needs = _pool(index, POOL_K, standalone, turns[-1])
                for need in needs.items:  # names seen so far: the other documents' companies and places
                    if need.entity and len(need.text) >= 2 and need.text not in names:
                        names.append(need.text)
                if case.get("refused"):
                    rows = _rows(options, case, doc, qid, "refusal")
                    rows.append({"q": qid, "doc": doc, "kind": "refusal", "path": "", "y": 0.0, "f": None})
                else:
                    rows = _rows(options, case, doc, qid, "answer")
                    if not rows:
                        rows.append({"q": qid, "doc": doc, "kind": "answer", "path": "", "y": 0.0, "f": None})
                    if any(r["y"] >= 0.5 for r in rows):
                        # the same question with the evidence that holds the answer removed
                        cf = _rows(options, case, doc, qid + "#removed", "cf-removed", drop_positive=True)
                        rows += cf or [{"q": qid + "#removed", "doc": doc, "kind": "cf-removed", "path": "",
                                        "y": 0.0, "f": None}]
                    years = set(YEAR_RE.findall(standalone))
                    if len(years) == 1:
                        # … or asked for a year the corpus does not have
                        moved = YEAR_RE.sub(absent, standalone)
                        cf = _rows(_pool(index, POOL_K, moved, moved)[0], case, doc, qid + "#year", "cf-year")
                        rows += cf or [{"q": qid + "#year", "doc": doc, "kind": "cf-year", "path": "", "y": 0.0,
                                        "f": None}]
                    # … or about a company or place the corpus does not mention
                    said = [n.text for n in needs.items if n.entity and n.text in standalone]
                    other = next((m for m in names if m.lower() not in blob and
                                  bool(re.search(r"[A-Za-z]", m)) == bool(re.search(r"[A-Za-z]", said[0]))), None) \
                        if said else None
                    if other:
                        moved = standalone.replace(said[0], other)
                        cf = _rows(_pool(index, POOL_K, moved, moved)[0], case, doc, qid + "#name", "cf-name")
                        rows += cf or [{"q": qid + "#name", "doc": doc, "kind": "cf-name", "path": "", "y": 0.0,
                                        "f": None}]
                for r in rows:
                    fh.write(json.dumps(r, ensure_ascii=False) + "\n")
                n += 1
            print(f"{name}: {n} cases dumped", file=sys.stderr)


# -- fitting --------------------------------------------------------------------------------
def _load(path: Path):
    questions: dict[str, dict] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        q = questions.setdefault(r["q"], {"q": r["q"], "doc": r["doc"], "kind": r["kind"], "options": []})
        if r["f"] is not None:
            q["options"].append(r)
    for q in questions.values():
        # the most specific right candidate is the one to learn: a whole row states the asked
        # cell and every other of its cells, so it counts as right only when no single cell is
        if any(o["path"] == "cell" and o["y"] >= 0.5 for o in q["options"]):
            for o in q["options"]:
                if o["path"] == "row":
                    o["y"] = 0.0
    return list(questions.values())


def _matrix(rows, names):
    import numpy as np

    return np.array([[r["f"].get(n, 0.0) for n in names] for r in rows], dtype=float)


def _fit_lr(X, y, weight=None):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(X)
    scale = scaler.scale_.copy()
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=float(os.environ.get("FIT_C", "1.0")), max_iter=2000).fit((X - scaler.mean_) / scale, y, sample_weight=weight)
    return {"coef": model.coef_[0].tolist(), "intercept": float(model.intercept_[0]),
            "mean": scaler.mean_.tolist(), "scale": scale.tolist()}


def _logits(model, X):
    import numpy as np

    return ((X - np.array(model["mean"])) / np.array(model["scale"])) @ np.array(model["coef"]) + model["intercept"]


def _fit_ranker(questions):
    """P(a candidate states the answer), fitted on the candidates of the answerable questions
    whose pool holds a right one; each question weighs the same whatever the size of its pool
    (its right and its wrong candidates one each). Pairwise fitting was tried and ranked no
    better on document-level cross-validation."""
    import numpy as np

    from .answer_features import FEATURES

    rows, ys, ws = [], [], []
    for q in questions:
        if q["kind"] != "answer":
            continue
        positives = sum(o["y"] >= 0.5 for o in q["options"])
        if not positives or positives == len(q["options"]):
            continue
        negatives = len(q["options"]) - positives
        for o in q["options"]:
            rows.append(o)
            ys.append(int(o["y"] >= 0.5))
            ws.append(1.0 / positives if o["y"] >= 0.5 else 1.0 / negatives)
    return _fit_lr(_matrix(rows, FEATURES), np.array(ys), np.array(ws))


def _decisions(questions, ranker):
    """Per question: the decision features of its best option under `ranker`, and whether that
    option is right (the label of the answer/no-answer decision)."""
    from .answer_features import DECISION_FEATURES, FEATURES, Option, decision_features

    out = []
    for q in questions:
        if not q["options"]:
            out.append((q, None, 0))
            continue
        X = _matrix(q["options"], FEATURES)
        logits = _logits(ranker, X)
        opts = [Option(o["path"], o["f"], "", None, logit=float(z)) for o, z in zip(q["options"], logits)]
        i = max(range(len(opts)), key=lambda k: opts[k].logit)
        feats = decision_features(opts[i], opts)
        right = int(q["kind"] == "answer" and q["options"][i]["y"] >= 0.5)
        out.append((q, [feats.get(n, 0.0) for n in DECISION_FEATURES], right))
        q["_best"] = i
    return out


def _fit(questions):
    import numpy as np

    from .answer_features import FEATURES

    ranker = _fit_ranker(questions)
    dec = [(q, x) for q, x, _right in _decisions(questions, ranker) if x is not None]
    # the decision's label: does the pool hold a right candidate? (refusal cases and the
    # counterfactuals do not); answerable questions weigh as much as all the others together
    y = np.array([int(q["kind"] == "answer" and any(o["y"] >= 0.5 for o in q["options"])) for q, _ in dec])
    n_ans = max(1, sum(q["kind"] == "answer" for q, _ in dec))
    n_other = max(1, len(dec) - n_ans)
    w = np.array([len(dec) / (2 * n_ans) if q["kind"] == "answer" else len(dec) / (2 * n_other) for q, _ in dec])
    decision = _fit_lr(np.array([x for _, x in dec]), y, w)
    return ranker, decision


def _predict(questions, ranker, decision) -> dict[str, tuple[bool, bool]]:
    """Per question: (answered, answered with a right candidate)."""
    import numpy as np

    out = {}
    for q, x, right in _decisions(questions, ranker):
        if x is None:
            out[q["q"]] = (False, False)
            continue
        p = 1 / (1 + math.exp(-float(_logits(decision, np.array([x]))[0])))
        out[q["q"]] = (p >= 0.5, p >= 0.5 and bool(right))
    return out


def _report(questions, pred, title: str) -> list[str]:
    lines = [f"### {title}", "", "| set | stated | refusals refused | false refusals | counterfactuals refused |",
             "|---|---|---|---|---|"]
    by_set = defaultdict(list)
    for q in questions:
        by_set[q["q"].split(":")[0]].append(q)
    for name in sorted(by_set):
        qs = by_set[name]
        ans = [q for q in qs if q["kind"] == "answer"]
        ref = [q for q in qs if q["kind"] == "refusal"]
        cf = [q for q in qs if q["kind"].startswith("cf")]
        stated = sum(pred[q["q"]][1] for q in ans)
        refused = sum(not pred[q["q"]][0] for q in ref)
        false_ref = sum(not pred[q["q"]][0] for q in ans)
        cf_ref = sum(not pred[q["q"]][0] for q in cf)
        pct = lambda a, b: f"{a}/{b} ({100 * a / b:.0f}%)" if b else "0/0"  # noqa: E731
        lines.append(f"| {name} | {pct(stated, len(ans))} | {pct(refused, len(ref))} | {pct(false_ref, len(ans))} | "
                     f"{pct(cf_ref, len(cf))} |")
    return lines + [""]


def recall_report(questions) -> list[str]:
    lines = ["### Recall of a right candidate in the pool", "", "| set | in pool | of answerable |", "|---|---|---|"]
    by_set = defaultdict(list)
    for q in questions:
        if q["kind"] == "answer":
            by_set[q["q"].split(":")[0]].append(q)
    for name in sorted(by_set):
        qs = by_set[name]
        hit = sum(any(o["y"] >= 0.5 for o in q["options"]) for q in qs)
        lines.append(f"| {name} | {hit} ({100 * hit / len(qs):.0f}%) | {len(qs)} |")
    return lines + [""]


def run_fit(dump_path: Path, out: Path, report: Path | None) -> None:
    from sklearn.model_selection import GroupKFold

    from .answer_features import DECISION_FEATURES, FEATURES

    questions = _load(dump_path)
    docs = [q["doc"] for q in questions]
    cv_pred: dict[str, tuple[bool, bool]] = {}
    folds = GroupKFold(n_splits=min(10, len(set(docs))))
    for train, test in folds.split(questions, groups=docs):
        ranker, decision = _fit([questions[i] for i in train])
        cv_pred.update(_predict([questions[i] for i in test], ranker, decision))
    ranker, decision = _fit(questions)
    all_pred = _predict(questions, ranker, decision)
    lines = ["## Answer scorer (bot.fit)", "", f"{len(questions)} questions (with counterfactuals), "
             f"{len(set(docs))} documents, candidates from the top {POOL_K} passages.", ""]
    lines += recall_report(questions)
    lines += _report(questions, cv_pred, "Document-level cross-validation (GroupKFold by document)")
    lines += _report(questions, all_pred, "Fitted on all documents")
    text = "\n".join(lines)
    print(text)
    if report:
        report.write_text(text + "\n", encoding="utf-8")
    weights = {"ranker": {"features": list(FEATURES), **ranker},
               "decision": {"features": list(DECISION_FEATURES), **decision},
               "fitted_on": {"questions": len(questions), "documents": len(set(docs)), "pool_k": POOL_K}}
    out.write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.fit", description=__doc__.split("\n")[0])
    parser.add_argument("step", nargs="?", choices=("dump", "fit", "all"), default="all")
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    parser.add_argument("--dump", type=Path, default=DUMP)
    parser.add_argument("--index-root", default="/tmp/dev-hook-SET", help="index folder; SET is the set's name")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("scorer_weights.json"))
    parser.add_argument("--report", type=Path, default=None, help="also write the CV report (markdown) here")
    args = parser.parse_args(argv)
    if args.step in ("dump", "all"):
        run_dump(args.sets, args.dump, args.index_root)
    if args.step in ("fit", "all"):
        run_fit(args.dump, args.out, args.report)


if __name__ == "__main__":
    main()
