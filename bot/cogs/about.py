"""About and help: the loaded documents, and the commands with examples from those documents."""

from __future__ import annotations

from discord import app_commands
from discord.ext import commands

from bot.discord_app import CitebotBot, Interaction
from bot.embeds import about_embed, help_embed


class About(commands.Cog):
    """What is loaded and what the bot can do."""

    def __init__(self, bot: CitebotBot) -> None:
        """The cog for `bot`."""
        self.bot = bot

    @app_commands.command(name="about")
    async def about(self, interaction: Interaction) -> None:
        """The loaded documents, sources and licences"""
        async with self.bot.answering(
            "/about", interaction.id, interaction.user.id, interaction.guild_id
        ):
            embed = about_embed(self.bot.served.kb.documents)
            await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="help")
    async def help(self, interaction: Interaction) -> None:
        """What citebot can do"""
        async with self.bot.answering(
            "/help", interaction.id, interaction.user.id, interaction.guild_id
        ):
            embed = help_embed(self.bot.served.examples)
            await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: CitebotBot) -> None:
    """Add the cog (discord.py calls this when the extension is loaded)."""
    await bot.add_cog(About(bot))
