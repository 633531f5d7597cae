"""What the bot serves: one loaded set of documents, with everything derived from it once.

`/reload` and SIGHUP build a new `Served` in a worker thread and swap it in with one attribute
assignment; a handler reads that attribute once per request, so each answer comes wholly from
the old documents or wholly from the new. Nothing here imports discord.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.feedback import passage_digest
from knowledge.document import Document
from retrieval.search import KnowledgeBase, TimelineEntry

# Example questions tried, in order, for the help text: the first the documents answer is shown.
_QUESTION_SHAPES = ("Who was {figure}?", "What was the {event}?", "When was {figure} born?")


@dataclass(frozen=True, slots=True)
class Counts:
    """The size of a loaded set of documents, as a reload reports it."""

    documents: int
    passages: int
    people: int
    events: int


@dataclass(frozen=True, slots=True)
class Examples:
    """Inputs the loaded documents answer, for help texts and hints (None: none found)."""

    question: str | None
    figure: str | None
    event: str | None
    ref: int | None


@dataclass(frozen=True, slots=True)
class Served:
    """A KnowledgeBase with its entities found, its timeline and its examples."""

    kb: KnowledgeBase
    timeline: tuple[TimelineEntry, ...]
    examples: Examples
    counts: Counts
    documents: dict[str, Document]  # by document id

    @classmethod
    def of(cls, kb: KnowledgeBase) -> Served:
        """Prepare `kb` for serving: everything a request would otherwise compute on first use."""
        kb.find_entities()  # autocomplete must answer within Discord's 3 s
        figures, events = kb.figures(), kb.events()
        counts = Counts(
            documents=len(kb.documents),
            passages=sum(len(document.passages) for document in kb.documents),
            people=len(figures),
            events=len(events),
        )
        return cls(
            kb=kb,
            timeline=tuple(kb.timeline()),
            examples=_examples(kb, figures, events),
            counts=counts,
            documents={document.id: document for document in kb.documents},
        )

    @classmethod
    def load(cls, loader: Callable[[], KnowledgeBase]) -> Served:
        """Load the documents with `loader` and prepare them (slow: run it off the event loop)."""
        return cls.of(loader())

    def digest(self, passage_id: str) -> str | None:
        """The digest of the passage an id ("<document>:<index>") names now; None if none."""
        document_id, _, index = passage_id.rpartition(":")
        document = self.documents.get(document_id)
        if document is None or not index.isdigit() or int(index) >= len(document.passages):
            return None
        return passage_digest(document.passages[int(index)].text)


def _examples(
    kb: KnowledgeBase,
    figures: list[tuple[str, tuple[str, ...], int]],
    events: list[tuple[str, str, int]],
) -> Examples:
    """The most mentioned figure and event, a question about them the documents answer, and
    the first cited reference number."""
    figure = max(figures, key=lambda item: item[2])[0] if figures else None
    event = max(events, key=lambda item: item[2])[0] if events else None
    question = None
    for shape in _QUESTION_SHAPES:
        needs = "{figure}" if "{figure}" in shape else "{event}"
        if (figure if needs == "{figure}" else event) is None:
            continue
        candidate = shape.format(figure=figure, event=event)
        answer = kb.ask(candidate, top_k=1)
        if answer.found and not answer.weak:
            question = candidate
            break
    cited = kb.cited_numbers()
    return Examples(question=question, figure=figure, event=event, ref=cited[0] if cited else None)


def describe_change(before: Counts, after: Counts) -> str:
    """What a reload changed, in one line: "documents 1 → 2, passages 30 → 41, …"."""
    parts = []
    for name in ("documents", "passages", "people", "events"):
        old, new = getattr(before, name), getattr(after, name)
        parts.append(f"{name} {old} → {new}" if old != new else f"{name} {new} (unchanged)")
    return ", ".join(parts)
