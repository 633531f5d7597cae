"""The saved-HTML reader, pinned on three real Wikipedia pages and two handwritten ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.article import Article, Block, Reference
from knowledge.citations import parse_citations
from knowledge.document import KnowledgeError
from knowledge.html_article import read_html

DATA = Path(__file__).parent / "data" / "html"


def read(stem: str) -> Article:
    path = DATA / f"{stem}.html"
    return read_html(path.read_text(encoding="utf-8"), path.name)


@pytest.fixture(scope="module")
def mozilla() -> Article:
    return read("mozilla")


@pytest.fixture(scope="module")
def hermitian() -> Article:
    return read("hermitian-matrix")


@pytest.fixture(scope="module")
def time_loops() -> Article:
    return read("list-of-films-featuring-time-loops")


def block_starting(article: Article, start: str) -> Block:
    matches = [block for block in article.blocks if block.text.startswith(start)]
    assert len(matches) == 1, start
    return matches[0]


def all_text(article: Article) -> str:
    return "\n".join(block.text for block in article.blocks)


@pytest.mark.parametrize(
    ("stem", "title", "url", "blocks", "references"),
    [
        ("mozilla", "Mozilla", "https://en.wikipedia.org/wiki/Mozilla", 62, 72),
        (
            "hermitian-matrix",
            "Hermitian matrix",
            "https://en.wikipedia.org/wiki/Hermitian_matrix",
            56,
            5,
        ),
        (
            "list-of-films-featuring-time-loops",
            "List of films featuring time loops",
            # No canonical link: the browser's "saved from url" comment names the page.
            "https://en.wikipedia.org/wiki/List_of_films_featuring_time_loops",
            2,
            80,
        ),
    ],
)
def test_title_source_and_counts(
    stem: str, title: str, url: str, blocks: int, references: int
) -> None:
    article = read(stem)
    assert article.title == title
    assert article.source_url == url
    assert len(article.blocks) == blocks
    # Every number the page shows has its reference, numbered 1..n without gaps.
    assert sorted(article.references) == list(range(1, references + 1))
    assert article.notes == {}


def test_lead_paragraph_keeps_its_tags_where_they_stood(mozilla: Article) -> None:
    lead = mozilla.blocks[0]
    assert lead.section == ""
    assert lead.text.startswith("Mozilla is a free-software community, created in 1998 by")
    assert "with only minor exceptions.[1] The community is supported" in lead.text
    assert lead.text.endswith("and its tax-paying subsidiary, the Mozilla Corporation.[2]")
    assert parse_citations(lead.text).refs == (1, 2)


@pytest.mark.parametrize(
    ("start", "section", "refs"),
    [
        ("On January 23, 1998, Netscape", "History", (3, 4, 5, 6, 7, 8, 9)),
        ("Due to the controversy, Eich", "History › Eich CEO promotion controversy", (27, 28)),
        (
            "SpiderMonkey is a cross-platform engine",
            "Software › Components › SpiderMonkey",
            (60, 61, 62),
        ),
        ("Mozilla Webmaker is Mozilla's", "Other activities › Webmaker", (69, 70)),
    ],
)
def test_mozilla_passages_sections_and_numbers(
    mozilla: Article, start: str, section: str, refs: tuple[int, ...]
) -> None:
    block = block_starting(mozilla, start)
    assert block.section == section
    assert not block.caption
    assert parse_citations(block.text).refs == refs


def test_adjacent_tags_have_no_space_before_or_between(mozilla: Article) -> None:
    block = block_starting(mozilla, "On January 23, 1998, Netscape")
    assert "Netscape Communicator.[6][7] Jamie Zawinski" in block.text
    assert "staff meeting.[8][9] A small group" in block.text


def test_captions_quote_and_list(mozilla: Article) -> None:
    caption = block_starting(mozilla, "Speakers from the Knight Foundation")
    assert caption.caption
    assert caption.text == (
        "Speakers from the Knight Foundation discuss the future of news at the 2011 Mozilla "
        "Festival in London."
    )
    assert caption.section == "Community › Conferences and events › Mozilla Festival"
    assert [b.text for b in mozilla.blocks if b.caption] == [
        "Firefox logo",
        "SeaMonkey logo",
        "Bugzilla logo",
        "Mozilla spaces, London",
        "Mozilla Reps logo",
        caption.text,
    ]

    quote = block_starting(mozilla, "The Mozilla Foundation pledges to support")
    assert quote.section == "Values › Pledge"
    assert not quote.caption

    # A list is one block, one item a line.
    duties = block_starting(mozilla, "Represent Mozilla in their country/region\n")
    assert duties.section == "Community › Mozilla Reps"
    assert duties.text.splitlines() == [
        "Represent Mozilla in their country/region",
        "Promote the Mozilla Project and its mission",
        "Build on and support existing/future local community efforts and programs",
        "Inspire, recruit and support new contributors",
        "Support and mentor future Mozilla Reps",
        "Document clearly all their activities",
    ]


def test_mozilla_references(mozilla: Article) -> None:
    assert mozilla.references[1] == Reference(1, 'For exceptions, see "Values" section below')
    assert mozilla.references[3] == Reference(
        3,
        '"Freeing the Source: The Story of Mozilla". Open Sources: Voices from the Open Source '
        "Revolution. Retrieved 2016-05-01.",
        "http://www.oreilly.com/openbook/opensources/book/netrev.html",
    )
    # The list item of [17] has the id "cite_note-github-17", found by the citation's link.
    assert mozilla.references[17] == Reference(
        17,
        '"cisco/openh264 · GitHub". github.com. Retrieved 2014-04-05.',
        "https://github.com/cisco/openh264",
    )
    # A protocol-relative link ("//books.google.co.uk/…") is an https link.
    assert mozilla.references[5].url == "https://books.google.co.uk/books?id=zyIvOn7sKCsC"
    assert mozilla.references[5].text == (
        "Payment, S. (2007). Marc Andreessen and Jim Clark: The Founders of Netscape. Rosen "
        "Publishing Group. ISBN 9781404207196."
    )


def test_mozilla_leaves_out_what_is_not_article_text(mozilla: Article) -> None:
    text = all_text(mozilla)
    for absent in [
        "Founded February 28, 1998",  # infobox
        "Mozilla Labs",  # navbox
        "Main article: Firefox",  # hatnote
        "Contents",  # table of contents
        "[edit]",
        "citation needed",  # .noprint
        "Timeline of web browsers",  # See also
        "Retrieved 2016-05-01",  # the reference list
        "^",
    ]:
        assert absent not in text, absent
    sections = {block.section.split(" › ")[0] for block in mozilla.blocks}
    assert sections.isdisjoint({"See also", "References", "External links"})


def test_page_locators(hermitian: Article, time_loops: Article) -> None:
    # The old {{rp}} markup: <sup class="reference">:<span>p. 7</span></sup>.
    toeplitz = block_starting(hermitian, "An arbitrary square matrix C can be written")
    assert toeplitz.text.endswith("This is known as the Toeplitz decomposition of C.[3]: 7")
    assert toeplitz.section == "Decomposition into Hermitian and skew-Hermitian"
    assert parse_citations(toeplitz.text).pages == {3: "7"}

    rayleigh = block_starting(hermitian, "In mathematics, for a given complex Hermitian matrix M")
    assert rayleigh.text.endswith("the Rayleigh quotient[4] R(M,x), is defined as:[3]: 234[5]")
    citations = parse_citations(rayleigh.text)
    assert citations.refs == (4, 3, 5)
    assert citations.pages == {3: "234"}

    # Today's {{rp}}: <sup class="reference nowrap"><span title="Page / location: 207">: 207.
    lead = time_loops.blocks[0]
    assert "retaining the memories from the previous loop.[1]: 207 The list provides" in lead.text
    assert parse_citations(lead.text).pages == {1: "207"}


def test_formulas_read_as_tex_once(hermitian: Article) -> None:
    block = block_starting(hermitian, "If the conjugate transpose of a matrix A is denoted by")
    assert block.text == (
        "If the conjugate transpose of a matrix A is denoted by A^{\\mathsf {H}}, then the "
        "Hermitian property can be written concisely as"
    )
    assert block.section == ""


def test_hermitian_sections_and_references(hermitian: Article) -> None:
    block = block_starting(hermitian, "A square matrix A is Hermitian if and only if it is equal")
    assert block.section == "Alternative characterizations › Equality with the adjoint"
    assert hermitian.references[2] == Reference(
        2,
        "Physics 125 Course Notes at California Institute of Technology",
        "http://www.hep.caltech.edu/~fcp/physics/quantumMechanics/angularMomentum/angularMomentum.pdf",
    )
    # Its only link is to the ISBN page of Wikipedia itself: no external link.
    assert hermitian.references[3] == Reference(
        3,
        "Horn, Roger A.; Johnson, Charles R. (2013). Matrix Analysis, second edition. Cambridge "
        "University Press. ISBN 9780521839402.",
    )
    assert hermitian.references[4].text == (
        "Also known as the Rayleigh–Ritz ratio; named after Walther Ritz and Lord Rayleigh."
    )
    assert "For matrices with symmetry over the real number field" not in all_text(hermitian)


def test_a_list_in_a_table_is_not_read(time_loops: Article) -> None:
    assert [block.text for block in time_loops.blocks][1] == (
        "For a list of films that include any kind of time travel (including time loops) see "
        "time travel in films."
    )
    text = all_text(time_loops)
    assert "Repeat Performance" not in text  # the wikitable's first film
    assert "This is a dynamic list" not in text  # a hatnote-like notice
    # Citations in the table still give their references the numbers the page shows.
    assert time_loops.references[2] == Reference(
        2,
        '"In the Loop: Repeat Performance". 24 August 2021.',
        "https://www.cosmicneed.com/2021/08/24/in-the-loop-repeat-performance/",
    )
    assert time_loops.references[15] == Reference(
        15,
        "Fischer, Russ (2011-02-02). \"'Groundhog Day:' Just How Long Was Phil Connors Stuck in "
        'a Time Loop?". Slashfilm. Retrieved 2014-03-27.',
        "https://www.slashfilm.com/groundhog-day-long-phil-connors-stuck-time-loop/",
    )


# Today's desktop skin, written by hand: headings in div.mw-heading, notes in two groups
# ("[a]" and "[note 1]"), list item ids that are not "cite_note-<number>".
DESKTOP = """<!DOCTYPE html>
<html><head><title>Leon Trotsky - Wikipedia</title>
<link rel="canonical" href="https://en.wikipedia.org/wiki/Leon_Trotsky"></head>
<body><div id="bodyContent"><div id="mw-content-text"><div class="mw-content-ltr mw-parser-output">
<div role="note" class="hatnote navigation-not-searchable">For the film, see Trotsky (film).</div>
<table class="infobox"><tr><th>Born</th><td>7 November 1879</td></tr></table>
<p>Trotsky was exiled. <sup id="cite_ref-Deutscher_3-0" class="reference"><a
 href="#cite_note-Deutscher-3">[1]</a></sup> He went to Mexico.<sup class="reference"><a
 href="#cite_note-4">[a]</a></sup><sup class="reference nowrap"><span
 title="Page: 9">:&#8202;9</span></sup> He wrote a history.<sup class="reference"><a
 href="#cite_note-7">[note 1]</a></sup><sup class="reference"><a
 href="#cite_note-Deutscher-3">[1]</a></sup><sup class="reference nowrap"><span
 title="Page: 31">:&#8202;31</span></sup><span style="display: none">hidden sort key</span> An
 archive exists<a class="external autonumber" href="https://example.org/archive">[2]</a>.</p>
<div class="mw-heading mw-heading2"><h2 id="Exile">Exile</h2><span class="mw-editsection"
><span class="mw-editsection-bracket">[</span><a href="/w/index.php?action=edit">edit</a><span
 class="mw-editsection-bracket">]</span></span></div>
<figure typeof="mw:File/Thumb"><a href="/wiki/File:T.jpg"><img src="t.jpg" alt="A photograph"></a>
<figcaption>Trotsky in Coyoacán, 1940<sup class="reference"><a href="#cite_note-Service-5">[2]</a
></sup></figcaption></figure>
<div class="mw-heading mw-heading3"><h3 id="Mexico">Mexico</h3></div>
<blockquote><p>Life is beautiful.</p><p>Let the future generations cleanse it.</p></blockquote>
<ul><li>Born in Yanovka.<sup class="reference"><a href="#cite_note-Service-5">[2]</a></sup></li>
<li>Died in Coyoacán.</li></ul>
<table class="wikitable"><tr><td>Table cell text</td></tr></table>
<div class="mw-heading mw-heading2"><h2 id="Notes">Notes</h2></div>
<div class="reflist reflist-lower-alpha"><div class="mw-references-wrap"><ol class="references">
<li id="cite_note-4"><span class="mw-cite-backlink"><b><a href="#cite_ref-4">^</a></b></span>
 <span class="reference-text">By way of Norway.</span></li></ol></div></div>
<div class="reflist"><ol class="references"><li id="cite_note-7"><span class="mw-cite-backlink"
><b><a href="#cite_ref-7">^</a></b></span> <span class="reference-text">The History of the
 Russian Revolution.</span></li></ol></div>
<div class="mw-heading mw-heading2"><h2 id="References">References</h2></div>
<div class="reflist"><div class="mw-references-wrap"><ol class="references">
<li id="cite_note-Deutscher-3"><span class="mw-cite-backlink">^ <a href="#cite_ref-Deutscher_3-0"
><sup><i><b>a</b></i></sup></a> <a href="#cite_ref-Deutscher_3-1"><sup><i><b>b</b></i></sup></a
></span> <span class="reference-text"><cite class="citation book cs1">Deutscher, Isaac (1963).
 <a rel="nofollow" class="external text" href="ftp://ftp.example.org/outcast.pdf">The Prophet
 Outcast</a>. Oxford University Press. <a rel="nofollow" class="external text"
 href="//archive.org/details/outcast">Online</a></cite></span></li>
<li id="cite_note-Service-5"><span class="mw-cite-backlink"><b><a href="#cite_ref-Service_5-0"
>^</a></b></span> <span class="reference-text">Service, Robert (2009). <i>Trotsky</i>.</span></li>
</ol></div></div>
</div></div></div></body></html>"""


def test_desktop_page_tags_notes_and_locators() -> None:
    article = read_html(DESKTOP, "trotsky.html")
    assert article.title == "Leon Trotsky"
    assert article.source_url == "https://en.wikipedia.org/wiki/Leon_Trotsky"
    assert [(b.text, b.section, b.caption) for b in article.blocks] == [
        # The note "[a]" and its locator ": 9" are left out; "[note 1]" too; the bare
        # external link "[2]" is not a citation.
        (
            "Trotsky was exiled.[1] He went to Mexico. He wrote a history.[1]: 31 An archive "
            "exists.",
            "",
            False,
        ),
        ("Trotsky in Coyoacán, 1940[2]", "Exile", True),
        ("Life is beautiful. Let the future generations cleanse it.", "Exile › Mexico", False),
        ("Born in Yanovka.[2]\nDied in Coyoacán.", "Exile › Mexico", False),
    ]
    assert parse_citations(article.blocks[0].text).pages == {1: "31"}
    assert article.notes == {
        "a": "By way of Norway.",
        "note 1": "The History of the Russian Revolution.",
    }
    assert article.references == {
        # ftp is not a web link: the first http(s) one counts.
        1: Reference(
            1,
            "Deutscher, Isaac (1963). The Prophet Outcast. Oxford University Press. Online",
            "https://archive.org/details/outcast",
        ),
        2: Reference(2, "Service, Robert (2009). Trotsky."),
    }


# REST/Parsoid HTML, written by hand: no content div, the body cut into <section>s.
PARSOID = """<!DOCTYPE html>
<html prefix="dc: http://purl.org/dc/terms/ mw: http://mediawiki.org/rdf/"><head>
<meta charset="utf-8"><title>Leon Trotsky</title>
<link rel="dc:isVersionOf" href="//en.wikipedia.org/wiki/Leon_Trotsky"></head>
<body class="mw-content-ltr sitedir-ltr ltr mw-body-content parsoid-body mediawiki">
<section data-mw-section-id="0"><p>Trotsky was exiled.<sup class="mw-ref reference"
 typeof="mw:Extension/ref"><a href="./Leon_Trotsky#cite_note-exile-1"><span
 class="mw-reflink-text"><span class="cite-bracket">[</span>1<span class="cite-bracket">]</span
></span></a></sup> He lived in Mexico.<sup class="mw-ref reference" typeof="mw:Extension/ref"><a
 href="./Leon_Trotsky#cite_note-2"><span class="mw-reflink-text">[1]</span></a></sup></p></section>
<section data-mw-section-id="1"><h2 id="Exile">Exile</h2><p>In 1929 he left.<sup
 class="mw-ref reference" typeof="mw:Extension/ref"><a href="./Leon_Trotsky#cite_note-exile-1"><span
 class="mw-reflink-text">[1]</span></a></sup><sup class="reference nowrap"><span>: p. 12</span
></sup></p><figure typeof="mw:File/Thumb"><a href="./File:T.jpg"><img src="t.jpg"></a>
<figcaption>Trotsky's house</figcaption></figure>
<section data-mw-section-id="2"><h3 id="Mexico">Mexico</h3><p>Killed in 1940.</p></section>
</section>
<section data-mw-section-id="3"><h2 id="Notes">Notes</h2><div class="mw-references-wrap"><ol
 class="mw-references references" data-mw-group="n"><li id="cite_note-2"><span
 class="mw-cite-backlink"><a href="./Leon_Trotsky#cite_ref-2"><span
 class="mw-linkback-text">↑ </span></a></span> <span
 class="mw-reference-text reference-text">Via Turkey.</span></li></ol></div>
<p>Not article text.</p></section>
<section data-mw-section-id="4"><h2 id="References">References</h2><div
 class="mw-references-wrap"><ol class="mw-references references"><li
 id="cite_note-exile-1"><span class="mw-cite-backlink"><a
 href="./Leon_Trotsky#cite_ref-exile_1-0">↑</a></span> <span class="mw-reference-text
 reference-text">Deutscher, Isaac (1963). <a rel="mw:ExtLink nofollow"
 href="https://archive.org/details/outcast">The Prophet Outcast</a>.</span></li></ol></div>
</section>
</body></html>"""


def test_parsoid_page() -> None:
    article = read_html(PARSOID, "trotsky.html")
    assert article.title == "Leon Trotsky"
    assert article.source_url == "https://en.wikipedia.org/wiki/Leon_Trotsky"
    assert [(b.text, b.section, b.caption) for b in article.blocks] == [
        # "[1]" of the second citation links into a notes group: a note, not reference 1.
        ("Trotsky was exiled.[1] He lived in Mexico.", "", False),
        ("In 1929 he left.[1]: 12", "Exile", False),
        ("Trotsky's house", "Exile", True),
        ("Killed in 1940.", "Exile › Mexico", False),
    ]
    assert article.notes == {"1": "Via Turkey."}
    assert article.references == {
        1: Reference(
            1,
            "Deutscher, Isaac (1963). The Prophet Outcast.",
            "https://archive.org/details/outcast",
        )
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "page.html: empty page"),
        (" \n\t", "page.html: empty page"),
        ("<html><body><p>hi</p></body></html>", "page.html: not a Wikipedia article page ("),
        ("just some words", "page.html: not a Wikipedia article page ("),
        (
            '<html><body><div id="mw-content-text"><table><tr><td>only a table</td></tr></table>',
            "page.html: no article text",
        ),
    ],
)
def test_unusable_pages_are_one_clear_error(text: str, message: str) -> None:
    with pytest.raises(KnowledgeError) as caught:
        read_html(text, "page.html")
    assert str(caught.value).startswith(message)


def test_truncated_page_reads_as_far_as_it_goes(tmp_path: Path, hermitian: Article) -> None:
    text = (DATA / "hermitian-matrix.html").read_text(encoding="utf-8")
    half = tmp_path / "hermitian-matrix.html"
    half.write_text(text[: len(text) // 2], encoding="utf-8")
    article = read_html(half.read_text(encoding="utf-8"), half.name)
    assert article.title == "Hermitian matrix"
    # Every block but the last (cut mid-list) is as in the whole page.
    count = len(article.blocks)
    assert count == 36
    assert article.blocks[: count - 1] == hermitian.blocks[: count - 1]
    assert hermitian.blocks[count - 1].text.startswith(article.blocks[-1].text)
    # The reference list is in the lost half: numbers stay in the text, without references.
    families = block_starting(article, "Well-known families of Pauli matrices")
    assert parse_citations(families.text).refs == (1, 2)
    assert article.references == {}


def test_page_cut_before_its_paragraphs_is_an_error() -> None:
    text = (DATA / "list-of-films-featuring-time-loops.html").read_text(encoding="utf-8")
    head = text[: text.index('id="mw-content-text"')]  # #bodyContent has begun, nothing more
    with pytest.raises(KnowledgeError, match=r"^loops\.html: no article text"):
        read_html(head, "loops.html")
    with pytest.raises(KnowledgeError, match=r"^loops\.html: not a Wikipedia article page"):
        read_html(text[: text.index("<body")], "loops.html")


# Where an article's body starts, and pieces of Wikipedia markup to build broken pages from.
STARTS = [
    "",
    '<div id="mw-content-text">',
    '<div id="bodyContent"><div class="mw-parser-output">',
    '<section data-mw-section-id="0">',
]
FRAGMENTS = [
    "<p>",
    "</p>",
    "<p>text ",
    "text ",
    "<h2>",
    "</h2>",
    "<h3>References</h3>",
    '<div class="mw-heading"><h4>',
    '<sup class="reference"><a href="#cite_note-x-1">[1]</a></sup>',
    '<sup class="reference"><a href="#cite_note-2">[a]</a></sup>',
    '<sup class="reference nowrap"><span>:&#8202;31</span></sup>',
    '<ol class="references"><li id="cite_note-x-1">',
    '<ol class="references" data-mw-group="n"><li id="cite_note-2">',
    '<ol class="references"><li id="cite_note-x-1"><span class="reference-text">A book.</span>',
    '<a class="external" href="http://example.org">',
    "</a>",
    "<ul><li>",
    "</li>",
    "<table><tr><td>",
    "<figcaption>",
    '<span class="mwe-math-element"><math alttext="{\\displaystyle x}">',
    "<blockquote>",
    '<div class="hatnote">',
    "</div>",
    "<!--",
    "&#0;",
    "\x00",
    "\ud800",
]
PAGES = st.builds(
    lambda start, parts: start + "".join(parts),
    st.sampled_from(STARTS),
    st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=12), min_size=4, max_size=40),
)


@settings(max_examples=300, deadline=None)
@given(PAGES | st.text())
def test_any_text_is_an_article_or_a_knowledge_error(text: str) -> None:
    try:
        article = read_html(text, "fuzz.html")
    except KnowledgeError as error:
        assert str(error).startswith("fuzz.html: ")
        return
    assert article.blocks
    for block in article.blocks:
        assert block.text == block.text.strip()
        assert "  " not in block.text
        parse_citations(block.text)
