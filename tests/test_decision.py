"""The one fitted answer/no-answer decision (bot.decision, bot.fit_decision)."""
import json

import pytest

from bot.answer import REFUSAL_EN, REFUSAL_ZH, Draft, _hedge
from bot.question import analyse
from tests.conftest import build_index

# a made-up company report: one company, one year, a table of stores by region
STORES = """# 青禾科技股份有限公司2024年年度报告

## 门店情况

2024年，青禾科技门店网络继续扩张，全年实现营业收入12.5亿元，同比增长8.2%。

表1 2024年末门店分布
| 门店 | 所在区域 | 面积（平方米） |
|---|---|---|
| 南京一店 | 华东 | 320 |
| 杭州一店 | 华东 | 280 |
| 上海一店 | 华东 | 410 |
| 广州一店 | 华南 | 260 |
| 成都一店 | 西南 | 300 |

资料来源：公司年报
"""


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    from bot.chain import Assistant

    corpus = tmp_path_factory.mktemp("stores-corpus")
    (corpus / "青禾科技2024年年度报告.md").write_text(STORES, encoding="utf-8")
    return Assistant(build_index(corpus, tmp_path_factory.mktemp("stores-index")))


def test_a_count_of_the_report_s_own_company_and_year_is_answered(stores):
    answer = stores.ask("青禾科技2024年末华东区域有几家门店？")
    assert not answer.refused, answer.text
    assert "3" in answer.text.split("\n")[0], answer.text


def test_a_count_for_another_company_is_refused(stores):
    answer = stores.ask("白河电子2024年末华东区域有几家门店？")
    assert answer.refused and answer.text.startswith(REFUSAL_ZH), answer.text


def test_a_count_for_another_year_is_refused(stores):
    answer = stores.ask("青禾科技2021年末华东区域有几家门店？")
    assert answer.refused and answer.text.startswith(REFUSAL_ZH), answer.text


def test_a_table_path_s_answer_goes_through_the_decision(stores, monkeypatch):
    """The record table's count is judged like any sentence: with a model that finds nothing
    answerable, the same count is refused."""
    from bot import decision
    from bot.answer import compose

    question = "青禾科技2024年末华东区域有几家门店？"
    query = analyse(question)
    evidence = [d.metadata["evidence"] for d in stores.retriever.invoke(question)]
    draft = compose(query, evidence, stores.index)
    assert not draft.refused and draft.features["path_record"] == 1.0 and draft.answerable_probability > 0.5
    sure_not = decision.Model(("hand",), (0.0,), -5.0, (0.0,), (1.0,), 0.9)
    monkeypatch.setattr(decision, "load", lambda *a: sure_not)
    refused = compose(query, evidence, stores.index)
    assert refused.refused and refused.answerable_probability < 0.5, refused.body


def test_answerable_probability_is_given_and_a_probability(stores):
    for question in ("青禾科技2024年营业收入是多少？", "白河电子2021年净利润是多少？"):
        answer = stores.ask(question)
        p = answer.answerable_probability
        assert p is not None and 0.0 <= p <= 1.0, (question, p)
        assert answer.to_json()["answerable_probability"] == pytest.approx(p, abs=1e-4)
    assert stores.ask("青禾科技2024年营业收入是多少？").answerable_probability > \
        stores.ask("白河电子2021年净利润是多少？").answerable_probability


def test_a_less_sure_answer_says_so_in_the_question_s_language():
    zh = Draft(body="2024年营业收入为**12.5亿元**。 [1]\n\n> 引文 [1]", refused=False)
    _hedge(analyse("营业收入是多少？"), zh)
    assert zh.body.startswith("报告中最接近的是：") and "请核对" in zh.body.split("\n")[0]
    en = Draft(body="According to the report: Revenue was **$5 million**. [1]", refused=False)
    _hedge(analyse("What was revenue?"), en)
    assert en.body.startswith("The closest the report comes is") and "please check" in en.body
    assert not en.body.startswith(REFUSAL_EN)


def test_fit_reproduces_the_shipped_weights():
    """The stored dump refitted gives the shipped weights exactly (`make refit`)."""
    from bot import decision
    from bot.fit_decision import DUMP, fit, load_dump

    shipped = json.loads(decision.WEIGHTS.read_text(encoding="utf-8"))
    weights = fit(load_dump(DUMP))
    assert json.loads(json.dumps(weights)) == shipped
