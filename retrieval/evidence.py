"""How much of a question the documents contain, with words weighed by their rarity in English.

The no-answer rule must mean the same on every document: a one-passage note, one article, or
a hundred. A document's own IDF cannot give that (the subject of a one-article corpus is in
nearly every passage, so its IDF is near zero), so a question word's informativeness comes
from general English instead: how many Zipf units rarer it is than the most common words
(`COMMON_ZIPF`). "the", "what" and "think" weigh nothing or little; "kronstadt", "plague" or
"1948" weigh a lot. Two shares of that weight decide (see `KnowledgeBase.ask`):

- in the documents: a question whose informative words the documents lack is not covered;
- in the best passage: an answer whose passage holds only part of them is a weak match.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from retrieval.analyzer import ANALYZER_VERSION, analyze
from retrieval.spelling import CloseTerms

TABLE = Path(__file__).with_name("data") / "english-frequency.txt"
# Words at least this frequent in English (Zipf 6.5: about the 20 most common words, such as
# "one", "like", "get") say nothing about a question's topic. Chosen on the development
# documents, reported on the others (docs/evaluation.md, bench/eval_thresholds.py).
COMMON_ZIPF = 6.5
# Chat that carries no topic, whatever the document: greetings, fillers, and the words that
# announce a question ("hey quick q, does anyone know ...").
CHAT_WORDS = frozenset(
    """hey hi hello hiya yo guys folks lol lmao rofl ok okay pls plz please thanks thank thx ty
    q qn question quick anyone anybody someone somebody everyone wondering curious basically
    actually literally idk tbh btw imo rn ppl u ur wait""".split()
)
CHAT_TERMS = frozenset(term for word in CHAT_WORDS for term in analyze(word))
# A term within this similarity (0-100) of a more common English term may be a typo of it,
# and weighs as that term; shorter terms than MIN_TYPO_LENGTH are too short to tell.
TYPO_MATCH = 85.0
MIN_TYPO_LENGTH = 4
# Typo weights remembered: a long-running bot sees endless new words, so the memo is bounded.
TYPO_CACHE = 65_536


class FrequencyTableError(Exception):
    """The English frequency table is missing or made by another analyzer version."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """Shares (0-1) of a question's informative weight found in the documents and a passage."""

    in_documents: float
    in_passage: float


def _single_spaced(terms: str) -> bool:
    """Whether terms are separated by single spaces and nothing else (isprintable is False
    for every whitespace character but the space)."""
    return terms.isprintable() and "  " not in terms and terms == terms.strip(" ")


@cache
def _bands() -> list[tuple[float, str]]:
    """The table's bands in order: (Zipf, " term term ... ") with single spaces around each."""
    lines = TABLE.read_text(encoding="utf-8").splitlines()
    header = [line for line in lines if line.startswith("analyzer\t")]
    if header != [f"analyzer\t{ANALYZER_VERSION}"]:
        raise FrequencyTableError(
            f"{TABLE} was made for another analyzer; run bench/make_english_frequency.py"
        )
    bands = []
    for line in lines:
        if line[:1].isdigit():
            zipf, terms = line.split("\t")
            if not _single_spaced(terms):  # as the table is written; checked, as splitting
                terms = " ".join(terms.split())  # its 39,000 terms costs what a dict does
            bands.append((float(zipf), f" {terms} "))
    return bands


@cache
def english_zipf() -> dict[str, float]:
    """Zipf frequency of each index term in English, from the table bench/ makes."""
    table: dict[str, float] = {}
    for zipf, terms in _bands():
        table.update(dict.fromkeys(terms.split(), zipf))
    return table


@cache
def _close_terms() -> CloseTerms:
    # Typos keep their first letter far more often than not: only that letter's terms, of the
    # few lengths that can reach TYPO_MATCH, are compared.
    return CloseTerms.of(english_zipf())


def load_tables() -> None:
    """Read the frequency table and prepare its typo look-up now rather than on first use
    (a server does this before it takes questions)."""
    _close_terms()
    _rarest()


def term_zipf(term: str) -> float:
    """A term's Zipf frequency in English; unknown to the table: as rare as its rarest."""
    if english_zipf.cache_info().currsize:  # the table is read into a dict: look it up
        return english_zipf().get(term, _rarest())
    # A one-off question (the command line) weighs a handful of terms: finding each in the
    # bands costs far less than the dict of all 39,000 would.
    if term.split() != [term]:
        return _rarest()  # blank or several words: no single term of the table
    needle = f" {term} "
    # The last band holding it, as in the dict, where a later band overwrites an earlier.
    found = next((zipf for zipf, terms in reversed(_bands()) if needle in terms), None)
    return _rarest() if found is None else found


@lru_cache(maxsize=TYPO_CACHE)
def typo_zipf(term: str) -> float:
    """A term's Zipf frequency read as the most common term it could be a typo of: "happend"
    is as common as "happen", "wich" as "which". Only for terms the documents lack: a word
    the documents write is no typo."""
    zipf = term_zipf(term)
    if term.isalpha() and len(term) >= MIN_TYPO_LENGTH:
        table = english_zipf()
        zipf = max([zipf, *(table[match] for match in _close_terms().all(term, TYPO_MATCH))])
    return zipf


@cache
def _rarest() -> float:
    return min(zipf for zipf, terms in _bands() if terms.strip())


def informativeness(term: str, in_documents: bool, common: float = COMMON_ZIPF) -> float:
    """How much a question term says about its topic: Zipf units under `common`, or 0.

    A term the documents lack is weighed as the commonest word it may be a typo of.
    """
    if term in CHAT_TERMS:
        return 0.0
    return max(0.0, common - (term_zipf(term) if in_documents else typo_zipf(term)))


def share(weights: Mapping[str, float], present: Collection[str]) -> float:
    """The part of the total weight whose terms are `present` (0 when nothing weighs)."""
    total = sum(weights.values())
    if not total:
        return 0.0
    return sum(w for term, w in weights.items() if term in present) / total
