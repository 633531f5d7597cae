"""Load time of Wikipedia's formats: each test fixture, and a saved page of about 1 MB.

    python bench/load_formats.py [--runs N]

Times `knowledge.loader.load_file` (read, parse, passages, references; entities are found
lazily and not included), median and range of N runs in this process, after one warm-up run.
The 1 MB page is the largest saved-page fixture with its article body repeated until the file
passes 1 MB, written to a temporary folder.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from knowledge.loader import load_file

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
MEGABYTE = 1_000_000


def timed(path: Path, runs: int) -> tuple[float, float, float, int, int]:
    """(median, min, max) seconds of `runs` loads, and the passages and references found."""
    document = load_file(path)  # warm-up: imports and caches
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        load_file(path)
        seconds.append(time.perf_counter() - started)
    return (
        statistics.median(seconds),
        min(seconds),
        max(seconds),
        len(document.passages),
        len(document.references),
    )


def megabyte_page(folder: Path) -> Path:
    """A saved page of at least 1 MB: the Mozilla fixture's body paragraphs repeated."""
    page = (DATA / "html" / "mozilla.html").read_text(encoding="utf-8")
    body = re.search(r"(<p>.*</p>)", page, re.S)
    assert body is not None
    copies = MEGABYTE // len(body.group(1)) + 1
    path = folder / "big.html"
    path.write_text(page.replace(body.group(1), body.group(1) * copies), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    files = sorted((DATA / "wiki").glob("*.wiki")) + sorted((DATA / "html").glob("*.html"))
    print("| file | size kB | passages | references | load ms (median, min–max) |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for path in [*files, megabyte_page(Path(folder))]:
            median, low, high, passages, refs = timed(path, args.runs)
            size = path.stat().st_size / 1000
            print(
                f"| {path.name} | {size:.0f} | {passages} | {refs} "
                f"| {median * 1000:.0f} ({low * 1000:.0f}–{high * 1000:.0f}) |"
            )


if __name__ == "__main__":
    main()
