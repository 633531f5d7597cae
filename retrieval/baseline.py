"""Plain stemmed rank-bm25: the reference that every layer of citebot's on top of BM25 must beat.

Regex word tokens, lower case, English stopwords out, Snowball stems, `BM25Okapi` over the
passages' clean text; it ranks and never abstains. `citebot eval` runs it beside citebot on the
same questions, in the same run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import Stemmer
from rank_bm25 import BM25Okapi

from knowledge.document import Document
from retrieval.analyzer import STOPWORDS
from retrieval.answers import Answer, Hit

_WORD = re.compile(r"\w+")
_STEMMER = Stemmer.Stemmer("english")


def tokens(text: str) -> list[str]:
    """Lower-cased regex words, stopwords out, Snowball-stemmed."""
    words = [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]
    return [str(stem) for stem in _STEMMER.stemWords(words)]


class PlainBM25:
    """rank-bm25 over the documents' passages, answering every query with its ranking."""

    def __init__(self, documents: Sequence[Document]) -> None:
        """Index every passage of `documents`."""
        self._shown = [(p, d) for d in documents for p in d.passages]
        # rank-bm25 cannot index an empty token list; "" stands for a passage of stopwords.
        self._bm25 = BM25Okapi([tokens(p.clean) or [""] for p, _ in self._shown])

    def _ranked(self, query: str, kind: str, top_k: int) -> Answer:
        scores = self._bm25.get_scores(tokens(query))
        order = np.argsort(-scores, kind="stable")[:top_k]
        hits = tuple(Hit.of(self._shown[i][0], self._shown[i][1], float(scores[i])) for i in order)
        return Answer(query, kind, True, hits, total=len(self._shown))

    def ask(self, query: str, top_k: int = 3) -> Answer:
        """The passages ranked for a question."""
        return self._ranked(query, "ask", top_k)

    def figure(self, name: str, top_k: int = 3) -> Answer:
        """The passages ranked for a person's name."""
        return self._ranked(name, "figure", top_k)

    def event(self, name: str, top_k: int = 3) -> Answer:
        """The passages ranked for an event's name or year."""
        return self._ranked(name, "event", top_k)
