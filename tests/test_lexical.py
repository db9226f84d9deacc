from bot.lexical import pos_tag, tokenize


def test_pos_tags_match_jiebas_own_tagger():
    """Our lazily read tag table must tag exactly as jieba.posseg with its full table does."""
    import jieba
    from jieba.posseg import POSTokenizer

    reference = POSTokenizer(jieba.dt)
    reference.load_word_tag(jieba.dt.get_dict_file())
    from bot.lexical import _posseg

    pos_tag("预热")  # our add_word entries now sit in the in-memory part of our table
    reference.word_tag_tab.update(dict(_posseg().dt.word_tag_tab))
    for text in ["2024年我国智算中心行业市场规模是多少？", "北京发布了哪些政策", "AI服务器的出货量",
                 "云南省推进养老服务高质量发展三年行动方案", "What about Shanghai?"]:
        assert pos_tag(text) == [(w.word, w.flag) for w in reference.lcut(text)]


def test_market_research_words_stay_whole():
    assert "占比" in tokenize("地方政府占比为33.9%") and "市场规模" in tokenize("市场规模达到1014亿元")
    assert dict(pos_tag("占比多少"))["占比"] == "n"


def test_english_words_are_stemmed_so_inflections_match():
    assert tokenize("charges") == tokenize("charge") == tokenize("Charged") != []
    assert tokenize("the company's revenues") == tokenize("Company revenue")


def test_english_stop_words_are_dropped():
    assert tokenize("What was the total of the charges?") == tokenize("total charges")
    assert tokenize("How many of them were there?") == []


def test_numbers_are_one_token_with_or_without_separators():
    assert tokenize("8,779") == tokenize("8779") == ["8779"]
    assert tokenize("27,616,611,772.61") == ["27616611772.61"]
    assert "3.3" in tokenize("$ 3.3 million") and "3" not in tokenize("$ 3.3 million")
    # a year is the same token in an English sentence, a Chinese one and in full-width digits
    assert "2019" in tokenize("in 2019,") and "2019" in tokenize("2019年营业收入") and "2019" in tokenize("２０１９年")


def test_codes_stay_whole():
    assert tokenize("编号为K01111的指标") == ["编号", "k01111", "指标"]
    assert "5g" in tokenize("5G networks") and "fy2019" in tokenize("FY2019 results")


def test_chinese_runs_are_tokenised_by_jieba_as_before():
    """CJK text gets jieba's search-mode words (stop words and punctuation dropped), nothing else."""
    from bot.lexical import STOPWORDS, _jieba

    text = "从运营商格局来看，闪电充的公共充电桩运营数量占比最高"
    expected = [t for t in _jieba().cut_for_search(text)
                if t.strip() and t not in STOPWORDS and t not in "，"]
    assert tokenize(text) == expected


def test_mixed_text_keeps_each_languages_words():
    toks = tokenize("AI服务器的Shipments在2024年增长")
    assert toks[0] == "ai" and "服务器" in toks and "增长" in toks
    assert tokenize("shipments")[0] in toks and "2024" in toks
    assert toks.index("服务器") < toks.index(tokenize("shipments")[0]) < toks.index("2024")


_CUT_SCRIPT = """
import json, sys
from pathlib import Path
from bot import lexical
if sys.argv[1] == "lazy":
    lexical.look_up_lazily()
out = []
for path in sys.argv[2:]:
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        out.append([lexical.tokenize(line), lexical.words(line), lexical.pos_tag(line[:80])])
print(json.dumps(out, ensure_ascii=False))
"""


def test_a_one_off_process_cuts_exactly_as_one_with_the_whole_dictionary_loaded(tmp_path):
    """`bot ask` looks jieba's frequencies up word by word in an SQLite copy; ingest loads the
    whole dictionary. Their tokens must be identical, or a question's BM25 terms would miss the
    index's."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    texts = [str(p) for p in sorted((root / "corpus").glob("*.txt")) + sorted((root / "tests/news/reports").glob("*.md"))]
    assert texts
    env = {**os.environ, "BOT_JIEBA_CACHE": str(tmp_path)}  # the copy is made afresh here
    runs = {}
    for mode in ("preload", "lazy"):
        proc = subprocess.run([sys.executable, "-c", _CUT_SCRIPT, mode, *texts], capture_output=True,
                              text=True, env=env, cwd=root, timeout=600)
        assert proc.returncode == 0, proc.stderr
        runs[mode] = json.loads(proc.stdout)
    assert list(tmp_path.glob("bot-jieba-*.sqlite")), "the first run should have made the copy"
    assert sum(len(t) for t, _, _ in runs["lazy"]) > 1000
    assert runs["lazy"] == runs["preload"]
