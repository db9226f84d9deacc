"""The start-up patches of chromadb's `overrides` and of jieba's dictionary (bot/startup.py): applied
to the releases they were written for, and skipped, with a log line and the same results, when a
dependency is not what they expect. Each case runs in a fresh interpreter: the patches act at import."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "2024年我国智算中心行业市场规模是多少？占比呢"

CHROMADB = """
import json, logging, sys
logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
from bot import startup, store
if sys.argv[1] == "new-release":
    startup.EXPECTED["chromadb"] = ("overrides", "99.", startup.EXPECTED["chromadb"][2])
chromadb = store._chromadb()
client = chromadb.EphemeralClient(settings=store._chroma_settings())
col = client.get_or_create_collection("patch-test")
col.add(ids=["a"], documents=["x"], embeddings=[[0.1, 0.2]])
import overrides
print(json.dumps({"patched": getattr(overrides, "_bot_marker_only", False), "count": col.count(),
                  "override": overrides.override.__module__}))
"""

JIEBA = """
import json, logging, sys
logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
from bot import lexical, startup
if sys.argv[1] == "new-release":
    startup.EXPECTED["jieba"] = ("jieba", "9.", startup.EXPECTED["jieba"][2])
lexical.look_up_lazily()
tokens = lexical.tokenize(sys.argv[2])
tags = lexical.pos_tag(sys.argv[2])
import jieba, jieba.posseg
print(json.dumps({"lazy": type(jieba.dt.FREQ).__name__ != "dict", "tokens": tokens, "tags": tags,
                  "tag_table": type(jieba.posseg.dt.word_tag_tab).__name__ != "dict"}, ensure_ascii=False))
"""


def run(script: str, *args: str, tmp_path: Path, unpatched: str = "") -> tuple[dict, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BOT_JIEBA_CACHE": str(tmp_path), "ANONYMIZED_TELEMETRY": "False"}
    env.pop("BOT_UNPATCHED", None)
    if unpatched:
        env["BOT_UNPATCHED"] = unpatched
    proc = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env,
                          timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1]), proc.stderr


@pytest.mark.slow
def test_chromadb_patch_applies_to_its_release_and_falls_back_otherwise(tmp_path):
    patched, log = run(CHROMADB, "as-installed", tmp_path=tmp_path)
    assert patched["patched"] is True and patched["count"] == 1 and "not applied" not in log
    fallback, log = run(CHROMADB, "new-release", tmp_path=tmp_path)
    assert fallback["patched"] is False and fallback["override"] == "overrides.overrides"  # the real decorator
    assert fallback["count"] == 1  # chromadb works unpatched
    assert "start-up patch 'chromadb' not applied" in log and "99.x" in log


@pytest.mark.slow
def test_jieba_patch_applies_to_its_release_and_falls_back_with_the_same_words(tmp_path):
    patched, log = run(JIEBA, "as-installed", QUESTION, tmp_path=tmp_path)
    assert patched["lazy"] and patched["tag_table"] and "not applied" not in log
    fallback, log = run(JIEBA, "new-release", QUESTION, tmp_path=tmp_path)
    assert not fallback["lazy"] and not fallback["tag_table"]  # jieba's own full tables
    assert "start-up patch 'jieba' not applied" in log and "9.x" in log
    assert fallback["tokens"] == patched["tokens"] and fallback["tags"] == patched["tags"]


@pytest.mark.slow
def test_patches_can_be_turned_off(tmp_path):
    result, log = run(JIEBA, "as-installed", QUESTION, tmp_path=tmp_path, unpatched="all")
    assert not result["lazy"] and "not applied" not in log  # turned off on purpose: nothing to warn about
