"""What a document's people, events and acronyms are: the data the entity finder
(`knowledge.entity_finder`) produces, caches keep and answers read, and the acronym finder.

Kept apart from the entity finder, whose rules compile some 65 regular expressions on import
(about 30 ms): a question answered from the index needs these types, never the finder.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

YearMonth = tuple[int, int]  # month 0 when the source gives only the year
MONTHS = (
    "January February March April May June July August September October November December"
).split()
# Titles and roles written before a name: "Marshal Tito", "historian Isaac Deutscher".
ROLE_WORDS = frozenset(
    """historian biographer revolutionary aide leader president general writer author journalist
    poet philosopher theorist activist politician minister premier chairman secretary economist
    scholar critic supporter comrade marshal dictator novelist sociologist professor dr mr mrs
    ms sir lord king queen emperor tsar czar pope saint st father sister brother""".split()
)


# -- Public data ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figure:
    """A person named in the document, with the names used for them and where they appear."""

    name: str
    aliases: tuple[str, ...]
    # Positions of its passages: a tuple when found, a view of the mapped array
    # when read from a cache (retrieval/cache.py), equal to the tuple.
    passages: Sequence[int]


@dataclass(frozen=True, slots=True)
class Event:
    """A named or dated happening; `start`/`end` are (year, month) with month 0 when unknown."""

    name: str
    aliases: tuple[str, ...]
    # Positions of its passages: a tuple when found, a view of the mapped array
    # when read from a cache (retrieval/cache.py), equal to the tuple.
    passages: Sequence[int]
    start: YearMonth | None = None
    end: YearMonth | None = None
    context: str = ""  # the sentence that dates it, for timelines

    @property
    def dated(self) -> bool:
        """Whether the document gives this event a date."""
        return self.start is not None

    def covers(self, year: int) -> bool:
        """Whether the event's dates include `year`."""
        return (
            self.start is not None
            and self.end is not None
            and (self.start[0] <= year <= self.end[0])
        )


@dataclass(frozen=True, slots=True)
class Entities:
    """The figures and events of one document."""

    figures: tuple[Figure, ...] = ()
    events: tuple[Event, ...] = ()


@dataclass(frozen=True, slots=True)
class Refinements:
    """A sidecar's corrections: names to add (with aliases) or extend, and names to drop."""

    figures: Mapping[str, Sequence[str] | None] = field(default_factory=dict)
    events: Mapping[str, Sequence[str] | None] = field(default_factory=dict)
    not_figures: tuple[str, ...] = ()
    not_events: tuple[str, ...] = ()


_DEFINED_ACRONYM = re.compile(
    r"(?P<name>(?:[A-Z][\w'’]*[ \u00a0]+(?:(?:for|of|the|and|de)[ \u00a0]+)*){1,8}[A-Z][\w'’]*)"
    r"[ \u00a0]*\((?P<short>[A-Z]{2,8})\)"
)


_BRACKETED_ACRONYM = re.compile(r"\([A-Z]{2,8}\)")


def extract_acronyms(texts: Iterable[str]) -> dict[str, str]:
    """Acronyms a document defines: "Central Intelligence Agency (CIA)" gives CIA."""
    found: dict[str, str] = {}
    for text in texts:
        if not _BRACKETED_ACRONYM.search(text):
            continue  # the quick test: the name's search tries every capital letter
        for match in _DEFINED_ACRONYM.finditer(text):
            words = match["name"].split()
            short = match["short"]
            # The longest tail of the name whose capitals spell the acronym, in order.
            for start in range(len(words)):
                tail = words[start:]
                capitals = "".join(w if w.isupper() else w[0] for w in tail if w[0].isupper())
                if capitals == short:
                    found.setdefault(short, " ".join(tail))
                    break
    return found
