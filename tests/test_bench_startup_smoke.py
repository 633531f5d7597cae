"""A tiny run of bench/startup.py, so the start-up benchmark cannot rot unnoticed.

A 1,000-passage document written here (dict-gcide need not be installed) goes through the
same functions as the benchmark: cold start of `citebot ask`, cold and warm loads in fresh
processes, the on-disk cache, `citebot ask -` batches, and the table. Only sanity is checked.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import make_corpus  # noqa: E402
import startup  # noqa: E402

WORDS = (
    "river stone light quiet harbor winter copper garden signal letter measure "
    "ancient market silver thread window mountain valley engine planet forest "
    "lantern anchor meadow bridge candle marble orchard shadow thunder voyage"
).split()


def _corpus(path: Path, passages: int = 1000) -> tuple[Path, list[str]]:
    """A document of random prose in citebot's format, and queries quoting its passages."""
    rng = random.Random(7)
    texts = [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60))).capitalize() + "."
        for _ in range(passages)
    ]
    path.write_text(make_corpus.render_document(texts), encoding="utf-8")
    queries = [" ".join(rng.choice(texts).split()[:4]) for _ in range(200)]
    return path, queries


def test_cold_start_answers_without_discord() -> None:
    result = startup.cold_start(runs=2)
    assert result["answered"]
    assert result["discord_imported"] is False
    assert 0 < result["seconds"]["min"] <= result["seconds"]["median"] <= result["seconds"]["max"]
    assert result["python_baseline_seconds"]["median"] > 0 and result["peak_rss_bytes"] > 0


def test_cold_warm_and_batch_figures(tmp_path: Path) -> None:
    corpus, queries = _corpus(tmp_path / "corpus.txt")
    result = startup.measure_size(
        corpus, queries, tmp_path, cold_runs=1, warm_runs=1, batch=(5, 200), batch_repeats=1
    )
    assert result["passages"] == 1000
    assert result["warm_cache_hit"] and result["cache_bytes"] > 0
    assert all(pss > 0 for pss in result["shared"]["pss_bytes"])
    assert 0 < result["cache_layout"]["index_bytes"] < result["cache_layout"]["entry_bytes"]
    cold, warm = result["cold"], result["warm"]
    for key in ("parse_s", "index_s", "entities_s", "first_answer_s", "cache_write_s"):
        assert cold[key]["median"] > 0, key
    assert cold["rss_indexed_bytes"]["median"] > 0 and warm["rss_bytes"]["median"] > 0
    assert warm["load_s"]["median"] > 0 and result["cli_warm_ask_s"]["median"] > 0
    assert result["batch"]["queries_per_second"] > 0
    table = startup.format_table({"sizes": {"1000": result}})
    assert "1,000" in table
    json.dumps(result)  # what main() writes
