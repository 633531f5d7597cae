"""The Discord front end: a discord.py `commands.Bot` whose features are cogs (bot/cogs).

The bot holds what every cog shares: the served documents (`bot.served`, replaced whole by a
reload), the feedback store, the cooldown, and the two rules every request passes through:

- one check, `admit`, for slash commands, autocomplete, buttons and mentions alike: not seen
  before (a gateway replay is not answered twice), not in a DM unless DMs are allowed, inside the
  channel allow-list, and admins only for the admin commands;
- one error handler, `report_error`: the error is logged with a fresh id, and the user gets one
  private line with the same id (a reply, for a mention).

Everything sent uses AllowedMentions.none().
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs import EXTENSIONS
from bot.config import Config
from bot.cooldown import Cooldown
from bot.feedback import FeedbackStore
from bot.served import Served, describe_change
from bot.sync import sync_commands
from bot.text import one_line, truncate
from retrieval.search import KnowledgeBase

Interaction = discord.Interaction[Any]

log = logging.getLogger("citebot")

# Interaction and message ids already handled: a gateway replay must not be answered twice.
_SEEN_LIMIT = 10_000
_ALLOWED_CHANNELS_SHOWN = 5
# A command with this key set in its `extras` is for admins only (checked in `admit`).
ADMINS_ONLY = "admins_only"
# Characters of a reload error shown to the admin: the whole line is in the log.
RELOAD_ERROR_LIMIT = 300

NO_DMS = "I only answer in servers, not in direct messages. Please ask me in a server we share."
NOT_ADMIN = "Only members with the Manage Server permission (or configured admins) can use this."


def may_be_question(data: Mapping[str, Any], me: int | None) -> bool:
    """Whether a raw MESSAGE_CREATE payload is one the asking cog might answer: from a human,
    and a direct message or one that mentions the bot (`me`). The same tests as
    `Asking.on_message`, on the payload, so that the rest are dropped unparsed."""
    author = data.get("author") or {}
    if me is None or author.get("bot"):
        return False
    if "guild_id" not in data:  # only a direct message comes without a server
        return True
    mine = str(me)
    return any(str(user.get("id")) == mine for user in data.get("mentions") or ())


def bot_of(interaction: Interaction) -> CitebotBot:
    """The bot an interaction reached."""
    client = interaction.client
    if isinstance(client, CitebotBot):
        return client
    raise TypeError("an interaction from a client citebot did not create")


class Guarded:
    """Mixin for the bot's buttons (before DynamicItem in the bases): the bot's one check and
    one error handler around `handle`, as the tree puts them around a command."""

    what = "button"  # how the latency log names it

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        """Whether to handle a press at all (see CitebotBot.admit)."""
        return await bot_of(interaction).admit(interaction)

    async def callback(self, interaction: Interaction) -> None:
        """Run `handle`; its errors go where command errors go."""
        bot = bot_of(interaction)
        try:
            async with bot.answering(
                f"button {self.what}", interaction.id, interaction.user.id, interaction.guild_id
            ):
                await self.handle(bot, interaction)
        except Exception as error:
            await bot.report_error(interaction, error)

    async def handle(self, bot: CitebotBot, interaction: Interaction) -> None:
        """What the button does."""
        raise NotImplementedError


class CitebotTree(app_commands.CommandTree[Any]):
    """The command tree: its check and its error handler are the bot's one check and handler."""

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        """Whether to handle a command or autocomplete at all (see CitebotBot.admit)."""
        return await bot_of(interaction).admit(interaction)

    async def on_error(
        self, interaction: Interaction, error: app_commands.AppCommandError, /
    ) -> None:
        """Log with an error id and tell the user, whatever state the interaction is in."""
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        await bot_of(interaction).report_error(interaction, original)


class CitebotBot(commands.Bot):
    """The bot: shared state, the one check, the one error handler, and reloading."""

    def __init__(
        self,
        config: Config,
        served: Served,
        store: FeedbackStore,
        loader: Callable[[], KnowledgeBase],
        **options: Any,
    ) -> None:
        """A bot serving `served`; `loader` loads the documents again for a reload."""
        settings = config.discord
        # The bot never joins voice: discord.py's warnings about voice libraries are noise.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        # Mentions reach the bot without the privileged message_content intent.
        intents = discord.Intents.none()
        intents.guilds = True
        intents.guild_messages = True
        intents.dm_messages = True
        super().__init__(
            # No prefix commands: a mention is a question (see bot.cogs.asking).
            command_prefix=commands.when_mentioned,
            help_command=None,
            tree_cls=CitebotTree,
            intents=intents,
            allowed_contexts=app_commands.AppCommandContext(
                guild=True, dm_channel=settings.allow_dms, private_channel=False
            ),
            allowed_mentions=discord.AllowedMentions.none(),
            # Nothing reads cached messages or members: caching them costs memory and CPU.
            max_messages=None,
            member_cache_flags=discord.MemberCacheFlags.none(),
            chunk_guilds_at_startup=False,
            **options,
        )
        self.config = config
        self.served = served  # replaced whole by a reload; read it once per request
        self.store = store
        self.loader = loader
        self.top_k = config.retrieval.top_k
        self.cooldown = Cooldown(settings.cooldown.rate, settings.cooldown.per_seconds)
        self.allowed_channels = frozenset(settings.channel_allowlist)
        self.admin_ids = frozenset(settings.admin_ids)
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._reloading = asyncio.Lock()
        # Whether this turn's writes have a commit scheduled, and who waits for it.
        self._commit_scheduled = False
        self._waiting: list[asyncio.Future[None]] = []
        store.batch_writes(self._commit_soon)
        self._drop_unasked_messages()

    def _drop_unasked_messages(self) -> None:
        """Skip discord.py's parsing of messages the bot would ignore.

        With the guild_messages intent every message of every channel arrives, the bot's own
        answers included; building a Message of each (author, member, embeds, components) was
        a few percent of the CPU of an answer. discord.py has no hook for this, so its parser
        for MESSAGE_CREATE is wrapped (before connecting: the gateway reads this table).
        """
        state = self._connection
        parsers = state.parsers
        parse = parsers.get("MESSAGE_CREATE")
        if parse is None:
            log.warning("discord.py has no MESSAGE_CREATE parser to wrap; parsing every message")
            return

        def parse_message_create(data: dict[str, Any]) -> None:
            if may_be_question(data, state.self_id):
                parse(data)

        parsers["MESSAGE_CREATE"] = parse_message_create

    # -- the feedback store's writes, committed once per turn of the event loop -------------

    def _commit_soon(self) -> None:
        """A write was left pending: commit it on the next turn, with the rest of this one's."""
        if self._commit_scheduled:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # called outside the event loop (a test): nothing to batch with
            self.store.commit()
            return
        self._commit_scheduled = True
        loop.call_soon(self._commit_now)

    def _commit_now(self) -> None:
        waiting, self._waiting = self._waiting, []
        self._commit_scheduled = False
        try:
            self.store.commit()
        except Exception as error:  # every request of the batch reports it
            log.error("could not save the feedback of this turn: %s", error)
            for waiter in waiting:
                if not waiter.done():  # a cancelled request waits no more
                    waiter.set_exception(error)
        else:
            for waiter in waiting:
                if not waiter.done():
                    waiter.set_result(None)

    async def committed(self) -> None:
        """Wait until the store's pending writes are committed. Call it before answering, so
        that whatever a user sees (a button's answer id, a vote) is in the database.

        Each waiter has its own future, so that a cancelled request cancels only its own wait;
        a shared future behind asyncio.shield cost one more turn of the loop per answer.
        """
        if not self._commit_scheduled:
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        await waiter

    async def setup_hook(self) -> None:
        """Load the cogs (each registers its commands, listeners and buttons), then set aside
        what is loaded from the garbage collector's full passes."""
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        freeze_loaded()

    async def on_message(self, message: discord.Message, /) -> None:
        """Prefix commands are not used; the asking cog listens for mentions itself."""

    async def on_ready(self) -> None:
        """Log where the bot is connected."""
        log.info("connected as %s to %d guilds", self.user, len(self.guilds))

    async def sync(self) -> None:
        """Register the commands with Discord as configured (call after login)."""
        if self.application_id is None:
            raise RuntimeError("sync needs a logged-in client")
        await sync_commands(self.tree, self.config.discord, self.store, self.application_id)

    # -- the one check -------------------------------------------------------------------------

    def _first_time(self, snowflake: int) -> bool:
        if snowflake in self._seen:
            return False
        self._seen[snowflake] = None
        if len(self._seen) > _SEEN_LIMIT:
            self._seen.popitem(last=False)
        return True

    def _channel_allowed(self, channel: object, channel_id: int | None) -> bool:
        if not self.allowed_channels:
            return True
        # A thread is allowed where its parent channel is.
        parent = getattr(channel, "parent_id", None)
        return channel_id in self.allowed_channels or parent in self.allowed_channels

    def is_admin(self, interaction: Interaction) -> bool:
        """A configured admin, or a member with Manage Server in the server asked in."""
        if interaction.user.id in self.admin_ids:
            return True
        return interaction.guild_id is not None and interaction.permissions.manage_guild

    def refusal(
        self,
        snowflake: int,
        channel: object,
        channel_id: int | None,
        in_dm: bool,
        admins_only: bool = False,
        by_admin: bool = False,
    ) -> str | None:
        """Why not to handle a request: "" to stay silent, a line to say, None to go ahead.

        The rules, in order: a repeat is dropped silently; a DM gets a polite no unless DMs are
        allowed; outside the channel allow-list the reason is given (its caller keeps quiet for
        a mention, so as not to clutter the channel); admin commands need an admin, in a DM too
        (where only `discord.admin_ids` are admins).
        """
        if not self._first_time(snowflake):
            log.warning("event %s arrived again; not answering twice", snowflake)
            return ""
        if in_dm:
            if not self.config.discord.allow_dms:
                return NO_DMS
        elif not self._channel_allowed(channel, channel_id):  # DMs are in no channel list
            shown = sorted(self.allowed_channels)[:_ALLOWED_CHANNELS_SHOWN]
            where = ", ".join(f"<#{channel}>" for channel in shown)
            return f"I only answer in these channels: {where}."
        if admins_only and not by_admin:
            return NOT_ADMIN
        return None

    async def admit(self, interaction: Interaction) -> bool:
        """Whether to handle an interaction; a refusal is said privately (see `refusal`)."""
        extras = getattr(interaction.command, "extras", None) or {}
        admins_only = bool(extras.get(ADMINS_ONLY))
        reason = self.refusal(
            interaction.id,
            interaction.channel,
            interaction.channel_id,
            interaction.guild_id is None,
            admins_only,
            admins_only and self.is_admin(interaction),
        )
        if reason is None:
            return True
        if interaction.type is discord.InteractionType.autocomplete:
            # Suggestions cannot carry a message and are harmless: only the command is refused.
            return reason != ""
        if reason:
            with contextlib.suppress(discord.HTTPException):
                await interaction.response.send_message(reason, ephemeral=True)
        return False

    # -- the one error handler -----------------------------------------------------------------

    async def report_error(
        self, target: Interaction | discord.Message, error: BaseException
    ) -> None:
        """Log an error with a fresh id and tell the user, if still possible: privately for an
        interaction, as a reply for a mention."""
        error_id = secrets.token_hex(4)
        kind = "message" if isinstance(target, discord.Message) else "interaction"
        log.error("error %s while handling %s %s", error_id, kind, target.id, exc_info=error)
        text = f"Sorry, something went wrong (error id {error_id}). Please try again."
        try:
            if isinstance(target, discord.Message):
                await target.reply(text)
                return
            if target.type is discord.InteractionType.autocomplete:
                return  # suggestions cannot carry a message
            if target.is_expired():
                log.warning(
                    "interaction %s expired before error %s could be shown", target.id, error_id
                )
                return
            if target.response.is_done():
                await target.followup.send(text, ephemeral=True)
            else:
                await target.response.send_message(text, ephemeral=True)
        except discord.HTTPException as exc:
            log.warning("could not show error %s to the user: %s", error_id, exc)

    @contextlib.asynccontextmanager
    async def answering(
        self, what: str, event: int, user: int, guild: int | None
    ) -> AsyncIterator[None]:
        """Log one line with the latency once the body has answered."""
        started = time.perf_counter()
        yield
        log.info(
            "answered %s in %.1f ms (%s %s, user %s, guild %s)",
            what,
            (time.perf_counter() - started) * 1000,
            "message" if what == "mention" else "interaction",
            event,
            user,
            guild,
        )

    # -- reloading -----------------------------------------------------------------------------

    async def reload_documents(self, why: str) -> str:
        """Load the documents again beside the served ones, which keep answering meanwhile;
        swap them in on success, keep the old ones on failure. Returns the line to tell the
        admin: what changed, or why the old documents are still served."""
        if self._reloading.locked():
            return "A reload is already running; try again when it is done."
        async with self._reloading:
            before = self.served
            started = time.perf_counter()
            try:
                served = await asyncio.to_thread(Served.load, self.loader)
            except Exception as error:  # whatever it was, the old documents stay served
                log.error(
                    "reload (%s) failed; still serving the previous documents", why, exc_info=error
                )
                reason = truncate(one_line(str(error)) or type(error).__name__, RELOAD_ERROR_LIMIT)
                return f"Reload failed; still serving the previous documents. {reason}"
            self.served = served  # the swap: one assignment, atomic for every handler
            change = describe_change(before.counts, served.counts)
            del before  # so that the previous documents can be collected now
            refreeze()
            log.info(
                "reloaded the documents (%s) in %.0f ms: %s",
                why,
                (time.perf_counter() - started) * 1000,
                change,
            )
            return f"Reloaded the documents: {change}."


def freeze_loaded() -> None:
    """Move every object alive now (documents, index, discord.py) out of the garbage
    collector's reach: they live as long as the process, and each full collection traversed
    them all, about 0.1 s with the bundled article alone, stalling every answer meanwhile."""
    gc.freeze()


def refreeze() -> None:
    """After a reload: collect what the previous documents left in cycles (frozen objects are
    never collected), then freeze again, the new documents included."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class ShardedCitebotBot(CitebotBot, commands.AutoShardedBot):
    """The sharded variant, for `discord.shard_count`."""


def create_bot(
    config: Config,
    served: Served,
    store: FeedbackStore,
    loader: Callable[[], KnowledgeBase],
) -> CitebotBot:
    """A bot for the configuration: sharded when `discord.shard_count` is set."""
    settings = config.discord
    if settings.shard_count is None:
        return CitebotBot(config, served, store, loader)
    ids = list(settings.shard_ids) if settings.shard_ids is not None else None
    return ShardedCitebotBot(
        config, served, store, loader, shard_count=settings.shard_count, shard_ids=ids
    )
