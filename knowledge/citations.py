"""Citation tags in Wikipedia-style text: `[8]`, `[8][9]`, `[ 19 ]`, `[56]: 31`, `[56]: 29–30`.

Tags are read exactly as the source writes them; nothing here invents a reference.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

# Spaces Wikipedia copy-paste leaves around tags: plain, no-break, thin, hair, narrow no-break.
_SP = r"[ \u00a0\u2009\u200a\u202f]"
# Optional page locator right after a tag: `: 31`, `: 29–30`, `: 29-30`, `: xii`.
_PAGES = rf"(?::{_SP}*(?P<pages>(?:\d+|[ivxlc]+)(?:{_SP}*[–—-]{_SP}*(?:\d+|[ivxlc]+))?)(?!\w))?"
TAG = re.compile(rf"\[{_SP}*(?P<ref>\d{{1,4}}){_SP}*\]{_PAGES}")
_SPACE_RUN = re.compile(rf"{_SP}+")
_ODD_SPACES = re.compile(r"[\u00a0\u2009\u200a\u202f]| {2,}")
# Starts at the (rarer) punctuation mark; the letter before it is checked in the callback.
# One pattern a mark: a pattern that starts with one character is searched for several times
# faster than one that starts with a class of them, and most texts hold no "!" or "?".
_JOINED_SENTENCES = tuple(re.compile(rf"\{mark}(?=[A-Z][a-z])") for mark in ".!?")
# In ASCII text, where no odd space can occur, _ODD_SPACES then _SPACE_RUN only shorten runs
# of spaces; this does it alone, and is searched for faster.
_SPACES = re.compile(" {2,}")
_SPACE_BEFORE_PUNCT = re.compile(r" +([,.;:!?)])")
_SPACE_AFTER_PAREN = re.compile(r"\( +")
# Where _SPACE_BEFORE_PUNCT can match at all: a search for it costs a third of a substitution
# by that pattern, and most texts hold none.
_SPACED_PUNCT = re.compile(r" [,.;:!?)]")
# ASCII texts that clean_and_cite searches at once: enough that numpy's calls cost little
# beside the bytes, few enough that their temporaries stay in the processor's cache.
_BATCH = 200


@dataclass(frozen=True, slots=True)
class Citations:
    """The references of one passage, in order of first appearance, with their page locators."""

    refs: tuple[int, ...]
    pages: dict[int, str]


def parse_citations(text: str) -> Citations:
    """Read every citation tag of `text`; refs keep first-appearance order without duplicates."""
    refs: list[int] = []
    pages: dict[int, str] = {}
    if "[" not in text:
        return Citations((), pages)
    for match in TAG.finditer(text):
        ref = int(match["ref"])
        if ref not in refs:
            refs.append(ref)
        if match["pages"] and ref not in pages:
            pages[ref] = _SPACE_RUN.sub("", match["pages"])
    return Citations(tuple(refs), pages)


def strip_citations(text: str) -> str:
    """Text without its tags and with spacing repaired, for indexing and entity extraction."""
    tagged = "[" in text
    if tagged:
        text = TAG.sub(" ", text)
    # Copy-pasted articles lose the space after a full stop ("policies.Because").
    for mark, pattern in zip(".!?", _JOINED_SENTENCES, strict=True):
        if mark in text:
            text = pattern.sub(_space_after, text)
    if not text.isascii():
        text = _ODD_SPACES.sub(" ", text)
        text = _SPACE_RUN.sub(" ", text)
    elif "  " in text:
        text = _SPACES.sub(" ", text)
    if tagged:  # a removed tag leaves a space before punctuation: "Bolshevism [8]."
        if _SPACED_PUNCT.search(text):
            text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
        if "( " in text:
            text = _SPACE_AFTER_PAREN.sub("(", text)
    return text.strip()


def _space_after(match: re.Match[str]) -> str:
    start = match.start()
    joined = start > 0 and match.string[start - 1].islower()
    return match.group() + " " if joined else match.group()


def clean_and_cite(
    texts: Sequence[str], batch: int = _BATCH
) -> tuple[list[str], dict[int, Citations]]:
    """``strip_citations`` of each text, and ``parse_citations`` of those that cite a
    reference, by position: what calling both on every text gives, but sooner.

    Most texts of a big document need neither: the ASCII ones are searched a batch at a time,
    as bytes, for what a tag or a repair needs, and only those that hold some are cleaned and
    parsed one by one. The others only lose their outer spaces, as strip_citations would
    leave them. `batch`: how many texts are searched at once.
    """
    cleans = list(map(str.strip, texts))
    # Texts are joined by line breaks below, so one that holds a line break is cleaned alone.
    repair = [at for at, text in enumerate(texts) if not text.isascii() or "\n" in text]
    plain = [at for at, text in enumerate(texts) if text.isascii() and "\n" not in text]
    for first in range(0, len(plain), batch):
        positions = plain[first : first + batch]
        group = [texts[at] for at in positions]
        joined = "\n".join(group)
        # No tag or repair reads a line break, so none is found across two texts.
        hits = _repair_sites(np.frombuffer(joined.encode("ascii"), np.uint8)).tolist()
        hits += [match.start() for match in TAG.finditer(joined)]
        if hits:
            sizes = np.fromiter(map(len, group), np.int64, len(group))
            starts = np.cumsum(sizes + 1) - sizes - 1
            found = np.unique(np.searchsorted(starts, hits, side="right") - 1)
            repair.extend(positions[at] for at in found.tolist())
    cited: dict[int, Citations] = {}
    for at in sorted(repair):  # in order: the page locators are kept in passage order
        text = texts[at]
        cleans[at] = strip_citations(text)
        if "[" in text:
            citations = parse_citations(text)
            if citations.refs:
                cited[at] = citations
    return cleans, cited


def _repair_sites(data: npt.NDArray[np.uint8]) -> npt.NDArray[np.intp]:
    """Where in ASCII bytes strip_citations might change something other than outer spaces,
    tags aside: a space before another or before punctuation, a space after "(", a full stop,
    "!" or "?" before a capital and a small letter. More places than it changes, never fewer."""
    space = data == ord(" ")
    sites = _any_of(data[1:], b" ,.;:!?)")
    sites &= space[:-1]
    sites |= (data[:-1] == ord("(")) & space[1:]
    stop = _any_of(data[:-2], b".!?")
    stop &= data[1:-1] - np.uint8(ord("A")) < 26  # wraps below "A": one test for A-Z
    stop &= data[2:] - np.uint8(ord("a")) < 26
    sites[:-1] |= stop
    return np.flatnonzero(sites)


def _any_of(data: npt.NDArray[np.uint8], values: bytes) -> npt.NDArray[np.bool_]:
    """Which bytes are one of `values` (a comparison each: np.isin is ten times slower)."""
    found: npt.NDArray[np.bool_] = data == values[0]
    for value in values[1:]:
        found |= data == value
    return found
