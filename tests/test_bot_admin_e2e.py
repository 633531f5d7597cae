"""End to end, the admin features: /stats, /reload (also under a burst and when it fails),
permissions, retention at start and DMs, with `citebot bot` serving one small document that
the tests rewrite (tmp_path) against the fake Discord.

The tests run in file order and share the bot: /stats comes first, so its numbers are exactly
what this module sent.
"""

from __future__ import annotations

import random
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest

from bot.feedback import Asker, FeedbackStore
from tests.botrun import (
    EPHEMERAL,
    Members,
    custom_ids,
    embed_text,
    rows,
    start_bot,
    write_config,
)
from tests.fakediscord import FakeDiscord, InteractionRecord
from tests.fakediscord.fixtures import BotSpawner

DOCUMENT = """Marrow Point Harbour

Marrow Point Harbour is a small fishing harbour on the northern coast. [1] Its lighthouse was \
painted red in 1901 by the harbour board. [2]

The harbourmaster Ada Quint kept the lighthouse lamp burning through the gale of 1903, when the \
harbour wall broke. [3]

Ada Quint later wrote a history of the harbour, which the board printed in 1910. [4]

The fishing fleet grew to forty boats by 1920, and a new quay was built for them. [5]
"""
OLD, NEW = "painted red in 1901", "painted blue in 1950"
QUESTION = "What colour was the lighthouse painted?"
MANAGE_GUILD = str(1 << 5)
ADMIN_ID = 4242
# Filler passages make the new document slow enough to load that questions arrive meanwhile.
FILLER_PASSAGES = 15_000
NOT_ADMIN = "Only members with the Manage Server permission (or configured admins) can use this."
NO_DMS = "I only answer in servers, not in direct messages. Please ask me in a server we share."


def filler(count: int) -> str:
    """Passages of harbour words that answer nothing the tests ask."""
    words = "net tide gull rope sail salt fish wave pier mast hull crab reef buoy".split()
    pick = random.Random(9).choice
    return "\n\n".join(" ".join(pick(words) for _ in range(20)) + "." for _ in range(count))


@dataclass
class Bot(Members):
    """The module's server, bot and files."""

    document: Path
    db: Path
    answer_timeout: ClassVar[float] = 15.0

    def admin(self) -> dict[str, Any]:
        """A member with Manage Server would be anyone with the permission; this is the
        configured admin id, who has no special permission at all."""
        return {**self.user(), "id": str(ADMIN_ID)}

    def reload(self) -> str:
        """/reload by a member with Manage Server; the reply's text."""
        message = self.answer("reload", permissions=MANAGE_GUILD)
        assert message["flags"] & EPHEMERAL
        return str(message["content"])


@pytest.fixture(scope="module")
def bot(
    fake_discord_module: FakeDiscord,
    spawn_bot_module: BotSpawner,
    tmp_path_factory: pytest.TempPathFactory,
) -> Bot:
    server = fake_discord_module
    folder = tmp_path_factory.mktemp("admin")
    document = folder / "harbour.txt"
    document.write_text(DOCUMENT, encoding="utf-8")
    db = folder / "feedback.sqlite3"
    # Questions from before the bot started: one past the 90-day retention, one within it.
    store = FeedbackStore(db)
    asker = Asker(1, int(server.guild_id), int(server.channel_id))
    now = datetime.now(UTC)
    for text, days in (("Too old to keep?", 91), ("Asked ten days ago?", 10)):
        query_id = store.save_query("ask", text, asker, found=False)
        store._db.execute(
            "UPDATE queries SET asked_at = ? WHERE id = ?",
            ((now - timedelta(days=days)).isoformat(timespec="seconds"), query_id),
        )
        store._db.commit()
    store.close()
    config = write_config(folder / "config.yaml", server, admin_ids=[ADMIN_ID])
    text = config.read_text(encoding="utf-8") + f"knowledge: [{document}]\n"
    config.write_text(text, encoding="utf-8")
    start_bot(spawn_bot_module, server, config)
    server.wait_commands()
    return Bot(server, document, db)


def test_old_questions_are_pruned_at_start(bot: Bot) -> None:
    texts = [row[0] for row in rows(bot.db, "SELECT text FROM queries")]
    assert texts == ["Asked ten days ago?"]


def test_stats_counts_what_members_asked_and_voted(bot: Bot) -> None:
    answered = [bot.answer("ask", {"question": QUESTION}) for _ in range(2)]
    bot.answer("figure", {"name": "Ada Quint"})
    for _ in range(2):
        bot.answer("ask", {"question": "What is the capital of Peru?"})
    up, down = custom_ids(answered[0])  # one passage in all: no "More passages"
    for custom_id in (up, down, down):
        press = bot.server.inject_button(answered[0]["id"], custom_id, user=bot.user())
        bot.server.wait_answer(press)

    message = bot.answer("stats", {"period": 7}, user=bot.admin())
    assert message["flags"] & EPHEMERAL
    (embed,) = message["embeds"]
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert fields["Questions"] == "5 asked, 3 answered (60%)"
    assert fields["Votes"] == "👍 1 · 👎 2"
    assert fields["Most asked, not answered"] == "2× What is the capital of Peru?"
    assert fields["Most 👎 answers"].startswith(f"👎 2 👍 1 · {QUESTION} (harbour:")
    assert embed["footer"]["text"] == "Questions are kept 90 days."
    month = bot.answer("stats", {"period": 30}, permissions=MANAGE_GUILD)
    fields = {field["name"]: field["value"] for field in month["embeds"][0]["fields"]}
    assert fields["Questions"] == "6 asked, 3 answered (50%)"  # and the one from ten days ago


def test_members_without_manage_server_are_refused_privately(bot: Bot) -> None:
    for name, options in (("reload", {}), ("stats", {"period": 7})):
        refused = bot.answer(name, options)
        assert refused["flags"] & EPHEMERAL
        assert refused["content"] == NOT_ADMIN


def test_help_gives_examples_from_the_loaded_document(bot: Bot) -> None:
    description = bot.answer("help")["embeds"][0]["description"]
    assert "/figure name:Ada Quint" in description
    assert "/ask question:Who was Ada Quint?" in description
    assert "Trotsky" not in description
    hint = bot.answer("figure", {"name": " "})
    assert hint["content"] == "Please type a name, for example: Ada Quint."


def test_a_failing_reload_keeps_the_old_documents(bot: Bot) -> None:
    bot.document.write_bytes(b"\x00 not a document")
    try:
        reply = bot.reload()
    finally:
        bot.document.write_text(DOCUMENT, encoding="utf-8")
    assert reply.startswith("Reload failed; still serving the previous documents. ")
    assert "harbour.txt" in reply and "\n" not in reply
    assert OLD in embed_text(bot.answer("ask", {"question": QUESTION}))


def test_reload_during_a_burst_swaps_the_documents_at_one_point(bot: Bot) -> None:
    server = bot.server
    before = bot.answer("ask", {"question": "harbour fishing Ada Quint lighthouse boats"})
    bot.document.write_text(
        DOCUMENT.replace(OLD, NEW) + "\n" + filler(FILLER_PASSAGES) + "\n", encoding="utf-8"
    )

    def ask(_: int) -> InteractionRecord:
        return bot.command("ask", {"question": QUESTION})

    with ThreadPoolExecutor(max_workers=8) as pool:
        early = list(pool.map(ask, range(30)))
        reload = bot.command("reload", permissions=MANAGE_GUILD)
        during = list(pool.map(ask, range(30)))
        reply = server.wait_answer(reload, timeout=60)
        reloaded_at = reload.responses[-1].time
        late = list(pool.map(ask, range(20)))
    records = early + during + late
    server.wait_until(lambda: all(r.answer for r in records), timeout=60, what="every answer")

    assert reply["content"].startswith("Reloaded the documents: documents 1 (unchanged), ")
    assert f"passages 4 → {4 + FILLER_PASSAGES}" in reply["content"]
    assert all(r.callback_attempts == 1 and len(r.responses) == 1 for r in records)
    kinds = []
    for record in records:
        text = embed_text(record.answer or {})
        assert (OLD in text) != (NEW in text), "each answer comes from one set of documents"
        kinds.append("old" if OLD in text else "new")
        if record.responses[0].time < reload.injected_at:
            assert OLD in text, "answered before the reload began: the old documents"
        if record.injected_at > reloaded_at:
            assert NEW in text, "asked after the reload's reply: the new documents"
    assert kinds[0] == "old" and kinds[-1] == "new"
    # The old documents kept answering while the new ones loaded.
    meanwhile = [r for r in during if r.responses[0].time < reloaded_at]
    assert any(OLD in embed_text(r.answer or {}) for r in meanwhile)

    # A button of an answer from before the swap, whose passages have changed since.
    more, up, _ = custom_ids(before)
    changed = server.wait_answer(server.inject_button(before["id"], more, user=bot.user()))
    assert changed["flags"] & EPHEMERAL
    assert changed["content"] == (
        "The documents were reloaded since this answer, and its passages changed. Please ask again."
    )
    vote = server.wait_answer(server.inject_button(before["id"], up, user=bot.user()))
    assert vote["content"].startswith("Thanks for the feedback: 👍 recorded. (The documents")


def test_sighup_reloads_too(bot: Bot, spawn_bot_module: BotSpawner) -> None:
    bot.document.write_text(DOCUMENT, encoding="utf-8")
    (proc,) = spawn_bot_module.procs
    proc.proc.send_signal(1)  # SIGHUP
    bot.server.wait_until(
        lambda: "reloaded the documents (SIGHUP)" in proc.output(), timeout=30, what="reload log"
    )
    assert OLD in embed_text(bot.answer("ask", {"question": QUESTION}))


def test_direct_messages_get_a_polite_refusal_by_default(bot: Bot) -> None:
    server = bot.server
    user = bot.user()
    dm = server.inject_dm("What colour was the lighthouse painted?", user=user)
    reply = server.wait_reply(dm)
    assert reply["content"] == NO_DMS
    command = bot.answer("ask", {"question": QUESTION}, user=user, dm=True)
    assert command["flags"] & EPHEMERAL
    assert command["content"] == NO_DMS


def test_direct_messages_are_answered_when_allowed(
    fake_discord: FakeDiscord, spawn_bot: BotSpawner, tmp_path: Path
) -> None:
    server = fake_discord
    config = write_config(tmp_path / "config.yaml", server, allow_dms=True)
    start_bot(spawn_bot, server, config)
    server.wait_commands()
    started = time.monotonic()
    reply = server.wait_reply(server.inject_dm("When was Trotsky exiled?"), timeout=15)
    assert "Trotsky" in embed_text(reply) and time.monotonic() - started < 15
    assert re.search(r"citebot:vote:\d+:up", str(reply["components"]))
    command = server.wait_answer(
        server.inject_command("ask", {"question": "When was Trotsky exiled?"}, dm=True)
    )
    assert "Trotsky" in embed_text(command)
    asked = rows(tmp_path / "feedback.sqlite3", "SELECT guild_id FROM queries")
    assert asked == [(None,), (None,)]  # a DM belongs to no server
