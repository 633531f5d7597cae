"""The bot's batched writes: committed once per turn of its event loop, before it answers."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from bot.config import Config
from bot.discord_app import CitebotBot, create_bot
from bot.feedback import Asker, FeedbackStore
from bot.served import Served
from retrieval.search import KnowledgeBase
from tests.test_feedback import hit

ASKER = Asker(user_id=7, guild_id=111, channel_id=222)
KB = KnowledgeBase.from_paths(())
HIT = hit(0)


def seen_elsewhere(path: Path) -> list[str]:
    """The questions another connection (the CLI's export, a test) can read."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as reader:
        return [row[0] for row in reader.execute("SELECT text FROM queries ORDER BY id")]


def test_batched_writes_are_readable_here_at_once_and_elsewhere_after_commit(
    tmp_path: Path,
) -> None:
    path = tmp_path / "f.sqlite3"
    store = FeedbackStore(path)
    writes: list[None] = []
    store.batch_writes(lambda: writes.append(None))
    query_id = store.save_query("ask", "first?", ASKER, found=True)
    answer_id = store.save_page(query_id, 0, [HIT])
    store.save_query("ask", "second?", ASKER, found=False)
    assert store.vote(answer_id, 1, 1) is None
    assert len(writes) == 4
    stored = store.answer(answer_id)
    assert stored is not None and stored.query == "first?"  # a button press reads it back
    assert seen_elsewhere(path) == []
    store.commit()
    assert seen_elsewhere(path) == ["first?", "second?"]
    store.close()


def test_closing_commits_what_is_pending(tmp_path: Path) -> None:
    path = tmp_path / "f.sqlite3"
    store = FeedbackStore(path)
    store.batch_writes(lambda: None)
    store.save_query("ask", "last words?", ASKER, found=True)
    store.close()
    assert seen_elsewhere(path) == ["last words?"]


@pytest.fixture
def bot(tmp_path: Path) -> Iterator[CitebotBot]:
    store = FeedbackStore(tmp_path / "bot.sqlite3")
    yield create_bot(Config(), Served.of(KB), store, lambda: KB)
    store.close()


async def write_and_wait(bot: CitebotBot, text: str) -> list[str]:
    """A request's part: save its query, wait for the commit as `send` does before answering,
    then what another connection to the database sees."""
    bot.store.save_query("ask", text, ASKER, found=True)
    await bot.committed()
    return seen_elsewhere(bot.store.path)


async def test_the_bot_commits_a_turns_writes_together_before_answering(
    bot: CitebotBot, tmp_path: Path
) -> None:
    first, second = await asyncio.gather(write_and_wait(bot, "one?"), write_and_wait(bot, "two?"))
    assert first == second == ["one?", "two?"]  # one commit for both
    await bot.committed()  # nothing pending: returns at once
    assert seen_elsewhere(tmp_path / "bot.sqlite3") == ["one?", "two?"]


def test_outside_the_event_loop_writes_commit_at_once(bot: CitebotBot, tmp_path: Path) -> None:
    bot.store.save_query("ask", "no loop?", ASKER, found=True)
    assert seen_elsewhere(tmp_path / "bot.sqlite3") == ["no loop?"]


async def test_a_cancelled_request_leaves_the_turns_commit_to_the_others(bot: CitebotBot) -> None:
    gone = asyncio.create_task(write_and_wait(bot, "cancelled?"))
    kept = asyncio.create_task(write_and_wait(bot, "kept?"))
    await asyncio.sleep(0)  # both have written and wait for the commit
    gone.cancel()
    assert await kept == ["cancelled?", "kept?"]  # its rows were written before it was cancelled
    assert gone.cancelled()


async def test_a_failed_commit_reaches_every_request_of_the_turn(
    bot: CitebotBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail() -> None:
        raise sqlite3.OperationalError("disk I/O error")

    async def request(text: str) -> None:
        bot.store.save_query("ask", text, ASKER, found=True)
        await bot.committed()

    monkeypatch.setattr(bot.store, "commit", fail)
    results = await asyncio.gather(request("one?"), request("two?"), return_exceptions=True)
    assert [str(error) for error in results] == ["disk I/O error", "disk I/O error"]
