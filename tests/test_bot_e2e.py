"""End to end: `citebot bot` as a subprocess against the fake Discord, one bot for the module.

The tests run in file order and share the bot; each uses fresh users so the per-user cooldown
(default 5 questions per 30 s) only bites where a test wants it to. The gateway faults and the
burst come last, and the final test checks the whole recording: nothing answered twice, every
message within Discord's limits and sent with no mentions allowed, the token nowhere in the log.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from retrieval.search import KnowledgeBase
from tests.botrun import (
    EPHEMERAL,
    Members,
    custom_ids,
    embed_text,
    rows,
    start_bot,
    token_leaked,
    write_config,
)
from tests.discord_limits import message_problems
from tests.fakediscord import BotProcess, FakeDiscord, InteractionRecord
from tests.fakediscord.fixtures import BotSpawner

TROTSKY = "Bolshevik revolutionary Leon Trotsky was exiled by Stalin in February 1929. [ 19 ]"
PURGE = "The Great Purge occurred from 1936 to 1938"
ODD = (
    "Z\u0351\u0368a\u0336l\u0337g\u0489o \u202eevil\u202c 👩‍👩‍👧‍👦 🏳️‍🌈 👍🏽 🇫🇷 \u200b\ufeff "
    "\U0001d573\U0001d58a \ud800 \x00\x07 ||spoiler|| `code` **bold** > quote\n# head\n"
)
MESSAGE_CONTENT_INTENT = 1 << 15
PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | MESSAGE_CONTENT_INTENT


@dataclass
class Bot(Members):
    """The module's server, bot process and database, with a supply of fresh users."""

    proc: BotProcess
    db: Path
    expected_errors: set[str] = field(default_factory=set)  # interactions failed on purpose


@pytest.fixture(scope="module")
def bot(
    fake_discord_module: FakeDiscord,
    spawn_bot_module: BotSpawner,
    tmp_path_factory: pytest.TempPathFactory,
) -> Bot:
    server = fake_discord_module
    config = write_config(tmp_path_factory.mktemp("bot") / "config.yaml", server)
    proc = start_bot(spawn_bot_module, server, config)
    server.wait_commands()
    return Bot(server, proc, config.parent / "feedback.sqlite3")


@pytest.fixture(autouse=True)
def _bot_alive(bot: Bot) -> None:
    # Should the bot die, every later test fails at once with its log, instead of timing out.
    bot.proc.assert_alive()


def test_synced_command_set(bot: Bot) -> None:
    commands = {command["name"]: command for command in bot.server.wait_commands()}
    assert set(commands) == {
        "ask",
        "figure",
        "event",
        "ref",
        "timeline",
        "about",
        "help",
        "reload",
        "stats",
    }
    for command in commands.values():
        assert 1 <= len(command["description"]) <= 100
        for option in command.get("options") or []:
            assert 1 <= len(option["description"]) <= 100
    ask = {option["name"]: option for option in commands["ask"]["options"]}
    assert (ask["question"]["type"], ask["question"]["required"]) == (3, True)
    assert (ask["private"]["type"], ask["private"].get("required", False)) == (5, False)
    assert not ask["question"].get("autocomplete")
    for name in ("figure", "event"):
        (option,) = commands[name]["options"]
        assert (option["name"], option["type"], option["required"]) == ("name", 3, True)
        assert option["autocomplete"] is True
    for name in ("timeline", "about", "help", "reload"):
        assert not commands[name].get("options")
    # Hidden from members without Manage Server (Discord's side; the bot checks too).
    for name in ("reload", "stats"):
        assert int(commands[name]["default_member_permissions"]) == 1 << 5  # Manage Server
    (period,) = commands["stats"]["options"]
    assert [choice["value"] for choice in period["choices"]] == [1, 7, 30, 90]
    assert commands["ref"]["options"][0]["min_value"] == 1
    assert None not in bot.server.commands  # discord.sync is "guild": nothing global
    intents = bot.server.identify_payloads[0]["intents"]
    assert not intents & PRIVILEGED_INTENTS


def test_ask_answers_with_verbatim_passages_and_refs(bot: Bot) -> None:
    user = bot.user()
    question = "What did Trotsky criticise about Stalin?"  # more than one page of passages
    ix = bot.command("ask", {"question": question}, user=user)
    message = bot.server.wait_answer(ix)
    assert ix.callback_type == 4
    assert ix.latency is not None and ix.latency < 3
    (embed,) = message["embeds"]
    assert embed["title"] == question
    assert TROTSKY in embed["description"]
    assert "Refs: [19]" in embed["description"]
    assert embed["author"] == {
        "name": "Anti-Stalinist left",
        "url": "https://en.wikipedia.org/wiki/Anti-Stalinist_left",
    }
    assert "CC BY-SA 4.0" in embed["footer"]["text"]
    assert not message["flags"] & EPHEMERAL
    more, up, down = custom_ids(message)
    answer_id = int(more.split(":")[2])
    assert (more, up, down) == (
        f"citebot:more:{answer_id}",
        f"citebot:vote:{answer_id}:up",
        f"citebot:vote:{answer_id}:down",
    )
    stored = rows(
        bot.db,
        "SELECT q.kind, q.text, q.user_id, q.guild_id, q.channel_id, a.first, a.passages"
        " FROM answers a JOIN queries q ON q.id = a.query_id WHERE a.id = ?",
        answer_id,
    )
    server = bot.server
    assert stored[0][:6] == (
        "ask",
        question,
        int(user["id"]),
        int(server.guild_id),
        int(server.channel_id),
        0,
    )
    assert re.fullmatch(
        r'\["anti-stalinist-left:\d+"(, "anti-stalinist-left:\d+")*\]', stored[0][6]
    )


def test_private_ask_is_ephemeral(bot: Bot) -> None:
    message = bot.answer("ask", {"question": "When was Trotsky exiled?", "private": True})
    assert message["flags"] & EPHEMERAL
    assert TROTSKY in embed_text(message)


def test_figure_by_name_and_by_misspelling(bot: Bot) -> None:
    for name in ("Leon Trotsky", "Trotzky"):
        message = bot.answer("figure", {"name": name})
        (embed,) = message["embeds"]
        assert embed["title"] == "Leon Trotsky"
        assert "Trotsky" in embed["description"]
        assert "Refs: [" in embed["description"]


def test_event_by_name_and_by_year(bot: Bot) -> None:
    purge = bot.answer("event", {"name": "Great Purge"})
    assert purge["embeds"][0]["title"] == "Great Purge"
    assert PURGE in purge["embeds"][0]["description"]
    year = bot.answer("event", {"name": "1929"})
    assert TROTSKY in year["embeds"][0]["description"]


def test_unknown_names_get_an_ephemeral_not_found(bot: Bot) -> None:
    figure = bot.answer("figure", {"name": "Qwxz Vbnm"})
    assert figure["flags"] & EPHEMERAL
    assert figure["content"].startswith("No figure named “Qwxz Vbnm” in the loaded documents.")
    assert not figure["embeds"]
    assert not figure["components"]
    event = bot.answer("event", {"name": "Battle of Qwxz"})
    assert event["flags"] & EPHEMERAL
    assert event["content"].startswith("No event named “Battle of Qwxz”")


def test_a_question_the_documents_do_not_cover(bot: Bot) -> None:
    message = bot.answer("ask", {"question": "What is the capital of Peru?"})
    assert message["content"].startswith("The loaded documents don't cover that question.")
    assert not message["embeds"]
    assert not message["components"]


def test_blank_input_gets_a_polite_hint(bot: Bot) -> None:
    for name, options in (("ask", {"question": "   "}), ("figure", {"name": "\u200b "})):
        message = bot.answer(name, options)
        assert message["flags"] & EPHEMERAL
        assert message["content"].startswith("Please type")


def test_autocomplete_prefix_first_then_fuzzy_at_most_25(bot: Bot) -> None:
    server = bot.server

    def choices(command: str, typed: str) -> list[str]:
        ix = server.inject_autocomplete(command, {"name": typed}, focused="name", user=bot.user())
        found = server.wait_choices(ix)
        assert ix.callback_type == 8
        assert ix.latency is not None and ix.latency < 3
        for choice in found:
            assert 1 <= len(choice["name"]) <= 100
            assert len(choice["value"]) <= 100
        return [choice["value"] for choice in found]

    # An empty field lists the documents' people, at most 25 of them, each once.
    known = len(KnowledgeBase.from_paths([]).figures())
    people = choices("figure", "")
    assert len(people) == min(25, known) and len(set(people)) == len(people)
    assert choices("figure", "Tro")[0] == "Leon Trotsky"
    assert "Leon Trotsky" in choices("figure", "trotzky")
    assert "Great Purge" in choices("event", "purg")
    assert "February 1929" in choices("event", "1929")
    assert len(choices("event", "x" * 5000)) <= 25


def test_more_passages_pages_through_every_result(bot: Bot) -> None:
    question = "Trotsky Stalin"
    first = bot.answer("ask", {"question": question})
    total = int(re.search(r"of (\d+)$", first["embeds"][0]["footer"]["text"])[1])  # type: ignore[index]
    assert total > 3
    seen = re.findall(r"\*\*(\d+)\.\*\*", first["embeds"][0]["description"])
    page = first
    while custom_ids(page)[0].startswith("citebot:more:"):
        press = bot.press(page, custom_ids(page)[0])
        page = bot.server.wait_answer(press)
        assert press.callback_type == 4
        assert page["embeds"][0]["title"] == question
        seen += re.findall(r"\*\*(\d+)\.\*\*", page["embeds"][0]["description"])
    assert seen == [str(n) for n in range(1, total + 1)]
    # The last page ends at the last passage: "passages 7 to 9 of 9" or "passage 9 of 9".
    assert re.search(rf"(?:to|passage) {total} of {total}$", page["embeds"][0]["footer"]["text"])


def test_private_answers_page_privately(bot: Bot) -> None:
    first = bot.answer("ask", {"question": "Trotsky Stalin", "private": True})
    press = bot.press(first, custom_ids(first)[0])
    assert bot.server.wait_answer(press)["flags"] & EPHEMERAL


def test_votes_are_stored_one_per_user_and_changeable(bot: Bot) -> None:
    message = bot.answer("ask", {"question": "What was the Kronstadt rebellion?"})
    # One passage in all, shown at once: no "More passages" button, only the votes.
    up, down = custom_ids(message)
    answer_id = int(up.split(":")[2])
    voter, other = bot.user(), bot.user()
    replies = []
    for custom_id, user in ((up, voter), (down, voter), (down, voter), (up, other)):
        reply = bot.server.wait_answer(bot.press(message, custom_id, user=user))
        assert reply["flags"] & EPHEMERAL
        replies.append(reply["content"])
    assert replies == [
        "Thanks for the feedback: 👍 recorded.",
        "Your vote on this answer is now 👎.",
        "You already voted 👎 on this answer.",
        "Thanks for the feedback: 👍 recorded.",
    ]
    votes = rows(
        bot.db, "SELECT user_id, vote FROM votes WHERE answer_id = ? ORDER BY user_id", answer_id
    )
    assert votes == sorted([(int(voter["id"]), -1), (int(other["id"]), 1)])


def test_buttons_of_a_forgotten_answer_say_it_expired(bot: Bot) -> None:
    message = bot.answer("ask", {"question": "What did Trotsky criticise about Stalin?"})
    more, up, _ = custom_ids(message)
    with closing(sqlite3.connect(bot.db)) as db, db:
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("DELETE FROM answers WHERE id = ?", (int(up.split(":")[2]),))
    for custom_id in (more, up):
        reply = bot.server.wait_answer(bot.press(message, custom_id))
        assert reply["flags"] & EPHEMERAL
        assert reply["content"] == "This result has expired. Please ask again."


def test_timeline_pages_in_place(bot: Bot) -> None:
    first = bot.answer("timeline")
    (embed,) = first["embeds"]
    assert embed["title"] == "Timeline"
    assert embed["footer"]["text"].startswith("Page 1 of 2")
    assert [f["name"] for f in embed["fields"][:3]] == ["1920", "March 1921", "February 1929"]
    assert "Kronstadt rebellion" in embed["fields"][1]["value"]
    assert "Refs: [19]" in embed["fields"][2]["value"]
    previous, following = first["components"][0]["components"]
    assert previous["disabled"] and not following["disabled"]
    press = bot.press(first, following["custom_id"])
    second = bot.server.wait_answer(press)
    assert press.callback_type == 7  # the same message, edited
    assert second["id"] == first["id"]
    assert second["embeds"][0]["footer"]["text"].startswith("Page 2 of 2")
    assert len(embed["fields"]) + len(second["embeds"][0]["fields"]) == 10
    back = bot.press(second, second["components"][0]["components"][0]["custom_id"])
    assert bot.server.wait_answer(back)["embeds"][0]["footer"]["text"].startswith("Page 1 of 2")


def test_about_and_help(bot: Bot) -> None:
    about = bot.answer("about")
    assert about["flags"] & EPHEMERAL
    (document,) = about["embeds"][0]["fields"]
    assert document["name"] == "Anti-Stalinist left"
    assert "[Source](https://en.wikipedia.org/wiki/Anti-Stalinist_left)" in document["value"]
    assert "CC BY-SA 4.0" in document["value"]
    assert "Refs: [8] [9]" in about["embeds"][0]["description"]
    help_ = bot.answer("help")
    assert help_["flags"] & EPHEMERAL
    for command in ("/ask", "/figure", "/event", "/timeline", "/about", "/help", "@citebot"):
        assert command in help_["embeds"][0]["description"]


def test_mention_gets_a_reply_with_the_answer(bot: Bot) -> None:
    server = bot.server
    mention = server.inject_mention("when was Trotsky exiled?", user=bot.user())
    reply = server.wait_reply(mention)
    assert TROTSKY in reply["embeds"][0]["description"]
    assert "Refs: [19]" in reply["embeds"][0]["description"]
    assert custom_ids(reply)[1].startswith("citebot:vote:")
    sent = server.requests_matching(rf"POST /channels/{server.channel_id}/messages$")[-1].json
    assert sent["allowed_mentions"] == {"parse": []}
    blank = server.inject_mention("   ", user=bot.user())
    assert server.wait_reply(blank)["content"].startswith("Ask me a question after the mention")


def test_messages_without_a_mention_are_ignored(bot: Bot) -> None:
    server = bot.server
    plain = server.inject_message("When was Trotsky exiled? @everyone", user=bot.user())
    mention = server.inject_mention("When was Trotsky exiled?", user=bot.user())
    server.wait_reply(mention)  # answered in order: the plain message had its chance
    assert not [
        m
        for m in server.bot_messages()
        if (m.get("message_reference") or {}).get("message_id") == plain["id"]
    ]


def test_everyone_and_role_mentions_are_not_pinged(bot: Bot) -> None:
    server = bot.server
    question = f"@everyone @here <@&{server.bot_role_id}> <@{server.user['id']}> Trotsky exiled?"
    ix = bot.command("ask", {"question": question})
    message = server.wait_answer(ix)
    assert ix.callbacks[0].data["allowed_mentions"] == {"parse": []}
    title = message["embeds"][0]["title"]
    assert "@everyone" not in title and "@here" not in title
    assert f"<@&{server.bot_role_id}>" not in title
    assert not message["mention_everyone"] and not message["mention_roles"]
    mention = server.inject_mention(question, user=bot.user())
    assert server.wait_reply(mention)["embeds"]


def test_long_and_odd_questions_stay_within_limits(bot: Bot) -> None:
    long_question = ("When was Trotsky exiled by Stalin? " * 150)[:5000]
    answered = [
        bot.command("ask", {"question": long_question}),
        bot.command("ask", {"question": ODD + " Trotsky exiled"}),
        bot.command("ask", {"question": ODD * 60}),
        bot.command("figure", {"name": "Trotsky " * 625}),
        bot.command("figure", {"name": ODD * 50}),
        bot.command("event", {"name": "1929 " * 1000}),
    ]
    for ix in answered:
        message = bot.server.wait_answer(ix)
        assert not message_problems(ix.callbacks[0].data)
        assert message["content"] or message["embeds"]
    first = bot.server.wait_answer(answered[0])
    assert len(first["embeds"][0]["title"]) <= 256
    assert first["embeds"][0]["title"].endswith("…")
    mention = bot.server.inject_mention(long_question, user=bot.user())
    assert bot.server.wait_reply(mention)["embeds"]


def test_cooldown_per_user(bot: Bot) -> None:
    user = bot.user()
    for _ in range(5):
        message = bot.answer("ask", {"question": "When was Trotsky exiled?"}, user=user)
        assert message["embeds"]
    refused = bot.answer("figure", {"name": "Trotsky"}, user=user)
    assert refused["flags"] & EPHEMERAL
    seconds = re.fullmatch(
        r"You're asking quickly\. Please try again in (\d+) s\.", refused["content"]
    )
    assert seconds is not None and 1 <= int(seconds[1]) <= 30
    mention = bot.server.inject_mention("When was Trotsky exiled?", user=user)
    assert "try again in" in bot.server.wait_reply(mention)["content"]
    assert bot.answer("ask", {"question": "When was Trotsky exiled?"})["embeds"]  # others may


def test_a_failing_response_is_reported_with_an_error_id(bot: Bot) -> None:
    bot.server.fail_requests(r"/callback$", count=1, status=403)
    ix = bot.command("ask", {"question": "When was Trotsky exiled?"})
    message = bot.server.wait_answer(ix)
    bot.expected_errors.add(ix.id)
    assert message["flags"] & EPHEMERAL
    error_id = re.fullmatch(
        r"Sorry, something went wrong \(error id ([0-9a-f]{8})\)\. Please try again\.",
        message["content"],
    )
    assert error_id is not None
    bot.server.wait_until(lambda: f"error {error_id[1]} " in bot.proc.output(), what="error log")
    assert bot.answer("ask", {"question": "When was Trotsky exiled?"})["embeds"]  # still serving


def test_rate_limited_callback_still_answers(bot: Bot) -> None:
    bot.server.rate_limit(r"/callback$", count=2, retry_after=0.3)
    ix = bot.command("ask", {"question": "When was Trotsky exiled?"})
    message = bot.server.wait_answer(ix)
    assert TROTSKY in embed_text(message)
    assert ix.callback_attempts == 1
    attempts = bot.server.requests_matching(rf"/interactions/{ix.id}/[^/]+/callback$")
    assert [request.status for request in attempts] == [429, 429, 200]


@pytest.mark.parametrize("fault", ["close", "reset", "op7", "op9"])
def test_gateway_faults_then_answers_again(bot: Bot, fault: str) -> None:
    server = bot.server
    identified, resumed = server.identify_count, server.resume_count
    before = bot.command("ask", {"question": "When was Trotsky exiled?"})
    server.wait_answer(before)
    {
        "close": lambda: server.close_gateway(4000),
        "reset": server.reset_gateway,
        "op7": server.send_reconnect,
        "op9": server.invalidate_session,
    }[fault]()
    if fault == "op9":
        # An invalidated session loses its events: ask once the bot has identified again.
        server.wait_ready(timeout=30)
        ix = bot.command("ask", {"question": "When was Trotsky exiled?"})
    else:
        # Asked while the bot is away: the event is replayed when it resumes.
        ix = bot.command("ask", {"question": "When was Trotsky exiled?"})
        server.wait_ready(timeout=30)
    assert TROTSKY in embed_text(server.wait_answer(ix, timeout=10))
    if fault == "op9":
        assert server.identify_count == identified + 1
    else:
        assert server.resume_count > resumed
        assert server.identify_count == identified
    for record in (before, ix):
        assert record.callback_attempts == 1


def test_burst_of_200_concurrent_interactions(bot: Bot, capsys: pytest.CaptureFixture[str]) -> None:
    server = bot.server
    users = [bot.user() for _ in range(200)]
    kinds = itertools.cycle(
        [
            ("ask", {"question": "When was Trotsky exiled?"}),
            ("ask", {"question": "What did Tito say about Stalin?"}),
            ("figure", {"name": "Rosa Luxemburg"}),
            ("event", {"name": "Great Purge"}),
            ("ask", {"question": "What is the capital of Peru?"}),
        ]
    )
    jobs = [(user, *next(kinds)) for user in users]

    def inject(job: tuple[dict[str, Any], str, dict[str, Any]]) -> InteractionRecord:
        user, name, options = job
        return server.inject_command(name, options, user=user)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=50) as pool:
        records = list(pool.map(inject, jobs))
    injected = time.monotonic() - started
    server.wait_until(lambda: all(r.answer for r in records), timeout=60, what="all 200 answers")
    latencies = sorted(r.latency for r in records if r.latency is not None)
    answered_once = sum(1 for r in records if r.callback_attempts == 1 and len(r.responses) == 1)
    p50 = statistics.median(latencies)
    p99 = statistics.quantiles(latencies, n=100, method="inclusive")[98]
    with capsys.disabled():
        print(
            f"\nburst: {answered_once}/200 answered exactly once, injected in {injected:.2f} s; "
            f"latency p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
            f"max {latencies[-1] * 1000:.0f} ms"
        )
    assert answered_once == 200
    assert latencies[-1] < 3


def test_the_whole_recording_is_clean(bot: Bot) -> None:
    server = bot.server
    assert not server.errors
    assert not server.unknown_requests
    assert {ix.id for ix in server.double_answered()} <= bot.expected_errors
    sent = 0
    for request in server.requests:
        body = request.json if isinstance(request.json, dict) else None
        if body is None:
            continue
        payload = body.get("data") if request.route.endswith("/callback") else body
        if not payload or not ({"content", "embeds"} & payload.keys()):
            continue
        sent += 1
        assert payload.get("allowed_mentions") == {"parse": []}, request.key
        assert not message_problems(payload), request.key
    assert sent > 250
    assert bot.proc.alive
    assert not token_leaked(server, bot.proc), "the token appeared in the bot's log"
