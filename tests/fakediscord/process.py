"""Run a bot as a subprocess with its output in a log file (secrets redacted on read)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Self


class BotProcess:
    """A bot subprocess; stdout+stderr go to `log_path`, `output()` hides `secrets`."""

    def __init__(
        self,
        args: Sequence[str],
        *,
        log_path: Path,
        env: dict[str, str] | None = None,
        cwd: str | Path | None = None,
        secrets: Sequence[str] = (),
    ) -> None:
        self.args = list(args)
        self.log_path = Path(log_path)
        self._secrets = [s for s in secrets if s]
        full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                self.args, stdout=log, stderr=subprocess.STDOUT, env=full_env, cwd=cwd
            )

    @classmethod
    def python(cls, script: str | Path, *args: str, **kwargs: object) -> Self:
        """Run `sys.executable script *args` (same venv as the tests)."""
        return cls([sys.executable, str(script), *args], **kwargs)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return f"<BotProcess pid={self.proc.pid} rc={self.proc.poll()} log={self.log_path}>"

    @property
    def alive(self) -> bool:
        """True while the process runs."""
        return self.proc.poll() is None

    def output(self, tail: int | None = None) -> str:
        """Log text so far (last `tail` lines if given), with secrets replaced by '***'."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return "\n".join(text.splitlines()[-tail:]) if tail else text

    def assert_alive(self) -> None:
        """Raise AssertionError (with the log tail) if the process has exited."""
        if not self.alive:
            raise AssertionError(f"bot exited with {self.proc.returncode}:\n{self.output(60)}")

    def stop(self, timeout: float = 5.0) -> int:
        """SIGINT (discord.py closes cleanly), then SIGKILL after `timeout`; returns rc."""
        if self.alive:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        return self.proc.returncode

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
