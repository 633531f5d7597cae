"""End-to-end check of tests/fakediscord with a tiny real discord.py bot in a subprocess."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from tests.fakediscord import BotProcess, FakeDiscord
from tests.fakediscord.fixtures import (
    BotSpawner,
    fake_discord,
    fake_discord_module,
    spawn_bot_module,
)
from tests.fakediscord.payloads import JSON

__all__ = ["fake_discord", "fake_discord_module", "spawn_bot_module"]  # fixtures used here

BOT_SCRIPT = """
import os

import discord
import yarl
from discord import app_commands

discord.http.Route.BASE = f"{os.environ['FAKEDISCORD_API_BASE']}/api/v10"
discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["FAKEDISCORD_GATEWAY"])
GUILD = discord.Object(int(os.environ["FAKEDISCORD_GUILD_ID"]))
TOPICS = ["citations", "climate", "cities", "cinema", "history"]


class MoreView(discord.ui.View):
    @discord.ui.button(label="More", custom_id="more")
    async def more(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content="more: expanded", view=None)


class Bot(discord.Client):
    def __init__(self) -> None:
        intents = discord.Intents.default()
        intents.message_content = True
        super().__init__(intents=intents)
        self.tree = app_commands.CommandTree(self)

    async def setup_hook(self) -> None:
        self.tree.copy_global_to(guild=GUILD)
        await self.tree.sync(guild=GUILD)

    async def on_ready(self) -> None:
        print("READY as", self.user, flush=True)

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or self.user not in message.mentions:
            return
        question = message.content.split(">", 1)[-1].strip()
        await message.reply(f"pong: {question}", mention_author=False)


client = Bot()


@client.tree.command(name="ask", description="Ask a question")
@app_commands.describe(question="What to ask")
async def ask(interaction: discord.Interaction, question: str, private: bool = False) -> None:
    embed = discord.Embed(title="Answer", description=f"echo: {question}")
    await interaction.response.send_message(embed=embed, view=MoreView(), ephemeral=private)


@ask.autocomplete("question")
async def ask_autocomplete(interaction: discord.Interaction, current: str):
    return [app_commands.Choice(name=t, value=t) for t in TOPICS if t.startswith(current)]


@client.tree.command(name="slow", description="Deferred answer")
async def slow(interaction: discord.Interaction, question: str) -> None:
    await interaction.response.defer(thinking=True)
    await interaction.edit_original_response(content=f"slow: {question}")


client.run(os.environ["FAKEDISCORD_TOKEN"])
"""


@pytest.fixture(scope="module")
def bot_process(
    fake_discord_module: FakeDiscord,
    spawn_bot_module: BotSpawner,
    tmp_path_factory: pytest.TempPathFactory,
) -> BotProcess:
    """The tiny bot, started once per module; commands synced and gateway ready."""
    script = tmp_path_factory.mktemp("tinybot") / "tinybot.py"
    script.write_text(BOT_SCRIPT)
    server = fake_discord_module
    proc = spawn_bot_module([sys.executable, str(script)], env=server.bot_env(), server=server)
    server.wait_commands(timeout=20)
    server.wait_ready(timeout=20)
    return proc


@pytest.fixture
def server(fake_discord_module: FakeDiscord, bot_process: BotProcess) -> Iterator[FakeDiscord]:
    """The module's server, with the bot alive and connected before and after each test."""
    bot_process.assert_alive()
    fake_discord_module.wait_ready()
    yield fake_discord_module
    bot_process.assert_alive()
    assert fake_discord_module.errors == []


def _ask(server: FakeDiscord, question: str, timeout: float = 5.0) -> JSON:
    ix = server.inject_command("ask", {"question": question})
    msg = server.wait_answer(ix, timeout)
    assert msg["embeds"][0]["description"] == f"echo: {question}"
    assert ix.callback_attempts == 1
    return msg


def test_commands_synced_to_guild(server: FakeDiscord) -> None:
    commands = {c["name"]: c for c in server.commands[server.guild_id]}
    assert set(commands) == {"ask", "slow"}
    assert None not in server.commands  # nothing global
    options = {o["name"]: o for o in commands["ask"]["options"]}
    assert options["question"] == {
        "type": 3,
        "name": "question",
        "description": "What to ask",
        "required": True,
        "autocomplete": True,
    }
    assert options["private"]["type"] == 5 and not options["private"]["required"]
    identify = server.identify_payloads[0]
    assert "token" not in identify and identify["intents"] & (1 << 15)  # message content
    assert server.connections[0].path == "/gateway"


def test_command_answered_with_embed(server: FakeDiscord) -> None:
    ix = server.inject_command("ask", {"question": "what is a citation?"})
    msg = server.wait_answer(ix)
    assert ix.callback_type == 4 and ix.callback_attempts == 1
    assert msg["embeds"][0] == {
        "flags": 0,
        "type": "rich",
        "title": "Answer",
        "description": "echo: what is a citation?",
    }
    assert msg["components"][0]["components"][0]["custom_id"] == "more"
    assert msg["interaction_metadata"]["user"]["id"] == server.user["id"]
    assert ix.latency is not None and ix.latency < 3
    private = server.inject_command("ask", {"question": "secret", "private": True})
    assert server.wait_answer(private)["flags"] & 64  # ephemeral


def test_deferred_command_then_edit(server: FakeDiscord) -> None:
    ix = server.inject_command("slow", {"question": "later"})
    msg = server.wait_answer(ix)
    assert [(r.kind, r.type) for r in ix.responses] == [("callback", 5), ("edit", None)]
    assert msg["content"] == "slow: later" and ix.original is not None


def test_autocomplete_choices(server: FakeDiscord) -> None:
    ix = server.inject_autocomplete("ask", {"question": "ci"}, focused="question")
    choices = server.wait_choices(ix)
    assert [c["value"] for c in choices] == ["citations", "cities", "cinema"]
    assert ix.callback_type == 8 and ix.answer is None


def test_button_press_round_trip(server: FakeDiscord) -> None:
    answer = _ask(server, "button?")
    press = server.inject_button(answer, "more")
    updated = server.wait_answer(press)
    assert press.callback_type == 7
    assert updated["id"] == answer["id"] and updated["content"] == "more: expanded"
    assert updated["components"] == [] and updated["embeds"] == answer["embeds"]


def test_mention_reply(server: FakeDiscord) -> None:
    question = server.inject_mention("are you there?")
    reply = server.wait_reply(question)
    assert reply["content"] == "pong: are you there?"
    assert reply["type"] == 19 and reply["referenced_message"]["id"] == question["id"]
    server.inject_message("no mention here")
    replies = [m for m in server.bot_messages() if m.get("message_reference")]
    assert len([m for m in replies if m["message_reference"]["message_id"] == question["id"]]) == 1


@pytest.mark.parametrize("fault", ["close-4000", "close-1001", "reset", "op7"])
def test_gateway_fault_is_resumed(server: FakeDiscord, fault: str) -> None:
    before = _ask(server, f"before {fault}")
    identifies, resumes = server.identify_count, server.resume_count
    if fault.startswith("close-"):
        server.close_gateway(int(fault.split("-")[1]))
    elif fault == "reset":
        server.reset_gateway()
    else:
        server.send_reconnect()
    # Injected while the bot is away: buffered and replayed on RESUME.
    ix = server.inject_command("ask", {"question": f"during {fault}"})
    conn = server.wait_ready(timeout=10)
    assert server.wait_answer(ix)["embeds"][0]["description"] == f"echo: during {fault}"
    assert (conn.kind, conn.path) == ("resume", "/resume")
    assert (server.identify_count, server.resume_count) == (identifies, resumes + 1)
    _ask(server, f"after {fault}")
    assert before is not None and server.double_answered() == []


def test_invalid_session_reidentifies(server: FakeDiscord) -> None:
    identifies = server.identify_count
    server.invalidate_session(resumable=False)
    lost = server.inject_command("ask", {"question": "into the void"})
    assert lost.seq is None  # no valid session: dropped, like Discord would
    conn = server.wait_ready(timeout=15)  # discord.py waits 5 s before re-IDENTIFY
    # (Its path is the stale /resume URL, not DEFAULT_GATEWAY: discord.py 2.7 keeps the
    # gateway of the last RESUME in Client.connect's ws_params.)
    assert conn.kind == "identify" and server.identify_count == identifies + 1
    _ask(server, "after op 9")
    assert lost.responses == []


def test_rate_limited_callback_still_answers(server: FakeDiscord) -> None:
    server.rate_limit(r"^POST /interactions/\d+/[^/]+/callback$", count=2, retry_after=0.3)
    ix = server.inject_command("ask", {"question": "throttled"})
    server.wait_answer(ix)
    statuses = [r.status for r in server.requests_matching(rf"/interactions/{ix.id}/")]
    assert statuses == [429, 429, 200]
    assert ix.callback_attempts == 1 and ix.latency is not None and ix.latency >= 0.55
    server.rate_limit(r"^POST /channels/\d+/messages$", count=1, retry_after=0.2)  # bot REST path
    reply = server.wait_reply(server.inject_mention("throttled too?"))
    assert reply["content"] == "pong: throttled too?"


def test_unknown_route_is_recorded(server: FakeDiscord) -> None:
    req = urllib.request.Request(
        f"{server.api_base_url}/api/v10/guilds/{server.guild_id}/bans",
        headers={"Authorization": f"Bot {server.token}"},
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=5)
    assert err.value.code == 404 and err.value.headers["Content-Type"] == "application/json"
    assert json.loads(err.value.read())["message"].startswith("404")
    assert [r.key for r in server.unknown_requests] == [f"GET /guilds/{server.guild_id}/bans"]


def test_zz_every_interaction_answered_once(server: FakeDiscord, bot_process: BotProcess) -> None:
    _ask(server, "final")
    delivered = [ix for ix in server.interactions.values() if ix.seq is not None]
    assert delivered and all(ix.callback_attempts == 1 for ix in delivered)
    assert server.double_answered() == []
    server.wait_until(lambda: "READY as" in bot_process.output(), 5, "on_ready in the bot log")
    leaked = server.token in bot_process.log_path.read_text()  # never inside an assert
    assert not leaked, "the bot token appears in the bot log"


def _post(url: str, body: object, token: str | None = None, method: str = "POST") -> int:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bot {token}"
    req = urllib.request.Request(url, json.dumps(body).encode(), headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_server_alone_rejects_bad_auth_and_double_callbacks(fake_discord: FakeDiscord) -> None:
    """No bot: drive the REST side by hand to check what the recordings report."""
    server = fake_discord
    api = f"{server.api_base_url}/api/v10"
    commands_url = f"{api}/applications/{server.app_id}/guilds/{server.guild_id}/commands"
    assert _post(commands_url, [], "wrong-token", "PUT") == 401
    command = {"name": "ask", "description": "d", "options": [{"type": 3, "name": "q"}]}
    assert _post(commands_url, [command], server.token, "PUT") == 200
    with pytest.raises(LookupError):
        server.inject_command("nope")
    ix = server.inject_command("ask", {"q": "hi"})
    assert ix.seq is None and server.dropped_events  # no gateway session: dropped
    assert ix.payload["data"]["options"] == [{"name": "q", "type": 3, "value": "hi"}]
    callback = f"{api}/interactions/{ix.id}/{ix.token}/callback"
    assert _post(callback, {"type": 8, "data": {"choices": []}}) == 400  # not autocomplete
    assert _post(callback, {"type": 4, "data": {"content": "one"}}) == 204
    assert _post(callback, {"type": 4, "data": {"content": "two"}}) == 400  # already acked
    assert server.wait_answer(ix)["content"] == "one"
    assert ix.callback_attempts == 3 and server.double_answered() == [ix]
    ac = server.inject_autocomplete("ask", {"q": "h"}, focused="q")
    assert _post(f"{api}/interactions/{ac.id}/{ac.token}/callback", {"type": 5}) == 400
    assert server.errors == []
