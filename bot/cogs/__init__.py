"""The bot's features, one cog each (after discord.py's examples and python-discord's bot).

- asking: /ask and mentions of the bot;
- lookup: /figure, /event and /ref;
- timeline: /timeline and its page buttons;
- answer_buttons: "More passages" and the 👍/👎 votes under every answer;
- about: /about and /help;
- admin: /reload and /stats, and the daily pruning of old questions.
"""

from __future__ import annotations

from bot.cogs.about import About
from bot.cogs.admin import Admin
from bot.cogs.answer_buttons import AnswerButtons
from bot.cogs.asking import Asking
from bot.cogs.lookup import Lookup
from bot.cogs.timeline import Timeline

COGS = (Asking, Lookup, Timeline, AnswerButtons, About, Admin)

__all__ = ["COGS"]
