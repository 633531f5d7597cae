"""Terms prepared for "which known terms are within a fuzz.ratio cut-off of this one".

A spelling fix or a typo weight used to run RapidFuzz over every term of a first letter. Here
the terms of a first letter are sorted by length, and each carries a mask of the letters it
holds; a query reads only the lengths that can reach the cut-off, drops in numpy the terms whose
letters alone differ too much, and gives RapidFuzz the few that are left. Both filters are
bounds that fuzz.ratio itself obeys, so the results are exactly those of the plain scan: the
same scorer and cut-off, and ties go to the term first in the given order, as
process.extractOne gives them. The tables are numpy arrays built once from the terms, so a
cache stores them as they are (`arrays`, `from_arrays`) and a start maps them.

RapidFuzz is imported where it is first used, not with the module: a question without a typo
never needs it, and the command line starts faster without it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from math import ceil, floor
from typing import Any

import numpy as np
import numpy.typing as npt

# Similarity (0-100) at which an unknown word is read as a misspelling of a known one.
SPELLING_MATCH = 85.0
# Slack on the bounds below: they only narrow what RapidFuzz then scores exactly, so they may
# admit a term too many, never one too few.
_BOUND_SLACK = 1e-9
# A character's bit in a term's letter mask: its code point modulo 32 (a-z get bits 1-26).
_MASK_BITS = 32


def load_scorer() -> None:
    """Import RapidFuzz now rather than at the first typo, which would wait some 15-30 ms for
    it (a server does this before it takes questions)."""
    from rapidfuzz import fuzz, process  # noqa: F401


def _max_distance(length: int, longest: int, cutoff: float) -> int:
    """The most insertions and deletions that still let a string of `length` characters and
    one of at most `longest` score `cutoff` (0-100) by fuzz.ratio, which is
    100 * (1 - d / (a + b)) for d insertions and deletions between strings of a and b."""
    return floor((1 - cutoff / 100) * (length + longest) + _BOUND_SLACK)


def _lengths_within(length: int, cutoff: float) -> tuple[int, int]:
    """The shortest and longest (possibly infinite) lengths a string can have and still score
    `cutoff` against one of `length` characters: d is at least |a - b|, so a score of c needs
    |a - b| <= (1 - c / 100) * (a + b)."""
    slack = 1 - cutoff / 100
    shortest = max(0, ceil((1 - slack) * length / (1 + slack) - _BOUND_SLACK))
    if slack >= 1:
        return shortest, 2**62
    return shortest, floor((1 + slack) * length / (1 - slack) + _BOUND_SLACK)


@cache
def _popcount16() -> npt.NDArray[np.uint8]:
    """Set bits of every 16-bit number (numpy before 2.0 has no bitwise_count)."""
    numbers = np.arange(2**16, dtype=np.uint32)
    counts = np.zeros(2**16, dtype=np.uint8)
    for bit in range(16):
        counts += ((numbers >> bit) & 1).astype(np.uint8)
    return counts


def _mask(term: str) -> int:
    mask = 0
    for char in term:
        mask |= 1 << (ord(char) % _MASK_BITS)
    return mask


@dataclass(frozen=True, slots=True)
class _Group:
    """The terms of one first letter (or all of them), sorted by length, then given order."""

    lengths: npt.NDArray[np.int32]
    masks: npt.NDArray[np.uint32]
    positions: npt.NDArray[np.int32]  # place in the given order: ties go to the lowest


@dataclass(frozen=True, slots=True)
class CloseTerms:
    """Terms grouped by first letter (when `same_initial`), for "which terms are within a
    fuzz.ratio cut-off of this one"."""

    terms: Sequence[str]  # in the given order
    groups: dict[str, _Group]
    same_initial: bool

    @classmethod
    def of(cls, terms: Iterable[str], same_initial: bool = True) -> CloseTerms:
        """Prepare `terms` (in order; empty strings are never a match and are left out).

        Done in numpy, a pass or two over the terms: a big corpus has a million of them.
        """
        words = list(terms)
        lengths = np.fromiter(map(len, words), dtype=np.int32, count=len(words))
        kept = np.flatnonzero(lengths).astype(np.int32)  # positions of the non-empty terms
        codes = np.frombuffer("".join(words).encode("utf-32-le", "surrogatepass"), np.uint32)
        starts = (np.cumsum(lengths, dtype=np.int64) - lengths)[kept]
        # Each term's letter mask: the bits of the characters it holds.
        bits = np.left_shift(np.uint32(1), codes % _MASK_BITS).astype(np.uint32)
        masks = np.bitwise_or.reduceat(bits, starts) if kept.size else bits[:0]
        initials = codes[starts] if same_initial else np.zeros(kept.size, dtype=np.uint32)
        order = np.lexsort((kept, lengths[kept], initials))
        initials, kept, masks = initials[order], kept[order], masks[order]
        bounds = [0, *(np.flatnonzero(np.diff(initials)) + 1).tolist(), kept.size]
        groups = {}
        for lo, hi in itertools.pairwise(bounds):
            if lo < hi:
                positions = kept[lo:hi]
                key = chr(initials[lo]) if same_initial else ""
                groups[key] = _Group(lengths[positions], masks[lo:hi], positions)
        return cls(words, groups, same_initial)

    @property
    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The tables as arrays, for `from_arrays` (the terms are kept by the caller)."""
        groups = list(self.groups.items())
        sizes = [group.lengths.size for _, group in groups]
        bounds = np.zeros(len(groups) + 1, dtype=np.int64)
        np.cumsum(sizes, out=bounds[1:])

        def joined(field: str, dtype: type[np.generic]) -> npt.NDArray[Any]:
            parts = [getattr(group, field) for _, group in groups]
            return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

        return {
            "initials": np.array([ord(key) if key else -1 for key, _ in groups], dtype=np.int32),
            "bounds": bounds,
            "lengths": joined("lengths", np.int32),
            "masks": joined("masks", np.uint32),
            "positions": joined("positions", np.int32),
        }

    @classmethod
    def from_arrays(
        cls, terms: Sequence[str], arrays: Mapping[str, npt.NDArray[Any]]
    ) -> CloseTerms:
        """The tables `arrays` gave, over the same `terms`; ValueError if they cannot be
        (a position beyond the terms, mismatched sizes)."""
        initials, bounds = arrays["initials"], arrays["bounds"]
        lengths, masks, positions = arrays["lengths"], arrays["masks"], arrays["positions"]
        if (
            bounds.size != initials.size + 1
            or lengths.size != masks.size
            or lengths.size != positions.size
            or (bounds.size and (bounds[0] != 0 or bounds[-1] != lengths.size))
            or np.any(np.diff(bounds) < 0)
            or (positions.size and (positions.min() < 0 or positions.max() >= len(terms)))
        ):
            raise ValueError("spelling tables do not match their terms")
        same_initial = bool(initials.size == 0 or initials[0] >= 0)
        groups = {
            (chr(initial) if initial >= 0 else ""): _Group(
                lengths[lo:hi], masks[lo:hi], positions[lo:hi]
            )
            for initial, lo, hi in zip(
                initials.tolist(), bounds[:-1].tolist(), bounds[1:].tolist(), strict=True
            )
        }
        return cls(terms, groups, same_initial)

    def _candidates(self, term: str, cutoff: float) -> list[str]:
        """The terms that pass both bounds, in the given order."""
        group = self.groups.get(term[0] if self.same_initial else "")
        if group is None:
            return []
        shortest, longest = _lengths_within(len(term), cutoff)
        lo = int(np.searchsorted(group.lengths, shortest, side="left"))
        hi = int(np.searchsorted(group.lengths, longest, side="right"))
        if lo >= hi:
            return []
        # Each character one string holds and the other lacks costs an insertion or a
        # deletion, so the bits set in one mask only are at most the distance.
        differ = group.masks[lo:hi] ^ np.uint32(_mask(term))
        table = _popcount16()
        bits = table[differ & 0xFFFF] + table[differ >> 16]
        limit = _max_distance(len(term), int(group.lengths[hi - 1]), cutoff)
        kept = lo + np.flatnonzero(bits <= limit)
        return [self.terms[at] for at in np.sort(group.positions[kept]).tolist()]

    def best(self, term: str, cutoff: float) -> str | None:
        """The first term, in the given order, of those scoring highest (at least `cutoff`)
        against `term`: what process.extractOne returns over the whole (first letter's) list."""
        if not term:
            return None
        from rapidfuzz import fuzz, process  # on first use: see the module docstring

        candidates = self._candidates(term, cutoff)
        match = process.extractOne(term, candidates, scorer=fuzz.ratio, score_cutoff=cutoff)
        return None if match is None else match[0]

    def all(self, term: str, cutoff: float) -> list[str]:
        """Every term scoring at least `cutoff` against `term`, in the given order."""
        if not term:
            return []
        from rapidfuzz import fuzz, process  # on first use: see the module docstring

        candidates = self._candidates(term, cutoff)
        found = process.extract(
            term, candidates, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
        )
        return [match for match, _, _ in sorted(found, key=lambda item: item[2])]
