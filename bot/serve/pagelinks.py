"""Links from a citation to its place in the report, and the cited passage in its surroundings.

A PDF citation links to its page image, `/api/v1/reports/{id}/pages/{n}.png?chunk=…`; any other
report's citation to its passage in the surrounding text, `/api/v1/reports/{id}/passages/{chunk}`.
The chat's own answers carry a signature (`sig`) over exactly what they link to, so the chat's
page can show them where BOT_API_KEYS would otherwise ask for a key it cannot send from an
<img>; a signed link opens that one page or passage and nothing else. Signatures use
BOT_SESSION_SECRET (a random secret per start when unset, as the /admin sign-ins do).

Pure functions of the index and the citation: no FastAPI, no Gradio.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from .answer_view import esc
from .uploads import report_id

AROUND = 2  # passages shown before and after the cited one
PDF_SUFFIX = ".pdf"


def is_pdf(name: str) -> bool:
    return name.lower().endswith(PDF_SUFFIX)


def chunk_highlight(chunk) -> str:
    """What to mark on the page for a chunk: a row's cells separated by `|` (each is found on its
    own, on the row's line), else the passage's text."""
    if chunk.kind == "row" and chunk.cells:
        return " | ".join(c for c in chunk.cells if c and c.strip())
    return chunk.text


@dataclass(frozen=True)
class Link:
    href: str
    image: bool  # True: a PNG of the page; False: an HTML page with the passage


class PageLinks:
    def __init__(self, secret: str = ""):
        self._key = hashlib.sha256(b"bot-page-links\x00" + (secret or secrets.token_urlsafe(32)).encode()).digest()

    def sign(self, *parts: object) -> str:
        message = "\x1f".join(str(p) for p in parts).encode("utf-8")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def valid(self, sig: str, *parts: object) -> bool:
        return bool(sig) and hmac.compare_digest(sig.encode(), self.sign(*parts).encode())

    def page_url(self, file: str, page: int, chunk: str = "", highlight: str = "") -> str:
        rid = report_id(file)
        query = {k: v for k, v in (("chunk", chunk), ("highlight", highlight)) if v}
        query["sig"] = self.sign("page", rid, int(page), chunk, highlight)
        return f"/api/v1/reports/{rid}/pages/{int(page)}.png?{urlencode(query)}"

    def passage_url(self, file: str, chunk: str) -> str:
        rid = report_id(file)
        return f"/api/v1/reports/{rid}/passages/{chunk}?{urlencode({'sig': self.sign('passage', rid, chunk)})}"

    def for_citation(self, citation) -> Link | None:
        """Where a citation is seen in its report: its page image (PDF with a page number) or
        its passage in context; None for a citation without a file or chunk."""
        if not citation.file or not citation.chunk_id:
            return None
        if is_pdf(citation.file) and citation.page:
            return Link(self.page_url(citation.file, citation.page, chunk=citation.chunk_id), image=True)
        return Link(self.passage_url(citation.file, citation.chunk_id), image=False)


# -- the passage in its surroundings --------------------------------------------------------
def neighbours(index, chunk_id: str, around: int = AROUND):
    """(before, chunk, after): the cited chunk and the passages next to it in its file, in the
    file's order (table records are left out: their rows stand in the list already). None when
    the index has no such chunk."""
    at = index.by_id.get(chunk_id)
    if at is None:
        return None
    chunk = index.chunks[at]
    same = [c for c in index.chunks if c.file == chunk.file and (c.kind != "table" or c.id == chunk.id)]
    k = next(i for i, c in enumerate(same) if c.id == chunk.id)
    return same[max(0, k - around):k], chunk, same[k + 1:k + 1 + around]


def context_html(before, chunk, after) -> str:
    """The passage marked among its neighbours, every report string escaped."""
    def para(c, cls: str) -> str:
        text = esc(c.text).replace("\n", "<br>")
        return f'<p class="{cls}">{f"<mark>{text}</mark>" if cls == "ra-cited" else text}</p>'

    return "".join([*(para(c, "ra-around") for c in before), para(chunk, "ra-cited"),
                    *(para(c, "ra-around") for c in after)])


PASSAGE_PAGE = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font: 16px/1.7 system-ui, "Noto Sans CJK SC", sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1f2937; }}
h1 {{ font-size: 1.2rem; margin-bottom: .2rem; }} .where {{ color: #6b7280; margin-top: 0; }}
.ra-around {{ color: #4b5563; }} mark {{ background: #ffe066; padding: .1em 0; }}
</style></head>
<body><h1>《{title}》</h1><p class="where">{where}</p>{body}</body></html>
"""


def passage_page(before, chunk, after) -> str:
    where = " · ".join(x for x in (chunk.location, chunk.heading) if x)
    return PASSAGE_PAGE.format(title=esc(chunk.report), where=esc(where), body=context_html(before, chunk, after))


class SourceViews:
    """What the chat shows of each citation in its report: under the quote in the sources panel,
    the page image (PDF) or the passage among its neighbours (other formats); and the link for
    the fact card. `index` is called for the index currently served (a rebuild swaps it)."""

    def __init__(self, links: PageLinks, index):
        self.links = links
        self.index = index

    def link(self, citation) -> Link | None:
        return self.links.for_citation(citation)

    def link_label(self, citation, lang: str, t) -> str:
        link = self.link(citation)
        if link is None:
            return ""
        return t(lang, "open_page").format(page=citation.page) if link.image else t(lang, "open_passage")

    def panel(self, citation, lang: str, t) -> str:
        link = self.link(citation)
        if link is None:
            return ""
        href = esc(link.href)
        if link.image:
            alt = esc(t(lang, "page_alt").format(report=citation.report, page=citation.page))
            return (f'<a class="ra-page-link" href="{href}" target="_blank" rel="noopener">'
                    f'<img class="ra-page" src="{href}" alt="{alt}" loading="lazy"></a>')
        found = neighbours(self.index(), citation.chunk_id, around=1)
        if found is None:
            return ""
        return (f'<div class="ra-context">{context_html(*found)}</div>'
                f'<a class="ra-passage-link" href="{href}" target="_blank" rel="noopener">'
                f'{esc(t(lang, "open_passage"))}</a>')
