"""pytest fixtures; import them into tests/conftest.py:

from tests.fakediscord.fixtures import (  # noqa: F401
    fake_discord, fake_discord_module, spawn_bot, spawn_bot_module,
)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from .process import BotProcess
from .server import FakeDiscord


class BotSpawner:
    """Callable that starts bot subprocesses and stops them all in `close()`."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.procs: list[BotProcess] = []

    def __call__(
        self,
        args: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        cwd: str | Path | None = None,
        server: FakeDiscord | None = None,
        secrets: Sequence[str] = (),
    ) -> BotProcess:
        """Start `args`; with `server`, its token is redacted and its wait_* timeouts
        include this bot's exit status and log tail. Env vars named *TOKEN* are redacted."""
        hidden = [*secrets, *(v for k, v in (env or {}).items() if "TOKEN" in k.upper())]
        if server is not None:
            hidden.append(server.token)
        log = self.log_dir / f"bot-{len(self.procs)}.log"
        proc = BotProcess(args, log_path=log, env=env, cwd=cwd, secrets=hidden)
        self.procs.append(proc)
        if server is not None:
            server.diagnostics.append(lambda: f"{proc!r}, log tail:\n{proc.output(40)}")
        return proc

    def close(self) -> None:
        """Stop every process started so far."""
        for proc in self.procs:
            proc.stop()


@pytest.fixture
def fake_discord() -> Iterator[FakeDiscord]:
    """A running FakeDiscord for one test."""
    with FakeDiscord() as server:
        yield server


@pytest.fixture(scope="module")
def fake_discord_module() -> Iterator[FakeDiscord]:
    """A running FakeDiscord shared by a test module (pair it with spawn_bot_module)."""
    with FakeDiscord() as server:
        yield server


@pytest.fixture
def spawn_bot(tmp_path: Path) -> Iterator[BotSpawner]:
    """`spawn_bot(args, env=..., server=...) -> BotProcess`, stopped after the test."""
    spawner = BotSpawner(tmp_path)
    yield spawner
    spawner.close()


@pytest.fixture(scope="module")
def spawn_bot_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotSpawner]:
    """Like spawn_bot, but the processes live until the end of the module."""
    spawner = BotSpawner(tmp_path_factory.mktemp("bots"))
    yield spawner
    spawner.close()
