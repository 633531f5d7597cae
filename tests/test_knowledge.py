"""The document format, citation tags and entities, pinned on the bundled and a second document."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from knowledge.citations import clean_and_cite, parse_citations, strip_citations
from knowledge.document import KnowledgeError, Passage, split_passages
from knowledge.loader import BUNDLED, load_file, load_paths

SECOND = Path(__file__).parent / "data" / "second" / "paris-commune.txt"


@pytest.fixture(scope="module")
def bundled_passages() -> tuple[Passage, ...]:
    return load_file(BUNDLED).passages


def passage_starting(passages: tuple[Passage, ...], start: str) -> Passage:
    matches = [p for p in passages if p.clean.startswith(start) or p.text.startswith(start)]
    assert len(matches) == 1, start
    return matches[0]


@pytest.mark.parametrize(
    ("text", "refs", "pages"),
    [
        ("[8] Plain tag.", (8,), {}),
        ("[8][9] A run of tags.", (8, 9), {}),
        ("A spaced tag. [ 19 ] And more.", (19,), {}),
        ("[56]:\u200a31\u200a Page locator with hair spaces.", (56,), {56: "31"}),
        ("[56]:\u200a29–30\u200a A page range with an en dash.", (56,), {56: "29–30"}),
        ("production[29][30] with tags mid-sentence", (29, 30), {}),
        ("Brailsford,[46] Fenner Brockway,[47][48] after commas", (46, 47, 48), {}),
        ("[43] Repeated: states:[43] The indictment", (43,), {}),
        ("[55] The NCL ... repression,[8] and", (55, 8), {}),
        ("No tags at all, [not a tag] nor [12a].", (), {}),
    ],
)
def test_every_tag_shape_gives_exact_refs_and_pages(
    text: str, refs: tuple[int, ...], pages: dict[int, str]
) -> None:
    citations = parse_citations(text)
    assert citations.refs == refs
    assert citations.pages == pages


def test_clean_text_drops_tags_and_repairs_spacing() -> None:
    assert (
        strip_citations("[8][9] Rosa was critical,[46] she said.") == "Rosa was critical, she said."
    )
    assert strip_citations("their policies.Because of her") == "their policies. Because of her"
    assert strip_citations("a\u00a0no-break space") == "a no-break space"


# Texts made of what tags and repairs read: spaces odd and plain, stops before capitals, tags.
_TAGGED_TEXT = st.lists(
    st.sampled_from([*"aZ .!?,;:()[]05\n\u00a0\u2009é–", "[8]", "Ab", ": 3", "( ", " ,", "  "])
).map("".join)


@given(st.lists(_TAGGED_TEXT, max_size=12))
@example(["[a( b", "[a] .", "b!Cd", "x  y", "[1]: 2 x"])  # each with one repair alone
def test_cleaning_texts_together_gives_what_each_alone_gives(texts: list[str]) -> None:
    cleans, cited = clean_and_cite(texts, batch=3)  # several batches, texts cut between
    assert cleans == [strip_citations(text) for text in texts]
    expected = {at: parse_citations(text) for at, text in enumerate(texts)}
    assert cited == {at: found for at, found in expected.items() if found.refs}


def test_bundled_passages_pinned(bundled_passages: tuple[Passage, ...]) -> None:
    orwell = passage_starting(bundled_passages, "Some of these critics include George Orwell")
    assert orwell.refs == (46, 47, 48, 49)
    ncl_members = passage_starting(bundled_passages, "Members of the NCL")
    assert ncl_members.refs == (56,)
    assert ncl_members.pages == {56: "31"}
    assert ncl_members.text.startswith("[56]:\u200a31")  # verbatim, hair spaces kept
    ncl = passage_starting(bundled_passages, "[55] The NCL")
    assert ncl.refs == (55, 8)
    beyond = passage_starting(bundled_passages, "From the 1930s and beyond")
    assert beyond.refs == ()
    exile = passage_starting(bundled_passages, "Bolshevik revolutionary Leon Trotsky was exiled")
    assert exile.refs == (19,)
    assert exile.caption


def test_captions_are_the_closing_block(bundled_passages: tuple[Passage, ...]) -> None:
    captions = [p for p in bundled_passages if p.caption]
    assert len(captions) == 6
    assert all(p.index > q.index for p in captions for q in bundled_passages if not q.caption)
    assert any("Thälmann" in p.text for p in captions)


def test_passage_ids_are_stable_and_positional(bundled_passages: tuple[Passage, ...]) -> None:
    assert [p.index for p in bundled_passages] == list(range(len(bundled_passages)))
    assert bundled_passages[0].id == "anti-stalinist-left:0"
    assert load_file(BUNDLED).passages == bundled_passages


def test_bundled_document_carries_its_attribution() -> None:
    document = load_file(BUNDLED)
    assert document.title == "Anti-Stalinist left"
    assert document.source_url == "https://en.wikipedia.org/wiki/Anti-Stalinist_left"
    assert document.licence is not None and "CC BY-SA 4.0" in document.licence


def test_figures_found_without_any_sidecar(tmp_path: Path) -> None:
    # A copy without its sidecar: the finder alone must find the people.
    copy = tmp_path / "copy.txt"
    copy.write_text(BUNDLED.read_text(encoding="utf-8"), encoding="utf-8")
    document = load_file(copy)
    figures = {f.name: f for f in document.entities.figures}
    for name in ("Leon Trotsky", "Rosa Luxemburg", "Max Shachtman", "Stalin", "Tito", "Lenin"):
        assert name in figures, name
    assert "Trotsky" in figures["Leon Trotsky"].aliases
    for not_a_person in ("Soviet Union", "Middle East", "Congress for Cultural Freedom", "NCL"):
        assert not_a_person not in figures
    tito = figures["Tito"]
    assert {p for p in tito.passages} >= {p.index for p in document.passages if "Tito's" in p.text}
    events = {e.name: e for e in document.entities.events}
    assert events["Kronstadt rebellion"].start == (1921, 3)
    assert events["Great Purge"].start == (1936, 0) and events["Great Purge"].end == (1938, 0)
    assert "October Revolution" in events
    assert events["1930s"].covers(1937)


def test_entities_on_a_document_never_seen() -> None:
    document = load_file(SECOND)
    figures = {f.name for f in document.entities.figures}
    assert {"Louise Michel", "Karl Marx", "Patrice de MacMahon"} <= figures
    events = {e.name for e in document.entities.events}
    assert "Bloody Week" not in figures
    assert "May 1871" in events
    commune = passage_starting(document.passages, "During the Bloody Week")
    assert commune.refs == (5,) and commune.pages == {5: "112"}
    assert passage_starting(document.passages, "The Commune separated").refs == (4,)


def test_load_errors_name_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"Title\n\nfine line\n\xff\xfe broken\n")
    with pytest.raises(KnowledgeError, match=r"bad\.txt line 4: not UTF-8"):
        load_file(bad)
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"empty\.txt: empty document"):
        load_file(empty)
    title_only = tmp_path / "title.txt"
    title_only.write_text("Just a title\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"title\.txt line 1: a title but no passages"):
        load_file(title_only)
    with pytest.raises(KnowledgeError, match="no such file"):
        load_paths([tmp_path / "missing.txt"])
    sidecar = tmp_path / "doc.yaml"
    (tmp_path / "doc.txt").write_text("T\n\nA passage.\n", encoding="utf-8")
    sidecar.write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"doc\.yaml line \d+: not valid YAML"):
        load_file(tmp_path / "doc.txt")
    sidecar.write_text("colour: blue\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="unknown key 'colour'"):
        load_file(tmp_path / "doc.txt")


def test_folder_loads_every_document_sorted(tmp_path: Path) -> None:
    for name in ("b.txt", "a.txt"):
        (tmp_path / name).write_text(f"{name}\n\nText of {name}.\n", encoding="utf-8")
    assert [d.id for d in load_paths([tmp_path])] == ["a", "b"]


@given(st.text())
def test_parser_never_crashes(text: str) -> None:
    try:
        _, passages = split_passages(text, "doc", "doc.txt")
    except KnowledgeError:
        return
    for passage in passages:
        for ref in passage.refs:
            assert str(ref) in passage.text  # never an invented citation


def test_a_refs_file_gives_each_number_its_reference(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A\n\nOne claim.[1] Another.[2]\n", encoding="utf-8")
    (tmp_path / "a.refs.json").write_text(
        '{"1": "Smith, J. (1990). A Book. p. 3.", "2": "See https://example.org/x."}',
        encoding="utf-8",
    )
    (document,) = load_paths([tmp_path / "a.txt"])
    assert document.references[1].text == "Smith, J. (1990). A Book. p. 3."
    assert document.references[1].url is None
    assert document.references[2].url == "https://example.org/x"


def test_sidecar_references_take_the_place_of_a_refs_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A\n\nOne claim.[7]\n", encoding="utf-8")
    (tmp_path / "a.yaml").write_text("references:\n  7: Jones (2001).\n", encoding="utf-8")
    (document,) = load_paths([tmp_path / "a.txt"])
    assert document.references[7].text == "Jones (2001)."


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"one": "x"}', "reference key 'one' is not a number"),
        ('{"1": 5}', "reference 1 must be a text"),
        ('["x"]', "references must map numbers to reference texts"),
        ("{not json", "line 1: not valid JSON"),
    ],
)
def test_a_bad_refs_file_is_refused_by_name(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "a.txt").write_text("A\n\nOne claim.[1]\n", encoding="utf-8")
    (tmp_path / "a.refs.json").write_text(content, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"a\.refs\.json") as error:
        load_paths([tmp_path / "a.txt"])
    assert message in str(error.value)
