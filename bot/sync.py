"""Registering the slash commands with Discord, per `discord.sync`.

- "guild": copy the commands to each of `discord.guild_ids` and sync there (instant; for
  development and single-server bots). Done at every start: guild syncs are cheap.
- "global": sync everywhere, but only when the command set differs from the last global sync,
  whose hash is kept in the bot's database; global commands are rate limited and slow to spread.
- "off": leave the registered commands alone.
"""

from __future__ import annotations

import hashlib
import json
import logging

import discord
from discord import app_commands

from bot.config import DiscordConfig
from bot.feedback import FeedbackStore

log = logging.getLogger("citebot.sync")


def command_digest(tree: app_commands.CommandTree[discord.Client]) -> str:
    """A hash of the global command set exactly as it would be sent to Discord."""
    payload = [command.to_dict(tree) for command in tree.get_commands()]
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


async def sync_commands(
    tree: app_commands.CommandTree[discord.Client],
    config: DiscordConfig,
    store: FeedbackStore,
    application_id: int,
) -> None:
    """Sync the tree as `config.sync` says; failures are logged and the bot carries on."""
    if config.sync == "off":
        log.info("command sync is off (discord.sync)")
        return
    if config.sync == "guild":
        for guild_id in config.guild_ids:
            guild = discord.Object(id=guild_id)
            tree.copy_global_to(guild=guild)
            try:
                synced = await tree.sync(guild=guild)
            except discord.Forbidden:
                log.error(
                    "cannot sync commands to guild %s: the bot is not in it or was invited "
                    "without the applications.commands scope (see `citebot invite-url`)",
                    guild_id,
                )
            except discord.HTTPException as exc:
                log.error("command sync to guild %s failed: %s", guild_id, exc)
            else:
                log.info("synced %d commands to guild %s", len(synced), guild_id)
        return
    key = f"global-commands:{application_id}"
    digest = command_digest(tree)
    if store.get_meta(key) == digest:
        log.info("global commands unchanged since the last sync; not syncing")
        return
    try:
        synced = await tree.sync()
    except discord.HTTPException as exc:
        log.error("global command sync failed: %s", exc)
        return
    store.set_meta(key, digest)
    log.info("synced %d global commands (they can take a while to appear)", len(synced))
