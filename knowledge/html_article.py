"""Read a saved Wikipedia page into an Article: desktop "Save page as" HTML or REST/Parsoid HTML.

The article body is walked once in document order. Headings give the section path; paragraphs,
block quotes and lists (one block per list, one line per item) become blocks; figure captions
become caption blocks. Each `sup.reference` is written as the tag a reader sees ("[12]", with a
page locator "[12]: 31"); explanatory notes ("[a]", "[note 1]") are left out of the text and kept
in `Article.notes`. Navigation, tables (infoboxes, navboxes, wikitables), hatnotes, edit links,
hidden text and the reference lists themselves are not article text. References are read from
`ol.references`, each found by the link target of the citations that show its number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath
from urllib.parse import unquote

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from knowledge.article import APPENDIX_SECTIONS, SECTION_SEPARATOR, Article, Block, Reference
from knowledge.document import KnowledgeError

# Where the article body is, most specific first: the desktop skin's parser output, older
# desktop pages that have no parser-output wrapper, the whole body content, a bare fragment.
_CONTENT_SELECTORS = (
    "#mw-content-text .mw-parser-output",
    "#mw-content-text",
    "#bodyContent",
    ".mw-parser-output",
)
# REST/Parsoid HTML has no content div: its body is the article, cut into numbered sections.
_PARSOID_SECTION = "section[data-mw-section-id]"

_HEADING_LEVELS = {"h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_HEADING_SELECTOR = ", ".join(_HEADING_LEVELS)
# Never article text, wherever they stand. Images go too: their alt text is not shown, and the
# fallback image of a formula would repeat the formula.
_SKIP_TAGS = frozenset(
    {"table", "style", "script", "noscript", "template", "link", "meta", "img", "svg"}
    | {"nav", "header", "footer", "button", "input", "h1"}
)
_SKIP_CLASSES = frozenset(
    {"hatnote", "navbox", "navbox-styles", "infobox", "sidebar", "side-box", "metadata"}
    | {"ambox", "mbox-small", "sistersitebox", "toc", "mw-editsection", "noprint", "mw-empty-elt"}
    | {"reflist", "references", "mw-references-wrap", "mw-cite-backlink", "printfooter"}
    | {"catlinks", "mw-jump-link", "mwe-math-fallback-image-inline"}
    | {"mwe-math-fallback-image-display"}
    # A bare external link shows as "[1]": not a citation, and it would read as one.
    | {"autonumber"}
)
_SKIP_IDS = frozenset({"toc", "siteSub", "contentSub", "contentSub2", "jump-to-nav", "catlinks"})
_HIDDEN = re.compile(r"display\s*:\s*none", re.IGNORECASE)

_CAPTION_CLASSES = frozenset({"thumbcaption", "gallerytext"})
_LIST_TAGS = frozenset({"ul", "ol", "dl"})
_GALLERY = "gallery"  # a list of images: its captions are read, it is not a list of text
# Inside a list these start a new line; elsewhere, like every block-level tag, they only
# separate words ("<p>a</p><p>b</p>" in a quote reads "a b").
_LINE_TAGS = frozenset({"li", "dt", "dd"})
_BLOCK_TAGS = _LINE_TAGS | frozenset(
    {"p", "div", "blockquote", "ul", "ol", "dl", "figure", "figcaption", "section", "center"}
    | {"br", "hr", "pre", "tr", "td", "th", "caption"}
    | set(_HEADING_LEVELS)
)

_SPACES = re.compile(r"\s+")
_LINE_BREAK = "\n"
# Pretty-printed markup and formulas leave a space before punctuation that the page does not
# show ("Repeat Performance" . 24 August); Wikipedia's prose never has one.
_SPACE_BEFORE_PUNCTUATION = re.compile(r" +(?=[.,;:!?)])")
_BRACKETED = re.compile(r"\[\s*(?P<label>[^\[\]]+?)\s*\]", re.DOTALL)
# "{{rp}}" shows ": 31", ":\u200a31" or ":p. 31"; the tag format writes "[12]: 31".
_LOCATOR = re.compile(r":\s*(?:pp?\.\s*)?(?P<at>.+)", re.DOTALL)
# A formula's TeX source, as MediaWiki stores it in `alttext`: "{\displaystyle A^{2}}".
_TEX_STYLE = re.compile(r"\{\\(?:display|text|script)style\s*(?P<tex>.*)\}", re.DOTALL)
_TITLE_SUFFIX = re.compile(r"\s+[-–—]\s+Wikipedia\s*$")
_WEB_SCHEMES = ("http://", "https://")
_PROTOCOL_RELATIVE = "//"  # Wikipedia's own links leave the scheme out; it serves https
# A browser's "Save page as" notes where the page came from, right after the doctype.
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(?P<url>\S+?)\s*-->")
_SAVED_FROM_WITHIN = 1024  # characters from the start of the file


@dataclass(frozen=True, slots=True)
class _Lists:
    """The page's reference lists: each item by its id, and the ids of explanatory notes."""

    items: dict[str, LexborNode]
    # Items of a named group (Parsoid's data-mw-group): notes even if their label is a number.
    grouped: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Cite:
    """What a `sup.reference` shows: a reference number, a note label, or a page locator."""

    number: int | None = None
    note: str | None = None
    locator: str | None = None
    target: str = ""  # id of the reference list item it links to


@dataclass
class _Text:
    """Rendered text being built: pieces in order, "\n" between list items."""

    pieces: list[str] = field(default_factory=list)
    written: int = 0  # pieces with visible content so far
    # Whether the last thing written was a citation tag, a note (left out) or text: a page
    # locator belongs to the tag right before it, and is left out with a note.
    last: str = "text"

    def text(self, value: str) -> None:
        # Source line breaks are spaces; "\n" in the output only ever separates list items.
        value = _SPACES.sub(" ", value)
        self.pieces.append(value)
        if value.strip():
            self.written += 1
            self.last = "text"

    def open_block(self, separator: str) -> tuple[int, int]:
        """Separate a block-level element from the words before it; returns where it began."""
        self.pieces.append(separator)
        return len(self.pieces) - 1, self.written

    def close_block(self, start: tuple[int, int]) -> None:
        # An element with nothing visible in it separates nothing: "<div></div>." stays ".".
        index, written = start
        if self.written == written:
            if self.pieces[index] == " ":
                self.pieces[index] = ""
        else:
            self.pieces.append(" ")

    def cite(self, cite: _Cite) -> None:
        if cite.number is not None:
            self._strip_trailing()  # "exiled. [19]" reads "exiled.[19]"
            self.pieces.append(f"[{cite.number}]")
            self.written += 1
            self.last = "tag"
        elif cite.note is not None:
            self.last = "note"
        elif cite.locator and self.last == "tag":
            self._strip_trailing()
            self.pieces.append(f": {cite.locator}")

    def render(self) -> str:
        lines = "".join(self.pieces).split(_LINE_BREAK)
        tidied = (
            _SPACE_BEFORE_PUNCTUATION.sub("", _SPACES.sub(" ", line)).strip() for line in lines
        )
        return _LINE_BREAK.join(line for line in tidied if line)

    def _strip_trailing(self) -> None:
        # Blanked, not removed: open blocks remember their place in `pieces`.
        for index in range(len(self.pieces) - 1, -1, -1):
            piece = self.pieces[index]
            if piece == _LINE_BREAK:
                return
            self.pieces[index] = piece.rstrip()
            if self.pieces[index]:
                return


def read_html(text: str, name: str) -> Article:
    """Read a saved Wikipedia page; `name` (the file name) starts every error message."""
    if not text.strip():
        raise KnowledgeError(f"{name}: empty page (no HTML)")
    try:
        tree = LexborHTMLParser(text)
    except SelectolaxError as error:
        raise KnowledgeError(f"{name}: cannot parse the HTML ({error})") from error
    root = _content(tree)
    if root is None:
        raise KnowledgeError(
            f"{name}: not a Wikipedia article page (no mw-parser-output, mw-content-text or "
            "bodyContent element and no Parsoid sections)"
        )
    lists = _reference_lists(root)
    blocks = _blocks(root, lists)
    if not blocks:
        raise KnowledgeError(f"{name}: no article text (no paragraphs, lists or captions)")
    references, notes = _references(root, lists)
    return Article(
        title=_title(tree, name),
        blocks=tuple(blocks),
        references=references,
        notes=notes,
        source_url=_source_url(tree, text),
    )


def _content(tree: LexborHTMLParser) -> LexborNode | None:
    for selector in _CONTENT_SELECTORS:
        node = tree.css_first(selector)
        if node is not None:
            return node
    if tree.body is not None and tree.body.css_first(_PARSOID_SECTION) is not None:
        return tree.body
    return None


def _classes(node: LexborNode) -> frozenset[str]:
    value = node.attrs.get("class")
    return frozenset(value.split()) if value else frozenset()


def _skipped(node: LexborNode, tag: str, classes: frozenset[str]) -> bool:
    if tag in _SKIP_TAGS or not classes.isdisjoint(_SKIP_CLASSES) or node.id in _SKIP_IDS:
        return True
    style = node.attrs.get("style")
    return style is not None and _HIDDEN.search(style) is not None


def _pending(node: LexborNode) -> list[LexborNode]:
    """The children of `node` in reverse, for a stack that pops them in reading order."""
    return list(node.iter(include_text=True))[::-1]


def _blocks(root: LexborNode, lists: _Lists) -> list[Block]:
    """The article's blocks in reading order, each with its section path."""
    blocks: list[Block] = []
    path: list[tuple[int, str]] = []
    stop_level: int | None = None  # inside an appendix section of this level
    # An explicit stack, not recursion: broken pages can nest deeper than Python's stack.
    stack = _pending(root)
    while stack:
        node = stack.pop()
        tag = node.tag
        if not node.is_element_node or tag is None:
            continue
        classes = _classes(node)
        if _skipped(node, tag, classes):
            continue
        heading = _heading(node, tag, classes)
        if heading is not None:
            level, title = heading[0], _render(heading[1], lists)
            if stop_level is not None and level > stop_level:
                continue  # a subsection of an appendix
            stop_level = level if title.casefold() in APPENDIX_SECTIONS else None
            path = [*(entry for entry in path if entry[0] < level), (level, title)]
            continue
        section = SECTION_SEPARATOR.join(title for _, title in path if title)
        caption = tag == "figcaption" or not classes.isdisjoint(_CAPTION_CLASSES)
        is_list = tag in _LIST_TAGS and _GALLERY not in classes
        if tag in ("p", "blockquote") or caption or is_list:
            if stop_level is None:
                rendered = _render(node, lists, lines=is_list)
                if rendered:
                    blocks.append(Block(rendered, section, caption))
            continue
        stack.extend(_pending(node))  # a container: its blocks are inside
    return blocks


def _heading(node: LexborNode, tag: str, classes: frozenset[str]) -> tuple[int, LexborNode] | None:
    """The level and element of a heading; the desktop skin may wrap it in div.mw-heading."""
    if tag in _HEADING_LEVELS:
        return _HEADING_LEVELS[tag], node
    if tag == "div" and "mw-heading" in classes:
        inner = node.css_first(_HEADING_SELECTOR)
        if inner is not None and inner.tag is not None:
            return _HEADING_LEVELS[inner.tag], inner
    return None


def _render(node: LexborNode, lists: _Lists, *, lines: bool = False) -> str:
    """The text a reader sees in `node`, citation tags included; `lines`: one line per item."""
    out = _Text()
    # Nodes still to read, and where each open block-level element began (to close it).
    stack: list[LexborNode | tuple[int, int]] = list(_pending(node))
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            out.close_block(item)
            continue
        if item.is_text_node:
            out.text(item.text_content or "")
            continue
        tag = item.tag
        if not item.is_element_node or tag is None:
            continue
        classes = _classes(item)
        if _skipped(item, tag, classes):
            continue
        if tag == "sup" and "reference" in classes:
            out.cite(_cite(item, lists))
        elif tag == "math" or "mwe-math-element" in classes:
            out.text(_tex(item))
        else:
            if tag in _BLOCK_TAGS:
                separator = _LINE_BREAK if lines and tag in _LINE_TAGS else " "
                stack.append(out.open_block(separator))
            stack.extend(_pending(item))
    return out.render()


def _cite(sup: LexborNode, lists: _Lists) -> _Cite:
    shown = _SPACES.sub(" ", sup.text()).strip()
    link = sup.css_first("a[href]")
    target = _fragment(link.attrs.get("href") or "") if link is not None else ""
    bracketed = _BRACKETED.fullmatch(shown)
    if bracketed:
        label = bracketed["label"]
        if label.isdigit() and target not in lists.grouped:
            return _Cite(number=int(label), target=target)
        return _Cite(note=label, target=target)
    locator = _LOCATOR.fullmatch(shown)
    return _Cite(locator=locator["at"].strip() if locator else None)


def _fragment(href: str) -> str:
    # Saved pages may link to the live page ("https://en.wikipedia.org/wiki/X#cite_note-1");
    # ids with non-ASCII letters are percent-encoded in the link, not in the id.
    return unquote(href.partition("#")[2])


def _tex(node: LexborNode) -> str:
    """A formula as its TeX source: the MathML itself has no spacing a reader could follow."""
    math = node if node.tag == "math" else node.css_first("math")
    source = (math.attrs.get("alttext") if math is not None else None) or ""
    if not source:
        fallback = node.css_first("img[alt]")
        source = (fallback.attrs.get("alt") if fallback is not None else None) or ""
    source = source.strip()
    style = _TEX_STYLE.fullmatch(source)
    return f" {style['tex'].strip() if style else source} "


def _reference_lists(root: LexborNode) -> _Lists:
    items: dict[str, LexborNode] = {}
    grouped: set[str] = set()
    for references in root.css("ol.references"):
        named_group = bool(references.attrs.get("data-mw-group"))
        for item in references.css("li[id]"):
            key = item.id or ""
            items.setdefault(key, item)
            if named_group:
                grouped.add(key)
    return _Lists(items, frozenset(grouped))


def _references(root: LexborNode, lists: _Lists) -> tuple[dict[int, Reference], dict[str, str]]:
    """References by the number their citations show, and notes by label.

    Citations anywhere in the page count, tables included: the number a reader sees beside a
    reference is the same wherever it is cited.
    """
    references: dict[int, Reference] = {}
    notes: dict[str, str] = {}
    for sup in root.css("sup.reference"):
        cite = _cite(sup, lists)
        item = lists.items.get(cite.target)
        if item is None:
            continue  # a truncated page, or a citation whose list was cut
        body = item.css_first(".reference-text, .mw-reference-text") or item
        if cite.number is not None and cite.number not in references:
            references[cite.number] = Reference(cite.number, _render(body, lists), _link(body))
        elif cite.note is not None and cite.note not in notes:
            notes[cite.note] = _render(body, lists)
    return dict(sorted(references.items())), notes


def _link(body: LexborNode) -> str | None:
    for anchor in body.css("a.external[href], a[rel~='mw:ExtLink'][href]"):
        url = _web_url(anchor.attrs.get("href") or "")
        if url is not None:
            return url
    return None


def _web_url(href: str) -> str | None:
    href = href.strip()
    if href.startswith(_PROTOCOL_RELATIVE):
        href = "https:" + href
    return href if href.lower().startswith(_WEB_SCHEMES) else None


def _title(tree: LexborHTMLParser, name: str) -> str:
    heading = tree.css_first("h1#firstHeading")
    title = _SPACES.sub(" ", heading.text()).strip() if heading is not None else ""
    if not title:
        element = tree.css_first("title")
        shown = _SPACES.sub(" ", element.text()).strip() if element is not None else ""
        title = _TITLE_SUFFIX.sub("", shown)
    return title or PurePath(name).stem.replace("_", " ")


def _source_url(tree: LexborHTMLParser, text: str) -> str | None:
    # Parsoid pages name the article they render with dc:isVersionOf instead of canonical.
    for selector in ("link[rel~='canonical'][href]", "link[rel~='dc:isVersionOf'][href]"):
        link = tree.css_first(selector)
        url = _web_url(link.attrs.get("href") or "") if link is not None else None
        if url is not None:
            return url
    saved = _SAVED_FROM.search(text, 0, _SAVED_FROM_WITHIN)
    return _web_url(saved["url"]) if saved else None
