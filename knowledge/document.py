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
from itertools import pairwise
from typing import Protocol, overload, runtime_checkable

from knowledge.article import Article, Reference
from knowledge.citations import clean_and_cite
from knowledge.entities import Entities, Refinements, extract_acronyms

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
        # Imported here: the finder's rules take some 30 ms to import, which a question
        # answered from the index (most runs of the command line) need not pay.
        from knowledge.entity_finder import extract_entities, refine_entities

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


def _blocks(lines: list[str]) -> tuple[list[str], list[int], list[int]]:
    """The lines stripped, and where each group of consecutive non-blank ones starts and ends
    (0-based, end excluded).

    Positions, not a list per group: a big document has a hundred thousand groups, and that
    many lists kept alive make the garbage collector run again and again.
    """
    stripped = [line.strip() for line in lines]
    # Positions of the blank lines, and one before the first line and after the last.
    blanks = [-1, *(at for at, line in enumerate(stripped) if not line), len(stripped)]
    starts = [at + 1 for at, end in pairwise(blanks) if end > at + 1]
    ends = [end for at, end in pairwise(blanks) if end > at + 1]
    return stripped, starts, ends


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
        self.extend([line], [text], caption, section)

    def extend(
        self, lines: Sequence[int], texts: Sequence[str], caption: bool, section: str = ""
    ) -> None:
        """Add passages that share whether they are captions, and their section."""
        first = len(self.texts)
        cleans, cited = clean_and_cite(texts)
        refs: list[tuple[int, ...]] = [()] * len(texts)
        for at, citations in cited.items():
            refs[at] = citations.refs
            if citations.pages:
                self.pages[first + at] = citations.pages
        self.refs.extend(refs)
        self.texts.extend(texts)
        self.cleans.extend(cleans)
        self.lines.extend(lines)
        self.captions.extend([caption] * len(texts))
        self.sections.extend([section] * len(texts))

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
    stripped, starts, ends = _blocks(lines)
    if not starts:
        raise KnowledgeError(f"{name}: empty document (no title and no passages)")
    title_line, title = starts[0] + 1, stripped[starts[0]]
    # A title glued to the first paragraph still counts as a title; the rest is body text.
    if ends[0] - starts[0] > 1:
        starts[0] += 1
    else:
        del starts[0], ends[0]
    if not starts:
        raise KnowledgeError(f"{name} line {title_line}: a title but no passages")

    # The caption block is the closing block only if the body is not hard-wrapped elsewhere.
    last = stripped[starts[-1] : ends[-1]]
    wrapped = any(end - start > 1 for start, end in zip(starts[:-1], ends[:-1], strict=True))
    captions = (
        len(last) > 1 and not wrapped and all(len(line) <= MAX_CAPTION_CHARS for line in last)
    )
    last_line = starts[-1] + 1
    if captions:
        del starts[-1], ends[-1]

    columns = _Columns(doc_id)
    columns.extend(
        [start + 1 for start in starts],
        [
            stripped[start] if end == start + 1 else " ".join(stripped[start:end])
            for start, end in zip(starts, ends, strict=True)
        ],
        caption=False,
    )
    if captions:
        columns.extend(range(last_line, last_line + len(last)), last, caption=True)
    return title, columns.table()
