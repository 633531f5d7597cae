"""An article as a format reader gives it: sectioned blocks of tagged text, and its references.

Readers of Wikipedia's own formats (wikitext, saved HTML) return an Article. Block text carries
citation tags exactly as Wikipedia shows them ("[8]", "[8][9]", "[56]: 31"), so one citation
parser (knowledge/citations.py) reads the numbers of every format, and nothing is invented: a
number with no reference text simply has no entry in `references`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Between the parts of a section path: "History › 19th century".
SECTION_SEPARATOR = " › "
# Sections of apparatus, not prose, whatever the format (titles compared case-folded); their
# subsections go with them.
APPENDIX_SECTIONS = frozenset(
    {
        "references",
        "notes",
        "external links",
        "see also",
        "further reading",
        "bibliography",
        "sources",
        "footnotes",
        "citations",
        "works cited",
        "notes and references",
        "references and notes",
    }
)


@dataclass(frozen=True, slots=True)
class Reference:
    """What a citation number points to: the reference's readable text and its link, if any."""

    number: int
    text: str
    url: str | None = None  # the first external http(s) link of the reference


@dataclass(frozen=True, slots=True)
class Block:
    """One passage-to-be: a paragraph, a block quote or an image caption."""

    text: str  # rendered plain text with citation tags, e.g. "Trotsky was exiled.[19]"
    section: str = ""  # section path, "" for the lead
    caption: bool = False
    line: int = 0  # line in the source file where it starts, from 1; 0 when unknown


@dataclass(frozen=True)
class Article:
    """A whole article: its title, its blocks in reading order, and its references by number."""

    title: str
    blocks: tuple[Block, ...]
    references: Mapping[int, Reference] = field(default_factory=dict)
    # Explanatory notes ({{efn}}, <ref group="note">) by their label ("a", "note 1"): shown
    # apart from the numbered references, never as a number.
    notes: Mapping[str, str] = field(default_factory=dict)
    source_url: str | None = None
