"""Wording shared by the front ends, so counts read right: "1 passage", "2 passages"."""

from __future__ import annotations


def count(number: int, noun: str, plural: str | None = None) -> str:
    """`number` and the noun in the form that number takes: count(1, "passage") -> "1 passage"."""
    if number == 1:
        return f"1 {noun}"
    return f"{number:,} {plural or noun + 's'}"
