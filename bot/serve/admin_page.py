"""The /admin library page: sign-in, sign-out, and the page built from static/admin/.

The HTML parts, CSS, script and the interface text in both languages are static files.
"""
from __future__ import annotations

import html
import json
import logging
import re
from functools import lru_cache
from pathlib import Path
from string import Template

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .admin_auth import ADMIN_COOKIE, ADMIN_SESSION_SECONDS
from .service import Service

log = logging.getLogger("bot.api")
ADMIN_STATIC = Path(__file__).parent / "static" / "admin"
ADMIN_STRINGS: dict[str, dict[str, str]] = json.loads((ADMIN_STATIC / "strings.json").read_text(encoding="utf-8"))
# an element whose text is one of the strings: <tag ... data-t="key" ...></tag>
TEXT_SLOT_RE = re.compile(r'<(\w+)([^>]*\sdata-t="(\w+)"[^>]*)></\1>')


@lru_cache(maxsize=None)
def _part(name: str) -> Template:
    return Template((ADMIN_STATIC / name).read_text(encoding="utf-8"))


def _fill_text(page: str, strings: dict[str, str]) -> str:
    """Each empty element marked data-t="key" gets its string (escaped), so the page reads right
    before its script runs; the script swaps the text when the language changes."""
    def fill(m: re.Match) -> str:
        tag, attrs, key = m.group(1), m.group(2), m.group(3)
        text = strings.get(key, key)
        mb = re.search(r'data-mb="([^"]*)"', attrs)
        if mb:
            text = text.replace("{mb}", html.unescape(mb.group(1)))
        return f"<{tag}{attrs}>{html.escape(text)}</{tag}>"

    return TEXT_SLOT_RE.sub(fill, page)


def admin_page(state: str, *, user: str = "", error: str = "", lang: str = "zh", max_mb: float = 50) -> str:
    """The /admin page: `state` is "disabled" (no admin configured: how to enable it), "login" (the
    sign-in form) or "ready" (the library)."""
    strings = ADMIN_STRINGS.get(lang, ADMIN_STRINGS["zh"])
    if state == "disabled":
        body = _part("disabled.html").substitute()
    elif state == "login":
        problem = f'<p class="error" id="lib-login-error"><span data-t="{error}"></span></p>' if error in strings else ""
        body = _part("login.html").substitute(problem=problem)
    else:
        body = _part("library.html").substitute(max_mb=f"{max_mb:g}")
    account = _part("account.html").substitute(user=html.escape(user)) if state == "ready" else ""
    page = _part("page.html").substitute(
        lang=html.escape(lang), state=html.escape(state), account=account, body=body,
        strings=json.dumps(ADMIN_STRINGS, ensure_ascii=False).replace("<", "\\u003c"))
    return _fill_text(page, strings)


def add_admin_page(app: FastAPI, svc: Service) -> None:
    def page(request: Request, error: str = "") -> HTMLResponse:
        user = svc.admins.user(request)
        state = "disabled" if not svc.config.admin_users else ("ready" if user else "login")
        return HTMLResponse(admin_page(state, user=user or "", error=error, max_mb=svc.settings.max_file_mb),
                            headers={"Cache-Control": "no-store"})

    @app.get("/admin", include_in_schema=False)
    def admin_home(request: Request):
        return page(request)

    @app.post("/admin/login", include_in_schema=False)
    def admin_login(request: Request, user: str = Form(""), password: str = Form("")):
        if svc.limiter is not None and svc.limiter.take(svc.client_id(request, None) + ":admin-login") > 0:
            return page(request, error="too_many")
        token = svc.admins.sign_in(user, password) if svc.config.admin_users else None
        if token is None:
            log.warning("library: failed admin sign-in for %r from %s", user[:40],
                        request.client.host if request.client else "?")
            response = page(request, error="bad_login")
            response.status_code = 401
            return response
        log.warning("library: %s signed in to /admin", user)
        response = RedirectResponse("/admin", status_code=303)
        response.set_cookie(ADMIN_COOKIE, token, max_age=ADMIN_SESSION_SECONDS, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", path="/")
        return response

    @app.post("/admin/logout", include_in_schema=False)
    def admin_logout(request: Request):
        svc.admins.sign_out(request)
        response = RedirectResponse("/admin", status_code=303)
        response.delete_cookie(ADMIN_COOKIE, path="/")
        return response

    def static(name: str, media_type: str) -> Response:
        return Response((ADMIN_STATIC / name).read_text(encoding="utf-8"), media_type=media_type,
                        headers={"Cache-Control": "no-cache"})

    @app.get("/admin/library.js", include_in_schema=False)
    def library_js():
        return static("library.js", "text/javascript")

    @app.get("/admin/admin.css", include_in_schema=False)
    def admin_css():
        return static("admin.css", "text/css")
