"""Citation tags in Wikipedia-style text: `[8]`, `[8][9]`, `[ 19 ]`, `[56]: 31`, `[56]: 29–30`.

Tags are read exactly as the source writes them; nothing here invents a reference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Spaces Wikipedia copy-paste leaves around tags: plain, no-break, thin, hair, narrow no-break.
_SP = r"[ \u00a0\u2009\u200a\u202f]"
# Optional page locator right after a tag: `: 31`, `: 29–30`, `: 29-30`, `: xii`.
_PAGES = rf"(?::{_SP}*(?P<pages>(?:\d+|[ivxlc]+)(?:{_SP}*[–—-]{_SP}*(?:\d+|[ivxlc]+))?)(?!\w))?"
TAG = re.compile(rf"\[{_SP}*(?P<ref>\d{{1,4}}){_SP}*\]{_PAGES}")
_SPACE_RUN = re.compile(rf"{_SP}+")
_ODD_SPACES = re.compile(r"[\u00a0\u2009\u200a\u202f]| {2,}")
# Starts at the (rarer) punctuation mark; the letter before it is checked in the callback.
_JOINED_SENTENCE = re.compile(r"[.!?](?=[A-Z][a-z])")
_SPACE_BEFORE_PUNCT = re.compile(r" +([,.;:!?)])")
_SPACE_AFTER_PAREN = re.compile(r"\( +")
# Where _SPACE_BEFORE_PUNCT can match at all: a search for it costs a third of a substitution
# by that pattern, and most texts hold none.
_SPACED_PUNCT = re.compile(r" [,.;:!?)]")


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
    text = _JOINED_SENTENCE.sub(_space_after, text)
    if "  " in text or not text.isascii():
        text = _ODD_SPACES.sub(" ", text)
        text = _SPACE_RUN.sub(" ", text)
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
