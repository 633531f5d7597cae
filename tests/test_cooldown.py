"""The per-user sliding-window cooldown."""

from __future__ import annotations

import pytest

from bot.cooldown import Cooldown


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_per_window_per_user() -> None:
    clock = Clock()
    cooldown = Cooldown(2, 30, clock)
    assert cooldown.try_use(1) == 0.0
    clock.now += 10
    assert cooldown.try_use(1) == 0.0
    assert cooldown.try_use(2) == 0.0
    clock.now += 5
    assert cooldown.try_use(1) == pytest.approx(15.0)
    clock.now += 15
    assert cooldown.try_use(1) == 0.0
    assert cooldown.try_use(1) == pytest.approx(10.0)


def test_refused_uses_do_not_extend_the_wait() -> None:
    clock = Clock()
    cooldown = Cooldown(1, 10, clock)
    assert cooldown.try_use(1) == 0.0
    for _ in range(5):
        clock.now += 1
        cooldown.try_use(1)
    clock.now += 5
    assert cooldown.try_use(1) == 0.0


def test_idle_users_are_forgotten() -> None:
    clock = Clock()
    cooldown = Cooldown(1, 10, clock)
    for user in range(5000):
        cooldown.try_use(user)
    clock.now += 11
    cooldown.try_use(99999)
    assert len(cooldown._uses) < 5000


def test_many_users_inside_their_window_are_not_rescanned_on_every_question() -> None:
    clock = Clock()
    scans: list[int] = []

    class Counted(Cooldown):
        def _sweep(self, now: float) -> None:
            scans.append(len(self._uses))
            super()._sweep(now)

    cooldown = Counted(1, 30, clock)
    for user in range(20_000):
        clock.now += 0.001  # 20,000 users within one 30 s window: none can be forgotten
        cooldown.try_use(user)
    assert sum(scans) < 2 * 20_000  # each sweep paid for by as many new users as it scanned
    assert cooldown.try_use(5) > 0  # and each user is still limited


def test_nonsense_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        Cooldown(0, 10)
    with pytest.raises(ValueError):
        Cooldown(1, 0)
