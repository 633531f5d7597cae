"""Running `citebot bot` as a subprocess against a FakeDiscord, for the end-to-end tests."""

from __future__ import annotations

import itertools
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml

from tests.fakediscord import BotProcess, FakeDiscord, InteractionRecord
from tests.fakediscord.fixtures import BotSpawner

ROOT = Path(__file__).resolve().parent.parent
# The console script `citebot` is bot.cli:main; calling it this way needs no installed package.
CITEBOT = [sys.executable, "-c", "from bot.cli import main; main()"]


def user_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a user's shell gives citebot: this one without a DISCORD_TOKEN to
    inherit, `extra` added."""
    return {**{k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}, **(extra or {})}


EPHEMERAL = 64


@dataclass
class Members:
    """Members of the fake server's guild who use the bot: each call a fresh one by default, so
    the per-user cooldown never gets in the way unless a test passes `user=`."""

    server: FakeDiscord
    # Seconds to wait for an answer; a test module whose bot is slower sets more.
    answer_timeout: ClassVar[float] = 5.0
    _names: Iterator[int] = field(default_factory=itertools.count, kw_only=True)

    def user(self) -> dict[str, Any]:
        """A member who has not asked anything yet."""
        return self.server.make_user(f"member{next(self._names)}")

    def command(
        self, name: str, options: dict[str, Any] | None = None, **kw: Any
    ) -> InteractionRecord:
        """Inject a slash command from a fresh member (unless `user=` is given)."""
        kw.setdefault("user", self.user())
        return self.server.inject_command(name, options or {}, **kw)

    def answer(self, name: str, options: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        """Inject a slash command and return the message it was answered with."""
        return self.server.wait_answer(self.command(name, options, **kw), self.answer_timeout)

    def press(self, message: dict[str, Any], custom_id: str, **kw: Any) -> InteractionRecord:
        """Press a button of a message, as a fresh member unless `user=` is given."""
        kw.setdefault("user", self.user())
        return self.server.inject_button(message["id"], custom_id, **kw)


def write_config(path: Path, server: FakeDiscord, **discord: Any) -> Path:
    """A config file for `server` (no token: it comes from DISCORD_TOKEN); `discord` overrides."""
    section: dict[str, Any] = {
        "api_base_url": server.api_base_url,
        "gateway_url": server.gateway_url,
        "sync": "guild",
        "guild_ids": [int(server.guild_id)],
        "feedback_db": str(path.parent / "feedback.sqlite3"),
    }
    section.update(discord)
    path.write_text(
        yaml.safe_dump({"discord": section, "log_level": "DEBUG"}),
        encoding="utf-8",
    )
    return path


def bot_env(server: FakeDiscord) -> dict[str, str]:
    """The environment a bot subprocess gets: the server's token, nothing inherited about it."""
    return {"DISCORD_TOKEN": server.token, "PYTHONPATH": str(ROOT)}


def start_bot(spawn: BotSpawner, server: FakeDiscord, config: Path) -> BotProcess:
    """Start `citebot bot --config <config>` and wait until its gateway session is live."""
    proc = spawn(
        [*CITEBOT, "bot", "--config", str(config)], env=bot_env(server), cwd=ROOT, server=server
    )
    server.wait_ready(timeout=30)
    return proc


def token_leaked(server: FakeDiscord, proc: BotProcess) -> bool:
    """Whether the raw (unredacted) log of a bot holds the token; never print the log itself."""
    return server.token in proc.log_path.read_text(errors="replace")


def rows(db: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """Query the bot's database (read-only; the bot may be running)."""
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
        return connection.execute(sql, params).fetchall()


def embed_text(message: dict[str, Any]) -> str:
    """Everything visible in a message's embeds, as one string."""
    parts: list[str] = []
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [(embed.get("footer") or {}).get("text") or ""]
        parts += [(embed.get("author") or {}).get("name") or ""]
        for embed_field in embed.get("fields") or []:
            parts += [embed_field["name"], embed_field["value"]]
    return "\n".join(parts)


def custom_ids(message: dict[str, Any]) -> list[str]:
    """The custom_ids of a message's buttons, in order."""
    return [
        item["custom_id"]
        for row in message.get("components") or []
        for item in row.get("components") or []
        if "custom_id" in item
    ]


def run_citebot(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `citebot ARGS` to the end, with `env` and no DISCORD_TOKEN inherited."""
    return subprocess.run(
        [*CITEBOT, *args],
        env=user_env({"PYTHONPATH": str(ROOT), **env}),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
