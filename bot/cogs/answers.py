"""Answers: the reply to a question or look-up, a page of passages with its buttons
("More passages" and 👍/👎), and the cog that handles those buttons.

Buttons carry stateless custom_ids (at most 100 characters), so they work after a restart:

- `citebot:more:<answer id>`: the next page of the answer stored under that id;
- `citebot:vote:<answer id>:up|down`: a vote on that page.

The answer id names a row of the feedback database (bot.feedback), which holds the question,
the passages shown and digests of their texts. After a reload that changed those passages,
"More passages" says so instead of continuing a different answer; a vote is still recorded,
for the passages as they were shown.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Self

import discord
from discord.ext import commands

from bot.discord_app import CitebotBot, Guarded, Interaction, bot_of
from bot.embeds import CONTENT_LIMIT, answer_embed, no_answer_text
from bot.feedback import Asker, StoredAnswer
from bot.served import Served
from bot.text import clean, has_words, truncate
from retrieval.answers import Answer

EXPIRED = "This result has expired. Please ask again."
NO_MORE = "There are no more passages for this question."
CHANGED = (
    "The documents were reloaded since this answer, and its passages changed. Please ask again."
)
VOTED_ON_OLD = " (The documents were reloaded since; it counts for the passages as shown.)"


@dataclass(frozen=True, slots=True)
class Reply:
    """What to send back: a line of text, or an answer embed with its buttons."""

    text: str | None = None
    embed: discord.Embed | None = None
    view: discord.ui.View | None = None
    ephemeral: bool = True


def cooldown_text(wait: float) -> str:
    """The reply to someone asking faster than the cooldown allows."""
    return f"You're asking quickly. Please try again in {math.ceil(wait)} s."


_WHAT = {
    "ask": "a question",
    "figure": "a name",
    "event": "an event or a year",
    "ref": "a citation number",
}


def blank_hint(kind: str, served: Served) -> str:
    """What to say to an empty question or name, with an example from the loaded documents."""
    examples = served.examples
    example = {
        "ask": examples.question,
        "figure": examples.figure,
        "event": examples.event,
        "ref": None if examples.ref is None else str(examples.ref),
    }[kind]
    what = _WHAT[kind]
    return f"Please type {what}, for example: {example}." if example else f"Please type {what}."


def lookup(bot: CitebotBot, served: Served, kind: str, query: str, offset: int = 0) -> Answer:
    """The answer of one kind of question from the given documents."""
    kb = served.kb
    if kind == "ref":
        return kb.reference(int(query), bot.top_k, offset)
    search = {"ask": kb.ask, "figure": kb.figure, "event": kb.event}[kind]
    return search(query, bot.top_k, offset)


def heading(kind: str, query: str, answer: Answer) -> str:
    """An answer's title: the question as asked, or the name the look-up resolved to."""
    return query if kind == "ask" else answer.subject or query


def page(
    bot: CitebotBot, answer: Answer, title: str, query_id: int, first: int
) -> tuple[discord.Embed, discord.ui.View]:
    """Store a page of an answer and build its embed and buttons."""
    answer_id = bot.store.save_page(query_id, first, answer.hits)
    embed = answer_embed(answer, title, first)
    more = first + len(answer.hits) < answer.total
    return embed, answer_view(answer_id, more)


def question_reply(
    bot: CitebotBot, kind: str, text: str, asker: Asker, private: bool = False
) -> Reply:
    """The reply to a question, figure, event or ref number (slash command or mention)."""
    served = bot.served  # read once: the whole answer comes from one set of documents
    query = clean(text).strip()
    if not has_words(query):
        return Reply(text=blank_hint(kind, served))
    wait = bot.cooldown.try_use(asker.user_id)
    if wait:
        return Reply(text=cooldown_text(wait))
    answer = lookup(bot, served, kind, query)
    found = answer.found and bool(answer.hits)
    query_id = bot.store.save_query(kind, query, asker, found=found)
    if not found:
        # An unknown name is the asker's business; an uncovered question may be shared.
        return Reply(text=no_answer_text(answer), ephemeral=private or kind != "ask")
    embed, view = page(bot, answer, heading(kind, query, answer), query_id, 0)
    return Reply(embed=embed, view=view, ephemeral=private)


async def send(interaction: Interaction, reply: Reply) -> None:
    """Answer an interaction with a reply (once what it stored is committed)."""
    await bot_of(interaction).committed()
    if reply.embed is None:
        await interaction.response.send_message(
            truncate(reply.text or "", CONTENT_LIMIT), ephemeral=reply.ephemeral
        )
    elif reply.view is None:
        await interaction.response.send_message(embed=reply.embed, ephemeral=reply.ephemeral)
    else:
        await interaction.response.send_message(
            embed=reply.embed, view=reply.view, ephemeral=reply.ephemeral
        )


def passages_changed(served: Served, stored: StoredAnswer) -> bool:
    """Whether a stored page's passage ids now name other texts (False when not recorded)."""
    if stored.digests is None:
        return False
    return any(
        served.digest(pid) != digest
        for pid, digest in zip(stored.passages, stored.digests, strict=True)
    )


class MoreButton(
    Guarded,
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"citebot:more:(?P<answer>[0-9]{1,19})",
):
    """ "More passages": the next page of a stored answer, as a new message."""

    what = "more"

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

    async def handle(self, bot: CitebotBot, interaction: Interaction) -> None:
        """Show the next page (privately if the answer was private)."""
        stored = bot.store.answer(self.answer_id)
        if stored is None:
            await interaction.response.send_message(EXPIRED, ephemeral=True)
            return
        served = bot.served
        if passages_changed(served, stored):
            await interaction.response.send_message(CHANGED, ephemeral=True)
            return
        first = stored.first + len(stored.passages)
        answer = lookup(bot, served, stored.kind, stored.query, first)
        if not answer.found or not answer.hits:
            await interaction.response.send_message(NO_MORE, ephemeral=True)
            return
        title = heading(stored.kind, stored.query, answer)
        embed, view = page(bot, answer, title, stored.query_id, first)
        ephemeral = interaction.message is not None and interaction.message.flags.ephemeral
        await bot.committed()
        await interaction.response.send_message(embed=embed, view=view, ephemeral=ephemeral)


class VoteButton(
    Guarded,
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"citebot:vote:(?P<answer>[0-9]{1,19}):(?P<vote>up|down)",
):
    """👍 or 👎 on a page of an answer."""

    what = "vote"

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

    async def handle(self, bot: CitebotBot, interaction: Interaction) -> None:
        """Store the vote (one per user and answer) and acknowledge it privately."""
        stored = bot.store.answer(self.answer_id)
        if stored is None:
            await interaction.response.send_message(EXPIRED, ephemeral=True)
            return
        previous = bot.store.vote(self.answer_id, interaction.user.id, self.vote)
        mark = "👍" if self.vote > 0 else "👎"
        if previous == self.vote:
            text = f"You already voted {mark} on this answer."
        elif previous is None:
            text = f"Thanks for the feedback: {mark} recorded."
        else:
            text = f"Your vote on this answer is now {mark}."
        if passages_changed(bot.served, stored):
            text += VOTED_ON_OLD
        await bot.committed()
        await interaction.response.send_message(text, ephemeral=True)


def answer_view(answer_id: int, more: bool) -> discord.ui.View:
    """The buttons under a page of an answer."""
    view = discord.ui.View(timeout=None)
    if more:
        view.add_item(MoreButton(answer_id))
    view.add_item(VoteButton(answer_id, 1))
    view.add_item(VoteButton(answer_id, -1))
    return view


class Answers(commands.Cog):
    """Registers the answer buttons, so presses are handled whenever the message was sent."""

    def __init__(self, bot: CitebotBot) -> None:
        """The cog for `bot`."""
        self.bot = bot

    async def cog_load(self) -> None:
        """Handle these buttons from now on, also on messages from before a restart."""
        self.bot.add_dynamic_items(MoreButton, VoteButton)

    async def cog_unload(self) -> None:
        """Stop handling them."""
        self.bot.remove_dynamic_items(MoreButton, VoteButton)


async def setup(bot: CitebotBot) -> None:
    """Add the cog (discord.py calls this when the extension is loaded)."""
    await bot.add_cog(Answers(bot))
