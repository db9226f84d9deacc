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
