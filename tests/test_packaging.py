"""What `pip install .` ships: every package of the project, and the data its code reads."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_every_package_is_listed_for_setuptools() -> None:
    # An editable install finds unlisted subpackages anyway; a plain install leaves them out.
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(settings["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("bot", "knowledge", "retrieval")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found <= listed, f"not packaged: {sorted(found - listed)}"
