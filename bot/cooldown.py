"""A per-user cooldown: at most `rate` questions in any `per_seconds` window."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

# Forget users whose window has passed once this many are tracked, so memory stays bounded.
_SWEEP_AT = 4096
# ...and sweep again only when the tracked users have grown this many times since the last
# sweep, or a window has passed: with more users inside their window than _SWEEP_AT, sweeping
# on every question cost a scan of all of them each time (about 0.15 ms at 4,000).
_REGROWTH = 2


class Cooldown:
    """A sliding-window rate limit per key (a user id)."""

    def __init__(
        self, rate: int, per_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """Allow `rate` uses per `per_seconds` for each key; `clock` is for tests."""
        if rate < 1 or per_seconds <= 0:
            raise ValueError("a cooldown needs a positive rate and period")
        self.rate = rate
        self.per_seconds = per_seconds
        self._clock = clock
        self._uses: dict[int, deque[float]] = {}
        self._swept_size = 0  # users tracked after the last sweep
        self._swept_at = float("-inf")  # when it was

    def try_use(self, key: int) -> float:
        """Count a use for `key` and return 0.0, or, when over the limit, the seconds to wait."""
        now = self._clock()
        if len(self._uses) >= _SWEEP_AT and (
            len(self._uses) >= _REGROWTH * self._swept_size
            or now - self._swept_at >= self.per_seconds
        ):
            self._sweep(now)
        uses = self._uses.setdefault(key, deque())
        while uses and uses[0] <= now - self.per_seconds:
            uses.popleft()
        if len(uses) >= self.rate:
            return uses[0] + self.per_seconds - now
        uses.append(now)
        return 0.0

    def _sweep(self, now: float) -> None:
        stale = [key for key, uses in self._uses.items() if uses[-1] <= now - self.per_seconds]
        for key in stale:
            del self._uses[key]
        self._swept_size, self._swept_at = len(self._uses), now
