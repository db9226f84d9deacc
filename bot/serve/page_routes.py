"""Seeing a citation in its report: a PDF page as an image with the cited words highlighted, and
any report's passage in its surrounding text.

    GET /api/v1/reports/{id}/pages/{n}.png?highlight=TEXT   (or ?chunk=ID: a cited chunk's words)
    GET /api/v1/reports/{id}/passages/{chunk}                (HTML, the passage in <mark>)

Who may call them: whoever may list the library (an API key when BOT_API_KEYS is set, or an
admin), rate-limited like the other API calls; or anyone holding a link the chat signed for
that page or passage (bot/serve/pagelinks.py). Only files of the library are opened: the id must
name a report of the library (its id or file name), and that file must be in the corpus folder.
"""
from __future__ import annotations

import re

from pathlib import Path

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.security import HTTPAuthorizationCredentials

from .. import pages
from .access import Access
from .errors import ApiError
from .pagelinks import chunk_highlight, is_pdf, neighbours, passage_page
from .service import Service
from .uploads import report_id

MAX_PAGE_DIGITS = 5
# what makes a highlight a path rather than words: a unit such as "元/吨" or "km/h" has one slash
# inside a word, a path starts at the root or home, climbs ("..") or has two slashes in a row of names
PATH_RE = re.compile(r"\\|\.\.|\x00|(?:^|\s)[/~]|[\w.-]+/[\w.-]+/|^[A-Za-z]:")
PNG_RESPONSE = {200: {"content": {"image/png": {}}, "description": "The page as a PNG; the headers "
                      "X-Highlight-Boxes (lines marked) and X-Highlight-Source (text | ocr | empty) say what was found."}}


def add_page_routes(app: FastAPI, svc: Service, access: Access) -> None:
    lib = svc.library
    cache = pages.PageCache(index_dir=svc.settings.index_dir)

    def allowed(request: Request, credentials: HTTPAuthorizationCredentials | None, sig: str, *signed) -> None:
        if sig and svc.page_links.valid(sig, *signed):
            client = "page:" + (request.client.host if request.client else "unknown")
        else:
            client = access.reader(request, credentials)
        if client != "admin":
            svc.check_rate(client)

    def report_file(rid: str) -> tuple[str, Path]:
        name = lib.file_of(rid)
        if name is None:
            raise ApiError(404, f"No report with the id '{rid}'. GET /api/v1/reports lists the reports and their ids.",
                           "not_found")
        corpus = svc.settings.corpus_dir
        path = corpus / name
        if ".." in Path(name).parts or not path.is_file():
            raise ApiError(404, f"The report '{name}' is no longer in the corpus folder.", "not_found")
        return name, path

    def cited_chunk(name: str, chunk_id: str):
        index = svc.assistant.index
        at = index.by_id.get(chunk_id)
        if at is None or index.chunks[at].file != name:
            raise ApiError(404, f"The report '{name}' has no passage '{chunk_id}' in the index (it may have been "
                                "re-indexed since the answer was given; ask again).", "not_found")
        return index.chunks[at]

    @app.get("/api/v1/reports/{rid}/pages/{page}.png", tags=["library"], responses=PNG_RESPONSE,
             response_class=Response,
             summary="A PDF report's page as an image, the cited words highlighted")
    def page_image(request: Request, rid: str, page: str,
                   highlight: str = Query("", description=f"Words to highlight: a passage, or a table row's cells "
                                                          f"separated by '|'. At most {pages.MAX_HIGHLIGHT} characters; "
                                                          "no path characters (/, \\, ..)."),
                   chunk: str = Query("", description="A cited chunk's id: highlight its words instead.",
                                      max_length=64),
                   sig: str = Query("", include_in_schema=False),
                   credentials: HTTPAuthorizationCredentials | None = Depends(access.bearer)):
        allowed(request, credentials, sig, "page", rid, page, chunk, highlight)
        if len(highlight) > pages.MAX_HIGHLIGHT:
            raise ApiError(400, f"The highlight is too long ({len(highlight)} characters; the limit is "
                                f"{pages.MAX_HIGHLIGHT}). Send the cited sentence or the row's cells.",
                           "invalid_request_error")
        if PATH_RE.search(highlight):
            raise ApiError(400, "The highlight may not hold a path (a leading '/', '\\', '..', a NUL character): send the "
                                "words to mark, not a file name.", "invalid_request_error")
        if not page.isdigit() or len(page) > MAX_PAGE_DIGITS:
            raise ApiError(400, f"The page must be a page number such as 3. Currently, it is '{page}'.",
                           "invalid_request_error")
        name, path = report_file(rid)
        if not is_pdf(name):
            raise ApiError(400, f"'{name}' is not a PDF, so it has no page images; its cited passages are shown at "
                                f"/api/v1/reports/{report_id(name)}/passages/{{chunk}}.", "invalid_request_error")
        if chunk:
            highlight = chunk_highlight(cited_chunk(name, chunk))
        n = int(page)
        try:
            count = pages.page_count(path)
            if not 1 <= n <= count:
                raise ApiError(404, f"'{name}' has {count} page{'s' if count != 1 else ''}; there is no page {n}.",
                               "not_found")
            image = cache.page(path, n, highlight)
        except pages.PageError as err:
            raise ApiError(404, str(err), "not_found") from None
        return Response(image.png, media_type="image/png", headers={
            "Cache-Control": "private, max-age=3600", "X-Highlight-Boxes": str(len(image.boxes)),
            "X-Highlight-Source": image.source})

    @app.get("/api/v1/reports/{rid}/passages/{chunk}", tags=["library"], response_class=HTMLResponse,
             summary="A cited passage in its surrounding text (any report format), the passage marked")
    def passage(request: Request, rid: str, chunk: str, sig: str = Query("", include_in_schema=False),
                credentials: HTTPAuthorizationCredentials | None = Depends(access.bearer)):
        allowed(request, credentials, sig, "passage", rid, chunk)
        name, _path = report_file(rid)
        cited_chunk(name, chunk)
        before, cited, after = neighbours(svc.assistant.index, chunk)
        return HTMLResponse(passage_page(before, cited, after), headers={"Cache-Control": "private, max-age=600"})
