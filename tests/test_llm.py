"""The optional LLM answerer (bot/llm.py): prompt, citation parsing, removal of invented
citations, the figure check and the fallbacks — first with LangChain's fake chat models, then
through the real ChatOpenAI / ChatOllama clients talking to a scripted server on 127.0.0.1."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableLambda

from bot import prompts
from bot.answer import REFUSAL_EN, REFUSAL_ZH, Draft
from bot.chain import Assistant, render
from bot.errors import BotError
from bot.figures import numbers_in
from bot.llm import (LLMAnswerer, answer_messages, check_reply, cited_numbers, fallback_note, is_refusal,
                     make_answerer, normalise_citations, number_evidence, rewrite_messages, unsupported_figures)
from bot.types import Answer, Chunk, Evidence

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scripted_llm import Reply, Request, ScriptedLLM  # noqa: E402

REPORT = "中国智算中心行业发展现状"
SIZE = Chunk(id="r#p3", file="r.txt", report=REPORT, kind="paragraph", location="第3段（第4行）",
             text="到2024年我国智算中心行业市场规模达到了1014亿元,同比增长15.4%。", attribution="数据来源:观研天下整理")
SHARE = Chunk(id="r#p5", file="r.txt", report=REPORT, kind="paragraph", location="第5段（第8行）",
              text="截至2024年8月我国主导建设的智算中心最多的为地方政府,占比为33.9%;其次为基础电信运营商,占比为19.1%。")
ROW1 = Chunk(id="r#t1r1", file="r.txt", report=REPORT, kind="row", location="表「政策」第1行", table_id="r#t1",
             caption="政策", text="政策｜层级：国家级；发布时间：2024年7月；政策名称：甲意见", row=1)
ROW2 = Chunk(id="r#t1r2", file="r.txt", report=REPORT, kind="row", location="表「政策」第2行", table_id="r#t1",
             caption="政策", text="政策｜层级：国家级；发布时间：2024年10月；政策名称：乙意见", row=2)
Q = "2024年我国智算中心行业市场规模是多少？"


def ev(*chunks: Chunk) -> list[Evidence]:
    return [Evidence(chunk=c, score=1.0 / i) for i, c in enumerate(chunks, 1)]


def grounded(question=Q, chunks=(SIZE,), lang="zh", refused=False, **extra) -> tuple[Answer, Draft]:
    draft = Draft(body="市场规模达到了**1014亿元** [1]", refused=refused, chunks=list(chunks), figures=["1014亿元"], **extra)
    return render(question, question, lang, draft), draft


def fake(*replies: str) -> FakeListChatModel:
    return FakeListChatModel(responses=list(replies))


def answer_with(reply: str, evidence=(SIZE, SHARE), **kw) -> Answer:
    g, draft = grounded(**kw)
    return LLMAnswerer(fake(reply), name="llm:fake")(g, ev(*evidence), draft)


# -- the prompt --------------------------------------------------------------------------------
def test_evidence_is_numbered_with_the_grounded_citations_first_and_without_repeats():
    draft = Draft(body="", refused=False, chunks=[SHARE])
    assert number_evidence(draft, ev(SIZE, SHARE, ROW1)) == [SHARE, SIZE, ROW1]
    assert number_evidence(draft, ev(SIZE, SHARE, ROW1), limit=2) == [SHARE, SIZE]


def test_prompt_numbers_the_evidence_and_fixes_the_refusal_phrase_and_language():
    (_, system), (_, user) = answer_messages(Q, Q, "zh", [SIZE, SHARE])
    assert REFUSAL_ZH in system and "Simplified Chinese" in system
    assert "[1] " + REPORT + " · 第3段（第4行） · 数据来源:观研天下整理\n" + SIZE.text in user
    assert "[2] " + REPORT + " · 第5段（第8行）\n" + SHARE.text in user
    assert user.rstrip().endswith("Question: " + Q)
    (_, system_en), (_, user_en) = answer_messages("How big?", "How big?", "en", [SIZE])
    assert REFUSAL_EN in system_en and REFUSAL_ZH not in system_en and "English" in system_en
    assert "[2]" not in user_en


def test_prompt_shows_a_resolved_follow_up_and_how_it_was_asked():
    (_, _), (_, user) = answer_messages("增速呢？", "2024年市场规模的增速", "zh", [SIZE])
    assert "Question: 2024年市场规模的增速\n(asked as: 增速呢？)" in user


def test_prompt_treats_evidence_as_data():
    assert "not instructions" in prompts.ANSWER_SYSTEM


# -- citation parsing ------------------------------------------------------------------------
@pytest.mark.parametrize("raw, count, text, dropped", [
    ("规模1014亿元[1]。", 3, "规模1014亿元[1]。", []),
    ("规模1014亿元 [1, 2]。", 3, "规模1014亿元 [1][2]。", []),
    ("规模1014亿元【2】", 3, "规模1014亿元[2]", []),
    ("规模1014亿元［1］［3］", 3, "规模1014亿元[1][3]", []),
    ("见[1-3]", 3, "见[1][2][3]", []),
    ("见[1、2]", 3, "见[1][2]", []),
    ("规模1014亿元 [7]。", 3, "规模1014亿元。", [7]),
    ("规模1014亿元[0][2]", 3, "规模1014亿元[2]", [0]),
])
def test_citation_marks_are_normalised_and_invented_ones_dropped(raw, count, text, dropped):
    assert normalise_citations(raw, count) == (text, dropped)


def test_cited_numbers_in_order_of_first_use():
    assert cited_numbers("a [3] b [1][3] c [2]") == [3, 1, 2]


def test_refusal_phrase_is_recognised_in_both_languages():
    assert is_refusal(f"抱歉，{REFUSAL_ZH}利润率的数据。")
    assert is_refusal(f"{REFUSAL_EN.lower()} the profit margin.")
    assert not is_refusal("规模为1014亿元[1]")


# -- the figure check ------------------------------------------------------------------------
def test_every_number_must_be_in_the_evidence_its_citation_names():
    assert unsupported_figures("规模为1014亿元[1]，地方政府占比33.9%[2]", [SIZE, SHARE]) == []
    # right figure, wrong citation: 33.9% is in [2], not in [1]
    assert unsupported_figures("地方政府占比33.9%[1]", [SIZE, SHARE]) == ["33.9"]
    # text after the last citation is held to everything the reply cites
    assert unsupported_figures("据报告[1]，规模为1014亿元。", [SIZE]) == []
    assert unsupported_figures("据报告[1]，规模为1015亿元。", [SIZE]) == ["1015"]


def test_figure_check_uses_the_same_normalisation_as_the_grounded_answerer():
    assert unsupported_figures("规模为1,014亿元，增长15.40%[1]", [SIZE]) == []
    assert unsupported_figures("规模为1014.5亿元[1]", [SIZE]) == ["1014.5"]


def test_list_ordinals_are_not_claims_but_numbers_in_items_are():
    assert unsupported_figures("1. 甲意见（2024年7月）[1]\n2. 乙意见[2]", [ROW1, ROW2]) == []
    assert unsupported_figures("1. 甲意见（2024年9月）[1]", [ROW1]) == ["9"]


def test_check_reply_renumbers_citations_in_order_of_use_and_bolds_figures():
    checked = check_reply("地方政府占比为33.9%[2]，市场规模1014亿元[1]。", [SIZE, SHARE])
    assert checked.ok and not checked.refused
    assert checked.text == "地方政府占比为**33.9%**[1]，市场规模**1014亿元**[2]。"
    assert checked.cited == [SHARE, SIZE]
    assert checked.figures == ["33.9%", "1014亿元"]


def test_check_reply_rejects_an_uncited_answer_and_an_empty_one():
    assert check_reply("市场规模很大。", [SIZE]).problem == "citations"
    assert check_reply("  <think>想一想</think>  ", [SIZE]).problem == "empty"


def test_check_reply_strips_reasoning_and_a_sources_list():
    checked = check_reply("<think>算一下 1000+14</think>规模为1014亿元[1]。\n\n来源：\n[1] 第3段（第9行）", [SIZE])
    assert checked.ok and checked.text == "规模为**1014亿元**[1]。"


def test_refusal_may_restate_the_question_but_not_invent_figures():
    assert check_reply(f"{REFUSAL_ZH}2030年的市场规模数据。", [SIZE], question="2030年市场规模是多少").ok
    bad = check_reply(f"{REFUSAL_ZH}利润率数据，估计约为12%。", [SIZE], question="利润率是多少")
    assert bad.problem == "figures" and bad.unsupported == ["12"]


def test_counts_computed_by_the_code_are_allowed():
    reply = "共有2项国家级政策：\n- 甲意见[1]\n- 乙意见[2]"
    assert check_reply(reply, [ROW1, ROW2]).unsupported == ["2"]
    assert check_reply(reply, [ROW1, ROW2], allowed={"2"}).ok


# -- the answerer with fake chat models ------------------------------------------------------
def test_faithful_reply_becomes_the_answer_with_its_citations():
    a = answer_with("地方政府占比最高，为33.9%[2]。")
    assert a.answerer == "llm:fake" and not a.refused and a.note == ""
    assert [c.chunk_id for c in a.citations] == [SHARE.id]
    assert a.text.startswith("地方政府占比最高，为**33.9%**[1]。") and "来源:\n[1] " + REPORT + " · 第5段" in a.text
    assert a.figures == ["33.9%"]


def test_invented_citations_are_removed_from_the_shown_answer():
    a = answer_with("市场规模为1014亿元[1][9]。")
    assert a.answerer == "llm:fake"
    assert "[9]" not in a.text and "[2]" not in a.text and len(a.citations) == 1


def test_answer_citing_only_invented_evidence_falls_back():
    a = answer_with("市场规模为1014亿元[9]。")
    assert a.answerer == "grounded" and "1014" in a.note


def test_figure_not_in_the_evidence_falls_back_to_the_grounded_answer_with_a_note(caplog):
    g, _ = grounded()
    with caplog.at_level("WARNING", logger="bot.llm"):
        a = answer_with("市场规模为1020亿元[1]。")
    assert a.answerer == "grounded" and a.text == g.text and a.citations == g.citations
    assert "1020" in a.note and a.note == fallback_note("zh", "figures", "1020")
    assert any("1020" in r.getMessage() for r in caplog.records)


def test_english_fallback_note_is_english():
    a = answer_with("The market was 1,020 yuan [1].", lang="en", question="How big was the market?")
    assert a.answerer == "grounded" and a.note.startswith("Showing the grounded answer") and "1020" in a.note


def test_refusal_reply_is_reported_as_refused():
    a = answer_with(f"{REFUSAL_ZH}智算中心行业利润率的数据。", question="智算中心行业利润率是多少？")
    assert a.refused and a.answerer == "llm:fake" and a.citations == [] and a.table is None


def test_model_error_falls_back():
    def boom(_):
        raise ConnectionError("refused")
    g, draft = grounded()
    a = LLMAnswerer(RunnableLambda(boom), name="llm:x")(g, ev(SIZE), draft)
    assert a.answerer == "grounded" and "ConnectionError" in a.note and a.text == g.text


def test_slow_model_falls_back_after_the_timeout():
    g, draft = grounded()
    slow = FakeListChatModel(responses=["规模为1014亿元[1]"], sleep=5)
    started = time.monotonic()
    a = LLMAnswerer(slow, name="llm:slow", timeout=0.3)(g, ev(SIZE), draft)
    assert time.monotonic() - started < 2
    assert a.answerer == "grounded" and a.note == fallback_note("zh", "timeout", "0.3")


def test_timeout_must_be_positive():
    with pytest.raises(BotError, match="greater than 0"):
        LLMAnswerer(fake("x"), timeout=0)


def test_table_rows_keep_their_citations_renumbered():
    table = {"caption": "政策", "header": ["层级", "政策名称"], "rows": [["国家级", "甲意见"], ["国家级", "乙意见"]],
             "citations": [1, 2]}
    g, draft = grounded(chunks=(ROW1, ROW2), table=table, allowed_numbers={"2"})
    a = LLMAnswerer(fake("共有2项：乙意见[2]、甲意见[1]。"), name="llm:fake")(g, ev(ROW1, ROW2), draft)
    assert a.answerer == "llm:fake"
    assert [c.chunk_id for c in a.citations] == [ROW2.id, ROW1.id]
    assert a.table["citations"] == [2, 1] and a.table["rows"] == table["rows"]


def test_table_rows_the_reply_did_not_cite_are_still_listed_as_sources():
    table = {"caption": "政策", "header": ["政策名称"], "rows": [["甲意见"], ["乙意见"]], "citations": [1, 2]}
    g, draft = grounded(chunks=(ROW1, ROW2), table=table)
    a = LLMAnswerer(fake("乙意见于2024年10月发布[2]。"), name="llm:fake")(g, ev(ROW1, ROW2), draft)
    assert [c.chunk_id for c in a.citations] == [ROW2.id, ROW1.id] and a.table["citations"] == [2, 1]


def test_stream_yields_growing_text_then_the_checked_answer():
    g, draft = grounded()
    model = GenericFakeChatModel(messages=iter([AIMessage(content="市场 规模 为 1014亿元 [1] 。")]))
    items = list(LLMAnswerer(model, name="llm:fake").stream(g, ev(SIZE), draft))
    partial, final = items[:-1], items[-1]
    assert len(partial) > 2 and all(isinstance(p, str) for p in partial)
    assert all(b.startswith(a) for a, b in zip(partial, partial[1:]))
    assert isinstance(final, Answer) and final.answerer == "llm:fake" and "**1014亿元**" in final.text


def test_stream_with_a_bad_figure_ends_in_the_grounded_answer():
    g, draft = grounded()
    model = GenericFakeChatModel(messages=iter([AIMessage(content="市场 规模 为 2000亿元 [1] 。")]))
    items = list(LLMAnswerer(model, name="llm:fake").stream(g, ev(SIZE), draft))
    assert any("2000" in p for p in items[:-1])  # shown while it arrived, never final
    assert items[-1].answerer == "grounded" and "2000" in items[-1].note and "2000" not in items[-1].text


def test_stream_hides_reasoning_while_it_arrives():
    g, draft = grounded()
    model = GenericFakeChatModel(messages=iter([AIMessage(content="<think> 先 想 </think> 规模 1014亿元 [1]")]))
    items = list(LLMAnswerer(model, name="llm:fake").stream(g, ev(SIZE), draft))
    assert not any("想" in p for p in items[:-1]) and items[-1].answerer == "llm:fake"


# -- follow-up rewriting ---------------------------------------------------------------------
def test_rewrite_uses_the_model_and_falls_back_to_the_rule_based_question():
    history = [Q]
    llm = LLMAnswerer(fake("2024年我国智算中心行业市场规模的增速是多少？"))
    assert llm.rewrite("增速呢？", history, "RULE") == "2024年我国智算中心行业市场规模的增速是多少？"
    assert LLMAnswerer(fake("2025年的增速是多少？")).rewrite("增速呢？", history, "RULE") == "RULE"  # invented year
    assert LLMAnswerer(fake("")).rewrite("增速呢？", history, "RULE") == "RULE"
    model = fake("never used")
    assert LLMAnswerer(model).rewrite("增速呢？", [], "RULE") == "RULE" and model.i == 0


def test_rewrite_prompt_lists_the_history():
    (_, system), (_, user) = rewrite_messages("增速呢？", ["第一个问题", "第二个问题"])
    assert system == prompts.REWRITE_SYSTEM
    assert "- 第一个问题\n- 第二个问题" in user and "Latest question: 增速呢？" in user


# -- make_answerer ---------------------------------------------------------------------------
@pytest.mark.parametrize("spec", ["gpt-4o", "openai:", "anthropic:claude", ":x"])
def test_bad_llm_setting_names_the_value(spec):
    from bot.settings import Settings
    with pytest.raises(BotError, match=re.escape(f"Currently, it is '{spec}'")):
        make_answerer(Settings().with_(llm=spec))


def test_openai_needs_a_key_or_an_endpoint(monkeypatch):
    from bot.settings import Settings
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(BotError, match="OPENAI_API_KEY"):
        make_answerer(Settings().with_(llm="openai:gpt-4o-mini"))


def test_make_answerer_builds_the_named_clients(monkeypatch):
    from langchain_ollama import ChatOllama
    from langchain_openai import ChatOpenAI

    from bot.settings import Settings
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    a = make_answerer(Settings().with_(llm="openai:deepseek-chat", llm_timeout=7))
    assert isinstance(a.model, ChatOpenAI) and a.name == "llm:openai:deepseek-chat" and a.timeout == 7
    assert a.model.model_name == "deepseek-chat" and a.model.openai_api_base == "http://127.0.0.1:9/v1"
    b = make_answerer(Settings().with_(llm="ollama:qwen2.5:7b"))
    assert isinstance(b.model, ChatOllama) and b.model.model == "qwen2.5:7b" and b.name == "llm:ollama:qwen2.5:7b"


# -- through a scripted OpenAI-compatible server ---------------------------------------------
def evidence_number(request: Request, needle: str) -> int:
    """The number the prompt gave to the evidence that contains `needle`."""
    blocks = re.split(r"\n\n(?=\[\d+\] )", request.user.split("Evidence:\n", 1)[1])
    for block in blocks:
        if needle in block:
            return int(re.match(r"\[(\d+)\]", block).group(1))
    raise AssertionError(f"{needle!r} not in the evidence sent")


def is_rewrite(request: Request) -> bool:
    return request.system == prompts.REWRITE_SYSTEM


@pytest.fixture
def scripted(monkeypatch):
    with ScriptedLLM() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("OLLAMA_HOST", server.url)
        yield server


@pytest.fixture
def llm_assistant(shipped_index, assistant, scripted):
    def make(spec="openai:scripted-model", timeout=10.0):
        settings = shipped_index.with_(llm=spec, llm_timeout=timeout)
        return Assistant(settings, index=assistant.index, answerer=make_answerer(settings))
    return make


def faithful(request: Request) -> str:
    n = evidence_number(request, "1014亿元")
    return f"到2024年，我国智算中心行业市场规模达到1014亿元，同比增长15.4%[{n}]。"


def test_server_faithful_reply_is_shown_with_its_citations(llm_assistant, scripted, assistant):
    scripted.respond = faithful
    a = llm_assistant().ask(Q)
    assert a.answerer == "llm:openai:scripted-model" and a.note == "" and not a.refused
    assert "**1014亿元**" in a.text and "**15.4%**" in a.text and a.text.count("[1]") == 2
    assert len(a.citations) == 1 and "1014亿元" in a.citations[0].quote
    sent = scripted.requests[-1]
    assert sent.body["model"] == "scripted-model" and not sent.stream
    assert REFUSAL_ZH in sent.system and Q in sent.user
    assert a.to_json()["answerer"] == "llm:openai:scripted-model"


def test_server_streamed_reply_arrives_in_pieces_and_ends_checked(llm_assistant, scripted):
    scripted.respond = lambda req: Reply(faithful(req), piece=2)
    items = list(llm_assistant().stream(Q))
    assert scripted.requests[-1].stream
    assert len(items) > 5 and all(isinstance(i, str) for i in items[:-1])
    final = items[-1]
    assert isinstance(final, Answer) and final.answerer == "llm:openai:scripted-model" and final.seconds > 0
    assert items[-2].replace("**", "").startswith("到2024年") and "**1014亿元**" in final.text


def test_server_reply_with_a_figure_not_in_the_evidence_falls_back(llm_assistant, scripted, assistant):
    scripted.respond = lambda req: f"2024年市场规模为1114亿元[{evidence_number(req, '1014亿元')}]。"
    a = llm_assistant().ask(Q)
    plain = assistant.ask(Q)
    assert a.answerer == "grounded" and "1114" in a.note
    assert a.text == plain.text and a.figures == plain.figures
    assert a.to_json()["answerer"] == "grounded" and "1114" in a.to_json()["note"]


@pytest.mark.parametrize("streaming", [False, True])
def test_server_that_hangs_falls_back_after_the_timeout(llm_assistant, scripted, assistant, streaming):
    scripted.respond = lambda req: Reply(faithful(req), hang_after=2, piece=4) if streaming else Reply("x", hang=60)
    bot = llm_assistant(timeout=1.0)
    started = time.monotonic()
    items = list(bot.stream(Q)) if streaming else [bot.ask(Q)]
    took = time.monotonic() - started
    final = items[-1]
    assert 1.0 <= took < 5, took
    assert final.answerer == "grounded" and final.note == fallback_note("zh", "timeout", "1")
    assert final.text == assistant.ask(Q).text
    if streaming:
        assert any(isinstance(i, str) and i for i in items[:-1])  # the first pieces were shown


def test_server_refusal_is_reported_as_refused(llm_assistant, scripted):
    scripted.push(f"{REFUSAL_ZH}智算中心行业利润率的数据。")
    a = llm_assistant().ask("智算中心行业利润率是多少？")
    assert a.refused and a.answerer == "llm:openai:scripted-model" and a.to_json()["refused"] is True


def test_server_invented_citation_is_removed(llm_assistant, scripted):
    scripted.respond = lambda req: faithful(req).replace("]。", "][42]。")
    a = llm_assistant().ask(Q)
    assert a.answerer == "llm:openai:scripted-model" and "[42]" not in a.text and len(a.citations) == 1


def test_server_error_falls_back(llm_assistant, scripted):
    scripted.push(Reply("overloaded", status=503))
    a = llm_assistant().ask(Q)
    assert a.answerer == "grounded" and a.note.startswith("以下为基于原文的回答：调用大模型出错")


def test_server_rewrites_a_follow_up_and_the_rule_based_question_is_the_fallback(llm_assistant, scripted, assistant):
    standalone = "2024年我国智算中心行业市场规模的同比增速是多少？"

    def script(req):
        if is_rewrite(req):
            return standalone
        n = evidence_number(req, "15.4%")
        return f"同比增长15.4%[{n}]。"
    scripted.respond = script
    bot = llm_assistant()
    a = bot.ask("增速呢？", [Q])
    assert a.standalone == standalone and a.answerer == "llm:openai:scripted-model" and "**15.4%**" in a.text
    assert "Latest question: 增速呢？" in scripted.requests[0].user and Q in scripted.requests[0].user
    # a rewrite that fails leaves the rule-based resolution in place
    scripted.requests.clear()
    scripted.respond = lambda req: Reply("down", status=500) if is_rewrite(req) else script(req)
    b = bot.ask("增速呢？", [Q])
    assert b.standalone == assistant.standalone("增速呢？", [Q]) and b.answerer == "llm:openai:scripted-model"


def test_server_ollama_client_is_driven_the_same_way(llm_assistant, scripted):
    scripted.respond = faithful
    a = llm_assistant("ollama:qwen2.5:7b").ask(Q)
    assert scripted.requests[-1].path == "/api/chat" and scripted.requests[-1].body["model"] == "qwen2.5:7b"
    assert a.answerer == "llm:ollama:qwen2.5:7b" and "**1014亿元**" in a.text
    scripted.respond = lambda req: f"规模为999亿元[{evidence_number(req, '1014亿元')}]"
    assert llm_assistant("ollama:qwen2.5:7b").ask(Q).answerer == "grounded"


def test_scripted_server_answers_500_when_nothing_is_scripted(scripted):
    import httpx
    r = httpx.post(scripted.base_url + "/chat/completions", json={"model": "m", "messages": []})
    assert r.status_code == 500 and len(scripted.requests) == 1


@pytest.mark.slow
def test_bot_ask_json_reports_the_answerer(shipped_index, scripted):
    answers = []

    def script(req):
        if is_rewrite(req):
            return Q
        answers.append(req)
        figure = "1014亿元" if len(answers) == 1 else "1017亿元"  # the second one is not in the report
        return f"规模为{figure}[{evidence_number(req, '1014亿元')}]。"
    scripted.respond = script
    env = {**os.environ, "BOT_INDEX_DIR": str(shipped_index.index_dir), "BOT_LLM": "openai:scripted-model",
           "BOT_LLM_TIMEOUT": "10"}
    bot = Path(sys.executable).parent / "bot"
    out = subprocess.run([str(bot), "ask", "--json", Q, Q], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    first, second = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    assert len(answers) == 2
    assert first["answerer"] == "llm:openai:scripted-model" and first["note"] == "" and "**1014亿元**" in first["answer"]
    assert second["answerer"] == "grounded" and "1017" in second["note"] and "1017" not in second["answer"]
    assert "LLM answer not used" in out.stderr  # logged
