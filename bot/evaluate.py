"""`bot eval GOLDEN.jsonl`: run a golden set and report accuracy and latency.

A case is {"id", "question"} or {"id", "turns": [...]}, with either "figures": [expected
strings, as the report writes them] or "refused": true; optionally "cite": a string a
citation's location must contain (e.g. "表「" or "第3页"), and "quotes": strings the answer must
state with a citation whose passage holds them (for lists of table rows).

An expected string counts only when the answer *states* it: it stands in the statement (the
answer's text before its quoted passages ("> …") and its "来源:/Sources:" list, without bold
marks, citation marks or the units gloss, whitespace collapsed) and a cited passage holds it (or
the answerer counted it). One with a digit must stand as a whole figure ("304" is not stated by
"1,304"); one without (a name, a phrase, a sentence) must appear, ignoring case. A case whose
expected strings appear only in the quoted passage fails and is counted apart as "quote-only".
Whether the first line already states every expected string is recorded too, since a reader
looks there first.
"""
from __future__ import annotations

import json
import re
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import BotError
from .figures import numbers_in, unsupported_numbers
from .settings import Settings
from .types import Answer

if TYPE_CHECKING:  # the checks need no answerer; only run_eval builds one
    from .chain import Assistant

GLOSS_RE = re.compile(r"\n\n_Units:.*?_", re.S)
SOURCES_RE = re.compile(r"\n\s*(?:\*\*)?(?:来源|Sources)(?:\*\*)?\s*[:：]\s*\n(?:[ \t]*\[\d+\][^\n]*(?:\n|$))+\s*$")
CITE_MARK_RE = re.compile(r"\[\d+\]")
SPACE_RE = re.compile(r"\s+")


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
    first_line: bool | None = None  # every expected string is in the answer's first line; None: nothing expected
    quote_only: bool = False  # the expected strings are in the answer's quoted passage, not its statement

    def to_json(self) -> dict:
        answer = self.answer
        return {
            "id": self.id, "question": self.question, "kind": self.kind, "passed": self.passed,
            "problems": self.problems, "first_line": self.first_line, "unsupported": self.unsupported,
            "seconds": round(self.seconds, 4),
            "refused": answer.refused if answer else None,
            "figures": list(answer.figures) if answer else [],
            "answer": answer.text if answer else None,
            "citations": [asdict(c) for c in answer.citations] if answer else [],
        }


def _rate(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else "0/0"


@dataclass
class EvalReport:
    results: list[CaseResult]

    @property
    def all_passed(self) -> bool:
        return bool(self.results) and all(r.passed for r in self.results)

    def counts(self) -> dict:
        figs = [r for r in self.results if r.kind == "figures"]
        refs = [r for r in self.results if r.kind == "refusal"]
        located = [r for r in figs if r.first_line is not None]
        times = sorted(r.seconds * 1000 for r in self.results) or [0.0]
        return {
            "cases": len(self.results),
            "passed": sum(r.passed for r in self.results),
            "answerable": len(figs),
            "answerable_passed": sum(r.passed for r in figs),
            "refusal_cases": len(refs),
            "refusal_passed": sum(r.passed for r in refs),
            # the trade-off a threshold moves: refusing what the report answers vs answering what it lacks
            "false_refusals": sum(1 for r in figs if r.answer is not None and r.answer.refused),
            "answered_refusals": sum(1 for r in refs if r.answer is not None and not r.answer.refused),
            "quote_only": sum(1 for r in figs if r.quote_only),
            "first_line": sum(1 for r in located if r.first_line),
            "first_line_cases": len(located),
            "cited_figures": sum(r.cited_figures[0] for r in self.results),
            "stated_figures": sum(r.cited_figures[1] for r in self.results),
            "unsupported": sum(len(r.unsupported) for r in self.results),
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))], 1),
        }

    def summary(self) -> str:
        c = self.counts()
        return "\n".join([
            f"cases: {c['cases']}, passed: {c['passed']}",
            f"figure accuracy: {c['answerable_passed']}/{c['answerable']}",
            f"refusal accuracy: {c['refusal_passed']}/{c['refusal_cases']}",
            f"quote-only (expected only in the quoted passage, not stated): {c['quote_only']}/{c['answerable']}",
            f"false refusals (answerable cases refused): {_rate(c['false_refusals'], c['answerable'])}",
            f"wrongly answered (refusal cases answered): {_rate(c['answered_refusals'], c['refusal_cases'])}",
            f"figures in the first line: {c['first_line']}/{c['first_line_cases']}",
            f"stated figures found in a cited passage: {c['cited_figures']}/{c['stated_figures']}",
            f"numbers not found in evidence: {c['unsupported']}",
            f"latency per case: p50 {c['p50_ms']:.1f} ms, p95 {c['p95_ms']:.1f} ms",
        ])

    def line(self, name: str) -> str:
        """One line for a table of sets (`make eval-dev`)."""
        c = self.counts()
        return (f"{name}: cases {c['cases']}, passed {c['passed']}, "
                f"figures stated {c['answerable_passed']}/{c['answerable']}, quote-only {c['quote_only']}, "
                f"refusals {c['refusal_passed']}/{c['refusal_cases']}, "
                f"false refusals {c['false_refusals']}/{c['answerable']}, "
                f"wrongly answered {c['answered_refusals']}/{c['refusal_cases']}")

    def write_json(self, path: str | Path) -> None:
        data = {"summary": self.counts(), "cases": [r.to_json() for r in self.results]}
        try:
            Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        except OSError as err:
            raise BotError(f"Cannot write {path}: {err.strerror}.") from None


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


def _readable(text: str) -> str:
    """Text as a reader compares it: no bold or citation marks, whitespace collapsed."""
    return SPACE_RE.sub(" ", CITE_MARK_RE.sub(" ", text.replace("**", ""))).strip()


def answer_body(answer: Answer) -> str:
    """The answer's text before the trailing sources list, without the units gloss: the
    statement and the passages it quotes."""
    return _readable(GLOSS_RE.sub("", SOURCES_RE.sub("", answer.text)))


def statement(answer: Answer) -> str:
    """What the answer states: its body up to the first quoted passage ("> …")."""
    lines = GLOSS_RE.sub("", SOURCES_RE.sub("", answer.text)).splitlines()
    cut = next((i for i, line in enumerate(lines) if line.lstrip().startswith(">")), len(lines))
    return _readable("\n".join(lines[:cut]))


def first_line(answer: Answer) -> str:
    text = GLOSS_RE.sub("", SOURCES_RE.sub("", answer.text))
    return next((_readable(line) for line in text.splitlines() if _readable(line)), "")


def states(text: str, expected: str) -> bool:
    """Whether readable `text` states `expected`: a figure as a whole figure, a phrase anywhere."""
    want = _readable(expected)
    if not want:
        return False
    if not any(ch.isdigit() for ch in want):
        return want.casefold() in text.casefold()
    # a digit at either end must not continue a longer number ("304" in "1,304" or "304.5")
    head = r"(?<!\d)(?<!\d[.,，])" if want[0].isdigit() else ""
    tail = r"(?!\d)(?![.,，]\d)" if want[-1].isdigit() else ""
    return re.search(head + re.escape(want) + tail, text) is not None


def quote_only(case: dict, answer: Answer) -> bool:
    """The answer does not state every expected string, but its quoted passages hold them."""
    expected = case.get("figures") or []
    if case.get("refused") or not expected or answer.refused:
        return False
    said, body = statement(answer), answer_body(answer)
    return (not all(states(said, f) for f in expected)) and all(states(body, f) for f in expected)


def states_in_first_line(case: dict, answer: Answer) -> bool | None:
    expected = case.get("figures") or []
    if case.get("refused") or not expected:
        return None
    line = first_line(answer)
    return all(states(line, fig) for fig in expected)


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
        said = statement(answer)
        held = [_readable(q) for q in quotes]
        for fig in case.get("figures", []):
            if not states(said, fig):
                where = " (only in the quoted passage)" if states(answer_body(answer), fig) else ""
                problems.append(f"figure {fig!r} not stated{where} (stated: {answer.figures})")
            elif not (any(states(q, fig) for q in held) or numbers_in(fig) and numbers_in(fig) <= set(answer.computed)):
                problems.append(f"figure {fig!r} stated, but no cited passage holds it")
        if case.get("cite") and not any(case["cite"] in c.location for c in answer.citations):
            problems.append(f"no citation location contains {case['cite']!r}")
        for quote in case.get("quotes", []):
            if not states(said, quote) or not any(states(q, quote) for q in held):
                problems.append(f"{quote!r} is not in the answer with a citation that holds it")
    in_quote = sum(1 for f in answer.figures if numbers_in(f) <= set(answer.computed) or any(f in q for q in quotes))
    return problems, unsupported, (in_quote, len(answer.figures))


def evaluate_case(assistant: Assistant, case: dict) -> CaseResult:
    """Ask a case's turns in order and check the last answer."""
    turns = case.get("turns") or [case["question"]]
    started = time.perf_counter()
    first = None
    try:
        answer = None
        for i, turn in enumerate(turns):
            answer = assistant.ask(turn, turns[:i])
        problems, unsupported, cited = check_case(case, answer)
        first = states_in_first_line(case, answer)
        only_quoted = quote_only(case, answer)
    except BotError as err:
        only_quoted = False
        answer, problems, unsupported, cited = None, [f"error: {err}"], [], (0, 0)
        first = None if case.get("refused") or not case.get("figures") else False
    seconds = (time.perf_counter() - started) / len(turns)
    return CaseResult(str(case["id"]), turns[-1], not problems, problems, answer, seconds,
                      "refusal" if case.get("refused") else "figures", unsupported, cited, first, only_quoted)


def run_eval(settings: Settings, golden: str | Path, answerer=None, verbose: bool = True,
             assistant: Assistant | None = None) -> EvalReport:
    cases = load_cases(golden)
    if assistant is None:
        from .chain import Assistant

        assistant = Assistant(settings, answerer=answerer)
    results = []
    for case in cases:
        result = evaluate_case(assistant, case)
        results.append(result)
        if verbose:
            answer = result.answer
            mark = "PASS" if result.passed else "FAIL"
            got = "refused" if answer and answer.refused else (answer.figures if answer else "-")
            turns = case.get("turns") or [case["question"]]
            print(f"{mark} {result.id}: {' → '.join(turns)}  [{got}] {result.seconds * 1000:.0f} ms")
            for p in result.problems:
                print(f"     {p}")
    return EvalReport(results)
