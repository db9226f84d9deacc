"""Hybrid retrieval: BM25 over jieba tokens fused with the dense (Chroma) ranking by
reciprocal-rank fusion. BM25 catches dates and names, the dense side catches paraphrase and
English questions over Chinese text."""
from __future__ import annotations

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from .index import LoadedIndex
from .lexical import tokenize
from .question import analyse, language
from .types import Evidence

RRF_K = 60  # the constant from Cormack et al.; damps the weight of the very top ranks
CANDIDATES = 30


def hybrid_search(index: LoadedIndex, question: str, k: int) -> list[Evidence]:
    pool = max(k, CANDIDATES)
    fused: dict[int, Evidence] = {}

    tokens = tokenize(question)
    if language(question) == "en":
        # the glossary's Chinese words let BM25 help English questions over Chinese reports
        tokens += [t for term in analyse(question).terms for t in tokenize(term.text)]
    if tokens:
        scores = index.bm25.get_scores(tokens)
        top = np.argsort(-scores)[:pool]
        for rank, i in enumerate(int(i) for i in top if scores[i] > 0):
            ev = fused.setdefault(i, Evidence(index.chunks[i], 0.0))
            ev.lexical_rank = rank + 1
            ev.score += 1.0 / (RRF_K + rank + 1)

    vector = index.embedder.embed_query(question)
    for rank, (cid, _dist) in enumerate(index.store.query(index.manifest.build, vector, min(pool, index.n_docs))):
        i = index.by_id.get(cid)
        if i is None:
            continue
        ev = fused.setdefault(i, Evidence(index.chunks[i], 0.0))
        ev.dense_rank = rank + 1
        ev.score += 1.0 / (RRF_K + rank + 1)

    return sorted(fused.values(), key=lambda e: -e.score)[:k]


class HybridRetriever(BaseRetriever):
    """LangChain retriever over a loaded index; documents carry the chunk and its scores."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    index: LoadedIndex
    k: int = 8

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [
            Document(page_content=e.chunk.text, id=e.chunk.id,
                     metadata={"evidence": e, "location": e.chunk.location, "report": e.chunk.report,
                               "score": e.score, "dense_rank": e.dense_rank, "lexical_rank": e.lexical_rank})
            for e in hybrid_search(self.index, query, self.k)
        ]
