"""The timeline: /timeline, and ◀ Previous / Next ▶ buttons that edit it in place.

`citebot:timeline:<page>:prev|next` names the page to show (the direction only keeps the two
custom_ids of a message distinct), so the buttons work after a restart or a reload.
"""

from __future__ import annotations

import math
import re
from typing import Any, Self

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app import CitebotBot, Guarded, Interaction
from bot.embeds import timeline_embed
from bot.served import Served

TIMELINE_PAGE_SIZE = 8
NO_EVENTS = "The loaded documents have no dated events."


class TimelineButton(
    Guarded,
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"citebot:timeline:(?P<page>[0-9]{1,6}):(?P<way>prev|next)",
):
    """Previous or next page of the timeline."""

    what = "timeline"

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

    async def handle(self, bot: CitebotBot, interaction: Interaction) -> None:
        """Show that page in place."""
        served = bot.served
        if not served.timeline:
            await interaction.response.send_message(NO_EVENTS, ephemeral=True)
            return
        embed, view = timeline_page(served, self.page)
        await interaction.response.edit_message(embed=embed, view=view)


def timeline_view(page: int, pages: int) -> discord.ui.View:
    """Previous/next buttons for timeline page `page` of `pages`."""
    view = discord.ui.View(timeout=None)
    view.add_item(TimelineButton(max(page - 1, 0), "prev", disabled=page == 0))
    view.add_item(TimelineButton(min(page + 1, pages - 1), "next", disabled=page >= pages - 1))
    return view


def timeline_page(served: Served, page: int) -> tuple[discord.Embed, discord.ui.View | None]:
    """A timeline page and its buttons (none when one page holds everything)."""
    entries = served.timeline
    pages = math.ceil(len(entries) / TIMELINE_PAGE_SIZE)
    # A button from before a restart or a reload may point past the end.
    page = min(max(page, 0), pages - 1)
    start = page * TIMELINE_PAGE_SIZE
    view = timeline_view(page, pages) if pages > 1 else None
    return timeline_embed(entries[start : start + TIMELINE_PAGE_SIZE], page, pages), view


class Timeline(commands.Cog):
    """The documents' dated events in order."""

    def __init__(self, bot: CitebotBot) -> None:
        """The cog for `bot`."""
        self.bot = bot

    async def cog_load(self) -> None:
        """Handle the page buttons from now on, also on messages from before a restart."""
        self.bot.add_dynamic_items(TimelineButton)

    async def cog_unload(self) -> None:
        """Stop handling them."""
        self.bot.remove_dynamic_items(TimelineButton)

    @app_commands.command(name="timeline")
    async def timeline(self, interaction: Interaction) -> None:
        """The dated events of the documents in order"""
        async with self.bot.answering(
            "/timeline", interaction.id, interaction.user.id, interaction.guild_id
        ):
            served = self.bot.served
            if not served.timeline:
                await interaction.response.send_message(NO_EVENTS, ephemeral=True)
                return
            embed, view = timeline_page(served, 0)
            if view is None:
                await interaction.response.send_message(embed=embed)
            else:
                await interaction.response.send_message(embed=embed, view=view)


async def setup(bot: CitebotBot) -> None:
    """Add the cog (discord.py calls this when the extension is loaded)."""
    await bot.add_cog(Timeline(bot))
