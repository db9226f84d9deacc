"""Shared fixtures: offline by default, state in temp dirs, one index of the shipped report per run."""
from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CORPUS = ROOT / "corpus"
STUB_CORPUS = Path(__file__).resolve().parent / "stub_data"
GOLDEN = Path(__file__).resolve().parent / "golden"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
for _var in ("BOT_LLM", "BOT_CHROMA_URL", "BOT_API_KEYS", "BOT_EMBEDDING", "BOT_CORPUS_DIR", "BOT_INDEX_DIR"):
    os.environ.pop(_var, None)


def _loopback(address) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True, scope="session")
def _no_network():
    """Tests talk to nothing but this machine: a call elsewhere fails loudly instead of hanging."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address):
            raise OSError(f"network access blocked in tests: {address}")
        return real_connect(self, address)

    socket.socket.connect = guarded
    yield
    socket.socket.connect = real_connect


@pytest.fixture(autouse=True)
def _state_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("BOT_FEEDBACK_FILE", str(tmp_path / "feedback.jsonl"))


def build_index(corpus: Path, index_dir: Path, **overrides):
    from bot.ingest import ingest
    from bot.settings import Settings

    settings = Settings().with_(corpus_dir=corpus, index_dir=index_dir, **overrides)
    ingest(settings, progress=False, log=lambda msg: None)
    return settings


class TextIndex:
    """A stand-in for a loaded index over one made-up text: what the question reading asks of an
    index (idf, mentions, df, reports). Subclasses set `text_blob` and `reports`."""
    learned: dict = {}
    text_blob = ""
    reports: list = []

    def idf(self, token: str) -> float:
        return 1.0

    def mentions(self, term: str) -> bool:
        return term.lower() in self.text_blob.lower()

    @property
    def df(self) -> dict:
        import re
        return {w: 1 for w in re.findall(r"[a-z]+", self.text_blob.lower())}


def one_report_assistant(tmp_path_factory, name: str, filename: str, text: str):
    """An Assistant over a corpus of one made-up report."""
    from bot.chain import Assistant

    root = tmp_path_factory.mktemp(name)
    (root / "corpus").mkdir()
    (root / "corpus" / filename).write_text(text, encoding="utf-8")
    return Assistant(build_index(root / "corpus", root / "index"))


@pytest.fixture(scope="session")
def shipped_index(tmp_path_factory):
    """Settings whose index holds the shipped report (built once per test run)."""
    return build_index(SHIPPED_CORPUS, tmp_path_factory.mktemp("shipped-index"))


@pytest.fixture(scope="session")
def stub_index(tmp_path_factory):
    """Settings whose index holds the second, made-up report written for the tests."""
    return build_index(STUB_CORPUS, tmp_path_factory.mktemp("stub-index"))


@pytest.fixture(scope="session")
def assistant(shipped_index):
    from bot.chain import Assistant

    return Assistant(shipped_index)


@pytest.fixture(scope="session")
def stub_assistant(stub_index):
    from bot.chain import Assistant

    return Assistant(stub_index)


CHROMIUM = os.environ.get("BOT_CHROMIUM", "/usr/bin/chromium")  # Debian's, installed by `make test`
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def browser():
    """Headless Debian chromium driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def first_line(answer) -> str:
    """The answer's first line as a user reads it (the figures' bold marks taken out)."""
    return answer.text.split("\n", 1)[0].replace("**", "")
