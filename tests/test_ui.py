"""Fast tests of the chat's pure parts: answer HTML (escaping), fact cards, charts, examples,
feedback, and the event handlers driven without a browser (fake assistants)."""
import json
import re
from types import SimpleNamespace

import pytest

from bot.serve import chat as ui, feedback
from bot.errors import BotError
from bot.settings import Settings
from bot.types import Answer, Citation

REPORT = "中国智算中心行业发展现状"
MARKET = ("从市场规模来看,2020年到2024年我国智算中心行业市场规模持续增长,到2024年我国智算中心行业市场规模"
          "达到了1014亿元,同比增长15.4%。")
SHARES = ("从项目分布来看,截至2024年8月我国主导建设的智算中心最多的为地方政府,占比为33.9%;其次为基础电信运营商,"
          "占比为19.1%;第三为互联网及云厂商项目,占比为17.7%。")


def bold(sentence: str, figures: list[str]) -> str:
    for f in figures:
        sentence = sentence.replace(f, f"**{f}**")
    return sentence


def make_answer(quote=MARKET, figures=("1014亿元", "15.4%"), report=REPORT, location="第3段（第4行）",
                attribution="数据来源:观研天下整理", lang="zh", refused=False, **extra) -> Answer:
    """An Answer shaped like the chain's: body, [n] citations, then the plain sources list."""
    figures = list(figures)
    text = f"{bold(quote, figures)} [1]\n\n来源:\n[1] {report} · {location} · {attribution}"
    cite = Citation(n=1, report=report, location=location, quote=quote, attribution=attribution)
    return Answer(question="q", standalone=extra.pop("standalone", "q"), text=text, refused=refused,
                  citations=[cite], figures=figures, lang=lang, **extra)


# -- fact card --------------------------------------------------------------------------------

def test_fact_card_is_the_figure_clause_with_its_source():
    card = ui.fact_card(make_answer())
    statement, source = card.split("——")
    assert statement.startswith("2024年")  # framing ("从市场规模来看", "到") dropped
    assert "1014亿元" in statement and "（同比增长15.4%）" in statement
    assert source == f"《{REPORT}》第3段，数据来源:观研天下整理"
    assert "**" not in card and "[1]" not in card


def test_fact_card_keeps_the_context_a_bare_share_needs():
    card = ui.fact_card(make_answer(SHARES, ["33.9%", "19.1%", "17.7%"], location="第5段（第8行）"))
    statement = card.split("——")[0]
    assert statement.startswith("截至2024年8月") and "地方政府" in statement
    assert all(f in statement for f in ("33.9%", "19.1%", "17.7%"))


def test_fact_card_takes_the_statement_from_the_cited_passage():
    answer = make_answer(SHARES, ["33.9%", "19.1%", "17.7%"], location="第5段（第8行）")
    answer.text = "地方政府占比为**33.9%**;占比为**19.1%**;占比为**17.7%**。 [1]"  # a terse lead
    statement = ui.fact_card(answer).split("——")[0]
    assert "基础电信运营商" in statement and "互联网及云厂商项目" in statement


def test_fact_card_for_a_table_answer_names_the_table_not_a_row():
    answer = make_answer("「政策表」中符合「国家级」的共有4项：", ["4项"], location="表「政策表」第1行",
                         attribution="资料来源:观研天下整理(XD)",
                         table={"caption": "政策表", "header": ["层级"], "rows": [["国家级"]]})
    assert ui.fact_card(answer) == "「政策表」中符合「国家级」的共有4项——《中国智算中心行业发展现状》表「政策表」，资料来源:观研天下整理(XD)"


def test_no_fact_card_without_something_to_cite():
    assert ui.fact_card(make_answer(refused=True)) == ""
    answer = make_answer()
    answer.citations = []
    assert ui.fact_card(answer) == ""


def test_fact_card_from_real_answers_holds_figures_and_first_citation(assistant):
    for question in ("2024年我国智算中心行业市场规模是多少？", "主导建设智算中心的主体占比分别是多少？"):
        answer = assistant.ask(question)
        card = ui.fact_card(answer)
        assert all(f in card for f in answer.figures), card
        first = answer.citations[0]
        assert f"《{first.report}》" in card and first.attribution in card


# -- escaping: report text and questions are shown as text ------------------------------------

EVIL = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


def test_sources_escape_passages_and_bold_the_figures():
    answer = make_answer(quote=f"{EVIL}规模达到了100亿元。", figures=["100亿元"], report=f"报告{EVIL}",
                         attribution=f"来源{EVIL}")
    html = ui.sources_html(answer)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert "<b>100亿元</b>" in html
    assert html.startswith('<details class="ra-sources">') and " open" not in html.split(">")[0]  # collapsed


def test_answer_message_escapes_every_report_string():
    answer = make_answer(quote=f"{EVIL}规模达到了100亿元。", figures=["100亿元"],
                         table={"caption": f"表{EVIL}", "header": [f"列{EVIL}"], "rows": [[EVIL, "1"]]},
                         chart={"title": EVIL, "unit": "%", "labels": [EVIL, "乙"], "values": [1, 2],
                                "figures": ["1%", EVIL], "source": EVIL})
    message = ui.answer_markdown(answer)
    assert "<script" not in message and "<img" not in message
    assert "**100亿元**" in message  # the answer's own Markdown still works
    # each HTML block is one line starting with a block tag, so Markdown never reparses it
    for block in message.split("\n\n")[1:]:
        assert "\n" not in block and block.startswith(("<div", "<details"))


def test_the_plain_sources_list_is_replaced_by_the_sources_section():
    message = ui.answer_markdown(make_answer())
    assert "\n来源:\n[1]" not in message
    assert "[1]" in message and 'class="ra-sources"' in message


# -- charts and tables ------------------------------------------------------------------------

def test_chart_bars_follow_the_values_and_print_the_report_figures():
    chart = {"title": "t", "unit": "%", "labels": ["地方政府", "基础电信运营商", "互联网及云厂商项目"],
             "values": [33.9, 19.1, 17.7], "figures": ["33.9%", "19.1%", "17.7%"], "source": "报告 · 第5段"}
    html = ui.chart_html(chart, "zh", title="主体占比")
    widths = [float(w) for w in re.findall(r'<rect class="ra-bar"[^>]* width="([\d.]+)%"', html)]
    assert len(widths) == 3 and widths == sorted(widths, reverse=True)
    assert widths[1] / widths[0] == pytest.approx(19.1 / 33.9, rel=0.01)
    for label, figure in zip(chart["labels"], chart["figures"]):
        assert f">{label}<" in html and f">{figure}<" in html
    assert "单位：%" in html and "来源：报告 · 第5段" in html and "主体占比" in html


@pytest.mark.parametrize("chart", [None, {}, {"labels": ["a"], "values": [1]},
                                   {"labels": ["a", "b"], "values": [1]},
                                   {"labels": ["a", "b"], "values": ["x", "y"]}])
def test_no_chart_for_single_or_broken_figures(chart):
    assert ui.chart_html(chart) == ""


def test_chart_title_is_what_is_compared_not_the_report():
    answer = make_answer(SHARES, ["33.9%", "19.1%", "17.7%"], standalone="主导建设智算中心的主体占比分别是多少？",
                         chart={"title": REPORT, "unit": "%", "labels": ["a", "b"], "values": [1, 2]})
    assert '<div class="ra-chart-title">主导建设智算中心的主体占比</div>' in ui.answer_markdown(answer)


def test_table_shows_every_row():
    table = {"caption": "政策", "header": ["层级", "名称"], "rows": [["国家级", "甲"], ["省级", "乙"], ["省级", "丙"]]}
    html = ui.table_html(table)
    assert html.count("<tr>") == 4 and "<th>层级</th>" in html and "3 行" in html


# -- start screen -----------------------------------------------------------------------------

def test_examples_file_lines_comments_and_limit(tmp_path):
    path = tmp_path / "examples.txt"
    questions = [f"问题{i}？" for i in range(8)]
    path.write_text("# a comment\n\n" + "\n".join(questions[:2] + questions[:1] + questions[2:]) + "\n  \n",
                    encoding="utf-8")
    settings = Settings().with_(examples_file=path)
    assert ui.load_examples(settings) == questions[: ui.MAX_EXAMPLES]


def test_without_examples_file_they_come_from_the_indexed_tables(tmp_path):
    settings = Settings().with_(corpus_dir=tmp_path)
    index = SimpleNamespace(tables={"t1": SimpleNamespace(caption="相关政策"), "t2": SimpleNamespace(caption="")})
    assert ui.load_examples(settings) == []
    assert ui.load_examples(settings, index) == ["相关政策有哪些？"]


def test_shipped_examples_are_answered_with_citations(assistant):
    examples = ui.load_examples(Settings())  # corpus/examples.txt
    assert 4 <= len(examples) <= 6
    for question in examples:
        answer = assistant.ask(question)
        # a figure, or the table rows a list question asks for
        assert not answer.refused and answer.citations and (answer.figures or answer.table), question


def test_knows_line_names_the_indexed_reports(assistant):
    reports = assistant.index.health()["reports"]
    line = ui.knows_line(reports, "zh")
    assert all(f"《{r['title']}》" in line for r in reports) and str(len(reports)) in line
    assert ui.knows_line(reports, "en").startswith("I have read")
    assert ui.knows_line([], "zh") == ui.STRINGS["zh"]["knows_none"]


def test_every_ui_string_exists_in_both_languages():
    assert set(ui.STRINGS["zh"]) == set(ui.STRINGS["en"])


# -- feedback ---------------------------------------------------------------------------------

def test_feedback_record_and_summary(tmp_path):
    settings = Settings().with_(feedback_file=tmp_path / "fb" / "votes.jsonl")
    assert "No feedback yet" in feedback.summary(settings)
    answer = make_answer()
    feedback.record(settings, "问题一", answer, True)
    feedback.record(settings, "问题二", "答案二", "Like")
    feedback.record(settings, "问题三", "答案三", "up", turn_id="t3")
    feedback.record(settings, "问题三", "答案三", "Dislike", turn_id="t3")  # changed vote: last wins
    feedback.record(settings, "问题三", "答案三", "down", "数字不对", turn_id="t3")  # comment after 👎
    feedback.record(settings, "问题四", "答案四", "down", turn_id="t4")
    feedback.record(settings, "问题四", "答案四", None, turn_id="t4")  # vote taken back
    with open(settings.feedback_file, "a", encoding="utf-8") as fh:
        fh.write("not json\n")

    lines = [json.loads(x) for x in settings.feedback_file.read_text(encoding="utf-8").splitlines()[:7]]
    first = lines[0]
    assert set(first) >= {"time", "question", "answer", "citations", "vote", "comment"}
    assert first["vote"] == "up" and first["citations"][0]["report"] == REPORT and first["answer"] == answer.text

    entries, bad = feedback.load(settings)
    assert [e["vote"] for e in entries] == ["up", "up", "down"] and bad == 1
    text = feedback.summary(settings)
    assert "3 votes" in text and "👍 2" in text and "👎 1" in text and "67% 👍" in text
    assert "问题三" in text and "数字不对" in text and "问题四" not in text
    assert "1 unreadable line skipped" in text


def test_unknown_vote_is_refused(tmp_path):
    with pytest.raises(BotError):
        feedback.record(Settings().with_(feedback_file=tmp_path / "f.jsonl"), "q", "a", "maybe")


# -- the event handlers, without a browser ----------------------------------------------------

class FakeAssistant:
    def __init__(self, reply):
        self.reply = reply
        self.calls = []
        self.settings = Settings()
        self.index = SimpleNamespace(tables={}, health=lambda: {"reports": [{"file": "a.txt", "title": REPORT}]})

    def ask(self, question, history=()):
        self.calls.append((question, list(history)))
        return self.reply(question)


def run(handlers, message, chat=None, history=None, turns=None, lang="zh"):
    outs = list(handlers.respond(message, chat or [], history or [], turns or {}, lang))
    return outs, outs[-1] if outs else None


def test_empty_message_does_nothing(tmp_path):
    fake = FakeAssistant(lambda q: make_answer())
    handlers = ui.ChatHandlers(fake, Settings().with_(feedback_file=tmp_path / "f.jsonl"))
    for message in ("", "   \n", None):
        assert run(handlers, message)[0] == []
    assert fake.calls == []


def test_follow_ups_pass_the_earlier_questions_as_history(tmp_path):
    fake = FakeAssistant(lambda q: make_answer())
    handlers = ui.ChatHandlers(fake, Settings().with_(feedback_file=tmp_path / "f.jsonl"))
    _, (_, chat, history, turns) = run(handlers, "第一问")
    _, (_, chat, history, turns) = run(handlers, "增速呢？", chat, history, turns)
    assert fake.calls == [("第一问", []), ("增速呢？", ["第一问"])]
    assert [m["role"] for m in chat] == ["user", "assistant"] * 2
    assert "**1014亿元**" in chat[-1]["content"] and sorted(turns) == [1, 3]


def test_user_errors_show_the_message_and_internal_errors_an_apology(tmp_path, caplog):
    def reply(question):
        if question == "long":
            raise BotError("问题太长（5000字，上限1000字）")
        if question == "boom":
            raise RuntimeError("index exploded")
        return make_answer()

    handlers = ui.ChatHandlers(FakeAssistant(reply), Settings().with_(feedback_file=tmp_path / "f.jsonl"))
    outs, (box, chat, history, turns) = run(handlers, "long")
    assert outs[0][0] == "" and chat[-1]["content"] == "问题太长（5000字，上限1000字）" and turns == {}
    _, (_, chat, history, turns) = run(handlers, "boom", chat, history, turns, lang="en")
    assert chat[-1]["content"] == ui.STRINGS["en"]["apology"] and "index exploded" in caplog.text
    _, (_, chat, history, turns) = run(handlers, "fine", chat, history, turns)  # the chat keeps working
    assert "1014亿元" in chat[-1]["content"] and list(turns) == [5]


def test_questions_are_shown_as_text(tmp_path):
    handlers = ui.ChatHandlers(FakeAssistant(lambda q: make_answer()), Settings().with_(feedback_file=tmp_path / "f"))
    outs, _ = run(handlers, EVIL + "x" * 400)
    shown = outs[0][1][0]["content"]
    assert "<script" not in shown and "&lt;script>" in shown and shown.endswith("…")


def test_streamed_text_is_shown_before_the_checked_answer(tmp_path):
    class Streaming(FakeAssistant):
        def stream(self, question, history=()):
            yield "2024年规模为"
            yield "2024年规模为1014亿元"
            yield make_answer()

    handlers = ui.ChatHandlers(Streaming(None), Settings().with_(feedback_file=tmp_path / "f.jsonl"))
    outs, (_, chat, _, _) = run(handlers, "问题")
    provisional = [o[1][-1]["content"] for o in outs[1:-1]]
    assert [p.split("\n")[0] for p in provisional] == ["2024年规模为", "2024年规模为1014亿元"]
    assert ui.STRINGS["zh"]["checking"] in provisional[0] and 'class="ra-sources"' in chat[-1]["content"]


def test_votes_are_recorded_per_answer(tmp_path):
    settings = Settings().with_(feedback_file=tmp_path / "f.jsonl")
    handlers = ui.ChatHandlers(FakeAssistant(lambda q: make_answer()), settings)
    _, (_, chat, history, turns) = run(handlers, "市场规模？")
    assert handlers.vote(turns, 0, True) == (None, None)  # a question, not an answer
    vote, turn_id = handlers.vote(turns, [1, None], False)
    assert vote == "down" and handlers.comment("引用不对", turn_id, turns)
    assert not handlers.comment("  ", turn_id, turns)
    entries, _ = feedback.load(settings)
    assert len(entries) == 1 and entries[0]["question"] == "市场规模？" and entries[0]["comment"] == "引用不对"


def test_build_ui_keeps_sanitizing_and_sets_the_queue(tmp_path):
    import gradio as gr

    demo = ui.build_ui(FakeAssistant(lambda q: make_answer()), Settings().with_(corpus_dir=tmp_path))
    chatbots = [b for b in demo.blocks.values() if isinstance(b, gr.Chatbot)]
    assert len(chatbots) == 1 and chatbots[0].sanitize_html is True
    assert demo._queue.default_concurrency_limit == ui.CONCURRENCY and demo._queue.max_size == ui.QUEUE_SIZE
    compact = ui.build_ui(FakeAssistant(lambda q: make_answer()), Settings().with_(corpus_dir=tmp_path), compact=True)
    assert not [b for b in compact.blocks.values() if isinstance(b, gr.Chatbot) and b.examples]
