"""bot.figures: figures read exactly as reports write them, and the number check built on them.

Small pieces first (one behaviour a reader would check per test), then every figure of the dev
golden sets (../shared/dev), found in its report and read back as the report writes it.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pytest

from bot.figures import (DATE_RE, FIGURE_RE, Figure, bold_figures, cell_figure, find_dates, find_figures,
                         normalise, numbers_in, parse_figure, unsupported_numbers)

from conftest import ROOT

DEV = ROOT.parent / "shared" / "dev"


def figures(text: str, bare: bool = False) -> list[str]:
    return [m.group() for m in find_figures(text, bare=bare)]


# -- numbers: Western groups, decimals, and the full-width comma that is not a separator -----
@pytest.mark.parametrize("text, expected", [
    ("营业收入 27,616,611,772.61 元", ["27,616,611,772.61 元"]),
    ("总资产 40,081,972,320.77 40,148,455,933.08 -0.17%", ["40,081,972,320.77", "40,148,455,933.08", "-0.17%"]),
    ("普通股股东总数 52,207", ["52,207"]),
    ("持股数量 809,340,522", ["809,340,522"]),
    ("基本每股收益 2.63 2.24", ["2.63", "2.24"]),
])
def test_grouped_numbers_and_decimals_are_figures_whole(text, expected):
    assert figures(text) == expected


def test_the_full_width_comma_separates_clauses_not_thousands():
    assert figures("旅行社56275家，增长3.1%") == ["56275家", "3.1%"]
    assert figures("分别为1，014和2，300") == []


def test_a_comma_group_must_have_three_digits():
    assert figures("12,3456元") == []
    assert figures("1,014亿元") == ["1,014亿元"]


@pytest.mark.parametrize("text, expected", [
    ("revenue of ₹7,92,756 crore", ["₹7,92,756 crore"]),
    ("market capitalisation 17,81,841 crore", ["17,81,841 crore"]),
    ("2,32,822 New jobs created", ["2,32,822"]),
    ("a total of 1,23,45,678.50 in the year", ["1,23,45,678.50"]),
])
def test_indian_lakh_and_crore_grouping_is_one_figure(text, expected):
    """Indian reports group the digits before the last three in twos: the report's string is
    one figure, stated whole, and checked as one number."""
    assert figures(text) == expected
    assert normalise(expected[0].lstrip("₹").split()[0]) in numbers_in(text)


def test_lakh_and_crore_are_scales():
    assert figures("revenue of ₹7,92,756 crore in the year") == ["₹7,92,756 crore"]
    assert figures("a grant of Rs. 5 lakh") == ["5 lakh"]


@pytest.mark.parametrize("cell, expected", [
    ("1.35- 1.42", "1.35- 1.42"), ("1.35 - 1.42", "1.35 - 1.42"), ("27.30–37.35", "27.30–37.35"),
    ("2019-2020", None), ("2021-22", None), ("2024-03-31", None), ("unq", None),
])
def test_a_cell_holding_a_range_of_two_figures_is_its_figure(cell, expected):
    """A price sheet gives a price as a range: the cell's figure is the range as printed (years
    and dates joined by a dash are none)."""
    assert cell_figure(cell) == expected


def test_western_groups_are_not_read_as_indian_ones():
    assert figures("持股数量 1,234,567 股") == ["1,234,567 股"]
    assert figures("12,34,56") == []


# -- currencies, scales, negatives -------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("In 2019, $635 million was contributed", ["$635 million"]),
    ("| Net loss | $(13,164) | $(8,350) |", ["$(13,164)", "$(8,350)"]),
    ("| Total | $ 3.3 | $ 74.1 |", ["$ 3.3", "$ 74.1"]),
    ("| Cost | $2,177 | $489 |", ["$2,177", "$489"]),
    ("revenue of US$1.2bn and HK$300m", ["US$1.2bn", "HK$300m"]),
    ("sales of €5.5 million and £12 billion", ["€5.5 million", "£12 billion"]),
    ("RMB 1.2 billion, or 3 million yuan", ["RMB 1.2 billion", "3 million yuan"]),
    ("a loss of ($13.2) in total", ["($13.2)"]),
    ("a balance of (1,234) at year end", ["(1,234)"]),
])
def test_currencies_scales_and_negatives_in_english(text, expected):
    assert figures(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("国内出游人次48.9亿，同比增长93.3%", ["48.9亿", "93.3%"]),
    ("国内游客出游总花费4.9万亿元", ["4.9万亿元"]),
    ("零售药店总数68.37万家", ["68.37万家"]),
    ("全国拥有执业药师81.43万人", ["81.43万人"]),
    ("装机容量3000万千瓦，发电量2.5亿千瓦时", ["3000万千瓦", "2.5亿千瓦时"]),
    ("合计1.2千万元", ["1.2千万元"]),
])
def test_chinese_scale_words_join_the_unit(text, expected):
    assert figures(text) == expected


# -- units: compound, per-unit, percentages, multiples -----------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("入境游客8203万人次", ["8203万人次"]),
    ("服务178家次企业", ["178家次"]),
    ("平均房价370.8元/间夜", ["370.8元/间夜"]),
    ("基本每股收益2.63元/股", ["2.63元/股"]),
    ("均价4500元/吨", ["4500元/吨"]),
    ("人均花费1000元/人次", ["1000元/人次"]),
    ("藏品5017.2万件/套", ["5017.2万件/套"]),
])
def test_compound_and_per_units_are_read_whole(text, expected):
    assert figures(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("同比上升1.3个百分点", ["1.3个百分点"]),
    ("同比下降-3.2%，占比11.63％", ["-3.2%", "11.63％"]),
    ("a decrease of 23.5 percent", ["23.5 percent"]),
    ("up 2.1 percentage points", ["2.1 percentage points"]),
    ("spreads widened 50 bps, then 25 basis points", ["50 bps", "25 basis points"]),
    ("trading at 3.5x earnings, 2 times the peers", ["3.5x", "2 times"]),
    ("增长2.5倍", ["2.5倍"]),
])
def test_rates_and_multiples(text, expected):
    assert figures(text) == expected


def test_physical_units_latin_and_chinese():
    assert figures("算力达725.3 EFLOPS，装机5 GW，面积1542万平方米") == ["725.3 EFLOPS", "5 GW", "1542万平方米"]


def test_approximate_counts_keep_their_marker():
    assert figures("建设6700余家非遗工坊，开展1.2万余场活动，30多个项目") == ["6700余家", "1.2万余场", "30多个"]


# -- stray PDF spaces ----------------------------------------------------------------------------
def test_stray_spaces_from_pdfs_stay_in_the_figure():
    assert figures("实现营收19917.0 亿元，增长11.63 %") == ["19917.0 亿元", "11.63 %"]
    assert figures("每 10 股合计派送现金 13.20 元") == ["13.20 元"]


# -- what is not a figure ------------------------------------------------------------------------
def test_bare_integers_in_prose_are_not_figures():
    assert figures("第3章 共有4类企业，见附件2") == []
    assert figures("截至2024年底，公司编号2025-019") == []


def test_years_and_dates_are_not_figures():
    assert figures("2019 2024年12月31日 2024-03 March 30, 2011 FY18 2024.12.31") == []
    assert [m.group() for m in find_dates("On March 30, 2011 and in 2019")] == ["March 30, 2011", "2019"]


def test_a_year_like_number_with_a_unit_is_a_figure_not_a_date():
    assert figures("门店2000家，销售额2019.5亿元") == ["2000家", "2019.5亿元"]
    assert find_dates("门店2000家") == []


@pytest.mark.parametrize("text", ["5G网络", "A100芯片", "H20", "GPT-4.5", "B2B业务", "COVID-19", "MnO2 products"])
def test_numbers_in_names_are_not_figures(text):
    assert figures(text) == []


def test_section_caption_and_note_numbers_are_not_figures():
    assert figures("3.1 市场规模\n见表2.1与Note 13.5") == []
    assert figures("规模 3.1 亿元") == ["3.1 亿元"]


def test_a_figure_after_a_note_reference_stands_but_a_list_number_is_none():
    # "[2]" points to a note at the end of the report; the figure after it is the one reported
    assert figures("全年实现地区生产总值[2]1234.56亿元，比上年增长5.1%。") == ["1234.56亿元", "5.1%"]
    assert figures("[1]300万元") == []  # a bracketed list number opening a line numbers the item


def test_ranks_and_ratio_bases_are_not_figures():
    assert figures("向全体股东每10股派发现金红利3.2元") == ["3.2元"]
    assert figures("前10名股东持股63.02%，第3位") == ["63.02%"]


def test_codes_with_a_leading_zero_are_not_figures_even_in_cells():
    assert figures("证券代码：000999", bare=True) == []
    assert cell_figure("000999") is None


def test_versions_and_names_after_decimals_are_not_figures():
    assert figures("升级到3.5.1版本，4.5G网络") == []


def test_words_of_time_before_a_number_are_not_ranks():
    assert figures("提前3天完成，目前5家") == ["3天", "5家"]


def test_a_measure_word_that_starts_a_date_word_is_not_a_unit():
    assert figures("建馆50周年，历时30个月") == ["30个月"]


def test_a_spaced_x_is_a_dimension_not_a_multiple():
    assert figures("a 10 x 20 cm panel at 3.5x") == ["20 cm", "3.5x"]


def test_a_spaced_measure_word_running_into_a_word_is_not_its_unit():
    assert figures("普通股股东总数 52,207 户数") == ["52,207"]
    assert figures("收购418,306,002 股股份，派送现金 10 元（含税）") == ["418,306,002", "10 元"]


def test_a_range_is_two_figures_not_a_negative():
    assert figures("增速10%-15%") == ["10%", "15%"]


# -- English counts ------------------------------------------------------------------------------
def test_an_english_count_is_a_figure_without_its_noun():
    assert figures("we identified 15 investments totaling $207.2 million") == ["15", "$207.2 million"]


def test_small_words_after_an_integer_do_not_make_a_count():
    assert figures("from 5 to 10 of the 2019 results") == []


# -- table cells ---------------------------------------------------------------------------------
@pytest.mark.parametrize("cell, expected", [
    ("304", "304"), (" $  243 ", "$  243"), ("(102)", "(102)"), ("$(1,283)", "$(1,283)"),
    ("$0", "$0"), ("11.63%", "11.63%"), ("增加5.2个百分点", "5.2个百分点"),
])
def test_a_cell_holding_one_value_gives_it_as_written(cell, expected):
    assert cell_figure(cell) == expected


@pytest.mark.parametrize("cell", ["2019", "December 28, 2019", "—", "N/A", "Ms. Friar (1)", "14, 16", "US$’000", ""])
def test_a_cell_without_a_value_gives_none(cell):
    assert cell_figure(cell) is None


def test_bare_numbers_are_figures_only_when_asked_for():
    assert figures("| Multi-employer plans | 32 | 38 |") == []
    assert figures("32 | 38", bare=True) == ["32", "38"]


def test_bare_mode_still_skips_times_fractions_and_phone_numbers():
    assert figures("10:30", bare=True) == [] and figures("1/2", bare=True) == []
    assert figures("755-83360999", bare=True) == []


# -- taking a figure apart -------------------------------------------------------------------
def test_parse_figure_gives_its_parts_as_written():
    assert parse_figure("$(13,164)") == Figure("$(13,164)", "13,164", True, "$", "", "")
    assert parse_figure("370.8元/间夜") == Figure("370.8元/间夜", "370.8", False, "元", "", "元/间夜")
    assert parse_figure("8203万人次") == Figure("8203万人次", "8203", False, "", "万", "人次")


def test_parse_figure_refuses_what_is_not_one_figure():
    assert parse_figure("2019") is None and parse_figure("5G") is None and parse_figure("3% and 4%") is None


# -- bolding ---------------------------------------------------------------------------------
def test_bold_figures_marks_whole_figures():
    bolded, figs = bold_figures("营收27,616,611,772.61元，增长11.63%")
    assert bolded == "营收**27,616,611,772.61元**，增长**11.63%**" and figs == ["27,616,611,772.61元", "11.63%"]


def test_bold_figures_can_bold_dates_and_bare_cells():
    assert bold_figures("2024年12月增长5%", dates=True)[1] == ["2024年12月", "5%"]
    assert bold_figures("304", bare=True) == ("**304**", ["304"])


# -- the number check ------------------------------------------------------------------------
def test_a_grouped_number_is_one_number():
    assert numbers_in("营业收入27,616,611,772.61元") == {"27616611772.61"}
    assert numbers_in("Net loss $(13,164)") == {"13164"}


def test_the_full_width_comma_splits_numbers_in_the_check():
    assert numbers_in("56275家，增长3.1%") == {"56275", "3.1"}
    assert numbers_in("2019,2018") == {"2019", "2018"}


def test_an_answer_restating_grouped_figures_is_supported():
    evidence = ["| Net loss | $(13,164) | $(8,350) |", "营业收入 27,616,611,772.61 24,738,963,319.76"]
    assert unsupported_numbers("Net loss was $(13,164) [1]; 营业收入27,616,611,772.61元 [2]", evidence) == []


def test_a_number_cut_from_a_grouped_figure_is_not_supported():
    assert unsupported_numbers("营业收入772.61元", ["营业收入 27,616,611,772.61"]) == ["772.61"]
    assert unsupported_numbers("Net loss was 164", ["$(13,164)"]) == ["164"]


def test_normalise_drops_grouping_and_trailing_zeros():
    assert [normalise(n) for n in ("1,014", "15.40", "007", "0.0")] == ["1014", "15.4", "7", "0"]


def test_public_patterns_still_compile_and_match():
    assert DATE_RE.search("2024年12月").group() == "2024年12月"
    assert FIGURE_RE.search("增长15.4%").group() == "15.4%"


# -- the dev golden sets: every figure string, read back from its report ---------------------
def _alone_at(gold: str, text: str) -> list[int]:
    """Where `gold` stands alone in `text`, not inside a longer number."""
    out = []
    for m in re.finditer(re.escape(gold), text):
        cut_before = gold[0].isdigit() and re.search(r"[\d.,]$", text[:m.start()])
        cut_after = gold[-1].isdigit() and re.match(r"\d|[.,]\d", text[m.end():])
        if not cut_before and not cut_after:
            out.append(m.start())
    return out


@lru_cache(maxsize=None)
def _report_text(path: Path) -> str:
    if path.suffix == ".pdf":
        pdfplumber = pytest.importorskip("pdfplumber")
        with pdfplumber.open(path) as pdf:
            return "\n".join(page.extract_text() or "" for page in pdf.pages)
    return path.read_text(encoding="utf-8")


def _pieces(text: str) -> list[tuple[str, str]]:
    """("cell", …) for a Markdown table cell, ("sentence", …) for prose; a line's whole text is a
    piece too, for a gold span of several sentences."""
    out = []
    for line in text.splitlines():
        if line.strip().startswith("|"):
            out += [("cell", c) for c in line.strip().strip("|").split("|")]
            continue
        out += [("sentence", s) for s in re.split(r"(?<=[。！？；])|(?<=[.!?])\s+(?=[A-Z(])", line) if s.strip()]
        out.append(("sentence", line))
    return out


def _golden_figures() -> list[tuple[str, str, list[Path]]]:
    out = []
    for lang in ("zh", "en"):
        golden = DEV / lang / "golden.jsonl"
        if not golden.exists():
            continue
        reports = sorted((DEV / lang / "reports").iterdir())
        for line in golden.read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            if "-cnt-" in case["id"] or "-count-" in case["id"]:
                continue  # a count is computed over rows, not read from the text
            excerpt = re.search(r"excerpt (\d+)", case.get("question", ""))
            docs = [r for r in reports if excerpt and r.stem.endswith(f"_{excerpt.group(1)}")] or reports
            out += [(case["id"], g, docs) for g in case.get("figures", []) if re.search(r"\d", g)]
    return out


GOLDEN_FIGURES = _golden_figures()


def _reads_back(kind: str, piece: str, start: int, gold: str) -> bool:
    end = start + len(gold)
    dates = [m.span() for m in find_dates(piece)]
    found = find_figures(piece, bare=kind == "cell")
    if any(s <= start and end <= e for s, e in dates):  # a year or a date: never a figure
        return not any(m.start() < end and start < m.end() for m in found)
    if kind == "cell":
        fig = cell_figure(piece)
        return fig is not None and (fig == gold or parse_figure(fig).number == gold)
    if parse_figure(gold) is not None or re.fullmatch(r"\(?[\d,.]+\)?", gold):
        # the figure itself, or its numeral inside the report's fuller string ("$13 million")
        return any(m.group() == gold or (m.start() <= start and end <= m.end() and parse_figure(m.group()).number
                                         == gold.strip("()")) for m in found)
    # a phrase or sentence: the figures in it are whole, and every number in it is a figure or a date
    inside = [m for m in found if m.start() < end and start < m.end()]
    covered = [m.span() for m in inside] + dates
    numbers = [(start + m.start(), start + m.end()) for m in re.finditer(r"\d+", gold)]
    return all(start <= m.start() and m.end() <= end for m in inside) and \
        all(any(s <= a and b <= e for s, e in covered) for a, b in numbers)


@pytest.mark.skipif(not GOLDEN_FIGURES, reason="../shared/dev is not beside the checkout")
@pytest.mark.parametrize("case_id, gold, docs", GOLDEN_FIGURES, ids=[f"{c}:{g[:24]}" for c, g, _ in GOLDEN_FIGURES])
def test_every_golden_figure_reads_back_as_the_report_writes_it(case_id, gold, docs):
    places = [(k, p, at) for d in docs for k, p in _pieces(_report_text(d)) for at in _alone_at(gold, p)]
    assert places, f"{gold!r} is not in the reports of {case_id}"
    assert any(_reads_back(k, p, at, gold) for k, p, at in places), \
        [(k, p[:120], figures(p, k == "cell")) for k, p, _ in places]
