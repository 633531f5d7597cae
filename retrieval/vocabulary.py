"""An index's terms as arrays that a start maps instead of reading: term -> id without a dict.

A loaded index used to rebuild a dict of every term (some 60-90 ms at 100k passages, most of a
warm start's own work, and ten times that at a million). Here the terms stay in the arrays a
cache file holds, and a look-up reads a few of their bytes:

- ``text``: the terms' UTF-8 bytes, joined in term-id order; ``offsets``: where each starts
  (one more entry than terms);
- ``hashes``: the CRC-32 of each term's bytes, ascending; ``by_hash``: the term id of each.

To look a term up: its CRC-32, a binary search in ``hashes``, then a byte comparison with each
term of that hash (32 bits collide about a hundred times among a million terms, so equal hashes
are compared, never trusted). Two processes mapping one file share these pages.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, overload

import numpy as np
import numpy.typing as npt

# Terms whose ids a vocabulary remembers: a question reads each of its terms several times
# (weights, postings, evidence) and a server's questions share words, so most look-ups are
# repeats; past this many the memory is cleared, so that years of odd words cannot grow it.
MEMO_TERMS = 1 << 16
# Array name -> dtype, as saved.
ARRAYS: dict[str, str] = {
    "vocab_text": "|u1",
    "vocab_offsets": "<i8",
    "vocab_hashes": "<u4",
    "vocab_by_hash": "<i4",
}


def _encoded(term: str) -> bytes:
    return term.encode("utf-8", "surrogatepass")


def vocabulary_arrays(terms: Sequence[str]) -> dict[str, npt.NDArray[Any]]:
    """The arrays of ``MappedVocabulary`` for `terms`, given in term-id order (distinct)."""
    # As _encoded does, in C: a Python call a term costs more than the encoding.
    encoded = list(
        map(str.encode, terms, itertools.repeat("utf-8"), itertools.repeat("surrogatepass"))
    )
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
    hashes = np.fromiter(map(zlib.crc32, encoded), dtype=np.uint32, count=len(encoded))
    # Stable: terms of equal hash stay in id order, so a save gives the same bytes each time.
    order = np.argsort(hashes, kind="stable").astype(np.int32)
    return {
        "vocab_text": np.frombuffer(b"".join(encoded), dtype=np.uint8),
        "vocab_offsets": offsets,
        "vocab_hashes": hashes[order],
        "vocab_by_hash": order,
    }


class MappedVocabulary(Mapping[str, int]):
    """Term -> term id, read from `vocabulary_arrays`'s arrays (memory-mapped or not)."""

    def __init__(self, arrays: Mapping[str, npt.NDArray[Any]]) -> None:
        """Take the arrays; ValueError if their shapes cannot belong together (a look-up
        then never reads out of range, whatever the bytes hold)."""
        for name, dtype in ARRAYS.items():
            if arrays[name].dtype != np.dtype(dtype) or arrays[name].ndim != 1:
                raise ValueError(f"array {name!r} has the wrong type or shape")
        self._text = arrays["vocab_text"]
        self._offsets = arrays["vocab_offsets"]
        self._hashes = arrays["vocab_hashes"]
        self._by_hash = arrays["vocab_by_hash"]
        self._size = self._hashes.size
        if (
            self._offsets.size != self._size + 1
            or self._by_hash.size != self._size
            or (self._size and (self._offsets[0] != 0 or self._offsets[-1] != self._text.size))
        ):
            raise ValueError("vocabulary arrays do not match")
        # The ids are read whole, as the only values that pick the offsets a look-up reads.
        if self._size and (self._by_hash.min() < 0 or self._by_hash.max() >= self._size):
            raise ValueError("vocabulary ids out of range")
        self.terms = _Terms(self)
        self._memo: dict[str, int | None] = {}

    @property
    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The arrays it reads, to save again as they are."""
        return {
            "vocab_text": self._text,
            "vocab_offsets": self._offsets,
            "vocab_hashes": self._hashes,
            "vocab_by_hash": self._by_hash,
        }

    def _bytes(self, term_id: int) -> bytes:
        start, end = self._offsets[term_id : term_id + 2].tolist()
        return bytes(self._text[start:end]) if 0 <= start <= end else b""

    def term(self, term_id: int) -> str:
        """The term with this id."""
        return self._bytes(term_id).decode("utf-8", "surrogatepass")

    def get(self, term: str, default: Any = None) -> Any:
        """The id of `term`, or `default` when it is not a term."""
        try:
            found = self._memo[term]
        except KeyError:
            if len(self._memo) >= MEMO_TERMS:
                self._memo.clear()
            found = self._memo[term] = self._find(term)
        return default if found is None else found

    def _find(self, term: str) -> int | None:
        key = _encoded(term)
        wanted = np.uint32(zlib.crc32(key))  # a Python int would make numpy convert the array
        at = int(self._hashes.searchsorted(wanted))
        while at < self._size and self._hashes[at] == wanted:
            term_id = int(self._by_hash[at])
            if self._bytes(term_id) == key:
                return term_id
            at += 1
        return None

    def __getitem__(self, term: str) -> int:
        found: int | None = self.get(term)
        if found is None:
            raise KeyError(term)
        return found

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self.get(term) is not None

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[str]:
        """Every term in id order (ASCII text decoded once, other text a term at a time)."""
        raw = bytes(self._text)
        # Character positions differ from byte offsets once a term is not ASCII.
        if raw.isascii():
            text, bounds = raw.decode("ascii"), self._offsets.tolist()
            return (text[a:b] for a, b in itertools.pairwise(bounds))
        return (self.term(i) for i in range(self._size))


class _Terms(Sequence[str]):
    """The terms by id, each decoded when read: what a spelling table indexes into."""

    def __init__(self, vocabulary: MappedVocabulary) -> None:
        self._vocabulary = vocabulary

    def __len__(self) -> int:
        return len(self._vocabulary)

    @overload
    def __getitem__(self, at: int) -> str: ...

    @overload
    def __getitem__(self, at: slice) -> list[str]: ...

    def __getitem__(self, at: int | slice) -> str | list[str]:
        if isinstance(at, slice):
            return [self._vocabulary.term(i) for i in range(*at.indices(len(self)))]
        if not -len(self) <= at < len(self):
            raise IndexError(at)
        return self._vocabulary.term(at % len(self))
