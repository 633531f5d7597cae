"""An exact BM25 index: rank-bm25's ``BM25Okapi`` scores through an inverted index in numpy.

rank-bm25 walks every passage in Python for every query term. Here each posting's
contribution is computed once, at build time, with rank-bm25's IDF arithmetic and the
same floating-point operations ``BM25Okapi.get_scores`` performs, so a query only adds
the postings of its terms, in query order, and the scores come out bit-identical.

``top_k`` may skip the postings of very common query terms when a bound proves they
cannot change the result (see ``BM25Index._top_k_pruned``); results stay exact.
"""

from __future__ import annotations

import ctypes
import math
import os
from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from retrieval import arrayfile
from retrieval.vocabulary import MappedVocabulary, vocabulary_arrays

__all__ = ["BM25Index", "IndexCacheError"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_FORMAT = "citebot-bm25-index"
_VERSION = 3
# Array name -> dtype; MappedVocabulary checks the vocabulary's own (retrieval/vocabulary.py).
_ARRAYS: dict[str, str] = {
    "indptr": "<i8",
    "doc_ids": "<i4",
    "weights": "<f8",
    "idf": "<f8",
    "max_weight": "<f8",
}
# What a load reads whole anyway, so its checksum is always checked; the postings (doc_ids,
# weights) and the vocabulary (retrieval/vocabulary.py) are read as queries need them.
_READ_WHOLE = ("indptr", "idf", "max_weight")
# Postings (or tokens) handled at once while building: big enough for numpy's speed, small
# enough that a block's temporaries cost little next to the index.
_BLOCK = 1 << 22
# Pruning in top_k. Below this many postings in all, a query is cheap enough in full.
_MIN_POSTINGS_TO_PRUNE = 4096
# Phase A scores the heaviest max(_SEEDS_PER_K * k, _MIN_SEEDS) postings of each of the
# _SEED_TERMS rarest terms.
_SEED_TERMS = 2
_SEEDS_PER_K = 4
_MIN_SEEDS = 32
# Skip terms only when the estimated cost is below this fraction of a full evaluation.
_PRUNE_COST_RATIO = 0.8


class IndexCacheError(Exception):
    """A saved index could not be loaded: truncated, garbled, or not for this version."""


def _reference_idf(doc_freqs: IntArray, corpus_size: int, epsilon: float) -> FloatArray:
    """IDF per term id, by the arithmetic of rank-bm25's ``BM25Okapi._calc_idf``.

    ``doc_freqs`` must be in first-occurrence order, the order rank-bm25 fills its ``nd``
    dict in, so that ``average_idf`` (and so the epsilon floor) sums in the same order. Each
    distinct document frequency's IDF is computed once, with math.log as rank-bm25 does: a
    big corpus has a million terms but a few thousand frequencies.
    """
    if not doc_freqs.size:  # rank-bm25 divides by the vocabulary size: nothing to compute
        return np.zeros(0, dtype=np.float64)
    freqs, which = np.unique(doc_freqs, return_inverse=True)
    idf = np.array(
        [math.log(corpus_size - freq + 0.5) - math.log(freq + 0.5) for freq in freqs.tolist()],
        dtype=np.float64,
    )[which]
    # The sum one float at a time, in term order, as rank-bm25's loop adds (not numpy's
    # pairwise sum, nor the compensated sum() of Python 3.12).
    idf_sum = 0.0
    for value in idf.tolist():
        idf_sum += value
    eps = epsilon * (idf_sum / idf.size)
    idf[idf < 0] = eps
    return idf


class BM25Index:
    """Okapi BM25 over tokenised passages, scoring exactly as ``rank_bm25.BM25Okapi``.

    Storage is CSR-style: the postings of term id ``t`` are
    ``doc_ids[indptr[t]:indptr[t + 1]]`` (ascending passage ids, int32) with their
    precomputed score contributions in ``weights`` (float64).
    """

    k1: float
    b: float
    epsilon: float
    _n_docs: int
    _avgdl: float
    _vocab: Mapping[str, int]  # a dict when built, a MappedVocabulary when loaded
    _indptr: IntArray
    _doc_ids: npt.NDArray[np.int32]
    _weights: FloatArray
    _idf: FloatArray
    _max_weight: FloatArray
    _prunable: bool

    def __init__(
        self,
        corpus: Iterable[Sequence[str]],
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
    ) -> None:
        """Index ``corpus``, one token sequence per passage, with BM25Okapi's parameters."""
        # A missing term gets the next id (the vocabulary's size), so ids follow first
        # occurrence, the order rank-bm25 fills its nd dict in. map() over the dict's own
        # __getitem__ keeps the per-token work in C.
        vocab: defaultdict[str, int] = defaultdict()
        vocab.default_factory = vocab.__len__
        term_id = vocab.__getitem__
        tokens = array("i")  # C ints: a list of int objects would cost ~9x the memory
        lengths = array("q")
        for passage in corpus:
            lengths.append(len(passage))
            tokens.extend(map(term_id, passage))
        vocab.default_factory = None  # from here on, unknown terms are just unknown
        blocks = [np.frombuffer(tokens, dtype=np.int32)]
        del tokens  # the block holds the only reference: _build frees it once copied
        self._build(vocab, blocks, np.frombuffer(lengths, dtype=np.int64), k1, b, epsilon)

    @classmethod
    def from_term_ids(
        cls,
        vocab: dict[str, int],
        term_ids: list[npt.NDArray[np.int32]],
        lengths: npt.NDArray[np.int64],
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
    ) -> BM25Index:
        """The index of a corpus given as ids: the blocks of ``term_ids`` hold every passage's
        terms, one passage after the other, ``lengths`` the number of terms of each passage.
        Term ids must be numbered by first occurrence (as ``vocab`` maps them), the order
        rank-bm25 meets terms in; the result equals ``BM25Index`` of the term lists.

        The list is emptied as its blocks are copied, so that their memory is freed early.
        """
        index = cls.__new__(cls)
        index._build(vocab, term_ids, lengths, k1, b, epsilon)
        return index

    def _build(
        self,
        vocab: dict[str, int],
        term_ids: list[npt.NDArray[np.int32]],
        doc_len: IntArray,
        k1: float,
        b: float,
        epsilon: float,
    ) -> None:
        """Postings and their weights from the corpus's term ids (see ``from_term_ids``)."""
        n_docs = doc_len.size
        n_terms = len(vocab)
        stride = max(n_docs, 1)
        # One sort groups tokens by (term, passage): runs are postings, run lengths are tf.
        # Then everything is made a block at a time into 32-bit arrays where values fit, so
        # that no temporary is as big as the tokens: this is the build's memory peak.
        keys = np.empty(sum(block.size for block in term_ids), dtype=np.int64)
        filled = 0
        while term_ids:
            block = term_ids.pop(0)
            keys[filled : filled + block.size] = block
            filled += block.size
            del block
        keys *= stride
        keys += np.repeat(np.arange(n_docs, dtype=np.int32), doc_len)  # each token's passage
        keys.sort()
        starts = _run_starts(keys)
        n_postings = starts.size
        tf = np.empty(n_postings, dtype=np.int32)
        np.subtract(starts[1:], starts[:-1], out=tf[:-1])
        tf[-1:] = keys.size - starts[-1:]
        posting_term = np.empty(n_postings, dtype=np.int32)
        doc_ids = np.empty(n_postings, dtype=np.int32)
        for lo in range(0, n_postings, _BLOCK):
            block = keys[starts[lo : lo + _BLOCK]]
            posting_term[lo : lo + _BLOCK] = block // stride
            doc_ids[lo : lo + _BLOCK] = block % stride
        del keys, starts

        doc_freqs: IntArray = np.bincount(posting_term, minlength=n_terms).astype(np.int64)
        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(doc_freqs, out=indptr[1:])
        epsilon = float(epsilon)
        idf = _reference_idf(doc_freqs, n_docs, epsilon)

        # BM25Okapi.get_scores computes, per passage and query term,
        #   idf * (q_freq * (k1 + 1) / (q_freq + k1 * (1 - b + b * doc_len / avgdl)))
        # Here the same IEEE operations on the same operands, once per posting, in place
        # to spare memory; only operand order changes where it cannot matter (a + b and
        # a * b are exactly commutative in IEEE 754), so results are bit-identical. Integers
        # become float64 exactly, whatever their width.
        k1, b = float(k1), float(b)
        # As rank-bm25 computes it: an exact integer sum, then one division.
        avgdl = int(doc_len.sum()) / n_docs if n_docs else 0.0
        lengths_f = doc_len.astype(np.float64)
        weights = np.empty(n_postings, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            for lo in range(0, n_postings, _BLOCK):
                hi = lo + _BLOCK
                denominator = lengths_f[doc_ids[lo:hi]]
                denominator *= b
                denominator /= avgdl
                denominator += 1 - b
                denominator *= k1
                denominator += tf[lo:hi]
                block_weights = tf[lo:hi] * (k1 + 1)
                block_weights /= denominator
                block_weights *= idf[posting_term[lo:hi]]
                weights[lo:hi] = block_weights
        del tf, posting_term
        _release_freed_memory()
        self._setup(
            vocab=vocab,
            indptr=indptr,
            doc_ids=doc_ids,
            weights=weights,
            idf=idf,
            n_docs=n_docs,
            avgdl=avgdl,
            k1=k1,
            b=b,
            epsilon=epsilon,
        )

    def _setup(
        self,
        *,
        vocab: Mapping[str, int],
        indptr: IntArray,
        doc_ids: npt.NDArray[np.int32],
        weights: FloatArray,
        idf: FloatArray,
        n_docs: int,
        avgdl: float,
        k1: float,
        b: float,
        epsilon: float,
        bounds: tuple[FloatArray, bool] | None = None,
    ) -> None:
        """Set the state shared by a fresh build and a load, and the pruning bounds.

        `bounds` (largest weight per term, whether pruning is sound) are computed from the
        weights unless given: a mapped index would read all its postings to find them.
        """
        self.k1, self.b, self.epsilon = k1, b, epsilon
        self._vocab = vocab
        self._indptr, self._doc_ids, self._weights, self._idf = indptr, doc_ids, weights, idf
        self._n_docs, self._avgdl = n_docs, avgdl
        if bounds is not None:
            self._max_weight, self._prunable = bounds
            return
        # Largest contribution per term: the bound that lets top_k skip common terms.
        # Every term has at least one posting, so reduceat's segments are never empty.
        self._max_weight = np.maximum.reduceat(weights, indptr[:-1]) if idf.size else np.zeros(0)
        # The bound argument needs non-negative, finite contributions.
        self._prunable = bool(np.all(weights >= 0) and np.all(np.isfinite(weights)))

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
        arrays = (self._indptr, self._doc_ids, self._weights, self._idf, self._max_weight)
        return sum(a.nbytes for a in arrays)

    def vocabulary(self) -> Sequence[str]:
        """Every indexed term, in term-id order (a loaded index decodes each when read)."""
        return self._vocab.terms if isinstance(self._vocab, MappedVocabulary) else list(self._vocab)

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

    def _postings(self, tid: int) -> tuple[npt.NDArray[np.int32], FloatArray]:
        start, end = int(self._indptr[tid]), int(self._indptr[tid + 1])
        return self._doc_ids[start:end], self._weights[start:end]

    def _accumulate(self, tids: Sequence[int]) -> FloatArray:
        """Dense score array: each term's postings added in query order, as get_scores."""
        scores = np.zeros(self._n_docs, dtype=np.float64)
        for tid in tids:
            ids, weights = self._postings(tid)
            # A term's postings hold distinct passages, so buffered fancy += is exact.
            scores[ids] += weights
        return scores

    def scores(self, query: Sequence[str]) -> FloatArray:
        """BM25 score of every passage; equals ``BM25Okapi(corpus).get_scores(query)``."""
        return self._accumulate(self._term_ids(query))

    def _union(self, tids: Iterable[int]) -> IntArray:
        """Ascending ids of passages holding at least one of the terms."""
        slices = [self._postings(t)[0] for t in sorted(set(tids))]
        if len(slices) == 1:
            return slices[0].astype(np.int64)
        total = sum(s.size for s in slices)
        if total * 4 < self._n_docs:  # few postings: sorting them beats scanning a mask
            return _sorted_unique(np.concatenate(slices).astype(np.int64))
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
        pruned = self._top_k_pruned(tids, k)
        if pruned is not None:
            return pruned
        scores = self._accumulate(tids)
        touched = self._union(tids)
        return _rank(touched, scores[touched], k)

    def _top_k_pruned(self, tids: Sequence[int], k: int) -> list[tuple[int, float]] | None:
        """``top_k`` without reading all postings of the query's common terms, or None.

        Exact by a MaxScore-style bound. A passage holding none of the terms in a set R
        holds only the others, C; its score is a float sum, in query order, of values
        each at most that term's largest weight, so (float addition being monotonic)
        at most ``bound(C)``, the same sum over those largest weights. So if k passages
        are known to score strictly above ``bound(C)`` (strictly: a tie would go to a
        lower id), the top k all hold a term of R, and ranking the passages of R's
        terms by their exact scores gives the answer.

        Phase A: exact scores of a few promising passages (the heaviest postings of the
        rarest terms) give ``theta``, their k-th best, a lower bound on the answer's
        k-th best. Phase B: skip the largest set C of the most common terms with
        ``bound(C) < theta``; rank the passages of the others. Returns None when
        nothing can be skipped or skipping would not pay; ``top_k`` then does it in full.
        """
        if not self._prunable:
            return None
        indptr = self._indptr
        unique = sorted(set(tids), key=lambda t: int(indptr[t + 1] - indptr[t]))
        dfs = [int(indptr[t + 1] - indptr[t]) for t in unique]
        if len(unique) < 2 or sum(dfs) < _MIN_POSTINGS_TO_PRUNE:
            return None  # nothing to skip, or cheap enough in full

        seeds = []
        per_term = max(_SEEDS_PER_K * k, _MIN_SEEDS)
        for tid in unique[:_SEED_TERMS]:
            ids, weights = self._postings(tid)
            if ids.size > per_term:
                ids = ids[np.argpartition(weights, ids.size - per_term)[ids.size - per_term :]]
            seeds.append(ids)
        seed = _sorted_unique(np.concatenate(seeds).astype(np.int64))
        if seed.size < k:
            return None
        seed_scores = self._exact_scores(seed, tids)
        theta = float(np.partition(seed_scores, seed.size - k)[seed.size - k])

        skip_from = None  # terms unique[skip_from:] are skipped
        for first in range(len(unique) - 1, 0, -1):
            skipped = set(unique[first:])
            bound = 0.0
            for tid in tids:  # in query order, as the scores themselves are summed
                if tid in skipped:
                    bound += float(self._max_weight[tid])
            if not bound < theta:
                break
            skip_from = first
        if skip_from is None:
            return None
        # Rough cost in postings touched (see _exact_scores): is skipping worth it?
        read = sum(dfs[:skip_from])
        cost = 3 * read + sum(min(df, 8 * read) for df in dfs[skip_from:])
        if cost > _PRUNE_COST_RATIO * 3 * sum(dfs):
            return None
        # At least k passages (the seeds') score >= theta > bound: all are candidates.
        candidates = self._union(unique[:skip_from])
        return _rank(candidates, self._exact_scores(candidates, tids), k)

    def _exact_scores(self, candidates: IntArray, tids: Sequence[int]) -> FloatArray:
        """Scores of ``candidates`` (ascending ids), added in query order as get_scores does.

        Few candidates: each term's weights are matched to them by binary search, from
        whichever side is shorter. Many: a dense accumulator, where a term is scattered
        in full unless it is so common that looking the candidates up is cheaper (a
        scattered posting costs ~1/8 of a binary search).
        """
        if candidates.size * 32 < self._n_docs:
            scores = np.zeros(candidates.size, dtype=np.float64)
            last = candidates.size - 1
            for tid in tids:
                ids, weights = self._postings(tid)
                if candidates.size < ids.size:  # look each candidate up in the postings
                    at = np.searchsorted(ids, candidates)
                    np.minimum(at, ids.size - 1, out=at)
                    found = ids[at] == candidates
                    scores[found] += weights[at[found]]
                else:  # look each posting up among the candidates
                    at = np.searchsorted(candidates, ids)
                    np.minimum(at, last, out=at)
                    found = candidates[at] == ids
                    scores[at[found]] += weights[found]
            return scores
        dense = np.zeros(self._n_docs, dtype=np.float64)
        for tid in tids:
            ids, weights = self._postings(tid)
            if candidates.size * 8 < ids.size:
                at = np.searchsorted(ids, candidates)
                np.minimum(at, ids.size - 1, out=at)
                found = ids[at] == candidates
                dense[candidates[found]] += weights[at[found]]
            else:
                dense[ids] += weights
        return dense[candidates]

    def save(self, path: str | os.PathLike[str], *, tag: str = "") -> None:
        """Write the index to one file, atomically (see retrieval/arrayfile.py).

        ``tag`` is stored as is and checked by ``load``: put a digest of the corpus and
        tokeniser in it so a stale cache is refused rather than silently used.
        """
        arrays, meta = self.to_arrays()
        arrayfile.write(Path(path), arrays, {**meta, "tag": tag}, checked=_READ_WHOLE)

    def to_arrays(self) -> tuple[dict[str, npt.NDArray[Any]], dict[str, Any]]:
        """The index as named arrays and JSON-serialisable metadata, for ``from_arrays``."""
        vocab = self._vocab
        if isinstance(vocab, MappedVocabulary):
            terms = vocab.arrays
        else:  # a dict keeps insertion order, which is term id order
            terms = vocabulary_arrays(list(vocab))
        arrays: dict[str, npt.NDArray[Any]] = {
            "indptr": self._indptr,
            "doc_ids": self._doc_ids,
            "weights": self._weights,
            "idf": self._idf,
            "max_weight": self._max_weight,
            **terms,
        }
        meta = {
            "format": _FORMAT,
            "version": _VERSION,
            "n_docs": self._n_docs,
            "avgdl": self._avgdl,
            "k1": self.k1,
            "b": self.b,
            "epsilon": self.epsilon,
            "prunable": self._prunable,
        }
        return arrays, meta

    @classmethod
    def load(
        cls, path: str | os.PathLike[str], *, tag: str | None = None, verify: bool = True
    ) -> BM25Index:
        """Read an index written by ``save``; its postings stay in a memory map of the file.

        Raises FileNotFoundError if there is no file, and IndexCacheError if it is
        truncated, garbled, of another format version, or (when ``tag`` is given)
        saved under a different tag. With ``verify`` a checksum covers every array; without,
        only the arrays read whole at load (the vocabulary, IDF and bounds), so that the
        postings are read from disk only as queries need them.
        """
        try:
            arrays, meta = arrayfile.read(Path(path), verify=verify)
        except FileNotFoundError:
            raise
        except (OSError, arrayfile.ArrayFileError) as exc:
            raise IndexCacheError(f"{path}: unreadable index: {exc}") from exc
        if tag is not None and meta.get("tag") != tag:
            raise IndexCacheError(f"{path}: saved for another corpus (tag differs)")
        try:
            return cls.from_arrays(arrays, meta, verify=verify)
        except IndexCacheError as exc:
            raise IndexCacheError(f"{path}: {exc}") from None

    @classmethod
    def from_arrays(
        cls, arrays: dict[str, npt.NDArray[Any]], meta: dict[str, Any], *, verify: bool = True
    ) -> BM25Index:
        """The index that ``to_arrays`` gave these arrays and metadata; IndexCacheError if
        they are not consistent. The checks that read the postings whole run with ``verify``.
        """
        if meta.get("format") != _FORMAT:
            raise IndexCacheError("not a saved BM25Index")
        if meta.get("version") != _VERSION:
            raise IndexCacheError(f"index format {meta.get('version')!r}")
        try:
            return cls._from_saved(arrays, meta, verify)
        except IndexCacheError:
            raise
        except Exception as exc:  # missing keys, wrong types, undecodable text: corruption
            raise IndexCacheError(f"inconsistent index: {exc}") from exc

    @classmethod
    def _from_saved(
        cls, arrays: dict[str, npt.NDArray[Any]], meta: dict[str, Any], verify: bool
    ) -> BM25Index:
        for name, dtype in _ARRAYS.items():
            if arrays[name].dtype != np.dtype(dtype) or arrays[name].ndim != 1:
                raise IndexCacheError(f"array {name!r} has the wrong type or shape")
        indptr, doc_ids, weights = arrays["indptr"], arrays["doc_ids"], arrays["weights"]
        idf = arrays["idf"]
        n_docs, n_terms = int(meta["n_docs"]), idf.size
        try:
            vocab = MappedVocabulary(arrays)
        except ValueError as exc:
            raise IndexCacheError(str(exc)) from None
        # Cheap structural checks, so that even a forged checksum cannot index out of range.
        if (
            indptr.size != n_terms + 1
            or indptr[0] != 0
            or indptr[-1] != doc_ids.size
            or weights.size != doc_ids.size
            or arrays["max_weight"].size != n_terms
            or np.any(np.diff(indptr) <= 0)
            or len(vocab) != n_terms
        ):
            raise IndexCacheError("inconsistent postings")
        if verify:
            if doc_ids.size and (doc_ids.min() < 0 or doc_ids.max() >= n_docs):
                raise IndexCacheError("inconsistent postings")
            ascending = np.diff(doc_ids) > 0
            ascending[indptr[1:-1] - 1] = True  # a new term's postings start over
            if not ascending.all():
                raise IndexCacheError("postings out of order")
        if verify and len(set(vocab)) != n_terms:
            raise IndexCacheError("duplicate terms")
        index = cls.__new__(cls)
        index._setup(
            vocab=vocab,
            indptr=indptr,
            doc_ids=doc_ids,
            weights=weights,
            idf=idf,
            n_docs=n_docs,
            avgdl=float(meta["avgdl"]),
            k1=float(meta["k1"]),
            b=float(meta["b"]),
            epsilon=float(meta["epsilon"]),
            bounds=(arrays["max_weight"], bool(meta["prunable"])),
        )
        return index


def _run_starts(keys: IntArray) -> npt.NDArray[Any]:
    """Where each run of equal values of sorted `keys` starts, found a block at a time, in
    32 bits when positions fit."""
    dtype = np.int32 if keys.size < 2**31 else np.int64
    parts = []
    for lo in range(0, keys.size, _BLOCK):
        hi = min(lo + _BLOCK, keys.size)
        new = np.empty(hi - lo, dtype=bool)
        new[0] = lo == 0 or keys[lo] != keys[lo - 1]
        np.not_equal(keys[lo + 1 : hi], keys[lo : hi - 1], out=new[1:])
        parts.append((np.flatnonzero(new) + lo).astype(dtype))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def _sorted_unique(values: IntArray) -> IntArray:
    """Distinct values, ascending (np.unique is ~30x slower than sort and compare here)."""
    values = np.sort(values)
    first = np.ones(values.size, dtype=bool)
    np.not_equal(values[1:], values[:-1], out=first[1:])
    return values[first]


def _release_freed_memory() -> None:
    """Hand the build's freed temporaries back to the OS (glibc only; a no-op elsewhere).

    glibc raises its mmap threshold as large blocks are freed, so the build's
    20-40 MB temporaries end up on the heap and stay resident after ``del``:
    ~150 MB at 100k passages. ``malloc_trim`` returns those free pages.
    """
    global _malloc_trim
    if _malloc_trim is None:
        try:
            _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim: Any = None


def _rank(ids: IntArray, scores: FloatArray, k: int) -> list[tuple[int, float]]:
    """Top ``k`` of ``ids`` (ascending) by score descending, ties to the lower id."""
    if ids.size > k:
        # Keep everything tied with the k-th best so the tie rule, not argpartition,
        # decides which of them survive.
        kth = np.partition(scores, ids.size - k)[ids.size - k]
        keep = scores >= kth
        ids, scores = ids[keep], scores[keep]
    order = np.lexsort((ids, -scores))[:k]
    return [(int(i), float(s)) for i, s in zip(ids[order], scores[order], strict=True)]
