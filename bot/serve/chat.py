"""The Gradio chat: the one module that builds the UI.

`build_ui(assistant, settings)` returns a `gr.Blocks` (queue already configured) that
`app.py` launches and the API mounts at "/" and, with `compact=True`, at "/embed".

Each answer is shown as: the answer text (figures in **bold**, citations [n]), the table or bar
chart when the answer has one, a collapsed sources section quoting every cited passage, and a
button that copies a one-line fact card for a slide. Report text and questions are always shown
as text: every string put into HTML here is escaped, and the Chatbot's sanitizer stays on.

The pure parts (`answer_markdown`, `fact_card`, `sources_html`, `chart_html`, `load_examples`)
need no Gradio and are what the unit tests check.
"""
import html
import json
import logging
import os
import re
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from ..errors import BotError  # noqa: E402
from ..settings import Settings  # noqa: E402
from ..types import Answer  # noqa: E402

log = logging.getLogger("bot.ui")

# 20 people asking at once all get answers: answers take well under a second each on 2 cores,
# so a few workers drain the queue quickly; max_size bounds memory if far more arrive.
CONCURRENCY = 4
QUEUE_SIZE = 64
MAX_EXAMPLES = 6
SHOWN_QUESTION_CHARS = 300  # a too-long question is echoed in the chat only up to this length

LANGS = {"中文": "zh", "English": "en"}

# All interface text, one dict per language.
STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "研报数据助手",
        "subtitle": "基于行业研究报告回答问题：每个数字都来自报告原文，并标注出处。",
        "knows": "我已读过 {n} 份报告：{titles}。",
        "knows_none": "索引里还没有报告。",
        "more_reports": "等",
        "start_hint": "可以问年份、规模、增速、占比、政策等具体数据，也可以接着追问（例如“增速呢？”）。",
        "examples_title": "试试这些问题：",
        "placeholder": "输入问题，例如某一年的市场规模……（回车发送）",
        "placeholder_short": "输入问题，回车发送",
        "new_chat": "新对话",
        "thinking": "正在查找报告……",
        "checking": "（正在核对数字……）",
        "sources": "来源与原文",
        "copy_fact": "复制事实卡",
        "copy_fact_tip": "复制这句带出处的事实，可直接粘贴到幻灯片：",
        "unit": "单位",
        "source": "来源",
        "table_rows": "共 {n} 行",
        "apology": "抱歉，处理这个问题时出了点问题，已记录下来。请换个问法再试一次。",
        "comment_label": "哪里不对？（可选）",
        "comment_placeholder": "例如：数字错了、引用不对、没回答问题……",
        "comment_send": "提交反馈",
        "thanks": "谢谢反馈！",
        "footer": "答案只引用报告原文中的数字；对每条回答点 👍/👎 帮助我们改进。",
        "reports_label": "只在这些报告中查找（不选 = 全部报告）",
    },
    "en": {
        "title": "Report Figures Assistant",
        "subtitle": "Answers questions from market-research reports: every figure is quoted from the report, with its source.",
        "knows": "I have read {n} report{s}: {titles}.",
        "knows_none": "The index holds no reports yet.",
        "more_reports": "and more",
        "start_hint": "Ask for specific figures (year, market size, growth, shares, policies) and follow up (e.g. “and the growth?”).",
        "examples_title": "Try one of these:",
        "placeholder": "Ask a question, e.g. a market size in a given year… (Enter to send)",
        "placeholder_short": "Ask a question, press Enter",
        "new_chat": "New chat",
        "thinking": "Searching the reports…",
        "checking": "(checking the figures…)",
        "sources": "Sources and passages",
        "copy_fact": "Copy fact card",
        "copy_fact_tip": "Copy this sourced one-line fact for a slide:",
        "unit": "Unit",
        "source": "Source",
        "table_rows": "{n} rows",
        "apology": "Sorry, something went wrong with this question; it has been logged. Please try again or rephrase it.",
        "comment_label": "What was wrong? (optional)",
        "comment_placeholder": "e.g. wrong figure, wrong citation, did not answer the question…",
        "comment_send": "Send feedback",
        "thanks": "Thanks for the feedback!",
        "footer": "Answers only quote figures from the reports; rate each answer 👍/👎 to help us improve.",
        "reports_label": "Search only these reports (none chosen = all reports)",
    },
}


def t(lang: str, key: str) -> str:
    return STRINGS.get(lang, STRINGS["zh"])[key]


# -- pure parts: text and HTML for one answer -------------------------------------------------

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


def sources_html(answer: Answer, lang: str = "zh") -> str:
    """A collapsed <details> quoting each cited passage with its report, location and attribution."""
    if not answer.citations:
        return ""
    items = []
    for c in answer.citations:
        quote = _mark_figures(esc(c.quote), answer.figures).replace("\n", "<br>")
        meta = " · ".join(esc(x) for x in (f"《{c.report}》", c.location, c.attribution) if x)
        items.append(f'<li value="{int(c.n)}"><div class="ra-quote">{quote}</div><div class="ra-meta">{meta}</div></li>')
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


def answer_markdown(answer: Answer, lang: str = "zh") -> str:
    """The whole chat message for one answer (Markdown with escaped HTML blocks)."""
    blocks = [esc_md(split_body(answer.text))]
    if answer.table:
        blocks.append(table_html(answer.table, lang))
    if answer.chart:
        reports = {c.report for c in answer.citations}
        title = answer.chart.get("title") or ""
        if not title or title in reports:  # a report title says nothing about what is compared
            title = QUESTION_TAIL_RE.sub("", answer.standalone) or answer.standalone
        blocks.append(chart_html(answer.chart, lang, title=title))
    blocks.append(sources_html(answer, lang))
    card = fact_card(answer, lang)
    if card:
        blocks.append(f'<div class="ra-actions"><button type="button" class="ra-fact" value="{esc(card)}" '
                      f'title="{esc(t(lang, "copy_fact_tip"))} {esc(card)}">📋 {esc(t(lang, "copy_fact"))}</button></div>')
    # each HTML block is one line and starts with a block tag, so Markdown leaves it alone
    return "\n\n".join(b for b in blocks if b)


def load_examples(settings: Settings, index=None) -> list[str]:
    """Example questions for the start screen: the examples file (one per line, '#' comments),
    or, when it is missing or empty, questions about the indexed reports' tables."""
    path = Path(settings.examples_path)
    examples: list[str] = []
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        lines = []
    except (OSError, UnicodeDecodeError) as err:
        log.warning("cannot read examples from %s: %s", path, err)
        lines = []
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#") and len(line) <= settings.max_question_chars and line not in examples:
            examples.append(line)
    if not examples and index is not None:
        captions = [view.caption for view in getattr(index, "tables", {}).values() if view.caption]
        examples = [f"{caption}有哪些？" for caption in dict.fromkeys(captions)]
    return examples[:MAX_EXAMPLES]


def report_choices(assistant) -> list[tuple[str, str]]:
    """(title shown, file name) for every indexed report, for the chat's report selector."""
    reports = getattr(assistant.index, "reports", None)
    if reports is None:
        reports = [(r.get("file"), r.get("title")) for r in assistant.index.health().get("reports", [])]
    return [(title or file, file) for file, title in reports]


def knows_line(reports: list[dict], lang: str = "zh") -> str:
    """What the assistant knows, e.g. "我已读过 1 份报告：《中国智算中心行业发展现状》。" (plain text)."""
    if not reports:
        return t(lang, "knows_none")
    titles = [f"《{r.get('title') or r.get('file')}》" for r in reports]
    shown = ("、" if lang != "en" else ", ").join(titles[:6])
    if len(titles) > 6:
        shown += ("" if lang != "en" else " ") + t(lang, "more_reports")
    return t(lang, "knows").format(n=len(reports), s="s" if len(reports) != 1 else "", titles=shown)


# -- page chrome ----------------------------------------------------------------------------

CSS = """
#ra-top { align-items: center; }
#ra-chat .top-panel button[aria-label="Clear"] { display: none; }  /* the "新对话" button resets everything */
#ra-lang { justify-content: flex-end; }
.ra-header h1 { font-size: 1.45rem; margin: 0 0 .15rem 0; }
.ra-header p { margin: 0; color: var(--body-text-color-subdued); font-size: .92rem; }
.ra-knows { margin-top: .35rem !important; color: var(--body-text-color) !important; }
.ra-foot-note { color: var(--body-text-color-subdued); font-size: .82rem; text-align: center; }
.ra-sources { margin-top: .7em; border-top: 1px solid var(--border-color-primary); padding-top: .45em; font-size: .9em; }
.ra-sources summary { cursor: pointer; color: var(--body-text-color-subdued); font-weight: 600; }
.ra-sources ol { margin: .5em 0 .2em 0; padding-left: 1.6em; }
.ra-sources li { margin-bottom: .55em; }
.ra-quote { border-left: 3px solid var(--color-accent, #4f6ef7); padding-left: .6em; line-height: 1.55; }
.ra-meta { color: var(--body-text-color-subdued); font-size: .85em; margin-top: .2em; }
.ra-table { overflow-x: auto; margin: .4em 0; }
.ra-table table { font-size: .82em; border-collapse: collapse; }
.ra-table caption { text-align: left; font-weight: 600; padding-bottom: .3em; }
.ra-table td, .ra-table th { vertical-align: top; padding: 4px 8px; }
.ra-table th, .ra-table td.ra-short { white-space: nowrap; }
.ra-chart { margin: .5em 0 .3em 0; padding: .6em .8em; border: 1px solid var(--border-color-primary);
  border-radius: 8px; background: var(--background-fill-secondary); max-width: 640px; }
.ra-svg { display: block; width: 100%; }
.ra-chart-title { font-weight: 600; font-size: .9em; margin-bottom: .3em; }
.ra-svg .ra-bar { fill: var(--color-accent, #4f6ef7); }
.ra-svg .ra-label, .ra-svg .ra-value { fill: var(--body-text-color); }
.ra-actions { margin-top: .5em; }
button.ra-fact { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 2px 10px;
  font-size: .82em; background: var(--background-fill-primary); color: var(--body-text-color); cursor: pointer; }
#ra-chat button.example { border: 1px solid var(--border-color-primary); border-radius: 10px;
  background: var(--background-fill-secondary); }
#ra-chat button.example:hover { border-color: var(--color-accent, #4f6ef7); }
.ra-try { color: var(--body-text-color-subdued); font-size: .9em; }
#ra-assets { display: none; }
button.ra-fact:hover { border-color: var(--color-accent, #4f6ef7); }
"""

# Runs once per page (from the header component): installs the CSS and the fact-card copy
# handler. The buttons carry the fact in their `value` (the sanitizer keeps it; no inline JS).
JS_ON_LOAD = """
if (!window.__raReady) {
  window.__raReady = true;
  const style = document.createElement('style');
  style.id = 'ra-style';
  style.textContent = %s;
  document.head.appendChild(style);
  const copy = async (text) => {
    try {
      if (navigator.clipboard && window.isSecureContext) { await navigator.clipboard.writeText(text); return true; }
    } catch (e) {}
    const area = document.createElement('textarea');
    area.value = text; area.setAttribute('readonly', ''); area.style.position = 'fixed'; area.style.opacity = '0';
    document.body.appendChild(area); area.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch (e) {}
    area.remove();
    return ok;
  };
  document.addEventListener('click', async (ev) => {
    const button = ev.target.closest ? ev.target.closest('button.ra-fact') : null;
    if (!button) return;
    ev.preventDefault(); ev.stopPropagation();
    window.__raLastFact = button.value;
    const label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    const ok = await copy(button.value);
    button.textContent = ok ? '✓ ' + label.replace(/^📋\\s*/, '') : button.value;
    setTimeout(() => { button.textContent = label; }, 1800);
  }, true);
}
""" % json.dumps(CSS)


def header_html(lang: str) -> str:
    return (f'<div class="ra-header"><h1>📊 {esc(t(lang, "title"))}</h1>'
            f'<p>{esc(t(lang, "subtitle"))}</p></div>')


def placeholder_md(reports: list[dict], lang: str, compact: bool = False, examples: bool = False) -> str:
    """The start screen inside the empty chat: what the assistant knows and how to ask."""
    knows = esc_md(knows_line(reports, lang))
    if compact:
        return knows
    text = f"### 👋 {knows}\n\n{esc_md(t(lang, 'start_hint'))}"
    if examples:
        text += f"\n\n{esc_md(t(lang, 'examples_title'))} ↓"
    return text


# -- the app --------------------------------------------------------------------------------

class ChatHandlers:
    """What the chat does on each event, apart from the layout, so tests can drive it directly.

    Chat values are lists of {"role", "content"} messages; `history` is the conversation's
    questions (what `assistant.ask` takes); `turns` maps the chat index of each answer to what a
    👍/👎 on it records."""

    def __init__(self, assistant, settings: Settings, compact: bool = False):
        self.assistant = assistant
        self.settings = settings
        self.compact = compact

    def answers(self, question: str, history: list[str], reports=None) -> Iterator[str | Answer]:
        """Provisional text (when the answerer streams), then the final Answer, last. `reports`
        (file names) restricts the search; empty or None means every report."""
        extra = {"reports": list(reports)} if reports else {}
        stream = getattr(self.assistant, "stream", None)
        if stream is None:
            yield self.assistant.ask(question, history, **extra)
        else:
            yield from stream(question, history, **extra)

    def respond(self, message, chat, history, turns, lang: str, reports=None):
        """Generator of (textbox, chat, history, turns): the question at once, then the answer.

        Yields None for an output that stays as it is. An empty message changes nothing."""
        if not isinstance(message, str) or not message.strip():
            return
        shown = message.strip()
        if len(shown) > SHOWN_QUESTION_CHARS:
            shown = shown[:SHOWN_QUESTION_CHARS] + "…"
        chat = list(chat or []) + [{"role": "user", "content": esc_md(shown)},
                                   {"role": "assistant", "content": f"_{t(lang, 'thinking')}_"}]
        yield "", list(chat), history, turns
        answer = None
        try:
            for item in self.answers(message, list(history or []), reports):
                if isinstance(item, Answer):
                    answer = item
                else:
                    chat[-1] = {"role": "assistant", "content": f"{esc_md(item)}\n\n_{t(lang, 'checking')}_"}
                    yield None, list(chat), None, None
            if answer is None:
                raise RuntimeError("the assistant gave no answer")
            content = answer_markdown(answer, lang)
        except BotError as err:
            answer = None
            content = esc_md(str(err))
        except Exception:
            answer = None
            log.exception("chat failed for question %r", message[:200])
            content = esc_md(t(lang, "apology"))
        chat[-1] = {"role": "assistant", "content": content}
        history = list(history or []) + [message]
        turns = dict(turns or {})
        if answer is not None:
            from .feedback import _plain

            turns[len(chat) - 1] = {"id": uuid.uuid4().hex, "question": message, "text": answer.text,
                                    "citations": [_plain(c) for c in answer.citations]}
        yield None, chat, history, turns

    def vote(self, turns, index, liked) -> tuple[str | None, str | None]:
        """Record a 👍/👎 on the answer at chat `index`: (vote, turn id), or (None, None) when
        the message is not an answer (an error) or the vote was taken back."""
        from . import feedback

        if isinstance(index, (list, tuple)):
            index = index[0]
        turn = (turns or {}).get(index)
        if turn is None:
            return None, None
        vote = feedback.normalize_vote(liked)
        feedback.record(self.settings, turn["question"], turn["text"], vote, citations=turn["citations"],
                        turn_id=turn["id"])
        return vote, turn["id"]

    def comment(self, text, turn_id, turns) -> bool:
        """Add a comment to the 👎 on turn `turn_id`; False when there is nothing to record."""
        from . import feedback

        turn = next((x for x in (turns or {}).values() if x["id"] == turn_id), None)
        if turn is None or not (text or "").strip():
            return False
        feedback.record(self.settings, turn["question"], turn["text"], feedback.DOWN, text,
                        citations=turn["citations"], turn_id=turn["id"])
        return True


def build_ui(assistant, settings: Settings | None = None, compact: bool = False):
    """The chat as a `gr.Blocks`, queue configured; `compact=True` for an /embed iframe."""
    import gradio as gr

    from . import feedback

    settings = settings or assistant.settings
    reports = assistant.index.health().get("reports", [])
    examples = [] if compact else load_examples(settings, assistant.index)
    handlers = ChatHandlers(assistant, settings, compact)

    def respond(message, chat, history, turns, lang, chosen=None):
        produced = False
        for out in handlers.respond(message, chat, history, turns, lang, chosen or None):
            produced = True
            yield tuple(gr.skip() if x is None else x for x in out)
        if not produced:  # empty message: nothing happens
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()

    def on_like(turns, lang, data: gr.LikeData):
        try:
            vote, turn_id = handlers.vote(turns, data.index, data.liked)
        except BotError as err:  # an unexpected like value, or the feedback file is not writable
            log.warning("feedback not recorded: %s", err)
            return gr.skip(), gr.skip(), gr.skip()
        if vote == feedback.DOWN and not compact:
            return gr.update(visible=True), turn_id, gr.update(value="")
        if vote is not None:
            gr.Info(t(lang, "thanks"))
        return gr.update(visible=False), None, gr.skip()

    def on_comment(text, turn_id, turns, lang):
        if handlers.comment(text, turn_id, turns):
            gr.Info(t(lang, "thanks"))
        return gr.update(visible=False), None, gr.update(value="")

    def set_language(choice):
        lang = LANGS.get(choice, "zh")
        return (lang, header_html(lang),
                gr.update(placeholder=placeholder_md(reports, lang, compact, bool(examples))),
                gr.update(placeholder=t(lang, "placeholder")),
                gr.update(value=t(lang, "new_chat")),
                gr.update(label=t(lang, "comment_label"), placeholder=t(lang, "comment_placeholder")),
                gr.update(value=t(lang, "comment_send")),
                f'<p class="ra-foot-note">{esc(t(lang, "footer"))}</p>',
                gr.update(label=t(lang, "reports_label")))

    def refresh_reports(chosen):
        # the library may have changed since the page was built: offer the reports now indexed
        choices = report_choices(assistant)
        files = {f for _, f in choices}
        return gr.update(choices=choices, value=[f for f in (chosen or []) if f in files])

    lang0 = "zh"
    with gr.Blocks(title=t(lang0, "title"), fill_height=True) as demo:
        lang = gr.State(lang0)
        history = gr.State([])  # the conversation's questions, oldest first
        turns = gr.State({})  # chat message index -> the answered turn, for feedback
        pending = gr.State(None)  # the turn a 👎 comment belongs to
        with gr.Row(equal_height=True, elem_id="ra-top", visible=not compact):
            header = gr.HTML(header_html(lang0), js_on_load=JS_ON_LOAD if not compact else None, scale=4,
                             padding=False)
            language = gr.Radio(list(LANGS), value="中文", show_label=False, container=False, scale=0,
                                min_width=200, elem_id="ra-lang")
        chatbot = gr.Chatbot(
            elem_id="ra-chat", show_label=False, scale=1, min_height=300 if compact else 420,
            placeholder=placeholder_md(reports, lang0, compact, bool(examples)),
            examples=[{"text": q} for q in examples] or None,
            sanitize_html=True, render_markdown=True, latex_delimiters=[], buttons=[],
            feedback_options=("Like", "Dislike"), layout="bubble",
        )
        selector = gr.Dropdown(choices=report_choices(assistant), value=[], multiselect=True,
                               label=t(lang0, "reports_label"), elem_id="ra-reports", visible=not compact,
                               container=True, scale=0)
        with gr.Row(equal_height=True):
            box = gr.Textbox(show_label=False, placeholder=t(lang0, "placeholder_short" if compact else "placeholder"), submit_btn=True, scale=8,
                             max_lines=6, autofocus=not compact, elem_id="ra-input", container=False)
            clear = gr.Button(t(lang0, "new_chat"), variant="secondary", scale=0, min_width=100, size="md",
                              elem_id="ra-new")
        with gr.Row(visible=False, equal_height=True) as comment_row:
            comment = gr.Textbox(label=t(lang0, "comment_label"), placeholder=t(lang0, "comment_placeholder"),
                                 scale=6, max_lines=3, elem_id="ra-comment")
            comment_send = gr.Button(t(lang0, "comment_send"), scale=0, min_width=120)
        footer = gr.HTML(f'<p class="ra-foot-note">{esc(t(lang0, "footer"))}</p>', padding=False, js_on_load=None,
                         visible=not compact)
        if compact:  # no header: the styles and the copy handler come from an empty, hidden block
            gr.HTML("", js_on_load=JS_ON_LOAD, elem_id="ra-assets", padding=False)

        chat_io = dict(inputs=[box, chatbot, history, turns, lang, selector], outputs=[box, chatbot, history, turns])
        box.submit(respond, **chat_io, api_name="chat")

        def pick_example(data: gr.SelectData) -> str:
            value = data.value
            return value.get("text", "") if isinstance(value, dict) else str(value)

        chatbot.example_select(pick_example, None, box, queue=False, api_name=False).then(
            respond, **chat_io, api_name=False)
        chatbot.like(on_like, [turns, lang], [comment_row, pending, comment], api_name=False)
        comment_send.click(on_comment, [comment, pending, turns, lang], [comment_row, pending, comment], api_name=False)
        comment.submit(on_comment, [comment, pending, turns, lang], [comment_row, pending, comment], api_name=False)
        def reset():
            return [], [], {}, None, gr.update(visible=False)

        clear.click(reset, None, [chatbot, history, turns, pending, comment_row], queue=False, api_name=False)
        chatbot.clear(reset, None, [chatbot, history, turns, pending, comment_row], queue=False, api_name=False)
        language.change(set_language, language,
                        [lang, header, chatbot, box, clear, comment, comment_send, footer, selector], queue=False,
                        api_name=False)
        selector.focus(refresh_reports, selector, selector, queue=False, api_name=False)
        demo.load(refresh_reports, selector, selector, queue=False, api_name=False)

    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    return demo


def page_options() -> dict:
    """Page-level options that Gradio 6 takes at `demo.launch(**…)` or `gr.mount_gradio_app(…, **…)`
    rather than in `gr.Blocks`: the theme, and no "Built with Gradio" footer."""
    import gradio as gr

    theme = gr.themes.Soft(primary_hue="indigo", secondary_hue="blue", neutral_hue="slate",
                           font=["ui-sans-serif", "system-ui", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC",
                                 "sans-serif"])
    return {"theme": theme, "footer_links": []}


def main(argv: list[str] | None = None) -> int:
    """`python app.py`: load the index once and serve the chat on BOT_HOST:BOT_PORT (127.0.0.1:7860)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    import bm25s  # noqa: F401  (it sets its own logger to DEBUG on import; quiet it after that)

    for noisy in ("httpx", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        host = os.environ.get("BOT_HOST", "").strip() or "127.0.0.1"
        raw_port = os.environ.get("BOT_PORT", "").strip() or "7860"
        try:
            port = int(raw_port)
        except ValueError:
            raise BotError(f"BOT_PORT must be a whole number. Currently, it is '{raw_port}'.") from None
        settings = Settings()
        from ..chain import Assistant

        assistant = Assistant(settings)
        demo = build_ui(assistant, settings)
    except BotError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    try:
        demo.launch(server_name=host, server_port=port, prevent_thread_lock=True, quiet=True, **page_options())
    except OSError as err:
        print(f"error: cannot serve on {host}:{port}: {err} Set BOT_PORT to a free port.", file=sys.stderr)
        return 1
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    print(f"Chat running at http://{shown_host}:{port}/  (Ctrl+C to stop)", flush=True)
    try:
        demo.block_thread()
    except KeyboardInterrupt:
        pass
    return 0


# -- the library page (/admin) ------------------------------------------------------------------
# Plain HTML served by bot.api, styled like the chat (same fonts and accent); its script
# (static/library.js) talks to /api/v1/reports and /api/v1/jobs with the admin's session cookie.

ADMIN_STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "报告库", "subtitle": "上传、查看和删除助手读取的报告。上传后在后台建立索引，完成后对话自动使用新报告。",
        "to_chat": "返回对话", "sign_out": "退出", "signed_in": "已登录：",
        "disabled_title": "报告库管理未开启",
        "disabled_body": "在服务器上设置 BOT_ADMIN_USERS=用户名:密码（用于本页登录），或设置 BOT_ADMIN_KEYS=密钥（用于 API），然后重启服务。在此之前本页不做任何修改。",
        "login_title": "管理员登录", "user": "用户名", "password": "密码", "login": "登录",
        "bad_login": "用户名或密码不对。", "too_many": "尝试次数太多，请稍后再试。",
        "drop": "把报告拖到这里，或点击选择文件（可多选）",
        "drop_hint": "支持 PDF、Word（.docx）、Excel（.xlsx）、HTML、txt、Markdown、CSV；每个文件不超过 {mb} MB。文件类型按内容判断。",
        "reindex": "重新索引", "refresh": "刷新",
        "col_title": "标题", "col_file": "文件", "col_format": "格式", "col_size": "大小", "col_pages": "页数",
        "col_chunks": "段落块", "col_tables": "表格", "col_indexed": "索引时间", "col_status": "状态", "col_actions": "操作",
        "delete": "删除", "confirm_delete": "确定删除《{title}》？它会从报告库和索引中移除。",
        "st_indexed": "已索引", "st_skipped": "已跳过", "st_pending": "待索引", "st_removed": "文件已移除",
        "job_queued": "排队中", "job_running": "处理中", "job_done": "完成", "job_failed": "失败",
        "stage_checking": "检查文件", "stage_indexing": "建立索引", "stage_switching": "切换到新索引",
        "kind_upload": "上传", "kind_delete": "删除", "kind_reindex": "重新索引",
        "empty": "报告库里还没有报告。", "uploads": "处理进度",
    },
    "en": {
        "title": "Report library", "subtitle": "Upload, inspect and remove the reports the assistant reads. Uploads are indexed in the background; the chat switches to them when done.",
        "to_chat": "Back to the chat", "sign_out": "Sign out", "signed_in": "Signed in: ",
        "disabled_title": "Library administration is off",
        "disabled_body": "Set BOT_ADMIN_USERS=user:password (to sign in here) or BOT_ADMIN_KEYS=key (for the API) on the server and restart it. Until then this page changes nothing.",
        "login_title": "Admin sign-in", "user": "User", "password": "Password", "login": "Sign in",
        "bad_login": "Wrong user or password.", "too_many": "Too many attempts; try again later.",
        "drop": "Drop reports here, or click to choose files (several at once)",
        "drop_hint": "PDF, Word (.docx), Excel (.xlsx), HTML, text, Markdown, CSV; up to {mb} MB each. The type is read from the content.",
        "reindex": "Re-index", "refresh": "Refresh",
        "col_title": "Title", "col_file": "File", "col_format": "Format", "col_size": "Size", "col_pages": "Pages",
        "col_chunks": "Chunks", "col_tables": "Tables", "col_indexed": "Indexed", "col_status": "Status", "col_actions": "",
        "delete": "Delete", "confirm_delete": "Delete “{title}”? It is removed from the library and the index.",
        "st_indexed": "indexed", "st_skipped": "skipped", "st_pending": "not indexed yet", "st_removed": "file removed",
        "job_queued": "queued", "job_running": "running", "job_done": "done", "job_failed": "failed",
        "stage_checking": "checking", "stage_indexing": "indexing", "stage_switching": "switching to the new index",
        "kind_upload": "Upload", "kind_delete": "Delete", "kind_reindex": "Re-index",
        "empty": "The library holds no reports yet.", "uploads": "Progress",
    },
}

ADMIN_CSS = """
:root { --accent: #6366f1; --accent-soft: #eef2ff; --text: #1f2937; --muted: #6b7280; --line: #e5e7eb;
  --bg: #f9fafb; --ok: #16a34a; --bad: #dc2626; --warn: #d97706; }
* { box-sizing: border-box; }
body { margin: 0; font-family: ui-sans-serif, system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif;
  color: var(--text); background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 18px 22px 40px; }
header { display: flex; align-items: center; gap: 16px; }
header .grow { flex: 1; }
h1 { font-size: 1.45rem; margin: 0 0 .15rem 0; }
header p { margin: 0; color: var(--muted); font-size: .92rem; }
nav { display: flex; gap: 8px; align-items: center; font-size: .9rem; }
nav a, button, .btn { border: 1px solid var(--line); border-radius: 8px; padding: 6px 12px; background: #fff; color: var(--text);
  font: inherit; font-size: .9rem; cursor: pointer; text-decoration: none; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button:hover, nav a:hover { border-color: var(--accent); }
.lang button[aria-pressed="true"] { background: var(--accent-soft); border-color: var(--accent); }
.card { border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px; margin-top: 16px; background: #fff; }
#lib-drop { border: 2px dashed #c7d2fe; border-radius: 12px; padding: 28px; text-align: center; background: var(--accent-soft);
  cursor: pointer; margin-top: 16px; }
#lib-drop.over { border-color: var(--accent); background: #e0e7ff; }
#lib-drop .hint { color: var(--muted); font-size: .85rem; margin-top: 6px; }
.job { display: grid; grid-template-columns: 1fr 220px 110px; gap: 10px; align-items: center; padding: 6px 0;
  border-bottom: 1px solid var(--line); font-size: .9rem; }
.job:last-child { border-bottom: 0; }
.bar { height: 8px; border-radius: 4px; background: var(--line); overflow: hidden; }
.bar > div { height: 100%; background: var(--accent); transition: width .3s; }
.job.failed .bar > div { background: var(--bad); }
.job .msg { grid-column: 1 / -1; color: var(--muted); font-size: .85rem; white-space: pre-wrap; }
.job.failed .msg { color: var(--bad); }
table { width: 100%; border-collapse: collapse; font-size: .88rem; }
th { text-align: left; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line); padding: 6px 8px; }
td { border-bottom: 1px solid var(--line); padding: 7px 8px; vertical-align: top; }
td.num { text-align: right; white-space: nowrap; }
.status { border-radius: 999px; padding: 1px 9px; font-size: .8rem; white-space: nowrap; }
.status.indexed { background: #dcfce7; color: var(--ok); }
.status.skipped, .status.removed { background: #fee2e2; color: var(--bad); }
.status.pending { background: #fef3c7; color: var(--warn); }
.reason { color: var(--muted); font-size: .8rem; margin-top: 2px; }
.toolbar { display: flex; justify-content: flex-end; gap: 8px; margin-bottom: 8px; }
.muted { color: var(--muted); }
form.login { display: grid; gap: 10px; max-width: 320px; }
form.login input { border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px; font: inherit; }
.error { color: var(--bad); }
"""


def admin_page(state: str, *, user: str = "", error: str = "", lang: str = "zh", max_mb: float = 50) -> str:
    """The /admin page: `state` is "disabled" (no admin configured: how to enable it),
    "login" (the sign-in form) or "ready" (the library). Text is in both languages; the
    script switches between them (the choice is kept in the browser)."""
    s = ADMIN_STRINGS.get(lang, ADMIN_STRINGS["zh"])

    def tx(key: str, tag: str = "span", **attrs) -> str:
        extra = "".join(f' {k.rstrip("_")}="{esc(v)}"' for k, v in attrs.items())
        return f'<{tag} data-t="{esc(key)}"{extra}>{esc(s[key])}</{tag}>'

    nav = ['<span class="lang"><button type="button" data-lang="zh">中文</button>'
           '<button type="button" data-lang="en">English</button></span>',
           f'<a href="/">{tx("to_chat")}</a>']
    if state == "ready":
        nav.append(f'<span class="muted">{tx("signed_in")}{esc(user)}</span>'
                   f'<form method="post" action="/admin/logout" style="margin:0"><button type="submit">'
                   f'{tx("sign_out")}</button></form>')
    if state == "disabled":
        body = f'<section class="card" id="lib-disabled">{tx("disabled_title", "h2")}{tx("disabled_body", "p")}</section>'
    elif state == "login":
        problem = f'<p class="error" id="lib-login-error">{tx(error)}</p>' if error in s else ""
        body = (f'<section class="card">{tx("login_title", "h2")}{problem}'
                f'<form class="login" method="post" action="/admin/login">'
                f'<label>{tx("user")}<br><input name="user" id="lib-user" autocomplete="username" required></label>'
                f'<label>{tx("password")}<br><input name="password" id="lib-password" type="password" '
                f'autocomplete="current-password" required></label>'
                f'<button class="primary" type="submit" id="lib-login">{tx("login")}</button></form></section>')
    else:
        hint = esc(s["drop_hint"].format(mb=f"{max_mb:g}"))
        cols = ["title", "file", "format", "size", "pages", "chunks", "tables", "indexed", "status", "actions"]
        head = "".join(f'<th>{tx("col_" + c)}</th>' for c in cols)
        body = (f'<div id="lib-drop" role="button" tabindex="0">{tx("drop", "div")}'
                f'<div class="hint" data-t="drop_hint" data-mb="{max_mb:g}">{hint}</div>'
                f'<input type="file" id="lib-input" multiple hidden></div>'
                f'<section class="card" id="lib-jobs-card" hidden>{tx("uploads", "h3")}<div id="lib-jobs"></div></section>'
                f'<section class="card"><div class="toolbar"><button type="button" id="lib-refresh">{tx("refresh")}</button>'
                f'<button type="button" id="lib-reindex">{tx("reindex")}</button></div>'
                f'<table id="lib-table"><thead><tr>{head}</tr></thead><tbody></tbody></table>'
                f'<p class="muted" id="lib-empty" hidden>{tx("empty")}</p></section>')
    strings = json.dumps(ADMIN_STRINGS, ensure_ascii=False).replace("<", "\\u003c")
    return (f'<!doctype html><html lang="{esc(lang)}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{esc(s["title"])}</title><style>{ADMIN_CSS}</style></head>'
            f'<body data-state="{esc(state)}"><main><header><div class="grow"><h1>{tx("title")}</h1>'
            f'{tx("subtitle", "p")}</div><nav>{"".join(nav)}</nav></header>{body}</main>'
            f'<script type="application/json" id="lib-strings">{strings}</script>'
            f'<script src="/admin/library.js" defer></script></body></html>')
