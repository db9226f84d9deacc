"""What a question asks: the kind of value it wants."""
import pytest

from bot.question import analyse


@pytest.mark.parametrize("question", [
    "What was the symbol of the common stock prior to July 27, 2016?",
    "In the 2019 annual report of Acme, what is the main source of receivables?",
])
def test_an_english_what_question_dated_but_not_asking_a_figure_wants_a_describing_sentence(question):
    assert analyse(question).intent == "define"


@pytest.mark.parametrize("question", [
    "What was the adjustment in 2019?",
    "What was the revenue?",
    "For fiscal 2018, what were the other assets?",
])
def test_an_english_what_question_for_a_years_value_wants_a_figure(question):
    assert analyse(question).intent == "value"


@pytest.mark.parametrize("question, intent", [
    ("董事会哪天审议通过了该议案？", "when"),
    ("首店开业时间？", "when"),
    ("What date was the dividend paid?", "when"),
    ("新设的控股子公司叫什么名字？", "who"),
    ("国务院公布了哪部行政法规？", "who"),
    ("What is the name of the auditor?", "who"),
    ("公司总部在哪里？", "where"),
    ("Where is the company headquartered?", "where"),
    ("营业收入为什么下降？", "why"),
    ("2024年营业收入是多少？", "value"),
])
def test_interrogatives_set_the_kind_of_answer(question, intent):
    # the interrogatives of Chinese and English grammar (bot/data/vocab/interrogatives.tsv)
    assert analyse(question).intent == intent


def test_an_english_follow_up_with_a_new_year_asks_the_same_for_that_year():
    from bot.question import resolve

    assert resolve("And in 2020?", "What was Acme's net income in 2021?") == "What was Acme's net income in 2020?"


def test_a_follow_up_a_year_earlier_asks_the_previous_question_one_year_back():
    from bot.question import resolve

    assert resolve("And a year earlier?", "What were Acme's sales in the first half of 2023?") == \
        "What were Acme's sales in the first half of 2022?"
    assert resolve("上一年呢？", "2023年全市地区生产总值是多少？") == "2022年全市地区生产总值是多少？"
    # "a year ago" is a column of a dated report ("Year Ago"), not the year before the question's
    assert "2016" not in resolve("And a year ago?", "What was the tallow price for the week ending February 24, 2017?")


def test_an_english_follow_up_naming_a_period_keeps_the_previous_subject():
    from bot.question import resolve

    # "the same quarter" names a period (glossary 季度), not a new subject: only the year changes
    assert resolve("And in the same quarter of fiscal 2023?", "What was Acme's net income in the third quarter of fiscal 2024?") \
        == "What was Acme's net income in the third quarter of fiscal 2023?"
    # "a year ago" (a dated report's column) is kept with the previous question
    assert resolve("And a year ago?", "What was the tallow price for the week ending February 24, 2017?").endswith("a year ago")


def test_a_verb_the_vocabulary_knows_as_a_measure_is_a_term_after_its_noun():
    from bot.question import analyse

    # "支出" is tagged a verb; after the noun it measures it is what the question asks
    assert "支出" in [t.text for t in analyse("2023年全国失业保险基金支出多少？").terms]


def test_a_follow_up_naming_a_new_measure_with_part_of_the_old_subject_swaps_the_measure():
    from bot.question import resolve

    assert resolve("基金支出呢？", "2023年全国失业保险基金收入多少？") == "2023年全国失业保险基金支出多少？"


def test_a_determiner_of_totality_is_no_term_a_report_must_say():
    # "全体居民" is the residents, all of them: a report writes "全市居民" or "居民"
    terms = [t.text for t in analyse("2024年全体居民人均可支配收入是多少？").terms]
    assert terms and not any("全体" in t for t in terms)
    assert any("居民" in t for t in terms)
