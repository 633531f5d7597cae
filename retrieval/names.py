"""Typed names against the aliases of figures and events, prepared once.

`figure` and `event` score what was typed against every alias (name_score). A table built once
per entity list scores all aliases in one RapidFuzz call, then gives the exact name_score only
to the few aliases a word rule can lift, found through word, term and prefix indexes; the
result, down to the order of ties, is that of scoring every alias in Python. The table is
plain data, so a cache can store it beside the entities.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from knowledge.entities import ROLE_WORDS
from knowledge.text import fold
from retrieval.analyzer import STOPWORDS, analyze
from retrieval.evidence import informativeness
from retrieval.spelling import SPELLING_MATCH, CloseTerms

# Fuzzy name scores (0-100) at or above which a typed name is taken to mean a known one.
NAME_MATCH = 80.0
# Names scoring under this are too unlike what was typed to be offered as "did you mean".
SUGGESTION_MATCH = 40.0
# Typed text of more words than this is no name (the longest alias in the evaluation documents
# has 9): it is searched as text, and a pasted paragraph costs no scoring against every alias.
MAX_NAME_WORDS = 16
# An event name typed in part resolves when the shared words carry more than half of the typed
# name's informative weight ("most of what was typed is in the name").
PARTIAL_NAME_SHARE = 0.5


def is_name(text: str) -> bool:
    """Whether typed text is short enough to be a name (MAX_NAME_WORDS words at most)."""
    return len(text.split(maxsplit=MAX_NAME_WORDS)) <= MAX_NAME_WORDS


def without_titles(name: str) -> str:
    """A typed name without the titles and roles before it: "Marshal Tito" → "Tito"."""
    words = name.split()
    while len(words) > 1 and fold(words[0]).rstrip(".") in ROLE_WORDS:
        words = words[1:]
    return " ".join(words)


class Typed:
    """A typed name as it is compared with aliases (folded, no titles, no "'s"), read once
    however many aliases it is scored against."""

    def __init__(self, query: str):
        """Read `query`."""
        q = fold(without_titles(query)).strip()
        self.text = q[:-2] if q.endswith("'s") else q
        self.words = [w for w in self.text.split() if w not in STOPWORDS]
        self.word_set = frozenset(self.words)

    @cached_property
    def weights(self) -> dict[str, float]:
        """The informative weight of each of its alphabetic terms (years aside)."""
        return {t: informativeness(t, in_documents=True) for t in analyze(self.text) if t.isalpha()}

    @cached_property
    def _weight_order(self) -> dict[str, int]:
        return {term: at for at, term in enumerate(self.weights)}

    def shares_the_distinctive_words(self, alias: str) -> bool:
        """Whether the words it shares with an alias carry most of its informative weight:
        "Kronstadt uprising" shares "Kronstadt" with "Kronstadt rebellion"; "the split in the
        first international" shares only the common "international" with "International
        Anarchist Congress". (evidence.share, summed over the shared terms alone, in the
        same order, so a long typed text costs no more per alias than a short one.)"""
        weights = self.weights
        total = sum(weights.values())
        if not total:
            return False
        shared = sorted(set(analyze(alias)) & weights.keys(), key=self._weight_order.__getitem__)
        return sum(weights[term] for term in shared) / total >= PARTIAL_NAME_SHARE


def name_score(typed: Typed, a: str, partial: bool) -> float:
    """How well a typed name matches a folded alias `a`, 0-100; `partial` lets one shared
    word match."""
    from rapidfuzz import fuzz, process  # on first use, as in retrieval/spelling.py

    q, words = typed.text, typed.words
    score = fuzz.ratio(q, a)
    alias_words = a.split()
    if words and all(len(w) >= 3 and w in alias_words for w in words):
        score = max(score, 90.0)  # part of the name typed alone: "Leon", "purge"
    elif len(words) > 1 and all(
        len(w) >= 3 and w.isalpha() and w in typed.word_set for w in alias_words
    ):
        score = max(score, 90.0)  # a fuller name than the text's: "Vladimir Lenin" for "Lenin"
    elif len(words) > 1 and all(
        process.extractOne(w, alias_words, scorer=fuzz.ratio, score_cutoff=SPELLING_MATCH)
        for w in words
    ):
        score = max(score, 85.0)  # each word a typo of the name's: "horatio hoken"
    elif len(q) >= 3 and a.startswith(q):
        score = max(score, 85.0)
    elif partial and typed.shares_the_distinctive_words(a):
        score = max(score, NAME_MATCH)  # "Kronstadt uprising" means the Kronstadt rebellion
    return float(score)


def _union(groups: Iterable[Iterable[int]]) -> set[int]:
    return {member for group in groups for member in group}


@dataclass(frozen=True, slots=True)
class NameTable:
    """The names and aliases of some entities, in their tie order, prepared so that scoring a
    typed name against all of them costs one RapidFuzz call plus exact scores for the few
    aliases a word rule can lift (see name_score)."""

    names: list[str]
    folded_names: list[str]
    folded: list[str]  # every folded alias, grouped by entity in order
    # The same, each after a character none holds, and where each starts: autocomplete finds
    # what was typed in one regular-expression pass over them.
    separator: str
    joined: str
    starts: np.ndarray
    owners: np.ndarray  # entity of each alias
    by_word: dict[str, list[int]]  # a word of a folded alias -> ids of the aliases with it
    by_term: dict[str, list[int]]  # an index term of a folded alias -> ids of the aliases
    wordless: list[int]  # aliases with no word at all
    prefixes: list[tuple[str, int]]  # (folded alias, id), sorted, for prefix look-ups
    words: CloseTerms  # the distinct alias words, for typos of each word

    @classmethod
    def of(cls, entities: Sequence[tuple[str, Sequence[str]]]) -> NameTable:
        """A table of (name, aliases) pairs; their order breaks ties between equal scores."""
        folded: list[str] = []
        owners: list[int] = []
        for rank, (_, aliases) in enumerate(entities):
            folded.extend(fold(alias) for alias in aliases)
            owners.extend([rank] * len(aliases))
        separator = next(
            c for c in map(chr, range(10, 0x110000)) if all(c not in a for a in folded)
        )
        by_word: dict[str, list[int]] = {}
        by_term: dict[str, list[int]] = {}
        wordless = []
        for at, alias in enumerate(folded):
            words = alias.split()
            if not words:
                wordless.append(at)
            for word in dict.fromkeys(words):
                by_word.setdefault(word, []).append(at)
            for term in dict.fromkeys(analyze(alias)):
                by_term.setdefault(term, []).append(at)
        return cls(
            names=[name for name, _ in entities],
            folded_names=[fold(name) for name, _ in entities],
            folded=folded,
            separator=separator,
            joined="".join(separator + alias for alias in folded),
            starts=np.cumsum([1, *(len(alias) + 1 for alias in folded)])[:-1],
            owners=np.asarray(owners, dtype=np.int64),
            by_word=by_word,
            by_term=by_term,
            wordless=wordless,
            prefixes=sorted((alias, at) for at, alias in enumerate(folded)),
            words=CloseTerms.of(by_word, same_initial=False),
        )

    def __len__(self) -> int:
        """Number of entities."""
        return len(self.names)

    def _liftable(self, typed: Typed, partial: bool) -> set[int]:
        """Aliases for which a word rule of name_score may hold: a superset, scored exactly
        afterwards; every other alias scores its plain fuzz.ratio."""
        q, words = typed.text, typed.words
        lifted: set[int] = set()
        if words and all(len(w) >= 3 for w in words):  # every typed word in the alias
            lifted |= set.intersection(*(set(self.by_word.get(w, ())) for w in words))
        if len(words) > 1:
            # The alias's words all typed: it holds a typed word, or has no word at all.
            lifted |= _union(self.by_word.get(w, ()) for w in words)
            lifted.update(self.wordless)
            # Each typed word a typo of one of the alias's words.
            close: set[int] | None = None
            for word in words:
                near = _union(self.by_word[w] for w in self.words.all(word, SPELLING_MATCH))
                close = near if close is None else close & near
                if not close:
                    break
            lifted |= close or set()
        if len(q) >= 3:  # the alias starts with what was typed
            at = bisect.bisect_left(self.prefixes, (q, -1))
            while at < len(self.prefixes) and self.prefixes[at][0].startswith(q):
                lifted.add(self.prefixes[at][1])
                at += 1
        if partial:  # the alias shares an informative typed term
            weighed = typed.weights.items()
            lifted |= _union(self.by_term.get(t, ()) for t, w in weighed if w > 0)
        return lifted

    def scores(self, query: str, partial: bool) -> np.ndarray:
        """Each entity's best name_score over its aliases for a typed name (-inf: no alias)."""
        from rapidfuzz import fuzz, process  # on first use, as in retrieval/spelling.py

        typed = Typed(query)
        alias_scores = process.cdist(
            [typed.text], self.folded, scorer=fuzz.ratio, dtype=np.float64
        )[0]
        for at in self._liftable(typed, partial):
            alias_scores[at] = name_score(typed, self.folded[at], partial)
        best = np.full(len(self.names), -np.inf)
        np.maximum.at(best, self.owners, alias_scores)
        return best

    def resolve(self, query: str, partial: bool, suggestions: int) -> tuple[int | None, list[int]]:
        """The entity a typed name means, or None with up to `suggestions` closest ones."""
        if not query.strip() or not self.names or not is_name(query):
            return None, []
        scores = self.scores(query, partial)
        order = np.argsort(-scores, kind="stable")  # equal scores keep the table's order
        if scores[order[0]] >= NAME_MATCH:
            return int(order[0]), []
        return None, [int(r) for r in order[:suggestions] if scores[r] >= SUGGESTION_MATCH]

    def complete(self, text: str, limit: int, fuzzy_match: float) -> list[str]:
        """Autocomplete: names with an alias starting with `text` (or a word of it), in table
        order, then names fuzzily like it (fuzz.WRatio at least `fuzzy_match`)."""
        needle = fold(text).strip()
        if not needle:
            return self.names[:limit]
        if self.separator in needle:
            found: list[int] = []  # no alias holds it
        else:  # the needle where an alias or one of its words starts
            starting = re.compile(f"[ {re.escape(self.separator)}]{re.escape(needle)}")
            found = [m.start() + 1 for m in starting.finditer(self.joined)]
        at = np.searchsorted(self.starts, found, side="right") - 1
        prefix = np.unique(self.owners[at])  # entity ranks, in table order
        names = [self.names[rank] for rank in prefix.tolist()]
        if len(needle) < 3:
            return names[:limit]  # two letters say too little for a fuzzy guess
        from rapidfuzz import fuzz, process  # on first use, as in retrieval/spelling.py

        taken = set(names)
        rest = [rank for rank, name in enumerate(self.names) if name not in taken]
        fuzzy = process.extract(
            fold(needle),
            [self.folded_names[r] for r in rest],
            scorer=fuzz.WRatio,
            limit=limit,
            score_cutoff=fuzzy_match,
        )
        names += [self.names[rest[at]] for _, _, at in fuzzy]
        return names[:limit]
