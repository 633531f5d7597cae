"""Look-ups: /figure and /event (one handler, with suggestions as you type) and /ref."""

from __future__ import annotations

import logging
import time

from discord import app_commands
from discord.ext import commands

from bot.cogs.answers import question_reply, send
from bot.discord_app import CitebotBot, Interaction
from bot.feedback import Asker
from bot.text import clean, one_line, truncate

log = logging.getLogger("citebot")

CHOICE_LIMIT = 100  # characters of an autocomplete choice's name and value
AUTOCOMPLETE_CHOICES = 25
# The highest citation number /ref accepts: Wikipedia's longest articles stay far below it.
MAX_REF = 9999


class Lookup(commands.Cog):
    """What the documents say about a person, an event or a citation number."""

    def __init__(self, bot: CitebotBot) -> None:
        """The cog for `bot`."""
        self.bot = bot

    async def _look_up(self, interaction: Interaction, kind: str, text: str) -> None:
        """/figure, /event and /ref: the passages, or a short private reply that there are none."""
        asker = Asker(interaction.user.id, interaction.guild_id, interaction.channel_id)
        async with self.bot.answering(f"/{kind}", interaction.id, asker.user_id, asker.guild_id):
            await send(interaction, question_reply(self.bot, kind, text, asker))

    def _names(
        self, interaction: Interaction, kind: str, current: str
    ) -> list[app_commands.Choice[str]]:
        """The figures or events matching what was typed: prefix matches first, then fuzzy."""
        started = time.perf_counter()
        kb = self.bot.served.kb
        complete = kb.complete_figure if kind == "figure" else kb.complete_event
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

    @app_commands.command(name="figure")
    async def figure(self, interaction: Interaction, name: str) -> None:
        """What the documents say about a person

        Args:
            name: A person named in the documents
        """
        await self._look_up(interaction, "figure", name)

    @figure.autocomplete("name")
    async def figure_names(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """The documents' people matching what was typed."""
        return self._names(interaction, "figure", current)

    @app_commands.command(name="event")
    async def event(self, interaction: Interaction, name: str) -> None:
        """What the documents say about an event or year

        Args:
            name: An event or a year named in the documents
        """
        await self._look_up(interaction, "event", name)

    @event.autocomplete("name")
    async def event_names(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """The documents' events matching what was typed."""
        return self._names(interaction, "event", current)

    @app_commands.command(name="ref")
    async def ref(
        self, interaction: Interaction, number: app_commands.Range[int, 1, MAX_REF]
    ) -> None:
        """What a citation number points to, and who cites it

        Args:
            number: A citation number shown in answers, such as 19
        """
        await self._look_up(interaction, "ref", str(number))

    @ref.autocomplete("number")
    async def ref_numbers(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        """The cited numbers starting with what was typed, each with its reference text."""
        kb = self.bot.served.kb
        typed = "".join(char for char in current if char.isdigit())
        numbers = [n for n in kb.cited_numbers() if str(n).startswith(typed)]
        choices = []
        for number in numbers[:AUTOCOMPLETE_CHOICES]:
            label = one_line(kb.reference(number, top_k=1).subject or f"[{number}]")
            choices.append(app_commands.Choice(name=truncate(label, CHOICE_LIMIT), value=number))
        return choices


async def setup(bot: CitebotBot) -> None:
    """Add the cog (discord.py calls this when the extension is loaded)."""
    await bot.add_cog(Lookup(bot))
