"""The bot's decisions without a connection: the one check, the error handler, examples."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import discord
import pytest

from bot.cogs.answers import blank_hint
from bot.config import Config
from bot.discord_app import ADMINS_ONLY, NO_DMS, NOT_ADMIN, CitebotBot, create_bot
from bot.feedback import FeedbackStore, passage_digest
from bot.served import Counts, Served, describe_change
from retrieval.search import KnowledgeBase

KB = KnowledgeBase.from_paths(())
SERVED = Served.of(KB)
ADMIN_ID = 77


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
class User:
    id: int = 5


@dataclass
class Command:
    extras: dict[str, object] = field(default_factory=dict)


@dataclass
class Stub:
    """The parts of a discord.Interaction the bot looks at."""

    id: int
    channel: Channel = field(default_factory=lambda: Channel(1))
    type: discord.InteractionType = discord.InteractionType.application_command
    expired: bool = False
    response: Sender = field(default_factory=Sender)
    followup: Sender = field(default_factory=Sender)
    guild_id: int | None = 1000
    user: User = field(default_factory=User)
    command: Command | None = None
    permissions: discord.Permissions = field(default_factory=discord.Permissions.none)

    @property
    def channel_id(self) -> int:
        return self.channel.id

    def is_expired(self) -> bool:
        return self.expired


@pytest.fixture
def bot(tmp_path: Path) -> Iterator[CitebotBot]:
    config = Config()
    settings = replace(config.discord, channel_allowlist=(1, 2), admin_ids=(ADMIN_ID,))
    store = FeedbackStore(tmp_path / "db.sqlite3")
    yield create_bot(replace(config, discord=settings), SERVED, store, lambda: KB)
    store.close()


async def test_each_interaction_is_admitted_once(bot: CitebotBot) -> None:
    first = Stub(10)
    assert await bot.admit(first)
    assert not await bot.admit(Stub(10))
    assert not first.response.sent


async def test_the_allowlist_covers_threads_and_explains_itself(bot: CitebotBot) -> None:
    assert await bot.admit(Stub(11, Channel(2)))
    assert await bot.admit(Stub(12, Channel(99, parent_id=1)))
    outside = Stub(13, Channel(3))
    assert not await bot.admit(outside)
    assert outside.response.sent == [("I only answer in these channels: <#1>, <#2>.", True)]
    typing = Stub(14, Channel(3), type=discord.InteractionType.autocomplete)
    assert await bot.admit(typing)  # suggestions are harmless; the command itself is refused


async def test_errors_are_reported_with_an_id_wherever_the_interaction_is(
    bot: CitebotBot, caplog: pytest.LogCaptureFixture
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


async def test_direct_messages_are_refused_politely_unless_allowed(
    bot: CitebotBot, tmp_path: Path
) -> None:
    dm = Stub(30, Channel(500), guild_id=None)
    assert not await bot.admit(dm)
    assert dm.response.sent == [(NO_DMS, True)]
    config = replace(bot.config, discord=replace(bot.config.discord, allow_dms=True))
    store = FeedbackStore(tmp_path / "dms.sqlite3")
    open_bot = create_bot(config, SERVED, store, lambda: KB)
    # A DM channel is in no allow-list; allowing DMs is what admits it.
    assert await open_bot.admit(Stub(31, Channel(500), guild_id=None))
    # Admin commands stay for admins: in a DM, /stats would cover every server.
    stats = Command({ADMINS_ONLY: True})
    stranger = Stub(32, Channel(500), guild_id=None, command=stats)
    assert not await open_bot.admit(stranger)
    assert stranger.response.sent == [(NOT_ADMIN, True)]
    assert await open_bot.admit(
        Stub(33, Channel(500), guild_id=None, command=stats, user=User(ADMIN_ID))
    )
    store.close()


async def test_admin_commands_need_manage_server_or_a_configured_id(bot: CitebotBot) -> None:
    admin_only = Command({ADMINS_ONLY: True})
    member = Stub(40, command=admin_only)
    assert not await bot.admit(member)
    assert member.response.sent == [(NOT_ADMIN, True)]
    manager = Stub(41, command=admin_only, permissions=discord.Permissions(manage_guild=True))
    assert await bot.admit(manager)
    assert await bot.admit(Stub(42, command=admin_only, user=User(ADMIN_ID)))
    assert await bot.admit(Stub(43, command=Command()))  # other commands: everyone


def test_examples_and_hints_come_from_the_loaded_documents() -> None:
    examples = SERVED.examples
    names = {name for name, _, _ in KB.figures()}
    assert examples.figure in names
    assert examples.event in {name for name, _, _ in KB.events()}
    assert examples.question is not None and KB.ask(examples.question, 1).found
    assert examples.ref in KB.cited_numbers()
    assert blank_hint("figure", SERVED) == f"Please type a name, for example: {examples.figure}."


def test_a_reload_says_what_changed() -> None:
    before, after = Counts(1, 30, 5, 4), Counts(2, 41, 5, 6)
    assert describe_change(before, after) == (
        "documents 1 → 2, passages 30 → 41, people 5 (unchanged), events 4 → 6"
    )


def test_a_passage_id_names_a_digest_only_while_the_passage_exists() -> None:
    document = KB.documents[0]
    first = f"{document.id}:0"
    assert SERVED.digest(first) == passage_digest(document.passages[0].text)
    assert SERVED.digest(f"{document.id}:{len(document.passages)}") is None
    assert SERVED.digest("no-such-document:0") is None
    assert SERVED.digest(f"{document.id}:x") is None
