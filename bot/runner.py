"""Running the bot: `citebot bot` and `citebot invite-url`.

Configuration problems (no token, a guild sync without guilds, an unusable database) are raised
as ConfigError before anything connects. The token is never logged: discord.py does not log it,
and a filter on every log handler blanks it out should it ever appear.

SIGINT and SIGTERM stop the bot cleanly; SIGHUP reloads the documents, as /reload does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable

import discord
import yarl

from bot import exit_codes
from bot.config import TOKEN_HINT, Config, ConfigError, DiscordConfig, bot_config_problems
from bot.discord_app import create_bot
from bot.feedback import FeedbackStore, StoreError
from bot.served import Served
from retrieval.search import KnowledgeBase

log = logging.getLogger("citebot")

# What the bot needs in a channel: see it, post answers (also in threads) with embeds, and
# reply to mentions (a reply needs Read Message History).
PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    read_message_history=True,
)
SCOPES = ("bot", "applications.commands")


class _Redact(logging.Filter):
    """Replaces a secret in every log record (message and arguments) by ***."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        # Kept formatted, so that the formatter does not format the message a second time.
        record.msg, record.args = record.getMessage().replace(self.secret, "***"), None
        if record.exc_info and record.exc_info[1] and self.secret in str(record.exc_info[1]):
            record.exc_info = None
            record.msg = f"{record.msg} (exception details withheld: they held the token)"
        return True


def apply_endpoints(config: DiscordConfig) -> None:
    """Point discord.py at the configured REST API and gateway (it has no setting for them)."""
    discord.http.Route.BASE = f"{config.api_base_url}/api/v10"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(config.gateway_url)


def _token(config: Config) -> str:
    token = config.discord.token
    if not token or not token.strip():
        raise ConfigError(f"config key 'discord.token' is missing: {TOKEN_HINT}")
    return token.strip()


def _setup_logging(config: Config, token: str) -> None:
    # discord.py colours its log whenever it runs in Docker; a file or journal wants plain text.
    level = getattr(logging, config.log_level)
    if sys.stderr.isatty():
        discord.utils.setup_logging(level=level, root=True)
    else:
        plain = logging.Formatter(
            "[{asctime}] [{levelname:<8}] {name}: {message}", "%Y-%m-%d %H:%M:%S", style="{"
        )
        discord.utils.setup_logging(level=level, formatter=plain, root=True)
    for handler in logging.getLogger().handlers:
        handler.addFilter(_Redact(token))
    # Neither format shows the thread, the process or the calling function: without these
    # flags every record looked them up (the logging HOWTO's "Optimization" list), and each
    # answer logs a line. They hold for every logger of the process, discord.py's included:
    # no record has a file, line or stack_info stack any more, and nothing here prints one.
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging._srcfile = None


def run(config: Config, kb: KnowledgeBase, loader: Callable[[], KnowledgeBase]) -> int:
    """Serve Discord until SIGINT/SIGTERM; the exit code says how it ended (bot.exit_codes).

    `loader` loads the documents again for /reload and SIGHUP: what made `kb`.
    """
    problems = bot_config_problems(config)  # the checks `citebot check` reports
    if problems:
        raise ConfigError("; ".join(problems))
    token = _token(config)
    try:
        store = FeedbackStore(config.discord.feedback_db)
    except StoreError as exc:
        raise ConfigError(f"config key 'discord.feedback_db': {exc}") from None
    try:
        _setup_logging(config, token)
        apply_endpoints(config.discord)
        served = Served.of(kb)
        return asyncio.run(_serve(config, served, store, loader, token))
    finally:
        store.close()


async def _serve(
    config: Config,
    served: Served,
    store: FeedbackStore,
    loader: Callable[[], KnowledgeBase],
    token: str,
) -> int:
    bot = create_bot(config, served, store, loader)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    reloads: set[asyncio.Task[object]] = set()  # kept until done, as asyncio asks

    def reload() -> None:
        task = loop.create_task(bot.reload_documents("SIGHUP"), name="citebot-reload")
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    loop.add_signal_handler(signal.SIGHUP, reload)

    serving = False

    async def mark_serving() -> None:
        nonlocal serving
        await bot.wait_until_ready()
        serving = True

    async def connect() -> None:
        await bot.login(token)
        await bot.sync()
        await bot.connect(reconnect=True)

    async with bot:  # closes the connection and the HTTP session on the way out
        connection = asyncio.create_task(connect(), name="citebot-connection")
        stopping = asyncio.create_task(stop.wait(), name="citebot-stop")
        ready = asyncio.create_task(mark_serving(), name="citebot-ready")
        await asyncio.wait({connection, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        ready.cancel()
        if not connection.done():
            log.info("shutting down")
            await bot.close()
            connection.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await connection
            return exit_codes.STOPPED
    error = connection.exception()
    if error is None:
        return exit_codes.STOPPED  # the connection ended without an error: closed from elsewhere
    ended = exit_codes.failure(error, config.discord.api_base_url, serving)
    log.error("%s", ended.message)
    return ended.code


def invite_url(config: Config) -> str:
    """The OAuth2 URL that adds the bot to a server with the commands scope and permissions.

    Uses `discord.application_id`, or asks Discord for it with the token.
    """
    application_id = config.discord.application_id
    if application_id is None:
        try:
            token = _token(config)
        except ConfigError:
            raise ConfigError(
                f"config key 'discord.application_id' is missing: set it, or {TOKEN_HINT} "
                "so that it can be looked up"
            ) from None
        apply_endpoints(config.discord)
        application_id = asyncio.run(_fetch_application_id(token))
    return discord.utils.oauth_url(application_id, permissions=PERMISSIONS, scopes=SCOPES)


async def _fetch_application_id(token: str) -> int:
    http = discord.http.HTTPClient(asyncio.get_running_loop())
    try:
        await http.static_login(token)
        data = await http.application_info()
    except discord.LoginFailure:
        raise ConfigError(
            f"config key 'discord.token' was rejected by Discord: {TOKEN_HINT}"
        ) from None
    except (discord.HTTPException, OSError) as exc:
        raise ConfigError(f"cannot look up discord.application_id: {exc}") from None
    finally:
        await http.close()
    return int(data["id"])
