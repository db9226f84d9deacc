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
