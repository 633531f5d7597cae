"""Asking: /ask, and a message that mentions the bot (or, where allowed, a DM) as a question."""

from __future__ import annotations

import contextlib
import re

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.answers import question_reply, send
from bot.discord_app import CitebotBot, Interaction
from bot.feedback import Asker
from bot.text import clean, has_words

MENTION_HINT = "Ask me a question after the mention, for example: @citebot {example}"


class Asking(commands.Cog):
    """Questions answered with the documents' own passages."""

    def __init__(self, bot: CitebotBot) -> None:
        """The cog for `bot`."""
        self.bot = bot

    @app_commands.command(name="ask")
    async def ask(self, interaction: Interaction, question: str, private: bool = False) -> None:
        """Ask a question; get the documents' own passages

        Args:
            question: Your question about the documents
            private: Only you see the answer (default: everyone in the channel)
        """
        asker = Asker(interaction.user.id, interaction.guild_id, interaction.channel_id)
        async with self.bot.answering("/ask", interaction.id, asker.user_id, asker.guild_id):
            reply = question_reply(self.bot, "ask", question, asker, private)
            await send(interaction, reply)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A message that mentions the bot gets a reply with the same answer as /ask; so does
        any direct message, when DMs are allowed."""
        me = self.bot.user
        if me is None or message.author.bot:
            return
        in_dm = message.guild is None
        if not in_dm and me not in message.mentions:
            return
        reason = self.bot.refusal(message.id, message.channel, message.channel.id, in_dm)
        if reason is not None:
            # Outside the allow-list the bot stays silent rather than clutter a channel.
            if reason and in_dm:
                with contextlib.suppress(discord.HTTPException):
                    await message.reply(reason)
            return
        guild_id = message.guild.id if message.guild else None
        try:
            async with self.bot.answering("mention", message.id, message.author.id, guild_id):
                await self._answer(message, me.id, guild_id)
        except Exception as error:
            await self.bot.report_error(message, error)

    async def _answer(self, message: discord.Message, me: int, guild_id: int | None) -> None:
        question = clean(re.sub(rf"<@!?{me}>", " ", message.content)).strip()
        if not has_words(question):
            example = self.bot.served.examples.question or "…"
            await message.reply(MENTION_HINT.format(example=example))
            return
        asker = Asker(message.author.id, guild_id, message.channel.id)
        reply = question_reply(self.bot, "ask", question, asker)
        await self.bot.committed()
        if reply.embed is None:
            await message.reply(reply.text or "")
        elif reply.view is None:
            await message.reply(embed=reply.embed)
        else:
            await message.reply(embed=reply.embed, view=reply.view)


async def setup(bot: CitebotBot) -> None:
    """Add the cog (discord.py calls this when the extension is loaded)."""
    await bot.add_cog(Asking(bot))
