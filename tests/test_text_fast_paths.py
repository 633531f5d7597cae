"""The fast paths of bot.text give exactly what the general code gives."""

from __future__ import annotations

from pathlib import Path

import discord
import pytest

from bot.text import discord_len, escape, has_words

CORPUS = Path(__file__).parent / "data" / "corpus"
KNOWLEDGE = Path(__file__).parent.parent / "knowledge"

TRICKY = [
    "",
    "plain words, nothing to escape",
    "snake_case and 2*3 and a|b and `code` and ~strike~ and back\\slash",
    "> a quote",
    ">>> a block quote",
    "  - a list item",
    "text\n- a list item on the next line",
    "# a heading",
    "### a smaller one",
    "not # a heading, not - a list, not > a quote",
    "a [masked](https://example.com) link",
    "a [citation] (not a link) and [8] tags",
    "https://example.com/under_score?x=*y* stays a link",
    "<https://example.com/a_b>",
    "@everyone and @here and <@123456789012345678> and @12345678901234567890",
    "an email a@b.example and an @ alone",
    "👋🏽 emoji, e\u0301 combining, 漢字, and a lone \ud800 surrogate",
]


def general_escape(text: str) -> str:
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def texts() -> list[str]:
    """Every paragraph and line of the test articles and the bundled one, and tricky cases."""
    found = list(TRICKY)
    for path in [*sorted(CORPUS.glob("*.txt")), *sorted(KNOWLEDGE.glob("*.txt"))]:
        whole = path.read_text(encoding="utf-8")
        found += whole.split("\n\n") + whole.splitlines()
    return found


def test_escape_matches_discord_py_on_real_and_tricky_text() -> None:
    cases = texts()
    assert len(cases) > 500
    mismatched = [text for text in cases if escape(text) != general_escape(text)]
    assert mismatched == []


@pytest.mark.parametrize("text", TRICKY)
def test_discord_len_counts_utf16_units(text: str) -> None:
    assert discord_len(text) == len(text.encode("utf-16-le", "surrogatepass")) // 2


def test_discord_len_counts_astral_characters_twice() -> None:
    assert discord_len("abc") == 3
    assert discord_len("é") == 1
    assert discord_len("👋") == 2


def test_has_words_is_any_letter_or_digit_of_any_script() -> None:
    for text in [*TRICKY, "___", "…!?", "\u200b\u200d", " \t\n", "٣", "ß", "_x_", "①"]:
        assert has_words(text) == any(char.isalnum() for char in text), text
