"""A document in citebot's text format, cut into passages.

Format: UTF-8 text; the first non-empty line is the title; passages are separated by blank lines;
a closing block of consecutive short lines (no blank line between them) holds image captions,
one caption a line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol, overload, runtime_checkable

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


class PassageTable(Sequence[Passage]):
    """A document's passages kept by column; a Passage object is made when one is read.

    A million Passage objects cost more memory than their text and seconds to create or
    unpickle; columns can be plain lists (a fresh parse) or views of a memory-mapped cache
    (retrieval/cache.py), and most of a big corpus's passages are never read one by one.
    """

    __slots__ = ("captions", "cleans", "document", "lines", "pages", "refs", "sections", "texts")

    def __init__(
        self,
        document: str,
        texts: Sequence[str],
        cleans: Sequence[str],
        lines: Sequence[int],
        refs: Sequence[tuple[int, ...]],
        pages: Mapping[int, dict[int, str]],
        captions: Sequence[bool],
        sections: Sequence[str],
    ) -> None:
        """Columns of equal length, except `pages`: passage position -> its page locators."""
        if not len(texts) == len(cleans) == len(lines) == len(refs) == len(captions):
            raise ValueError("passage columns differ in length")
        if len(sections) != len(texts):
            raise ValueError("passage columns differ in length")
        self.document = document
        self.texts, self.cleans, self.lines, self.refs = texts, cleans, lines, refs
        self.pages, self.captions, self.sections = pages, captions, sections

    def __len__(self) -> int:
        return len(self.texts)

    def _passage(self, i: int) -> Passage:
        pages = self.pages.get(i)
        return Passage(
            document=self.document,
            index=i,
            line=int(self.lines[i]),
            text=self.texts[i],
            clean=self.cleans[i],
            refs=tuple(self.refs[i]),
            pages=dict(pages) if pages else {},
            caption=bool(self.captions[i]),
            section=self.sections[i],
        )

    @overload
    def __getitem__(self, i: int) -> Passage: ...

    @overload
    def __getitem__(self, i: slice) -> tuple[Passage, ...]: ...

    def __getitem__(self, i: int | slice) -> Passage | tuple[Passage, ...]:
        if isinstance(i, slice):
            return tuple(self._passage(j) for j in range(len(self))[i])
        return self._passage(range(len(self))[i])  # negative and out-of-range as a tuple

    def __iter__(self) -> Iterator[Passage]:
        return map(self._passage, range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or len(other) != len(self):
            return False
        return all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # mutable columns, like a list

    def __repr__(self) -> str:
        return f"PassageTable({self.document!r}, {len(self)} passages)"


def clean_texts(passages: Sequence[Passage]) -> Sequence[str]:
    """The clean text of each passage, without making Passage objects when they are columns."""
    if isinstance(passages, PassageTable):
        return passages.cleans
    return [p.clean for p in passages]


def passage_refs(passages: Sequence[Passage]) -> Sequence[Sequence[int]]:
    """The reference numbers each passage cites, without making Passage objects when they
    are columns."""
    if isinstance(passages, PassageTable):
        return passages.refs
    return [p.refs for p in passages]


@runtime_checkable
class SparseRows(Protocol):
    """A column of tuples that can list its non-empty rows without reading every row."""

    def nonempty(self) -> Iterator[tuple[int, tuple[int, ...]]]:
        """(row, its tuple) of each row that holds anything, in order."""


def citing_passages(passages: Sequence[Passage]) -> Iterator[tuple[int, Sequence[int]]]:
    """(position, reference numbers) of each passage that cites something, in order.

    Most passages of a big corpus cite nothing; a cached reference column finds those that
    do in its arrays, so a million passages are not read one by one.
    """
    refs = passage_refs(passages)
    if isinstance(refs, SparseRows):
        return refs.nonempty()
    return ((position, cited) for position, cited in enumerate(refs) if cited)


def passage_sections(passages: Sequence[Passage]) -> Sequence[str]:
    """The section path of each passage, without making Passage objects when they are columns."""
    if isinstance(passages, PassageTable):
        return passages.sections
    return [p.section for p in passages]


class Findings(Protocol):
    """Where a document's acronyms and entities were kept from an earlier run (a cache)."""

    def stored_acronyms(self) -> dict[str, str] | None:
        """The acronyms kept, or None if they were not."""

    def stored_entities(self) -> Entities | None:
        """The entities kept, or None if they were not (yet)."""

    def keep_entities(self, entities: Entities) -> None:
        """Keep entities just found, for the next run; must not raise."""


# A cheap test for what an acronym definition needs, "(" then 2-8 capitals then ")", so the
# finder's long pattern runs only on the passages that can hold one.
_ACRONYM_CANDIDATE = re.compile(r"\([A-Z]{2,8}\)")


@dataclass(frozen=True)
class Document:
    """A loaded document with its passages and metadata; entities are found on first use."""

    id: str
    title: str
    passages: Sequence[Passage]
    source_url: str | None = None
    licence: str | None = None
    path: str | None = None
    refinements: Refinements = field(default_factory=Refinements, repr=False)
    # What each citation number points to, where the source says; a number without an entry
    # is shown bare.
    references: Mapping[int, Reference] = field(default_factory=dict, repr=False)
    # Acronyms and entities kept by an earlier run, if any: found again only when absent.
    findings: Findings | None = field(default=None, repr=False, compare=False)

    @cached_property
    def entities(self) -> Entities:
        """People and events of the document, with its sidecar's corrections applied.

        Found lazily: on a large corpus they cost more than parsing, and only some commands
        need them.
        """
        stored = self.findings.stored_entities() if self.findings else None
        if stored is not None:
            return stored
        texts = list(clean_texts(self.passages))
        found = refine_entities(extract_entities(texts), self.refinements, texts)
        if self.findings:
            self.findings.keep_entities(found)
        return found

    @cached_property
    def acronyms(self) -> dict[str, str]:
        """Acronyms the document defines: {"CCF": "Congress for Cultural Freedom"}."""
        stored = self.findings.stored_acronyms() if self.findings else None
        if stored is not None:
            return stored
        search = _ACRONYM_CANDIDATE.search
        return extract_acronyms(text for text in clean_texts(self.passages) if search(text))


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


class _Columns:
    """Passages being parsed, column by column (see PassageTable)."""

    def __init__(self, document: str) -> None:
        self.document = document
        self.texts: list[str] = []
        self.cleans: list[str] = []
        self.lines: list[int] = []
        self.refs: list[tuple[int, ...]] = []
        self.pages: dict[int, dict[int, str]] = {}
        self.captions: list[bool] = []
        self.sections: list[str] = []

    def add(self, line: int, text: str, caption: bool, section: str = "") -> None:
        if "[" in text:
            citations = parse_citations(text)
            if citations.pages:
                self.pages[len(self.texts)] = citations.pages
            self.refs.append(citations.refs)
        else:
            self.refs.append(())  # no tag without a bracket: the common case, spared a call
        self.texts.append(text)
        self.cleans.append(strip_citations(text))
        self.lines.append(line)
        self.captions.append(caption)
        self.sections.append(section)

    def table(self) -> PassageTable:
        return PassageTable(
            self.document,
            self.texts,
            self.cleans,
            self.lines,
            self.refs,
            self.pages,
            self.captions,
            self.sections,
        )


def article_passages(article: Article, doc_id: str) -> PassageTable:
    """The passages of an article read from one of Wikipedia's formats, in reading order."""
    columns = _Columns(doc_id)
    for block in article.blocks:
        if block.text.strip():
            columns.add(block.line, block.text, block.caption, block.section)
    return columns.table()


def split_passages(text: str, doc_id: str, name: str) -> tuple[str, PassageTable]:
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

    columns = _Columns(doc_id)
    for line, block in paragraphs:
        columns.add(line, block[0] if len(block) == 1 else " ".join(block), caption=False)
    if captions:
        for offset, caption in enumerate(last):
            columns.add(last_line + offset, caption, caption=True)
    return title, columns.table()
