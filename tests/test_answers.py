import json
import subprocess
import sys

import pytest

from bot.answer import REFUSAL_EN, REFUSAL_ZH
from bot.errors import BotError
from bot.evaluate import load_cases, run_eval
from bot.figures import bold_figures, find_figures, numbers_in, unsupported_numbers
from bot.question import analyse, is_follow_up

from conftest import GOLDEN, ROOT, SHIPPED_CORPUS


# -- golden sets: every case must pass ------------------------------------------------------
def check_golden(settings, assistant, case, tmp_path):
    golden = tmp_path / "one.jsonl"
    golden.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    result = run_eval(settings, golden, verbose=False, assistant=assistant).results[0]
    assert result.passed, result.problems


@pytest.mark.parametrize("case", load_cases(GOLDEN / "shipped.jsonl"), ids=lambda c: c["id"])
def test_golden_shipped(assistant, shipped_index, case, tmp_path):
    check_golden(shipped_index, assistant, case, tmp_path)


@pytest.mark.parametrize("case", load_cases(GOLDEN / "stub.jsonl"), ids=lambda c: c["id"])
def test_golden_second_report(stub_assistant, stub_index, case, tmp_path):
    check_golden(stub_index, stub_assistant, case, tmp_path)


def test_golden_sets_are_big_enough_and_varied():
    cases = load_cases(GOLDEN / "shipped.jsonl")
    assert len(cases) >= 40
    assert sum(1 for c in cases if c.get("refused")) >= 8
    assert sum(1 for c in cases if c.get("turns")) >= 5
    assert sum(1 for c in cases if (c.get("question") or "").isascii()) >= 4


# -- answers a user would check ----------------------------------------------------------------
def test_answer_bolds_verbatim_figures_and_cites_the_passage(assistant):
    answer = assistant.ask("2024年我国智算中心行业市场规模是多少？")
    assert "**1014亿元**" in answer.text
    cited = answer.citations[0]
    assert "1014亿元" in cited.quote and cited.report and cited.location and cited.attribution
    assert "[1]" in answer.text


def test_every_stated_figure_is_in_a_cited_quote(assistant):
    for q in ["我国智能算力规模达到多少？", "主导建设智算中心的主体占比分别是多少？", "天津市的政策是什么时候发布的？"]:
        answer = assistant.ask(q)
        assert answer.figures
        for fig in answer.figures:
            assert any(fig in c.quote for c in answer.citations), (q, fig)


def test_refusal_says_so_plainly_and_offers_nearest_facts(assistant):
    answer = assistant.ask("2019年智算中心市场规模是多少？")
    assert answer.refused and answer.text.startswith(REFUSAL_ZH)
    assert "2019" in answer.text.split("\n")[0]
    assert answer.citations, "the nearest facts are cited"


def test_english_question_gets_english_framing_and_unit_gloss(assistant):
    answer = assistant.ask("What was the market size of China's intelligent computing centers in 2024?")
    assert answer.lang == "en" and answer.text.startswith("According to the report")
    assert "100 million yuan" in answer.text
    refused = assistant.ask("What was the market size in 2019?")
    assert refused.refused and refused.text.startswith(REFUSAL_EN)


def test_count_over_table_lists_and_cites_each_row(assistant):
    answer = assistant.ask("国家级政策有几项？")
    assert answer.table and answer.table["header"][0] == "层级"
    assert all(row[0] == "国家级" for row in answer.table["rows"])
    assert answer.figures[0] == f"{len(answer.table['rows'])}项"
    assert len(answer.citations) == len(answer.table["rows"])


def test_a_count_for_another_year_or_company_is_refused(assistant):
    # the table paths go through the same fitted decision as sentences (bot.scorer): a count
    # over this report's table is no answer for a year or a company the report does not cover
    counted = assistant.ask("国家级政策有几项？")
    assert not counted.refused and counted.answerable_probability > 0.5
    assert counted.to_json()["answerable_probability"] == round(counted.answerable_probability, 4)
    for q in ["2019年国家级政策有几项？", "华为发布的国家级政策有几项？"]:
        answer = assistant.ask(q)
        assert answer.refused and answer.text.startswith(REFUSAL_ZH), q
        assert answer.answerable_probability < 0.5 and not answer.computed, q


def test_follow_up_keeps_the_subject_and_swaps_the_entity(assistant):
    growth = assistant.ask("增速呢？", ["2024年我国智算中心行业市场规模是多少？"])
    assert "市场规模" in growth.standalone and growth.figures[0] == "15.4%"
    swapped = assistant.ask("那上海呢？", ["天津市发布了什么政策？"])
    assert "上海" in swapped.standalone and "政策" in swapped.standalone
    assert all("上海" in c.quote for c in swapped.citations)


def test_chart_for_comparable_shares_and_none_for_a_single_figure(assistant):
    shares = assistant.ask("主导建设智算中心的主体占比分别是多少？")
    assert shares.chart and shares.chart["unit"] == "%" and len(shares.chart["labels"]) == 3
    assert shares.chart["figures"] == shares.figures
    assert assistant.ask("我国智能算力规模达到多少？").chart is None


def test_bad_questions_are_clear_errors(assistant):
    for bad in ["", "   \n\t", "x" * 5000]:
        with pytest.raises(BotError):
            assistant.ask(bad)
    answer = assistant.ask("\x00\x07市场规模\u202e是多少")  # control characters are dropped, not fatal
    assert answer.figures


# -- the figure check and question analysis, in small pieces -----------------------------------
def test_figures_found_verbatim_with_units():
    text = "规模达到了1014亿元,同比增长15.4%。算力达725.3 EFLOPS。5G网络与2024年12月。"
    assert [m.group() for m in find_figures(text)] == ["1014亿元", "15.4%", "725.3 EFLOPS"]


def test_bold_figures_keeps_text_and_marks_each_figure():
    bolded, figs = bold_figures("增长15.4%，达1,014亿元")
    assert bolded == "增长**15.4%**，达**1,014亿元**" and figs == ["15.4%", "1,014亿元"]


def test_number_forms_are_normalised():
    assert numbers_in("1,014亿元 和 15.40%") == {"1014", "15.4"}
    assert unsupported_numbers("达到**1014**亿元 [2]", ["规模为1,014亿元"]) == []
    assert unsupported_numbers("达到1015亿元", ["规模为1,014亿元"]) == ["1015"]


def test_question_analysis():
    q = analyse("2024年12月国家级政策有几项？")
    assert q.intent == "count" and q.dates == ["2024年12月"]
    assert analyse("天津市的政策是什么时候发布的？").intent == "when"
    assert analyse("What was the market size in March 2024?").dates == ["2024年3月"]


def test_follow_up_detection():
    assert is_follow_up("增速呢？") and is_follow_up("那上海呢？") and is_follow_up("And the growth rate?")
    assert not is_follow_up("2024年我国智算中心行业市场规模是多少？")


# -- CLI ---------------------------------------------------------------------------------------
def run_bot(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, input=stdin, timeout=120)


def test_bot_ask_json_turns(shipped_index):
    out = run_bot("ask", "--index", str(shipped_index.index_dir), "--json",
                  "2024年我国智算中心行业市场规模是多少？", "增速呢？")
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(lines) == 2
    for turn in lines:
        assert {"question", "answer", "refused", "citations", "figures"} <= set(turn)
        assert {"n", "report", "location", "quote"} <= set(turn["citations"][0])
    assert "1014亿元" in lines[0]["figures"] and lines[1]["figures"][0] == "15.4%"


def test_bot_ask_batch(shipped_index):
    cases = [{"id": "a", "question": "国家级政策有几项？"},
             {"id": "b", "turns": ["天津市发布了什么政策？", "那上海呢？"]},
             {"id": "c"}]
    out = run_bot("ask", "--index", str(shipped_index.index_dir), "--batch", "-",
                  stdin="\n".join(json.dumps(c, ensure_ascii=False) for c in cases))
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r.get("id") for r in rows[:2]] == ["a", "b"]
    assert rows[0]["figures"][0].endswith("项")
    assert "上海" in rows[1]["standalone_question"]
    assert "error" in rows[2] and out.returncode == 1


def test_bot_ask_does_not_import_gradio_or_torch(shipped_index):
    probe = ("import sys; from bot.cli import main; main(['ask', '--index', %r, '你好']); "
             "print('LOADED', [m for m in ('gradio', 'torch', 'sentence_transformers') if m in sys.modules])"
             % str(shipped_index.index_dir))
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert "LOADED []" in out.stdout, out.stdout + out.stderr


def test_bot_eval_prints_the_summary(shipped_index):
    out = run_bot("eval", "--index", str(shipped_index.index_dir), "-q", str(GOLDEN / "shipped.jsonl"))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "figure accuracy" in out.stdout and "numbers not found in evidence: 0" in out.stdout


def test_cli_errors_are_one_line_without_traceback(tmp_path):
    out = run_bot("ask", "--index", str(tmp_path / "none"), "问题")
    assert out.returncode == 1 and out.stderr.startswith("error:") and "Traceback" not in out.stderr
