"""What an English question names that a passage must say, and what is only its wording: the
asking verb, the "how big" adjective, the period it names as a glossary term, and a report's
own company named in full (synthetic reports and questions, no dev material)."""
from types import SimpleNamespace

from conftest import TextIndex

from bot.match import needs_of, periods_in
from bot.question import analyse
from bot.sections import scoped_needs

TEXT = ("acme annual report 2021. Acme sold 1,200 widgets. Sales were $4.5 million in 2021. "
        "The widget market was valued at 3.1 billion in 2023.")


class FakeIndex(TextIndex):
    text_blob = TEXT
    reports = [("acme_annual_report_2021.pdf", "acme annual report 2021")]


def _needs(question: str):
    return needs_of(analyse(question), FakeIndex())


def _texts(question: str) -> list[str]:
    return [n.text for n in _needs(question).items]


def test_an_asking_verb_is_no_term_a_passage_must_say():
    # "sell" is how the asker words the measure; the report says "sales"
    assert "sell" not in _texts("How much did Acme's widget business sell in 2021?")
    assert "widget" in _texts("How much did Acme's widget business sell in 2021?")
    assert "spend" not in _texts("How much did Acme spend on research in 2021?")
    assert "research" in _texts("How much did Acme spend on research in 2021?")


def test_how_big_asks_a_size_and_is_no_term():
    texts = _texts("How big was the widget market in 2023?")
    assert "big" not in texts and "widget" in texts and "market" in texts


def test_a_noun_of_the_question_stays_a_need():
    # "sales", "profit" are what the figure measures, whatever CC-CEDICT says of verbs
    assert {"sales", "profit"} <= set(_texts("What were Acme's sales and profit in 2021?"))


def test_a_period_named_by_a_glossary_term_is_read_by_the_period_fit_not_a_need():
    needs = _needs("What were Acme's sales in the first half of 2021?")
    assert "上半年" not in [n.text for n in needs.items]
    assert needs.extra["periods"] == {"h1"}


def test_english_month_ranges_name_half_years():
    assert "h1" in periods_in("January–June 2023 Sales")
    assert "h2" in periods_in("July-December 2022")
    assert not periods_in("January 2023") & {"h1", "h2"}


def _chunk(title: str):
    return SimpleNamespace(report=title, scope="", heading="", caption="", unit="", section="", year="")


def test_a_report_s_company_named_in_full_is_its_scope():
    needs = _needs("What were Acme Holdings' sales in 2021?")
    # the title says "acme": "Holdings" is the same company's full name, not another thing to find
    assert {"Acme", "Holdings"} <= scoped_needs(needs, _chunk("acme annual report 2021"))
    # and the full name is no unknown company the corpus lacks
    assert not any(n.text == "Acme Holdings" and not n.variants for n in needs.items)


def test_another_company_sharing_a_word_with_the_title_is_not_the_scope():
    # a name is known by its first word: "Bolt Holdings" is not "Acme Holdings"
    needs = _needs("What were Bolt Holdings' sales in 2021?")
    assert "Bolt" not in scoped_needs(needs, _chunk("acme holdings annual report 2021"))


def test_an_abbreviation_joined_by_ampersand_is_one_need_said_in_full_by_reports():
    needs = _needs("How much did Acme spend on SG&A in 2021?")
    sga = [n for n in needs.items if n.text == "SG&A"]
    assert sga and "selling, general and administrative" in sga[0].variants
    assert "SG" not in [n.text for n in needs.items]


def test_calendar_and_comparison_words_are_no_needs():
    texts = _texts("How much did Acme's sales fall in fiscal 2021 versus a year earlier?")
    assert not {"fiscal", "versus", "earlier"} & set(texts) and "sales" in texts


def test_a_name_whose_initials_the_title_says_is_the_report_s_scope():
    needs = _needs("What does the Widget Market Outlook Report say about prices in 2021?")
    assert {"Widget", "Market", "Outlook"} <= scoped_needs(needs, _chunk("wmor 2021 chapter one"))
    assert "Widget" not in scoped_needs(needs, _chunk("acme annual report 2021"))


def test_a_name_no_report_writes_must_be_said_over_an_english_corpus():
    from bot.match import coverage

    needs = _needs("How much revenue did Acme make in Freedonia in 2021?")
    place = [n for n in needs.items if n.text == "Freedonia"]
    assert place and place[0].entity
    _cov, missing = coverage(needs, "Acme revenue was $4.5 million in 2021.", "", "", set())
    assert "Freedonia" in missing


def test_over_chinese_reports_a_latin_name_they_do_not_write_cannot_be_checked():
    index = FakeIndex()
    index.text_blob = TEXT + " 2021年营业收入为450万元。"
    needs = needs_of(analyse("How much revenue did Acme make in Freedonia in 2021?"), index)
    assert not [n for n in needs.items if n.text == "Freedonia" and n.entity]


def test_a_name_one_letter_off_a_reported_word_is_that_name_misspelt():
    needs = _needs("How many widgets did Acme sell to Widgetz in 2021?")
    name = [n for n in needs.items if n.text == "Widgetz"]
    assert name and name[0].entity and "widgets" in name[0].variants


def test_the_common_words_of_a_source_clause_describe_the_document_not_the_passage():
    texts = _texts("Who is Acme's chief financial officer, per its 2021 earnings release?")
    assert not {"earnings", "release"} & set(texts) and {"chief", "financial", "officer"} <= set(texts)
    # a name in the clause stays: another publisher's report is not this one
    assert "Bolt" in _texts("What were widget sales in 2021, according to Bolt Research?")


def test_a_product_code_is_one_need_and_abbreviated_months_and_period_codes_are_none():
    texts = _texts("What was the average price of Acme's CLD800-B1 widget in Jan–Nov 2021 and in Q3?")
    assert "CLD800-B1" in texts and "CLD" not in texts
    assert not {"Jan", "Nov", "Q3"} & set(texts)


def test_a_financial_statement_named_in_the_question_is_no_need():
    texts = _texts("What was Acme's inventory on its balance sheet at March 31, 2021?")
    assert "inventory" in texts and not {"balance", "sheet"} & set(texts)


def test_a_greek_plural_matches_its_singular():
    from bot.match import match

    need = [n for n in _needs("In Acme's segment analysis, what were widget sales in 2021?").items if n.text == "analysis"][0]
    assert match(need, "3. Analyses by segment") == 1.0


def test_a_column_dated_to_another_day_fits_less_than_the_asked_day():
    from bot.match import day_fit, days_in

    needs = _needs("What was Acme's inventory at February 3, 2024?")
    assert days_in("31 August 2021") == {(2021, 8, 31)} and days_in("2024年2月3日") == {(2024, 2, 3)}
    assert day_fit(needs, "February 3, 2024 (1)") > day_fit(needs, "November 2, 2024")
    assert day_fit(needs, "2024") == 1.0  # a label naming no day is not another day


def test_a_possessive_name_is_a_need_though_the_dictionary_lists_it_as_a_verb():
    # CC-CEDICT glosses "thrive" only as a verb; "Thrive's" at the question's start names a company
    class ThriveIndex(FakeIndex):
        text_blob = "Thrive annual report 2021. Thrive's sales were $4.5 million in 2021."

    texts = [n.text for n in needs_of(analyse("Thrive's sales in 2021?"), ThriveIndex()).items]
    assert "Thrive" in texts or "thrive" in [t.lower() for t in texts]
    # the same word as the question's verb is still its wording
    assert "thrive" not in [t.lower() for t in _texts("How did Acme's widget business thrive in 2021?")]


def test_running_words_of_an_abbreviated_term_match_its_abbreviation():
    from bot.match import coverage, match
    # "growth rate" is two running words of "compound annual growth rate" (CAGR, synonyms.tsv)
    needs = _needs("What growth rate does Acme forecast for the widget market from 2024 to 2030?")
    sentence = "The widget market is projected to grow at a CAGR of 16.0% from 2024 to 2030."
    by_text = {n.text: n for n in needs.items}
    assert match(by_text["growth"], sentence) == 1.0 and match(by_text["rate"], sentence) == 1.0
    _cov, missing = coverage(needs, sentence, "", "", set())
    assert "growth" not in missing and "rate" not in missing
    # one word of the term alone ("rate") is no abbreviation of it
    lone = {n.text: n for n in _needs("What rate did Acme pay on its widget loans in 2021?").items}
    assert "cagr" not in lone["rate"].variants


def test_a_term_the_report_defines_matches_its_abbreviation():
    class Defining(FakeIndex):
        learned = {"WSR": "widget sales ratio"}

    needs = needs_of(analyse("What was Acme's widget sales ratio in 2021?"), Defining())
    by_text = {n.text: n for n in needs.items}
    assert "wsr" in by_text["widget"].variants and "wsr" in by_text["ratio"].variants


def test_a_word_naming_only_the_percent_type_is_answered_by_a_percent_figure():
    from bot.match import coverage
    needs = _needs("What tariff rate has Acme paid on widgets in 2021?")
    _cov, missing = coverage(needs, "Tariffs on widgets (25 percent) were paid by Acme in 2021.", "", "", set())
    assert "rate" not in missing and "tariff" not in missing
    # a sentence without a percent figure does not say the rate
    _cov, missing = coverage(needs, "Tariffs on widgets were paid by Acme in 2021.", "", "", set())
    assert "rate" in missing
