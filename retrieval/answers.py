"""The one answer model every front end renders: the CLI, its JSON, and Discord."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from knowledge.article import Reference

if TYPE_CHECKING:
    from knowledge.document import Document, Passage

UNCITED = "uncited in the source"
# Said with an answer found on weak evidence (Answer.weak), by every front end.
WEAK_MATCH = "Weak match: the best passage shares only part of the question's words."


def citation_line(refs: Sequence[int], pages: Mapping[int, str]) -> str:
    """'Refs: [56] p. 31 [8]', or 'uncited in the source'; only numbers the source gives."""
    if not refs:
        return UNCITED
    tags = []
    for ref in refs:
        page = pages.get(ref)
        if page:
            # A page range (with a hyphen, en or em dash) is "pp.", a single page "p.".
            unit = "pp." if any(dash in page for dash in "-\u2013\u2014") else "p."
            tags.append(f"[{ref}] {unit} {page}")
        else:
            tags.append(f"[{ref}]")
    return "Refs: " + " ".join(tags)


@dataclass(frozen=True, slots=True)
class Hit:
    """One passage shown in an answer, verbatim, with the citations its source gives it."""

    text: str  # exactly as in the source document, tags included
    refs: tuple[int, ...]  # reference numbers in order of first appearance; () means uncited
    pages: dict[int, str]  # page locators per reference, e.g. {56: "31"}
    score: float
    document: str  # the document's title
    document_id: str  # stable id of the document (its file stem)
    source_url: str | None
    licence: str | None
    passage: int  # position of the passage in its document, from 0
    caption: bool = False  # an image caption rather than body text
    section: str = ""  # the passage's section path, "" for the lead or unknown
    # The references behind its numbers, where the source gives them (a subset of `refs`).
    references: tuple[Reference, ...] = ()

    @classmethod
    def of(cls, passage: Passage, document: Document, score: float) -> Hit:
        """The hit that shows `passage` of `document` with a ranking score."""
        return cls(
            text=passage.text,
            refs=passage.refs,
            pages=dict(passage.pages),
            score=score,
            document=document.title,
            document_id=document.id,
            source_url=document.source_url,
            licence=document.licence,
            passage=passage.index,
            caption=passage.caption,
            section=passage.section,
            references=tuple(
                document.references[ref] for ref in passage.refs if ref in document.references
            ),
        )

    @property
    def number(self) -> int:
        """The passage's number as people read it: its position in the document, from 1."""
        return self.passage + 1

    @property
    def citations(self) -> str:
        """The passage's references as front ends show them (see citation_line)."""
        return citation_line(self.refs, self.pages)

    def reference(self, number: int) -> Reference | None:
        """What citation `number` of this passage points to, if the source says."""
        return next((r for r in self.references if r.number == number), None)

    @property
    def cited(self) -> bool:
        """Whether the source gives this passage any citation at all."""
        return bool(self.refs)

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of one result (keys of `pages` are strings, as JSON needs)."""
        return {
            "text": self.text,
            "refs": list(self.refs),
            "pages": {str(ref): page for ref, page in self.pages.items()},
            "score": round(self.score, 6),
            "document": self.document,
            "passage": self.number,
            "section": self.section,
            "references": [self._reference_json(ref) for ref in self.refs],
        }

    def _reference_json(self, number: int) -> dict[str, Any]:
        reference = self.reference(number)
        return {
            "n": number,
            "page": self.pages.get(number),
            "text": reference.text if reference else None,
            "url": reference.url if reference else None,
        }


@dataclass(frozen=True, slots=True)
class Answer:
    """What a query returned: ranked hits, or found=False with suggestions."""

    query: str
    kind: str  # "ask", "figure" or "event"
    found: bool
    hits: tuple[Hit, ...] = ()
    suggestions: tuple[str, ...] = ()
    subject: str | None = None  # the figure or event the query resolved to
    total: int = 0  # how many hits exist in all, for paging past `hits`
    # Found on weak evidence: the best passage shares only part of the question's content.
    weak: bool = False

    def to_json(self) -> dict[str, Any]:
        """The JSON contract of the CLI: one object per query."""
        return {
            "query": self.query,
            "found": self.found,
            "weak": self.weak,
            "results": [hit.to_json() for hit in self.hits] if self.found else [],
            "suggestions": list(self.suggestions),
        }
