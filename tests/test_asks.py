"""Each part of a question gets its own figure in the answer's first line: the change where a
change is asked, the level where the level is, both when both are, the figure in the asked unit
(bot/asks.py). Made-up reports and sentences only."""
from __future__ import annotations

import pytest

from bot.asks import asks_of, pick
from conftest import first_line

SALES = "报告期内，公司共实现营业收入12,345.67万元，较上年同期增长8.21%。"
INDEX = "2023年某综合指数收于2468点，该指数全年低点是1975点，年末较低点反弹了25%。"


def test_a_change_asked_and_a_level_asked_are_two_parts():
    parts = asks_of("某公司2023年净利润多少，增长了多少？")
    assert [a.change for a in parts] == [False, True]
    assert parts[1].terms == parts[0].terms  # "增长了多少" is the change of the part before's measure


def test_a_word_holding_a_change_verb_asks_no_change():
    assert [a.change for a in asks_of("2023年全省工业增加值是多少？")] == [False]
    assert [a.change for a in asks_of("2023年全省工业增加值增速是多少？")] == [True]


def test_degree_questions_ask_too():
    # "多大" asks as "多少" does: the second part is a question of its own
    assert len(asks_of("某市失业率按多少控制？新增就业规模多大？")) == 2


def test_the_unit_asked_is_read():
    assert asks_of("某综合指数年末收于多少点？")[0].unit == "点"
    assert asks_of("甲公司持有多少股？")[0].unit == "股"


def test_a_change_asked_picks_the_change_figure():
    assert pick(asks_of("公司营业收入同比涨了多少？"), [SALES]) == ["8.21%"]


def test_a_level_and_a_change_asked_pick_both():
    assert pick(asks_of("公司营业收入多少，增长了多少？"), [SALES]) == ["12,345.67万元", "8.21%"]


def test_the_asked_unit_picks_the_figure_in_it():
    assert pick(asks_of("2023年某综合指数收于多少点？"), [INDEX]) == ["2468点"]


def test_each_named_measure_picks_the_figure_after_it():
    text = "失业率按5.5%左右控制，新增就业规模1200万人以上，比上年增加50万人。"
    assert pick(asks_of("失业率按多少控制？新增就业规模多大？"), [text]) == ["5.5%", "1200万人"]


def test_a_part_asking_a_share_picks_the_share():
    text = "全年旅客发送量完成12.50亿人次，同比增长8.0%；其中高铁旅客发送量9.10亿人次，占72.8%。"
    assert pick(asks_of("全年旅客发送量多少？坐高铁的占多少"), [text]) == ["12.50亿人次", "72.8%"]


def test_the_measure_named_in_the_clause_before_picks_its_figure():
    sentences = ["从主体来看,我国数据中心运营主体中最多的为地方政府,占比为41.2%;",
                 "其次为电信运营商,占比为22.5%;", "第三为云厂商,占比为12.3%。"]
    assert pick(asks_of("电信运营商主导的数据中心占比多少？"), sentences)[0] == "22.5%"


def test_an_english_change_said_twice_is_stated_whole():
    text = ("Total interest expense was $1,505,386 in 2021 compared to $683,357 in 2020, "
            "an increase of $822,029, or 120.3%.")
    assert pick(asks_of("What was the interest expense in 2021, and by how much did it go up?"), [text]) == \
        ["$1,505,386", "$822,029", "120.3%"]


def test_a_looser_synonym_in_another_measure_does_not_win():
    # "规模以上工业" is no 总量 though 规模 and 总量 are synonyms; the growth of the GDP is the
    # change after its level
    sentences = ["2023年全省地区生产总值为50000亿元，按不变价格计算比上年增长5.5%。",
                 "同期全省规模以上工业增加值增长6.1%，服务业增加值增长5.2%。"]
    assert pick(asks_of("2023年全省GDP总量是多少？增速多少"), sentences) == ["50000亿元", "5.5%"]


def test_a_measure_inside_a_longer_one_is_another_measure():
    sentences = ["某公司发布2023年年报，全年营业收入1200.50亿元，同比减少3.20%；",
                 "电池系统营收800.25亿元，同比减少5.10%；"]
    assert pick(asks_of("某公司2023年营收多少？同比降了多少"), sentences) == ["1200.50亿元", "3.20%"]


def test_a_figure_asked_of_each_of_two_things_picks_one_for_each():
    text = "2023年全市进出口总额1000亿元，增长3.0%。其中出口600亿元，增长5.0%；进口400亿元，下降1.5%。"
    assert pick(asks_of("2023年全市出口和进口分别增长了多少？"), [text]) == ["5.0%", "1.5%"]
    assert pick(asks_of("2023年全市出口和进口分别是多少？"), [text]) == ["600亿元", "400亿元"]


def test_an_ask_no_figure_fits_picks_nothing():
    assert pick(asks_of("公司营业收入同比涨了多少？"), ["公司共实现营业收入12,345.67万元。"]) == [None]


REPORT = """# 某市2023年交通运输统计公报

## 一、客运

2023年，全市公路客运量为8,765万人次，较上年增长12.4%。铁路客运量为3,210万人次，较上年增长30.5%。

## 二、主要股东

表1 前3名股东持股情况

| 股东名称 | 持股比例 | 持股数量 |
|---|---|---|
| 甲交通投资有限公司 | 41.20% | 120,500,000 |
| 乙城建集团有限公司 | 8.75% | 25,600,000 |
| 丙基金 | 3.10% | 9,070,000 |

## 三、财务摘要

表2 主要会计数据

| 项目 | 2023年 | 2022年 | 本年比上年增减 |
|---|---|---|---|
| 营业收入（元） | 5,432,100,000.00 | 4,987,600,000.00 | 8.91% |
| 归属于上市公司股东的净利润（元） | 612,300,000.00 | 580,100,000.00 | 5.55% |
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    from conftest import one_report_assistant

    return one_report_assistant(tmp_path_factory, "asks", "transport.md", REPORT)


def test_a_growth_question_states_the_growth_not_only_the_level(assistant):
    answer = assistant.ask("2023年全市公路客运量同比涨了多少？")
    assert not answer.refused
    line = first_line(answer)
    assert "12.4%" in line, answer.text
    assert "30.5%" not in line  # the railway's growth answers nothing asked


def test_a_level_and_its_growth_are_both_stated_from_one_row(assistant):
    line = first_line(assistant.ask("2023年归属于上市公司股东的净利润多少，增长了多少？"))
    assert "612,300,000.00" in line and "5.55%" in line, line


def test_a_share_and_a_number_of_shares_are_both_stated_from_one_row(assistant):
    line = first_line(assistant.ask("乙城建集团有限公司持股比例是多少？持有多少股？"))
    assert "8.75%" in line and "25,600,000" in line, line
