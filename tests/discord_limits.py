"""Discord's size rules for what a bot sends, checked on REST payloads and on discord.Embed."""

from __future__ import annotations

from typing import Any

import discord

from bot.text import discord_len


def embed_problems(embeds: list[dict[str, Any]]) -> list[str]:
    """Every Discord limit the embeds of one message break (empty when they are valid)."""
    problems = []
    if len(embeds) > 10:
        problems.append(f"{len(embeds)} embeds")
    total = 0
    for number, embed in enumerate(embeds):
        parts = {
            "title": (embed.get("title") or "", 256),
            "description": (embed.get("description") or "", 4096),
            "footer": ((embed.get("footer") or {}).get("text") or "", 2048),
            "author": ((embed.get("author") or {}).get("name") or "", 256),
        }
        fields = embed.get("fields") or []
        if len(fields) > 25:
            problems.append(f"embed {number}: {len(fields)} fields")
        for index, field in enumerate(fields):
            parts[f"field {index} name"] = (field["name"], 256)
            parts[f"field {index} value"] = (field["value"], 1024)
            if not field["name"] or not field["value"]:
                problems.append(f"embed {number}: field {index} is empty")
        for name, (text, limit) in parts.items():
            size = discord_len(text)
            total += size
            if size > limit:
                problems.append(f"embed {number}: {name} has {size} > {limit}")
    if total > 6000:
        problems.append(f"embeds total {total} > 6000")
    return problems


def message_problems(payload: dict[str, Any]) -> list[str]:
    """Every Discord limit a message payload (content, embeds, components) breaks."""
    problems = embed_problems(payload.get("embeds") or [])
    content = payload.get("content") or ""
    if discord_len(content) > 2000:
        problems.append(f"content has {discord_len(content)} > 2000")
    rows = payload.get("components") or []
    if len(rows) > 5:
        problems.append(f"{len(rows)} component rows")
    for row in rows:
        items = row.get("components") or []
        if len(items) > 5:
            problems.append(f"{len(items)} components in a row")
        for item in items:
            custom_id = item.get("custom_id") or ""
            if not 1 <= len(custom_id) <= 100:
                problems.append(f"custom_id {custom_id!r} not 1-100 characters")
            if len(item.get("label") or "") > 80:
                problems.append("button label over 80")
    return problems


def check_embed(embed: discord.Embed) -> None:
    """Assert that a discord.Embed alone fits in a message."""
    problems = embed_problems([dict(embed.to_dict())])
    assert not problems, problems
