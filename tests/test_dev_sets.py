"""The development sets beside the checkout (../shared/dev: real reports with golden cases),
one test per golden case, checked as `bot eval` checks it.

Each corpus is ingested once per session with the real e5 embedder (slow). A case the answerer
cannot pass yet is listed with its reason in tests/dev_known_failures.toml and runs as a
non-strict xfail; the session ends with a line saying how many cases are listed.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.evaluate import evaluate_case, load_cases

from conftest import ROOT, build_index

DEV = ROOT.parent / "shared" / "dev"
# each set: its reports and its golden cases; "news" is our own digest (tests/news), always here.
# The wide sets are documents the answerer was not developed on: they cost CI about ten minutes of
# embedding on two cores, and are what tells whether a change carries to unseen reports.
SETS = {"zh": DEV / "zh", "en": DEV / "en", "zh-wide": DEV / "zh-wide", "en-wide": DEV / "en-wide",
        "news": ROOT / "tests" / "news"}
LANGS = tuple(SETS)
KNOWN_FAILURES = Path(__file__).resolve().parent / "dev_known_failures.toml"
# a refusal case answered wrongly is a wrong answer shown to a user: listed only under this mark,
# which the session's closing line counts apart
REFUSAL_MARK = "WRONG ANSWER TO A REFUSAL CASE"


def load_known_failures(path: Path, golden_ids: dict[str, set[str]], strict: bool = True,
                        refusals: dict[str, set[str]] | None = None) -> dict[str, dict[str, str]]:
    """{lang: {case id: reason}} from the known-failures file; an id that no golden set holds,
    a refusal case (`refusals`), or an entry without a one-line reason, is an error rather than
    a silently ignored line."""
    refusals = refusals or {}
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{path.name}: not valid TOML: {err}") from None
    known: dict[str, dict[str, str]] = {lang: {} for lang in golden_ids}
    for case_id, reason in entries.items():
        lang = next((lang for lang, ids in golden_ids.items() if case_id in ids), None)
        if lang is None and not strict:
            continue  # a case of a set that is absent here (../shared/dev)
        if lang is None:
            raise ValueError(f"{path.name}: {case_id!r} is not a case of any dev golden set")
        if lang in refusals and case_id in refusals[lang] and not reason.startswith(REFUSAL_MARK):
            raise ValueError(f"{path.name}: {case_id!r} is a refusal case: its reason must start with "
                             f"{REFUSAL_MARK!r}, so a wrongly answered refusal is never listed as an ordinary failure")
        if not isinstance(reason, str) or not reason.strip() or "\n" in reason:
            raise ValueError(f'{path.name}: {case_id!r} needs a one-line reason ("id" = "why")')
        known[lang][case_id] = reason.strip()
    return known


def _collect() -> tuple[list, dict[str, dict[str, str]]]:
    present = [lang for lang, folder in SETS.items() if (folder / "golden.jsonl").is_file()]
    params = []
    if len(present) < len(SETS):
        absent = pytest.mark.skip(reason=f"{DEV} is absent: the dev sets sit beside the checkout at ../shared/dev")
        params.append(pytest.param(None, None, marks=absent, id="dev-sets-absent"))
    golden = {lang: load_cases(SETS[lang] / "golden.jsonl") if lang in present else [] for lang in LANGS}
    try:
        known = load_known_failures(KNOWN_FAILURES, {lang: {str(c["id"]) for c in cases} for lang, cases in golden.items()},
                                    strict=len(present) == len(SETS),
                                    refusals={lang: {str(c["id"]) for c in cases if c.get("refused")}
                                              for lang, cases in golden.items()})
        problem = ""
    except ValueError as err:
        problem = str(err)
    if problem:
        pytest.fail(problem, pytrace=False)  # a collection error: the run cannot pass with a stale list
    for lang, cases in golden.items():
        for case in cases:
            reason = known[lang].get(str(case["id"]))
            marks = [pytest.mark.xfail(reason=reason, strict=False)] if reason else []
            params.append(pytest.param(lang, case, marks=marks, id=str(case["id"])))
    return params, known


CASES, KNOWN = _collect()


@pytest.fixture(scope="session")
def dev_assistant(tmp_path_factory):
    """An assistant per language, over an index of that language's reports built on first use."""
    from bot.chain import Assistant

    built = {}

    def get(lang: str):
        if lang not in built:
            settings = build_index(SETS[lang] / "reports", tmp_path_factory.mktemp(f"dev-{lang}-index"))
            built[lang] = Assistant(settings)
        return built[lang]

    return get


@pytest.fixture(scope="session")
def known_failure_tally(request):
    """Collects listed cases that pass; the known-failure count is printed after pytest's own
    summary (a config cleanup runs once output capture has ended)."""
    passing: list[str] = []
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")

    def report() -> None:
        counts = {lang: len(KNOWN[lang]) for lang in LANGS}
        wrong = sum(r.startswith(REFUSAL_MARK) for lang in LANGS for r in KNOWN[lang].values())
        line = f"dev sets: {sum(counts.values())} known failures (" + ", ".join(f"{k}: {n}" for k, n in counts.items()) + ")"
        line += f", of which {wrong} refusal case(s) answered wrongly"
        if passing:
            line += f"; passing now, remove from {KNOWN_FAILURES.name}: {', '.join(passing)}"
        reporter.write_line(line)

    if reporter is not None:
        request.config.add_cleanup(report)
    return passing


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "case"), CASES)
def test_dev_case(lang, case, dev_assistant, known_failure_tally):
    result = evaluate_case(dev_assistant(lang), case)
    if result.passed and result.id in KNOWN[lang]:
        known_failure_tally.append(result.id)
    if not result.passed:
        shown = result.answer.text.split("\n\n")[0][:300] if result.answer else "(no answer)"
        pytest.fail("\n".join(result.problems) + f"\nanswer: {shown}", pytrace=False)


# -- the known-failures file itself (fast, no dev sets needed) -------------------------------------
def write(tmp_path, text: str) -> Path:
    path = tmp_path / "known.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_known_failures_are_sorted_by_golden_set(tmp_path):
    ids = {"zh": {"zh-a", "zh-b"}, "en": {"en-a"}}
    path = write(tmp_path, '# header\n"zh-b" = "table split over pages"\n"en-a" = "no multi-span answers"\n')
    assert load_known_failures(path, ids) == {"zh": {"zh-b": "table split over pages"},
                                              "en": {"en-a": "no multi-span answers"}}


def test_a_known_failure_outside_the_golden_sets_is_an_error(tmp_path):
    ids = {"zh": {"zh-a"}, "en": {"en-a"}}
    with pytest.raises(ValueError, match="zh-gone"):
        load_known_failures(write(tmp_path, '"zh-gone" = "renamed case"\n'), ids)
    for bad in ['"zh-a" = ""\n', '"zh-a" = 3\n', '"zh-a" = """two\nlines"""\n', '"zh-a" = \n']:
        with pytest.raises(ValueError):
            load_known_failures(write(tmp_path, bad), ids)


def test_a_refusal_case_is_never_an_expected_failure(tmp_path):
    ids = {"zh": {"zh-ref-a", "zh-fig-b"}}
    with pytest.raises(ValueError, match="refusal case"):
        load_known_failures(write(tmp_path, '"zh-ref-a" = "answered from a same-topic passage"\n'), ids,
                            refusals={"zh": {"zh-ref-a"}})
    marked = f'"zh-ref-a" = "{REFUSAL_MARK}: answered from a same-topic passage"\n'
    assert load_known_failures(write(tmp_path, marked), ids, refusals={"zh": {"zh-ref-a"}})["zh"]
    assert load_known_failures(write(tmp_path, '"zh-fig-b" = "refused"\n'), ids, refusals={"zh": {"zh-ref-a"}})


def test_the_known_failures_file_parses():
    assert isinstance(tomllib.loads(KNOWN_FAILURES.read_text(encoding="utf-8")), dict)
