"""FakeDiscord: REST (/api/v10) + gateway websocket on 127.0.0.1, run in a background thread.

All state lives in the server thread's event loop; the public methods are synchronous and
thread-safe (injections hop onto the loop, waits block on a `threading.Condition`).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import math
import re
import secrets
import socket
import struct
import threading
import time
import traceback
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Self, TypeVar

from aiohttp import WSMsgType, web

from . import payloads as p
from .payloads import JSON
from .records import (
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE_MESSAGE,
    UPDATE_MESSAGE,
    BotResponse,
    GatewayConnection,
    InteractionRecord,
    RecordedRequest,
)

HOST = "127.0.0.1"  # never anything else
API_PREFIX = "/api/v10"
T = TypeVar("T")

# (method, path template, handler name, needs "Authorization: Bot <token>")
_ROUTES: list[tuple[str, str, str, bool]] = [
    ("GET", "/users/@me", "_rest_me", True),
    ("GET", "/oauth2/applications/@me", "_rest_application", True),
    ("GET", "/applications/{app}/commands", "_rest_get_commands", True),
    ("PUT", "/applications/{app}/commands", "_rest_put_commands", True),
    ("GET", "/applications/{app}/guilds/{guild}/commands", "_rest_get_commands", True),
    ("PUT", "/applications/{app}/guilds/{guild}/commands", "_rest_put_commands", True),
    ("POST", "/interactions/{iid}/{token}/callback", "_rest_callback", False),
    ("POST", "/webhooks/{app}/{token}", "_rest_followup", False),
    ("GET", "/webhooks/{app}/{token}/messages/{mid}", "_rest_webhook_message", False),
    ("PATCH", "/webhooks/{app}/{token}/messages/{mid}", "_rest_webhook_message", False),
    ("DELETE", "/webhooks/{app}/{token}/messages/{mid}", "_rest_webhook_message", False),
    ("GET", "/channels/{cid}", "_rest_get_channel", True),
    ("POST", "/channels/{cid}/messages", "_rest_create_message", True),
    ("GET", "/channels/{cid}/messages/{mid}", "_rest_channel_message", True),
    ("PATCH", "/channels/{cid}/messages/{mid}", "_rest_channel_message", True),
    ("DELETE", "/channels/{cid}/messages/{mid}", "_rest_channel_message", True),
    ("POST", "/channels/{cid}/typing", "_rest_typing", True),
]
_COMPILED = [
    (m, tpl, re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(tpl))), h, auth)
    for m, tpl, h, auth in _ROUTES
]


_USER_MENTION = re.compile(r"<@!?(\d+)>")


def _json(
    data: Any, status: int = 200, headers: dict[str, str] | None = None, *, encoded: str = ""
) -> web.Response:
    """JSON response with Content-Type exactly `application/json` (discord.py insists);
    `encoded`: the body as JSON text already."""
    hdrs = {"Content-Type": "application/json", **(headers or {})}
    body = encoded or json.dumps(data)
    return web.Response(status=status, body=body.encode(), headers=hdrs)


def _error(status: int, code: int, message: str) -> web.Response:
    return _json({"message": message, "code": code}, status)


@dataclass
class _Session:
    """A gateway session: sequence counter and the event log replayed on RESUME."""

    id: str
    seq: int = 0
    events: list[tuple[int, str]] = field(default_factory=list)  # (seq, frame as sent)
    conn: GatewayConnection | None = None
    valid: bool = True
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass
class _HttpFault:
    """Make the next `remaining` requests whose 'METHOD /path' matches `pattern` fail."""

    pattern: re.Pattern[str]
    remaining: int
    status: int
    retry_after: float
    is_global: bool

    def response(self) -> web.Response:
        if self.status != 429:
            return _error(self.status, 0, f"{self.status}: injected by fakediscord")
        body = {
            "message": "You are being rate limited.",
            "retry_after": self.retry_after,
            "global": self.is_global,
            "code": 0,
        }
        headers = {
            "Via": "1.1 google",  # without it discord.py assumes a Cloudflare ban and raises
            "Retry-After": str(math.ceil(self.retry_after)),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + self.retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{self.retry_after:.3f}",
            "X-RateLimit-Bucket": "fakediscord-bucket",
            "X-RateLimit-Scope": "global" if self.is_global else "user",
        }
        if self.is_global:
            headers["X-RateLimit-Global"] = "true"
        return _json(body, 429, headers)


class FakeDiscord:
    """A compact Discord: start() it, point a real discord.py client at it, inject and wait."""

    def __init__(
        self,
        *,
        heartbeat_interval: float = 41.25,
        echo_bot_messages: bool = True,
        bot_name: str = "citebot-test",
    ) -> None:
        """`echo_bot_messages`: also send MESSAGE_CREATE/UPDATE for what the bot posts."""
        self.heartbeat_interval = heartbeat_interval
        self.echo_bot_messages = echo_bot_messages
        ids = self._ids = p.Snowflakes()
        self.token = "fake." + secrets.token_urlsafe(32)  # never print or log this
        self.app_id = ids.next()
        self.bot_user = p.user(self.app_id, bot_name, bot=True)
        self.guild_id = ids.next()
        self.channel_id = ids.next()
        self.other_channel_id = ids.next()
        self.bot_role_id = ids.next()
        self.user = p.user(ids.next(), "tester")
        self.users: list[JSON] = [self.user]
        # Who a message may mention, by id: the bot and every user (kept with `users`).
        self._known_users: dict[str, JSON] = {u["id"]: u for u in (self.bot_user, self.user)}
        self.channels: dict[str, JSON] = {
            self.channel_id: p.text_channel(self.channel_id, self.guild_id, "general", 0),
            self.other_channel_id: p.text_channel(self.other_channel_id, self.guild_id, "other", 1),
        }
        self.dm_channels: dict[str, JSON] = {}  # DM channel id -> channel, one per user
        # Recordings (mutated on the server loop under self._cond; read them freely).
        self.requests: list[RecordedRequest] = []
        self.interactions: dict[str, InteractionRecord] = {}
        self.messages: dict[str, JSON] = {}  # every message, injected or posted by the bot
        self.commands: dict[str | None, list[JSON]] = {}  # guild id (None = global) -> synced
        self.connections: list[GatewayConnection] = []
        self.identify_payloads: list[JSON] = []  # IDENTIFY "d" minus the token
        self.dropped_events: list[JSON] = []  # dispatched while no valid session existed
        self.identify_count = 0
        self.resume_count = 0  # RESUME attempts seen (accepted or not)
        self.errors: list[str] = []  # exceptions inside fakediscord handlers (should stay [])
        self.diagnostics: list[Callable[[], str]] = []  # appended to wait_* timeout errors
        self._tokens: dict[str, str] = {}  # interaction token -> interaction id
        self._touched: dict[str, float] = {}  # message id -> last time the bot wrote it
        self._session: _Session | None = None
        self._faults: list[_HttpFault] = []
        self._cond = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    def __repr__(self) -> str:
        return f"<FakeDiscord {self.api_base_url} identify={self.identify_count}>"

    # ------------------------------------------------------------------ lifecycle

    @property
    def api_base_url(self) -> str:
        """Set `discord.http.Route.BASE = f"{api_base_url}/api/v10"` in the bot."""
        return f"http://{HOST}:{self.port}"

    @property
    def gateway_url(self) -> str:
        """Set `DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)` in the bot."""
        return f"ws://{HOST}:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        """What READY advertises; a distinct path so tests can see RESUME used it."""
        return f"ws://{HOST}:{self.port}/resume"

    def bot_env(self) -> dict[str, str]:
        """Environment variables describing this server (handy for bot subprocesses)."""
        return {
            "FAKEDISCORD_API_BASE": self.api_base_url,
            "FAKEDISCORD_GATEWAY": self.gateway_url,
            "FAKEDISCORD_TOKEN": self.token,
            "FAKEDISCORD_APP_ID": self.app_id,
            "FAKEDISCORD_GUILD_ID": self.guild_id,
            "FAKEDISCORD_CHANNEL_ID": self.channel_id,
        }

    def start(self) -> Self:
        """Bind 127.0.0.1:<free port> and serve from a daemon thread."""
        started = threading.Event()
        errors: list[BaseException] = []

        def main() -> None:
            loop = self._loop = asyncio.new_event_loop()
            try:
                loop.run_until_complete(self._astart())
            except BaseException as exc:
                errors.append(exc)
                started.set()
                return
            started.set()
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=main, name="fakediscord", daemon=True)
        self._thread.start()
        started.wait(10)
        if errors:
            raise errors[0]
        return self

    def stop(self) -> None:
        """Close every websocket, stop serving and join the thread."""
        if self._loop is None or self._thread is None:
            return
        try:
            self._call(self._astop(), timeout=10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _astart(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway_handler)
        app.router.add_get("/resume", self._gateway_handler)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._api_handler)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, HOST, 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _astop(self) -> None:
        for conn in self.connections:
            if conn.ws is not None and not conn.ws.closed:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(conn.ws.close(code=1001), 2)
        if self._runner is not None:
            await self._runner.cleanup()

    def _call(self, coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        """Run a coroutine on the server loop from the calling (test) thread."""
        if self._loop is None:
            coro.close()
            raise RuntimeError("FakeDiscord is not running; call start() first")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def _changed(self) -> None:
        with self._cond:
            self._cond.notify_all()

    # ------------------------------------------------------------------ waiting / queries

    def wait_until(
        self, predicate: Callable[[], T | None], timeout: float = 5.0, what: str = ""
    ) -> T:
        """Block until `predicate()` is truthy; return it.

        Re-checked on every server event and every 50 ms (so it may also watch a bot log).
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while not (result := predicate()) and (left := deadline - time.monotonic()) > 0:
                self._cond.wait(min(left, 0.05))
        if not result:
            extra = "".join(f"\n{diag()}" for diag in self.diagnostics)
            raise TimeoutError(f"fakediscord: no {what or 'condition'} after {timeout}s{extra}")
        return result

    def wait_ready(self, timeout: float = 15.0) -> GatewayConnection:
        """Wait for a live gateway connection (READY+GUILD_CREATE or RESUMED sent)."""

        def live() -> GatewayConnection | None:
            s = self._session
            if s is None or not s.valid or s.conn is None or s.conn.kind == "?":
                return None
            return s.conn

        return self.wait_until(live, timeout, "ready gateway session")

    def wait_commands(self, guild_id: str | None = "", timeout: float = 15.0) -> list[JSON]:
        """Wait for a command sync; `guild_id` "" = this guild, None = global commands."""
        key = self.guild_id if guild_id == "" else guild_id
        return self.wait_until(lambda: self.commands.get(key), timeout, f"command sync ({key})")

    def wait_request(
        self, pattern: str, timeout: float = 5.0, count: int = 1
    ) -> list[RecordedRequest]:
        """Wait until `count` requests whose 'METHOD /path' matches the regex were made."""

        def found() -> list[RecordedRequest]:
            hits = self.requests_matching(pattern)
            return hits if len(hits) >= count else []

        return self.wait_until(found, timeout, f"{count} request(s) matching {pattern!r}")

    def wait_response(
        self, interaction: InteractionRecord | str, timeout: float = 5.0, count: int = 1
    ) -> list[BotResponse]:
        """Wait until the bot sent `count` successful responses to the interaction."""
        ix = self.interaction(interaction)
        return self.wait_until(
            lambda: ix.responses[:] if len(ix.responses) >= count else [],
            timeout,
            f"{count} response(s) to interaction {ix.id}",
        )

    def wait_answer(self, interaction: InteractionRecord | str, timeout: float = 5.0) -> JSON:
        """Wait for the visible answer message (type 4/7 callback, edit or follow-up)."""
        ix = self.interaction(interaction)
        return self.wait_until(lambda: ix.answer, timeout, f"answer to interaction {ix.id}")

    def wait_choices(
        self, interaction: InteractionRecord | str, timeout: float = 5.0
    ) -> list[JSON]:
        """Wait for autocomplete choices (callback type 8); returns them (may be empty)."""
        ix = self.interaction(interaction)
        self.wait_until(lambda: ix.choices is not None, timeout, f"choices for {ix.id}")
        return ix.choices or []

    def wait_message(
        self,
        channel_id: str | None = None,
        timeout: float = 5.0,
        *,
        after: str | None = None,
        predicate: Callable[[JSON], bool] | None = None,
    ) -> JSON:
        """Wait for a message the bot posted in a channel (default: the main channel).

        `after`: only messages with a larger id (e.g. the id of an injected message).
        """
        channel = channel_id or self.channel_id

        def find() -> JSON | None:
            for msg in self.bot_messages(channel):
                if (after is None or int(msg["id"]) > int(after)) and (
                    predicate is None or predicate(msg)
                ):
                    return msg
            return None

        return self.wait_until(find, timeout, f"bot message in channel {channel}")

    def wait_reply(self, message: JSON | str, timeout: float = 5.0) -> JSON:
        """Wait for a bot message replying to (message_reference) the given message."""
        mid = message if isinstance(message, str) else message["id"]
        channel = None if isinstance(message, str) else message["channel_id"]
        return self.wait_message(
            channel,
            timeout,
            predicate=lambda m: (m.get("message_reference") or {}).get("message_id") == mid,
        )

    def interaction(self, interaction: InteractionRecord | str) -> InteractionRecord:
        """The record of an injected interaction (by record or id)."""
        iid = interaction if isinstance(interaction, str) else interaction.id
        return self.interactions[iid]

    def requests_matching(self, pattern: str) -> list[RecordedRequest]:
        """Recorded requests whose 'METHOD /path' matches the regex (re.search)."""
        rx = re.compile(pattern)
        with self._cond:
            return [r for r in self.requests if rx.search(r.key)]

    @property
    def unknown_requests(self) -> list[RecordedRequest]:
        """Requests that hit no known route (answered 404)."""
        with self._cond:
            return [r for r in self.requests if r.route == "*"]

    def bot_messages(self, channel_id: str | None = None) -> list[JSON]:
        """Messages authored by the bot, oldest first (optionally in one channel)."""
        with self._cond:
            return [
                m
                for m in self.messages.values()
                if m["author"]["id"] == self.app_id
                and (channel_id is None or m["channel_id"] == channel_id)
            ]

    def double_answered(self) -> list[InteractionRecord]:
        """Interactions the bot tried to acknowledge more than once (should be empty)."""
        with self._cond:
            return [ix for ix in self.interactions.values() if ix.callback_attempts > 1]

    def clear_records(self) -> None:
        """Forget recorded requests (keeps sessions, commands, messages and interactions)."""
        with self._cond:
            self.requests.clear()

    # ------------------------------------------------------------------ fault injection

    def rate_limit(
        self, pattern: str, count: int = 1, retry_after: float = 0.3, *, is_global: bool = False
    ) -> None:
        """Answer the next `count` requests matching the regex with 429 + retry_after.

        The regex is searched in 'METHOD /path' (path without /api/v10), e.g. r"/callback$".
        discord.py gives up after 5 attempts, so keep count <= 4.
        """
        with self._cond:
            self._faults.append(_HttpFault(re.compile(pattern), count, 429, retry_after, is_global))

    def fail_requests(self, pattern: str, count: int = 1, status: int = 500) -> None:
        """Answer the next `count` matching requests with an error status (e.g. 500, 403)."""
        with self._cond:
            self._faults.append(_HttpFault(re.compile(pattern), count, status, 0.0, False))

    def close_gateway(self, code: int = 4000) -> None:
        """Close the live gateway websocket with `code` (discord.py then RESUMEs)."""
        self._call(self._fault(f"close:{code}"))

    def reset_gateway(self) -> None:
        """Abort the gateway TCP connection with an RST (no close frame)."""
        self._call(self._fault("reset"))

    def send_reconnect(self) -> None:
        """Send op 7 RECONNECT (discord.py closes and RESUMEs)."""
        self._call(self._fault("op7"))

    def invalidate_session(self, resumable: bool = False) -> None:
        """Send op 9 INVALID SESSION; non-resumable means a fresh IDENTIFY (~5 s later).

        Events dispatched to an invalidated session are lost: re-inject after wait_ready().
        """
        self._call(self._fault("op9" if not resumable else "op9-resumable"))

    async def _fault(self, kind: str) -> None:
        s = self._session
        conn = s.conn if s is not None else None
        if s is None or conn is None:
            raise RuntimeError("fakediscord: no live gateway connection to break")
        async with s.lock:
            s.conn = None  # from now on events are only buffered (replayed on RESUME)
            conn.fault = kind
            if kind.startswith("close:"):
                await asyncio.wait_for(conn.ws.close(code=int(kind[6:])), 5)
            elif kind == "reset":
                sock = conn.transport.get_extra_info("socket")
                if sock is not None:  # linger 0 => close() sends RST
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.transport.abort()
            elif kind == "op7":
                await self._send(conn, {"op": 7, "d": None, "s": None, "t": None})
            else:
                s.valid = kind == "op9-resumable"
                await self._send(conn, {"op": 9, "d": s.valid, "s": None, "t": None})
        self._changed()

    # ------------------------------------------------------------------ injection

    def dispatch(self, event: str, data: JSON) -> int | None:
        """Send a raw gateway DISPATCH; returns its sequence number (None if dropped)."""
        return self._call(self._dispatch(event, data))

    def inject_command(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user: JSON | None = None,
        channel_id: str | None = None,
        resolved: JSON | None = None,
        permissions: str | None = None,
        dm: bool = False,
    ) -> InteractionRecord:
        """INTERACTION_CREATE type 2 for a synced slash command ("group sub" for subcommands).

        `permissions`: the member's permissions in the channel (default: @everyone's, which
        lack Manage Server); `dm`: sent in the user's DM with the bot instead of the guild.
        """
        data = self._command_data(name, options or {}, None)
        if resolved:
            data["resolved"] = resolved
        if dm:
            data.pop("guild_id", None)
            channel_id = self.dm_channel(user or self.user)["id"]
        return self._call(
            self._inject_interaction(2, data, user, channel_id, permissions=permissions)
        )

    def inject_autocomplete(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        focused: str,
        user: JSON | None = None,
        channel_id: str | None = None,
    ) -> InteractionRecord:
        """INTERACTION_CREATE type 4 with option `focused` being typed (value from options)."""
        data = self._command_data(name, options or {}, focused)
        return self._call(self._inject_interaction(4, data, user, channel_id))

    def inject_button(
        self,
        message: JSON | str,
        custom_id: str,
        *,
        user: JSON | None = None,
        component_type: int = 2,
        values: list[str] | None = None,
        settle: float = 0.2,
    ) -> InteractionRecord:
        """INTERACTION_CREATE type 3: press a button (or pick `values` in a select menu).

        discord.py registers a View only after it has parsed the HTTP response that sent
        the message, which can be a little after the server recorded it; so this waits
        until the message is `settle` seconds old (since its last bot write).
        """
        mid = message if isinstance(message, str) else message["id"]
        with self._cond:
            msg = copy.deepcopy(self.messages[mid])
            delay = self._touched.get(mid, 0.0) + settle - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        data: JSON = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = values
        return self._call(self._inject_interaction(3, data, user, msg["channel_id"], msg))

    def inject_message(
        self,
        content: str,
        *,
        channel_id: str | None = None,
        user: JSON | None = None,
        mentions: list[JSON] | None = None,
    ) -> JSON:
        """MESSAGE_CREATE from a human member; returns the message payload."""
        author = user or self.user
        body = {"content": content, "mentions": mentions or []}
        msg = p.message(
            self._ids.next(),
            channel_id or self.channel_id,
            author,
            body,
            guild_id=self.guild_id,
            member_obj=p.member(None, []),
        )
        with self._cond:
            self.messages[msg["id"]] = msg
        self._call(self._dispatch("MESSAGE_CREATE", copy.deepcopy(msg)))
        return msg

    def inject_mention(
        self, text: str, *, channel_id: str | None = None, user: JSON | None = None
    ) -> JSON:
        """MESSAGE_CREATE with content '<@BOT_ID> text' mentioning the bot."""
        mention = {**self.bot_user, "member": p.member(None, [self.bot_role_id])}
        content = f"<@{self.app_id}> {text}"
        return self.inject_message(content, channel_id=channel_id, user=user, mentions=[mention])

    def dm_channel(self, user: JSON) -> JSON:
        """The DM channel between `user` and the bot (created on first use)."""
        with self._cond:
            for channel in self.dm_channels.values():
                if channel["recipients"][0]["id"] == user["id"]:
                    return channel
            channel_id = self._ids.next()
            channel = {"id": channel_id, "type": 1, "recipients": [user], "last_message_id": None}
            self.dm_channels[channel_id] = channel
            return channel

    def inject_dm(self, content: str, *, user: JSON | None = None) -> JSON:
        """MESSAGE_CREATE of a direct message from a user to the bot; returns the message."""
        author = user or self.user
        channel = self.dm_channel(author)
        msg = p.message(self._ids.next(), channel["id"], author, {"content": content})
        with self._cond:
            self.messages[msg["id"]] = msg
        self._call(self._dispatch("MESSAGE_CREATE", copy.deepcopy(msg)))
        return msg

    def make_user(self, name: str) -> JSON:
        """Create another human guild member (in GUILD_CREATE from the next IDENTIFY on)."""
        u = p.user(self._ids.next(), name)
        with self._cond:
            self.users.append(u)
            self._known_users[u["id"]] = u
        return u

    def _find_command(self, name: str) -> tuple[JSON, bool]:
        with self._cond:
            for guild_scoped, key in ((True, self.guild_id), (False, None)):
                for cmd in self.commands.get(key) or []:
                    if cmd["name"] == name and cmd.get("type", 1) == 1:
                        return cmd, guild_scoped
            synced = {k: [c["name"] for c in v] for k, v in self.commands.items()}
        raise LookupError(f"command {name!r} not synced (synced: {synced}); wait_commands() first")

    def _command_data(self, name: str, values: dict[str, Any], focused: str | None) -> JSON:
        top, *subs = name.split()
        cmd, guild_scoped = self._find_command(top)
        schema: list[JSON] = cmd.get("options") or []
        chain: list[tuple[str, int]] = []
        for sub in subs:
            opt: JSON = next((o for o in schema if o["name"] == sub), {"type": 1})
            chain.append((sub, opt["type"]))
            schema = opt.get("options") or []
        options: list[JSON] = p.option_payloads(values, schema, focused)
        for sub, sub_type in reversed(chain):
            options = [{"name": sub, "type": sub_type, "options": options}]
        data: JSON = {"id": cmd["id"], "name": top, "type": 1, "options": options}
        if guild_scoped:
            data["guild_id"] = self.guild_id
        return data

    async def _inject_interaction(
        self,
        itype: int,
        data: JSON,
        user: JSON | None,
        channel_id: str | None,
        message: JSON | None = None,
        permissions: str | None = None,
    ) -> InteractionRecord:
        iid, token = self._ids.next(), p.interaction_token()
        key = channel_id or self.channel_id
        channel = self.dm_channels.get(key) or self.channels[key]
        payload: JSON = {
            "id": iid,
            "application_id": self.app_id,
            "type": itype,
            "token": token,
            "version": 1,
            "data": data,
            "guild_id": self.guild_id,
            "guild": {"id": self.guild_id, "locale": "en-US", "features": []},
            "channel_id": channel["id"],
            "channel": p.snapshot(channel),
            "member": p.member(
                user or self.user, [], permissions=permissions or p.EVERYONE_PERMISSIONS
            ),
            "locale": "en-US",
            "guild_locale": "en-US",
            "app_permissions": p.EVERYONE_PERMISSIONS,
            "entitlements": [],
            "authorizing_integration_owners": {"0": self.guild_id},
            "context": 0,
            "attachment_size_limit": p.ATTACHMENT_SIZE_LIMIT,
        }
        if message is not None:
            payload["message"] = message
        if key in self.dm_channels:  # a DM: no guild, a user instead of a member
            for name in ("guild_id", "guild", "member", "guild_locale"):
                payload.pop(name)
            payload["user"] = user or self.user
            payload["context"] = 1
            payload["authorizing_integration_owners"] = {"1": payload["user"]["id"]}
        rec = InteractionRecord(iid, token, itype, payload, time.monotonic())
        with self._cond:  # registered before dispatch: the bot may answer very quickly
            self.interactions[iid] = rec
            self._tokens[token] = iid
        rec.seq = await self._dispatch("INTERACTION_CREATE", payload)
        return rec

    # ------------------------------------------------------------------ gateway

    async def _send(self, conn: GatewayConnection, frame: JSON) -> bool:
        return await self._send_text(conn, json.dumps(frame))

    async def _send_text(self, conn: GatewayConnection, text: str) -> bool:
        try:
            await conn.ws.send_str(text)
            return True
        except (ConnectionError, RuntimeError):
            return False

    async def _emit(self, s: _Session, event: str, data: JSON | str) -> int:
        """Append a dispatch to the session log and send it if connected (lock held).

        `data` may come JSON-encoded already; the frame is encoded once, for sending and for
        the replay log alike.
        """
        s.seq += 1
        encoded = data if isinstance(data, str) else json.dumps(data)
        text = f'{{"op": 0, "t": {json.dumps(event)}, "s": {s.seq}, "d": {encoded}}}'
        s.events.append((s.seq, text))
        if s.conn is not None:
            await self._send_text(s.conn, text)
        return s.seq

    async def _dispatch(self, event: str, data: JSON | str) -> int | None:
        s = self._session
        if s is None or not s.valid:
            decoded = json.loads(data) if isinstance(data, str) else data
            with self._cond:
                self.dropped_events.append({"t": event, "d": decoded})
            return None
        async with s.lock:
            return await self._emit(s, event, data)

    async def _gateway_handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = GatewayConnection(request.path, dict(request.query), time.monotonic())
        conn.ws, conn.transport = ws, request.transport
        with self._cond:
            self.connections.append(conn)
        hello = {"heartbeat_interval": int(self.heartbeat_interval * 1000)}
        await self._send(conn, {"op": 10, "d": hello, "s": None, "t": None})
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                try:
                    await self._on_gateway_frame(conn, json.loads(msg.data))
                except Exception:
                    with self._cond:
                        # never include the frame itself: IDENTIFY/RESUME carry the token
                        self.errors.append(f"gateway frame: {traceback.format_exc()}")
        finally:
            with self._cond:
                conn.closed_at, conn.close_code = time.monotonic(), ws.close_code
                if self._session is not None and self._session.conn is conn:
                    self._session.conn = None
                self._cond.notify_all()
        return ws

    async def _on_gateway_frame(self, conn: GatewayConnection, frame: JSON) -> None:
        op, d = frame.get("op"), frame.get("d") or {}
        if op == 1:
            conn.heartbeats += 1
            await self._send(conn, {"op": 11, "d": None, "s": None, "t": None})
        elif op in (2, 6) and d.get("token") != self.token:
            conn.kind = "bad-token"
            await conn.ws.close(code=4004, message=b"Authentication failed.")
        elif op == 2:
            await self._identify(conn, d)
        elif op == 6:
            await self._resume(conn, d)
        elif op == 8:  # request guild members: everything in one chunk
            chunk = {
                "guild_id": self.guild_id,
                "members": self._members(),
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": [],
                "nonce": d.get("nonce"),
            }
            await self._dispatch("GUILD_MEMBERS_CHUNK", chunk)

    def _members(self) -> list[JSON]:
        everyone = p.member(self.bot_user, [self.bot_role_id])
        return [everyone] + [p.member(u, []) for u in self.users]

    def _guild_payload(self) -> JSON:
        roles = [
            p.role(self.guild_id, "@everyone", p.EVERYONE_PERMISSIONS),
            p.role(self.bot_role_id, self.bot_user["username"], p.ADMINISTRATOR, 1),
        ]
        return p.guild(
            self.guild_id,
            "Fake Guild",
            owner_id=self.user["id"],
            roles=roles,
            channels=copy.deepcopy(list(self.channels.values())),
            members=self._members(),
        )

    async def _identify(self, conn: GatewayConnection, d: JSON) -> None:
        if self._session is not None:
            self._session.valid = False
        s = _Session(secrets.token_hex(16), conn=conn)
        with self._cond:
            self.identify_count += 1
            self.identify_payloads.append({k: v for k, v in d.items() if k != "token"})
            self._session = s
        ready = {
            "v": 10,
            "user": {**self.bot_user, "verified": True, "mfa_enabled": False},
            "session_id": s.id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url,
            "guilds": [{"id": self.guild_id, "unavailable": True}],
            "application": {"id": self.app_id, "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "shard": d.get("shard", [0, 1]),
            "_trace": ["fakediscord"],
        }
        async with s.lock:
            await self._emit(s, "READY", ready)
            await self._emit(s, "GUILD_CREATE", self._guild_payload())
            conn.kind = "identify"
        self._changed()

    async def _resume(self, conn: GatewayConnection, d: JSON) -> None:
        s = self._session
        with self._cond:
            self.resume_count += 1
        if s is None or not s.valid or d.get("session_id") != s.id:
            conn.kind = "resume-rejected"
            await self._send(conn, {"op": 9, "d": False, "s": None, "t": None})
            self._changed()
            return
        async with s.lock:
            s.conn = conn
            last = d.get("seq") or 0
            for seq, text in s.events:
                if seq > last:
                    await self._send_text(conn, text)
            await self._emit(s, "RESUMED", {"_trace": ["fakediscord"]})
            conn.kind = "resume"
        self._changed()

    # ------------------------------------------------------------------ REST plumbing

    async def _api_handler(self, request: web.Request) -> web.StreamResponse:
        arrived = time.monotonic()
        path = request.path[len(API_PREFIX) :]
        body = await self._read_body(request)
        key = f"{request.method} {path}"
        route, handler, params, needs_auth = "*", None, {}, True
        for method, tpl, rx, name, auth in _COMPILED:
            match = rx.fullmatch(path)
            if match and method == request.method:
                route, handler, needs_auth = tpl, getattr(self, name), auth
                params = match.groupdict()
                break
        with self._cond:
            fault = next(
                (f for f in self._faults if f.remaining > 0 and f.pattern.search(key)), None
            )
            if fault is not None:
                fault.remaining -= 1
        if fault is not None:
            response: web.StreamResponse = fault.response()
        elif needs_auth and request.headers.get("Authorization") != f"Bot {self.token}":
            response = _error(401, 0, "401: Unauthorized")
        elif handler is None:
            response = _error(404, 0, f"404: Not Found (fakediscord has no route {key})")
        else:
            try:
                response = await handler(request, body, **params)
            except Exception as exc:  # a fakediscord bug or a malformed body: make it visible
                with self._cond:
                    self.errors.append(f"{key}: {traceback.format_exc()}")
                response = _error(400, 50035, f"Invalid Form Body (fakediscord: {exc!r})")
        rec = RecordedRequest(
            request.method, path, route, dict(request.query), body, response.status, arrived
        )
        with self._cond:
            self.requests.append(rec)
            self._cond.notify_all()
        return response

    async def _read_body(self, request: web.Request) -> Any:
        if not request.can_read_body:
            return None
        if request.content_type == "application/json":
            return await request.json()
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            body: JSON = json.loads(str(form.get("payload_json") or "{}"))
            files = [f for f in form.values() if isinstance(f, web.FileField)]
            body["attachments"] = [
                {
                    "id": self._ids.next(),
                    "filename": f.filename,
                    "size": len(f.file.read()),
                    "content_type": f.content_type,
                    "url": f"{self.api_base_url}/attachments/{f.filename}",
                    "proxy_url": f"{self.api_base_url}/attachments/{f.filename}",
                }
                for f in files
            ]
            return body
        return (await request.read()).decode(errors="replace")

    async def _store_message(
        self,
        channel_id: str,
        body: JSON,
        *,
        interaction: InteractionRecord | None = None,
        extra: JSON | None = None,
    ) -> JSON:
        """Create a bot-authored message (and echo it on the gateway unless ephemeral)."""
        extra = dict(extra or {})
        msg_type = extra.pop("type", 0)
        in_dm = channel_id in self.dm_channels
        if interaction is not None:
            extra["webhook_id"] = extra["application_id"] = self.app_id
            asker = interaction.payload.get("user") or interaction.payload["member"]["user"]
            extra["interaction_metadata"] = {
                "id": interaction.id,
                "type": interaction.type,
                "user": asker,
                "authorizing_integration_owners": {"0": self.guild_id},
            }
            msg_type = 20 if interaction.type == 2 else 0
        known = self._known_users
        ids = _USER_MENTION.findall(body.get("content") or "")
        mentions = [known[i] for i in ids if i in known]
        msg = p.message(
            self._ids.next(),
            channel_id,
            self.bot_user,
            {**body, "mentions": mentions},
            guild_id=None if in_dm else self.guild_id,
            member_obj=None if in_dm else p.member(None, [self.bot_role_id]),
            msg_type=msg_type,
            extra=extra,
        )
        with self._cond:
            self.messages[msg["id"]] = msg
        await self._echo("MESSAGE_CREATE", msg)
        return msg

    async def _echo(self, event: str, msg: JSON) -> None:
        """Note a bot write to `msg`; echo it on the gateway unless ephemeral."""
        self._touched[msg["id"]] = time.monotonic()
        if self.echo_bot_messages and not int(msg.get("flags") or 0) & p.EPHEMERAL_FLAG:
            await self._dispatch(event, json.dumps(msg))  # encoded now: a snapshot

    def _record(self, ix: InteractionRecord, resp: BotResponse) -> None:
        with self._cond:
            ix.responses.append(resp)
            self._cond.notify_all()

    # ------------------------------------------------------------------ REST routes

    async def _rest_me(self, request: web.Request, body: Any) -> web.Response:
        return _json({**self.bot_user, "verified": True, "mfa_enabled": False, "locale": "en-US"})

    async def _rest_application(self, request: web.Request, body: Any) -> web.Response:
        return _json(p.application(self.app_id, self.user, self.bot_user))

    async def _rest_get_commands(
        self, request: web.Request, body: Any, app: str, guild: str | None = None
    ) -> web.Response:
        if app != self.app_id:
            return _error(403, 50001, "Missing Access")
        return _json(self.commands.get(guild, []))

    async def _rest_put_commands(
        self, request: web.Request, body: Any, app: str, guild: str | None = None
    ) -> web.Response:
        if app != self.app_id or (guild is not None and guild != self.guild_id):
            return _error(403, 50001, "Missing Access")
        old = {(c["name"], c.get("type", 1)): c["id"] for c in self.commands.get(guild, [])}
        synced = []
        for cmd in body or []:
            cmd_type = cmd.get("type", 1)
            entry = {
                "options": [],
                "default_member_permissions": None,
                "nsfw": False,
                **cmd,
                "id": old.get((cmd["name"], cmd_type)) or self._ids.next(),
                "application_id": self.app_id,
                "version": self._ids.next(),
                "type": cmd_type,
            }
            if guild is not None:
                entry["guild_id"] = guild
            synced.append(entry)
        with self._cond:
            self.commands[guild] = synced
        return _json(synced)

    async def _rest_callback(
        self, request: web.Request, body: Any, iid: str, token: str
    ) -> web.StreamResponse:
        ix = self.interactions.get(iid)
        if ix is None or ix.token != token:
            return _error(404, 10062, "Unknown interaction")
        cb_type, data = body.get("type"), body.get("data") or {}
        attempt = BotResponse("callback", cb_type, data, time.monotonic())
        # Like Discord: one callback per interaction; autocomplete only gets (and only
        # autocomplete may get) type 8; only component interactions may update a message.
        valid = (cb_type == AUTOCOMPLETE_RESULT) == (ix.type == 4) and (
            cb_type not in (DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE) or ix.type == 3
        )
        if ix.callbacks or not valid:
            with self._cond:
                ix.rejected.append(attempt)
                self._cond.notify_all()
            if ix.callbacks:
                return _error(400, 40060, "Interaction has already been acknowledged.")
            return _error(400, 50035, f"Invalid Form Body (callback {cb_type} for type {ix.type})")
        message = None
        if cb_type in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE):
            flags = int(data.get("flags") or 0)
            if cb_type == DEFERRED_CHANNEL_MESSAGE:
                flags |= p.LOADING_FLAG
            channel = ix.payload["channel_id"]
            message = await self._store_message(channel, {**data, "flags": flags}, interaction=ix)
            ix.original = message
        elif cb_type in (DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE):
            message = self.messages.get(ix.payload["message"]["id"])
            if message is not None and cb_type == UPDATE_MESSAGE:
                p.apply_edit(message, data)
                await self._echo("MESSAGE_UPDATE", message)
            ix.original = message
        # Encoded once: for the record's snapshot and for the response that carries it.
        encoded = json.dumps(message) if cb_type != DEFERRED_UPDATE_MESSAGE else "null"
        snapshot = json.loads(encoded)
        attempt.message = snapshot
        self._record(ix, attempt)
        if request.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        flags = int((message or {}).get("flags") or 0)
        interaction = {
            "id": ix.id,
            "type": ix.type,
            "response_message_id": message["id"] if message else None,
            "response_message_loading": cb_type == DEFERRED_CHANNEL_MESSAGE,
            "response_message_ephemeral": bool(flags & p.EPHEMERAL_FLAG),
        }
        resource = f'{{"type": {json.dumps(cb_type)}'
        if message is not None and cb_type != AUTOCOMPLETE_RESULT:
            resource += f', "message": {encoded}'  # the message as encoded above
        return _json(
            None, encoded=f'{{"interaction": {json.dumps(interaction)}, "resource": {resource}}}}}'
        )

    def _interaction_for(self, app: str, token: str) -> InteractionRecord | None:
        iid = self._tokens.get(token)
        return self.interactions.get(iid) if iid and app == self.app_id else None

    async def _rest_followup(
        self, request: web.Request, body: Any, app: str, token: str
    ) -> web.StreamResponse:
        ix = self._interaction_for(app, token)
        if ix is None or not ix.callbacks:
            return _error(404, 10015, "Unknown Webhook")
        original = ix.original
        first_after_defer = not any(r.kind == "followup" for r in ix.responses)
        if original and int(original["flags"]) & p.LOADING_FLAG and first_after_defer:
            p.apply_edit(original, body)  # Discord turns the "thinking" message into it
            message = original
            await self._echo("MESSAGE_UPDATE", message)
        else:
            message = await self._store_message(ix.payload["channel_id"], body, interaction=ix)
        snapshot = p.snapshot(message)
        self._record(ix, BotResponse("followup", None, body, time.monotonic(), snapshot))
        if request.query.get("wait") in ("1", "true", "True"):
            return _json(message)
        return web.Response(status=204)

    async def _rest_webhook_message(
        self, request: web.Request, body: Any, app: str, token: str, mid: str
    ) -> web.StreamResponse:
        ix = self._interaction_for(app, token)
        if ix is None:
            return _error(404, 10015, "Unknown Webhook")
        message = ix.original if mid == "@original" else self.messages.get(mid)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        if request.method == "GET":
            return _json(message)
        if request.method == "DELETE":
            with self._cond:
                self.messages.pop(message["id"], None)
            self._record(ix, BotResponse("delete", None, {"id": message["id"]}, time.monotonic()))
            return web.Response(status=204)
        p.apply_edit(message, body or {})
        await self._echo("MESSAGE_UPDATE", message)
        self._record(ix, BotResponse("edit", None, body, time.monotonic(), p.snapshot(message)))
        return _json(message)

    async def _rest_get_channel(self, request: web.Request, body: Any, cid: str) -> web.Response:
        channel = self.channels.get(cid) or self.dm_channels.get(cid)
        return _json(channel) if channel else _error(404, 10003, "Unknown Channel")

    async def _rest_create_message(self, request: web.Request, body: Any, cid: str) -> web.Response:
        if cid not in self.channels and cid not in self.dm_channels:
            return _error(404, 10003, "Unknown Channel")
        extra: JSON = {}
        ref = (body or {}).get("message_reference")
        if ref:
            extra["type"] = 19
            where = {} if cid in self.dm_channels else {"guild_id": self.guild_id}
            ref = {"channel_id": cid, **where, **ref, "type": 0}
            # discord.py sends the ids as ints; Discord answers with strings
            ref = {k: str(v) if k.endswith("_id") else v for k, v in ref.items()}
            extra["message_reference"] = ref
            if ref.get("message_id") in self.messages:
                extra["referenced_message"] = copy.deepcopy(self.messages[ref["message_id"]])
        return _json(await self._store_message(cid, body or {}, extra=extra))

    async def _rest_channel_message(
        self, request: web.Request, body: Any, cid: str, mid: str
    ) -> web.StreamResponse:
        message = self.messages.get(mid)
        if message is None or message["channel_id"] != cid:
            return _error(404, 10008, "Unknown Message")
        if request.method == "DELETE":
            with self._cond:
                self.messages.pop(mid)
            return web.Response(status=204)
        if request.method == "PATCH":
            p.apply_edit(message, body or {})
            await self._echo("MESSAGE_UPDATE", message)
            self._changed()
        return _json(message)

    async def _rest_typing(self, request: web.Request, body: Any, cid: str) -> web.Response:
        return web.Response(status=204)
