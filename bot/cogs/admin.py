"""Admin: /reload and /stats (members with Manage Server, or `discord.admin_ids`), and the
pruning of questions older than `discord.retention_days` (at start, then daily)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from discord import app_commands
from discord.ext import commands, tasks

from bot.discord_app import ADMINS_ONLY, CitebotBot, Interaction
from bot.embeds import stats_embed

log = logging.getLogger("citebot")

# How often old questions are deleted: a day late at most is what a retention in days means.
PRUNE_EVERY_HOURS = 24
PERIODS = [
    app_commands.Choice(name="last 24 hours", value=1),
    app_commands.Choice(name="last 7 days", value=7),
    app_commands.Choice(name="last 30 days", value=30),
    app_commands.Choice(name="last 90 days", value=90),
]
DEFAULT_PERIOD_DAYS = 7


class Admin(commands.Cog):
    """Commands for the people who run the bot in a server."""

    def __init__(self, bot: CitebotBot) -> None:
        """The cog for `bot`."""
        self.bot = bot

    async def cog_load(self) -> None:
        """Start pruning (the first run is now, at start-up)."""
        self.prune.start()

    async def cog_unload(self) -> None:
        """Stop pruning."""
        self.prune.cancel()

    @tasks.loop(hours=PRUNE_EVERY_HOURS)
    async def prune(self) -> None:
        """Delete the questions (with their pages and votes) older than the retention."""
        days = self.bot.config.discord.retention_days
        removed = self.bot.store.prune(datetime.now(UTC) - timedelta(days=days))
        log.info("retention: deleted %d questions older than %d days", removed, days)

    @app_commands.command(name="reload", extras={ADMINS_ONLY: True})
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def reload(self, interaction: Interaction) -> None:
        """Load the documents again; answers continue meanwhile (admins)"""
        async with self.bot.answering(
            "/reload", interaction.id, interaction.user.id, interaction.guild_id
        ):
            # Loading can take longer than the 3 s an interaction may wait for its reply.
            await interaction.response.defer(ephemeral=True, thinking=True)
            outcome = await self.bot.reload_documents(f"/reload by user {interaction.user.id}")
            await interaction.followup.send(outcome, ephemeral=True)

    @app_commands.command(name="stats", extras={ADMINS_ONLY: True})
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @app_commands.choices(period=PERIODS)
    async def stats(self, interaction: Interaction, period: int = DEFAULT_PERIOD_DAYS) -> None:
        """What members asked here and how the answers were received (admins)

        Args:
            period: How far back to look (default: the last 7 days)
        """
        async with self.bot.answering(
            "/stats", interaction.id, interaction.user.id, interaction.guild_id
        ):
            since = datetime.now(UTC) - timedelta(days=period)
            report = self.bot.store.report(since, interaction.guild_id)
            retention = self.bot.config.discord.retention_days
            embed = stats_embed(report, period, retention)
            await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: CitebotBot) -> None:
    """Add the cog (discord.py calls this when the extension is loaded)."""
    await bot.add_cog(Admin(bot))
