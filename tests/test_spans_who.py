"""Who/which/when answers read as short spans (bot.spans, bot.answer's span path): the one a
sentence ranks first, a short name stated in full as the report defines it, a release date read
from a section's front matter. Made-up sentences only."""
from bot import spans
from bot.answer import _draft_from_span, _span_candidates
from bot.match import needs_of
from bot.question import analyse
from bot.types import Chunk, Evidence


class FakeIndex:
    learned: dict = {}
    tables: dict = {}

    def __init__(self, chunks=()):
        self.chunks = list(chunks)

    def idf(self, token: str) -> float:
        return 1.0

    def mentions(self, term: str) -> bool:
        return False


def _para(text: str, n: int = 1, section: str = "") -> Chunk:
    return Chunk(id=f"p{n}", file="r.txt", report="示例行业2024年年度综述", kind="paragraph", text=text,
                 location=f"第{n}段", section=section)


RANKING = ("据示例机构数据，2024年国内平板电脑出货量达到3000万台，同比增长5%。"
           "甲品牌以900万台、30%的市场份额排名第一；乙品牌出货800万台，升至第二；丙品牌出货500万台，降至第三。")


def test_the_one_a_sentence_ranks_first_is_its_subject():
    question = "2024年国内平板电脑出货量排第一的是哪家？"
    span = spans.read("name", "甲品牌以900万台、30%的市场份额排名第一；", ["出货量"], "zh", question=question)
    assert span is not None and span.text == "甲品牌" and span.near == 1.0
    # another name of the ranking is not near the rank asked
    other = spans.read("name", "乙品牌出货800万台，升至第二；", ["出货量"], "zh", question=question)
    assert other is None or other.near == 0.0
    # a rank before its copula names the one after it: no subject is read
    assert spans._ranked("年度票房冠军是春节档影片《示例》。", ["票房"], "zh") is None
    span = spans.read("name", "Acme ranked first with a 30% share, followed by Beta.", ["tablet"], "en",
                      question="Which vendor was the top tablet vendor in 2024?")
    assert span is not None and span.text == "Acme"


def test_the_ranked_first_answers_with_the_frame_of_the_sentences_before():
    q = analyse("2024年国内平板电脑出货量排第一的是哪家？")
    needs = needs_of(q, FakeIndex())
    found = _span_candidates(q, "name", [Evidence(_para(RANKING), 0.9)], FakeIndex(), needs)
    best = max(found, key=lambda c: (c.score + c.span.near, -c.rank))
    assert best.span.text == "甲品牌"
    assert _draft_from_span(q, best).body.startswith("**甲品牌**")


def test_a_short_name_is_stated_in_full_with_its_definition_cited():
    glossary = Chunk(id="g1", file="r.txt", report="示例股份2024年年度报告", kind="row",
                     text="释义｜释义项：远东集团｜指：指；释义内容：远东工业集团有限公司",
                     location="表「释义」第1行", cells=("远东集团", "指", "远东工业集团有限公司"))
    defined = _para("公司全资子公司示例新材料有限公司（以下简称“示例新材”）于2024年投产。", 2)
    names = spans.full_names([glossary, defined])
    assert names["远东集团"][0] == "远东工业集团有限公司"
    assert names["示例新材"][0] == "示例新材料有限公司"
    q = analyse("示例股份的实际控制人是谁？")
    sentence = _para("北方控股为公司控股股东，公司实际控制人为远东集团。", 3)
    index = FakeIndex([glossary, defined, sentence])
    found = _span_candidates(q, "name", [Evidence(sentence, 0.9)], index, needs_of(q, index))
    found = [c for c in found if c.chunk.id == "p3"]
    assert found and found[0].span.text == "远东集团"
    draft = _draft_from_span(q, found[0], index)
    head = draft.body.partition("\n")[0]
    assert head.startswith("**远东工业集团有限公司**（远东集团）")
    assert any("远东工业集团有限公司" in c.text for c in draft.chunks)  # the definition is cited
    # an undefined name stays as the report says it
    assert _draft_from_span(q, found[0], FakeIndex([sentence])).body.startswith("**远东集团**")


def test_a_release_date_after_the_asked_year_is_read_from_the_section_front_matter():
    title = "2024年示例市国民经济和社会发展统计公报"
    front = _para("发布日期：2025-04-24 浏览次数：100", 1, section=title)
    body = _para("全年地区生产总值1000亿元，比上年增长5.0%。", 2, section=title)
    q = analyse(f"{title}是哪天发布的？")
    index = FakeIndex([front, body])
    found = _span_candidates(q, "date", [Evidence(body, 0.9)], index, needs_of(q, index))
    assert [c.span.text for c in found] == ["2025-04-24"]
    assert found[0].score > 0.3  # the release's year is not held against the report's


def test_the_issuer_of_a_report_is_the_name_its_source_lines_and_disclaimer_repeat():
    pages = [_para("2024年示例家电线上零售额12亿元。 数据来源：远见数据（YJ）线上监测数据 -2-", 1),
             _para("线下KA市场零售额5亿元，同比下降3%。数据来源：远见数据（YJ）线下监测数据 -3-", 2),
             _para("注：内环为2023年，外环为2024年。数据来源：远见数据（YJ）推总数据 -4-", 3),
             _para("品牌A份额21%，品牌B份额17%。数据来源：某协会（CA）", 4)]
    assert spans.publisher(pages)[0] == "远见数据"
    # a report that names no one name more often than another has no issuer read from it
    assert spans.publisher(pages[:1] + pages[3:]) is None
    q = analyse("2024年示例家电市场总结是哪家机构呈送的？")
    index = FakeIndex(pages)
    found = _span_candidates(q, "name", [Evidence(pages[3], 0.9)], index, needs_of(q, index))
    assert "远见数据" in [c.span.text for c in found]
    # a question that asks no issuer reads none
    q = analyse("2024年示例家电市场份额最高的是哪个品牌？")
    found = _span_candidates(q, "name", [Evidence(pages[3], 0.9)], index, needs_of(q, index))
    assert "远见数据" not in [c.span.text for c in found]
