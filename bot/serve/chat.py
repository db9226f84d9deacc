"""The Gradio chat at / and /embed: layout, events and the start screen.

`build_ui(assistant, settings)` returns a `gr.Blocks` (queue already configured) that bot/serve/app.py
mounts at "/" and, with `compact=True`, at "/embed". How one answer is shown is
bot/serve/answer_view.py; the interface text, styles and script are in static/chat/. Report text
and questions are always shown as text, and the Chatbot's sanitizer stays on.
"""
import json
import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from ..errors import BotError  # noqa: E402
from ..settings import Settings  # noqa: E402
from ..types import Answer  # noqa: E402
from .answer_view import (  # noqa: E402,F401  (the pure parts are used, and tested, through this module too)
    STRINGS, answer_markdown, chart_html, esc, esc_md, fact_card, sources_html, t, table_html)

log = logging.getLogger("bot.ui")

# 20 people asking at once all get answers: answers take well under a second each on 2 cores,
# so a few workers drain the queue quickly; max_size bounds memory if far more arrive.
CONCURRENCY = 4
QUEUE_SIZE = 64
MAX_EXAMPLES = 6
SHOWN_QUESTION_CHARS = 300  # a too-long question is echoed in the chat only up to this length

LANGS = {"中文": "zh", "English": "en"}
STATIC = Path(__file__).parent / "static" / "chat"
# the chat's styles and copy handler, as Gradio's js_on_load of the header runs them
JS_ON_LOAD = (STATIC / "chat.js").read_text(encoding="utf-8").replace(
    "__CSS__", json.dumps((STATIC / "chat.css").read_text(encoding="utf-8")))


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

    def __init__(self, assistant, settings: Settings, compact: bool = False, views=None):
        self.assistant = assistant
        self.settings = settings
        self.compact = compact
        self.views = views  # page images and passage links under the sources (pagelinks.SourceViews)

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
            content = answer_markdown(answer, lang, self.views)
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


def build_ui(assistant, settings: Settings | None = None, compact: bool = False, views=None):
    """The chat as a `gr.Blocks`, queue configured; `compact=True` for an /embed iframe. `views`
    (bot/serve/pagelinks.SourceViews) shows each citation's page or passage; the server passes it,
    since the links point at its API routes."""
    import gradio as gr

    from . import feedback

    settings = settings or assistant.settings
    reports = assistant.index.health().get("reports", [])
    examples = [] if compact else load_examples(settings, assistant.index)
    handlers = ChatHandlers(assistant, settings, compact, views)

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
