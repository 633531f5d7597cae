"""`citebot bot` failing to start: one line saying why, and the documented exit code.

Everything listens on 127.0.0.1: the fake Discord server of the tests, and for the refused
intents a gateway of this file's own that closes the session as Discord does.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web

from bot import exit_codes
from tests.botrun import run_citebot, write_config
from tests.fakediscord import FakeDiscord


def _citebot(config: Path, token: str) -> subprocess.CompletedProcess[str]:
    return run_citebot(["bot", "--config", str(config)], {"DISCORD_TOKEN": token})


def _errors(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert "Traceback" not in result.stderr
    return [line for line in result.stderr.splitlines() if "ERROR" in line]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens once the probe is closed


def test_an_unreachable_api_is_one_line_and_exit_5(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    port = _closed_port()
    config = write_config(
        tmp_path / "config.yaml",
        fake_discord,
        api_base_url=f"http://127.0.0.1:{port}",
        gateway_url=f"ws://127.0.0.1:{port}",
    )
    result = _citebot(config, fake_discord.token)
    assert result.returncode == exit_codes.DISCORD_UNREACHABLE
    [line] = _errors(result)
    assert f"cannot start: cannot reach Discord at http://127.0.0.1:{port}" in line
    assert fake_discord.token not in result.stdout + result.stderr


def test_a_rejected_token_is_one_line_and_exit_3(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.yaml", fake_discord)
    wrong = "wrong." + fake_discord.token[::-1]
    result = _citebot(config, wrong)
    assert result.returncode == exit_codes.TOKEN_REJECTED
    [line] = _errors(result)
    assert "Discord rejected the token" in line
    assert wrong not in result.stdout + result.stderr


@pytest.fixture
def refusing_gateway(request: pytest.FixtureRequest) -> Iterator[str]:
    """A gateway that says HELLO, then closes with the close code `request.param` on IDENTIFY."""
    close_code: int = request.param

    async def session(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 45000}}))
        async for message in ws:
            if json.loads(message.data).get("op") == 2:
                await ws.close(code=close_code, message=b"Refused.")
        return ws

    loop = asyncio.new_event_loop()
    app = web.Application()
    app.router.add_get("/", session)
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = runner.addresses[0][1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield f"ws://127.0.0.1:{port}"
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=10)


@pytest.mark.parametrize(
    ("refusing_gateway", "code", "message"),
    [
        (4014, exit_codes.INTENTS_REFUSED, "Discord refused the gateway intents"),
        (4004, exit_codes.TOKEN_REJECTED, "Discord rejected the token"),
        (4011, exit_codes.BAD_CONFIG, "Discord requires sharding for this bot"),
    ],
    indirect=["refusing_gateway"],
)
def test_a_gateway_refusal_is_one_line_and_its_exit_code(
    fake_discord: FakeDiscord, refusing_gateway: str, tmp_path: Path, code: int, message: str
) -> None:
    config = write_config(tmp_path / "config.yaml", fake_discord, gateway_url=refusing_gateway)
    result = _citebot(config, fake_discord.token)
    assert result.returncode == code
    [line] = _errors(result)
    assert message in line
