"""The golden-set checks in bot.evaluate, on fabricated answers (fast, no index)."""
import json

from bot.evaluate import CaseResult, EvalReport, check_case, evaluate_case, run_eval, states_in_first_line
from bot.types import Answer, Citation


def answer(text: str, figures=(), refused=False, quote: str | None = None) -> Answer:
    quote = text if quote is None else quote
    cites = [Citation(n=1, report="行业报告", location="第3页 第2段", quote=quote)]
    sources = "\n\n来源:\n[1] 行业报告 · 第3页 第2段"
    return Answer(question="问题", standalone="问题", text=text + sources, refused=refused, citations=cites,
                  figures=list(figures))


def problems(case: dict, ans: Answer) -> list[str]:
    return check_case(case, ans)[0]


def test_a_phrase_counts_when_the_body_says_it():
    ans = answer("It is considered a **non-cash**\n  transaction [1].")
    assert problems({"figures": ["non-cash transaction"]}, ans) == []
    assert problems({"figures": ["Non-Cash Transaction"]}, ans) == []  # case is not a reader's concern
    missing = problems({"figures": ["cash equivalent"]}, ans)
    assert len(missing) == 1 and "cash equivalent" in missing[0]


def test_a_phrase_only_in_the_sources_list_is_not_stated():
    ans = answer("规模为**5亿元** [1]。", figures=["5亿元"], quote="规模为5亿元")
    assert problems({"figures": ["行业报告"]}, ans) != []
    assert problems({"figures": ["第3页"]}, ans) != []


def test_a_figure_counts_from_the_figures_list_or_the_body():
    listed = answer("营收为27,616,611,772.61元 [1]。", figures=["27,616,611,772.61"])
    assert problems({"figures": ["27,616,611,772.61"]}, listed) == []
    unlisted = answer("Relocation costs were $**3,190** in 2017 [1].", figures=[])
    assert problems({"figures": ["3,190"]}, unlisted) == []
    assert problems({"figures": ["$635 million"]}, unlisted) != []


def test_a_figure_only_in_the_quoted_passage_is_not_stated():
    text = "报告中最接近的内容如下 [1]。\n\n> 2023年营收为58.6亿元，同比增长12%。 [1]"
    ans = answer(text, figures=["58.6亿元"], quote="2023年营收为58.6亿元，同比增长12%。")
    missing = problems({"figures": ["58.6亿元"]}, ans)
    assert missing and "only in the quoted passage" in missing[0]
    res = evaluate_case(ScriptedAssistant({"问题": ans}), {"id": "q", "question": "问题", "figures": ["58.6亿元"]})
    assert not res.passed and res.quote_only
    assert EvalReport([res]).counts()["quote_only"] == 1


def test_a_stated_figure_needs_a_cited_passage_that_holds_it():
    ans = answer("营收为**58.6亿元** [1]。", figures=["58.6亿元"], quote="营收为57.1亿元")
    assert any("no cited passage holds it" in p for p in problems({"figures": ["58.6亿元"]}, ans))
    stated = answer("营收为**58.6亿元** [1]。\n\n> 营收为58.6亿元 [1]", figures=["58.6亿元"], quote="营收为58.6亿元")
    assert problems({"figures": ["58.6亿元"]}, stated) == []
    res = evaluate_case(ScriptedAssistant({"问题": stated}), {"id": "q", "question": "问题", "figures": ["58.6亿元"]})
    assert res.passed and not res.quote_only


def test_a_number_inside_a_longer_number_is_not_the_figure():
    ans = answer("The plan was 1,304 and 2,304.5 and 12.63 [1].")
    for inside in ["304", "2,304", "304.5", "2.63", "12.6"]:
        assert problems({"figures": [inside]}, ans) != [], inside
    for whole in ["1,304", "2,304.5", "12.63"]:
        assert problems({"figures": [whole]}, ans) == [], whole


def test_a_citation_mark_is_not_a_stated_number():
    ans = answer("There were two years [1].")
    assert problems({"figures": ["1"]}, ans) != []


def test_a_list_of_years_needs_every_year():
    ans = answer("The table covers 2019 and 2018 [1].")
    assert problems({"figures": ["2019", "2018"]}, ans) == []
    assert any("2017" in p for p in problems({"figures": ["2019", "2018", "2017"]}, ans))


def test_first_line_is_checked_apart_from_the_rest_of_the_body():
    first = answer("营收为**100亿元** [1]。\n\n- 其中线上**40亿元** [1]", figures=["100亿元", "40亿元"])
    assert states_in_first_line({"figures": ["100亿元"]}, first) is True
    assert states_in_first_line({"figures": ["100亿元", "40亿元"]}, first) is False
    later = answer("From the table:\n- Revenue (2019: 100) [1]")
    assert problems({"figures": ["100"]}, later) == []
    assert states_in_first_line({"figures": ["100"]}, later) is False
    assert states_in_first_line({"refused": True}, later) is None


def test_refusal_and_cite_checks_stay():
    refused = answer("报告中没有2019年的数据。", refused=True)
    assert problems({"refused": True}, refused) == []
    assert problems({"figures": ["5亿元"]}, refused) != []
    assert problems({"refused": True}, answer("规模为5亿元 [1]。", figures=["5亿元"])) != []
    assert problems({"figures": ["5亿元"], "cite": "第3页"}, answer("规模为5亿元 [1]。", figures=["5亿元"])) == []
    assert problems({"figures": ["5亿元"], "cite": "第4页"}, answer("规模为5亿元 [1]。", figures=["5亿元"])) != []


def result(kind: str, passed: bool, refused: bool, first: bool | None = None) -> CaseResult:
    return CaseResult(id="x", question="q", passed=passed, problems=[] if passed else ["p"],
                      answer=answer("…", refused=refused), seconds=0.01, kind=kind, first_line=first)


def test_summary_shows_both_refusal_rates_and_the_first_line_count():
    report = EvalReport([
        result("figures", True, False, True), result("figures", False, True, False),
        result("figures", False, True, False), result("figures", False, False, False),
        result("refusal", True, True), result("refusal", False, False),
    ])
    counts = report.counts()
    assert (counts["false_refusals"], counts["answerable"]) == (2, 4)
    assert (counts["answered_refusals"], counts["refusal_cases"]) == (1, 2)
    lines = report.summary().splitlines()
    assert lines[0] == "cases: 6, passed: 2"
    assert "figure accuracy: 1/4" in lines and "refusal accuracy: 1/2" in lines
    assert "false refusals (answerable cases refused): 2/4 (50.0%)" in lines
    assert "wrongly answered (refusal cases answered): 1/2 (50.0%)" in lines
    assert "figures in the first line: 1/4" in lines
    assert any(line.startswith("numbers not found in evidence: ") for line in lines)


class ScriptedAssistant:
    """Answers each question with a prepared answer; records the history it was given."""

    def __init__(self, replies: dict[str, Answer]):
        self.replies, self.histories = replies, []

    def ask(self, question, history=()):
        self.histories.append(list(history))
        return self.replies[question]


def test_run_eval_asks_turns_in_order_and_writes_per_case_json(tmp_path):
    golden = tmp_path / "g.jsonl"
    cases = [{"id": "a", "turns": ["规模多大？", "增速呢？"], "figures": ["15.4%"]},
             {"id": "b", "question": "2019年呢", "refused": True}]
    golden.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in cases), encoding="utf-8")
    bot = ScriptedAssistant({"规模多大？": answer("规模为**5亿元** [1]。", ["5亿元"]),
                             "增速呢？": answer("同比增长**15.4%** [1]。", ["15.4%"]),
                             "2019年呢": answer("同比增长**15.4%** [1]。", ["15.4%"])})
    report = run_eval(None, golden, verbose=False, assistant=bot)
    assert bot.histories == [[], ["规模多大？"], []]
    assert [r.passed for r in report.results] == [True, False]
    report.write_json(tmp_path / "out.json")
    data = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert data["summary"]["answered_refusals"] == 1
    assert [c["id"] for c in data["cases"]] == ["a", "b"]
    assert data["cases"][0]["first_line"] is True and data["cases"][1]["problems"]


def test_an_error_is_a_failed_case_not_a_crash():
    from bot.errors import BotError

    class Broken:
        def ask(self, question, history=()):
            raise BotError("index missing")

    res = evaluate_case(Broken(), {"id": "e", "question": "q", "figures": ["1"]})
    assert not res.passed and res.problems == ["error: index missing"] and res.first_line is False
