"""BM25Index must score exactly as rank_bm25.BM25Okapi and rank by its scores."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25Okapi

import retrieval.analyzer as analyzer
import retrieval.index as index_module
from knowledge.text import fold
from retrieval.index import BM25Index, IndexCacheError

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


# --- pruning: top_k may skip common terms' postings; it must never change the answer.

zipf_corpus_st = st.lists(
    st.lists(st.sampled_from(TERMS), min_size=1, max_size=10).map(
        # Skew towards "a" and "b" so there are clearly common and rare terms.
        lambda p: ["a", *p[: len(p) // 2], "b"] if len(p) % 3 else p
    ),
    min_size=5,
    max_size=40,
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    corpus=zipf_corpus_st,
    query=st.lists(st.sampled_from([*TERMS, "zz"]), min_size=2, max_size=6),
    k=st.integers(1, 6),
    split=st.integers(1, 5),
    seeds=st.integers(1, 3),
)
def test_pruned_top_k_is_exact_at_every_split(
    corpus: list[list[str]],
    query: list[str],
    k: int,
    split: int,
    seeds: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index = BM25Index(corpus)
    want = reference_top_k(corpus, BM25Okapi(corpus), query, k)
    with monkeypatch.context() as patch:
        # Prune however small the query, whatever it costs, from few or many seed passages.
        patch.setattr(index_module, "_MIN_POSTINGS_TO_PRUNE", 0)
        patch.setattr(index_module, "_PRUNE_COST_RATIO", math.inf)
        patch.setattr(index_module, "_SEED_TERMS", split)
        patch.setattr(index_module, "_SEEDS_PER_K", seeds)
        patch.setattr(index_module, "_MIN_SEEDS", 0)
        assert index.top_k(query, k) == want


def test_pruning_happens_and_matches_on_a_larger_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    vocab = [f"w{i}" for i in range(2000)]
    weights = 1 / np.arange(1, len(vocab) + 1)
    weights /= weights.sum()
    corpus = [
        [vocab[i] for i in rng.choice(len(vocab), size=rng.integers(5, 40), p=weights)]
        for _ in range(3000)
    ]
    index = BM25Index(corpus)
    ref = BM25Okapi(corpus)
    pruned = 0
    original = index._top_k_pruned

    def counting(tids: list[int], k: int) -> list[tuple[int, float]] | None:
        nonlocal pruned
        result = original(tids, k)
        pruned += result is not None
        return result

    monkeypatch.setattr(index, "_top_k_pruned", counting)
    for _ in range(60):
        # A few very common terms plus one rarer one: the case pruning is for.
        query = [vocab[i] for i in rng.choice(5, size=3)] + [vocab[int(rng.integers(20, 300))]]
        assert index.top_k(query, 3) == reference_top_k(corpus, ref, query, 3)
    assert pruned > 30


# --- persistence


def test_save_load_round_trip(tmp_path: Path) -> None:
    corpus = [["a", "b", "é"], ["b", "c"], ["\udcff", "a", "a"], []]
    index = BM25Index(corpus, k1=1.2, b=0.5, epsilon=0.1)
    path = tmp_path / "index.npz"
    index.save(path, tag="corpus-v1")
    loaded = BM25Index.load(path, tag="corpus-v1")
    assert len(loaded) == len(index)
    assert (loaded.k1, loaded.b, loaded.epsilon) == (1.2, 0.5, 0.1)
    for query in (["a"], ["b", "a", "b"], ["é", "\udcff"], ["zz"]):
        assert np.array_equal(loaded.scores(query), index.scores(query))
        assert loaded.top_k(query, 3) == index.top_k(query, 3)
    for t in ("a", "b", "c", "é", "\udcff", "zz"):
        assert loaded.idf(t) == index.idf(t)
        assert loaded.doc_freq(t) == index.doc_freq(t)
    assert BM25Index.load(path).vocabulary_size == 5  # no tag given: not checked
    assert [p.name for p in tmp_path.iterdir()] == ["index.npz"]  # no temp file left


def test_save_load_empty_index(tmp_path: Path) -> None:
    BM25Index([]).save(tmp_path / "empty.npz")
    loaded = BM25Index.load(tmp_path / "empty.npz")
    assert len(loaded) == 0
    assert loaded.top_k(["a"], 3) == []


def test_load_refuses_other_tag(tmp_path: Path) -> None:
    BM25Index([["a"]]).save(tmp_path / "i.npz", tag="one")
    with pytest.raises(IndexCacheError, match="tag"):
        BM25Index.load(tmp_path / "i.npz", tag="two")


def test_load_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        BM25Index.load(tmp_path / "absent.npz")


@pytest.fixture(scope="module")
def saved_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    corpus = [[f"t{(i * j) % 17}" for j in range(12)] for i in range(60)]
    path = tmp_path_factory.mktemp("saved") / "index.npz"
    BM25Index(corpus).save(path)
    return path.read_bytes()


@pytest.mark.parametrize("keep", [0, 1, 10, 100, 0.25, 0.5, 0.9, 0.999])
def test_load_truncated_raises(tmp_path: Path, saved_bytes: bytes, keep: float) -> None:
    cut = int(len(saved_bytes) * keep) if isinstance(keep, float) else keep
    path = tmp_path / "cut.npz"
    path.write_bytes(saved_bytes[:cut])
    with pytest.raises(IndexCacheError):
        BM25Index.load(path)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_load_garbled_raises_or_is_identical(
    tmp_path: Path, saved_bytes: bytes, data: st.DataObject
) -> None:
    # Flip bytes anywhere: either the load fails clearly or (the bytes hit zip padding
    # that nothing reads) the index is exactly the saved one, never a wrong index.
    garbled = bytearray(saved_bytes)
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(garbled) - 1))
        garbled[at] ^= data.draw(st.integers(1, 255))
    path = tmp_path / "garbled.npz"
    path.write_bytes(bytes(garbled))
    try:
        loaded = BM25Index.load(path)
    except IndexCacheError:
        return
    original_path = tmp_path / "original.npz"
    original_path.write_bytes(saved_bytes)
    original = BM25Index.load(original_path)
    for name in ("_indptr", "_doc_ids", "_weights", "_idf"):
        assert np.array_equal(getattr(loaded, name), getattr(original, name))
    assert loaded._vocab == original._vocab
    assert (len(loaded), loaded.avgdl, loaded.k1, loaded.b) == (
        len(original),
        original.avgdl,
        original.k1,
        original.b,
    )


def test_load_rejects_other_npz(tmp_path: Path) -> None:
    path = tmp_path / "other.npz"
    np.savez(path, x=np.arange(3))
    with pytest.raises(IndexCacheError):
        BM25Index.load(path)
    path.write_text("not a zip at all")
    with pytest.raises(IndexCacheError):
        BM25Index.load(path)


# --- the analyzer's fast paths give the terms its general path gives


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aZ9'-–_ .,é\u00a0Ä(CCF)\n", max_size=40))
def test_fast_tokens_are_the_compound_pattern_tokens(text: str) -> None:
    assert analyzer.tokens(text) == analyzer._COMPOUND.findall(fold(text))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aZ9'-_ .,(CCF)\n", max_size=40))
def test_fast_ascii_tokens_are_the_compound_pattern_tokens(text: str) -> None:
    assert analyzer.tokens(text) == analyzer._COMPOUND.findall(fold(text))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aeiouslrtngcyz", min_size=1, max_size=12))
def test_words_the_spelling_gate_passes_over_no_rule_changes(word: str) -> None:
    if not word.endswith(analyzer._SPELLING_ENDINGS):
        assert all(pattern.sub(repl, word) == word for pattern, repl in analyzer._SPELLING)


@settings(max_examples=60, deadline=None)
@given(corpus=corpus_st, query=query_st, block=st.integers(1, 5))
def test_a_build_in_small_blocks_scores_as_rank_bm25(
    corpus: list[list[str]], query: list[str], block: int
) -> None:
    original = index_module._BLOCK
    index_module._BLOCK = block  # blocks smaller than the corpus: every boundary case
    try:
        index = BM25Index(corpus)
    finally:
        index_module._BLOCK = original
    expected = BM25Okapi(corpus).get_scores(query)
    assert np.array_equal(index.scores(query), expected)


# --- a corpus encoded in bulk is indexed as its passages' analysed terms

# Words that recur, compounds, possessives, stopwords, numbers and accents.
_WORDS = ["Tito-Stalin", "Tito", "tito's", "the", "labour", "1930s", "Thälmann", "broke", "a"]
_passage_text = st.lists(st.sampled_from(_WORDS), max_size=6).map(" ".join)
_extra = st.lists(st.sampled_from(["tito", "section", "labor", "new"]), max_size=3)
_encoded_corpus = st.lists(st.tuples(_passage_text, _extra), max_size=12)


def _assert_same_index(got: BM25Index, want: BM25Index) -> None:
    got_arrays, got_meta = got.to_arrays()
    want_arrays, want_meta = want.to_arrays()
    assert got_meta == want_meta
    assert got_arrays.keys() == want_arrays.keys()
    for name, array in want_arrays.items():
        assert np.array_equal(got_arrays[name], array), name
    assert got.vocabulary() == want.vocabulary()


@settings(max_examples=150, deadline=None)
@given(passages=_encoded_corpus, block=st.integers(1, 4), table_room=st.integers(0, 6))
def test_an_encoded_corpus_is_indexed_as_its_analysed_terms(
    passages: list[tuple[str, list[str]]], block: int, table_room: int
) -> None:
    # Small blocks and a nearly full word table: every boundary of the bulk path.
    saved_table, saved_max, saved_block = (
        dict(analyzer._TERMS),
        analyzer._TERMS_MAX,
        analyzer._ENCODE_BLOCK,
    )
    analyzer._TERMS.clear()
    analyzer._TERMS_MAX, analyzer._ENCODE_BLOCK = table_room, block
    try:
        corpus = analyzer.encode(passages)
        encoded = BM25Index.from_term_ids(corpus.terms, corpus.ids, corpus.lengths)
        want = BM25Index([analyzer.analyze(text) + extra for text, extra in passages])
    finally:
        analyzer._TERMS.clear()
        analyzer._TERMS.update(saved_table)
        analyzer._TERMS_MAX, analyzer._ENCODE_BLOCK = saved_max, saved_block
    _assert_same_index(encoded, want)


# Any text, cut anywhere: apostrophes and hyphens at word edges and in runs, long dashes,
# accents, other scripts, long words (past the 16 bytes packed in numpy) and NUL.
_any_text = st.text(alphabet="aZ9'-–—_ .é\u00a0Äsжß\x00ǅ", max_size=40) | st.sampled_from(
    ["internationalisation's", "internationalism", "x" * 17, "a-b--c-", "'tis", "ab-'cd"]
)


@settings(max_examples=300, deadline=None)
@given(passages=st.lists(st.tuples(_any_text, _extra), max_size=10), block=st.integers(1, 4))
def test_any_text_encoded_in_bulk_gets_its_analysed_terms(
    passages: list[tuple[str, list[str]]], block: int
) -> None:
    saved_block = analyzer._ENCODE_BLOCK
    analyzer._ENCODE_BLOCK = block
    try:
        corpus = analyzer.encode(passages)
    finally:
        analyzer._ENCODE_BLOCK = saved_block
    terms = list(corpus.terms)
    ids = np.concatenate(corpus.ids).tolist() if corpus.ids else []
    assert [terms[i] for i in ids] == [
        t for text, extra in passages for t in analyzer.analyze(text) + extra
    ]
    assert corpus.lengths.tolist() == [
        len(analyzer.analyze(text) + extra) for text, extra in passages
    ]


def test_words_of_one_hash_are_still_told_apart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Without the mixing, words sharing their first eight letters start at one slot of the
    # hash tables: they must still end in slots of their own.
    monkeypatch.setattr(analyzer, "_MIX", np.uint64(0))
    texts = ["internationalism and internationalist", "internationalist internationalism x"]
    corpus = analyzer.encode([(text, ()) for text in texts])
    terms = list(corpus.terms)
    assert [terms[i] for i in np.concatenate(corpus.ids)] == [
        t for text in texts for t in analyzer.analyze(text)
    ]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="aZ9'-–_ .é\u00a0Äs", max_size=12), max_size=8))
def test_words_analysed_in_bulk_get_the_terms_of_one_by_one(words: list[str]) -> None:
    tokens = [token for word in words for token in analyzer.tokens(word)]
    assert analyzer._terms_of_many(tokens) == [analyzer._terms_of(t) for t in tokens]
