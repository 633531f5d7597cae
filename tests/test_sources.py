"""Answers from Wikipedia's own formats: every number shown is in its passage, every reference
text shown is the document's own, and section headings find their sections."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.search import KnowledgeBase

DATA = Path(__file__).parent / "data"
KB = KnowledgeBase.from_paths([DATA / "wiki" / "anarchism.wiki", DATA / "html" / "mozilla.html"])
WORDS = sorted(
    {
        word
        for document in KB.documents
        for passage in document.passages
        for word in re.findall(r"[a-z]{4,}", passage.clean.lower())
    }
)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join))
def test_every_number_and_reference_shown_is_the_sources_own(question: str) -> None:
    answer = KB.ask(question, top_k=5)
    for hit in answer.hits:
        document = next(d for d in KB.documents if d.id == hit.document_id)
        for ref in hit.refs:
            assert re.search(rf"\[\s*{ref}\s*\]", hit.text)
        for reference in hit.references:
            assert reference.number in hit.refs
            assert document.references[reference.number] == reference
        for entry in hit.to_json()["references"]:
            assert entry["text"] is None or entry["text"] == document.references[entry["n"]].text


def test_a_section_heading_finds_its_section(tmp_path: Path) -> None:
    article = tmp_path / "Dunmore.wiki"
    article.write_text(
        "'''Dunmore''' is a village.\n\n== Etymology ==\n"
        "The name comes from the Irish words dún and mór.\n\n== Economy ==\n"
        "Tourism and farming employ most people; its etymology was first written down by monks.\n",
        encoding="utf-8",
    )
    kb = KnowledgeBase.from_paths([article])
    assert kb.ask("etymology").hits[0].section == "Etymology"
    # The heading weighs as one word: a passage that says more of the question still wins.
    assert kb.ask("etymology written down by monks").hits[0].section == "Economy"
