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


def test_nonsense_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        Cooldown(0, 10)
    with pytest.raises(ValueError):
        Cooldown(1, 0)
