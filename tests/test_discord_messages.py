"""Which raw gateway messages reach the asking cog (the rest are dropped before parsing)."""

from __future__ import annotations

from typing import Any

from bot.discord_app import may_be_question

ME = 4242
HUMAN = {"id": "7", "username": "member"}


def message(**fields: Any) -> dict[str, Any]:
    """A MESSAGE_CREATE payload in a server, from a human, mentioning nobody."""
    return {"id": "1", "guild_id": "9", "author": HUMAN, "mentions": [], **fields}


def test_a_mention_of_the_bot_by_a_member_is_a_question() -> None:
    assert may_be_question(message(mentions=[{"id": str(ME)}]), ME)
    assert may_be_question(message(mentions=[{"id": "5"}, {"id": str(ME)}]), ME)


def test_chatter_that_does_not_mention_the_bot_is_dropped() -> None:
    assert not may_be_question(message(), ME)
    assert not may_be_question(message(mentions=[{"id": "5"}]), ME)


def test_messages_from_bots_are_dropped_including_the_bots_own_answers() -> None:
    own = {"id": str(ME), "username": "citebot", "bot": True}
    assert not may_be_question(message(author=own), ME)
    other_bot = {"id": "8", "username": "other", "bot": True}
    assert not may_be_question(message(author=other_bot, mentions=[{"id": str(ME)}]), ME)


def test_a_direct_message_is_a_question_without_a_mention() -> None:
    dm = {"id": "1", "channel_id": "3", "author": HUMAN, "mentions": []}
    assert may_be_question(dm, ME)


def test_nothing_is_a_question_before_the_bot_knows_who_it_is() -> None:
    assert not may_be_question(message(mentions=[{"id": str(ME)}]), None)
