"""/admin sign-ins in a signed, timed cookie (bot/serve/admin_auth.py): a right pair gets a cookie,
a tampered, foreign, expired or signed-out cookie is no sign-in, and a shared BOT_SESSION_SECRET
lets another replica accept it."""
import time

from bot.serve.admin_auth import ADMIN_COOKIE, ADMIN_SESSION_SECONDS, AdminAuth
from bot.serve.config import ApiConfig

USERS = (("ann", "s3cret"), ("bob", "other"))


class Request:
    def __init__(self, cookie: str):
        self.cookies = {ADMIN_COOKIE: cookie}


def test_sign_in_and_what_is_refused():
    auth = AdminAuth(ApiConfig(admin_users=USERS))
    assert auth.sign_in("ann", "wrong") is None and auth.sign_in("eve", "s3cret") is None
    cookie = auth.sign_in("ann", "s3cret")
    assert auth.user(Request(cookie)) == "ann"
    assert "s3cret" not in cookie
    tampered = ("x" if cookie[0] != "x" else "y") + cookie[1:]  # the signed payload changed
    assert auth.user(Request(tampered)) is None
    assert auth.user(Request("not a cookie")) is None and auth.user(Request("")) is None
    assert AdminAuth(ApiConfig(admin_users=USERS)).user(Request(cookie)) is None  # another start's secret


def test_signing_out_ends_that_cookie_only():
    auth = AdminAuth(ApiConfig(admin_users=USERS))
    first, second = auth.sign_in("ann", "s3cret"), auth.sign_in("ann", "s3cret")
    auth.sign_out(Request(first))
    assert auth.user(Request(first)) is None and auth.user(Request(second)) == "ann"


def test_a_sign_in_expires(monkeypatch):
    auth = AdminAuth(ApiConfig(admin_users=USERS))
    cookie = auth.sign_in("bob", "other")
    later = time.time() + ADMIN_SESSION_SECONDS + 60
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    assert auth.user(Request(cookie)) is None


def test_a_shared_secret_holds_across_replicas_and_a_removed_user_is_out():
    one = AdminAuth(ApiConfig(admin_users=USERS, session_secret="shared-secret"))
    two = AdminAuth(ApiConfig(admin_users=USERS, session_secret="shared-secret"))
    cookie = one.sign_in("bob", "other")
    assert two.user(Request(cookie)) == "bob"
    fewer = AdminAuth(ApiConfig(admin_users=USERS[:1], session_secret="shared-secret"))
    assert fewer.user(Request(cookie)) is None
    assert "shared-secret" not in repr(ApiConfig(session_secret="shared-secret"))
