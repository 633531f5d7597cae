"""The bot's features, one cog each (after discord.py's examples and python-discord's bot),
loaded as extensions by name so that each module imports the bot and not the other way round:

- asking: /ask and mentions of the bot (and DMs, where allowed);
- lookup: /figure, /event and /ref;
- timeline: /timeline and its page buttons;
- answers: a page of an answer with its "More passages" and 👍/👎 buttons (used by asking and
  lookup), and the cog that handles those buttons;
- about: /about and /help;
- admin: /reload and /stats, and the daily pruning of old questions.
"""

EXTENSIONS = (
    "bot.cogs.answers",
    "bot.cogs.asking",
    "bot.cogs.lookup",
    "bot.cogs.timeline",
    "bot.cogs.about",
    "bot.cogs.admin",
)
