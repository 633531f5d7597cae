"""Answer embeds and text helpers: verbatim passages, refs, escaping, and every Discord limit."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import discord
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.embeds import (
    about_embed,
    answer_embed,
    help_embed,
    no_answer_text,
    stats_embed,
)
from bot.feedback import DislikedAnswer, Report
from bot.served import Examples
from bot.text import ELLIPSIS, clean, discord_len, escape, one_line, truncate
from knowledge.article import Reference
from knowledge.document import Document, split_passages
from retrieval.answers import UNCITED, Answer, Hit
from tests.discord_limits import check_embed

URL = "https://en.wikipedia.org/wiki/Anti-Stalinist_left"
ODD = (
    "Z\u0351\u0368\u0303a\u0336\u0321l\u0337g\u0489o "  # combining marks
    "\u202eright-to-left\u202c "
    "👩‍👩‍👧‍👦 🏳️‍🌈 👍🏽 🇫🇷 "
    "\u200b\u2060\ufeff "
    "\U0001d573\U0001d58a\U0001d591\U0001d591\U0001d594 "
    "@everyone @here <@&123456789012345678> <@123456789012345678> "
    "**bold** __u__ `code` ||spoiler|| > quote\n# header\n- item [x](https://evil.example) "
)


def hit(text: str, refs: tuple[int, ...] = (), **kw: object) -> Hit:
    values: dict[str, object] = {
        "pages": {},
        "score": 1.0,
        "document": "Anti-Stalinist left",
        "document_id": "anti-stalinist-left",
        "source_url": URL,
        "licence": "CC BY-SA 4.0",
        "passage": 0,
    }
    values.update(kw)
    return Hit(text=text, refs=refs, **values)  # type: ignore[arg-type]


def answer(*hits: Hit, query: str = "When was Trotsky exiled?", total: int | None = None) -> Answer:
    return Answer(
        query=query, kind="ask", found=True, hits=hits, total=len(hits) if total is None else total
    )


TROTSKY = (
    "Bolshevik revolutionary Leon Trotsky was exiled by Stalin in February 1929. [ 19 ] Trotsky "
    "would become the most vocal and prominent critic of Stalinism in the early 20th century."
)


def test_passage_is_verbatim_with_refs_and_source() -> None:
    embed = answer_embed(
        answer(hit(TROTSKY, (19,)), hit("No tags here.", passage=3), total=7), "When was it?"
    )
    check_embed(embed)
    assert embed.title == "When was it?"
    assert embed.description is not None
    assert TROTSKY in embed.description
    assert "Refs: [19]" in embed.description
    assert UNCITED in embed.description
    assert embed.author.name == "Anti-Stalinist left"
    assert embed.author.url == URL
    assert embed.footer.text is not None
    assert "CC BY-SA 4.0" in embed.footer.text
    assert "passages 1 to 2 of 7" in embed.footer.text


def test_refs_keep_order_and_page_locators() -> None:
    pages = "29\u201330"
    tagged = hit(f"[56]: {pages} text[8][9]", (56, 8, 9), pages={56: pages})
    embed = answer_embed(answer(tagged), "q")
    assert embed.description is not None
    assert "Refs: [56] pp. 29\u201330 [8] [9]" in embed.description
    single = answer_embed(answer(hit("[56]: 31 text", (56,), pages={56: "31"})), "q")
    assert single.description is not None
    assert "Refs: [56] p. 31" in single.description


def test_later_pages_number_from_their_offset() -> None:
    embed = answer_embed(answer(hit("a"), hit("b"), total=9), "q", offset=3)
    assert embed.description is not None
    assert embed.description.startswith("**4.** a")
    assert "**5.** b" in embed.description
    assert embed.footer.text is not None
    assert "passages 4 to 5 of 9" in embed.footer.text


def test_several_documents_link_each_passage() -> None:
    other = hit(
        "other text", document="Other", document_id="other", source_url="https://o.example/x"
    )
    embed = answer_embed(answer(hit("first", (1,)), other), "q")
    assert embed.author.name is None
    assert embed.description is not None
    assert f"[Anti-Stalinist left]({URL})" in embed.description
    assert "[Other](https://o.example/x)" in embed.description


def test_bad_source_url_is_not_linked() -> None:
    embed = answer_embed(answer(hit("t", source_url="javascript:alert(1)")), "q")
    assert embed.author.url is None


def test_caption_is_labelled() -> None:
    embed = answer_embed(answer(hit("A Diego Rivera mural", caption=True)), "q")
    assert embed.description is not None
    assert "Image caption: A Diego Rivera mural" in embed.description


def test_markdown_in_passages_and_questions_is_escaped() -> None:
    embed = answer_embed(
        answer(hit("a *starred* [x](https://evil.example) word")), "**hi** @everyone"
    )
    assert embed.title == "\\*\\*hi\\*\\* @\u200beveryone"
    assert embed.description is not None
    assert "\\*starred\\*" in embed.description
    assert "\\[x](https://evil.example)" in embed.description


def test_long_question_and_passages_fit() -> None:
    long_text = "word " * 1000
    embed = answer_embed(
        answer(*(hit(long_text + str(i), passage=i) for i in range(5)), total=40), "why " * 1250
    )
    check_embed(embed)
    assert embed.title is not None
    assert embed.title.endswith(ELLIPSIS)
    assert embed.description is not None
    assert embed.description.count(ELLIPSIS) == 5
    # The passages share the room evenly, each cut at a word.
    assert "word wo" not in embed.description.replace("word word", "")


def test_short_passages_keep_their_room() -> None:
    embed = answer_embed(answer(hit("short one"), hit("x " * 3000, passage=1)), "q")
    check_embed(embed)
    assert embed.description is not None
    assert "**1.** short one\n" in embed.description


def test_odd_unicode_fits_and_stays_whole() -> None:
    embed = answer_embed(answer(hit(ODD * 40)), ODD * 30)
    check_embed(embed)


@settings(max_examples=150, deadline=None)
@given(
    question=st.text(max_size=6000),
    texts=st.lists(st.text(min_size=1, max_size=3000), min_size=1, max_size=10),
)
def test_any_answer_fits(question: str, texts: list[str]) -> None:
    hits = [hit(text, (8, 9), passage=i) for i, text in enumerate(texts)]
    check_embed(answer_embed(answer(*hits, total=50), question, offset=10))


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=400), limit=st.integers(min_value=0, max_value=300))
def test_truncate_respects_the_limit(text: str, limit: int) -> None:
    cut = truncate(text, limit)
    assert discord_len(cut) <= limit
    if discord_len(text) <= limit:
        assert cut == text
    elif cut:
        assert cut.endswith(ELLIPSIS)
        assert text.startswith(cut[:-1])


def test_truncate_keeps_clusters_whole() -> None:
    family = "👩‍👩‍👧‍👦"
    for limit in range(1, 40):
        cut = truncate(family * 5, limit).removesuffix(ELLIPSIS)
        assert len(cut) % len(family) == 0
    accented = "e\u0301" * 50
    for limit in range(1, 40):
        cut = truncate(accented, limit).removesuffix(ELLIPSIS)
        assert not cut or not unicodedata.combining(accented[len(cut)])


def test_truncate_prefers_word_boundaries_and_keeps_escapes_whole() -> None:
    assert truncate("alpha beta gamma delta", 13) == "alpha beta…"
    cut = truncate(escape("a" * 9 + "*" * 20), 12)
    assert cut.endswith(ELLIPSIS)
    assert (len(cut[:-1]) - len(cut[:-1].rstrip("\\"))) % 2 == 0


def test_astral_characters_count_twice() -> None:
    assert discord_len("\U0001d573") == 2
    assert discord_len(truncate("\U0001d573" * 200, 256)) <= 256


def test_clean_and_one_line() -> None:
    assert clean("a\x00b\u0007c\nd\te\ud800f") == "abc\nd\te\ufffdf"
    assert one_line("  a\n\n b\t c ") == "a b c"


def test_escape_defuses_mentions() -> None:
    text = escape("@everyone @here <@&123456789012345678>")
    assert "@everyone" not in text
    assert "@here" not in text
    assert "<@&1" not in text


def test_no_answer_text() -> None:
    empty = Answer(query="What is the capital of Peru?", kind="ask", found=False)
    assert no_answer_text(empty) == "The loaded documents don't cover that question."
    hinted = Answer(query="q", kind="ask", found=False, suggestions=("Leon Trotsky", "Great Purge"))
    assert "Leon Trotsky, Great Purge" in no_answer_text(hinted)
    figure = Answer(
        query="Trotzky @here", kind="figure", found=False, suggestions=("Leon Trotsky",)
    )
    text = no_answer_text(figure)
    assert text.startswith("No figure named “Trotzky @\u200bhere”")
    assert text.endswith("Did you mean: Leon Trotsky?")
    event = Answer(query="x" * 5000, kind="event", found=False, suggestions=("y" * 3000,) * 30)
    assert discord_len(no_answer_text(event)) <= 2000


def test_help_lists_every_command_with_the_documents_examples() -> None:
    examples = Examples(question="Who was Ada Lovelace?", figure="Ada Lovelace", event=None, ref=4)
    embed = help_embed(examples)
    check_embed(embed)
    assert embed.description is not None
    for command in ("/ask", "/figure", "/event", "/timeline", "/about", "/help", "@citebot"):
        assert command in embed.description
    assert "/figure name:Ada Lovelace" in embed.description
    assert "/ask question:Who was Ada Lovelace?" in embed.description
    assert "/event name:<event or year>" in embed.description  # none found: a placeholder
    assert "/ref number:4" in embed.description
    odd = Examples(question="*" * 3000, figure="@everyone", event="`x`" * 500, ref=None)
    check_embed(help_embed(odd))


def test_about_lists_documents_within_limits() -> None:
    text = "Anti-Stalinist left\n\n[8] First passage.\n\nSecond passage.\n"
    title, passages = split_passages(text, "asl", "asl.txt")
    document = Document(
        id="asl", title=title, passages=passages, source_url=URL, licence="CC BY-SA 4.0"
    )
    embed = about_embed([document])
    check_embed(embed)
    assert embed.fields[0].name == "Anti-Stalinist left"
    assert f"[Source]({URL})" in (embed.fields[0].value or "")
    assert "CC BY-SA 4.0" in (embed.fields[0].value or "")
    assert embed.footer.text == "1 document loaded"
    one = Document(id="one", title="One", passages=passages[:1])
    assert "1 passage" in (about_embed([one]).fields[0].value or "").splitlines()
    many = [
        Document(id=str(i), title="T" * 500, passages=passages, source_url=URL + "x" * 900)
        for i in range(40)
    ]
    big = about_embed(many)
    check_embed(big)
    assert len(big.fields) == 25
    assert big.fields[-1].value == "and 16 more documents"


def test_embed_is_a_discord_embed() -> None:
    assert isinstance(answer_embed(answer(hit("t")), "q"), discord.Embed)


def _references(count: int, text: str, url: str | None) -> tuple[Reference, ...]:
    return tuple(Reference(n, f"{text} {n}", url) for n in range(1, count + 1))


def test_sources_link_numbers_only_to_web_addresses() -> None:
    linked = hit(TROTSKY, (1,), references=(Reference(1, "Deutscher 1963", "https://x.org/a"),))
    unlinked = [
        hit(TROTSKY, (1,), references=(Reference(1, "Deutscher 1963", url),))
        for url in ("javascript:alert(1)", "ftp://x.org/a", "data:text/html,hi")
    ]
    (field,) = answer_embed(answer(linked), "q").fields
    assert field.name == "Sources of 1" and field.value == "[[1]](https://x.org/a) Deutscher 1963"
    for one in unlinked:
        assert answer_embed(answer(one), "q").fields[0].value == "[1] Deutscher 1963"


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 5),  # a page of passages, short enough that they fit whole
    st.integers(1, 30),
    st.text(min_size=1, max_size=600),
    st.sampled_from([None, "https://example.org/" + "p" * 400]),
)
def test_sources_fit_every_limit_and_never_cut_a_passage_first(
    passages: int, per_passage: int, text: str, url: str | None
) -> None:
    refs = tuple(range(1, per_passage + 1))
    bodies = [f"Passage {i}. " + "word " * 60 for i in range(passages)]
    shown = [hit(body, refs, references=_references(per_passage, text, url)) for body in bodies]
    embed = answer_embed(answer(*shown), "a question")
    check_embed(embed)
    # The passages fit whole (these are short); references take only the room left.
    for body in bodies:
        assert body.strip() in (embed.description or "")


def test_stats_stay_within_limits_and_escape_what_members_typed() -> None:
    since = datetime.now(UTC)
    disliked = tuple(
        DislikedAnswer(n, "ask", "**bold** @everyone " * 200, ("doc:1",) * 50, 3, 1)
        for n in range(10)
    )
    report = Report(since, 12, 3, 4, 30, (("`x` " * 500, 7),) * 10, disliked)
    embed = stats_embed(report, 90, 30)
    check_embed(embed)
    fields = {field.name: field.value for field in embed.fields}
    assert fields["Questions"] == "12 asked, 3 answered (25%)"
    assert "**bold**" not in fields["Most 👎 answers"]
    assert embed.footer.text == "Questions are kept 30 days, so this covers 30."
    empty = stats_embed(Report(since, 0, 0, 0, 0, (), ()), 7, 90)
    assert {field.name: field.value for field in empty.fields}["Questions"] == (
        "0 asked, 0 answered (—)"
    )
