"""Answers as terminal text for the `citebot` command (the JSON form lives on the models)."""

from __future__ import annotations

from retrieval.answers import WEAK_MATCH, Answer, Hit, citation_line
from retrieval.search import TimelineEntry

NOT_COVERED = "The loaded documents do not cover this."
# A reference line is cut to this many characters (a terminal line, with the indent).
REFERENCE_WIDTH = 100


def render_hit(number: int, hit: Hit) -> str:
    """One passage, verbatim, with its citations, where it comes from and what each cites."""
    document = f"{hit.document} › {hit.section}" if hit.section else hit.document
    where = f"{document}, passage {hit.number}" + (" (image caption)" if hit.caption else "")
    lines = [f"{number}. {hit.text}", f"   {hit.citations} · {where}"]
    for reference in hit.references:
        line = f"   [{reference.number}] {reference.text}"
        if reference.url and reference.url not in reference.text:
            line += f" {reference.url}"
        lines.append(line if len(line) <= REFERENCE_WIDTH else line[: REFERENCE_WIDTH - 1] + "…")
    return "\n".join(lines)


def render_answer(answer: Answer, echo_query: bool = False) -> str:
    """A whole answer: heading, passages, or one clear line when nothing was found.

    With `echo_query` (batch input) every line about the answer starts with the query it answers,
    so a reader of a long batch can tell which line belongs to which question.
    """
    if not answer.found:
        if answer.kind == "ref":
            return f"No passage cites reference {answer.query}."
        what = {"figure": "No figure", "event": "No event"}.get(answer.kind)
        line = f"{what} matches {answer.query!r}." if what else NOT_COVERED
        if answer.suggestions:
            line += " Did you mean: " + ", ".join(answer.suggestions) + "?"
        return f"{answer.query} — {line}" if echo_query and not what else line
    heading = answer.subject or answer.query
    if echo_query and heading != answer.query:
        heading = f"{answer.query} → {heading}"
    first, last = 1, len(answer.hits)
    shown = f"passage {first}" if first == last else f"passages {first}–{last}"
    body = "\n\n".join(render_hit(i + 1, hit) for i, hit in enumerate(answer.hits))
    note = f"{WEAK_MATCH}\n\n" if answer.weak else ""
    return f"{heading} — {shown} of {answer.total}\n\n{note}{body}"


def render_timeline(entries: list[TimelineEntry]) -> str:
    """One line per dated event, oldest first, with its citations."""
    lines = []
    width = max((len(e.when) for e in entries), default=0)
    for entry in entries:
        cited = citation_line(entry.refs, {})
        label = entry.label if len(entry.label) <= 90 else entry.label[:89] + "…"
        lines.append(f"{entry.when:<{width}}  {label}  {cited}")
    return "\n".join(lines) if lines else "No dated events in the loaded documents."
