"""Making text safe to show on Discord: cleaning, escaping and measuring, and cutting it to fit.

Discord counts its limits in characters; its clients count UTF-16 code units. Measuring the
stricter way (a character outside the Basic Multilingual Plane counts twice) keeps every message
valid whichever way the server counts.
"""

from __future__ import annotations

import re
import unicodedata

import discord

ELLIPSIS = "…"
ZWJ = "\u200d"

# Lone surrogates cannot be encoded as UTF-8 (SQLite, logs); other control characters have no
# business in a question and can break rendering.
_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")
# A letter or digit of any script: what str.isalnum accepts (\w is exactly that, plus "_").
_ALNUM = re.compile(r"[^\W_]")
# Whatever discord.utils.escape_markdown could change: a markdown character, a line starting a
# quote, heading or list item, or a masked link. Text with none of these (most passages) skips
# its regex, which cost ~20 µs a passage; the result is the same.
_MAYBE_MARKDOWN = re.compile(r"[_\\~|*`]|^\s*[>#-]|\[.*\]\(", re.MULTILINE)
# Shortening prefers a word boundary if one is this close to the cut.
_WORD_SLACK = 24


def clean(text: str) -> str:
    """Replace lone surrogates and drop control characters (newlines and tabs stay)."""
    return _CONTROLS.sub("", _SURROGATES.sub("\ufffd", text))


def has_words(text: str) -> bool:
    """Whether text holds anything to search for: not blank, punctuation or invisible only."""
    return _ALNUM.search(text) is not None


def one_line(text: str) -> str:
    """Clean text and fold every run of whitespace, newlines included, into one space."""
    return _SPACES.sub(" ", clean(text)).strip()


def escape(text: str) -> str:
    """Escape markdown and mentions so user or source text shows literally and pings nobody."""
    if _MAYBE_MARKDOWN.search(text):
        text = discord.utils.escape_markdown(text)
    return discord.utils.escape_mentions(text) if "@" in text else text


def discord_len(text: str) -> int:
    """Length in UTF-16 code units, the strictest way Discord's limits are counted."""
    if text.isascii():  # a flag CPython keeps: most text is measured without encoding it
        return len(text)
    # One encode instead of a loop over the characters: UTF-16 is two bytes a code unit, and
    # surrogatepass counts a lone surrogate as the one unit it is.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _extends(char: str) -> bool:
    # Characters that attach to the one before them: cutting just before one splits a glyph.
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Mc", "Me")
        or char == ZWJ
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xE0020 <= code <= 0xE007F  # emoji tag sequences
    )


def truncate(text: str, limit: int) -> str:
    """Shorten text to at most `limit` (Discord-counted), ending in "…" when anything was cut.

    The cut never splits a character from its combining marks or an emoji sequence, prefers a
    word boundary nearby, and never leaves a dangling escape backslash.
    """
    if discord_len(text) <= limit:
        return text
    if limit < discord_len(ELLIPSIS):
        return ""
    budget = limit - discord_len(ELLIPSIS)
    used = end = 0
    for char in text:
        width = 2 if ord(char) > 0xFFFF else 1
        if used + width > budget:
            break
        used += width
        end += 1
    while end > 0 and (_extends(text[end]) or text[end - 1] == ZWJ):
        end -= 1
    space = max(text.rfind(" ", 0, end), text.rfind("\n", 0, end))
    if space > 0 and end - space <= _WORD_SLACK and end < len(text) and not text[end].isspace():
        end = space
    cut = text[:end].rstrip()
    # An odd run of trailing backslashes would escape the ellipsis (or expose a half escape).
    trailing = len(cut) - len(cut.rstrip("\\"))
    if trailing % 2:
        cut = cut[:-1]
    return cut + ELLIPSIS
