"""Short answers that are not figures (bot.spans): the kind a question asks, and the span read
from a made-up sentence or table cell next to the question's role word."""
from bot import spans
from bot.answer import _draft_from_span, _span_candidates
from bot.figures import find_dates
from bot.match import needs_of
from bot.question import analyse
from bot.types import Chunk, Evidence


class FakeIndex:
    """What the span path reads of an index: no learned terms, no tables, no other chunks."""
    learned: dict = {}
    tables: dict = {}
    chunks: list = []

    def idf(self, token: str) -> float:
        return 1.0

    def mentions(self, term: str) -> bool:
        return False


def kind_of(question: str) -> str:
    q = analyse(question)
    return spans.asked(q.text, q.intent)


def test_the_kind_of_span_a_question_asks():
    assert kind_of("示例股份的实际控制人是谁？") == "name"
    assert kind_of("Who audited Example Corp's 2021 financial statements?") == "name"
    assert kind_of("示例公司是哪天披露这份公告的？") == "date"
    assert kind_of("When is the company's annual general meeting?") == "date"
    assert kind_of("示例股份2019年资产减值损失主要是什么原因形成的？") == "reason"
    assert kind_of("示例市统计公报里，增长速度是按什么价格计算的？") == "reason"
    assert kind_of("示例报告认为指数回升是在什么背景下出现的？") == "reason"
    assert kind_of("What does Example Corp's other revenue mainly include?") == "contents"
    # a figure question is never answered with a span
    assert kind_of("示例股份2023年营业收入是多少？") == ""
    assert kind_of("How much revenue did Example Corp report in 2021?") == ""


def test_a_name_right_after_its_role_word():
    text = "公司控股股东、实际控制人张明远与李华、王芳为一致行动人。"
    span = spans.read("name", text, ["实际控制人", "控股股东"], "zh")
    assert span is not None and span.text == "张明远" and span.near == 1.0


def test_an_organisation_after_a_role_noun_starts_after_it():
    text = "主要原因是报告期内处置全资子公司示例大酒店有限公司100%股权，确认投资收益。"
    span = spans.read("name", text, ["全资子公司", "处置"], "zh")
    assert span is not None and span.text == "示例大酒店有限公司"


def test_a_name_under_the_role_column_of_a_table():
    span = spans.read("name", "示例工业集团有限公司", ["实际控制人"], "zh", header="实际控制人名称")
    assert span is not None and span.text == "示例工业集团有限公司" and span.near == 1.0
    # a telephone number under a role's column is no name
    assert spans.read("name", "(308) 555-0100", ["officer"], "en", header="Jane Roe, Chief Officer") is None


def test_no_name_when_the_role_word_is_not_there():
    assert spans.read("name", "张明远出席了本次会议。", ["实际控制人"], "zh") is None


def test_english_person_and_firm_next_to_the_role():
    # the company the question names is its subject, not the answer (bot.answer drops it)
    q = analyse("Who is Example Retail's chief financial officer?")
    contact = Chunk(id="r1", file="r.htm", report="Example Retail third quarter results", kind="row",
                    text="表2｜Jane Q. Roe, Chief Financial Officer Example Retail, Inc.：(308) 555-0100",
                    location="表「表2」第1行", table_id="r.htm#2", caption="表2",
                    header=("Jane Q. Roe, Chief Financial Officer Example Retail, Inc.",), cells=("(308) 555-0100",))
    found = _span_candidates(q, "name", [Evidence(contact, 0.9)], FakeIndex(), needs_of(q, FakeIndex()))
    assert [c.span.text for c in found] == ["Jane Q. Roe"]
    text = "/s/ Smith & Jones LLP Denver, Colorado We have served as the Company's auditor since 2015."
    span = spans.read("name", text, ["auditor", "audit"], "en")
    assert span is not None and span.text == "Smith & Jones LLP"


def test_the_title_of_a_work_that_holds_the_question_words():
    text = "国务院公布《示例保险经办条例》，某部公布《示例保险基金监督举报工作管理办法》《示例机构管理规定》。"
    span = spans.read("name", text, ["示例保险", "经办", "公布", "法规"], "zh")
    assert span is not None and span.text == "示例保险经办条例"


def test_several_names_when_several_are_asked():
    text = "The key players in the market include Alpha Fibres Inc., Beta Decking Company and Gamma LLC."
    span = spans.read("name", text, ["key", "players"], "en", question="Who are the key players?")
    assert span is not None
    for name in ("Alpha Fibres Inc.", "Beta Decking Company", "Gamma LLC"):
        assert name in span.text


def test_a_date_next_to_the_event_and_a_range():
    text = "公司控股股东与一致行动人原为一致。2023年5月12日，公司披露了《关于解除一致行动关系的公告》。"
    span = spans.read("date", text, ["披露", "公告"], "zh", question="哪天披露的？")
    assert span is not None and span.text == "2023年5月12日"
    span = spans.read("date", "2025年春节假期8天（1月28日至2月4日），出游人次增长。", ["春节假期"], "zh",
                      question="春节假期是从哪天到哪天？")
    assert span is not None and span.text == "1月28日至2月4日"
    # a day asked, only a year said
    assert spans.read("date", "详见《统计年鉴-2025》。", ["统计"], "zh", question="公报是哪天发布的？") is None


def test_an_english_date_with_its_month_in_words_names_a_day():
    text = "Markets were jolted by the April 2 tariff announcements in 2025."
    span = spans.read("date", text, ["tariff", "announcements"], "en", question="On what date were the announcements?")
    assert span is not None and span.text == "April 2"


def test_english_ordinal_dates_are_dates():
    assert [m.group() for m in find_dates("to be held on 29 th August, 2022.")] == ["29 th August, 2022"]
    assert [m.group() for m in find_dates("held on 3rd May 2021")] == ["3rd May 2021"]


def test_the_reason_clause_that_says_the_question_words():
    text = "地区生产总值绝对数按现价计算，增长速度按不变价格计算。"
    span = spans.read("reason", text, ["增长速度", "价格"], "zh")
    assert span is not None and span.text == "增长速度按不变价格计算"
    span = spans.read("reason", "在暂缓新股发行的背景下，下半年壳价值升温。", ["壳价值"], "zh")
    assert span is not None and span.text == "在暂缓新股发行的背景下"
    span = spans.read("reason", "主要是本期计提存货跌价准备形成", [], "zh", header="形成原因说明")
    assert span is not None and span.text == "主要是本期计提存货跌价准备形成"
    span = spans.read("reason", "Revenue increased, primarily due to the re-opening of our customers' venues.",
                      ["revenue"], "en")
    assert span is not None and "re-opening of our customers' venues" in span.text


def test_what_something_consists_of():
    span = spans.read("contents", "Other revenue mainly includes rental income and consulting fees.",
                      ["other", "revenue"], "en")
    assert span is not None and "rental income and consulting fees" in span.text


def _chunk(text: str, n: int = 1) -> Chunk:
    return Chunk(id=f"c{n}", file="r.txt", report="示例股份2024年年度报告", kind="paragraph", text=text,
                 location=f"第{n}段")


def test_the_answer_states_the_span_first_and_cites_the_sentence():
    q = analyse("示例股份的实际控制人是谁？")
    needs = needs_of(q, FakeIndex())
    evidence = [Evidence(_chunk("报告期内公司营业收入12.5亿元，同比增长3.1%。", 1), 0.9),
                Evidence(_chunk("公司控股股东、实际控制人张明远与李华为一致行动人。", 2), 0.8)]
    found = _span_candidates(q, "name", evidence, FakeIndex(), needs)
    assert [c.span.text for c in found] == ["张明远"]
    draft = _draft_from_span(q, found[0])
    head = draft.body.partition("\n")[0]
    assert head.startswith("**张明远**") and "[1]" in head
    assert "实际控制人张明远" in draft.body and draft.chunks[0].id == "c2"


def test_the_title_of_a_numbered_part_is_its_heading_line():
    question = "What is the title of chapter 2 of the Example Outlook report?"
    assert kind_of(question) == "title"
    assert kind_of("示例报告第三章的标题是什么？") == "title"
    # a heading run on with a figure's caption in a page's text: the title stops before the caption
    span = spans.read("title", "CHAPTER 2 Calm Waters Ahead: Risks amid Change Figure 2.1. Asset Prices", [], "en",
                      question=question)
    assert span is not None and span.text == "Calm Waters Ahead: Risks amid Change" and span.near == 1.0
    # another chapter's heading, or a cross-reference inside a sentence, names no title of chapter 2
    assert spans.read("title", "CHAPTER 3 Stormy Seas", [], "en", question=question) is None
    assert spans.read("title", "Bank fragilities are rising (see Chapter 2).", [], "en", question=question) is None
    span = spans.read("title", "第三章 市场规模与增长\n本章介绍市场规模。", [], "zh", question="示例报告第三章的标题是什么？")
    assert span is not None and span.text == "市场规模与增长"
    # the word asking for the title is the question's frame, not a word the heading must say
    assert "title" not in [n.text for n in needs_of(analyse(question), FakeIndex()).items]


def test_a_reason_s_coverage_reads_the_sentence_it_was_read_from():
    from bot import decision
    q = analyse("Why did Example Corp's revenue rise in 2021?")
    needs = needs_of(q, FakeIndex())
    text = "Revenue was $5.2 million in 2021, up 40%. This increase was primarily due to new customers in Asia."
    evidence = [Evidence(_chunk(text, 1), 0.9)]
    found = _span_candidates(q, "reason", evidence, FakeIndex(), needs)
    assert found and "new customers in Asia" in found[0].span.text
    best = found[0]
    draft = _draft_from_span(q, best)
    alone = decision.Proposal(draft, "text", span=best.span.text, span_near=best.span.near)
    read = decision.Proposal(draft, "text", span=best.span.text, span_near=best.span.near,
                             span_sentence=best.sentence)
    # the span "due to new customers in Asia" does not say what rose; its sentence does (revenue)
    assert decision.features(needs, evidence, read, FakeIndex())["missing_share"] < \
        decision.features(needs, evidence, alone, FakeIndex())["missing_share"]


def test_a_cause_inside_another_cause_s_clause_is_not_the_reason():
    # (the question's word, in the next sentence, stands nearer the inner cause)
    text = ("This increase was directly attributable to the re-opening of our customers' venues after the "
            "restrictions due to the pandemic were lifted. Online revenue rose too.")
    span = spans.read("reason", text, ["revenue"], "en")
    assert span is not None and span.text.startswith("attributable to the re-opening")
