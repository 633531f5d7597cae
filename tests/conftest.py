"""Shared fixtures: the fake Discord server and bot subprocesses (see tests/fakediscord)."""

from tests.fakediscord.fixtures import (  # noqa: F401
    fake_discord,
    fake_discord_module,
    spawn_bot,
    spawn_bot_module,
)
