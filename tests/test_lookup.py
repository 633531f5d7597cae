"""`figure` and `event`: entity lists boost answers, the text decides; each rule on its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from knowledge.text import fold
from retrieval.analyzer import analyze
from retrieval.evidence import share
from retrieval.names import PARTIAL_NAME_SHARE, NameTable, Typed, name_score
from retrieval.search import KnowledgeBase
from retrieval.spelling import CloseTerms

CORPUS = Path(__file__).parent / "data" / "corpus"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.from_paths([])


@pytest.mark.parametrize(
    ("typed", "person"),
    [
        ("Marshal Tito", "Tito"),  # titles and roles before a name are dropped
        ("Comrade Stalin", "Stalin"),
        ("historian sheila fitzpatrick", "Sheila Fitzpatrick"),
        ("Vladimir Lenin", "Lenin"),  # a fuller name than the text gives
        ("Josip Broz Tito", "Tito"),
        ("leon trotksy", "Leon Trotsky"),  # a typo in each word
        ("Tito's", "Tito"),
    ],
)
def test_typed_names_resolve_to_the_person(kb: KnowledgeBase, typed: str, person: str) -> None:
    answer = kb.figure(typed)
    assert answer.found and answer.subject == person
    assert person.split()[-1] in answer.hits[0].text


def test_a_name_the_lists_miss_is_searched_in_the_text(tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text(
        "Storms\n\nThe storm hit the coast while Allison watched.\n\n"
        "In 2001 Tropical Storm Allison flooded Houston for days.\n",
        encoding="utf-8",
    )
    answer = KnowledgeBase.from_paths([note]).event("tropical storm allison")
    # The passage with the words side by side comes first, whatever their BM25 order.
    assert answer.found and answer.hits[0].text.startswith("In 2001 Tropical Storm Allison")


def test_events_described_in_lower_case_are_found(kb: KnowledgeBase) -> None:
    assert "their split in 1948" in kb.event("tito stalin split").hits[0].text
    assert "Poland" in kb.event("the war with poland").hits[0].text


def test_not_found_only_when_the_text_shares_nothing_distinctive(kb: KnowledgeBase) -> None:
    for name in ("Napoleon", "king arthur", "moon landing"):
        assert not kb.figure(name).found and not kb.event(name).found


def test_a_date_finds_the_passages_it_falls_in(kb: KnowledgeBase) -> None:
    assert "from 1936 to 1938" in kb.event("1937").hits[0].text
    assert kb.event("the 1930s").found


def test_a_name_with_a_year_is_a_name_not_a_date() -> None:
    kb = KnowledgeBase.from_paths([CORPUS / "anarchism.txt"])
    answer = kb.event("revolutions of 1848")
    assert "revolutions of 1848" in answer.hits[0].text


def test_an_event_answer_shows_each_passage_once(kb: KnowledgeBase) -> None:
    for name in ("Kronstadt rebellion", "Great Purge", "October Revolution"):
        answer = kb.event(name, top_k=25)
        passages = [hit.passage for hit in answer.hits]
        assert len(passages) == len(set(passages))


def test_a_decade_in_a_question_finds_the_dates_inside_it(tmp_path: Path) -> None:
    note = tmp_path / "purges.txt"
    note.write_text(
        "Purges\n\nFrom 1936 to 1938 the purges killed many officers of the army.\n\n"
        "Bread is baked from flour, water and yeast in an oven.\n",
        encoding="utf-8",
    )
    kb = KnowledgeBase.from_paths([note])
    answer = kb.ask("what happened in the 1930s")
    assert answer.found and answer.hits[0].text.startswith("From 1936 to 1938")
    # A decade no date falls in is simply not covered (it used to crash the query).
    assert not kb.ask("what happened in the 1850s").found
    assert not kb.event("the 1850s").found


_WORDS = (
    "kronstadt uprising rebellion the split in first international anarchist congress of 1921 "
    "sailors great purge"
).split()

# The prepared tables must give exactly what a plain scan gives: the same spelling fixes, the
# same resolved names and suggestions, ties included.
_LETTERS = st.text(alphabet="abé ", min_size=0, max_size=7)


@settings(max_examples=200, deadline=None)
@given(
    terms=st.lists(_LETTERS, max_size=60),
    typed=_LETTERS,
    cutoff=st.sampled_from([50.0, 85.0, 100.0]),
)
def test_close_terms_find_what_a_scan_of_the_first_letter_finds(
    terms: list[str], typed: str, cutoff: float
) -> None:
    close = CloseTerms.of(terms)
    same_initial = [t for t in terms if typed and t[:1] == typed[0]]
    expected = process.extractOne(typed, same_initial, scorer=fuzz.ratio, score_cutoff=cutoff)
    assert close.best(typed, cutoff) == (expected[0] if expected and typed else None)
    scanned = process.extract(
        typed, same_initial, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
    )
    assert sorted(close.all(typed, cutoff)) == sorted(m for m, _, _ in scanned if typed)
    # As a cache keeps the tables and a warm start reads them back.
    stored = CloseTerms.from_arrays(terms, close.arrays)
    assert stored.best(typed, cutoff) == close.best(typed, cutoff)
    assert stored.all(typed, cutoff) == close.all(typed, cutoff)


@settings(max_examples=100, deadline=None)
@given(terms=st.lists(_LETTERS, max_size=40), typed=_LETTERS)
def test_close_terms_of_any_letter_read_back_from_their_arrays(
    terms: list[str], typed: str
) -> None:
    close = CloseTerms.of(terms, same_initial=False)
    stored = CloseTerms.from_arrays(terms, close.arrays)
    assert stored.all(typed, 50.0) == close.all(typed, 50.0)
    assert stored.best(typed, 50.0) == close.best(typed, 50.0)


def test_close_terms_refuse_arrays_that_point_past_their_terms() -> None:
    arrays = CloseTerms.of(["horse", "house", "hose"]).arrays
    with pytest.raises(ValueError, match="do not match"):
        CloseTerms.from_arrays(["horse", "house"], arrays)


_NAMES = st.lists(
    st.lists(
        st.sampled_from(
            [
                "Leon",
                "Trotsky",
                "Lev",
                "Tito",
                "St.",
                "Rosa",
                "Luxemburg",
                "purge",
                "of",
                "the",
                "Great",
            ]
        ),
        min_size=1,
        max_size=3,
    ).map(" ".join),
    min_size=1,
    max_size=3,
)


@settings(max_examples=200, deadline=None)
@given(
    entities=st.lists(_NAMES, min_size=1, max_size=12),
    typed=st.lists(
        st.sampled_from(
            [
                "leon",
                "trotksy",
                "Marshal",
                "tito's",
                "rosa",
                "luxembourg",
                "great",
                "purges",
                "st.",
                "lev",
                "the",
                "x",
            ]
        ),
        max_size=4,
    ).map(" ".join),
    partial=st.booleans(),
)
def test_name_table_scores_each_entity_as_its_best_alias(
    entities: list[list[str]], typed: str, partial: bool
) -> None:
    table = NameTable.of([(aliases[0], aliases) for aliases in entities])
    q = Typed(typed)
    expected = [max(name_score(q, fold(a), partial) for a in aliases) for aliases in entities]
    assert table.scores(typed, partial).tolist() == expected


@settings(max_examples=200, deadline=None)
@given(
    typed=st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8).map(" ".join),
    alias=st.lists(st.sampled_from(_WORDS), min_size=1, max_size=4).map(" ".join),
)
def test_shared_weight_is_the_share_of_the_whole_typed_name(typed: str, alias: str) -> None:
    name = Typed(typed)
    expected = share(name.weights, set(analyze(alias))) >= PARTIAL_NAME_SHARE
    assert name.shares_the_distinctive_words(alias) == expected


def test_a_pasted_paragraph_is_searched_as_text_not_scored_as_a_name(kb: KnowledgeBase) -> None:
    pasted = next(hit for hit in kb.ask("Trotsky exiled by Stalin", top_k=1).hits).text
    assert len(pasted.split()) > 16
    for answer in (kb.figure(pasted), kb.event(pasted)):
        assert answer.found and answer.subject is None
        assert answer.hits[0].text == pasted
