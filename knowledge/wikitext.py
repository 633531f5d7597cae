"""Read an article's wikitext into an Article: prose blocks with Wikipedia's citation numbers.

Two passes over the parse tree (mwparserfromhell). The first numbers the citations in the order a
reader meets them, over the whole page, since infoboxes, tables and lists show their refs too:
`<ref>`, `{{sfn}}`, `{{refn}}`, with a reused name keeping its first number and explanatory
notes (`group=`, `{{efn}}`) set apart with their own labels. The second renders the prose:
paragraphs, block quotes and lists as blocks with their section path, image captions as caption
blocks, a ref as "[n]" right where it stood and a page locator as "[n]: 31". Infoboxes,
navboxes, hatnotes and other templates, tables, categories, comments and the reference and
link sections are left out.

Paragraphs follow MediaWiki's rules: lines join until a blank line, a line that renders to
nothing (a template, an image), or a block (heading, list, table, quote); a line holding only a
comment or a category is not there at all.
"""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath

import mwparserfromhell
from mwparserfromhell.nodes import (
    Argument,
    Comment,
    ExternalLink,
    Heading,
    HTMLEntity,
    Node,
    Tag,
    Template,
    Text,
    Wikilink,
)
from mwparserfromhell.parser import ParserError
from mwparserfromhell.wikicode import Wikicode

from knowledge.article import APPENDIX_SECTIONS, SECTION_SEPARATOR, Article, Block, Reference
from knowledge.document import KnowledgeError

# Markers of the rendered text, replaced when a block is finished. The input's own control
# characters are removed first, so these cannot clash with it.
_TAG = "\x03"  # before each citation tag "[n]": the space before it goes
_LOCATOR_OPEN, _LOCATOR_CLOSE = "\x01", "\x02"  # around an {{rp}} page, kept after a tag only
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_REDIRECT = re.compile(r"\s*#redirect\s*:?\s*\[\[([^\]|]*)", re.IGNORECASE)
_QUOTE_RUN = re.compile(r"'{2,}")
_ITALIC, _BOLD, _BOLD_ITALIC = 2, 3, 5  # the quote runs of italics, bold, both
_BOLD_PHRASE = re.compile(r"'{3,5}(?P<phrase>.+?)'{3,5}")
_ONLY_BOLD = re.compile(r"\s*'{3,5}[^'\x03]+'{3,5}\s*")
_SWITCH = re.compile(r"__[A-Z]+__")
_WORD = re.compile(r"\w")
_AS_WRITTEN = re.compile(r"\(\((.*?)\)\)")
_SPACES = re.compile(r"[\s\u00a0]+")
_SPACE_BEFORE_TAG = re.compile(r"[\s\u00a0]+(?=\x03)")
_LOCATOR_AFTER_TAG = re.compile(r"(\x03\[\d+\])[\s\u00a0]*\x01([^\x02]*)\x02")
_STRAY_LOCATOR = re.compile(r"\x01[^\x02]*\x02")
# What a dropped template leaves: "(, Aiwān-i bālā)", "Bosvena )", "()" and "meetings.[5] .".
_EMPTY_PARENS = re.compile(r"\(\s*\)")
_PUNCT_AFTER_PAREN = re.compile(r"\(\s*[,;]\s*")
_PUNCT_BEFORE_PAREN = re.compile(r"\s*[,;]\s*\)")
_SPACE_BEFORE_PUNCT = re.compile(r" +([,;.!?)])(?!\w)")
_SPACE_AFTER_PAREN = re.compile(r"\( +")
# A page locator parse_citations reads: "31", "29–30", "xii".
_SIMPLE_PAGES = re.compile(r"(?:\d+|[ivxlc]+)(?:\s*[–—-]\s*(?:\d+|[ivxlc]+))?")
_PAGE_RANGE = re.compile(r"[–—,&-]| and ")
_INTERLANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z]+)*")

_FILE_NAMESPACES = frozenset({"file", "image"})
# Image kinds that show their caption under the image; others use it as a tooltip only.
_CAPTIONED = frozenset({"thumb", "thumbnail", "frame", "framed"})
_FILE_KEYWORDS = frozenset(
    {
        "frameless",
        "border",
        "left",
        "right",
        "center",
        "centre",
        "none",
        "upright",
        "baseline",
        "middle",
        "sub",
        "super",
        "text-top",
        "text-bottom",
        "top",
        "bottom",
    }
)
_FILE_OPTION = re.compile(
    r"\d*(?:x\d+)? ?px|(?:alt|link|page|lang|class|upright|thumb|thumbnail|loop|start|end"
    r"|muted|thumbtime|starttime|endtime)\s*=.*",
    re.DOTALL,
)

# Tags whose content a reader never sees in the prose.
_INVISIBLE_TAGS = frozenset(
    {
        "references",
        "gallery",
        "includeonly",
        "timeline",
        "graph",
        "templatedata",
        "score",
        "imagemap",
        "mapframe",
        "maplink",
        "inputbox",
        "categorytree",
        "section",
        "indicator",
        "style",
        "script",
    }
)
_BLOCK_TAGS = frozenset({"table", "hr"})  # dropped, and they end a paragraph
_CONTAINER_TAGS = frozenset({"div", "center", "poem", "p"})  # hold paragraphs of their own
_QUOTE_TAGS = frozenset({"blockquote"})

_QUOTE_TEMPLATES = frozenset(
    {"quote", "blockquote", "quotation", "cquote", "quote box", "rquote", "quote frame"}
)
_POSITIONAL_QUOTES = frozenset({"quote", "blockquote", "quotation"})  # 1 text, 2 author, 3 source
_REFLISTS = frozenset({"reflist", "references", "notelist", "notelist-ua", "notelist-lr"})
# {{efn}} and kin: explanatory notes, each with the label style of its group.
_NOTE_TEMPLATES = {
    "efn": "lower-alpha",
    "efn-la": "lower-alpha",
    "efn-ua": "upper-alpha",
    "efn-lr": "lower-roman",
    "efn-ur": "upper-roman",
}
_REF_TEMPLATES = frozenset({"refn", "#tag:ref"})  # a ref, or a note when given a group
_FOOTNOTE_TEMPLATES = frozenset({"sfn", "sfnp"})
_HARVARD_TEMPLATES = frozenset({"harvnb", "harv", "harvtxt", "harvp"})
_LOCATOR_TEMPLATES = frozenset({"rp"})
_LITERAL_TEMPLATES = {
    "ndash": "–",
    "en dash": "–",
    "mdash": "—",
    "emdash": "—",
    "em dash": "—",
    "snd": " – ",
    "spnd": " – ",
    "spaced ndash": " – ",
    "nbsp": " ",
    "'": "'",
    "reg": "®",
}
# Templates that show their first argument as it is.
_FIRST_ARGUMENT = frozenset(
    {
        "nowrap",
        "nobr",
        "nobreak",
        "nq",
        "nastaliq",
        "small",
        "smaller",
        "big",
        "nobold",
        "noitalic",
        "sic",
        "not a typo",
        "as written",
    }
)
_IDENTIFIERS = {"isbn": "ISBN", "oclc": "OCLC", "issn": "ISSN"}
_CIRCA = frozenset({"circa", "c."})
# {{convert|3|-|5|km}}: the words between a range's two values.
_CONVERT_RANGES = {"-": "–", "–": "–", "to": " to ", "and": " and ", "or": " or "}
_CONVERT_RANGE_ARGS = 4  # value, range word, value, unit
# {{lang-kw|Bosvena}} shows "Cornish: Bosvena"; other codes show the text alone.
_LANGUAGES = {
    "ar": "Arabic",
    "cy": "Welsh",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "fa": "Persian",
    "fr": "French",
    "ga": "Irish",
    "gd": "Scottish Gaelic",
    "grc": "Ancient Greek",
    "he": "Hebrew",
    "hi": "Hindi",
    "it": "Italian",
    "ja": "Japanese",
    "kw": "Cornish",
    "la": "Latin",
    "nl": "Dutch",
    "pl": "Polish",
    "pt": "Portuguese",
    "ru": "Russian",
    "sa": "Sanskrit",
    "tr": "Turkish",
    "ur": "Urdu",
    "zh": "Chinese",
}
_BOOK_CITATIONS = frozenset({"cite book", "citation"})  # an italic title, not a quoted one
_WORK_PARAMS = (
    "work",
    "journal",
    "newspaper",
    "website",
    "magazine",
    "periodical",
    "encyclopedia",
    "encyclopaedia",
    "dictionary",
)
_URL_SCHEMES = ("http://", "https://")
_ROMAN = (
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
)


def read_wikitext(text: str, name: str, *, title: str | None = None) -> Article:
    """The article written in `text` (wikitext); `name` (the file) names it in errors.

    `title` defaults to the lead's first bold phrase, else the file stem. Raises KnowledgeError
    for a redirect or a page without prose.
    """
    if "\x00" in text:
        raise KnowledgeError(f"{name}: binary data (NUL byte), not wikitext")
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    redirect = _REDIRECT.match(text)
    if redirect:
        target = redirect.group(1).strip() or "?"
        raise KnowledgeError(f"{name}: a redirect page (to {target}), not an article")
    try:
        code = mwparserfromhell.parse(text, skip_style_tags=True)
    except ParserError as exc:  # the tokenizer's own bug guard; it says it should not happen
        raise KnowledgeError(f"{name}: cannot parse this wikitext ({exc})") from None
    try:
        renderer = _Renderer(_number_citations(code))
        builder = _Builder(renderer)
        builder.feed(code.nodes)
        builder.flush()
        references, notes = renderer.references(), renderer.notes()
    except RecursionError:  # the tokenizer caps nesting, so only a pathological page gets here
        raise KnowledgeError(f"{name}: markup nested too deeply to read") from None
    if not any(not block.caption for block in builder.blocks):
        raise KnowledgeError(f"{name}: no prose in this wikitext")
    return Article(
        title=title or builder.bold_title or PurePath(name).stem.replace("_", " "),
        blocks=tuple(builder.blocks),
        references=references,
        notes=notes,
    )


# -- Pass 1: citation numbers -------------------------------------------------------------------


@dataclass
class _Citations:
    """Every citation's number, in the order a reader meets them, and each note by label."""

    numbers: dict[int, int] = field(default_factory=dict)  # id(node) -> number
    locators: dict[int, str] = field(default_factory=dict)  # id(node) -> page after the tag
    sources: dict[int, Wikicode | Template] = field(default_factory=dict)  # number -> its source
    note_sources: dict[str, Wikicode] = field(default_factory=dict)  # label -> note text


@dataclass(frozen=True, slots=True)
class _RefUse:
    """One `<ref>` (or `{{refn}}`, `{{efn}}`): its name, group and content, if any."""

    name: str | None
    group: str | None
    content: Wikicode | None


def _number_citations(code: Wikicode) -> _Citations:
    """Number every citation of the page, in document order."""
    numbering = _Numbering()
    for node in code.ifilter(recursive=True):
        if isinstance(node, Tag | Template) and id(node) not in numbering.skip:
            numbering.visit(node)
    return numbering.finish()


class _Numbering:
    """Numbers as Cite gives them: a new number per ref, a reused name keeps its first one."""

    def __init__(self) -> None:
        self.cites = _Citations()
        self.counter = itertools.count(1)
        self.by_name: dict[str, int] = {}
        self.by_footnote: dict[tuple[str, ...], int] = {}
        self.definitions: dict[str, Wikicode] = {}  # list-defined refs ({{reflist|refs=…}})
        self.note_labels: dict[tuple[str, str], str] = {}  # (group, name) -> label
        self.note_counts: dict[str, int] = {}
        self.skip: set[int] = set()  # refs inside a reference list: definitions, not uses

    def visit(self, node: Tag | Template) -> None:
        if isinstance(node, Tag):
            kind = _tag_name(node)
            if kind == "references":
                _collect_definitions(node.contents, self.definitions, self.skip)
            elif kind == "ref":
                self.ref(node, _tag_use(node))
            return
        kind = _template_name(node)
        if kind in _REFLISTS and node.has("refs"):
            _collect_definitions(node.get("refs").value, self.definitions, self.skip)
        elif kind in _NOTE_TEMPLATES:
            self.note(_template_use(node), _NOTE_TEMPLATES[kind])
        elif kind in _REF_TEMPLATES:
            self.ref(node, _template_use(node))
        elif kind in _FOOTNOTE_TEMPLATES:
            self.footnote(node)

    def ref(self, node: Node, use: _RefUse) -> None:
        if use.group:
            self.note(use, use.group)
            return
        has_content = use.content is not None and bool(use.content.strip())
        if use.name is None and not has_content:
            return  # an empty ref shows MediaWiki's error, not a number
        number = self.by_name.get(use.name) if use.name else None
        if number is None:
            number = next(self.counter)
            if use.name:
                self.by_name[use.name] = number
        self.cites.numbers[id(node)] = number
        if use.content is not None and has_content and number not in self.cites.sources:
            self.cites.sources[number] = use.content
            locator = _harvard_locator(use.content)
            if locator:
                self.cites.locators[id(node)] = locator

    def note(self, use: _RefUse, group: str) -> None:
        key = (group, use.name) if use.name else None
        label = self.note_labels.get(key) if key else None
        if label is None:
            self.note_counts[group] = self.note_counts.get(group, 0) + 1
            label = _note_label(group, self.note_counts[group])
            if key:
                self.note_labels[key] = label
        sources = self.cites.note_sources
        if use.content is not None and use.content.strip() and label not in sources:
            sources[label] = use.content

    def footnote(self, template: Template) -> None:
        """{{sfn}}: the same authors, year and pages make the same footnote, as its ref name."""
        key = _footnote_key(template)
        number = self.by_footnote.get(key)
        if number is None:
            number = self.by_footnote[key] = next(self.counter)
            self.cites.sources[number] = template
        self.cites.numbers[id(template)] = number
        locator = _page_locator(template)
        if locator:
            self.cites.locators[id(template)] = locator

    def finish(self) -> _Citations:
        """The numbering, with the texts of refs defined in a reference list filled in."""
        for name, number in self.by_name.items():
            if number not in self.cites.sources and name in self.definitions:
                self.cites.sources[number] = self.definitions[name]
        return self.cites


def _collect_definitions(code: Wikicode, definitions: dict[str, Wikicode], skip: set[int]) -> None:
    """Refs defined inside a reference list: texts for their names, no numbers of their own."""
    for tag in code.ifilter_tags(recursive=True):
        if _tag_name(tag) != "ref":
            continue
        skip.add(id(tag))
        use = _tag_use(tag)
        if use.name and use.content is not None and use.name not in definitions:
            definitions[use.name] = use.content


def _tag_use(tag: Tag) -> _RefUse:
    def attribute(key: str) -> str | None:
        if not tag.has(key):
            return None
        value = str(tag.get(key).value).strip()
        return value or None

    content = None if tag.self_closing else tag.contents
    return _RefUse(attribute("name"), attribute("group"), content)


def _template_use(template: Template) -> _RefUse:
    args = _Args(template)
    return _RefUse(args("name") or None, args("group") or None, args.code("1"))


def _note_label(group: str, count: int) -> str:
    """The label Wikipedia shows for the `count`-th note of `group`: "a", "B", "iv", "note 3"."""
    if group in ("lower-alpha", "upper-alpha"):
        letters = ""
        while count:
            count, rest = divmod(count - 1, len(string.ascii_lowercase))
            letters = string.ascii_lowercase[rest] + letters
        return letters if group == "lower-alpha" else letters.upper()
    if group in ("lower-roman", "upper-roman"):
        roman = _roman(count)
        return roman if group == "lower-roman" else roman.upper()
    return f"{group} {count}"


def _roman(number: int) -> str:
    digits = []
    for value, numeral in _ROMAN:
        repeat, number = divmod(number, value)
        digits.append(numeral * repeat)
    return "".join(digits)


def _footnote_key(template: Template) -> tuple[str, ...]:
    args = _Args(template)
    return tuple(args.positional() + [args(key) for key in ("p", "page", "pp", "pages", "loc")])


def _page_locator(template: Template) -> str | None:
    """The simple page locator of a {{sfn}}/{{rp}}/{{harvnb}}: "31" or "29–30", else None."""
    keys = ["p", "page", "pp", "pages", "at"]
    if _template_name(template) in _LOCATOR_TEMPLATES:
        keys.insert(0, "1")  # {{rp|31}}
    value = _Args(template)(*keys)
    return value if value and _SIMPLE_PAGES.fullmatch(value) else None


def _harvard_locator(content: Wikicode) -> str | None:
    """The page of a ref holding nothing but one {{harvnb}}: "<ref>{{harvnb|A|1985|p=4}}</ref>"."""
    significant = [node for node in content.nodes if not _is_filler(node)]
    if len(significant) != 1 or not isinstance(significant[0], Template):
        return None
    only = significant[0]
    return _page_locator(only) if _template_name(only) in _HARVARD_TEMPLATES else None


def _is_filler(node: Node) -> bool:
    """Spacing, a full stop or a comment around a ref's one template."""
    return isinstance(node, Comment) or (isinstance(node, Text) and not node.value.strip(" \n."))


# -- Template and tag helpers --------------------------------------------------------------------


def _tag_name(tag: Tag) -> str:
    return str(tag.tag).strip().lower()


def _is_citation(name: str) -> bool:
    """{{cite book}}, {{cite web}}, {{citation}} and the other CS1 templates."""
    return name.startswith("cite ") or name in ("citation", "cite")


def _template_name(template: Template) -> str:
    raw = "".join(str(n) for n in template.name.nodes if not isinstance(n, Comment))
    name = " ".join(raw.replace("_", " ").split()).lower()
    return name.removeprefix("template:").strip()


class _Args:
    """A template's non-empty arguments by name, read as text.

    A repeated name keeps its last value, as in MediaWiki. Without a renderer the text is read
    outside the article's numbering: names and keys, not shown text.
    """

    def __init__(self, template: Template, renderer: _Renderer | None = None) -> None:
        self.values: dict[str, Wikicode] = {}
        for param in template.params:
            if param.value.strip():
                self.values[str(param.name).strip()] = param.value
        self.renderer = renderer

    def code(self, *keys: str) -> Wikicode | None:
        """The first of `keys` given, as wikitext."""
        for key in keys:
            if key in self.values:
                return self.values[key]
        return None

    def __call__(self, *keys: str) -> str:
        """The first of `keys` given, as text; "" when none is."""
        value = self.code(*keys)
        if value is None:
            return ""
        return _tidy((self.renderer or _Renderer(_Citations())).render(value))

    def positional(self) -> list[str]:
        """The numbered arguments' texts, in order."""
        return [self(str(key)) for key in sorted(int(k) for k in self.values if k.isdigit())]


def _split_pipes(code: Wikicode) -> list[Wikicode]:
    """The "|"-separated parts of a link's text, nested links and templates kept whole."""
    parts: list[list[Node]] = [[]]
    for node in code.nodes:
        if isinstance(node, Text) and "|" in node.value:
            pieces = node.value.split("|")
            parts[-1].append(Text(pieces[0]))
            parts.extend([Text(piece)] for piece in pieces[1:])
        else:
            parts[-1].append(node)
    return [Wikicode(part) for part in parts]


# -- Rendering ----------------------------------------------------------------------------------


def _tidy(raw: str) -> str:
    """Finished text of a rendered block: tags placed, quotes and markers gone, spaces tidy."""
    text = _LOCATOR_AFTER_TAG.sub(r"\1: \2", raw)
    text = _STRAY_LOCATOR.sub("", text)
    text = _SPACE_BEFORE_TAG.sub("", text).replace(_TAG, "")
    text = "\n".join(_unquote(line) for line in text.split("\n"))
    text = _SWITCH.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _EMPTY_PARENS.sub("", text)
    text = _PUNCT_AFTER_PAREN.sub("(", text)
    text = _PUNCT_BEFORE_PAREN.sub(")", text)
    text = _SPACE_AFTER_PAREN.sub("(", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip()


def _unquote(line: str) -> str:
    """One line without its bold and italic quotes, read as MediaWiki reads them.

    When a line has an odd number of both bold and italic runs, MediaWiki takes one bold run
    for an apostrophe and italics ("The ''Star'''s performance" shows "The Star's
    performance"): the first after a one-letter word, else after a longer word, else after a
    space.
    """
    runs = list(_QUOTE_RUN.finditer(line))
    if not runs:
        return line
    # A run of four is an apostrophe and bold; past five, the extra apostrophes are literal.
    kept = [_literal_apostrophes(len(run.group())) for run in runs]
    lengths = [len(run.group()) - len(extra) for run, extra in zip(runs, kept, strict=True)]
    italics = sum(1 for length in lengths if length in (_ITALIC, _BOLD_ITALIC))
    bolds = sum(1 for length in lengths if length in (_BOLD, _BOLD_ITALIC))
    if italics % 2 and bolds % 2:
        chosen = _apostrophe_run(line, runs, lengths)
        if chosen is not None:
            kept[chosen] += "'"
    pieces: list[str] = []
    end = 0
    for run, extra in zip(runs, kept, strict=True):
        pieces += [line[end : run.start()], extra]
        end = run.end()
    pieces.append(line[end:])
    return "".join(pieces)


def _literal_apostrophes(run: int) -> str:
    if run == _BOLD + 1:
        return "'"
    return "'" * max(0, run - _BOLD_ITALIC)


def _apostrophe_run(line: str, runs: list[re.Match[str]], lengths: list[int]) -> int | None:
    """The bold run MediaWiki reads as an apostrophe and italics, by the word before it."""
    after_letter = after_word = after_space = None
    for index, (run, length) in enumerate(zip(runs, lengths, strict=True)):
        if length != _BOLD:
            continue
        before = line[: run.end() - _BOLD][-2:].rjust(2)
        if before[1] == " ":
            after_space = index if after_space is None else after_space
        elif before[0] == " ":
            after_letter = index if after_letter is None else after_letter
        else:
            after_word = index if after_word is None else after_word
    for choice in (after_letter, after_word, after_space):
        if choice is not None:
            return choice
    return None


class _Renderer:
    """Inline wikitext to text with citation tags; collects the captions of images it meets."""

    def __init__(self, citations: _Citations) -> None:
        self.citations = citations
        self.captions: list[str] = []
        self.collect_captions = False

    def render(self, code: Wikicode) -> str:
        return "".join(self.node(node) for node in code.nodes)

    def node(self, node: Node) -> str:
        if isinstance(node, Text):
            return node.value
        if isinstance(node, Wikilink):
            return self.wikilink(node)
        if isinstance(node, Template):
            return self.template(node)
        if isinstance(node, Tag):
            return self.tag(node)
        if isinstance(node, HTMLEntity):
            return node.normalize()
        if isinstance(node, ExternalLink):
            if not node.brackets:
                return str(node.url)
            # A bare [http://x] shows as "[1]", which would read as a citation: left out.
            return self.render(node.title) if node.title is not None else ""
        if isinstance(node, Argument):
            return self.render(node.default) if node.default is not None else ""
        if isinstance(node, Heading):
            return self.render(node.title)
        return ""  # comments

    def wikilink(self, link: Wikilink) -> str:
        target = str(link.title).strip()
        namespace = target.split(":", 1)[0].strip().lower() if ":" in target else ""
        if namespace in _FILE_NAMESPACES:
            if self.collect_captions:
                caption = _file_caption(link)
                if caption is not None:
                    self.captions.append(self.render(caption))
            return ""
        if _is_silent_link(link):
            return ""
        if link.text is not None and str(link.text).strip():
            return self.render(link.text)
        return self.render(link.title).strip().removeprefix(":")

    def tag(self, tag: Tag) -> str:
        kind = _tag_name(tag)
        if kind == "ref":
            return self.citation_tag(tag)
        if tag.wiki_markup is not None and kind in ("li", "dt", "dd"):
            return ""
        if kind in ("br", "wbr"):
            return " " if kind == "br" else ""
        if kind in _INVISIBLE_TAGS or kind in _BLOCK_TAGS:
            return ""
        return self.render(tag.contents)

    def citation_tag(self, node: Node) -> str:
        number = self.citations.numbers.get(id(node))
        if number is None:
            return ""  # a note, shown apart, or an empty ref
        locator = self.citations.locators.get(id(node))
        return f"{_TAG}[{number}]" + (f": {locator}" if locator else "")

    def template(self, template: Template) -> str:
        name = _template_name(template)
        if name in _NOTE_TEMPLATES or name in _REF_TEMPLATES or name in _FOOTNOTE_TEMPLATES:
            return self.citation_tag(template)
        if name in _LOCATOR_TEMPLATES:
            locator = _page_locator(template)
            return f"{_LOCATOR_OPEN}{locator}{_LOCATOR_CLOSE}" if locator else ""
        if name in _LITERAL_TEMPLATES:
            return _LITERAL_TEMPLATES[name]
        if name in _FIRST_ARGUMENT:
            return _Args(template, self)("1")
        if name in _QUOTE_TEMPLATES:
            return self.quote(template, name)
        if name == "lang" or name == "transl":
            # {{lang|fr|texte}}, {{transl|ur|ALA-LC|text}}: the text is the last argument.
            values = _Args(template, self).positional()
            return values[-1] if len(values) > 1 else ""
        if name.startswith("lang-") or name == "langx":
            args = _Args(template, self)
            code = name.removeprefix("lang-") if name != "langx" else args("1")
            shown = args("1" if name != "langx" else "2")
            language = _LANGUAGES.get(code.lower())
            return f"{language}: {shown}" if language and shown else shown
        if name in _IDENTIFIERS:
            values = _Args(template, self).positional()
            return f"{_IDENTIFIERS[name]} {', '.join(values)}" if values else ""
        if name in _CIRCA:
            return f"c. {_Args(template, self)('1')}"
        if name == "convert":
            return _convert(_Args(template, self).positional())
        if _is_citation(name):
            return _citation_text(name, _Args(template, self))
        if name in _HARVARD_TEMPLATES or name in _FOOTNOTE_TEMPLATES:
            return _short_citation(name, _Args(template, self))
        return ""  # infoboxes, navboxes, hatnotes, maintenance tags and all the rest

    def quote(self, template: Template, name: str) -> str:
        """A quote template's text, then " — author, source" as Wikipedia signs it."""
        args = _Args(template, self)
        positional = name in _POSITIONAL_QUOTES
        text = args("text", "quote", "1")
        author = args("author", "sign", *(["2"] if positional else []))
        source = args("source", "title", *(["3"] if positional else []))
        attribution = ", ".join(part for part in (author, source) if part)
        return f"{text} — {attribution}" if attribution else text

    def references(self) -> dict[int, Reference]:
        """Each numbered citation's readable text and first http(s) link."""
        found: dict[int, Reference] = {}
        for number in sorted(self.citations.sources):
            source = self.citations.sources[number]
            if isinstance(source, Template):
                text = _short_citation(_template_name(source), _Args(source, self))
                url = None
            else:
                text = _tidy(self.render(source))
                url = _reference_url(source)
            # A template this reader does not know leaves only punctuation ("{{LSJ|…}}."):
            # no text, rather than a text that says nothing.
            text = text if _WORD.search(text) else ""
            if text or url:
                found[number] = Reference(number, text or url or "", url)
        return found

    def notes(self) -> dict[str, str]:
        """Each explanatory note's text by its label."""
        notes = {
            label: _tidy(self.render(code)) for label, code in self.citations.note_sources.items()
        }
        return {label: text for label, text in notes.items() if text}


def _is_silent_link(link: Wikilink) -> bool:
    """Category and interlanguage links: shown in the page's frame, not in its text."""
    target = str(link.title).strip()
    if target.startswith(":") or ":" not in target:
        return False
    namespace = target.split(":", 1)[0].strip().lower()
    return namespace == "category" or (
        link.text is None and _INTERLANGUAGE.fullmatch(namespace) is not None
    )


def _file_caption(link: Wikilink) -> Wikicode | None:
    """The caption MediaWiki shows under a thumbnail: the last part that is not an option."""
    if link.text is None:
        return None
    framed = False
    caption: Wikicode | None = None
    for part in _split_pipes(link.text):
        option = str(part).strip().lower()
        if option in _CAPTIONED:
            framed = True
        elif option not in _FILE_KEYWORDS and not _FILE_OPTION.fullmatch(option) and option:
            caption = part
    return caption if framed else None


def _reference_url(content: Wikicode) -> str | None:
    """A citation template's url=, else the first http(s) link of the reference."""
    for template in content.ifilter_templates(recursive=True):
        if _is_citation(_template_name(template)):
            url = _Args(template)("url")
            if url.startswith(_URL_SCHEMES):
                return url
    for link in content.ifilter_external_links(recursive=True):
        url = str(link.url).strip()
        if url.startswith(_URL_SCHEMES):
            return url
    return None


def _convert(args: list[str]) -> str:
    """{{convert|83|acres|ha}} shows "83 acres": the value as written, not the conversion."""
    if len(args) >= _CONVERT_RANGE_ARGS and args[1] in _CONVERT_RANGES:
        return f"{args[0]}{_CONVERT_RANGES[args[1]]}{args[2]} {args[3]}"
    return " ".join(args[:2])


def _citation_text(name: str, arg: _Args) -> str:
    """A citation template as its reader sees it (CS1 style):

    `Deutscher, Isaac (1963). The Prophet Outcast. Oxford University Press. p. 12.`
    """
    authors = "; ".join(_authors(arg))
    date = arg("date") or arg("year")
    title = arg("title")
    chapter = arg("chapter", "contribution", "entry", "section")
    work = arg(*_WORK_PARAMS)
    book = name in _BOOK_CITATIONS and not work
    pages = _pages_text(arg("page", "p"), arg("pages", "pp"), arg("at"))
    parts: list[str] = []
    if authors:
        parts.append(f"{authors} ({date})" if date else authors)
    if chapter:
        parts.append(f'"{chapter}"')
    if title:
        parts.append(title if book else f'"{title}"')
    if work:
        volume = arg("volume")
        issue = arg("issue", "number")
        numbering = volume + (f" ({issue})" if issue else "")
        if numbering and pages:
            numbering, pages = f"{numbering}: {pages.split(' ', 1)[-1]}", ""
        parts.extend(part for part in (work, numbering) if part)
    publisher = arg("publisher")
    location = arg("location", "place")
    if publisher or location:
        parts.append(
            f"{location}: {publisher}" if location and publisher else publisher or location
        )
    if date and not authors:
        parts.append(date)
    if pages:
        parts.append(pages)
    isbn = arg("isbn", "ISBN")
    if isbn:
        parts.append(f"ISBN {isbn}")
    doi = arg("doi", "DOI")
    if doi:
        parts.append(f"doi:{doi}")
    return _sentences(parts)


def _authors(arg: _Args) -> list[str]:
    """Each author as "Last, First": from last/first, last1/first1, …, author, or authors."""
    names: list[str] = []
    for index in itertools.count(1):
        suffixes = ("", "1") if index == 1 else (str(index),)
        keys = [f"{stem}{s}" for s in suffixes for stem in ("last", "surname", "author")]
        last = arg(*keys)
        if not last:
            break
        first = arg(*[f"{stem}{s}" for s in suffixes for stem in ("first", "given")])
        names.append(f"{last}, {first}" if first else last)
    if not names:
        together = arg("authors", "vauthors")
        if together:
            names.append(together)
    # CS1's "((Cox Jü))" asks for a name to be shown as written, without the parentheses.
    return [_AS_WRITTEN.sub(r"\1", name) for name in names]


def _pages_text(page: str, pages: str, at: str) -> str:
    if page:
        return f"p. {page}"
    if pages:
        return f"pp. {pages}" if _PAGE_RANGE.search(pages) else f"p. {pages}"
    return at


def _sentences(parts: Iterable[str]) -> str:
    """Parts joined as CS1 joins them: each ends with a full stop unless it already does."""
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out:
            out += " " if out.endswith((".", "?", "!")) else ". "
        out += part
    return out + "." if out and not out.endswith((".", "?", "!")) else out


def _short_citation(name: str, arg: _Args) -> str:
    """{{sfn|Smith|Jones|2005|p=31}} as Wikipedia shows it: "Smith & Jones 2005, p. 31."."""
    values = arg.positional()
    authors, year = (values[:-1], values[-1]) if len(values) > 1 else (values, "")
    names = authors[0] if len(authors) == 1 else ""
    if len(authors) > 1:
        names = ", ".join(authors[:-1]) + " & " + authors[-1]
    pages = _pages_text(arg("p", "page"), arg("pp", "pages"), "")
    locator = "".join(f", {part}" for part in (pages, arg("loc")) if part)
    if name == "sfnp":
        return f"{names} ({year}){locator}."
    if name == "harv":
        return f"({names} {year}{locator})"
    if name in ("harvtxt", "harvp"):
        return f"{names} ({year}{locator})"
    text = f"{names} {year}".strip() + locator
    return text + "." if name == "sfn" else text


# -- Pass 2: blocks -----------------------------------------------------------------------------


def _line_kind(markers: str) -> str:
    """What a line holds by its markers: a list item, a term (";"), an indented line (":")."""
    if "*" in markers or "#" in markers:
        return "list"
    if markers.startswith(";"):
        return "term"
    return "indent" if markers else "p"


@dataclass
class _Line:
    """What the current source line has shown so far."""

    markers: str = ""  # list markers at its start: "*", "#:", ";"
    content: bool = False  # visible text
    silent: bool = False  # a comment or category, which take no room
    other: bool = False  # something that rendered to nothing (a template, an image)


class _Builder:
    """Cuts the rendered page into blocks, following MediaWiki's paragraph rules."""

    def __init__(self, renderer: _Renderer) -> None:
        self.renderer = renderer
        self.blocks: list[Block] = []
        self.bold_title: str | None = None
        self.headings: list[tuple[int, str]] = []
        self.dropped_level: int | None = None
        self.line_number = 1
        self.line = _Line()
        self.kind: str | None = None  # "p", "list", "indent" (":" lines), "term" (";" lines)
        self.parts: list[str] = []
        self.items: list[str] = []
        self.start = 0
        self.captions: list[Block] = []

    @property
    def section(self) -> str:
        return SECTION_SEPARATOR.join(title for _, title in self.headings)

    def feed(self, nodes: Iterable[Node]) -> None:
        for node in nodes:
            start = self.line_number
            if isinstance(node, Heading):
                self.heading(node)
            elif self.dropped_level is not None:
                pass  # inside a dropped section: only the line count moves
            elif isinstance(node, Text):
                self.text(node.value)
                continue  # text moved the line count itself
            elif isinstance(node, Tag):
                self.tag(node)
            elif isinstance(node, Template):
                self.template(node)
            elif isinstance(node, Comment) or (
                isinstance(node, Wikilink) and _is_silent_link(node)
            ):
                self.line.silent = True
            else:
                self.inline(node)
            self.line_number = start + str(node).count("\n")

    def text(self, value: str) -> None:
        for index, piece in enumerate(value.split("\n")):
            if index:
                self.newline()
            if piece:
                self.emit(piece)

    def newline(self) -> None:
        line, self.line = self.line, _Line()
        self.line_number += 1
        if line.content:
            if self.kind == "list":
                self.items.append("".join(self.parts))
                self.parts = []
            elif self.kind in ("indent", "term"):
                self.flush()
            else:
                self.parts.append("\n")
        elif not (line.silent and not line.other):
            self.flush()  # a blank line, or one whose template or image rendered to nothing

    def emit(self, raw: str) -> None:
        if not raw.strip():
            if self.line.content:
                self.parts.append(raw)
            return
        if not self.line.content:
            self.begin_line()
        self.parts.append(raw)

    def begin_line(self) -> None:
        """The line's first visible text: it continues the block or starts one."""
        kind = _line_kind(self.line.markers)
        if self.kind is not None and (kind != self.kind or kind in ("indent", "term")):
            self.flush()
        if self.kind is None:
            self.kind, self.start = kind, self.line_number
        self.line.content = True

    def inline(self, node: Node) -> None:
        self.renderer.collect_captions = True
        raw = self.renderer.node(node)
        self.renderer.collect_captions = False
        for caption in self.renderer.captions:
            text = _tidy(caption)
            if text:
                self.captions.append(Block(text, self.section, True, self.line_number))
        self.renderer.captions.clear()
        if raw:
            self.emit(raw)
        if not raw.strip():
            self.line.other = True

    def tag(self, tag: Tag) -> None:
        kind = _tag_name(tag)
        if tag.wiki_markup is not None and kind in ("li", "dt", "dd"):
            if not self.line.content:
                self.line.markers += tag.wiki_markup
            elif kind == "dd":  # "; term : definition" on one line
                self.parts[-1] = self.parts[-1].rstrip()
                self.parts.append(": ")
                if self.kind == "term":
                    self.kind = "indent"
            return
        if kind in _BLOCK_TAGS:
            self.flush()
            self.line.other = True
        elif kind in _QUOTE_TAGS:
            self.block(self.renderer.render(tag.contents))
        elif kind in _CONTAINER_TAGS:
            self.flush()
            whole, inner = str(tag), str(tag.contents)
            opening = whole.find(inner) if inner else 0
            self.line_number += whole[: max(opening, 0)].count("\n")
            self.feed(tag.contents.nodes)
            self.flush()
            self.line.other = True
        else:
            self.inline(tag)

    def template(self, template: Template) -> None:
        if _template_name(template) in _QUOTE_TEMPLATES:
            self.block(self.renderer.node(template))
        else:
            self.inline(template)

    def block(self, raw: str) -> None:
        """A block quote: a block of its own, between the paragraphs around it."""
        self.flush()
        text = _tidy(raw)
        if text:
            self.blocks.append(Block(text, self.section, False, self.line_number))
        self.line.other = True

    def heading(self, heading: Heading) -> None:
        self.flush()
        title = _tidy(self.renderer.render(heading.title))
        level = heading.level
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        self.headings.append((level, title))
        if self.dropped_level is not None and level <= self.dropped_level:
            self.dropped_level = None
        if self.dropped_level is None and title.casefold() in APPENDIX_SECTIONS:
            self.dropped_level = level
        self.line.other = True

    def flush(self) -> None:
        """Finish the block being built, then the captions of the images met in it."""
        kind, parts, items = self.kind, self.parts, self.items
        self.kind, self.parts, self.items = None, [], []
        text = ""  # a lone ";term" line, like a bold one, is a heading in all but name: dropped
        if kind == "list":
            lines = (_tidy(item) for item in [*items, "".join(parts)])
            text = "\n".join(line for line in lines if line)
        elif kind in ("p", "indent"):
            raw = "".join(parts)
            if not self.headings and self.bold_title is None:
                bold = _BOLD_PHRASE.search(raw)
                if bold:
                    self.bold_title = _tidy(bold.group("phrase")) or None
            # A paragraph that is one bold phrase is a heading in all but name too: "'''KDOG'''".
            if not _ONLY_BOLD.fullmatch(raw):
                text = _tidy(raw)
        if text:
            self.blocks.append(Block(text, self.section, False, self.start))
        self.blocks.extend(self.captions)
        self.captions = []
