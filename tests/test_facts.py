"""The separate facts of a candidate answer (bot.facts) that the fitted decision and ranking weigh."""
from bot.facts import FEATURES, asked, label_extra, measure_facts, value_facts


def _value(question: str, text: str, intent: str = "value", lang: str = "zh", change: bool = False) -> dict:
    return value_facts(asked(question, intent, lang), intent, change, text)


def test_the_asked_unit_stated_or_not():
    q = "2024年全市社会消费品零售总额是多少亿元？"
    assert asked(q, "value", "zh") == {"type": "amount", "unit": "元"}
    right = _value(q, "全年社会消费品零售总额5200.3亿元，比上年增长3.1%。")
    assert right["unit_stated"] == 1.0 and right["unit_absent"] == 0.0 and right["type_stated"] == 1.0
    wrong = _value(q, "全年社会消费品零售总额比上年增长3.1%。")
    assert wrong["unit_absent"] == 1.0 and wrong["type_other"] == 1.0


def test_a_change_given_for_a_level_is_told_apart_from_a_missing_unit():
    q = "集成电路产量是多少万块？"
    growth = _value(q, "集成电路产量增长15.2%。")
    assert growth["change_for_level"] == 1.0 and growth["type_other"] == 1.0
    level = _value(q, "集成电路产量320.5万块。")
    assert level["change_for_level"] == 0.0 and level["unit_stated"] == 1.0 and level["type_stated"] == 1.0
    # a change asked is no change given for a level
    asked_change = _value("集成电路产量增长了多少？", "集成电路产量增长15.2%。", change=True)
    assert asked_change["change_for_level"] == 0.0 and asked_change["level_for_change"] == 0.0


def test_english_amount_and_percent_questions():
    assert asked("What was revenue in 2019 (in millions)?", "value", "en")["type"] == "amount"
    assert asked("What percentage of revenue came from services?", "value", "en")["type"] == "percent"
    assert asked("How many stores were open at year end?", "value", "en")["type"] == "count"
    f = _value("What percentage of revenue came from services?", "Services revenue was $5.2 million.", lang="en")
    assert f["type_other"] == 1.0
    g = _value("What percentage of revenue came from services?", "Services were 12.5% of revenue.", lang="en")
    assert g["type_stated"] == 1.0 and g["type_other"] == 0.0


def test_the_measure_said_exactly_or_only_inside_a_longer_term():
    q = "2024年地区生产总值是多少亿元？"
    assert measure_facts(["地区生产总值"], q, "全市地区生产总值达到12000亿元。")["measure_exact"] == 1.0
    longer = measure_facts(["地区生产总值"], q, "全市人均地区生产总值达到12万元。")
    assert longer["measure_longer"] == 1.0 and longer["measure_exact"] == 0.0
    other = measure_facts(["常住人口"], "年末常住人口多少万人？", "年末户籍人口690万人。")
    assert other["measure_other"] == 1.0 and other["measure_exact"] == 0.0


def test_a_row_label_s_words_the_question_does_not_say():
    assert label_extra("年末常住人口多少万人？", "常住人口（万人）") == 0.0
    assert label_extra("年末常住人口多少万人？", "户籍人口") > 0.0


def test_every_fact_is_a_fitted_feature_of_both_models():
    from bot.decision import FEATURES as DECISION
    from bot.rank import FEATURES as RANK

    assert set(FEATURES) <= set(DECISION) and set(FEATURES) <= set(RANK)


def test_the_figure_s_own_clause_is_told_from_the_rest_of_the_sentence():
    from bot.facts import clause_facts, own_clause

    line = "全市普通高中60所，在校生**14.01万人**；"
    assert own_clause(line) == "在校生14.01万人"
    # the measure named elsewhere in the passage, the figure's own clause about another
    q = "普通高中在校生多少人？"
    said = clause_facts(q, own_clause("全市普通高中60所，在校生**14.01万人**；"), line)
    other = clause_facts("普通高中招生多少人？", own_clause(line), line + "全年招生2.1万人。")
    assert said["clause_missing"] < other["clause_missing"]
    assert other["clause_elsewhere"] > 0.0
    # the kind of value the question ends on ("人数") is not a measure word the clause must say
    assert clause_facts("新增就业人数是多少？", "新增就业12.3万人", "")["clause_missing"] == 0.0
    # a word is said by the forms of the need it belongs to (an abbreviation's full form)
    full = "社会消费品零售总额38726亿元"
    assert clause_facts("社零总额多少？", full, "")["clause_missing"] == 1.0
    assert clause_facts("社零总额多少？", full, "", forms=(("社零", frozenset({"社零", "社会消费品零售总额"})),)
                        )["clause_missing"] == 0.0
    # the scope names the question asks are left to the scope checks
    assert clause_facts("东莞招生多少人？", "招生5.6万人", "", frozenset({"东莞"}))["clause_missing"] == 0.0


def test_the_family_of_value_asked_against_the_figure_s():
    from bot.facts import family_asked, family_facts

    assert family_asked("规模以上工业增加值总量是多少亿元？") == "money"
    assert family_asked("普通高中招生多少人？") == "people"
    assert family_asked("医保谈判药品平均降价幅度是多少？") == "percent"
    assert family_asked("参加基本医疗保险的人数是多少？") == "people"
    assert family_asked("新增了几款药品？") == "count"
    assert family_asked("这份报告讲了什么？") == ""
    money = "规模以上工业增加值总量是多少亿元？"
    assert family_facts(money, "全年规模以上工业增加值比上年增长**14.8%**。", "zh")["family_other"] == 1.0
    right = family_facts(money, "规模以上工业增加值**5000.1亿元**。", "zh")
    assert right["family_asked"] == 1.0 and right["family_other"] == 0.0
    assert family_facts("平均降价幅度是多少？", "新增**114款**药品", "zh")["family_other"] == 1.0
    assert family_facts("普通高中在校生多少人？", "在校生**14.01万人**", "zh")["family_other"] == 0.0


def test_a_question_of_several_parts_is_judged_by_its_first():
    from bot.facts import first_part

    assert first_part("2024年8月社零总额多少？同比增长多少") == "2024年8月社零总额多少"
    assert first_part("2024年新房销售额多少，跌了多少？") == "2024年新房销售额多少"
    assert first_part("普通高中招生多少人？") == "普通高中招生多少人？"
