"""Exit codes of `citebot bot`, and the one line each way of failing to start is reported with.

A service manager can tell from the code whether a restart can help: 1 and 5 are worth a
retry (the network, or Discord, may come back); 2, 3 and 4 need a person to change something.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp
import discord

from bot.config import TOKEN_HINT

STOPPED = 0  # SIGINT or SIGTERM: a clean stop
CONNECTION_LOST = 1  # it was serving, then the connection failed for good
BAD_CONFIG = 2  # the config or the documents cannot be used (also the CLI's usage errors)
TOKEN_REJECTED = 3  # Discord does not accept the token
INTENTS_REFUSED = 4  # the gateway refused the intents the bot asked for
DISCORD_UNREACHABLE = 5  # no answer from Discord's API or gateway, or a server error

# Gateway close codes (Discord's documentation, "Gateway Close Event Codes").
_AUTHENTICATION_FAILED = 4004
_INTENT_CODES = (4013, 4014)  # invalid intents, disallowed intents
_SHARDING_REQUIRED = 4011  # the bot is in too many servers for one connection


@dataclass(frozen=True, slots=True)
class Failure:
    """How `citebot bot` ends after an error: its exit code and the line that says why."""

    code: int
    message: str


def failure(error: BaseException, api_base_url: str, serving: bool) -> Failure:
    """Classify `error`, raised while connecting (or, if `serving`, after READY), in one line."""
    if isinstance(error, discord.LoginFailure) or _closed_with(error, (_AUTHENTICATION_FAILED,)):
        return Failure(TOKEN_REJECTED, f"Discord rejected the token: {TOKEN_HINT}")
    if isinstance(error, discord.PrivilegedIntentsRequired) or _closed_with(error, _INTENT_CODES):
        return Failure(
            INTENTS_REFUSED,
            "Discord refused the gateway intents the bot asked for; citebot needs no privileged "
            "intent, so check the application's settings in the Developer Portal",
        )
    if _closed_with(error, (_SHARDING_REQUIRED,)):
        return Failure(
            BAD_CONFIG,
            "Discord requires sharding for this bot: set discord.shard_count "
            "(about one shard per 1,000 servers; see docs/scaling.md)",
        )
    if isinstance(error, discord.HTTPException):
        what = f"Discord answered {error.status} {error.text or error.__class__.__name__}"
    elif isinstance(error, aiohttp.ClientError | OSError | discord.GatewayNotFound):
        what = f"cannot reach Discord at {api_base_url} ({_reason(error)})"
    else:
        what = f"unexpected error: {_reason(error)}"
    if serving:
        return Failure(CONNECTION_LOST, f"the connection to Discord was lost: {what}")
    return Failure(DISCORD_UNREACHABLE, f"cannot start: {what}")


def _closed_with(error: BaseException, codes: tuple[int, ...]) -> bool:
    return isinstance(error, discord.ConnectionClosed) and error.code in codes


def _reason(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else error.__class__.__name__
