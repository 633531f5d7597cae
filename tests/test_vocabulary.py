"""The mapped vocabulary a warm start reads: every term finds its id, nothing else finds one."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.vocabulary import MappedVocabulary, vocabulary_arrays

# Any text a term could be, lone surrogates included (the analyzer passes them through).
_TERMS = st.lists(st.text(min_size=1, max_size=8), unique=True, max_size=50)


@settings(max_examples=200, deadline=None)
@given(terms=_TERMS, other=st.text(max_size=8))
def test_every_term_finds_its_id_and_nothing_else_finds_one(terms: list[str], other: str) -> None:
    vocabulary = MappedVocabulary(vocabulary_arrays(terms))
    assert len(vocabulary) == len(terms)
    assert [vocabulary.get(term) for term in terms] == list(range(len(terms)))
    assert list(vocabulary) == terms
    assert list(vocabulary.terms) == terms
    if other not in terms:
        assert vocabulary.get(other) is None
        assert other not in vocabulary
        with pytest.raises(KeyError):
            vocabulary[other]


def test_terms_sharing_a_hash_are_told_apart() -> None:
    assert zlib.crc32(b"plumless") == zlib.crc32(b"buckeroo")  # a known CRC-32 collision
    vocabulary = MappedVocabulary(vocabulary_arrays(["horse", "buckeroo", "plumless"]))
    assert (vocabulary.get("buckeroo"), vocabulary.get("plumless")) == (1, 2)
    only_one = MappedVocabulary(vocabulary_arrays(["plumless"]))
    assert only_one.get("buckeroo") is None


def test_an_empty_vocabulary_finds_nothing() -> None:
    vocabulary = MappedVocabulary(vocabulary_arrays([]))
    assert (len(vocabulary), vocabulary.get("horse"), list(vocabulary)) == (0, None, [])


def test_arrays_that_cannot_belong_together_are_refused() -> None:
    arrays = vocabulary_arrays(["horse", "house"])
    with pytest.raises(ValueError, match="out of range"):
        MappedVocabulary({**arrays, "vocab_by_hash": np.array([0, 7], dtype=np.int32)})
    with pytest.raises(ValueError, match="do not match"):
        MappedVocabulary({**arrays, "vocab_offsets": arrays["vocab_offsets"][:-1]})
    with pytest.raises(ValueError, match="wrong type"):
        MappedVocabulary({**arrays, "vocab_hashes": arrays["vocab_hashes"].astype(np.int64)})
