"""How one answer is shown: safe Markdown text, sources, table, bar chart and fact card.

Pure functions of an `Answer` (no Gradio); the chat's interface text in both languages is
static/chat/strings.json.
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

from ..types import Answer

STRINGS: dict[str, dict[str, str]] = json.loads(
    (Path(__file__).parent / "static" / "chat" / "strings.json").read_text(encoding="utf-8"))


def t(lang: str, key: str) -> str:
    return STRINGS.get(lang, STRINGS["zh"])[key]


SOURCES_HEAD_RE = re.compile(r"\n\n(?:来源|Sources)[:：]\n(?:\[\d+\][^\n]*(?:\n|$))+\s*$")
CITE_RE = re.compile(r"\s*\[\d+\]")
SENTENCE_RE = re.compile(r"(?<=[。！？!?])|\n+")
CLAUSE_RE = re.compile(r"(?<=[,，;；])")
LEAD_RE = re.compile(r"^(?:(?:而|同时|此外|另外|其中|数据显示|据统计|据[^，,]{1,12}显示)[,，]?|到(?=\d))")
FRAMING_RE = re.compile(r"(?:来看|显示|方面|而言)[,，]?$")
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
QUESTION_TAIL_RE = re.compile(r"(?:分别)?(?:是|为|有)?(?:多少|几何|哪些|什么|几项)?\s*[？?]\s*$")


def esc(text: object) -> str:
    """Text for HTML: every <, >, &, and quote escaped."""
    return html.escape(str(text), quote=True)


def esc_md(text: str) -> str:
    """Markdown text whose HTML is shown, not interpreted: escape & and < (> stays for quotes).

    Nothing in it may fetch from or link to another host either: brackets other than citation
    marks are escaped (no ![image](…), [link](…) or reference links), and so are the bare URLs, www. names and e-mail
    addresses GFM would turn into links ("http\\://", "www\\.", "\\@"); they show as typed."""
    text = text.replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;")
    # citation marks [n] stay as they are unless something could make them a link
    text = re.sub(r"\[(\d{1,3})\](?![(\[:])|([\[\]@])", lambda m: m.group(0) if m.group(1) else "\\" + m.group(2), text)
    text = re.sub(r"(?i)\b(https?|ftp|file|mailto)(?=:)", r"\1\\", text)
    return re.sub(r"(?i)\b(www)(?=\.)", r"\1\\", text)


def split_body(text: str) -> str:
    """The answer text without its trailing plain "来源:/Sources:" list (the UI shows its own)."""
    return SOURCES_HEAD_RE.sub("", text).rstrip()


def plain(markdown: str) -> str:
    """Markdown answer text as plain text: no bold markers, citation numbers or list/quote marks."""
    out = []
    for line in markdown.splitlines():
        line = re.sub(r"^\s*(?:>\s?|[-*]\s+|#+\s+)", "", line)
        line = line.replace("**", "").replace("__", "")
        line = re.sub(r"^According to the report:\s*", "", line)
        if line.startswith("_") and line.endswith("_"):
            continue  # "_Units: …_" glosses
        out.append(CITE_RE.sub("", line).strip())
    return "\n".join(line for line in out if line)


def _condense(sentence: str, figures: list[str]) -> str:
    """The clause that states the first figure (with enough context), the sentence's other
    figure clauses in brackets after it: "2024年…达到了1014亿元（同比增长15.4%）"."""
    sentence = sentence.strip().rstrip("。.!！?？：:;； ")
    if not CJK_RE.search(sentence) or not figures:
        return sentence
    clauses = [c for c in CLAUSE_RE.split(sentence) if c]
    first = next((i for i, c in enumerate(clauses) if any(f in c for f in figures)), None)
    if first is None:
        return LEAD_RE.sub("", sentence)
    start = first
    while start > 0 and not FRAMING_RE.search(clauses[start - 1]):
        own = "".join(clauses[start:first + 1])
        for f in figures:
            own = own.replace(f, "")
        if len(own.strip(",，;； ")) >= 10:
            break
        start -= 1  # "占比为33.9%" says nothing without the clause before it
    main = LEAD_RE.sub("", "".join(clauses[start:first + 1]).strip(",，;； "))
    rest = "".join(clauses[first + 1:]).strip(",，;； ")
    if rest and any(f in rest for f in figures) and len(rest) <= 60:
        main += f"（{rest}）"
    return main


def fact_card(answer: Answer, lang: str | None = None) -> str:
    """One line for a slide: the lead statement with its figures, then report, place, attribution.

    Empty when there is nothing citable (refusals, answers without citations)."""
    if answer.refused or not answer.citations:
        return ""
    lang = lang or answer.lang
    cite = answer.citations[0]
    # the report's own sentence (first citation) that states the first figure, else the answer's
    passage = [s.strip() for s in SENTENCE_RE.split(cite.quote or "") if s and s.strip()]
    body = [s.strip() for s in SENTENCE_RE.split(plain(split_body(answer.text))) if s and s.strip()]
    if not body and not passage:
        return ""
    figures = list(answer.figures)
    lead = next((s for s in passage + body if figures and figures[0] in s), (body or passage)[0])
    statement = _condense(lead, figures)
    location = re.sub(r"（第\d+行）$", "", cite.location)
    if answer.table:
        location = re.sub(r"第\d+行$", "", location)  # the statement is about the table, not one row
    zh = lang != "en"
    source = f"《{cite.report}》{location}" if zh else f"《{cite.report}》 {location}"
    if cite.attribution:
        source += ("，" if zh else ", ") + cite.attribution
    return f"{statement}{'——' if zh else ' — '}{source}"


def _mark_figures(escaped: str, figures: list[str]) -> str:
    """Bold every cited figure inside an already escaped passage."""
    figs = sorted({esc(f) for f in figures if f}, key=len, reverse=True)
    if not figs:
        return escaped
    pattern = re.compile("|".join(re.escape(f) for f in figs))
    return pattern.sub(lambda m: f"<b>{m.group(0)}</b>", escaped)


def sources_html(answer: Answer, lang: str = "zh", views=None) -> str:
    """A collapsed <details> quoting each cited passage with its report, location and attribution;
    with `views` (bot/serve/pagelinks.SourceViews), each also shows its PDF page with the cited
    words highlighted, or the passage among its neighbours."""
    if not answer.citations:
        return ""
    items = []
    for c in answer.citations:
        quote = _mark_figures(esc(c.quote), answer.figures).replace("\n", "<br>")
        meta = " · ".join(esc(x) for x in (f"《{c.report}》", c.location, c.attribution) if x)
        seen = views.panel(c, lang, t) if views is not None else ""
        items.append(f'<li value="{int(c.n)}"><div class="ra-quote">{quote}</div><div class="ra-meta">{meta}</div>'
                     f'{seen}</li>')
    count = f"（{len(answer.citations)}）" if lang != "en" else f" ({len(answer.citations)})"
    return (f'<details class="ra-sources"><summary>{esc(t(lang, "sources"))}{count}</summary>'
            f'<ol>{"".join(items)}</ol></details>')


def table_html(table: dict | None, lang: str = "zh") -> str:
    """The rows an answer is about, as an escaped HTML table."""
    if not table or not table.get("rows"):
        return ""
    header = "".join(f"<th>{esc(h)}</th>" for h in table.get("header") or [])
    rows = "".join("<tr>" + "".join(f'<td class="ra-short">{esc(cell)}</td>' if len(str(cell)) <= 8 else f"<td>{esc(cell)}</td>"
                                    for cell in row) + "</tr>" for row in table["rows"])
    caption = esc(table.get("caption") or "")
    count = esc(t(lang, "table_rows").format(n=len(table["rows"])))
    return (f'<div class="ra-table"><table><caption>{caption} <span class="ra-meta">· {count}</span></caption>'
            f"<thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table></div>")


def chart_html(chart: dict | None, lang: str = "zh", title: str = "") -> str:
    """A small horizontal bar chart (inline SVG) of several comparable cited figures.

    Bar lengths come from `values`; the labels printed are the report's own figure strings."""
    if not chart:
        return ""
    labels, values = list(chart.get("labels") or []), list(chart.get("values") or [])
    figures = list(chart.get("figures") or [])
    if len(labels) < 2 or len(labels) != len(values):
        return ""
    try:
        values = [float(v) for v in values]
    except (TypeError, ValueError):
        return ""
    if len(figures) != len(labels):
        figures = [f"{v:g}{chart.get('unit') or ''}" for v in values]
    top = max([v for v in values if v > 0] or [1.0])
    # each label above its bar, bar lengths in % of the chart: fits a phone-sized iframe and a wide
    # page alike (the sanitizer drops viewBox, so the SVG cannot scale itself)
    bar_max, row_h, bar_h = 72.0, 42, 14  # leaves room after the longest bar for its figure
    height = row_h * len(labels)
    parts = []
    for i, (label, value, figure) in enumerate(zip(labels, values, figures)):
        y = i * row_h
        bar = max(0.4, bar_max * max(value, 0.0) / top)
        parts.append(
            f'<g><title>{esc(label)}: {esc(figure)}</title>'
            f'<text class="ra-label" x="0" y="{y + 14}" font-size="12.5" fill="#374151">{esc(label)}</text>'
            f'<rect class="ra-bar" x="0" y="{y + 20}" width="{bar:.1f}%" height="{bar_h}" rx="3" fill="#4f6ef7"></rect>'
            f'<text class="ra-value" x="{bar + 1.2:.1f}%" y="{y + 20 + bar_h - 2}" font-size="13" font-weight="600" '
            f'fill="#111827">{esc(figure)}</text></g>'
        )
    unit = chart.get("unit") or ""
    source = chart.get("source") or ""
    heading = title or chart.get("title") or ""
    foot = " · ".join(x for x in (f"{t(lang, 'unit')}：{unit}" if unit else "",
                                  f"{t(lang, 'source')}：{source}" if source else "") if x)
    return (f'<div class="ra-chart"><div class="ra-chart-title">{esc(heading)}</div>'
            f'<svg class="ra-svg" width="100%" height="{height}">{"".join(parts)}</svg>'
            f'<div class="ra-meta">{esc(foot)}</div></div>')


def answer_markdown(answer: Answer, lang: str = "zh", views=None) -> str:
    """The whole chat message for one answer (Markdown with escaped HTML blocks); `views` adds the
    page images and passage links (bot/serve/pagelinks.SourceViews)."""
    blocks = [esc_md(split_body(answer.text))]
    if answer.table:
        blocks.append(table_html(answer.table, lang))
    if answer.chart:
        reports = {c.report for c in answer.citations}
        title = answer.chart.get("title") or ""
        if not title or title in reports:  # a report title says nothing about what is compared
            title = QUESTION_TAIL_RE.sub("", answer.standalone) or answer.standalone
        blocks.append(chart_html(answer.chart, lang, title=title))
    blocks.append(sources_html(answer, lang, views))
    card = fact_card(answer, lang)
    if card:
        # the card's source line links to where it is seen: the page image, or the passage
        link = views.link(answer.citations[0]) if views is not None else None
        see = (f' <a class="ra-fact-link" href="{esc(link.href)}" target="_blank" rel="noopener">'
               f'📄 {esc(views.link_label(answer.citations[0], lang, t))}</a>') if link else ""
        blocks.append(f'<div class="ra-actions"><button type="button" class="ra-fact" value="{esc(card)}" '
                      f'title="{esc(t(lang, "copy_fact_tip"))} {esc(card)}">📋 {esc(t(lang, "copy_fact"))}</button>'
                      f'{see}</div>')
    # each HTML block is one line and starts with a block tag, so Markdown leaves it alone
    return "\n\n".join(b for b in blocks if b)
