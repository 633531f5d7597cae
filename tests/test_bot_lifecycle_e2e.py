"""End to end around the bot's life: restarts, global sync, allow-list, shards, bad config."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.botrun import (
    EPHEMERAL,
    custom_ids,
    rows,
    run_citebot,
    start_bot,
    token_leaked,
    write_config,
)
from tests.fakediscord import FakeDiscord
from tests.fakediscord.fixtures import BotSpawner

GLOBAL_SYNC = r"PUT /applications/\d+/commands$"


def test_buttons_and_votes_survive_a_restart_and_global_sync_runs_once(
    fake_discord: FakeDiscord, spawn_bot: BotSpawner, tmp_path: Path
) -> None:
    server = fake_discord
    config = write_config(tmp_path / "config.yaml", server, sync="global", guild_ids=[])
    db = tmp_path / "feedback.sqlite3"
    voter = server.make_user("voter")

    first = start_bot(spawn_bot, server, config)
    assert {c["name"] for c in server.wait_commands(None)} >= {"ask", "figure", "event"}
    message = server.wait_answer(server.inject_command("ask", {"question": "Trotsky Stalin"}))
    more, up, down = custom_ids(message)
    server.wait_answer(server.inject_button(message["id"], up, user=voter))
    # SIGTERM, as a service manager sends it: a clean stop closes the database too.
    first.proc.send_signal(signal.SIGTERM)
    assert first.proc.wait(10) == 0
    assert not Path(f"{db}-wal").exists()
    assert "shutting down" in first.output()

    second = start_bot(spawn_bot, server, config)
    page = server.wait_answer(server.inject_button(message["id"], more))
    assert page["embeds"][0]["description"].startswith("**4.**")
    changed = server.wait_answer(server.inject_button(message["id"], down, user=voter))
    assert changed["content"] == "Your vote on this answer is now 👎."
    answer_id = int(up.split(":")[2])
    assert rows(db, "SELECT user_id, vote FROM votes WHERE answer_id = ?", answer_id) == [
        (int(voter["id"]), -1)
    ]
    assert len(server.requests_matching(GLOBAL_SYNC)) == 1  # unchanged commands: no second sync
    assert "global commands unchanged" in second.output()
    assert second.stop() == 0
    for proc in (first, second):
        assert not token_leaked(server, proc), "the token appeared in a bot's log"


def test_a_burst_of_answers_stays_clickable_after_the_bot_is_killed(
    fake_discord: FakeDiscord, spawn_bot: BotSpawner, tmp_path: Path
) -> None:
    # Answers are committed before they are sent, in one commit per turn of the event loop:
    # every answer a member saw must work after a crash, not only after a clean stop.
    server = fake_discord
    config = write_config(tmp_path / "config.yaml", server)
    first = start_bot(spawn_bot, server, config)
    server.wait_commands()
    gateway = server.wait_ready()
    asked = [
        server.inject_command("ask", {"question": "Trotsky Stalin"}, user=server.make_user(f"m{n}"))
        for n in range(30)
    ]
    messages = [server.wait_answer(record) for record in asked]
    first.proc.kill()  # SIGKILL: no chance to commit anything on the way out
    first.proc.wait(10)
    server.wait_until(lambda: gateway.closed_at, 10, "the killed bot's gateway closed")

    start_bot(spawn_bot, server, config)
    voter = server.make_user("voter")
    for message in messages:
        more, up, _ = custom_ids(message)
        page = server.wait_answer(server.inject_button(message["id"], more))
        assert page["embeds"][0]["description"].startswith("**4.**")
        vote = server.wait_answer(server.inject_button(message["id"], up, user=voter))
        assert vote["content"] == "Thanks for the feedback: 👍 recorded."


def test_channel_allowlist(
    fake_discord: FakeDiscord, spawn_bot: BotSpawner, tmp_path: Path
) -> None:
    server = fake_discord
    config = write_config(
        tmp_path / "config.yaml", server, channel_allowlist=[int(server.channel_id)]
    )
    start_bot(spawn_bot, server, config)
    server.wait_commands()
    outside = server.wait_answer(
        server.inject_command("ask", {"question": "Trotsky?"}, channel_id=server.other_channel_id)
    )
    assert outside["flags"] & EPHEMERAL
    assert outside["content"] == f"I only answer in these channels: <#{server.channel_id}>."
    silent = server.inject_mention("When was Trotsky exiled?", channel_id=server.other_channel_id)
    inside = server.inject_mention("When was Trotsky exiled?")
    server.wait_reply(inside)
    replies = [(m.get("message_reference") or {}).get("message_id") for m in server.bot_messages()]
    assert silent["id"] not in replies
    assert server.wait_answer(server.inject_command("ask", {"question": "Trotsky?"}))["embeds"]


def test_a_shard_of_two(fake_discord: FakeDiscord, spawn_bot: BotSpawner, tmp_path: Path) -> None:
    server = fake_discord
    config = write_config(tmp_path / "config.yaml", server, shard_count=2, shard_ids=[1])
    start_bot(spawn_bot, server, config)
    server.wait_commands()
    assert server.identify_payloads[-1]["shard"] == [1, 2]
    message = server.wait_answer(server.inject_command("figure", {"name": "Trotsky"}))
    assert message["embeds"][0]["title"] == "Leon Trotsky"


def test_bad_config_exits_2_before_connecting(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    server = fake_discord
    config = write_config(tmp_path / "config.yaml", server)
    missing = run_citebot(["bot", "--config", str(config)], {})
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines() == [missing.stderr.strip()]
    assert "discord.token" in missing.stderr and "DISCORD_TOKEN" in missing.stderr

    no_guild = write_config(tmp_path / "noguild.yaml", server, guild_ids=[])
    guildless = run_citebot(["bot", "--config", str(no_guild)], {"DISCORD_TOKEN": server.token})
    assert guildless.returncode == 2
    assert "discord.guild_ids" in guildless.stderr

    (tmp_path / "blocker").write_text("a file where a folder should be")
    bad_db = write_config(
        tmp_path / "baddb.yaml", server, feedback_db=str(tmp_path / "blocker" / "db.sqlite3")
    )
    unusable = run_citebot(["bot", "--config", str(bad_db)], {"DISCORD_TOKEN": server.token})
    assert unusable.returncode == 2
    assert "discord.feedback_db" in unusable.stderr
    for result in (missing, guildless, unusable):
        assert server.token not in result.stdout + result.stderr, "token in output"
    assert not server.requests  # nothing connected


def test_invite_url_looks_up_the_application(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    server = fake_discord
    config = write_config(tmp_path / "config.yaml", server)
    result = run_citebot(["invite-url", "--config", str(config)], {"DISCORD_TOKEN": server.token})
    assert result.returncode == 0, result.stderr
    url = result.stdout.strip()
    assert url.startswith("https://discord.com/oauth2/authorize?")
    assert f"client_id={server.app_id}" in url
    assert "scope=bot+applications.commands" in url
    assert server.token not in url, "token in the URL"
