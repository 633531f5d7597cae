"""The Discord front end: slash commands, mentions and buttons, answered from a KnowledgeBase.

Buttons carry stateless custom_ids (at most 100 characters), so they work after a restart:

- `citebot:more:<answer id>`: the next page of the answer stored under that id;
- `citebot:vote:<answer id>:up|down`: a vote on that page;
- `citebot:timeline:<page>:prev|next`: a timeline page (the direction only keeps ids unique).

The answer id names a row of the feedback database (bot.feedback), which holds the question.
Everything sent uses AllowedMentions.none(); every error reaches the user as one ephemeral line
with an error id that is also in the log.
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Self

import discord
from discord import app_commands

from bot.config import Config
from bot.cooldown import Cooldown
from bot.embeds import (
    CONTENT_LIMIT,
    about_embed,
    answer_embed,
    help_embed,
    no_answer_text,
    timeline_embed,
)
from bot.feedback import Asker, FeedbackStore
from bot.sync import sync_commands
from bot.text import clean, one_line, truncate
from retrieval.answers import Answer
from retrieval.search import KnowledgeBase

Interaction = discord.Interaction[discord.Client]

log = logging.getLogger("citebot")

TIMELINE_PAGE_SIZE = 8
CHOICE_LIMIT = 100  # characters of an autocomplete choice's name and value
AUTOCOMPLETE_CHOICES = 25
# Interaction and message ids already handled: a gateway replay must not be answered twice.
_SEEN_LIMIT = 10_000
_ALLOWED_CHANNELS_SHOWN = 5

EXPIRED = "This result has expired. Please ask again."
NO_MORE = "There are no more passages for this question."
BLANK = {
    "ask": "Please type a question, for example: When was Trotsky exiled?",
    "figure": "Please type a name, for example: Leon Trotsky.",
    "event": "Please type an event or a year, for example: Great Purge, or 1929.",
    "ref": "Please give a citation number, for example: 19.",
}
MENTION_HINT = "Ask me a question after the mention, for example: @citebot when was Trotsky exiled?"


class CitebotClient(discord.Client):
    """A discord.py client that knows the bot it serves (for buttons after a restart)."""

    def __init__(self, bot: Citebot, **options: Any) -> None:
        """Create the client; `options` go to discord.Client."""
        super().__init__(**options)
        self.bot = bot


class ShardedCitebotClient(discord.AutoShardedClient):
    """The sharded variant, for `discord.shard_count`."""

    def __init__(self, bot: Citebot, **options: Any) -> None:
        """Create the client; `options` go to discord.AutoShardedClient."""
        super().__init__(**options)
        self.bot = bot


def _bot_of(interaction: Interaction) -> Citebot:
    client = interaction.client
    if isinstance(client, CitebotClient | ShardedCitebotClient):
        return client.bot
    raise TypeError("an interaction from a client citebot did not create")


class MoreButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"citebot:more:(?P<answer>[0-9]{1,19})",
):
    """ "More passages": the next page of a stored answer."""

    def __init__(self, answer_id: int) -> None:
        """A button for the page after answer `answer_id`."""
        super().__init__(
            discord.ui.Button(
                label="More passages",
                style=discord.ButtonStyle.primary,
                custom_id=f"citebot:more:{answer_id}",
            )
        )
        self.answer_id = answer_id

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        """Rebuild the button from its custom_id."""
        return cls(int(match["answer"]))

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        """Skip repeats and channels outside the allow-list."""
        return await _bot_of(interaction).admit(interaction)

    async def callback(self, interaction: Interaction) -> None:
        """Show the next page."""
        await _bot_of(interaction).on_more(interaction, self.answer_id)


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"citebot:vote:(?P<answer>[0-9]{1,19}):(?P<vote>up|down)",
):
    """👍 or 👎 on a page of an answer."""

    def __init__(self, answer_id: int, vote: int) -> None:
        """A button voting `vote` (+1 or -1) on answer `answer_id`."""
        direction = "up" if vote > 0 else "down"
        super().__init__(
            discord.ui.Button(
                emoji="👍" if vote > 0 else "👎",
                style=discord.ButtonStyle.secondary,
                custom_id=f"citebot:vote:{answer_id}:{direction}",
            )
        )
        self.answer_id = answer_id
        self.vote = vote

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        """Rebuild the button from its custom_id."""
        return cls(int(match["answer"]), 1 if match["vote"] == "up" else -1)

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        """Skip repeats and channels outside the allow-list."""
        return await _bot_of(interaction).admit(interaction)

    async def callback(self, interaction: Interaction) -> None:
        """Record the vote."""
        await _bot_of(interaction).on_vote(interaction, self.answer_id, self.vote)


class TimelineButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"citebot:timeline:(?P<page>[0-9]{1,6}):(?P<way>prev|next)",
):
    """Previous or next page of the timeline."""

    def __init__(self, page: int, way: str, disabled: bool = False) -> None:
        """A button leading to timeline page `page` (from 0)."""
        super().__init__(
            discord.ui.Button(
                label="◀ Previous" if way == "prev" else "Next ▶",
                style=discord.ButtonStyle.secondary,
                custom_id=f"citebot:timeline:{page}:{way}",
                disabled=disabled,
            )
        )
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        """Rebuild the button from its custom_id."""
        return cls(int(match["page"]), match["way"])

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        """Skip repeats and channels outside the allow-list."""
        return await _bot_of(interaction).admit(interaction)

    async def callback(self, interaction: Interaction) -> None:
        """Show that page in place."""
        await _bot_of(interaction).on_timeline_page(interaction, self.page)


def answer_view(answer_id: int, more: bool) -> discord.ui.View:
    """The buttons under a page of an answer."""
    view = discord.ui.View(timeout=None)
    if more:
        view.add_item(MoreButton(answer_id))
    view.add_item(VoteButton(answer_id, 1))
    view.add_item(VoteButton(answer_id, -1))
    return view


def timeline_view(page: int, pages: int) -> discord.ui.View:
    """Previous/next buttons for timeline page `page` of `pages`."""
    view = discord.ui.View(timeout=None)
    view.add_item(TimelineButton(max(page - 1, 0), "prev", disabled=page == 0))
    view.add_item(TimelineButton(min(page + 1, pages - 1), "next", disabled=page >= pages - 1))
    return view


def _has_words(text: str) -> bool:
    # Blank, punctuation or invisible characters only: nothing to search for.
    return any(char.isalnum() for char in text)


def _cooldown_text(wait: float) -> str:
    return f"You're asking quickly. Please try again in {math.ceil(wait)} s."


class CitebotTree(app_commands.CommandTree[discord.Client]):
    """The command tree, with the bot's admission check and its one error handler."""

    def __init__(self, client: discord.Client, bot: Citebot) -> None:
        """A tree for `client` whose checks and errors go to `bot`."""
        super().__init__(client)
        self.bot = bot

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        """Skip repeats and channels outside the allow-list."""
        return await self.bot.admit(interaction)

    async def on_error(
        self, interaction: Interaction, error: app_commands.AppCommandError, /
    ) -> None:
        """Log with an error id and tell the user, whatever state the interaction is in."""
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        await self.bot.report_error(interaction, original)


class Citebot:
    """Everything the bot does, independent of how it connects (one shard or several)."""

    def __init__(self, config: Config, kb: KnowledgeBase, store: FeedbackStore) -> None:
        """Build the client and its commands; nothing connects until the runner logs in."""
        self.config = config
        self.kb = kb
        self.store = store
        self.top_k = config.retrieval.top_k
        self.cooldown = Cooldown(config.discord.cooldown.rate, config.discord.cooldown.per_seconds)
        self.allowed_channels = frozenset(config.discord.channel_allowlist)
        self.timeline = kb.timeline()  # the documents do not change while the bot runs
        self._seen: OrderedDict[int, None] = OrderedDict()

        # The bot never joins voice: discord.py's warnings about voice libraries are noise.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        # Mentions reach the bot without the privileged message_content intent.
        intents = discord.Intents.none()
        intents.guilds = True
        intents.guild_messages = True
        intents.dm_messages = True
        options: dict[str, Any] = {
            "intents": intents,
            "allowed_mentions": discord.AllowedMentions.none(),
            "max_messages": None,
            "member_cache_flags": discord.MemberCacheFlags.none(),
            "chunk_guilds_at_startup": False,
        }
        settings = config.discord
        self.client: discord.Client
        if settings.shard_count is None:
            self.client = CitebotClient(self, **options)
        else:
            ids = list(settings.shard_ids) if settings.shard_ids is not None else None
            self.client = ShardedCitebotClient(
                self, shard_count=settings.shard_count, shard_ids=ids, **options
            )
        self.tree = CitebotTree(self.client, self)
        self.client.add_dynamic_items(MoreButton, VoteButton, TimelineButton)
        self.client.event(self.on_message)
        self.client.event(self.on_ready)
        self._add_commands()

    # -- setup -------------------------------------------------------------------------------

    async def sync(self) -> None:
        """Register the commands with Discord as configured (call after login)."""
        application_id = self.client.application_id
        if application_id is None:
            raise RuntimeError("sync needs a logged-in client")
        await sync_commands(self.tree, self.config.discord, self.store, application_id)

    async def on_ready(self) -> None:
        """Log where the bot is connected."""
        log.info("connected as %s to %d guilds", self.client.user, len(self.client.guilds))

    def _add_commands(self) -> None:
        # Closures, not methods: discord.py reads the parameters of the callback itself.
        tree = self.tree

        @tree.command(name="ask", description="Ask a question; get the documents' own passages")
        @app_commands.describe(
            question="Your question about the documents",
            private="Only you see the answer (default: everyone in the channel)",
        )
        async def ask(interaction: Interaction, question: str, private: bool = False) -> None:
            await self.on_question(interaction, "ask", question, private)

        @tree.command(name="figure", description="What the documents say about a person")
        @app_commands.describe(name="A person named in the documents")
        async def figure(interaction: Interaction, name: str) -> None:
            await self.on_question(interaction, "figure", name)

        @figure.autocomplete("name")
        async def figure_names(
            interaction: Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            return self._choices(interaction, "figure", current)

        @tree.command(name="event", description="What the documents say about an event or year")
        @app_commands.describe(name="An event or a year named in the documents")
        async def event(interaction: Interaction, name: str) -> None:
            await self.on_question(interaction, "event", name)

        @event.autocomplete("name")
        async def event_names(
            interaction: Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            return self._choices(interaction, "event", current)

        @tree.command(name="ref", description="What a citation number points to, and who cites it")
        @app_commands.describe(number="A citation number shown in answers, such as 19")
        async def ref(interaction: Interaction, number: app_commands.Range[int, 1, 9999]) -> None:
            await self.on_question(interaction, "ref", str(number))

        @ref.autocomplete("number")
        async def ref_numbers(
            interaction: Interaction, current: str
        ) -> list[app_commands.Choice[int]]:
            return self._ref_choices(current)

        @tree.command(name="timeline", description="The dated events of the documents in order")
        async def timeline(interaction: Interaction) -> None:
            await self.on_timeline(interaction)

        @tree.command(name="about", description="The loaded documents, sources and licences")
        async def about(interaction: Interaction) -> None:
            async with self._answering(interaction, "/about"):
                embed = about_embed(self.kb.documents)
                await interaction.response.send_message(embed=embed, ephemeral=True)

        @tree.command(name="help", description="What citebot can do")
        async def help_(interaction: Interaction) -> None:
            async with self._answering(interaction, "/help"):
                await interaction.response.send_message(embed=help_embed(), ephemeral=True)

    # -- admission, timing and errors ----------------------------------------------------------

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

    async def admit(self, interaction: Interaction) -> bool:
        """Whether to handle an interaction: not seen before, and from an allowed channel."""
        if not self._first_time(interaction.id):
            log.warning("interaction %s arrived again; not answering twice", interaction.id)
            return False
        if interaction.type is discord.InteractionType.autocomplete:
            return True
        if self._channel_allowed(interaction.channel, interaction.channel_id):
            return True
        shown = sorted(self.allowed_channels)[:_ALLOWED_CHANNELS_SHOWN]
        where = ", ".join(f"<#{channel}>" for channel in shown)
        with contextlib.suppress(discord.HTTPException):
            await interaction.response.send_message(
                f"I only answer in these channels: {where}.", ephemeral=True
            )
        return False

    @contextlib.asynccontextmanager
    async def _answering(self, interaction: Interaction, what: str) -> AsyncIterator[None]:
        """Log one line with the latency once the body has answered."""
        started = time.perf_counter()
        yield
        log.info(
            "answered %s in %.1f ms (interaction %s, user %s, guild %s)",
            what,
            (time.perf_counter() - started) * 1000,
            interaction.id,
            interaction.user.id,
            interaction.guild_id,
        )

    @staticmethod
    def _log_error(error: BaseException, what: str) -> str:
        error_id = secrets.token_hex(4)
        log.error("error %s while handling %s", error_id, what, exc_info=error)
        return error_id

    async def report_error(self, interaction: Interaction, error: BaseException) -> None:
        """Log an error with a fresh id and tell the user ephemerally, if still possible."""
        error_id = self._log_error(error, f"interaction {interaction.id}")
        if interaction.type is discord.InteractionType.autocomplete:
            return  # suggestions cannot carry a message
        text = f"Sorry, something went wrong (error id {error_id}). Please try again."
        if interaction.is_expired():
            log.warning(
                "interaction %s expired before error %s could be shown", interaction.id, error_id
            )
            return
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True)
            else:
                await interaction.response.send_message(text, ephemeral=True)
        except discord.HTTPException as exc:
            log.warning("could not show error %s to the user: %s", error_id, exc)

    async def _guarded(
        self,
        interaction: Interaction,
        what: str,
        handler: Callable[..., Awaitable[None]],
        *args: Any,
    ) -> None:
        """Run a button handler; its errors go where command errors go."""
        try:
            async with self._answering(interaction, what):
                await handler(interaction, *args)
        except Exception as error:
            await self.report_error(interaction, error)

    # -- questions -------------------------------------------------------------------------------

    def _lookup(self, kind: str, query: str, offset: int = 0) -> Answer:
        if kind == "ref":
            return self.kb.reference(int(query), self.top_k, offset)
        search = {"ask": self.kb.ask, "figure": self.kb.figure, "event": self.kb.event}[kind]
        return search(query, self.top_k, offset)

    def _ref_choices(self, current: str) -> list[app_commands.Choice[int]]:
        """The cited numbers starting with what was typed, each with its reference text."""
        typed = "".join(char for char in current if char.isdigit())
        numbers = [n for n in self.kb.cited_numbers() if str(n).startswith(typed)]
        choices = []
        for number in numbers[:AUTOCOMPLETE_CHOICES]:
            label = one_line(self.kb.reference(number, top_k=1).subject or f"[{number}]")
            choices.append(app_commands.Choice(name=truncate(label, CHOICE_LIMIT), value=number))
        return choices

    def _page(
        self, answer: Answer, heading: str, query_id: int, first: int
    ) -> tuple[discord.Embed, discord.ui.View]:
        """Store a page of an answer and build its embed and buttons."""
        answer_id = self.store.save_page(query_id, first, answer.hits)
        embed = answer_embed(answer, heading, first)
        more = first + len(answer.hits) < answer.total
        return embed, answer_view(answer_id, more)

    def _choices(
        self, interaction: Interaction, kind: str, current: str
    ) -> list[app_commands.Choice[str]]:
        started = time.perf_counter()
        complete = self.kb.complete_figure if kind == "figure" else self.kb.complete_event
        names = complete(clean(current)[:CHOICE_LIMIT], limit=AUTOCOMPLETE_CHOICES)
        choices = [
            app_commands.Choice(name=truncate(name, CHOICE_LIMIT), value=name[:CHOICE_LIMIT])
            for name in names[:AUTOCOMPLETE_CHOICES]
        ]
        # discord.py sends the choices after this returns; this is the time to find them.
        log.info(
            "answered autocomplete /%s with %d choices in %.1f ms (interaction %s)",
            kind,
            len(choices),
            (time.perf_counter() - started) * 1000,
            interaction.id,
        )
        return choices

    async def on_question(
        self, interaction: Interaction, kind: str, text: str, private: bool = False
    ) -> None:
        """/ask, /figure and /event: the passages, or a short reply that there are none."""
        async with self._answering(interaction, f"/{kind}"):
            query = clean(text).strip()
            if not _has_words(query):
                await interaction.response.send_message(BLANK[kind], ephemeral=True)
                return
            wait = self.cooldown.try_use(interaction.user.id)
            if wait:
                await interaction.response.send_message(_cooldown_text(wait), ephemeral=True)
                return
            answer = self._lookup(kind, query)
            if not answer.found or not answer.hits:
                # An unknown name is the asker's business; an uncovered question may be shared.
                ephemeral = private or kind != "ask"
                await interaction.response.send_message(no_answer_text(answer), ephemeral=ephemeral)
                return
            asker = Asker(interaction.user.id, interaction.guild_id, interaction.channel_id)
            query_id = self.store.save_query(kind, query, asker)
            heading = query if kind == "ask" else answer.subject or query
            embed, view = self._page(answer, heading, query_id, 0)
            await interaction.response.send_message(embed=embed, view=view, ephemeral=private)

    async def on_more(self, interaction: Interaction, answer_id: int) -> None:
        """ "More passages": the page after a stored one, shown as a new message."""
        await self._guarded(interaction, "button more", self._more, answer_id)

    async def _more(self, interaction: Interaction, answer_id: int) -> None:
        stored = self.store.answer(answer_id)
        if stored is None:
            await interaction.response.send_message(EXPIRED, ephemeral=True)
            return
        first = stored.first + len(stored.passages)
        answer = self._lookup(stored.kind, stored.query, first)
        if not answer.found or not answer.hits:
            await interaction.response.send_message(NO_MORE, ephemeral=True)
            return
        heading = stored.query if stored.kind == "ask" else answer.subject or stored.query
        embed, view = self._page(answer, heading, stored.query_id, first)
        # A private answer pages privately.
        ephemeral = interaction.message is not None and interaction.message.flags.ephemeral
        await interaction.response.send_message(embed=embed, view=view, ephemeral=ephemeral)

    async def on_vote(self, interaction: Interaction, answer_id: int, vote: int) -> None:
        """👍/👎: store the vote (one per user and answer) and acknowledge it privately."""
        await self._guarded(interaction, "button vote", self._vote, answer_id, vote)

    async def _vote(self, interaction: Interaction, answer_id: int, vote: int) -> None:
        if self.store.answer(answer_id) is None:
            await interaction.response.send_message(EXPIRED, ephemeral=True)
            return
        previous = self.store.vote(answer_id, interaction.user.id, vote)
        mark = "👍" if vote > 0 else "👎"
        if previous == vote:
            text = f"You already voted {mark} on this answer."
        elif previous is None:
            text = f"Thanks for the feedback: {mark} recorded."
        else:
            text = f"Your vote on this answer is now {mark}."
        await interaction.response.send_message(text, ephemeral=True)

    # -- timeline --------------------------------------------------------------------------------

    def _timeline_page(self, page: int) -> tuple[discord.Embed, discord.ui.View | None]:
        """A timeline page and its buttons (none when one page holds everything)."""
        pages = math.ceil(len(self.timeline) / TIMELINE_PAGE_SIZE)
        page = min(max(page, 0), pages - 1)  # a button from before a restart may point past the end
        start = page * TIMELINE_PAGE_SIZE
        entries = self.timeline[start : start + TIMELINE_PAGE_SIZE]
        view = timeline_view(page, pages) if pages > 1 else None
        return timeline_embed(entries, page, pages), view

    async def on_timeline(self, interaction: Interaction) -> None:
        """/timeline: the first page of dated events."""
        async with self._answering(interaction, "/timeline"):
            if not self.timeline:
                text = "The loaded documents have no dated events."
                await interaction.response.send_message(text, ephemeral=True)
                return
            embed, view = self._timeline_page(0)
            if view is None:
                await interaction.response.send_message(embed=embed)
            else:
                await interaction.response.send_message(embed=embed, view=view)

    async def on_timeline_page(self, interaction: Interaction, page: int) -> None:
        """Previous/next: the timeline message shows another page."""
        await self._guarded(interaction, "button timeline", self._turn_timeline, page)

    async def _turn_timeline(self, interaction: Interaction, page: int) -> None:
        if not self.timeline:
            await interaction.response.send_message(EXPIRED, ephemeral=True)
            return
        embed, view = self._timeline_page(page)
        await interaction.response.edit_message(embed=embed, view=view)

    # -- mentions --------------------------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        """A message that mentions the bot gets a reply with the same answer as /ask."""
        me = self.client.user
        if me is None or message.author.bot or me not in message.mentions:
            return
        if not self._first_time(message.id):
            return
        if not self._channel_allowed(message.channel, message.channel.id):
            return  # outside the allow-list the bot stays silent rather than clutter a channel
        started = time.perf_counter()
        try:
            await self._answer_mention(message, me.id)
        except Exception as error:
            error_id = self._log_error(error, f"message {message.id}")
            with contextlib.suppress(discord.HTTPException):
                await message.reply(f"Sorry, something went wrong (error id {error_id}).")
            return
        log.info(
            "answered mention in %.1f ms (message %s, user %s, guild %s)",
            (time.perf_counter() - started) * 1000,
            message.id,
            message.author.id,
            message.guild.id if message.guild else None,
        )

    async def _answer_mention(self, message: discord.Message, me: int) -> None:
        question = clean(re.sub(rf"<@!?{me}>", " ", message.content)).strip()
        if not _has_words(question):
            await message.reply(MENTION_HINT)
            return
        wait = self.cooldown.try_use(message.author.id)
        if wait:
            await message.reply(_cooldown_text(wait))
            return
        answer = self._lookup("ask", question)
        if not answer.found or not answer.hits:
            await message.reply(truncate(no_answer_text(answer), CONTENT_LIMIT))
            return
        guild_id = message.guild.id if message.guild else None
        asker = Asker(message.author.id, guild_id, message.channel.id)
        query_id = self.store.save_query("ask", question, asker)
        embed, view = self._page(answer, question, query_id, 0)
        await message.reply(embed=embed, view=view)
