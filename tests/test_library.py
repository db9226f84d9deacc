"""The report library over real HTTP (bot/serve/library.py behind bot/serve/library_routes.py): upload, list, ask within
reports, delete, job status, who may change it, and hostile uploads. Every report is generated
here; expected figures are read back from the text the test wrote into the file."""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from bot.serve.app import create_app
from bot.serve.config import ApiConfig
from bot.serve.uploads import check_upload, safe_name, UploadRejected
from bot.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import SHIPPED_CORPUS, build_index  # noqa: E402
from conftest_api import LiveServer, free_port  # noqa: E402

ADMIN = {"Authorization": "Bearer admin-key"}
PLAIN = {"Authorization": "Bearer plain-key"}
MAX_MB = 1.0  # small, so an oversized upload is quick to send
ROOT = Path(__file__).resolve().parent.parent

# made-up reports; each test reads its expected figures from these sentences
LOGISTICS_TITLE = "2023年低空物流行业发展报告"
LOGISTICS = "2023年全国低空物流行业市场规模达到了487.6亿元，同比增长31.2%。无人机配送航线超过了1200条。"
LOGISTICS_Q = "2023年全国低空物流行业市场规模是多少？"
FIGURE_RE = re.compile(r"\d+(?:\.\d+)?(?:亿元|%|条)")


def make_docx(title: str, text: str) -> bytes:
    import docx

    doc = docx.Document()
    doc.add_heading(title, level=1)
    doc.add_paragraph(text)
    doc.add_paragraph("数据来源：测试用虚构研究院")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def make_pdf(title: str, text: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=11, leading=17, wordWrap="CJK")
    head = ParagraphStyle("head", fontName="STSong-Light", fontSize=15, leading=22)
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4).build([Paragraph(title, head), Paragraph(text, body)])
    return out.getvalue()


def make_scanned_pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    page.rect(72, 400, 300, 200, fill=1)  # a picture of a page, no text layer
    page.showPage()
    page.save()
    return out.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- the server ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A corpus (the shipped report) and its index in a fresh folder the library may change."""
    root = tmp_path_factory.mktemp("library")
    shutil.copytree(SHIPPED_CORPUS, root / "corpus")
    settings = build_index(root / "corpus", root / "index", max_file_mb=MAX_MB)
    return root, settings


@pytest.fixture(scope="module")
def server(home):
    _, settings = home
    config = ApiConfig(api_keys=("plain-key",), admin_keys=("admin-key",), rate_limit="off")
    with LiveServer(create_app(settings, config=config, chat=False)) as live:
        yield live


def upload(url: str, files: list[tuple[str, bytes]], headers=ADMIN) -> httpx.Response:
    return httpx.post(f"{url}/api/v1/reports", files=[("files", (name, data)) for name, data in files],
                      headers=headers, timeout=60)


def wait_job(url: str, job: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = httpx.get(f"{url}/api/v1/jobs/{job}", headers=ADMIN, timeout=30).json()
        if data["status"] in ("done", "failed"):
            return data
        time.sleep(0.1)
    raise AssertionError(f"job {job} did not finish within {timeout} s: {data}")


def reports(url: str, headers=PLAIN) -> dict[str, dict]:
    r = httpx.get(f"{url}/api/v1/reports", headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    return {rep["file"]: rep for rep in r.json()["reports"]}


def ask(url: str, question: str, reports_: list[str] | None = None) -> dict:
    body = {"question": question} if reports_ is None else {"question": question, "reports": reports_}
    r = httpx.post(f"{url}/api/v1/ask", json=body, headers=PLAIN, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


# -- upload, list, ask within, delete -----------------------------------------------------------
def test_upload_list_ask_within_and_delete(server, home):
    root, _ = home
    r = upload(server.url, [("低空物流.docx", make_docx(LOGISTICS_TITLE, LOGISTICS))])
    assert r.status_code == 202, r.text
    job = wait_job(server.url, r.json()["job"])
    assert job["status"] == "done" and job["progress"] == 1.0, job
    assert [(f["stored"], f["status"]) for f in job["files"]] == [("低空物流.docx", "indexed")]

    listed = reports(server.url)
    new = listed["低空物流.docx"]
    assert new["status"] == "indexed" and new["format"] == "Word" and new["chunks"] > 0
    assert new["title"] == LOGISTICS_TITLE and new["size"] == (root / "corpus" / "低空物流.docx").stat().st_size
    assert new["indexed_at"] and new["uploaded_by"] == "admin-key#0"
    shipped = next(rep for f, rep in listed.items() if f != "低空物流.docx")

    # asked within the new report: its figure, cited from it
    answer = ask(server.url, LOGISTICS_Q, [new["id"]])
    assert not answer["refused"], answer["answer"]
    assert answer["figures"] and all(f in LOGISTICS for f in answer["figures"])
    assert FIGURE_RE.search(LOGISTICS).group(0) in answer["figures"]
    assert {c["report"] for c in answer["citations"]} == {LOGISTICS_TITLE}

    # within the other report only: a refusal that names the report searched
    other = ask(server.url, LOGISTICS_Q, [shipped["id"]])
    assert other["refused"] and shipped["title"] in other["answer"]
    assert all(c["report"] != LOGISTICS_TITLE for c in other["citations"])

    # the OpenAI-compatible endpoint takes the same restriction
    r = httpx.post(f"{server.url}/v1/chat/completions", headers=PLAIN, timeout=60,
                   json={"messages": [{"role": "user", "content": LOGISTICS_Q}], "reports": [shipped["id"]]})
    assert r.status_code == 200 and r.json()["refused"] is True

    r = httpx.delete(f"{server.url}/api/v1/reports/{new['id']}", headers=ADMIN, timeout=30)
    assert r.status_code == 202, r.text
    job = wait_job(server.url, r.json()["job"])
    assert job["status"] == "done" and job["files"][0]["status"] == "deleted", job
    assert not (root / "corpus" / "低空物流.docx").exists()
    assert "低空物流.docx" not in reports(server.url)
    after = ask(server.url, LOGISTICS_Q)
    assert all(c["report"] != LOGISTICS_TITLE for c in after["citations"])
    # an id that is gone is a clear error, not an answer from everything
    r = httpx.post(f"{server.url}/api/v1/ask", json={"question": LOGISTICS_Q, "reports": [new["id"]]},
                   headers=PLAIN, timeout=30)
    assert r.status_code == 400 and "GET /api/v1/reports" in r.json()["error"]["message"]


def test_uploads_and_deletes_are_logged_with_who_and_when(server, home):
    root, settings = home
    r = upload(server.url, [("日志测试.docx", make_docx("日志测试报告", "2022年测试行业规模达到了12.5亿元。"))])
    job = wait_job(server.url, r.json()["job"])
    rid = reports(server.url)["日志测试.docx"]["id"]
    wait_job(server.url, httpx.delete(f"{server.url}/api/v1/reports/{rid}", headers=ADMIN).json()["job"])
    entries = [json.loads(line) for line in (settings.index_dir / "library" / "audit.jsonl").read_text().splitlines()]
    mine = [e for e in entries if e["job"] == job["id"] or "日志测试.docx" in e["files"]]
    assert {(e["action"], e["event"]) for e in mine} >= {("upload", "queued"), ("upload", "done"),
                                                        ("delete", "queued"), ("delete", "done")}
    assert all(e["who"] == "admin-key#0" and re.match(r"\d{4}-\d\d-\d\dT", e["time"]) for e in mine)


def test_two_concurrent_uploads_both_end_indexed(server):
    files = {f"并发{i}.docx": make_docx(f"并发测试报告{i}", f"2021年并发{i}号行业规模达到了{30 + i}.5亿元。") for i in (1, 2)}
    responses: dict[str, httpx.Response] = {}

    def send(name):
        responses[name] = upload(server.url, [(name, files[name])])

    threads = [threading.Thread(target=send, args=(name,)) for name in files]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert all(r.status_code == 202 for r in responses.values()), {n: r.text for n, r in responses.items()}
    jobs = [wait_job(server.url, r.json()["job"]) for r in responses.values()]
    assert [j["status"] for j in jobs] == ["done", "done"], jobs
    listed = reports(server.url)
    assert all(listed[name]["status"] == "indexed" for name in files)


def test_a_clashing_name_gets_a_suffix(server):
    data = make_docx("重名测试报告", "2020年重名行业规模达到了8.8亿元。")
    first = wait_job(server.url, upload(server.url, [("重名.docx", data)]).json()["job"])
    second = wait_job(server.url, upload(server.url, [("重名.docx", data)]).json()["job"])
    assert first["files"][0]["stored"] == "重名.docx"
    assert second["files"][0]["stored"] == "重名 (2).docx" and second["status"] == "done"
    listed = reports(server.url)
    assert listed["重名.docx"]["status"] == listed["重名 (2).docx"]["status"] == "indexed"


def test_a_file_without_text_is_kept_out_with_a_message(server, home):
    root, _ = home
    before = snapshot(root / "corpus")
    r = upload(server.url, [("扫描件.pdf", make_scanned_pdf())])
    assert r.status_code == 202, r.text
    job = wait_job(server.url, r.json()["job"])
    assert job["status"] == "failed" and job["files"][0]["status"] == "failed"
    assert "scanned" in job["files"][0]["message"]
    assert snapshot(root / "corpus") == before and "扫描件.pdf" not in reports(server.url)


def test_a_file_added_by_hand_is_listed_and_indexed_by_a_reindex(server, home):
    root, _ = home
    (root / "corpus" / "手工加入.md").write_text("# 手工加入的报告\n\n2019年手工行业规模达到了66.6亿元。\n", encoding="utf-8")
    assert reports(server.url)["手工加入.md"]["status"] == "pending"
    r = httpx.post(f"{server.url}/api/v1/reindex", headers=ADMIN, timeout=30)
    assert r.status_code == 202
    assert wait_job(server.url, r.json()["job"])["status"] == "done"
    assert reports(server.url)["手工加入.md"]["status"] == "indexed"


# -- who may change the library -------------------------------------------------------------------
@pytest.mark.parametrize("method,path", [("POST", "/api/v1/reports"), ("DELETE", "/api/v1/reports/abc"),
                                         ("GET", "/api/v1/jobs/abc"), ("POST", "/api/v1/reindex")])
def test_admin_routes_need_an_admin_key(server, home, method, path):
    root, _ = home
    before = snapshot(root / "corpus")
    kwargs = {"files": [("files", ("x.docx", make_docx("x", "2020年x规模1亿元。")))]} if method == "POST" else {}
    none = httpx.request(method, server.url + path, timeout=30, **kwargs)
    assert none.status_code == 401 and "BOT_ADMIN_KEYS" in none.json()["error"]["message"]
    plain = httpx.request(method, server.url + path, headers=PLAIN, timeout=30, **kwargs)
    assert plain.status_code == 403 and plain.json()["error"]["type"] == "permission_error"
    assert snapshot(root / "corpus") == before


def test_listing_needs_an_ordinary_key_when_keys_are_set(server):
    assert httpx.get(f"{server.url}/api/v1/reports", timeout=30).status_code == 401
    assert httpx.get(f"{server.url}/api/v1/reports", headers=ADMIN, timeout=30).status_code == 200


def test_without_admin_settings_nothing_can_change(home, assistant, tmp_path):
    _, settings = home
    app = create_app(settings.with_(index_dir=tmp_path / "other-index"), assistant,
                     ApiConfig(api_keys=("plain-key",), rate_limit="off"), chat=False)
    with LiveServer(app) as live:
        r = upload(live.url, [("x.docx", make_docx("x", "2020年x规模1亿元。"))])
        assert r.status_code == 403 and r.json()["error"]["type"] == "admin_disabled"
        assert "BOT_ADMIN_USERS" in r.json()["error"]["message"]
        page = httpx.get(f"{live.url}/admin", timeout=30)
        assert page.status_code == 200 and 'id="lib-disabled"' in page.text and 'id="lib-drop"' not in page.text


# -- hostile and bad uploads ------------------------------------------------------------------------
DOCX = make_docx("恶意测试", "2020年恶意测试规模达到了1.5亿元。")
XXE = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml":
                 b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>'})
BOMB = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<a>" + b" " * (60 * 1024 * 1024) + b"</a>"})
MANY = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<a/>",
                  **{f"word/media/{i}.xml": b"<a/>" for i in range(6000)}})


@pytest.mark.parametrize("name,data,status,says", [
    ("big.txt", ("报告" * 400_000).encode(), 413, "MB"),
    ("bomb.docx", BOMB, 413, "zip bomb"),
    ("many.docx", MANY, 415, "parts"),
    ("xxe.docx", XXE, 415, "DOCTYPE"),
    ("text.docx", "这只是文字，不是Word文件。".encode(), 415, "named .docx"),
    ("picture.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000, 415, "binary"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000, 415, ".docx"),
    ("../../x.docx", DOCX, 400, "folders"),
    ("/tmp/x.docx", DOCX, 400, "folders"),
    ("..\\..\\x.docx", DOCX, 400, "folders"),
    ("..\u2215..\u2215x.docx", DOCX, 400, "folders"),
    ("..\uff0f..\uff0fx.docx", DOCX, 400, "folders"),
    ("x\u202excod.docx", DOCX, 400, "control"),
])
def test_bad_uploads_are_refused_and_nothing_is_written(server, home, name, data, status, says):
    root, _ = home
    before, outside = snapshot(root / "corpus"), sorted(p.name for p in root.parent.iterdir())
    r = upload(server.url, [(name, data)])
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["type"] == "upload_rejected" and says in error["message"], error
    assert snapshot(root / "corpus") == before
    assert sorted(p.name for p in root.parent.iterdir()) == outside and not Path("/tmp/x.docx").exists()


def test_a_nul_in_the_file_name_is_refused(server, home):
    # httpx will not put a NUL in a header, so the multipart body is written by hand
    root, _ = home
    before = snapshot(root / "corpus")
    boundary = "testboundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="x\x00.docx"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode() + DOCX + f"\r\n--{boundary}--\r\n".encode()
    r = httpx.post(f"{server.url}/api/v1/reports", content=body, timeout=30,
                   headers={**ADMIN, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 400, r.text
    assert "control" in r.json()["error"]["message"]
    assert snapshot(root / "corpus") == before


def test_one_bad_file_refuses_the_whole_upload(server, home):
    root, _ = home
    before = snapshot(root / "corpus")
    r = upload(server.url, [("好的.docx", DOCX), ("../坏的.docx", DOCX)])
    assert r.status_code == 400 and "nothing from this upload was stored" in r.json()["error"]["message"]
    assert snapshot(root / "corpus") == before


# -- names and content, without a server ----------------------------------------------------------------
@pytest.mark.parametrize("raw,stored", [("CON.txt", "CON-report.txt"), ("examples.txt", "examples-report.txt"),
                                        (".hidden.md", "hidden.md"), ("_draft.md", "draft.md"),
                                        ("a:b?.txt", "a_b_.txt"), ("报告  2024 .PDF", "报告 2024.pdf"),
                                        ("ｒｅｐｏｒｔ.txt", "report.txt")])
def test_safe_names(raw, stored):
    assert safe_name(raw) == stored


def test_long_names_are_bounded_and_the_type_comes_from_the_content():
    assert len(safe_name("报" * 300 + ".pdf").encode()) <= 180 and safe_name("报" * 300 + ".pdf").endswith(".pdf")
    assert check_upload("年报", make_pdf("标题", "正文内容。"), 50) == "年报.pdf"
    assert check_upload("notes", "<!doctype html><html><body>正文</body></html>".encode(), 50) == "notes.html"
    with pytest.raises(UploadRejected):
        check_upload("report.pdf", DOCX, 50)


# -- a killed server ----------------------------------------------------------------------------------
SERVE = """
import os, sys, time
from pathlib import Path
import bot.ingest as ingest
real = ingest._embed_new
def held(*args, **kwargs):
    # the new build has its chunks but is not committed: the moment a SIGKILL hurts most
    n = real(*args, **kwargs)
    Path(os.environ["HELD_FLAG"]).write_text("held")
    while True:
        time.sleep(1)
if os.environ.get("HELD_FLAG"):
    ingest._embed_new = held
from bot.serve.app import serve
from bot.settings import Settings
serve(Settings(), host="127.0.0.1", port=int(os.environ["PORT"]))
"""


@pytest.mark.slow
def test_a_sigkill_during_an_uploads_ingest_leaves_the_previous_build_serving(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(SHIPPED_CORPUS, corpus)
    build_index(corpus, index)
    before_corpus = snapshot(corpus)
    script = tmp_path / "serve.py"
    script.write_text(SERVE)
    flag = tmp_path / "held"

    def start(held: bool):
        port = free_port()
        env = {**os.environ, "BOT_CORPUS_DIR": str(corpus), "BOT_INDEX_DIR": str(index), "PORT": str(port),
               "BOT_ADMIN_KEYS": "admin-key", "BOT_RATE_LIMIT": "off", "PYTHONUNBUFFERED": "1"}
        env.pop("HELD_FLAG", None)
        if held:
            env["HELD_FLAG"] = str(flag)
        proc = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                    return proc, url
            except httpx.HTTPError:
                time.sleep(0.2)
        proc.kill()
        raise AssertionError("the server did not start")

    proc, url = start(held=True)
    try:
        build = httpx.get(f"{url}/api/v1/health").json()["build"]
        r = upload(url, [("被中断.docx", make_docx("被中断的报告", "2018年中断行业规模达到了5.5亿元。"))])
        assert r.status_code == 202, r.text
        deadline = time.monotonic() + 180
        while not flag.exists():
            assert time.monotonic() < deadline and proc.poll() is None, "ingest never reached the held point"
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)

    proc, url = start(held=False)
    try:
        health = httpx.get(f"{url}/api/v1/health").json()
        assert health["build"] == build
        assert snapshot(corpus) == before_corpus  # the hidden upload was removed at start
        listed = httpx.get(f"{url}/api/v1/reports").json()["reports"]
        assert [rep["file"] for rep in listed] == [f for f in before_corpus if f != "examples.txt"]
        r = httpx.post(f"{url}/api/v1/ask", json={"question": "2024年我国智算中心行业市场规模是多少？"}, timeout=60)
        assert r.status_code == 200 and not r.json()["refused"]
    finally:
        proc.terminate()
        proc.wait(30)
