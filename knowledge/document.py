"""A document in citebot's text format, cut into passages.

Format: UTF-8 text; the first non-empty line is the title; passages are separated by blank lines;
a closing block of consecutive short lines (no blank line between them) holds image captions,
one caption a line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from knowledge.article import Article, Reference
from knowledge.citations import parse_citations, strip_citations
from knowledge.entities import (
    Entities,
    Refinements,
    extract_acronyms,
    extract_entities,
    refine_entities,
)

# Bump when the passages or entities found for the same text change: on-disk caches are keyed
# by it, so a new parser or entity finder never serves results of the old one.
KNOWLEDGE_VERSION = "2"
# A caption is a line, not a paragraph: a closing block whose lines run longer is body text.
MAX_CAPTION_CHARS = 400


class KnowledgeError(Exception):
    """A document that cannot be used; the message names the file and, where known, the line."""


@dataclass(frozen=True, slots=True)
class Passage:
    """One passage: verbatim text for display, clean text for search, and its citations."""

    document: str  # id of the document it belongs to
    index: int  # position in the document, from 0
    line: int  # line in the source file where it starts, from 1
    text: str  # exactly as in the source, tags included
    clean: str  # tags removed and spacing repaired
    refs: tuple[int, ...]  # order of first appearance, no duplicates
    pages: dict[int, str]  # page locator per reference, where the source gives one
    caption: bool = False
    section: str = ""  # section path ("History › 19th century"), "" for the lead or unknown

    @property
    def id(self) -> str:
        """Stable id: the document's id and the passage's position."""
        return f"{self.document}:{self.index}"

    def __reduce__(self) -> tuple[type[Passage], tuple[Any, ...]]:
        # Rebuilding from the fields loads a cached corpus several times faster than the
        # generic slots-dataclass state (which looks the fields up for every passage).
        return Passage, tuple(getattr(self, f) for f in self.__slots__)


@dataclass(frozen=True)
class Document:
    """A loaded document with its passages and metadata; entities are found on first use."""

    id: str
    title: str
    passages: tuple[Passage, ...]
    source_url: str | None = None
    licence: str | None = None
    path: str | None = None
    refinements: Refinements = field(default_factory=Refinements, repr=False)
    # What each citation number points to, where the source says; a number without an entry
    # is shown bare.
    references: Mapping[int, Reference] = field(default_factory=dict, repr=False)

    @cached_property
    def entities(self) -> Entities:
        """People and events of the document, with its sidecar's corrections applied.

        Found lazily: on a large corpus they cost more than parsing, and only some commands
        need them.
        """
        texts = [p.clean for p in self.passages]
        return refine_entities(extract_entities(texts), self.refinements, texts)

    @cached_property
    def acronyms(self) -> dict[str, str]:
        """Acronyms the document defines: {"CCF": "Congress for Cultural Freedom"}."""
        return extract_acronyms(p.clean for p in self.passages if "(" in p.clean)


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Groups of consecutive non-blank lines, each with its first line number (from 1)."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line.strip())
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def _passage(
    doc_id: str, index: int, line: int, text: str, caption: bool, section: str = ""
) -> Passage:
    citations = parse_citations(text)
    return Passage(
        document=doc_id,
        index=index,
        line=line,
        text=text,
        clean=strip_citations(text),
        refs=citations.refs,
        pages=citations.pages,
        caption=caption,
        section=section,
    )


def article_passages(article: Article, doc_id: str) -> tuple[Passage, ...]:
    """The passages of an article read from one of Wikipedia's formats, in reading order."""
    return tuple(
        _passage(doc_id, index, block.line, block.text, block.caption, block.section)
        for index, block in enumerate(b for b in article.blocks if b.text.strip())
    )


def split_passages(text: str, doc_id: str, name: str) -> tuple[str, tuple[Passage, ...]]:
    """Parse document text into its title and passages; `name` is used in error messages."""
    if "\x00" in text:
        raise KnowledgeError(f"{name}: binary data (NUL byte), not a text document")
    lines = text.lstrip("\ufeff").splitlines()
    blocks = _blocks(lines)
    if not blocks:
        raise KnowledgeError(f"{name}: empty document (no title and no passages)")
    title_line, title_block = blocks[0]
    title = title_block[0]
    # A title glued to the first paragraph still counts as a title; the rest is body text.
    body = ([(title_line + 1, title_block[1:])] if len(title_block) > 1 else []) + blocks[1:]
    if not body:
        raise KnowledgeError(f"{name} line {title_line}: a title but no passages")

    # The caption block is the closing block only if the body is not hard-wrapped elsewhere.
    last_line, last = body[-1]
    wrapped = any(len(block) > 1 for _, block in body[:-1])
    captions = (
        len(last) > 1 and not wrapped and all(len(line) <= MAX_CAPTION_CHARS for line in last)
    )
    paragraphs = body[:-1] if captions else body

    passages: list[Passage] = []
    for line, block in paragraphs:
        passages.append(_passage(doc_id, len(passages), line, " ".join(block), caption=False))
    if captions:
        for offset, caption in enumerate(last):
            passages.append(_passage(doc_id, len(passages), last_line + offset, caption, True))
    return title, tuple(passages)
