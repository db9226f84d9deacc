"""Hybrid retrieval: BM25 (over `lexical.tokenize`'s jieba and stemmed English tokens) fused
with the dense (Chroma) ranking by reciprocal-rank fusion. BM25 catches dates and names, the
dense side catches paraphrase and English questions over Chinese text. A question that names a
report (`scope.named_reports`) gets that report's evidence first; when that report holds several
years' parts (four years of a city's communiqué in one file) and the question names one of
them, that year's part comes first."""
from __future__ import annotations

import re
import weakref

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from . import periods, vocab
from .index import LoadedIndex
from .lexical import tokenize
from .question import analyse, language
from .scope import named_reports, naming_tokens
from .sections import naming_words
from .types import Evidence

RRF_K = 60  # the constant from Cormack et al.; damps the weight of the very top ranks
CANDIDATES = 30
# when a question names reports, the dense side is asked for enough neighbours that about
# CANDIDATES of them come from those reports, but never more than this
SCOPED_DENSE_MAX = 2000


# report words added to a Chinese question for BM25: the formal terms of its everyday words
EXPANSION_DEPTH = 2  # each word's first two forms ("营收" -> 营业收入, 营业总收入)


def question_tokens(question: str, learned=None) -> list[str]:
    """BM25 tokens of a question. A Chinese question's everyday words and abbreviations bring the
    report's words for them (营收 -> 营业收入, 年底 -> 年末; `learned`: the terms reports define),
    so the passage that says it formally is found. An English question's words match English
    text through the English analyser; the glossary's Chinese words let BM25 help it over
    Chinese reports too."""
    tokens = tokenize(question)
    if language(question) == "en":
        tokens += [t for term in analyse(question).terms for t in tokenize(term.text)]
    else:
        said = set(tokens)
        extra = [t for phrase in vocab.expand(question, learned, translate=True, depth=EXPANSION_DEPTH)
                 for t in tokenize(phrase)]
        tokens += list(dict.fromkeys(t for t in extra if t not in said and len(t) > 1))
    return tokens


def dense_text(question: str) -> str:
    """The question as the embedding side reads it: general abbreviations written out (社零 ->
    社会消费品零售总额), as the embedding model has seen the formal terms reports print, not the
    short forms people ask with."""
    return vocab.spelled_out(question)


def hybrid_search(index: LoadedIndex, question: str, k: int, reports=None) -> list[Evidence]:
    """The k best chunks. When the question names reports (`named_reports`), their chunks come
    first, ranked among themselves, and the best of the other reports follow them. When the
    question asks about a year that a file of several years' parts has a part for, that part
    comes before the file's other years (`_year_parts`).

    `reports` (file names), when given, is the only evidence allowed: chunks of other files are
    never returned, whatever the question names."""
    pool = max(k, CANDIDATES)
    allowed = _in_reports(index, set(reports)) if reports is not None else None
    if allowed is not None and not allowed.any():
        return []
    named = named_reports(index, question)
    if not named and language(question) == "en":
        # "Hefei's GDP" names the report 合肥市…统计公报 in the other script (names from CC-CEDICT)
        # (and "China's Government Work Report" the file 2024年政府工作报告.txt): its glossary words
        named = named_reports(index, " ".join(t.text for t in analyse(question).terms))
    elif not named:  # 雀巢 names nestle_2023_….xlsx through its English name
        named = named_reports(index, " ".join(vocab.english_names(question)))
    tokens = question_tokens(question, getattr(index, "learned", None))
    years = _asked_years(question)
    part, other = _year_parts(index, years) if years else (None, None)
    part = part & _in_reports(index, named) if part is not None and named else None
    if part is not None and allowed is not None:
        part &= allowed
    part = part if part is not None and part.any() else None  # the named files' asked-year parts
    if named:  # the words that named the report tell its passages apart no more
        drop = naming_tokens(index, named) | (_year_tokens(years) if part is not None else set())
        tokens = [t for t in tokens if t not in drop] or tokens
    scores = index.bm25.get_scores(tokens) if tokens else np.zeros(index.n_docs)
    inside = _in_reports(index, named) if named else None
    if inside is not None and allowed is not None:
        inside = inside & allowed
    if part is not None:
        inside = part
    n_dense = min(pool, index.n_docs)
    scope = inside if inside is not None else allowed
    if scope is not None:
        n_dense = min(index.n_docs, SCOPED_DENSE_MAX, max(n_dense, pool * index.n_docs // max(int(scope.sum()), 1)))
    vector = index.embedder.embed_query(dense_text(_inside_part(index, named, question, years) if part is not None
                                                   else question))
    exact = index.exact_dense(vector, n_dense) if hasattr(index, "exact_dense") else None
    if exact is not None:
        dense = np.asarray(exact, dtype=int)
    else:
        dense = np.array([index.by_id[cid] for cid, _dist in index.store.query(index.manifest.build, vector, n_dense)
                          if cid in index.by_id], dtype=int)
    if inside is None:
        if other is None:
            return _lexical_best_kept(_fuse(index, scores, dense, pool, allowed), k)
        # no report named: the other years' parts of a file that has the asked year's part come
        # after everything else
        keep, later = (~other, other) if allowed is None else (allowed & ~other, allowed & other)
        return _lexical_best_kept(_fuse(index, scores, dense, pool, keep) + _fuse(index, scores, dense, pool, later), k)
    first = _fuse(index, scores, dense, pool, inside)
    if part is not None:
        # the named reports' other years follow their asked year's part: a question comparing
        # with another year, or one the part answers only partly, still finds them
        named_all = _in_reports(index, named) if allowed is None else _in_reports(index, named) & allowed
        first += _fuse(index, scores, dense, pool, named_all & ~part)
        inside = named_all
    if allowed is None:
        rest = _fuse(index, scores, dense[:pool], pool, ~inside)
    else:  # the allowed reports' neighbours may sit anywhere in the wider dense list
        rest = _fuse(index, scores, dense, pool, allowed & ~inside)
    return _lexical_best_kept(first + rest, k)


def _lexical_best_kept(fused: list[Evidence], k: int) -> list[Evidence]:
    """The first k, with the passage BM25 ranks first among them: a passage that says the
    question's words (or the report-words they bring: 社零 -> 社会消费品零售总额, 净销售额 -> net sales)
    best, but that the embedding side does not rank (an abbreviation, the other language), would
    otherwise lose the fusion to passages both sides rank middling."""
    best = next((i for i, e in enumerate(fused) if e.lexical_rank == 1), None)
    if best is None or best < k:
        return fused[:k]
    return fused[:k - 1] + [fused[best]]


def _fuse(index: LoadedIndex, scores: np.ndarray, dense: np.ndarray, pool: int,
          keep: np.ndarray | None = None) -> list[Evidence]:
    """Reciprocal-rank fusion of the BM25 and dense rankings, over the chunks `keep` marks."""
    if keep is not None:
        scores = np.where(keep, scores, 0.0)
        dense = dense[keep[dense]] if len(dense) else dense
    fused: dict[int, Evidence] = {}
    # BM25 scores rounded well above float noise, ties kept in chunk order: the same ranking on
    # any machine
    top = np.argsort(-np.round(scores, 6), kind="stable")[:pool]
    for rank, i in enumerate(int(i) for i in top if scores[i] > 0):
        ev = fused.setdefault(i, Evidence(index.chunks[i], 0.0))
        ev.lexical_rank = rank + 1
        ev.score += 1.0 / (RRF_K + rank + 1)
    for rank, i in enumerate(int(i) for i in dense[:pool]):
        ev = fused.setdefault(i, Evidence(index.chunks[i], 0.0))
        ev.dense_rank = rank + 1
        ev.score += 1.0 / (RRF_K + rank + 1)
    return sorted(fused.values(), key=lambda e: -e.score)


_FILES: "weakref.WeakKeyDictionary[LoadedIndex, tuple[dict[str, int], np.ndarray]]" = weakref.WeakKeyDictionary()


def _in_reports(index: LoadedIndex, files: set[str]) -> np.ndarray:
    """Which chunks belong to these reports, as a mask (the file codes are built once per index)."""
    if index not in _FILES:
        codes: dict[str, int] = {}
        _FILES[index] = codes, np.array([codes.setdefault(c.file, len(codes)) for c in index.chunks], dtype=int)
    codes, per_chunk = _FILES[index]
    return np.isin(per_chunk, [codes[f] for f in files if f in codes])


_YEARS: "weakref.WeakKeyDictionary[LoadedIndex, tuple[np.ndarray, dict[str, set[str]]]]" = weakref.WeakKeyDictionary()


def _year_parts(index: LoadedIndex, years: set[str]) -> tuple[np.ndarray | None, np.ndarray | None]:
    """In the files of several years' parts that have a part for a year the question asks about
    ("南京2021年GDP" -> the 2021 part of a 2021~2024 file): the chunks of those parts, and the
    chunks of the same files' other parts; (None, None) when no file has such a part. A year a
    file has no part for (a comparison year, one it lacks) changes nothing for it: the file is
    searched whole and what it lacks is refused as before."""
    if index not in _YEARS:
        per_file: dict[str, set[str]] = {}
        for c in index.chunks:
            if c.year:
                per_file.setdefault(c.file, set()).add(c.year)
        multi = {f for f, ys in per_file.items() if len(ys) > 1}
        _YEARS[index] = (np.array([c.year if c.file in multi else "" for c in index.chunks]),
                         {f: per_file[f] for f in multi})
    chunk_years, multi = _YEARS[index]
    asked = {f for f, ys in multi.items() if years & ys}
    if not asked:
        return None, None
    files = _in_reports(index, asked)
    in_part = np.isin(chunk_years, sorted(years))
    return files & in_part, files & ~in_part


def _asked_years(question: str) -> set[str]:
    # a split year asks the year it ends in ("2021-22": 2022, bot.periods), as the answer reads it
    return periods.asked_years(question, {d[:4] for d in analyse(question).dates if re.match(r"(?:19|20)\d\d", d)})


def _year_tokens(years: set[str]) -> set[str]:
    """Within one year's part, its year tells no passage apart (every one is that year's)."""
    return {t for y in years for t in tokenize(f"{y}年")}


def _inside_part(index: LoadedIndex, named: set[str], question: str, years: set[str]) -> str:
    """The question as the dense side reads it inside one year's part: without the year and the
    report's names, which would draw it to the few passages that print them (a table captioned
    "2022年<city>对主要国家…") instead of the ones about the thing asked."""
    out = question
    for y in years:
        out = re.sub(rf"{y}\s*(?:年度?|财年)?", " ", out)
    scopes = getattr(index, "scopes", {})
    names = {w for f in named for w in naming_words(scopes.get(f, "")).split() if len(w) > 1}
    for w in sorted(names, key=len, reverse=True):
        out = out.replace(w, " ")
    out = re.sub(r"\s+", " ", out).strip()
    return out if len(out) >= 2 else question


class HybridRetriever(BaseRetriever):
    """LangChain retriever over a loaded index; documents carry the chunk and its scores."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    index: LoadedIndex
    k: int = 8

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                reports=None) -> list[Document]:
        return [
            Document(page_content=e.chunk.text, id=e.chunk.id,
                     metadata={"evidence": e, "location": e.chunk.location, "report": e.chunk.report,
                               "score": e.score, "dense_rank": e.dense_rank, "lexical_rank": e.lexical_rank})
            for e in hybrid_search(self.index, query, self.k, reports)
        ]
