"""The optional LLM answerer: a LangChain chat model words the answer, held to the same figures
and citations as the grounded answerer.

    BOT_LLM=openai:<model>   any OpenAI-compatible endpoint (OPENAI_BASE_URL, OPENAI_API_KEY)
    BOT_LLM=ollama:<model>   a local Ollama server (OLLAMA_HOST, default http://127.0.0.1:11434)

Install with `pip install 'bot[llm]'`. The flow for one question:

1. The grounded answer is rendered first (bot.chain); it is the fallback.
2. The model sees the evidence, numbered [1]..[n]: the chunks the grounded answer cited first,
   then the rest of the retrieved evidence (`number_evidence`), and the prompt in bot/prompts.py.
3. Its reply is checked (`check_reply`): citation marks are normalised to [n]; numbers that match
   no evidence are removed; every number in each stretch of text must appear in the evidence
   cited right after it (text after the last citation: in any evidence the reply cites), with the
   normalisation of bot.figures; a reply that is not a refusal must cite something. A reply
   containing bot.answer.REFUSAL_ZH / REFUSAL_EN is a refusal.
4. A reply that passes becomes the Answer (answerer "llm:<BOT_LLM>"), its citations renumbered
   1..m in order of first use. A reply that fails, an error or a timeout (BOT_LLM_TIMEOUT seconds
   for the whole reply) gives the grounded answer with a short `note`, and is logged.

With history, the model may also rewrite a follow-up as a standalone question (`rewrite`); the
rule-based resolution (bot.question.resolve) is the fallback.
"""
from __future__ import annotations

import logging
import os
import queue
import re
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Callable, Iterator

from . import prompts
from .answer import REFUSAL_EN, REFUSAL_ZH, Draft
from .errors import BotError
from .figures import CITE_RE, bold_figures, numbers_in, unsupported_numbers
from .guard import find_leaks, instruction_like, showable
from .types import Answer, Chunk, Evidence

log = logging.getLogger("bot.llm")

# [1], [1, 2], [1-3], 【1】, ［1］ -> one or more evidence numbers
CITE_GROUP_RE = re.compile(r"[\[【［]\s*(\d{1,3}(?:\s*(?:[,，、;；]|[-–~])\s*\d{1,3})*)\s*[\]】］]")
CITES_RE = re.compile(r"(?:\[\d+\]\s*)+")  # a run of normalised marks: the citations closing a claim
THINK_RE = re.compile(r"<think>.*?(?:</think>|$)", re.S)
SOURCES_RE = re.compile(r"\n\s*(?:#+\s*)?(?:\*\*)?(?:来源|资料来源|参考来源|参考资料|引用|Sources?|References?)(?:\*\*)?\s*[:：]"
                        r"(?:\*\*)?\s*(?:\n|$).*", re.S | re.I)
# links, images and HTML: an answer quotes no URL, so these come from an injection (an image URL
# that a Markdown client fetches can carry data off to another host)
MARKUP_RE = re.compile(
    r"!\[|\[(?!\d{1,3}\])[^\]\n]*\]\(|\[\d{1,3}\]\((?:https?|www|/)|(?m:^\s*\[[^\]\n]+\]:\s*\S)|"  # images, links
    r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>|<(?:script|img|iframe|svg|a)\b|"  # HTML
    r"\b(?:https?|ftp|file|javascript|data):|\bwww\.[a-z0-9-]+\.", re.I)  # URLs
ORDINAL_RE = re.compile(r"(?m)^\s*(?:\d{1,2}[.、)）](?!\d)|[(（]\d{1,2}[)）])\s*")


def _is_timeout(err: BaseException) -> bool:
    """A client library's timeout (openai's APITimeoutError, httpx's TimeoutException, …)."""
    return isinstance(err, TimeoutError) or "timeout" in type(err).__name__.lower()


class LLMTimeout(Exception):
    pass


# -- pure steps (unit-tested one by one) -------------------------------------------------------
def number_evidence(draft: Draft, evidence: list[Evidence], limit: int | None = None) -> list[Chunk]:
    """The evidence the model sees, in the order it is numbered: the grounded answer's cited chunks
    first, then the other retrieved chunks, without repeats."""
    out: list[Chunk] = []
    seen: set[str] = set()
    for chunk in list(draft.chunks) + [e.chunk for e in evidence]:
        if chunk.id not in seen:
            seen.add(chunk.id)
            out.append(chunk)
    return out[:limit] if limit else out


def format_evidence(chunks: list[Chunk]) -> str:
    items = []
    for n, c in enumerate(chunks, 1):
        source = f"{c.report} · {c.location}" + (f" · {c.attribution}" if c.attribution else "")
        items.append(prompts.EVIDENCE_ITEM.format(n=n, source=source, text=c.text.strip()))
    return "\n\n".join(items)


def answer_messages(question: str, standalone: str, lang: str, chunks: list[Chunk]) -> list[tuple[str, str]]:
    """The chat messages for one answer, as (role, text) pairs LangChain chat models accept."""
    asked = standalone if standalone == question else f"{standalone}\n(asked as: {question})"
    refusal = REFUSAL_EN if lang == "en" else REFUSAL_ZH
    system = prompts.ANSWER_SYSTEM.format(language=prompts.LANGUAGE.get(lang, prompts.LANGUAGE["zh"]),
                                          refusal=refusal)
    user = prompts.ANSWER_USER.format(evidence=format_evidence(chunks) or "(none)", question=asked)
    return [("system", system), ("human", user)]


def rewrite_messages(question: str, history: list[str]) -> list[tuple[str, str]]:
    lines = "\n".join(f"- {h}" for h in history)
    return [("system", prompts.REWRITE_SYSTEM), ("human", prompts.REWRITE_USER.format(history=lines, question=question))]


def visible_text(raw: str) -> str:
    """The reply without reasoning blocks (<think>…</think>, also while still open)."""
    return THINK_RE.sub("", raw).strip()


def normalise_citations(text: str, count: int) -> tuple[str, list[int]]:
    """Rewrite every citation mark as [n][m]…; drop numbers that match no evidence (outside
    1..count). Returns the new text and the dropped numbers."""
    dropped: list[int] = []

    def one(m: re.Match) -> str:
        ns: list[int] = []
        for part in re.split(r"\s*[,，、;；]\s*", m.group(1)):
            lo, _, hi = re.sub(r"\s*[-–~]\s*", "-", part).partition("-")
            a, b = int(lo), int(hi or lo)
            ns += list(range(a, b + 1)) if 0 <= b - a <= 20 else [a, b]
        keep = [n for n in dict.fromkeys(ns) if 1 <= n <= count]
        dropped.extend(n for n in ns if not 1 <= n <= count)
        return "".join(f"[{n}]" for n in keep)

    out = CITE_GROUP_RE.sub(one, text)
    out = re.sub(r"[ \t]+([。，；！？.,;!?])", r"\1", out)  # "… 。" left by a removed mark
    return out, dropped


def cited_numbers(text: str) -> list[int]:
    """Citation numbers in order of first use."""
    return list(dict.fromkeys(int(n) for n in CITE_RE.findall(text)))


def is_refusal(text: str) -> bool:
    return REFUSAL_ZH in text or REFUSAL_EN.lower() in text.lower()


def unsupported_figures(text: str, chunks: list[Chunk], allowed: set[str] = frozenset()) -> list[str]:
    """Numbers in `text` (citations normalised, numbered against `chunks`) that the evidence they
    cite does not hold. Each stretch of text is checked against the citations that close it; text
    after the last citation against everything the reply cites. List ordinals are not claims."""
    from .chain import _evidence_text  # the grounded check's evidence text, so both agree

    def texts(ns):
        return [_evidence_text(chunks[n - 1]) for n in ns if 1 <= n <= len(chunks)]

    bad: list[str] = []
    pos = 0
    for m in CITES_RE.finditer(text):
        bad += unsupported_numbers(ORDINAL_RE.sub("", text[pos:m.start()]), texts(cited_numbers(m.group())), allowed)
        pos = m.end()
    bad += unsupported_numbers(ORDINAL_RE.sub("", text[pos:]), texts(cited_numbers(text)), allowed)
    return sorted(set(bad), key=bad.index)


@dataclass
class Checked:
    """A model reply after the checks: `text` cites 1..len(cited) in order of first use."""
    text: str
    cited: list[Chunk]
    refused: bool
    figures: list[str]
    dropped: list[int] = field(default_factory=list)  # invented citation numbers, removed
    unsupported: list[str] = field(default_factory=list)  # numbers the cited evidence does not hold
    problem: str = ""  # "", "empty", "figures" or "citations": why it cannot be shown

    @property
    def ok(self) -> bool:
        return not self.problem


def check_reply(raw: str, chunks: list[Chunk], question: str = "", allowed: set[str] = frozenset()) -> Checked:
    """Clean, check and renumber one model reply against the evidence it was shown (`chunks`,
    numbered from 1). `allowed`: numbers the code computed (a count of table rows); a refusal may
    also restate the question's numbers."""
    text = SOURCES_RE.sub("", visible_text(raw)).strip()
    if not text:
        return Checked("", [], False, [], problem="empty")
    text, dropped = normalise_citations(text, len(chunks))
    refused = is_refusal(text)
    ok_numbers = set(allowed) | (numbers_in(question) if refused else set())
    bad = unsupported_figures(text, chunks, ok_numbers)
    order = cited_numbers(text)
    problem = "figures" if bad else ("citations" if not order and not refused else "")
    # renumber 1..m in order of first use
    new = {old: i for i, old in enumerate(order, 1)}
    text = CITE_RE.sub(lambda m: f"[{new[int(m.group(1))]}]", text)
    text, figures = bold_figures(text.replace("**", ""))
    return Checked(text=text, cited=[chunks[n - 1] for n in order], refused=refused, figures=figures,
                   dropped=dropped, unsupported=bad, problem=problem)


# -- running the model with a deadline -------------------------------------------------------
def _text(message) -> str:
    """A message's text (langchain-core 1.x: the `.text` property; content blocks joined)."""
    text = getattr(message, "text", message)
    if isinstance(text, str):
        return str(text)
    return str(getattr(message, "content", "") or "")


def _pump(produce: Callable[[], Iterator], timeout: float) -> Iterator:
    """Items of `produce()`, made in a worker thread, raising LLMTimeout once `timeout` seconds
    have passed in all (a hung connection cannot hold the answer up)."""
    items: queue.Queue = queue.Queue()
    stop = threading.Event()

    def work():
        try:
            for item in produce():
                items.put(("item", item))
                if stop.is_set():
                    break
            items.put(("done", None))
        except BaseException as err:  # noqa: BLE001 - handed to the caller
            items.put(("error", err))

    threading.Thread(target=work, name="bot-llm", daemon=True).start()
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise LLMTimeout
            try:
                kind, value = items.get(timeout=left)
            except queue.Empty:
                raise LLMTimeout from None
            if kind == "done":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()


NOTES = {
    "timeout": ("大模型未在{detail}秒内回答", "the language model did not answer within {detail} s"),
    "error": ("调用大模型出错（{detail}）", "the language model call failed ({detail})"),
    "figures": ("大模型回答中的数字{detail}不在所引原文中", "the language model stated {detail}, which its cited evidence does not hold"),
    "citations": ("大模型回答没有引用原文", "the language model's answer cited no evidence"),
    "empty": ("大模型没有给出回答", "the language model gave no answer"),
    "markup": ("大模型回答中含有链接、图片或HTML", "the language model's answer held links, images or HTML"),
    "leak": ("大模型回答中含有不能公开的内容（配置或提示词）", "the language model's answer held text that must not be shown "
             "(settings or prompt text)"),
    "instructions": ("问题中含有给助手的指令，未交给大模型", "the question holds instructions to the assistant, so it "
                     "was not given to the language model"),
}


def fallback_note(lang: str, kind: str, detail: str = "") -> str:
    zh, en = NOTES[kind]
    if lang == "en":
        return f"Showing the grounded answer: {en.format(detail=detail)}."
    return f"以下为基于原文的回答：{zh.format(detail=detail)}。"


# -- the answerer --------------------------------------------------------------------------------
class LLMAnswerer:
    """Callable as the Assistant's `answerer(grounded_answer, evidence, draft) -> Answer`; also
    `stream(...)` (partial texts, then the checked Answer) and `rewrite(...)` for follow-ups.

    `model` is any LangChain chat model (ChatOpenAI, ChatOllama, or a fake in tests)."""

    def __init__(self, model, name: str = "llm", timeout: float = 20.0, rewrite_followups: bool = True,
                 max_evidence: int | None = None):
        if timeout <= 0:
            raise BotError(f"llm_timeout must be greater than 0. Currently, it is {timeout}.",
                           hint="Set BOT_LLM_TIMEOUT to a number of seconds such as 20.")
        self.model = model
        self.name = name
        self.timeout = timeout
        self.rewrite_followups = rewrite_followups
        self.max_evidence = max_evidence

    # answers
    def __call__(self, grounded: Answer, evidence: list[Evidence], draft: Draft) -> Answer:
        if instruction_like(grounded.question) or instruction_like(grounded.standalone):
            return self._fallback(grounded, "instructions")
        chunks = number_evidence(draft, evidence, self.max_evidence)
        messages = answer_messages(grounded.question, grounded.standalone, grounded.lang, chunks)
        try:
            reply = _text(next(_pump(lambda: iter([self.model.invoke(messages)]), self.timeout)))
        except LLMTimeout:
            return self._fallback(grounded, "timeout", f"{self.timeout:g}")
        except Exception as err:  # noqa: BLE001 - any failure of the model falls back
            if _is_timeout(err):  # the client's own timeout (same limit) can fire first
                return self._fallback(grounded, "timeout", f"{self.timeout:g}")
            return self._fallback(grounded, "error", type(err).__name__, err)
        return self._finish(grounded, reply, chunks, draft)

    def stream(self, grounded: Answer, evidence: list[Evidence], draft: Draft) -> Iterator[str | Answer]:
        """Yield the reply's text so far (a str, the whole text each time, unchecked) as tokens
        arrive, then exactly one checked Answer, which is what must be shown in the end."""
        if instruction_like(grounded.question) or instruction_like(grounded.standalone):
            yield self._fallback(grounded, "instructions")
            return
        chunks = number_evidence(draft, evidence, self.max_evidence)
        messages = answer_messages(grounded.question, grounded.standalone, grounded.lang, chunks)
        raw, shown = "", ""
        try:
            for piece in _pump(lambda: self.model.stream(messages), self.timeout):
                raw += _text(piece)
                text = visible_text(raw)
                if find_leaks(text):
                    yield self._fallback(grounded, "leak")  # the reply is not logged either
                    return
                text = showable(text)  # never the start of a secret before the check sees it whole
                if text != shown:
                    shown = text
                    yield text
        except LLMTimeout:
            yield self._fallback(grounded, "timeout", f"{self.timeout:g}")
            return
        except Exception as err:  # noqa: BLE001
            if _is_timeout(err):  # the client's own timeout (same limit) can fire first
                yield self._fallback(grounded, "timeout", f"{self.timeout:g}")
            else:
                yield self._fallback(grounded, "error", type(err).__name__, err)
            return
        yield self._finish(grounded, raw, chunks, draft)

    def _finish(self, grounded: Answer, reply: str, chunks: list[Chunk], draft: Draft) -> Answer:
        if find_leaks(reply):
            return self._fallback(grounded, "leak")  # the reply is not logged either
        if MARKUP_RE.search(visible_text(reply)):
            return self._fallback(grounded, "markup", "", reply)
        # a refused draft's allowed numbers are the question's own (restated in the refusal), not
        # counts: they must not let a reply that answers state them as if the report did
        computed = set() if draft.refused else draft.allowed_numbers
        checked = check_reply(reply, chunks, grounded.question + " " + grounded.standalone, computed)
        if checked.dropped:
            log.warning("LLM cited evidence that does not exist, removed: %s (question %r)",
                        checked.dropped, grounded.question)
        if not checked.ok:
            detail = "、".join(checked.unsupported) if grounded.lang != "en" else ", ".join(checked.unsupported)
            return self._fallback(grounded, checked.problem, detail, reply)
        return self._answer(grounded, checked, draft)

    def _answer(self, grounded: Answer, checked: Checked, draft: Draft) -> Answer:
        from .chain import render

        cited = list(checked.cited)
        table = chart = None
        if not checked.refused and not grounded.refused:
            chart = draft.chart
            if draft.table:
                # the table's rows keep their citations, numbered as in this answer
                numbers = []
                for old in draft.table.get("citations") or []:
                    chunk = draft.chunks[old - 1]
                    if chunk not in cited:
                        cited.append(chunk)
                    numbers.append(cited.index(chunk) + 1)
                table = {**draft.table, "citations": numbers}
        answer = render(grounded.question, grounded.standalone, grounded.lang,
                        Draft(body=checked.text, refused=checked.refused, chunks=cited, figures=checked.figures,
                              table=table, chart=chart,
                              allowed_numbers=draft.allowed_numbers & numbers_in(CITE_RE.sub(" ", checked.text))))
        answer.answerer = self.name
        return answer

    def _fallback(self, grounded: Answer, kind: str, detail: str = "", cause: object = None) -> Answer:
        log.warning("LLM answer not used (%s: %s) for %r; showing the grounded answer. %s",
                    kind, detail, grounded.question, f"Reply/error: {cause!r}"[:500] if cause is not None else "")
        note = fallback_note(grounded.lang, kind, detail)
        return replace(grounded, answerer="grounded", note=f"{grounded.note} {note}".strip())

    # follow-ups
    def rewrite(self, question: str, history: list[str], fallback: str, limit: int = 1000) -> str:
        """A standalone form of `question` given the earlier questions; `fallback` (the rule-based
        resolution) when there is no history, on any failure, or when the rewrite is unusable
        (empty, too long, or with a number the conversation never mentioned)."""
        if not self.rewrite_followups or not history:
            return fallback
        history = list(history)[-6:]
        if any(instruction_like(t) for t in [question, *history]):
            return fallback
        try:
            reply = _text(next(_pump(lambda: iter([self.model.invoke(rewrite_messages(question, history))]),
                                     self.timeout)))
        except Exception as err:  # noqa: BLE001 - LLMTimeout included
            log.warning("LLM follow-up rewrite failed (%s); using the rule-based resolution", type(err).__name__)
            return fallback
        lines = [ln.strip() for ln in visible_text(reply).splitlines() if ln.strip()]
        text = re.sub(r"^(standalone question|独立问题|问题)\s*[:：]\s*", "", lines[0], flags=re.I) if lines else ""
        text = text.strip(" \"'“”「」")
        invented = numbers_in(text) - numbers_in(" ".join([question, *history]))
        if find_leaks(text) or instruction_like(text):
            log.warning("LLM follow-up rewrite not used (it held settings, prompt text or instructions)")
            return fallback
        if not text or len(text) > limit or invented:
            log.warning("LLM follow-up rewrite %r not used; using the rule-based resolution", text[:200])
            return fallback
        return text


def make_answerer(settings) -> LLMAnswerer:
    """The answerer BOT_LLM names: `openai:<model>` or `ollama:<model>`."""
    spec = (settings.llm or "").strip()
    provider, _, model = spec.partition(":")
    provider, model = provider.strip().lower(), model.strip()
    if provider not in ("openai", "ollama") or not model:
        raise BotError(f"BOT_LLM must be 'openai:<model>' or 'ollama:<model>'. Currently, it is '{spec}'.",
                       hint="For example BOT_LLM=openai:deepseek-chat or BOT_LLM=ollama:qwen2.5:7b; "
                            "leave it empty for the grounded answerer.")
    timeout = float(settings.llm_timeout)
    if timeout <= 0:
        raise BotError(f"BOT_LLM_TIMEOUT must be greater than 0. Currently, it is {timeout:g}.")
    try:
        if provider == "openai":
            from langchain_openai import ChatOpenAI
        else:
            from langchain_ollama import ChatOllama
    except ImportError:
        raise BotError(f"BOT_LLM={spec} needs the optional LLM packages.",
                       hint="Install them with: pip install 'bot[llm]'") from None
    if provider == "openai":
        base_url = os.environ.get("OPENAI_BASE_URL", "").strip() or None
        key = os.environ.get("OPENAI_API_KEY", "").strip()
        if not key and not base_url:
            raise BotError(f"BOT_LLM={spec} needs OPENAI_API_KEY (and OPENAI_BASE_URL for a non-OpenAI endpoint).",
                           hint="export OPENAI_BASE_URL=https://api.deepseek.com/v1 OPENAI_API_KEY=sk-…")
        chat = ChatOpenAI(model=model, base_url=base_url, api_key=key or "not-needed", timeout=timeout,
                          max_retries=0, temperature=0)
    else:
        chat = ChatOllama(model=model, base_url=os.environ.get("OLLAMA_HOST", "").strip() or None, temperature=0,
                          client_kwargs={"timeout": timeout})
    return LLMAnswerer(chat, name=f"llm:{provider}:{model}", timeout=timeout)
