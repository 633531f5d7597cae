"""fakediscord: a compact Discord (REST /api/v10 + gateway) for end-to-end tests.

`FakeDiscord` is an aiohttp server bound to 127.0.0.1 on a free port, running in a
background thread with its own event loop. Every public method is synchronous and
thread-safe, so tests are plain functions that drive a real discord.py bot running as a
subprocess. (Calling the blocking wait_* from an async test is fine too: the server does
not run on the test's loop.)

Point the bot at it before login::

    discord.http.Route.BASE = f"{server.api_base_url}/api/v10"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(server.gateway_url)
    client.run(server.token)  # a random fake token; never print it

Usage (fixtures come from tests/fakediscord/fixtures.py)::

    def test_ask(fake_discord, spawn_bot, tmp_path):
        server = fake_discord
        bot = spawn_bot(["citebot", "bot", "--config", str(cfg)], server=server)
        server.wait_commands()                 # the bot synced its guild commands
        server.wait_ready()                    # gateway session is live
        ix = server.inject_command("ask", {"question": "What is X?"})
        msg = server.wait_answer(ix, timeout=5)  # type-4/7 message, edit or follow-up
        assert "[1]" in msg["embeds"][0]["description"]
        assert ix.callback_attempts == 1 and ix.latency < 3

        ac = server.inject_autocomplete("ask", {"question": "wh"}, focused="question")
        assert server.wait_choices(ac)
        press = server.inject_button(ix.original, "more")   # custom_id of a button
        server.wait_answer(press)
        m = server.inject_mention("What is X?")              # "<@BOT> What is X?"
        reply = server.wait_reply(m)                         # message_reference -> m
        dm = server.inject_dm("What is X?")                  # a direct message to the bot
        server.wait_reply(dm)                                # answered in the DM channel
        server.inject_command("stats", {}, permissions=str(1 << 5))  # with Manage Server
        server.inject_command("ask", {"question": "X?"}, dm=True)    # a slash command in a DM

        server.close_gateway(4000)   # or reset_gateway(), send_reconnect(), invalidate_session()
        server.wait_ready()          # RESUMEd (or re-IDENTIFYd after op 9, ~5 s)
        server.rate_limit(r"/callback$", count=2, retry_after=0.3)  # next 2 callbacks -> 429

Records: `server.requests` (RecordedRequest: method, path, route, query, json, status,
time), `server.interactions[id]` (InteractionRecord: responses, callbacks, answer,
choices, latency, callback_attempts), `server.messages`, `server.commands`,
`server.connections`, `identify_count`, `resume_count`, `unknown_requests`, `errors`.
"""

from .process import BotProcess
from .records import BotResponse, GatewayConnection, InteractionRecord, RecordedRequest
from .server import FakeDiscord

__all__ = [
    "BotProcess",
    "BotResponse",
    "FakeDiscord",
    "GatewayConnection",
    "InteractionRecord",
    "RecordedRequest",
]
