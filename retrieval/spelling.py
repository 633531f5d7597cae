"""Terms bucketed for "which known terms are within a fuzz.ratio cut-off of this one".

A spelling fix or a typo weight used to run RapidFuzz over every term of a first letter; a
bucket per (first letter, length) lets a query read only the few lengths that can reach the
cut-off. Results are exactly those of the plain scan: the same scorer and cut-off, and ties go
to the term first in the given order, as process.extractOne gives them. The buckets are plain
data, built once from the terms, so a cache can store them as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from math import ceil

from rapidfuzz import fuzz, process

# Slack on the length bound of `_lengths_within`: the bound only narrows what RapidFuzz then
# scores exactly, so it may admit a length too many, never one too few.
_BOUND_SLACK = 1e-9


def _lengths_within(length: int, cutoff: float, longest: int) -> range:
    """Lengths (up to `longest`) a string can have and still score `cutoff` (0-100) by
    fuzz.ratio against one of `length` characters.

    fuzz.ratio is 100 * (1 - d / (a + b)) with d, the insertions and deletions between the two,
    at least |a - b|; so a score of at least c needs |a - b| <= (1 - c / 100) * (a + b).
    """
    slack = 1 - cutoff / 100
    shortest = ceil((1 - slack) * length / (1 + slack) - _BOUND_SLACK)
    if slack < 1:
        longest = min(longest, int((1 + slack) * length / (1 - slack) + _BOUND_SLACK))
    return range(max(0, shortest), longest + 1)


@dataclass(frozen=True, slots=True)
class CloseTerms:
    """Terms bucketed by length (and by first letter, when `same_initial`), in their given
    order, for "which terms are within a fuzz.ratio cut-off of this one"."""

    # (first letter or "", length) -> the terms with them, in the given order, and their
    # positions in it (which decide ties between buckets).
    buckets: dict[tuple[str, int], tuple[list[str], list[int]]]
    same_initial: bool
    longest: int

    @classmethod
    def of(cls, terms: Iterable[str], same_initial: bool = True) -> CloseTerms:
        """Bucket `terms` (in order; empty strings are never a match and are left out)."""
        buckets: dict[tuple[str, int], tuple[list[str], list[int]]] = {}
        longest = 0
        for position, term in enumerate(terms):
            if not term:
                continue
            key = (term[0] if same_initial else "", len(term))
            bucket = buckets.setdefault(key, ([], []))
            bucket[0].append(term)
            bucket[1].append(position)
            longest = max(longest, len(term))
        return cls(buckets, same_initial, longest)

    def _buckets(self, term: str, cutoff: float) -> Iterable[tuple[list[str], list[int]]]:
        initial = term[0] if self.same_initial else ""
        for length in _lengths_within(len(term), cutoff, self.longest):
            bucket = self.buckets.get((initial, length))
            if bucket is not None:
                yield bucket

    def best(self, term: str, cutoff: float) -> str | None:
        """The first term, in the given order, of those scoring highest (at least `cutoff`)
        against `term`: what process.extractOne returns over the whole (first letter's) list."""
        if not term:
            return None
        found: tuple[float, int, str] | None = None  # (-score, position, term)
        for terms, positions in self._buckets(term, cutoff):
            match = process.extractOne(term, terms, scorer=fuzz.ratio, score_cutoff=cutoff)
            if match is not None:
                candidate = (-match[1], positions[match[2]], match[0])
                found = candidate if found is None else min(found, candidate)
        return None if found is None else found[2]

    def all(self, term: str, cutoff: float) -> list[str]:
        """Every term scoring at least `cutoff` against `term` (in no particular order)."""
        if not term:
            return []
        return [
            match
            for terms, _ in self._buckets(term, cutoff)
            for match, _, _ in process.extract(
                term, terms, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
            )
        ]
