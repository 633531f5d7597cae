"""Answers a user sees: analyzer behaviour, ask/figure/event/timeline, abstention, documents."""

from __future__ import annotations

import re
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval import search
from retrieval.analyzer import analyze
from retrieval.search import MAX_QUERY_TERMS, KnowledgeBase, SearchSettings

DATA = Path(__file__).parent / "data"
SECOND = DATA / "second" / "paris-commune.txt"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.from_paths([])


@pytest.fixture(scope="module")
def both() -> KnowledgeBase:
    return KnowledgeBase.from_paths([Path("knowledge/anti-stalinist-left.txt"), SECOND])


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Thalmann", "Thälmann"),
        ("collectivization", "collectivisation"),
        ("labor", "labour"),
        ("Tito's", "Tito"),
        ("TROTSKY", "trotsky"),
        ("broke", "break"),
    ],
)
def test_analyzer_joins_variants(a: str, b: str) -> None:
    assert analyze(a) == analyze(b)


def test_analyzer_compounds_numbers_and_stopwords() -> None:
    assert {"tito", "stalin", "titostalin"} <= set(analyze("Tito-Stalin split"))
    assert {"anti", "antistalinist"} <= set(analyze("anti–Stalinist"))
    assert analyze("in 1921 and the 1930s") == ["1921", "1930s"]
    assert analyze("What was the") == []


@given(st.text())
def test_analyzer_never_crashes(text: str) -> None:
    assert all(term and " " not in term for term in analyze(text))


def test_ask_finds_the_exile_passage_with_its_citation(kb: KnowledgeBase) -> None:
    answer = kb.ask("When was Trotsky exiled?")
    assert answer.found
    top = answer.hits[0]
    assert "exiled by Stalin in February 1929" in top.text
    assert top.refs == (19,)
    assert top.document == "Anti-Stalinist left"
    assert top.source_url == "https://en.wikipedia.org/wiki/Anti-Stalinist_left"


def test_uncited_passage_stays_uncited(kb: KnowledgeBase) -> None:
    answer = kb.ask("degenerated workers' state")
    assert answer.hits[0].text.startswith("From the 1930s and beyond")
    assert answer.hits[0].refs == () and not answer.hits[0].cited


def test_page_locators_reach_the_answer(kb: KnowledgeBase) -> None:
    answer = kb.ask("Were members of the NCL ex-communists?")
    assert answer.hits[0].pages == {56: "31"}


def test_accent_free_question_finds_accented_passage(kb: KnowledgeBase) -> None:
    assert "Thälmann" in kb.ask("Thalmann election poster").hits[0].text


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of France?",
        "How do I bake bread?",
        "",
        "???",
    ],
)
def test_out_of_scope_questions_find_nothing(kb: KnowledgeBase, question: str) -> None:
    answer = kb.ask(question)
    assert not answer.found and answer.hits == ()
    assert answer.to_json()["results"] == []


def test_threshold_is_a_setting() -> None:
    strict = KnowledgeBase.from_paths([], SearchSettings(min_coverage=1.0))
    lenient = KnowledgeBase.from_paths([], SearchSettings(min_coverage=0.0))
    question = "Who wanted free elections and independent trade unions?"
    assert not strict.ask(question).found
    assert lenient.ask(question).found


def test_paging_gives_further_passages(kb: KnowledgeBase) -> None:
    first = kb.ask("Trotsky Stalin", top_k=2)
    second = kb.ask("Trotsky Stalin", top_k=2, offset=2)
    assert first.total == second.total >= 4
    assert {h.passage for h in first.hits}.isdisjoint({h.passage for h in second.hits})


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Trotksy", "Leon Trotsky"),
        ("Rosa Luxembourg", "Rosa Luxemburg"),
        ("shachtmann", "Max Shachtman"),
        ("Tito's", "Tito"),
    ],
)
def test_figure_fuzzy_names(kb: KnowledgeBase, typed: str, name: str) -> None:
    answer = kb.figure(typed)
    assert answer.found and answer.subject == name
    alias_words = name.split()[-1]
    assert all(alias_words in hit.text for hit in answer.hits)


def test_unknown_figure_gives_suggestions(kb: KnowledgeBase) -> None:
    answer = kb.figure("Napoleon Bonaparte")
    assert not answer.found and answer.hits == ()
    assert kb.figure("Leon Trotzky").found  # close enough is still found


def test_events_by_name_and_year(kb: KnowledgeBase) -> None:
    assert kb.event("Kronstadt").hits[0].text.startswith("[8] The Kronstadt rebellion")
    assert kb.event("1937").hits[0].text.startswith("The Great Purge")  # inside 1936–1938
    assert "1929" in kb.event("1929").hits[0].text
    missing = kb.event("Spanish Civil War")
    assert not missing.found


def test_timeline_is_chronological_and_cited(kb: KnowledgeBase) -> None:
    entries = kb.timeline()
    years = [int(re.search(r"\d{4}", e.when).group()) for e in entries]  # type: ignore[union-attr]
    assert years == sorted(years)
    assert any(e.label == "Kronstadt rebellion" and e.when == "March 1921" for e in entries)
    assert all(e.hits for e in entries)


def test_a_date_in_two_documents_cites_and_credits_both(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(
        "Harbour\n\nThe harbour froze in 1905.[2][1]\n\nIn 1905 the ferry stopped.[3][2]\n",
        encoding="utf-8",
    )
    (tmp_path / "b.txt").write_text("Mill\n\nThe mill burned in 1905.[7]\n", encoding="utf-8")
    kb = KnowledgeBase.from_paths([tmp_path])
    (entry,) = [e for e in kb.timeline() if e.when == "1905"]
    assert [hit.text for hit in entry.hits] == [
        "The harbour froze in 1905.[2][1]",
        "In 1905 the ferry stopped.[3][2]",
        "The mill burned in 1905.[7]",
    ]
    # What the timeline shows: its refs in order of first appearance, and both documents.
    assert entry.refs == (2, 1, 3, 7)
    assert [hit.document for hit in entry.sources] == ["Harbour", "Mill"]


def test_autocomplete_prefix_first_and_bounded(kb: KnowledgeBase) -> None:
    assert kb.complete_figure("trot")[0] == "Leon Trotsky"
    assert len(kb.complete_figure("")) <= 25
    assert "Great Purge" in kb.complete_event("purg")


def test_several_documents_say_where_each_result_is_from(both: KnowledgeBase) -> None:
    commune = both.ask("Who fought on the barricades in Paris?")
    assert commune.hits[0].document == "Paris Commune"
    assert commune.hits[0].refs == (2, 3)
    assert both.ask("When was Trotsky exiled?").hits[0].document == "Anti-Stalinist left"
    assert both.figure("Marx").found  # a figure from both documents, merged
    documents = {hit.document for hit in both.figure("Marx", top_k=10).hits}
    assert documents == {"Paris Commune", "Anti-Stalinist left"}


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1, max_size=200))
def test_every_ref_in_an_answer_occurs_in_its_passage(text: str) -> None:
    answer = KB_FOR_PROPERTIES.ask(text, top_k=5)
    for hit in answer.hits:
        for ref in hit.refs:
            assert re.search(rf"\[\s*{ref}\s*\]", hit.text)


KB_FOR_PROPERTIES = KnowledgeBase.from_paths([])


_PASTED_WORDS = st.sampled_from(
    "the of and Stalin's NCL Trotsky anti-Stalinist Thälmann ß ΣΟΦΙΑ 1937 — , . ( ) "
    "collectivisation broke hey".split()
)


@settings(max_examples=100, deadline=None)
@given(
    words=st.lists(_PASTED_WORDS, min_size=20, max_size=1500),
    gaps=st.sampled_from([" ", "  ", "\n", " \u00a0"]),
    prefix=st.integers(min_value=4, max_value=3000),
)
def test_a_pasted_text_is_read_as_its_first_terms(
    kb: KnowledgeBase, words: list[str], gaps: str, prefix: int
) -> None:
    # Only as much of a long text is analysed as its first terms need; they must be exactly
    # the first terms of the whole text (what a question is searched with), wherever the
    # analysed part ends.
    text = gaps.join(words)
    with patch.object(search, "QUERY_PREFIX_CHARS", prefix):
        assert kb._first_terms(text) == kb._analyze(text)[:MAX_QUERY_TERMS]


def test_a_pasted_text_cut_inside_a_word_still_reads_that_word_whole(kb: KnowledgeBase) -> None:
    words = [f"word{chr(97 + n % 26)}{chr(97 + n // 26)}" for n in range(100)]  # 6 letters each
    text = " ".join(words)
    inside_the_last_needed_word = 7 * MAX_QUERY_TERMS - 3
    with patch.object(search, "QUERY_PREFIX_CHARS", inside_the_last_needed_word):
        assert kb._first_terms(text) == kb._analyze(text)[:MAX_QUERY_TERMS]
