"""An exact BM25 index: rank-bm25's ``BM25Okapi`` scores through an inverted index in numpy.

rank-bm25 walks every passage in Python for every query term. Here each posting's
contribution is computed once, at build time, with rank-bm25's own IDF table and the
same floating-point operations ``BM25Okapi.get_scores`` performs, so a query only adds
the postings of its terms, in query order, and the scores come out bit-identical.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt
from rank_bm25 import BM25Okapi

__all__ = ["BM25Index"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _reference_idf(
    vocab: Iterable[str], doc_freqs: IntArray, corpus_size: int, epsilon: float
) -> FloatArray:
    """IDF per term id, computed by rank-bm25's own ``_calc_idf``.

    ``vocab`` must be in first-occurrence order, the order rank-bm25 fills its ``nd``
    dict in, so that ``average_idf`` (and so the epsilon floor) sums in the same order.
    """
    nd = dict(zip(vocab, doc_freqs.tolist(), strict=True))
    if not nd:  # rank-bm25 divides by the vocabulary size: nothing to compute
        return np.zeros(0, dtype=np.float64)
    # An instance without running BM25Okapi.__init__ (which would re-tokenise the
    # corpus in Python): _calc_idf only reads these attributes.
    ref = BM25Okapi.__new__(BM25Okapi)
    ref.corpus_size = corpus_size
    ref.epsilon = epsilon
    ref.idf = {}
    ref._calc_idf(nd)
    table: dict[str, float] = ref.idf
    return np.fromiter((table[term] for term in nd), dtype=np.float64, count=len(nd))


class BM25Index:
    """Okapi BM25 over tokenised passages, scoring exactly as ``rank_bm25.BM25Okapi``.

    Storage is CSR-style: the postings of term id ``t`` are
    ``doc_ids[indptr[t]:indptr[t + 1]]`` (ascending passage ids, int32) with their
    precomputed score contributions in ``weights`` (float64).
    """

    def __init__(
        self,
        corpus: Iterable[Sequence[str]],
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
    ) -> None:
        """Index ``corpus``, one token sequence per passage, with BM25Okapi's parameters."""
        self.k1 = float(k1)
        self.b = float(b)
        self.epsilon = float(epsilon)

        vocab: dict[str, int] = {}
        intern = vocab.setdefault
        tokens = array("q")  # C integers: a list of int objects costs ~9x the memory
        lengths: list[int] = []
        for passage in corpus:
            lengths.append(len(passage))
            # New terms get the next id, so ids follow first occurrence, as rank-bm25's nd.
            tokens.extend([intern(term, len(vocab)) for term in passage])

        n_docs = len(lengths)
        n_terms = len(vocab)
        self._n_docs = n_docs
        self._vocab = vocab
        self._avgdl = sum(lengths) / n_docs if n_docs else 0.0  # as rank-bm25 computes it

        term_of_token: IntArray = np.frombuffer(tokens, dtype=np.int64)
        doc_len: IntArray = np.asarray(lengths, dtype=np.int64)
        doc_of_token = np.repeat(np.arange(n_docs, dtype=np.int64), doc_len)
        # One sort groups tokens by (term, passage): runs are postings, run lengths are tf.
        keys = term_of_token * max(n_docs, 1) + doc_of_token
        del tokens, term_of_token, doc_of_token
        keys.sort()
        if keys.size:
            starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        else:
            starts = np.zeros(0, dtype=np.int64)
        tf = np.diff(np.append(starts, keys.size)).astype(np.int64)
        posting_keys = keys[starts]
        del keys, starts
        posting_term = posting_keys // max(n_docs, 1)
        posting_doc = posting_keys - posting_term * max(n_docs, 1)
        del posting_keys

        doc_freqs: IntArray = np.bincount(posting_term, minlength=n_terms).astype(np.int64)
        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(doc_freqs, out=indptr[1:])
        self._indptr = indptr
        self._idf = _reference_idf(vocab, doc_freqs, n_docs, self.epsilon)

        # The exact expression (and operation order) of BM25Okapi.get_scores, per posting:
        # idf * (q_freq * (k1 + 1) / (q_freq + k1 * (1 - b + b * doc_len / avgdl))).
        k1, b, avgdl = self.k1, self.b, self._avgdl
        dl = doc_len[posting_doc]
        with np.errstate(divide="ignore", invalid="ignore"):
            weights = self._idf[posting_term] * (
                tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))
            )
        self._weights: FloatArray = np.ascontiguousarray(weights, dtype=np.float64)
        self._doc_ids: npt.NDArray[np.int32] = posting_doc.astype(np.int32)

    def __len__(self) -> int:
        """Number of passages."""
        return self._n_docs

    @property
    def vocabulary_size(self) -> int:
        """Number of distinct terms."""
        return len(self._vocab)

    @property
    def avgdl(self) -> float:
        """Average passage length in tokens, as rank-bm25 computes it."""
        return self._avgdl

    @property
    def nbytes(self) -> int:
        """Bytes held by the index's numpy arrays (the vocabulary dict is not counted)."""
        return sum(a.nbytes for a in (self._indptr, self._doc_ids, self._weights, self._idf))

    def idf(self, term: str) -> float:
        """rank-bm25's IDF of ``term`` (negative values floored); 0.0 for an unknown term."""
        tid = self._vocab.get(term)
        return 0.0 if tid is None else float(self._idf[tid])

    def doc_freq(self, term: str) -> int:
        """Number of passages containing ``term``."""
        tid = self._vocab.get(term)
        return 0 if tid is None else int(self._indptr[tid + 1] - self._indptr[tid])

    def _term_ids(self, query: Sequence[str]) -> list[int]:
        """Known query terms as ids, in query order, duplicates kept (they count twice)."""
        get = self._vocab.get
        return [tid for tid in map(get, query) if tid is not None]

    def _accumulate(self, tids: Sequence[int]) -> FloatArray:
        """Dense score array: each term's postings added in query order, as get_scores."""
        scores = np.zeros(self._n_docs, dtype=np.float64)
        indptr, doc_ids, weights = self._indptr, self._doc_ids, self._weights
        for tid in tids:
            start, end = int(indptr[tid]), int(indptr[tid + 1])
            # A term's postings hold distinct passages, so buffered fancy += is exact.
            scores[doc_ids[start:end]] += weights[start:end]
        return scores

    def scores(self, query: Sequence[str]) -> FloatArray:
        """BM25 score of every passage; equals ``BM25Okapi(corpus).get_scores(query)``."""
        return self._accumulate(self._term_ids(query))

    def _touched(self, tids: Sequence[int]) -> npt.NDArray[np.int64]:
        """Ascending ids of passages holding at least one of the terms."""
        indptr, doc_ids = self._indptr, self._doc_ids
        unique = sorted(set(tids))
        slices = [doc_ids[int(indptr[t]) : int(indptr[t + 1])] for t in unique]
        if len(slices) == 1:
            return slices[0].astype(np.int64)
        total = sum(s.size for s in slices)
        if total * 8 < self._n_docs:  # few postings: sorting them beats scanning a mask
            return np.unique(np.concatenate(slices)).astype(np.int64)
        mask = np.zeros(self._n_docs, dtype=bool)
        for s in slices:
            mask[s] = True
        return np.flatnonzero(mask)

    def top_k(self, query: Sequence[str], k: int) -> list[tuple[int, float]]:
        """The ``k`` best passages as (passage id, score), best first.

        Only passages sharing at least one term with the query are returned; equal
        scores are ordered by lower passage id.
        """
        tids = self._term_ids(query)
        if k <= 0 or not tids:
            return []
        scores = self._accumulate(tids)
        touched = self._touched(tids)
        return _rank(touched, scores[touched], k)


def _rank(ids: npt.NDArray[np.int64], scores: FloatArray, k: int) -> list[tuple[int, float]]:
    """Top ``k`` of ``ids`` (ascending) by score descending, ties to the lower id."""
    if ids.size > k:
        # Keep everything tied with the k-th best so the tie rule, not argpartition,
        # decides which of them survive.
        kth = np.partition(scores, ids.size - k)[ids.size - k]
        keep = scores >= kth
        ids, scores = ids[keep], scores[keep]
    order = np.lexsort((ids, -scores))[:k]
    return [(int(i), float(s)) for i, s in zip(ids[order], scores[order], strict=True)]
