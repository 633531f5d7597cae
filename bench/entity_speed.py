"""Speed of the entity finder: people, events and acronyms of N passages of GCIDE prose.

    python bench/entity_speed.py                    # N = 10k, 100k; median of 3 runs
    python bench/entity_speed.py --sizes 1M --runs 1

Times `extract_entities` (people and events) and `extract_acronyms` on the passages of the
benchmark document (bench/make_corpus.py, generated into bench/data/ on first use), in this
process, after parsing. Prints the machine's cores and load average beside the figures: the
machine is shared, so a busy neighbour slows a run.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT, ROOT / "bench"):  # run as a script from anywhere
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from retrieval_sweep import corpus_file, parse_size, peak_rss_bytes  # noqa: E402

from knowledge.entities import extract_acronyms  # noqa: E402
from knowledge.entity_finder import extract_entities  # noqa: E402
from knowledge.loader import load_paths  # noqa: E402

T = TypeVar("T")


def timed(function: Callable[[], T]) -> tuple[float, float, T]:
    """(wall seconds, CPU seconds, result) of one call, the garbage collector's debt paid
    first. CPU seconds say more on a shared machine, where a neighbour stretches the wall
    clock."""
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    result = function()
    return time.perf_counter() - started, time.process_time() - cpu, result


def acronyms_of(texts: Sequence[str]) -> dict[str, str]:
    """The acronyms as `Document.acronyms` finds them: in passages with a bracket."""
    return extract_acronyms(t for t in texts if "(" in t)


def main() -> None:
    """Print one row per corpus size: median seconds (wall, and CPU of this process) and
    passages a second (wall)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k", help="comma-separated: 10k,100k,1M")
    parser.add_argument("--runs", type=int, default=3, help="runs per size (median reported)")
    args = parser.parse_args()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"cores: {os.cpu_count()}, load average at start: {load}")
    print(
        f"{'N':>9} {'entities s':>11} {'(min-max)':>15} {'CPU s':>6} {'acronyms s':>11} "
        f"{'passages/s':>11} {'people':>7} {'events':>7} {'peak MB':>8}"
    )
    for size in (parse_size(s) for s in args.sizes.split(",")):
        (document,) = load_paths([corpus_file(size)])
        texts = [p.clean for p in document.passages]
        entity_times, entity_cpu, acronym_times = [], [], []
        for _ in range(args.runs):
            seconds, cpu, found = timed(partial(extract_entities, texts))
            entity_times.append(seconds)
            entity_cpu.append(cpu)
            seconds, _, _ = timed(partial(acronyms_of, texts))
            acronym_times.append(seconds)
        entities = statistics.median(entity_times)
        acronyms = statistics.median(acronym_times)
        figures, events = len(found.figures), len(found.events)
        print(
            f"{len(texts):>9} {entities:>11.2f} "
            f"{f'({min(entity_times):.2f}-{max(entity_times):.2f})':>15} "
            f"{statistics.median(entity_cpu):>6.2f} {acronyms:>11.3f} "
            f"{len(texts) / (entities + acronyms):>11.0f} {figures:>7} {events:>7} "
            f"{peak_rss_bytes() / 2**20:>8.0f}"
        )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average at end: {load}")


if __name__ == "__main__":
    main()
