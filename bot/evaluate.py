"""`bot eval GOLDEN.jsonl`: run a golden set and report accuracy and latency.

A case is {"id", "question"} or {"id", "turns": [...]}, with either "figures": [expected
figure strings, as the report writes them] or "refused": true; optionally "cite": a string a
citation's location must contain (e.g. "表「" or "第3页"), and "quotes": strings the answer must
state with a citation whose passage holds them (for lists of table rows).
"""
from __future__ import annotations

import json
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from .chain import Assistant
from .errors import BotError
from .figures import numbers_in, unsupported_numbers
from .settings import Settings
from .types import Answer

GLOSS_RE = re.compile(r"\n\n_Units:.*?_", re.S)


@dataclass
class CaseResult:
    id: str
    question: str
    passed: bool
    problems: list[str]
    answer: Answer | None
    seconds: float
    kind: str  # "figures" or "refusal"
    unsupported: list[str] = field(default_factory=list)
    cited_figures: tuple[int, int] = (0, 0)  # stated figures found in a cited quote / stated figures


@dataclass
class EvalReport:
    results: list[CaseResult]

    @property
    def all_passed(self) -> bool:
        return bool(self.results) and all(r.passed for r in self.results)

    def summary(self) -> str:
        figs = [r for r in self.results if r.kind == "figures"]
        refs = [r for r in self.results if r.kind == "refusal"]
        cited = sum(r.cited_figures[0] for r in self.results)
        stated = sum(r.cited_figures[1] for r in self.results)
        unsupported = sum(len(r.unsupported) for r in self.results)
        times = sorted(r.seconds * 1000 for r in self.results) or [0.0]
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        return "\n".join([
            f"cases: {len(self.results)}, passed: {sum(r.passed for r in self.results)}",
            f"figure accuracy: {sum(r.passed for r in figs)}/{len(figs)}",
            f"refusal accuracy: {sum(r.passed for r in refs)}/{len(refs)}",
            f"stated figures found in a cited passage: {cited}/{stated}",
            f"numbers not found in evidence: {unsupported}",
            f"latency per case: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms",
        ])


def load_cases(path: str | Path) -> list[dict]:
    cases = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise BotError(f"Cannot read the golden set {path}: {err.strerror}.") from None
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            case = json.loads(line)
            case.setdefault("id", str(n))
            if not (case.get("turns") or case.get("question")):
                raise ValueError
        except ValueError:
            raise BotError(f"{path}:{n}: not a golden case.",
                           hint='Each line is {"id", "question" or "turns", "figures": [...] or "refused": true}.') from None
        cases.append(case)
    return cases


def check_case(case: dict, answer: Answer) -> tuple[list[str], list[str], tuple[int, int]]:
    problems = []
    quotes = [f"{c.quote}\n{c.location}\n{c.attribution}\n{c.report}" for c in answer.citations]
    body = GLOSS_RE.sub("", answer.text)
    # numbers the question itself gave (a year asked about) may be restated without a source
    asked = numbers_in(f"{answer.question} {answer.standalone}")
    unsupported = unsupported_numbers(body, quotes, set(answer.computed) | asked)
    if unsupported:
        problems.append(f"numbers not in the cited evidence: {unsupported}")
    if case.get("refused"):
        if not answer.refused:
            problems.append("expected a refusal, got an answer")
    else:
        if answer.refused:
            problems.append("refused, expected an answer")
        for fig in case.get("figures", []):
            if fig not in answer.figures:
                problems.append(f"figure {fig!r} not stated (stated: {answer.figures})")
        if case.get("cite") and not any(case["cite"] in c.location for c in answer.citations):
            problems.append(f"no citation location contains {case['cite']!r}")
        for quote in case.get("quotes", []):
            if quote not in answer.text or not any(quote in c.quote for c in answer.citations):
                problems.append(f"{quote!r} is not in the answer with a citation that holds it")
    in_quote = sum(1 for f in answer.figures if numbers_in(f) <= set(answer.computed) or any(f in q for q in quotes))
    return problems, unsupported, (in_quote, len(answer.figures))


def run_eval(settings: Settings, golden: str | Path, answerer=None, verbose: bool = True,
             assistant: Assistant | None = None) -> EvalReport:
    cases = load_cases(golden)
    assistant = assistant or Assistant(settings, answerer=answerer)
    results = []
    for case in cases:
        turns = case.get("turns") or [case["question"]]
        started = time.perf_counter()
        try:
            answer = None
            for i, turn in enumerate(turns):
                answer = assistant.ask(turn, turns[:i])
            problems, unsupported, cited = check_case(case, answer)
        except BotError as err:
            answer, problems, unsupported, cited = None, [f"error: {err}"], [], (0, 0)
        seconds = (time.perf_counter() - started) / len(turns)
        result = CaseResult(str(case["id"]), turns[-1], not problems, problems, answer, seconds,
                            "refusal" if case.get("refused") else "figures", unsupported, cited)
        results.append(result)
        if verbose:
            mark = "PASS" if result.passed else "FAIL"
            got = "refused" if answer and answer.refused else (answer.figures if answer else "-")
            print(f"{mark} {result.id}: {' → '.join(turns)}  [{got}] {seconds * 1000:.0f} ms")
            for p in problems:
                print(f"     {p}")
    return EvalReport(results)
