"""`figure` and `event`: entity lists boost answers, the text decides; each rule on its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.search import KnowledgeBase

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
