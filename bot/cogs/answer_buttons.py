"""The buttons under an answer: "More passages" and 👍/👎.

Buttons carry stateless custom_ids (at most 100 characters), so they work after a restart:

- `citebot:more:<answer id>`: the next page of the answer stored under that id;
- `citebot:vote:<answer id>:up|down`: a vote on that page.

The answer id names a row of the feedback database (bot.feedback), which holds the question,
the passages shown and digests of their texts. After a reload that changed those passages,
"More passages" says so instead of continuing a different answer; a vote is still recorded,
for the passages as they were shown.
"""

from __future__ import annotations

import re
from typing import Any, Self

import discord
from discord.ext import commands

from bot.discord_app import CitebotBot, Guarded, Interaction
from bot.feedback import StoredAnswer
from bot.served import Served

EXPIRED = "This result has expired. Please ask again."
NO_MORE = "There are no more passages for this question."
CHANGED = (
    "The documents were reloaded since this answer, and its passages changed. Please ask again."
)
VOTED_ON_OLD = " (The documents were reloaded since; it counts for the passages as shown.)"


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
        answer = bot.lookup(served, stored.kind, stored.query, first)
        if not answer.found or not answer.hits:
            await interaction.response.send_message(NO_MORE, ephemeral=True)
            return
        heading = bot.heading(stored.kind, stored.query, answer)
        embed, view = bot.page(answer, heading, stored.query_id, first)
        ephemeral = interaction.message is not None and interaction.message.flags.ephemeral
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
        await interaction.response.send_message(text, ephemeral=True)


def answer_view(answer_id: int, more: bool) -> discord.ui.View:
    """The buttons under a page of an answer."""
    view = discord.ui.View(timeout=None)
    if more:
        view.add_item(MoreButton(answer_id))
    view.add_item(VoteButton(answer_id, 1))
    view.add_item(VoteButton(answer_id, -1))
    return view


class AnswerButtons(commands.Cog):
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
