"""The question-answering chain (LangChain runnables):

    question + history -> standalone question -> evidence -> draft answer -> figure check -> Answer

`Assistant` loads the index once and answers any number of questions; it is what the CLI, the
chat and the API call.
"""
from __future__ import annotations

import logging
import re
import time
import unicodedata
from dataclasses import replace

from langchain_core.runnables import RunnableLambda

from .answer import REFUSAL_EN, REFUSAL_ZH, UNIT_GLOSS, Draft, add_part, compose
from .errors import BotError
from .figures import unsupported_numbers
from .index import LoadedIndex, load_index
from .match import needs_of
from .question import analyse, language, resolve, sub_questions
from .retrieve import HybridRetriever, dense_text
from .settings import Settings
from .types import Answer, Citation

log = logging.getLogger("bot")
# control and invisible characters (zero-width, bidi, word joiners, Unicode tags that can spell a
# hidden message), and lone surrogates (undecodable bytes as Python keeps them: they cannot be
# encoded again, so an answer holding one could not be sent)
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
                        r"\u2066-\u2069\ufeff\ud800-\udfff\U000e0000-\U000e007f]")


def clean_question(question: object, limit: int) -> str:
    """The question as text, or a BotError that tells the asker what to change."""
    if not isinstance(question, str):
        raise BotError("The question must be text.", hint="Send the question as a string.")
    text = CONTROL_RE.sub("", unicodedata.normalize("NFC", question.replace("\ufffd", ""))).strip()
    if not text:
        raise BotError("请输入一个问题。/ Please type a question.")
    if len(text) > limit:
        raise BotError(f"问题太长（{len(text)}字，上限{limit}字），请缩短后再问。/ The question is too long "
                       f"({len(text)} characters; the limit is {limit}). Please shorten it.")
    return text


class Assistant:
    def __init__(self, settings: Settings | None = None, index: LoadedIndex | None = None, answerer=None):
        self.settings = settings or Settings()
        self.index = index or load_index(self.settings)
        self.retriever = HybridRetriever(index=self.index, k=self.settings.top_k)
        # the optional LLM answerer gets the grounded answer, the evidence and the draft and returns
        # an Answer (see llm.py); it may also offer `stream(...)` and `rewrite(...)` for follow-ups
        self.answerer = answerer
        self.prepare = RunnableLambda(self._standalone) | RunnableLambda(self._retrieve) | RunnableLambda(self._compose)
        self.chain = self.prepare | RunnableLambda(self._check)

    # -- public ---------------------------------------------------------------------------
    def standalone(self, question: str, history: list[str] | tuple = ()) -> str:
        """Replay the conversation's questions so each follow-up resolves against the last one."""
        previous = None
        for turn in history:
            try:
                turn = clean_question(turn, self.settings.max_question_chars)
            except BotError:
                continue
            previous = resolve(turn, previous, self.index)
        return resolve(question, previous, self.index)

    def ask(self, question: str, history: list[str] | tuple = (), reports=None) -> Answer:
        """Answer `question`; `history` is the earlier questions of the conversation, oldest first.
        `reports` (file names), when given, are the only reports searched and cited."""
        started = time.perf_counter()
        text = clean_question(question, self.settings.max_question_chars)
        answer = self.chain.invoke({"question": text, "history": list(history), "reports": _files(reports)})
        answer.seconds = time.perf_counter() - started
        return answer

    def stream(self, question: str, history: list[str] | tuple = (), reports=None):
        """Answer `question` step by step, for a chat that shows tokens as they arrive.

        Yields zero or more `str` items, then exactly one `Answer`, always last:
        - each str is the whole reply so far (not a delta), as the LLM writes it: provisional,
          not yet checked; show it in place of the previous one (e.g. with a "checking…" hint);
        - the Answer is the checked, final answer, to show instead of every str before it. Its
          text may differ from the last str entirely: a reply that fails the figure check, an
          error or a timeout gives the grounded answer, with `note` saying why.
        Without an LLM answerer (or one without `stream`) it yields only the Answer. Raises
        BotError, before yielding anything, for an empty or too long question, as `ask` does.
        `reports` restricts the search as in `ask`.
        """
        started = time.perf_counter()
        text = clean_question(question, self.settings.max_question_chars)
        state = self.prepare.invoke({"question": text, "history": list(history), "reports": _files(reports)})
        grounded = self._grounded(state)
        if self.answerer is None or not hasattr(self.answerer, "stream"):
            answer = self.answerer(grounded, state["evidence"], state["draft"]) if self.answerer else grounded
        else:
            answer = None
            for item in self.answerer.stream(grounded, state["evidence"], state["draft"]):
                if isinstance(item, Answer):
                    answer = item
                    break
                yield item
            answer = answer or grounded
        answer.seconds = time.perf_counter() - started
        yield answer

    # -- steps ----------------------------------------------------------------------------
    def _standalone(self, state: dict) -> dict:
        standalone = self.standalone(state["question"], state["history"])
        if state["history"] and hasattr(self.answerer, "rewrite"):
            # the LLM may resolve the follow-up better; the rule-based resolution is its fallback
            standalone = self.answerer.rewrite(state["question"], state["history"], standalone,
                                               limit=self.settings.max_question_chars)
        return {**state, "standalone": standalone}

    def _retrieve(self, state: dict) -> dict:
        reports = state.get("reports")
        standalone = state["standalone"]
        prefetch = getattr(self.index.embedder, "prefetch", None)
        if prefetch is not None:  # the question's embedding is made while it is analysed
            prefetch(dense_text(standalone))
        query = analyse(standalone)
        # answers follow the language the person asked in, not the resolved question's
        query.lang = language(state["question"]) if len(state["question"]) > 3 else query.lang
        needs = needs_of(query, self.index)
        parts = sub_questions(standalone, self.index)
        docs = (self.retriever.invoke(standalone) if reports is None
                else self.retriever.invoke(standalone, reports=reports))
        return {**state, "query": query, "needs": needs, "parts": parts,
                "evidence": [d.metadata["evidence"] for d in docs]}

    def _compose(self, state: dict) -> dict:
        query, evidence = state["query"], state["evidence"]
        draft = compose(query, evidence, self.index, state["needs"])
        if len(state["parts"]) > 1:
            for part in state["parts"]:
                # each part of a compound question, answered from the same evidence, adds what
                # the answer to the whole question did not state
                part_query = analyse(part)
                part_query.lang = query.lang
                add_part(draft, compose(part_query, evidence, self.index), part)
        return {**state, "query": query, "draft": draft}

    def _check(self, state: dict) -> Answer:
        answer = self._grounded(state)
        if self.answerer is not None:
            answer = self.answerer(answer, state["evidence"], state["draft"])
        return answer

    def _grounded(self, state: dict) -> Answer:
        draft: Draft = state["draft"]
        bad = unsupported_numbers(draft.body, [_evidence_text(c) for c in draft.chunks], draft.allowed_numbers)
        if bad:
            # never show a figure its citations do not hold; this is a bug if it happens
            log.error("figure check failed for %r: %s", state["question"], bad)
            draft = Draft(body=_refusal_text(state["query"].lang), refused=True)
            state["draft"] = draft
        reports = state.get("reports")
        if reports is not None:
            if any(c.file not in reports for c in draft.chunks):
                # the answerer reached past the chosen reports (e.g. through a table lookup)
                log.error("answer for %r cited reports outside %s", state["question"], sorted(reports))
                draft = Draft(body=_refusal_text(state["query"].lang), refused=True)
            if draft.refused:
                draft = replace(draft, body=draft.body + _searched_line(self.index, reports, state["query"].lang))
            state["draft"] = draft
        return render(state["question"], state["standalone"], state["query"].lang, draft)


def _evidence_text(chunk) -> str:
    # a row's column labels and row label are the report's own words too ("2017", "FY19")
    return "\n".join((chunk.text, chunk.location, chunk.attribution, chunk.report, chunk.caption,
                      " ".join(chunk.header), chunk.label, chunk.unit))


def _files(reports) -> frozenset[str] | None:
    return None if reports is None else frozenset(str(r) for r in reports)


def _searched_line(index, reports: frozenset[str], lang: str) -> str:
    """Which reports a restricted question was looked up in, for its refusal."""
    titles = dict(getattr(index, "reports", []))
    names = [titles.get(f) or f for f in sorted(reports)]
    if lang == "en":
        return "\n\n_Searched only: " + ("; ".join(f"《{n}》" for n in names) or "no report") + "._"
    return "\n\n_只在这些报告中查找：" + ("、".join(f"《{n}》" for n in names) or "（没有报告）") + "。_"


def _refusal_text(lang: str) -> str:
    return f"{REFUSAL_EN} a figure I can cite for this." if lang == "en" else f"{REFUSAL_ZH}可以引用的数据来回答这个问题。"


def render(question: str, standalone: str, lang: str, draft: Draft) -> Answer:
    citations = [
        Citation(n=i, report=c.report, location=c.location, quote=c.text, attribution=c.attribution,
                 chunk_id=c.id, file=c.file, page=c.page)
        for i, c in enumerate(draft.chunks, 1)
    ]
    text = draft.body
    if lang == "en":
        glosses = [g for unit, g in UNIT_GLOSS.items() if any(unit in f for f in draft.figures)]
        # keep only the most specific gloss for overlapping units (亿元 over 亿)
        glosses = [g for g in glosses if not any(g != o and g.split(" = ")[0] in o.split(" = ")[0] for o in glosses)]
        if glosses:
            text += "\n\n_Units: " + "; ".join(glosses) + "_"
    if citations:
        head = "Sources" if lang == "en" else "来源"
        lines = [f"[{c.n}] {c.report} · {c.location}" + (f" · {c.attribution}" if c.attribution else "")
                 for c in citations]
        text += f"\n\n{head}:\n" + "\n".join(lines)
    return Answer(question=question, standalone=standalone, text=text, refused=draft.refused,
                  citations=citations, figures=draft.figures, lang=lang, table=draft.table, chart=draft.chart,
                  computed=sorted(draft.allowed_numbers) if not draft.refused else [],
                  answerable_probability=draft.answerable_probability)
