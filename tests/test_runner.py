"""The runner's offline parts: config checks, endpoints, invite URL, token redaction, sync hash."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import discord
import pytest

from bot.config import Config, ConfigError, DiscordConfig
from bot.discord_app import create_bot
from bot.feedback import FeedbackStore
from bot.runner import PERMISSIONS, _Redact, apply_endpoints, invite_url, run
from bot.served import Served
from bot.sync import command_digest
from retrieval.search import KnowledgeBase


def test_missing_token_is_a_config_error_naming_the_key() -> None:
    with pytest.raises(ConfigError, match=r"discord\.token.*DISCORD_TOKEN"):
        run(Config(), KnowledgeBase.from_paths(()), lambda: KnowledgeBase.from_paths(()))


def test_endpoints_are_applied(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    gateway = discord.gateway.DiscordWebSocket
    monkeypatch.setattr(gateway, "DEFAULT_GATEWAY", gateway.DEFAULT_GATEWAY)
    apply_endpoints(DiscordConfig(api_base_url="http://proxy:8080", gateway_url="ws://gw:9/x"))
    assert discord.http.Route.BASE == "http://proxy:8080/api/v10"
    assert str(gateway.DEFAULT_GATEWAY) == "ws://gw:9/x"
    assert discord.http.Route("GET", "/users/@me").url == "http://proxy:8080/api/v10/users/@me"


def test_invite_url_from_the_configured_application_id() -> None:
    url = invite_url(Config(discord=DiscordConfig(application_id=1234)))
    query = parse_qs(urlsplit(url).query)
    assert query["client_id"] == ["1234"]
    assert query["scope"] == ["bot applications.commands"]
    permissions = discord.Permissions(int(query["permissions"][0]))
    assert permissions == PERMISSIONS
    assert not permissions.administrator and not permissions.mention_everyone


def test_invite_url_needs_an_id_or_a_token() -> None:
    with pytest.raises(ConfigError, match=r"discord\.application_id"):
        invite_url(Config())


def test_the_token_is_redacted_from_log_records() -> None:
    secret = "MTIz.secret.token"
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "sent %s to %s", (secret, "y"), None)
    assert _Redact(secret).filter(record)
    assert record.getMessage() == "sent *** to y"
    try:
        raise RuntimeError(f"bad {secret}")
    except RuntimeError as exc:
        failing = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "oops", None, (type(exc), exc, exc.__traceback__)
        )
    _Redact(secret).filter(failing)
    assert failing.exc_info is None
    assert secret not in logging.Formatter().format(failing)


def test_a_redacted_log_line_keeps_its_text_whatever_it_holds() -> None:
    # The filter keeps the formatted message: a "%" or "{" in it must not be formatted again.
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "asked %r", ("100% {sure}",), None)
    assert _Redact("MTIz.secret.token").filter(record)
    assert logging.Formatter("{message}", style="{").format(record) == "asked '100% {sure}'"
    assert logging.Formatter().format(record) == "asked '100% {sure}'"


async def test_command_hash_changes_with_the_command_set(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "db.sqlite3")
    kb = KnowledgeBase.from_paths(())
    config = Config()
    served = Served.of(kb)
    first = create_bot(config, served, store, lambda: kb)
    sharded = replace(config, discord=replace(config.discord, shard_count=2))
    second = create_bot(sharded, served, store, lambda: kb)
    for bot in (first, second):
        await bot.setup_hook()  # adds the cogs, as login does
    assert command_digest(first.tree) == command_digest(second.tree)
    assert isinstance(second, discord.AutoShardedClient)
    assert not isinstance(first, discord.AutoShardedClient)
    second.tree.remove_command("help")
    assert command_digest(first.tree) != command_digest(second.tree)
    for bot in (first, second):
        for extension in list(bot.extensions):
            await bot.unload_extension(extension)  # stops the pruning task
    store.close()
