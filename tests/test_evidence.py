"""The no-answer rule: evidence weighed by general English, each rule on its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.evaluation import load_items
from retrieval.evidence import (
    COMMON_ZIPF,
    english_zipf,
    informativeness,
    term_zipf,
    typo_zipf,
)
from retrieval.search import KnowledgeBase

EVAL = Path(__file__).parent / "data" / "eval"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.from_paths([])


def _document(tmp_path: Path, *passages: str) -> KnowledgeBase:
    path = tmp_path / "note.txt"
    path.write_text("A note\n\n" + "\n\n".join(passages) + "\n", encoding="utf-8")
    return KnowledgeBase.from_paths([path])


def test_the_frequency_table_matches_the_analyzer() -> None:
    # Fails after an analyzer change until bench/make_english_frequency.py is run again.
    assert len(english_zipf()) > 30_000


def test_common_words_weigh_nothing_and_rare_ones_much() -> None:
    assert informativeness("one", in_documents=True) == 0.0
    assert informativeness("kronstadt", in_documents=True) > 3 * informativeness(
        "think", in_documents=True
    )


def test_chat_words_weigh_nothing() -> None:
    for word in ("hey", "lol", "anyon", "question"):
        assert informativeness(word, in_documents=False) == 0.0


def test_a_typo_the_documents_lack_weighs_as_the_word_it_misspells() -> None:
    assert typo_zipf("happend") == pytest.approx(term_zipf("happen"), abs=0.3)
    assert typo_zipf("wich") >= COMMON_ZIPF - 0.5  # "which", a function word
    assert informativeness("happend", in_documents=False) < 1.0


def test_a_word_the_documents_write_is_no_typo() -> None:
    # "Mann" (Scott Mann) is rare; read as a typo it would weigh as the common "man".
    assert informativeness("mann", in_documents=True) > informativeness("mann", in_documents=False)


def test_a_one_passage_document_can_answer(tmp_path: Path) -> None:
    kb = _document(tmp_path, "The lighthouse at Dunmore was built in 1823 by engineer Ada Quill.")
    answer = kb.ask("who built the dunmore lighthouse")
    assert answer.found and not answer.weak and "Ada Quill" in answer.hits[0].text
    assert not kb.ask("how do i bake sourdough bread").found


def test_a_long_chatty_question_is_answered(kb: KnowledgeBase) -> None:
    question = (
        "hey guys quick question, sorry if this is dumb lol but does anyone know when "
        "trotsky got exiled by stalin? thanks"
    )
    answer = kb.ask(question)
    assert answer.found and "exiled by Stalin" in answer.hits[0].text


def test_a_year_counts_as_evidence(kb: KnowledgeBase) -> None:
    answer = kb.ask("what happened in 1948")
    assert answer.found and "1948" in answer.hits[0].text


def test_a_year_inside_a_range_finds_the_range(kb: KnowledgeBase) -> None:
    answer = kb.ask("what happened in 1937")
    assert answer.found and "from 1936 to 1938" in answer.hits[0].text


def test_partial_evidence_answers_and_says_it_is_weak(tmp_path: Path) -> None:
    kb = _document(tmp_path, "The Krakatoa volcano erupted.", "The Perito glacier retreated.")
    both = kb.ask("krakatoa perito fitzroy")
    assert both.found and both.weak  # the documents hold two of the words, no passage two
    assert not kb.ask("krakatoa").weak


QUESTIONS = [
    str(item["ask"]) for item in load_items(EVAL / "anti-stalinist-left.eval.yaml") if "ask" in item
]
VARIANTS = [
    str.lower,
    str.upper,
    lambda q: "  " + "   ".join(q.split()) + "  ",
    lambda q: q.rstrip("?") + "?",
    lambda q: q.rstrip("?"),
]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(QUESTIONS), st.sampled_from(VARIANTS))
def test_case_and_spacing_do_not_change_the_answer(question: str, variant) -> None:  # type: ignore[no-untyped-def]
    kb = KB_FOR_PROPERTIES
    plain, changed = kb.ask(question), kb.ask(variant(question))
    assert plain.found == changed.found and plain.weak == changed.weak
    assert [h.passage for h in plain.hits[:1]] == [h.passage for h in changed.hits[:1]]


KB_FOR_PROPERTIES = KnowledgeBase.from_paths([])


def test_a_term_weighs_the_same_before_and_after_the_table_is_read_whole() -> None:
    # A one-off question finds its few terms in the table's text; a server reads it into a
    # dict first. Both must weigh every term alike.
    english_zipf.cache_clear()
    terms = ["the", "trotski", "kronstadt", "happen", "", "two words", "zzqx", "1937", "which"]
    found = [term_zipf(term) for term in terms]
    assert english_zipf.cache_info().currsize == 0  # not read whole for these
    table = english_zipf()
    assert found == [table.get(term, min(table.values())) for term in terms]
