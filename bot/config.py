"""Configuration: a YAML file checked key by key, with the token also taken from DISCORD_TOKEN.

Every key is documented in `config.example.yaml`. Unknown keys and wrong types are reported by
their dotted name, so an admin can find the line to fix.
"""

from __future__ import annotations

import os
from contextlib import closing
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

TOKEN_ENV = "DISCORD_TOKEN"
TOKEN_HINT = "set discord.token in the config file or the DISCORD_TOKEN environment variable"
SYNC_MODES = ("guild", "global", "off")
URL_SCHEMES = ("https", "http")  # http only makes sense for a local test server
GATEWAY_SCHEMES = ("wss", "ws")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# Passages per answer: Discord shows at most 25 fields an embed; the CLI keeps the same bound.
MAX_TOP_K = 25


class ConfigError(Exception):
    """A config file that cannot be used; the message names the key or file."""


@dataclass(frozen=True, slots=True)
class RetrievalConfig:
    """How questions are answered."""

    top_k: int = 3
    # Share of the question's IDF weight the best passage must match; below it, "not covered".
    min_coverage: float = 0.4
    cache_dir: Path | None = None


@dataclass(frozen=True, slots=True)
class CooldownConfig:
    """Per-user rate limit on questions."""

    rate: int = 5
    per_seconds: float = 30.0


@dataclass(frozen=True, slots=True)
class DiscordConfig:
    """How the bot connects to Discord and behaves there."""

    token: str | None = field(default=None, repr=False)  # never printed
    application_id: int | None = None
    guild_ids: tuple[int, ...] = ()
    sync: str = "global"
    api_base_url: str = "https://discord.com"
    gateway_url: str = "wss://gateway.discord.gg"
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    channel_allowlist: tuple[int, ...] = ()
    cooldown: CooldownConfig = CooldownConfig()
    feedback_db: Path = Path("citebot.sqlite3")
    # Users who may /reload and /stats besides members with Manage Server.
    admin_ids: tuple[int, ...] = ()
    # Off by default: a DM escapes the channel allow-list and every server's moderation.
    allow_dms: bool = False
    # Days questions (and their pages and votes) are kept in feedback_db.
    retention_days: int = 90


@dataclass(frozen=True, slots=True)
class Config:
    """The whole configuration."""

    knowledge: tuple[Path, ...] = ()  # empty: the bundled document
    retrieval: RetrievalConfig = RetrievalConfig()
    discord: DiscordConfig = DiscordConfig()
    log_level: str = "INFO"


def _expect(value: Any, kind: type | tuple[type, ...], key: str, what: str) -> Any:
    # bool is an int in Python; a YAML `true` where a number belongs is a mistake.
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise ConfigError(f"config key '{key}' must be {what}, not a boolean")
    if not isinstance(value, kind):
        raise ConfigError(f"config key '{key}' must be {what}, not {type(value).__name__}")
    return value


def _section(raw: Any, key: str, allowed: set[str]) -> dict[str, Any]:
    if raw is None:
        return {}
    if not key and not isinstance(raw, dict):
        raise ConfigError(f"a config file must be a mapping of keys, not {type(raw).__name__}")
    section: dict[str, Any] = _expect(raw, dict, key, "a mapping")
    unknown = sorted(str(k) for k in section if k not in allowed)
    if unknown:
        prefix = f"{key}." if key else ""
        raise ConfigError(f"unknown config key '{prefix}{unknown[0]}'")
    return section


def _int_list(raw: Any, key: str) -> tuple[int, ...]:
    if raw is None:
        return ()
    items = _expect(raw, list, key, "a list of integers")
    return tuple(_expect(item, int, key, "a list of integers") for item in items)


def _positive(value: Any, kind: type | tuple[type, ...], key: str) -> Any:
    number = _expect(value, kind, key, "a positive number")
    if number <= 0:
        raise ConfigError(f"config key '{key}' must be a positive number")
    return number


def _path(raw: Any, key: str, base: Path) -> Path:
    text = _expect(raw, str, key, "a path")
    path = Path(text).expanduser()
    # Relative paths in a config file mean relative to that file, not to the working directory.
    return path if path.is_absolute() else base / path


def _url(raw: Any, key: str, schemes: tuple[str, ...]) -> str:
    what = f"a URL starting with {' or '.join(s + '://' for s in schemes)}"
    text: str = _expect(raw, str, key, what).strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in schemes or not parts.hostname:
        raise ConfigError(f"config key '{key}' must be {what}, not {text!r}")
    return text


def parse_config(raw: Any, base: Path = Path()) -> Config:
    """Validate a parsed YAML document and build a Config (without the environment)."""
    top = _section(raw, "", {"knowledge", "retrieval", "discord", "log_level"})

    knowledge_raw = top.get("knowledge") or []
    if isinstance(knowledge_raw, str):
        knowledge_raw = [knowledge_raw]
    _expect(knowledge_raw, list, "knowledge", "a list of paths")
    knowledge = tuple(_path(item, "knowledge", base) for item in knowledge_raw)

    r = _section(top.get("retrieval"), "retrieval", {"top_k", "min_coverage", "cache_dir"})
    defaults = RetrievalConfig()
    coverage = _expect(
        r.get("min_coverage", defaults.min_coverage),
        (int, float),
        "retrieval.min_coverage",
        "a number from 0 to 1",
    )
    if not 0 <= coverage <= 1:
        raise ConfigError("config key 'retrieval.min_coverage' must be a number from 0 to 1")
    top_k = _positive(r.get("top_k", defaults.top_k), int, "retrieval.top_k")
    if top_k > MAX_TOP_K:
        raise ConfigError(f"config key 'retrieval.top_k' must be at most {MAX_TOP_K}")
    cache_dir = r.get("cache_dir")
    retrieval = RetrievalConfig(
        top_k=top_k,
        min_coverage=float(coverage),
        cache_dir=None if cache_dir is None else _path(cache_dir, "retrieval.cache_dir", base),
    )

    d = _section(
        top.get("discord"),
        "discord",
        {
            "token",
            "application_id",
            "guild_ids",
            "sync",
            "api_base_url",
            "gateway_url",
            "shard_count",
            "shard_ids",
            "channel_allowlist",
            "cooldown",
            "feedback_db",
            "admin_ids",
            "allow_dms",
            "retention_days",
        },
    )
    dd = DiscordConfig()
    sync = _expect(d.get("sync", dd.sync), str, "discord.sync", "one of guild, global, off")
    if sync not in SYNC_MODES:
        raise ConfigError("config key 'discord.sync' must be one of guild, global, off")
    c = _section(d.get("cooldown"), "discord.cooldown", {"rate", "per_seconds"})
    cooldown = CooldownConfig(
        rate=_positive(c.get("rate", dd.cooldown.rate), int, "discord.cooldown.rate"),
        per_seconds=float(
            _positive(
                c.get("per_seconds", dd.cooldown.per_seconds),
                (int, float),
                "discord.cooldown.per_seconds",
            )
        ),
    )
    token = d.get("token")
    if token is not None:
        _expect(token, str, "discord.token", "a string")
    app_id = d.get("application_id")
    if app_id is not None:
        _positive(app_id, int, "discord.application_id")
    shard_count = d.get("shard_count")
    if shard_count is not None:
        _positive(shard_count, int, "discord.shard_count")
    shard_ids = None
    if d.get("shard_ids") is not None:
        shard_ids = _int_list(d["shard_ids"], "discord.shard_ids")
        if shard_count is None:
            raise ConfigError("config key 'discord.shard_ids' needs 'discord.shard_count'")
        if any(not 0 <= s < shard_count for s in shard_ids):
            raise ConfigError("config key 'discord.shard_ids' must be below 'discord.shard_count'")
    urls = {}
    for key, schemes in (("api_base_url", URL_SCHEMES), ("gateway_url", GATEWAY_SCHEMES)):
        urls[key] = _url(d.get(key, getattr(dd, key)), f"discord.{key}", schemes)
    discord_config = DiscordConfig(
        token=token or None,
        application_id=app_id,
        guild_ids=_int_list(d.get("guild_ids"), "discord.guild_ids"),
        sync=sync,
        api_base_url=urls["api_base_url"],
        gateway_url=urls["gateway_url"],
        shard_count=shard_count,
        shard_ids=shard_ids,
        channel_allowlist=_int_list(d.get("channel_allowlist"), "discord.channel_allowlist"),
        cooldown=cooldown,
        feedback_db=_path(d.get("feedback_db", str(dd.feedback_db)), "discord.feedback_db", base),
        admin_ids=_int_list(d.get("admin_ids"), "discord.admin_ids"),
        allow_dms=_expect(
            d.get("allow_dms", dd.allow_dms), bool, "discord.allow_dms", "true or false"
        ),
        retention_days=_positive(
            d.get("retention_days", dd.retention_days), int, "discord.retention_days"
        ),
    )

    level = _expect(top.get("log_level", "INFO"), str, "log_level", "a log level").upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"config key 'log_level' must be one of {', '.join(LOG_LEVELS)}")
    return Config(knowledge=knowledge, retrieval=retrieval, discord=discord_config, log_level=level)


def load_config(path: Path | None, environ: dict[str, str] | None = None) -> Config:
    """Read a config file (None: defaults) and apply the DISCORD_TOKEN environment variable."""
    env = os.environ if environ is None else environ
    if path is None:
        config = Config()
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"config file {path} is not UTF-8 text") from None
        import yaml  # only when there is a file: a command without one starts faster

        try:
            raw = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" line {mark.line + 1}" if mark is not None else ""
            raise ConfigError(f"config file {path}{where}: not valid YAML") from None
        config = parse_config(raw, base=path.parent)
    token = env.get(TOKEN_ENV)
    if token:
        # The environment wins, so a token can stay out of files entirely.
        config = replace(config, discord=replace(config.discord, token=token))
    return config


def bot_config_problems(config: Config) -> list[str]:
    """What stops `citebot bot` from starting with this config, one message each; creates nothing.

    `citebot check` reports the same list, so a config it passes is one the bot accepts.
    """
    d = config.discord
    problems = []
    if not d.token or not d.token.strip():
        problems.append(f"config key 'discord.token' is missing: {TOKEN_HINT}")
    if d.sync == "guild" and not d.guild_ids:
        problems.append(
            "config key 'discord.guild_ids' must list a guild when discord.sync is 'guild' "
            "(or set discord.sync to 'global')"
        )
    problem = _database_problem(d.feedback_db)
    if problem:
        problems.append(f"config key 'discord.feedback_db': {problem}")
    return problems


def _database_problem(path: Path) -> str | None:
    # The bot creates the file, never its folder: a missing folder is most likely a typo.
    if path.is_dir():
        return f"{path} is a folder, not a database file"
    if not path.exists():
        folder = path.parent
        if not folder.is_dir():
            return f"the folder {folder} does not exist"
        if not os.access(folder, os.W_OK):
            return f"cannot create {path}: the folder is not writable"
        return None
    if not os.access(path, os.R_OK | os.W_OK):
        return f"cannot open {path}: permission denied"
    import sqlite3  # only `check` and `bot` look at the database

    uri = f"{path.resolve().as_uri()}?mode=ro"  # read-only: checking never changes the file
    try:
        with closing(sqlite3.connect(uri, uri=True)) as connection:
            connection.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError:
        return f"{path} is not an SQLite database"
    return None
