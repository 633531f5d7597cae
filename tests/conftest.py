"""Shared fixtures: the fake Discord server and bot subprocesses (see tests/fakediscord)."""

import os
from collections.abc import Iterator

import pytest

from tests.fakediscord.fixtures import (  # noqa: F401
    fake_discord,
    fake_discord_module,
    spawn_bot,
    spawn_bot_module,
)


@pytest.fixture(autouse=True, scope="session")
def _private_cache_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The default index cache ($XDG_CACHE_HOME/citebot) in a folder of the tests' own, so a
    test run neither reads nor fills the cache of the person running it."""
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache-home"))
    yield
    if previous is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = previous
