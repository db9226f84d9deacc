"""The grounded answerer: composes an answer from the evidence alone, without an LLM.

It picks the sentences (or table rows) that answer the question, copies them verbatim with
their figures in bold, cites each, and refuses plainly when the evidence does not hold what
was asked (a name, a year or a metric no cited passage mentions).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .figures import DATE_RE, bold_figures, find_dates, find_figures, numbers_in
from .index import LoadedIndex, TableView
from .lexical import tokenize, words
from . import asks, cells, decision, ratio, spans
from . import rank as ranking
from .match import _states_change, coverage, date_fit, fit, needs_of, period_fit, plan_fit, score
from .sections import scope_names, scope_text, scoped_needs
from .question import METRICS, Query, Term, count_target
from .types import Chunk, Evidence
from .vocabdata import measure_words

REFUSAL_ZH = "报告中没有"
REFUSAL_EN = "The report does not contain"
SUB_SENTENCE = re.compile(r"(?<=[。！？!?；;])")
# a comma inside a Western-grouped number ("418,306,002股") does not end a clause
CLAUSE = re.compile(r"[，:：]|,(?!\d{3}(?!\d))")
FULL_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]?")
UNIT_GLOSS = {
    "万亿元": "万亿元 = trillion yuan", "亿元": "亿元 = 100 million yuan", "万元": "万元 = 10 thousand yuan",
    "亿美元": "亿美元 = 100 million US dollars", "万台": "万台 = 10 thousand units", "亿": "亿 = 100 million",
    "万": "万 = 10 thousand", "个百分点": "个百分点 = percentage points",
}
COUNT_UNITS = measure_words("count")  # 几项, 多少家 (bot/data/vocab/measure_words.tsv)
TALLY_UNITS = measure_words("tally")  # 几位, 几款: counted too when asked with 几 (bot/question.py)


@dataclass
class Draft:
    body: str
    refused: bool
    chunks: list[Chunk] = field(default_factory=list)  # cited, in citation order: [1] is chunks[0]
    figures: list[str] = field(default_factory=list)
    allowed_numbers: set[str] = field(default_factory=set)  # numbers we computed (counts)
    table: dict | None = None
    chart: dict | None = None
    # bot.decision: how likely the answer states the right figure, and what that was judged on
    answerable_probability: float | None = None
    features: dict = field(default_factory=dict)
    # the notes of the first line saying a part asked is not stated, by the part's text: a part
    # a compound question's own answer states takes its note away (add_part)
    missing: dict = field(default_factory=dict)

    def cite(self, chunk: Chunk) -> str:
        for i, c in enumerate(self.chunks, 1):
            if c.id == chunk.id:
                return f"[{i}]"
        self.chunks.append(chunk)
        return f"[{len(self.chunks)}]"


# The sentence a table cell's figure is also stated in answers instead of the cell (it says the
# figure with its unit, "$231.3 million") when it scores at least this: it picks how the answer is
# worded between two candidates that state the same figure, never whether there is an answer
# (that is bot.decision's fitted model).
SAME_FIGURE_TEXT = 0.55


def compose(q: Query, evidence: list[Evidence], index: LoadedIndex, needs=None) -> Draft:
    """The grounded answer to `q` from `evidence`; `needs` is `needs_of(q, index)` when the
    caller worked it out already (while the question's embedding was being made).

    Every path proposes its answer (`propose`) and one fitted decision (bot.decision) says
    whether it is given: p(it states the right figure) against 1 - p."""
    if not evidence:
        return _refuse(q, "", [], index)
    needs = needs or needs_of(q, index)
    proposal = propose(q, evidence, index, needs)
    if isinstance(proposal, Draft):
        return proposal  # a refusal a path made itself (no row of the table holds what was named)
    draft = proposal.draft
    feats = decision.features(needs, evidence, proposal, index)
    model = decision.load()
    p = model.probability(feats) if model is not None else 1.0
    draft.answerable_probability = p
    draft.features = feats
    if decision.OPEN or p >= 1.0 - p:
        if model is not None and p < model.confident:
            _hedge(q, draft)
        return draft
    # the closest passage a refusal shows is the best sentence of the top-ranked passage, as
    # retrieval ranks them: a stray sentence elsewhere (a planted one) is not put forward
    refusal = _refuse(q, _missing_text(q, needs, proposal.best), evidence, index)
    refusal.answerable_probability = p
    refusal.features = feats
    return refusal


def _hedge(q: Query, draft: Draft) -> None:
    """An answer the decision is less sure of says so in its first line."""
    if q.lang == "en":
        draft.body = f"The closest the report comes is: {draft.body.removeprefix('According to the report: ')}"
        head, sep, rest = draft.body.partition("\n")
        draft.body = f"{head} (please check){sep}{rest}"
    else:
        head, sep, rest = draft.body.partition("\n")
        draft.body = f"报告中最接近的是：{head}（请核对）{sep}{rest}"


@dataclass
class _Proposal(decision.Proposal):
    best: object = None  # the text or cell candidate behind it, for the refusal's wording


def propose(q: Query, evidence: list[Evidence], index: LoadedIndex, needs) -> "_Proposal | Draft":
    """The answer each path would give, the first path that has one, as main's ranking picks it;
    a Draft when a path refuses by itself or no path has anything to say."""
    about_table = cells.structure_answer(q, needs, evidence, index)
    if about_table is not None:
        return _Proposal(about_table, "structure") if not about_table.refused else about_table
    if not needs.items and not needs.years:
        return _refuse(q, "", evidence[:0], index)
    extreme = cells.extreme_answer(q, needs, evidence, index)  # "which has the largest …"
    if extreme is not None:
        return _Proposal(extreme, "extreme") if not extreme.refused else extreme
    if q.intent == "count" or cells.WHICH_RE.search(q.text):  # a condition over a row or a column
        counted = cells.count_answer(q, needs, evidence, index)
        if counted is not None:
            return _Proposal(counted, "count") if not counted.refused else counted
    # record tables (names, dates, departments) answer lists, counts and look-ups row by row
    kind = needs.extra.get("span", "")
    view = _table_for(q, evidence, index, needs)
    # a name, date or reason asked of a table of records is its asked column's cell; a table none
    # of whose columns the question names answers no such question (the span path reads its cells)
    if view is not None and (not cells.numeric(view) or
                             q.intent in ("count", "list") and _filters(q, view, short_only=True)[1]) and \
            not (kind and q.intent not in ("count", "list") and _asked_column(q, view) is None):
        draft = _answer_from_table(q, view, index)
        if draft is not None:
            return _Proposal(draft, "record") if not draft.refused else draft
    text = ranking.ranked(_candidates(q, evidence, index, needs))
    if kind:
        found = _span_candidates(q, kind, evidence, index, needs)
        order = sorted(found, key=lambda c: (-(c.score + SPAN_NEAR * c.span.near), c.rank))
        # one ordering for both: a sentence that states no span of the kind asked counts as one
        # with a span not near the role word; when it orders first, it answers as before
        if order and order[0].score + SPAN_NEAR * order[0].span.near >= max((c.score for c in text), default=0.0):
            best = order[0]
            return _Proposal(_draft_from_span(q, best, index), "text", hand=best.score,
                             runner_up=order[1].score if len(order) > 1 else None, missing=tuple(best.missing),
                             best=best, fitted=best.score, fitted_runner_up=order[1].score if len(order) > 1 else None,
                             span=best.span.text, span_near=best.span.near, span_sentence=best.sentence)
    grid = ranking.ranked(cells.candidates(needs, evidence, index))
    path, best = pick(text, grid)
    hands = sorted([c.score for c in text] + [c.score for c in grid], reverse=True)
    fitted = sorted([c.fitted for c in text] + [c.fitted for c in grid], reverse=True)
    how = dict(hand=best.score if best is not None else None, runner_up=hands[1] if len(hands) > 1 else None,
               missing=tuple(best.missing) if best is not None else (), best=best,
               fitted=best.fitted if best is not None else None,
               fitted_runner_up=fitted[1] if len(fitted) > 1 else None)
    if ratio.margin_need(needs) is not None and not ratio.states_margin(path, best):
        # a margin the report does not state: the profit and revenue figures it is made of
        made = ratio.propose(q, needs, evidence, index)
        if made is not None:
            cell, draft = made
            how.update(hand=cell.score, missing=tuple(cell.missing), best=cell, fitted=cell.fitted)
            return _Proposal(draft, "cell", **how)
    if path == "cell-text":
        return _Proposal(_answer_from_text(q, text, index), path, **how)
    if path == "cell":
        return _Proposal(cells.draft(q, needs, cells.settle(grid, best), index), path, **how)
    if path == "text":
        return _Proposal(_answer_from_text(q, text, index), path, **how)
    return _refuse(q, _missing_text(q, needs, None), evidence, index)


def pick(text: list, grid: list, key=lambda c: c.fitted):
    """The path ("text", "cell", "cell-text" or None) and the candidate the answer is made from:
    the sentence or cell that ranks highest by `key` (bot.rank's fitted score)."""
    best_text = max(text, key=key, default=None)
    best_cell = max(grid, key=key, default=None)
    if best_cell is not None and (best_text is None or key(best_cell) > key(best_text)):
        if best_text is not None and best_text.score >= SAME_FIGURE_TEXT and best_cell.col is not None and \
                numbers_in(best_cell.row.cells[best_cell.col]) <= numbers_in(best_text.sentence):
            # a sentence that states the same figure says it with its unit ("$231.3 million")
            return "cell-text", best_cell
        return "cell", best_cell
    if best_text is not None:
        return "text", best_text
    return None, None


def add_part(whole: Draft, part: Draft, asked: str = "") -> None:
    """Another part of a compound question ("…有多少家旅行社？营收多少"): its first line joins the
    whole answer's first line, and its quote the quotes, when the figure it answers with (its
    first) is not in that first line already (a part whose answer restates it answers the same
    thing; one whose sentence also holds the whole answer's figures still adds its own)."""
    head, _, rest = whole.body.partition("\n")
    if part.refused or whole.refused or not part.figures or f"**{part.figures[0]}**" in head:
        return
    for text, note in list(whole.missing.items()):
        if asked and text in asked and note in head:
            head = head.replace(note, "", 1)  # the part (`asked`) is stated after all
            del whole.missing[text]
    marks = {f"[{i}]": whole.cite(c) for i, c in enumerate(part.chunks, 1)}
    p_head, _, p_rest = re.sub(r"\[\d+\]", lambda m: marks.get(m.group(), m.group()), part.body).partition("\n")
    quotes = [block.strip() for block in p_rest.split("\n\n") if block.strip() and block.strip() not in whole.body]
    whole.body = "\n".join(x for x in (f"{head} {p_head}", rest) if x) + "".join(f"\n\n{q}" for q in quotes)
    whole.figures += [f for f in part.figures if f not in whole.figures]
    whole.allowed_numbers |= part.allowed_numbers


def _missing_text(q: Query, needs, best) -> str:
    """What the refusal says is missing: the asked year and the terms the best passage lacks."""
    lacking = list(getattr(best, "missing", []) or [])
    forms = needs.extra.get("year_forms") or {}  # a fiscal year as the question wrote it ("2021-22")
    years = [forms.get(y) or (f"{y}年" if q.lang == "zh" else y) for y in needs.years]
    if q.lang == "en":
        return ", ".join(years + lacking[:3])
    parts = years + [f"「{m}」" for m in lacking[:3]]
    return ("".join(parts) + "的数据") if parts else ""


# -- terms ---------------------------------------------------------------------------------
def _parts(term: Term) -> list[Term]:
    """The words a longer term is made of ("智算中心行业市场规模" -> 智算/中心/行业/市场/规模)."""
    return [Term(w, term.flag) for w in _part_words(term.text)]


@lru_cache(maxsize=4096)
def _part_words(text: str) -> tuple[str, ...]:
    parts = [w for w in words(text) if len(w) >= 2 and w != text]
    if not parts:  # one dictionary word ("华东地区"): its search-mode sub-words
        parts = [w for w in tokenize(text) if len(w) >= 2 and w != text]
        parts = [p for p in parts if not any(p != o and p in o for o in parts)]
    return tuple(parts)


def _in(term: Term, text: str) -> bool:
    if any(v in text for v in term.variants()):
        return True
    parts = _parts(term)
    return bool(parts) and all(any(v in text for v in p.variants()) for p in parts)


# -- answers from report text ----------------------------------------------------------------
@dataclass
class Candidate:
    chunk: Chunk
    rank: int
    start: int
    sentence: str
    score: float
    anchors: list[str]  # the date each figure in the sentence refers to
    missing: list[str] = field(default_factory=list)  # question terms the passage lacks
    feats: dict = field(default_factory=dict)  # what bot.rank's fitted model scores it on
    fitted: float = 0.0  # that score (bot.rank.ranked)


def _scope(chunk: Chunk) -> str:
    return scope_text(chunk)  # heading, caption, title, unit, and the part's year and report's scope


def _candidates(q: Query, evidence: list[Evidence], index: LoadedIndex, needs=None) -> list[Candidate]:
    needs = needs or needs_of(q, index)
    describe = ranking.wanted()
    out = []
    for rank, ev in enumerate(evidence):
        chunk = ev.chunk
        if chunk.kind != "paragraph":
            continue  # table rows are read as grids (bot.cells)
        scope = _scope(chunk)
        scoped = scoped_needs(needs, chunk)
        dates = [(m.start(), m.group()) for m in find_dates(chunk.text) if "年" in m.group() or "-" in m.group()]
        pos = 0
        for sentence in SUB_SENTENCE.split(chunk.text):
            if not sentence.strip():
                pos += len(sentence)
                continue
            figs = find_figures(sentence)
            anchors = []
            for m in figs:
                before = [d for s, d in dates if s < pos + m.start()]
                anchors.append(before[-1] if before else None)
            whole = FULL_SENTENCE.search(chunk.text, max(0, chunk.text.rfind("。", 0, pos) + 1))
            near = whole.group() if whole else ""
            cov, missing = coverage(needs, sentence, chunk.text, scope, scoped, near)
            kind = fit(needs, sentence)
            date = date_fit(needs, sentence, chunk.text[:pos], scope)
            period = period_fit(needs, sentence, near, chunk.text[:pos], scope)
            plan = plan_fit(needs, sentence)
            value = score(cov, kind, date * period, plan, rank, q.lang)
            define = q.intent == "define" and any(re.search(rf"{re.escape(v)}(是|指|即)", sentence)
                                                  for n in needs.items for v in n.variants if len(v) >= 2)
            if define:
                value += 0.1  # "智算中心是…": the sentence that says what it is
            feats = {}
            if describe:
                feats = ranking.common(needs, sentence, chunk.text, near, scoped, missing, ev, rank, True)
                feats.update(hand=value, cov=cov, kind=kind, date=date, period=period, plan=plan, cell=0.0,
                             whole_row=0.0, define=float(define))
                ranking.finish(feats, needs)
            out.append(Candidate(chunk, rank, pos, sentence.strip(), value, anchors, missing, feats))
            pos += len(sentence)
    return out


def _answer_from_text(q: Query, cands: list[Candidate], index: LoadedIndex) -> Draft:
    best = max(cands, key=lambda c: c.fitted)  # (max keeps the first of equals, as retrieval ranked them)
    cands = sorted(cands, key=lambda c: -c.score)
    # sentences of the same passage that answer as well as the best one (e.g. several shares)
    lead = [c for c in cands if c.chunk.id == best.chunk.id and c.score >= best.score * 0.85]
    if q.intent == "list":
        # "分别是多少": the passage's other sentences that give the same metric
        metrics = [t for t in q.terms if t.text in METRICS and _in(t, best.sentence)]
        lead += [c for c in cands if c.chunk.id == best.chunk.id and c not in lead and c.anchors
                 and any(_in(t, c.sentence) for t in metrics)]
    lead.sort(key=lambda c: c.start)
    # the passage's other sentences, for a part of the question the lead does not state
    spare = [c for c in cands if c.chunk.id == best.chunk.id and c not in lead]
    return _draft_from_sentences(q, lead, spare)


def subject_in(text: str, subject: list[Term]) -> bool:
    return any(_in(t, text) for t in subject)


def _lead_span(q: Query, sentence: str, focus: list[str]) -> str:
    """The clauses of `sentence` that answer: those holding the figures asked for, plus the clause
    naming their subject and the date they refer to; openers such as "从市场规模来看," drop away."""
    # nor does the comma of a date ("December 31, 2018")
    pieces = re.split(r"(?<=，)|(?<=,)(?!\d{3}(?!\d))(?!\s*(?:19|20)\d{2}\b)", sentence)
    if q.intent == "when" and find_dates(sentence):
        return sentence  # a "when" answer is the sentence stating the date (in bold), never an amount's clause
    with_figures = [i for i, p in enumerate(pieces) if find_figures(p)]
    if not with_figures:
        return sentence
    wanted = [i for i in with_figures if any(f in pieces[i] for f in focus)] or with_figures
    start, end = wanted[0], wanted[-1]
    if end + 1 < len(pieces) and not _states_change(pieces[end]) and _states_change(pieces[end + 1]) \
            and not any(f in pieces[end + 1] for f in focus):
        end += 1  # "免签入境外国人2011.5万人次，同比上升112.3%": a level is stated with its change
    subject = [t for t in q.terms if t.text not in METRICS]

    def back_to(test) -> int:
        for i in range(start, -1, -1):
            if test(pieces[i]):
                return i
        return start

    found = back_to(lambda p: any(_in(t, p) for t in subject)) if subject else start
    if found == start and start > 0 and not subject_in(pieces[start], subject) and not find_figures(pieces[start - 1]):
        found = start - 1  # "其次为基础电信运营商,占比为19.1%": the clause before names what the figure measures
    elif found == start and start > 0 and _states_change(pieces[start]) and find_figures(pieces[start - 1]) \
            and not _states_change(pieces[start - 1]):
        found = start - 1  # "营业收入58,546.18万元，较上年同期增长3.55%": a change's clause follows its level's
    start = found
    # the date the figure refers to stands before it or in its clause: a comparative date after it
    # ("…RMB485.2 million (as at 31 August 2020: …)") is another figure's
    first = pieces[wanted[0]]
    if not find_dates("".join(pieces[start:wanted[0]]) + first[:find_figures(first)[0].start()]):
        start = back_to(lambda p: bool(find_dates(p)))
    span = "".join(pieces[start:end + 1])
    return span if end == len(pieces) - 1 else span.rstrip(",，") + "…"


def _asked_figures(q: Query, lead: list[Candidate], spare: list[Candidate] = ()) -> list[str | None]:
    """The figures of the lead sentences that state what each part of the question asks (a change
    where a change is asked, the asked unit, one per part: bot.asks), when the question says more
    than "the figure of the measure" (None for a part no figure there states); [] to keep the
    sentences' own order of figures."""
    if q.intent not in ("value", "count", "list"):
        return []
    wanted = asks.asks_of(q.text)
    decisive = asks.decisive(wanted)
    if not decisive and len(wanted) != 1:
        return []
    picks, close, kinds = asks.pick_scored(wanted, [c.sentence for c in lead])
    # the passage's other sentences of the asked year (or none): a part one of them states more
    # closely (its own words right at a fitting figure) is answered from there
    spare = [c for c in spare if not _other_years(q, c.sentence)]
    swapped = False
    for i, ask in enumerate(wanted):
        if not spare:
            break
        if picks[i] is None and not (ask.change or ask.unit or ask.kind):
            continue
        # "出游多少人次？总共花了多少钱": the spending is the passage's next sentence;
        # "免签入境的外国人有多少人次": the sentence naming them, not the one naming all foreigners
        other, other_close, other_kind = asks.pick_scored([ask], [c.sentence for c in spare])
        if other[0] is None or other[0] in picks:
            continue
        # (a figure of the same type as the lead's, better named: a share beside an amount is
        # another measure of the same words, "占社会消费品零售总额的比重")
        if picks[i] is None or (other_close[0] > close[i] and other_kind[0] == kinds[i]):
            picks[i] = other[0]
            swapped = True
            lead.append(next(c for c in spare if other[0] in c.sentence))
    if not decisive and not swapped:
        return []  # one plain part its lead sentences state as well as any: their own order
    lead.sort(key=lambda c: c.start)
    return picks


# a year: 19xx/20xx followed by 年 or standing alone, not an amount ("2011.5万人次", "2,019")
def _missing_parts(q: Query, picks: list, lead: list[Candidate]) -> list[str]:
    """The asked parts of a several-part question (some part answered) that no figure of the lead
    sentences could state: none of the kind, change or unit the part asks."""
    if not picks or all(picks) or not any(picks):
        return []
    wanted = asks.asks_of(q.text)
    sentences = [c.sentence for c in lead]
    return [a.text.strip(" ，,。.？?") for a, p in zip(wanted, picks) if p is None and not asks.fitting(a, sentences)]


YEAR_RE = re.compile(r"(?<![\d.,])(?:19|20)\d{2}(?:(?=年)|(?![\d.,]*\d)(?!\s*(?:[万亿千百个人家%]|million|billion|thousand|percent)))")


def _other_years(q: Query, sentence: str) -> bool:
    """Does the sentence name years, none of them one the question asks (when it asks one)? (A
    sentence naming the asked year beside another, "on January 1, 2025 … in 2024", is of it.)"""
    asked = set(YEAR_RE.findall(q.text))
    said = set(YEAR_RE.findall(sentence))
    return bool(asked) and bool(said) and not said & asked


def _draft_from_sentences(q: Query, lead: list[Candidate], spare: list[Candidate] = ()) -> Draft:
    draft = Draft(body="", refused=False)
    when = q.intent == "when"
    metrics = [t for t in q.terms if t.text in METRICS]
    focus, rest = [], []
    lead = list(lead)
    picks = _asked_figures(q, lead, spare)
    picked = [f for f in picks if f]
    if picks and all(picks):
        # every part asked is stated: only the sentences that state them, whose figures are the
        # ones in bold; the other sentences' figures answer nothing asked
        lead = [c for c in lead if any(f in c.sentence for f in picked)]
    for c in lead:
        # a "when" question asks for the date: the sentence's amounts are not what it asks
        dates = [m.group() for m in find_dates(c.sentence)] if when else []
        figs = dates or [m.group().strip() for m in find_figures(c.sentence)]
        for clause in CLAUSE.split(c.sentence):
            # figures in the clause that names the asked-for metric come first ("增速" -> 15.4%)
            hit = any(_in(t, clause) for t in metrics)
            for f in figs:
                if f in clause and f not in focus + rest:
                    (focus if hit else rest).append(f)
    if picks and all(picks):
        focus = [f for f in focus + rest if f in picked]
        rest = [f for f in rest if f not in focus]
    elif picked:
        # some part found no figure of its kind: what the sentences' own order puts first stays,
        # beside the figures found for the other parts
        focus += [f for f in picked if f not in focus]
        rest = [f for f in rest if f not in focus]
    parts = []
    whole = q.intent in ("why", "define", "who", "where")  # a reason, a description, a name, a place: the whole sentence
    for c in lead:
        span = c.sentence if whole else _lead_span(q, c.sentence, focus)
        text, figs = bold_figures(span, dates=when)
        wanted = focus or (rest if when else [])  # for "when", focus and rest hold only dates
        if wanted:  # bold only what was asked for; the rest stays as the report's plain text
            for f in figs:
                if f not in wanted:
                    text = text.replace(f"**{f}**", f, 1)
        parts.append(text)
    stated = "".join(parts)
    draft.figures = [f for f in focus + rest if f in stated.replace("**", "")]
    mark = draft.cite(lead[0].chunk)
    sentence = "".join(parts)
    missing = _missing_parts(q, picks, lead)
    for m in missing:
        # a part no figure of the answer's sentences is of the kind of: said to be missing, not
        # left for another figure to seem to answer
        draft.missing[m] = f" The report states no figure for: {m}." if q.lang == "en" else f"报告未给出「{m}」的数字。"
        sentence += draft.missing[m]
    quote = lead[0].chunk.text
    if q.lang == "en":
        draft.body = f"According to the report: {sentence} {mark}"
    else:
        draft.body = f"{sentence} {mark}"
    if quote.strip() != sentence.replace("**", "").strip():
        draft.body += f"\n\n> {quote} {mark}"
    draft.chart = _chart(lead)
    return draft


# -- short spans: a name, a date, a reason, what something consists of ---------------------------
# How much a span standing next to the question's role word ("实际控制人邢博越", "/s/ Moss Adams
# LLP … auditor") counts over one elsewhere in an equally covering sentence: it orders the span
# candidates (a choice of wording between sentences), never whether there is an answer.
SPAN_NEAR = 0.15
# rows of a table one of whose rows was retrieved are read too (the role's column, "实际控制人名称",
# may be in a row the retriever ranked lower); at most this many rows of each table
TABLE_ROWS = 40


# the front matter read: the first paragraphs of each report among the top passages
FRONT_OF, FRONT_PARAGRAPHS = 3, 3


def _front(index: LoadedIndex, file: str, section: str = "") -> list[Chunk]:
    """The first paragraphs of a report, or of one of its sections (a collection of reports, one
    section each, gives each its own front matter: "发布日期：…" under the title)."""
    cache = index.__dict__.setdefault("_front_matter", {})
    if (file, section) not in cache:
        cache[file, section] = [c for c in index.chunks if c.file == file and c.kind == "paragraph"
                                and (not section or c.section == section)][:FRONT_PARAGRAPHS]
    return cache[file, section]


@dataclass
class SpanCandidate:
    chunk: Chunk
    rank: int
    sentence: str  # the sentence or the cell ("header：cell") the span was read from
    span: spans.Span
    score: float  # bot.match's hand score of the sentence
    missing: list[str] = field(default_factory=list)
    fitted: float = 0.0


def _pieces(chunk: Chunk) -> list[tuple[str, str, str]]:
    """(text a span is read from, its column header, the sentence quoted) of a passage or row."""
    if chunk.kind == "paragraph":
        return [(s.strip(), "", s.strip()) for s in SUB_SENTENCE.split(chunk.text) if s.strip()]
    out = [(chunk.label, "", chunk.label)] if chunk.label and chunk.label not in chunk.cells else []
    # a header that is a sentence of its own ("Contact: Thomas B. Heacock, Chief Financial Officer")
    out += [(h, "", h) for h in dict.fromkeys(chunk.header) if len(h) > 24 and h not in chunk.cells]
    for col, cell in enumerate(chunk.cells):
        header = chunk.header[col] if col < len(chunk.header) else ""
        if cell and (col == 0 or cell != chunk.cells[col - 1]):  # a merged cell is read once
            quoted = f"{header}：{cell}" if header else cell
            out.append((cell, header, quoted if cell == chunk.label else f"{chunk.label}｜{quoted}"))
    return out


def _span_candidates(q: Query, kind: str, evidence: list[Evidence], index: LoadedIndex, needs) -> list[SpanCandidate]:
    """Every sentence and table cell of the evidence that states a span of the kind asked, with
    its hand score (bot.match.score: the question's coverage, year and retrieval rank)."""
    roles = spans.roles(needs)
    # the subject's own name ("The Buckle", "金花股份") is not what is asked of it
    subject = [v.lower() for n in needs.items if n.entity for v in n.variants | {n.text} if len(v) >= 2]
    chunks: list[tuple[int, Chunk]] = []
    seen = set()
    for rank, ev in enumerate(evidence):
        extra = [ev.chunk]
        if ev.chunk.kind == "row" and ev.chunk.table_id and index is not None:
            view = index.tables.get(ev.chunk.table_id)
            extra += list(view.rows[:TABLE_ROWS]) if view is not None else []
        for c in extra:
            if c.id not in seen and c.kind in ("paragraph", "row"):
                seen.add(c.id)
                chunks.append((rank, c))
    if kind in ("name", "date") and index is not None:
        # a document's own front matter (its title page: publisher, release date) is a sentence
        # of it too, ranked after the evidence
        fronts = [(ev.chunk.file, "") for ev in evidence[:FRONT_OF]]
        fronts += [(ev.chunk.file, ev.chunk.section) for ev in evidence[:FRONT_OF] if ev.chunk.section]
        for file, section in dict.fromkeys(fronts):
            for c in _front(index, file, section):
                if c.id not in seen:
                    seen.add(c.id)
                    chunks.append((len(evidence), c))
    issuer: dict[str, tuple] = {}
    if kind == "name" and index is not None and spans.pattern("ask-publisher").search(q.text):
        # "是哪家机构呈送的": the report's issuer, named in its footers, source lines, disclaimer
        for file in dict.fromkeys(ev.chunk.file for ev in evidence[:FRONT_OF]):
            found = _issuer(index, file)
            if found is not None and found[1].id not in seen:
                seen.add(found[1].id)
                chunks.append((len(evidence), found[1]))
            if found is not None:
                issuer[found[1].id] = found
    out = []
    ranked = kind == "name" and bool(spans.pattern("ask-rank").search(q.text))
    for rank, chunk in chunks:
        scope = _scope(chunk)
        scoped = scoped_needs(needs, chunk)
        for text, header, sentence in _pieces(chunk):
            span = spans.read(kind, text, roles, q.lang, header, q.text)
            if chunk.id in issuer and issuer[chunk.id][0] in text:
                span = spans.Span(issuer[chunk.id][0], "name", 1.0)
            if span is None or span.text.lower() in q.text.lower() or not span.text.strip() or \
                    (kind == "name" and any(v in span.text.lower() for v in subject)):
                continue
            covered = sentence
            if rank == len(evidence):
                # a line of the front matter is said under the report's or section's title, which
                # the question names the report by ("…统计公报是哪天发布的")
                covered = f"{chunk.section or chunk.report}：{sentence}"
            elif ranked and chunk.kind == "paragraph" and sentence in chunk.text:
                # a sentence that ranks ("vivo…排名第一") ranks within the frame the sentences
                # before it set (the year, the market, the measure ranked by)
                covered = chunk.text[:chunk.text.find(sentence) + len(sentence)]
            cov, missing = coverage(needs, covered, chunk.text, scope, scoped, covered, measures=False)
            # a date asked after the question's year is the release of that year's report or
            # data, not another year's figure ("2024年…公报是哪天发布的" -> 2025-04-24): its own year
            # is not held against the question's; a date before it is (an event of the year
            # asked happens in it)
            years = re.findall(r"(?:19|20)\d{2}", span.text) if kind == "date" else []
            later = bool(years) and bool(needs.years) and min(years) > max(needs.years)
            dated = covered.replace(span.text, " ") if later else covered
            date = date_fit(needs, dated, chunk.text[:max(0, chunk.text.find(text))], scope)
            value = score(cov, 1.0, date, 1.0, rank, q.lang)
            out.append(SpanCandidate(chunk, rank, sentence, span, value, missing))
    return out


def _defined(index: LoadedIndex | None, file: str) -> dict:
    """The short names a report defines (bot.spans.full_names), read once per index and report."""
    if index is None:
        return {}
    cache = index.__dict__.setdefault("_full_names", {})
    if file not in cache:
        chunks = [c for c in index.chunks if c.file == file]
        cache[file] = spans.full_names(chunks) if chunks else {}
    return cache[file]


def _issuer(index: LoadedIndex, file: str):
    """Who issued a report (bot.spans.publisher), read once per index and report."""
    cache = index.__dict__.setdefault("_issuer", {})
    if file not in cache:
        cache[file] = spans.publisher([c for c in index.chunks if c.file == file])
    return cache[file]


def _draft_from_span(q: Query, c: SpanCandidate, index: LoadedIndex | None = None) -> Draft:
    """The span in bold as the first line, the sentence it was read from quoted under it. A name
    the report defines as the short form of a longer one is stated in full, the short name beside
    it, and the definition cited."""
    draft = Draft(body="", refused=False)
    mark = draft.cite(c.chunk)
    head = f"**{c.span.text}** {mark}"
    full = _defined(index, c.chunk.file).get(c.span.text) if c.span.kind == "name" else None
    if full is not None and full[0] not in c.sentence:
        head = f"**{full[0]}**（{c.span.text}） {mark}{draft.cite(full[1])}"
    # the sentence the span was read from says it in context; the passage is quoted when longer
    draft.body = (f"According to the report: {head}" if q.lang == "en" else head) + f"\n\n{c.sentence} {mark}"
    if c.chunk.kind == "paragraph" and c.chunk.text.strip() != c.sentence.strip():
        draft.body += f"\n\n> {c.chunk.text} {mark}"
    draft.figures = [full[0] if full is not None else c.span.text]
    return draft


# -- answers from tables ---------------------------------------------------------------------
def _table_for(q: Query, evidence: list[Evidence], index: LoadedIndex, needs=None) -> TableView | None:
    """The table of records a question is answered from, row by row; None when none is, or when
    the one found is not about the question's year, company or report (cells.fits)."""
    view = _record_table(q, evidence, index)
    # (a Chinese question's every term is checked against the rows in _answer_from_table)
    if view is not None and needs is not None and \
            not cells.fits(q, needs, view, evidence, index, records=True, covered=q.lang != "zh"):
        return None
    return view


def _record_table(q: Query, evidence: list[Evidence], index: LoadedIndex) -> TableView | None:
    tables = [e for e in evidence if e.chunk.table_id]
    if not tables:
        return None
    top = evidence[0].chunk
    if q.intent == "count":
        view = index.tables.get(tables[0].chunk.table_id)
        if view is not None and not _filters(q, view, short_only=True)[0]:
            # the table whose cells hold a value the question names ("股东性质是境内非国有法人")
            ids = dict.fromkeys(e.chunk.table_id for e in tables)
            named = [v for v in (index.tables.get(t) for t in ids) if v is not None and _filters(q, v, short_only=True)[0]]
            view = named[0] if named else view
        # rows picked by a value the question names are what it counts ("股东性质是境内非国有法人的有几家")
        return view if _counts_rows_of(q, view) or (view is not None and _filters(q, view, short_only=True)[0]) else None
    if top.table_id:
        return index.tables.get(tables[0].chunk.table_id)
    if q.intent in ("list", "who", "where", "when") and \
            _filters(q, index.tables.get(tables[0].chunk.table_id), short_only=True)[0]:
        return index.tables.get(tables[0].chunk.table_id)
    return None


def _counts_rows_of(q: Query, view: TableView | None) -> bool:
    """Does a count question count this table's rows? ("几项政策" counts a table of 政策名称 rows.)"""
    if view is None:
        return False
    target = count_target(q.text)
    if not target:
        return True
    nouns = {re.sub(r"名称|名字|标题", "", h) for h in view.header} | set(words(view.caption)[-1:])
    nouns = {n for n in nouns if n}
    tail = words(target)[-1] if words(target) else target
    return any(v in nouns or any(v == n or (len(v) >= 2 and v in n) for n in nouns)
               for v in Term(tail, "n").variants() | {target})


def _short_columns(view: TableView) -> set[int]:
    out = set()
    for col in range(len(view.header)):
        cells = [r.cells[col] for r in view.rows if col < len(r.cells)]
        if cells and sum(map(len, cells)) / len(cells) <= 24:
            out.add(col)
    return out


def _filters(q: Query, view: TableView | None, short_only: bool = False) -> tuple[list[tuple[str, set[int]]], set[int] | None]:
    """Values the question names that pick out some rows: [(value, rows)], and the rows left."""
    if view is None or not view.rows:
        return [], None
    candidates: list[str] = list(q.dates)
    for t in q.terms:
        candidates.append(t.text)
        candidates += [p for p in tokenize(t.text) if len(p) >= 2 and p != t.text]
    # the report's own name ("华润三九" in its title) names the scope, not some rows
    frame = view.caption + "".join(view.header) + (scope_names(view.rows[0]) if view.rows else "")
    short = _short_columns(view)
    n = len(view.rows)
    groups: dict[int, set[int]] = {}
    used: list[tuple[str, set[int]]] = []
    for value in dict.fromkeys(candidates):
        if not value or value in frame or any(value in u and value != u for u, _ in used):
            continue
        by_col: dict[int, set[int]] = {}
        for i, r in enumerate(view.rows):
            for col, cell in enumerate(r.cells):
                if _cell_has(cell, value):
                    by_col.setdefault(col, set()).add(i)
        cols = {c: rs for c, rs in by_col.items() if c in short} or ({} if short_only else by_col)
        rows = set().union(*cols.values()) if cols else set()
        if value in q.dates and not rows:
            return [(value, set())], set()
        if not rows or len(rows) == n:
            continue
        col = max(cols, key=lambda c: len(cols[c]))
        used = [(u, rs) for u, rs in used if not (u in value)]  # a longer value replaces its parts
        used.append((value, rows))
        # in one column, nested matches are parts of one value ("境内"+"非国有"+"法人" ->
        # 境内非国有法人: the narrower rows); disjoint ones are alternatives ("上海和天津": either)
        have = groups.get(col)
        groups[col] = rows if have is None else (have & rows if have <= rows or rows <= have else have | rows)
    if not used:
        return [], None
    left = set(range(n))
    for rows in groups.values():
        left &= rows
    return used, left


def _cell_has(cell: str, value: str) -> bool:
    if value in cell:
        return True
    # "2022年" asked, "2022" in a year column (as spreadsheets show years)
    year = re.fullmatch(r"(\d{4})年", value)
    return bool(year) and re.match(rf"{year.group(1)}(?!\d)", cell.strip()) is not None


def _counted_column(q: Query, view: TableView) -> int | None:
    """"瑞幸有多少家门店" counts stores: the value of a 门店数 column, not a number of rows."""
    target = count_target(q.text)
    if not target:
        return None
    tail = (words(target) or [target])[-1]
    name_col = _name_column(view)
    for col, header in enumerate(view.header):
        cells = [r.cells[col] for r in view.rows if col < len(r.cells)]
        numeric = cells and sum(bool(re.search(r"\d", c)) for c in cells) >= len(cells) * 0.8
        if col != name_col and numeric and (target in header or (len(tail) >= 2 and tail in header)):
            return col
    return None


def _date_column(view: TableView, col: int) -> bool:
    cells = [r.cells[col] for r in view.rows if col < len(r.cells)]
    return bool(cells) and sum(bool(DATE_RE.search(c)) for c in cells) >= len(cells) * 0.8


def _asked_column(q: Query, view: TableView) -> int | None:
    """The column whose value the question wants: named by its header ("哪个部门" -> 发布部门),
    or the date column for "什么时候"."""
    if q.intent == "when":
        return next((col for col in range(len(view.header)) if _date_column(view, col)), None)
    scores = {}
    for col, h in enumerate(view.header):
        # a whole header named in the question counts even when the caption repeats it
        parts = {p for p in [h] + tokenize(h) if len(p) >= 2 and p in q.text and (p == h or p not in view.caption)}
        if parts:
            # the header sharing most with the question; a date column only when nothing else fits
            scores[col] = max(len(p) for p in parts) + sum(map(len, parts)) / 10 - _date_column(view, col)
    return max(scores, key=scores.get) if scores else None


def _name_column(view: TableView) -> int:
    for col, h in enumerate(view.header):
        if re.search(r"名称|名字|标题|name|title", h, re.I):
            return col
    cells = lambda c: [r.cells[c] for r in view.rows if c < len(r.cells)]  # noqa: E731
    unique = [c for c in range(len(view.header)) if len(set(cells(c))) == len(view.rows)]
    short = _short_columns(view)
    return next((c for c in unique if c in short), unique[0] if unique else 0)


def _answer_from_table(q: Query, view: TableView, index: LoadedIndex) -> Draft | None:
    intent, asked = q.intent, _asked_column(q, view)
    if intent == "count":
        counted = _counted_column(q, view)
        if counted is not None:
            intent, asked = "value", counted
    used, left = _filters(q, view)
    if left is not None and not left:
        # no row holds what the question names: this table does not answer, but the text may
        # (the decision to refuse is the caller's, over every candidate)
        return None
    rows = [view.rows[i] for i in sorted(left)] if left is not None else list(view.rows)
    if intent not in ("count", "list") and left is None:
        return None  # nothing in the question picks rows: answer from text instead
    frame = "\n".join([view.caption, *view.header, *(r.text for r in rows), scope_names(rows[0]) if rows else ""])
    if q.lang == "zh" and not all(_in(t, frame) for t in q.terms):
        return None  # the rows do not speak of everything asked: the text may
    name_col = _name_column(view)
    draft = Draft(body="", refused=False)
    lines = []
    for r in rows:
        mark = draft.cite(r)
        name = r.cells[name_col] if name_col < len(r.cells) else ""
        extra = []
        if asked is not None and asked != name_col and asked < len(r.cells):
            cell = r.cells[asked]
            bolded, figs = bold_figures(cell, dates=intent == "when")
            if not figs and len(cell) <= 24:  # a short cell is the answer itself: a name, a bare number
                bolded, figs = f"**{cell}**", ([cell] if re.search(r"\d", cell) else [])
            draft.figures += [f for f in figs if f not in draft.figures]
            extra.append(f"{view.header[asked]}：{bolded}")
        for col, cell in enumerate(r.cells):
            if col not in (name_col, asked) and col in _short_columns(view) and cell:
                extra.append(f"{view.header[col]}：{cell}")
        lines.append(f"- {name}（{'；'.join(extra)}）{mark}" if extra else f"- {name} {mark}")
    scope = f"「{view.caption}」"
    picked = "、".join(v for v, _ in used)
    if q.lang == "en":
        head = f"The table {scope} lists **{len(rows)}** matching entries" if intent == "count" else \
            f"From the table {scope}"
        head += f" (matching {picked})" if picked else ""
        head += ":"
        if intent == "count":
            draft.figures.insert(0, str(len(rows)))
    elif intent == "count":
        unit = next((u for u in COUNT_UNITS if re.search(rf"(几|多少){u}", q.text)), None) or \
            next((u for u in TALLY_UNITS if re.search(rf"几{u}", q.text)), "项")
        head = f"{scope}中{'符合「' + picked + '」的' if picked else ''}共有**{len(rows)}{unit}**："
        draft.figures.insert(0, f"{len(rows)}{unit}")
    else:
        head = f"{scope}中{'与「' + picked + '」相关的' if picked else ''}记录如下："
    if intent == "count":
        draft.allowed_numbers.add(str(len(rows)))
    draft.body = head + "\n" + "\n".join(lines)
    draft.table = {"caption": view.caption, "header": list(view.header), "rows": [list(r.cells) for r in rows],
                   "citations": [draft.chunks.index(r) + 1 for r in rows]}
    if intent == "count" and not used:
        draft.chart = _category_chart(view, rows)
    return draft


# -- refusals --------------------------------------------------------------------------------
def _refuse(q: Query, what: str, evidence: list[Evidence], index: LoadedIndex,
            nearest: Candidate | None = None) -> Draft:
    draft = Draft(body="", refused=True)
    # restating what was asked (a year, a name) is not a claim about the report
    draft.allowed_numbers |= numbers_in(q.text + what)
    if q.lang == "en":
        subject = f" {what}" if what and not re.search(r"[\u4e00-\u9fff]", what) else (f" ({what})" if what else "")
        head = f"{REFUSAL_EN} the answer to this question{subject}."
    else:
        head = f"{REFUSAL_ZH}{what or '能回答这个问题的内容'}。"
    near = ""
    if nearest is None and evidence:
        for ev in evidence:
            if ev.chunk.kind == "paragraph":
                cands = _candidates(q, [ev], index)
                nearest = max(cands, key=lambda c: c.score) if cands else None
                break
    if nearest is not None:
        # context, not an answer: its figures are not the answer's figures
        text, _figs = bold_figures(nearest.sentence)
        near = f"{text} {draft.cite(nearest.chunk)}"
    elif evidence:
        near = f"{evidence[0].chunk.text[:160]} {draft.cite(evidence[0].chunk)}"
    if near:
        head += ("\n\nThe closest the report has: " if q.lang == "en" else "\n\n报告中最接近的内容：") + near
    draft.body = head
    return draft


# -- charts ----------------------------------------------------------------------------------
def _label(sentence: str, start: int) -> str:
    before = CLAUSE.split(sentence[:start])
    clause = next((c for c in reversed(before) if c.strip() and not re.fullmatch(r"\s*(占比|比例|份额)?(为|是|达|约)?\s*", c)), "")
    clause = re.split(r"为|是|：|:", clause)[-1]
    return re.sub(r"^(其次|第[一二三四五六七八九十]|最多的|此外|以及|和|与)", "", clause).strip(" ，,。") or clause.strip()


def _chart(lead: list[Candidate]) -> dict | None:
    items = []
    for c in lead:
        for m, anchor in zip(find_figures(c.sentence), c.anchors):
            items.append((c, m, anchor))
    if len(items) < 2:
        return None
    units = {re.sub(r"[\d.,，\s]", "", m.group()) for _, m, _ in items}
    if len(units) != 1:
        return None
    labels = [_label(c.sentence, m.start()) for c, m, _ in items]
    if len(set(labels)) != len(labels) or not all(labels):
        anchors = [a for _, _, a in items]
        if None in anchors or len(set(anchors)) != len(anchors):
            return None
        labels = anchors
    chunk = lead[0].chunk
    return {"title": chunk.report, "unit": units.pop(), "labels": labels,
            "figures": [m.group() for _, m, _ in items],
            "values": [float(re.sub(r"[^\d.]", "", m.group().replace(",", ""))) for _, m, _ in items],
            "source": f"{chunk.report} · {chunk.location}" + (f" · {chunk.attribution}" if chunk.attribution else "")}


def _category_chart(view: TableView, rows: list[Chunk]) -> dict | None:
    short = _short_columns(view)
    for col in sorted(short):
        values = [r.cells[col] for r in rows if col < len(r.cells)]
        distinct = list(dict.fromkeys(values))
        if 2 <= len(distinct) <= 8 and len(distinct) < len(values):
            counts = [values.count(v) for v in distinct]
            return {"title": f"{view.caption}：按{view.header[col]}", "unit": "项", "labels": distinct,
                    "figures": [str(c) for c in counts], "values": [float(c) for c in counts],
                    "source": f"{rows[0].report} · 表「{view.caption}」"}
    return None
