"""The index cache as a user meets it: on by default in the user's cache folder, shown, cleared."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import subprocess
from pathlib import Path

from tests.botrun import CITEBOT, user_env
from tests.test_cli_options import citebot


def _cache_home(tmp_path: Path) -> dict[str, str]:
    return {"XDG_CACHE_HOME": str(tmp_path / "xdg")}


def test_the_cache_is_on_by_default_in_the_users_cache_folder(tmp_path: Path) -> None:
    env = _cache_home(tmp_path)
    first = citebot("ask", "When was Trotsky exiled?", "--json", env=env)
    assert first.returncode == 0, first.stderr
    folder = tmp_path / "xdg" / "citebot"
    assert any(folder.iterdir())
    info = json.loads(citebot("cache", "info", "--json", env=env).stdout)
    assert info["directory"] == str(folder)
    [entry] = info["entries"]
    assert entry["titles"] == ["Anti-Stalinist left"] and entry["readable"]
    assert entry["bytes"] > 0 and entry["passages"] > 0
    # Answers from the cache are the answers without it.
    again = citebot("ask", "When was Trotsky exiled?", "--json", env=env)
    assert json.loads(again.stdout) == json.loads(first.stdout)


def test_no_cache_and_clear(tmp_path: Path) -> None:
    env = _cache_home(tmp_path)
    citebot("ask", "Trotsky", "--no-cache", env=env)
    assert not (tmp_path / "xdg" / "citebot").exists()
    citebot("ask", "Trotsky", env=env)
    text = citebot("cache", "info", env=env).stdout.decode()
    assert text.startswith(f"cache {tmp_path / 'xdg' / 'citebot'}: 1 entry,")
    cleared = citebot("cache", "clear", env=env)
    assert cleared.returncode == 0
    assert cleared.stdout.decode().startswith("removed 1 entry (")
    assert json.loads(citebot("cache", "info", "--json", env=env).stdout)["entries"] == []


def test_an_unwritable_cache_folder_warns_once_and_answers(tmp_path: Path) -> None:
    env = _cache_home(tmp_path)
    (tmp_path / "xdg").mkdir()
    (tmp_path / "xdg" / "citebot").write_text("a file where the folder should be")
    result = citebot("ask", "When was Trotsky exiled?", "--json", env=env)
    assert result.returncode == 0
    assert json.loads(result.stdout)["found"] is True
    warnings = [line for line in result.stderr.decode().splitlines() if line.strip()]
    assert len(warnings) == 1 and "cache" in warnings[0]


def test_the_configured_cache_folder_wins(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"retrieval:\n  cache_dir: {tmp_path / 'mine'}\n", encoding="utf-8")
    env = _cache_home(tmp_path)
    citebot("ask", "Trotsky", "--config", str(config), env=env)
    assert any((tmp_path / "mine").iterdir())
    assert not (tmp_path / "xdg" / "citebot").exists()
    info = json.loads(citebot("cache", "info", "--config", str(config), "--json").stdout)
    assert info["directory"] == str(tmp_path / "mine") and len(info["entries"]) == 1


def _stderr_on_a_terminal(*args: str, env: dict[str, str]) -> str:
    """What `citebot ARGS` writes to stderr when stderr is a terminal (a pseudo-terminal)."""
    leader, follower = pty.openpty()
    try:
        try:
            done = subprocess.run(
                [*CITEBOT, *args],
                stdout=subprocess.DEVNULL,
                stderr=follower,
                env=user_env(env),
                timeout=60,
            )
        finally:
            os.close(follower)  # so that reading ends once the child's output is drained
        assert done.returncode == 0
        written = b""
        with contextlib.suppress(OSError):  # the terminal reports EIO once drained
            while chunk := os.read(leader, 4096):
                written += chunk
    finally:
        os.close(leader)
    return written.decode()


def test_a_person_at_a_terminal_is_told_why_a_first_run_is_slower(tmp_path: Path) -> None:
    env = _cache_home(tmp_path)
    assert "indexing the documents" in _stderr_on_a_terminal("ask", "Trotsky", env=env)
    assert _stderr_on_a_terminal("ask", "Trotsky", env=env) == ""  # from the cache
    # Nor is anything said where no cache is kept, or to a script reading stderr.
    assert _stderr_on_a_terminal("ask", "Trotsky", "--no-cache", env=env) == ""
    other = _cache_home(tmp_path / "other")
    assert citebot("ask", "Trotsky", env=other).stderr == b""
