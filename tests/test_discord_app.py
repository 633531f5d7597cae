"""Citebot's decisions without a connection: admission, allow-list, error reporting."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import discord
import pytest

from bot.config import Config
from bot.discord_app import Citebot
from bot.feedback import FeedbackStore
from retrieval.search import KnowledgeBase

KB = KnowledgeBase.from_paths(())


@dataclass
class Sender:
    """Stands in for InteractionResponse and the follow-up webhook."""

    done: bool = False
    fail: bool = False
    sent: list[tuple[str, bool]] = field(default_factory=list)

    def is_done(self) -> bool:
        return self.done

    async def send_message(self, text: str, *, ephemeral: bool = False) -> None:
        if self.fail:
            raise discord.HTTPException(_Response(), "Unknown interaction")
        self.sent.append((text, ephemeral))

    send = send_message


class _Response:
    status = 404
    reason = "Not Found"


@dataclass
class Channel:
    id: int
    parent_id: int | None = None


@dataclass
class Stub:
    """The parts of a discord.Interaction Citebot looks at."""

    id: int
    channel: Channel = field(default_factory=lambda: Channel(1))
    type: discord.InteractionType = discord.InteractionType.application_command
    expired: bool = False
    response: Sender = field(default_factory=Sender)
    followup: Sender = field(default_factory=Sender)

    @property
    def channel_id(self) -> int:
        return self.channel.id

    def is_expired(self) -> bool:
        return self.expired


@pytest.fixture
def bot(tmp_path: Path) -> Iterator[Citebot]:
    config = Config()
    config = replace(config, discord=replace(config.discord, channel_allowlist=(1, 2)))
    store = FeedbackStore(tmp_path / "db.sqlite3")
    yield Citebot(config, KB, store)
    store.close()


async def test_each_interaction_is_admitted_once(bot: Citebot) -> None:
    first = Stub(10)
    assert await bot.admit(first)
    assert not await bot.admit(Stub(10))
    assert not first.response.sent


async def test_the_allowlist_covers_threads_and_explains_itself(bot: Citebot) -> None:
    assert await bot.admit(Stub(11, Channel(2)))
    assert await bot.admit(Stub(12, Channel(99, parent_id=1)))
    outside = Stub(13, Channel(3))
    assert not await bot.admit(outside)
    assert outside.response.sent == [("I only answer in these channels: <#1>, <#2>.", True)]
    typing = Stub(14, Channel(3), type=discord.InteractionType.autocomplete)
    assert await bot.admit(typing)  # suggestions are harmless; the command itself is refused


async def test_errors_are_reported_with_an_id_wherever_the_interaction_is(
    bot: Citebot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, "citebot")
    fresh = Stub(20)
    await bot.report_error(fresh, RuntimeError("boom"))
    ((text, ephemeral),) = fresh.response.sent
    assert ephemeral and text.startswith("Sorry, something went wrong (error id ")
    error_id = text.split("error id ")[1][:8]
    assert f"error {error_id} while handling interaction 20" in caplog.text
    assert "RuntimeError: boom" in caplog.text

    answered = Stub(21, response=Sender(done=True))
    await bot.report_error(answered, RuntimeError("late"))
    assert answered.followup.sent and not answered.response.sent

    expired = Stub(22, expired=True)
    await bot.report_error(expired, RuntimeError("too late"))
    assert not expired.response.sent and not expired.followup.sent

    gone = Stub(23, response=Sender(fail=True))
    await bot.report_error(gone, RuntimeError("and the reply fails too"))  # no exception

    typing = Stub(24, type=discord.InteractionType.autocomplete)
    await bot.report_error(typing, RuntimeError("in autocomplete"))
    assert not typing.response.sent
