"""BM25Index must score exactly as rank_bm25.BM25Okapi and rank by its scores."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25Okapi

from retrieval.index import BM25Index

# A small vocabulary so that terms recur: some end up in more than half of the
# passages (negative IDF, floored), some in exactly half (IDF exactly 0).
TERMS = ["a", "b", "c", "d", "e", "f", "g", "h"]
term = st.sampled_from(TERMS)
passage = st.lists(term, max_size=8)
corpus_st = st.lists(passage, min_size=1, max_size=14).filter(lambda c: any(c))
# Queries may repeat terms and contain terms the corpus has never seen.
query_st = st.lists(st.one_of(term, st.sampled_from(["zz", "unknown"])), max_size=6)
params_st = st.fixed_dictionaries(
    {
        "k1": st.floats(0.05, 3.0),
        "b": st.floats(0.0, 0.99),
        "epsilon": st.floats(0.0, 1.0),
    }
)


def reference_top_k(
    corpus: list[list[str]], ref: BM25Okapi, query: list[str], k: int
) -> list[tuple[int, float]]:
    """Passages sharing a query term, by score descending, then lower index first."""
    scores = ref.get_scores(query)
    wanted = set(query)
    matching = [i for i, p in enumerate(corpus) if wanted.intersection(p)]
    matching.sort(key=lambda i: (-scores[i], i))
    return [(i, float(scores[i])) for i in matching[:k]]


def assert_scores_equal(got: np.ndarray, want: np.ndarray) -> None:
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)


@settings(max_examples=400, suppress_health_check=[HealthCheck.filter_too_much])
@given(corpus=corpus_st, query=query_st, params=params_st)
def test_scores_match_rank_bm25(
    corpus: list[list[str]], query: list[str], params: dict[str, float]
) -> None:
    index = BM25Index(corpus, **params)
    ref = BM25Okapi(corpus, **params)
    assert_scores_equal(index.scores(query), ref.get_scores(query))
    # Per posting, the weights replay get_scores' own arithmetic: expect bit-identity.
    assert np.array_equal(index.scores(query), ref.get_scores(query))
    for t in [*TERMS, "zz"]:
        assert index.idf(t) == ref.idf.get(t, 0.0)
        assert index.doc_freq(t) == sum(t in p for p in corpus)


@settings(max_examples=400, suppress_health_check=[HealthCheck.filter_too_much])
@given(corpus=corpus_st, query=query_st, k=st.integers(1, 16))
def test_top_k_matches_reference_ranking(corpus: list[list[str]], query: list[str], k: int) -> None:
    index = BM25Index(corpus)
    ref = BM25Okapi(corpus)
    assert index.top_k(query, k) == reference_top_k(corpus, ref, query, k)


@settings(max_examples=100, deadline=None)
@given(
    corpus=st.lists(st.lists(st.sampled_from(TERMS[:3]), min_size=1, max_size=3), min_size=20),
    query=st.lists(st.sampled_from(TERMS[:3]), min_size=1, max_size=3),
    k=st.integers(1, 5),
)
def test_top_k_ties_go_to_lower_index(corpus: list[list[str]], query: list[str], k: int) -> None:
    # Few distinct passages over many rows: scores tie a lot.
    ref = BM25Okapi(corpus)
    assert BM25Index(corpus).top_k(query, k) == reference_top_k(corpus, ref, query, k)


def test_idf_floor_triggers_and_exact_half_is_zero() -> None:
    corpus = [["x", "y"], ["x", "y"], ["x"], ["z"]]  # x in 3/4, y in exactly half
    index = BM25Index(corpus)
    ref = BM25Okapi(corpus)
    assert ref.idf["x"] == pytest.approx(0.25 * ref.average_idf)
    assert index.idf("x") == ref.idf["x"]
    assert index.idf("y") == 0.0
    assert index.doc_freq("y") == 2
    assert np.array_equal(index.scores(["y", "x", "x", "z"]), ref.get_scores(["y", "x", "x", "z"]))
    # A zero-IDF match still shares a term with the query, so it is returned.
    assert index.top_k(["y"], 10) == [(0, 0.0), (1, 0.0)]


def test_negative_average_idf_floor() -> None:
    # Every term in every passage: all IDFs negative, so the floor itself is negative.
    corpus = [["p", "q"], ["q", "p", "p"], ["p", "q"]]
    index = BM25Index(corpus)
    ref = BM25Okapi(corpus)
    assert index.idf("p") < 0
    assert np.array_equal(index.scores(["p", "q"]), ref.get_scores(["p", "q"]))
    assert index.top_k(["p"], 3) == reference_top_k(corpus, ref, ["p"], 3)


def test_empty_corpus() -> None:
    index = BM25Index([])
    assert len(index) == 0
    assert index.scores(["a"]).shape == (0,)
    assert index.top_k(["a"], 5) == []
    assert index.idf("a") == 0.0
    assert index.doc_freq("a") == 0


def test_all_passages_empty() -> None:
    # rank-bm25 itself divides by zero here; the index just has nothing to match.
    index = BM25Index([[], []])
    assert len(index) == 2
    assert np.array_equal(index.scores(["a"]), np.zeros(2))
    assert index.top_k(["a"], 5) == []


def test_empty_and_unknown_queries() -> None:
    index = BM25Index([["a", "b"], ["b", "c"]])
    assert np.array_equal(index.scores([]), np.zeros(2))
    assert np.array_equal(index.scores(["nope"]), np.zeros(2))
    assert index.top_k([], 3) == []
    assert index.top_k(["nope"], 3) == []
    assert index.top_k(["a"], 0) == []
    assert index.top_k(["a"], -1) == []


def test_accepts_a_one_shot_iterable() -> None:
    corpus = [["a", "b"], ["c"], ["a"]]
    index = BM25Index(iter(corpus))
    assert len(index) == 3
    assert np.array_equal(index.scores(["a"]), BM25Okapi(corpus).get_scores(["a"]))


def test_top_k_best_first_and_bounded() -> None:
    corpus = [["cat"], ["cat", "cat", "dog"], ["dog"], ["cat", "fish"], ["bird"]]
    index = BM25Index(corpus)
    hits = index.top_k(["cat", "dog"], 10)
    assert [i for i, _ in hits] == [
        i for i, _ in reference_top_k(corpus, BM25Okapi(corpus), ["cat", "dog"], 10)
    ]
    assert 4 not in {i for i, _ in hits}
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    assert len(index.top_k(["cat", "dog"], 2)) == 2
