"""A tiny run of the benchmark pipeline, so bench/ cannot rot unnoticed.

It builds a small dictd-format dictionary of its own (dict-gcide need not be installed)
and runs the same functions as ``bench/retrieval_sweep.py``: corpus generation, the
document format, in-process measurement of BM25Index and rank-bm25, and the table.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import make_corpus  # noqa: E402
import retrieval_sweep  # noqa: E402

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
WORDS = (
    "river stone light quiet harbor winter copper garden signal letter measure "
    "ancient market silver thread window mountain valley engine planet forest "
    "lantern anchor meadow bridge candle marble orchard shadow thunder voyage"
).split()


def _b64(number: int) -> str:
    digits = ""
    while True:
        digits = _B64[number % 64] + digits
        number //= 64
        if not number:
            return digits


@pytest.fixture(scope="module")
def tiny_dict(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 300-entry dictionary in dict-gcide's layout: gcide.dict.dz plus gcide.index."""
    rng = random.Random(5)
    folder = tmp_path_factory.mktemp("dictd")
    data, index = b"", []
    header = b"00-database-short\n   A test dictionary\n\n"
    index.append(f"00-database-short\t{_b64(0)}\t{_b64(len(header))}")
    data += header
    for n in range(300):
        # Headwords are letters only, as the corpus keeps only such entries.
        head = rng.choice(WORDS).capitalize() + "".join("abcdefghij"[int(d)] for d in str(n))
        senses = []
        for number in range(1, rng.randint(2, 4)):
            words = [rng.choice(WORDS) for _ in range(rng.randint(6, 18))]
            senses.append(f"   {number}. {' '.join(words).capitalize()} [ae]rial. --Shak.\n")
        entry = f'{head} \\{head}"\\, n. [OE. {head.lower()}.]\n' + "\n".join(senses)
        entry += "   [1913 Webster]\n\n"
        raw = entry.encode()
        index.append(f"{head}\t{_b64(len(data))}\t{_b64(len(raw))}")
        data += raw
    with gzip.open(folder / "gcide.dict.dz", "wb") as handle:
        handle.write(data)
    (folder / "gcide.index").write_text("\n".join(index) + "\n", encoding="utf-8")
    return folder / "gcide.dict.dz"


def test_clean_entry_strips_markup() -> None:
    raw = (
        'Apple \\Ap"ple\\ ([a^]p"p\'l), n. [OE. appel, AS. [ae]ppel.]\n'
        "   1. The fleshy pome of a tree ({Pyrus malus}). --Shak.\n"
        "      [1913 Webster]\n"
    )
    head, prose = make_corpus.clean_entry(raw)
    assert head == "Apple"
    assert prose == "The fleshy pome of a tree (Pyrus malus)."


def test_corpus_is_deterministic_prefix_stable_and_in_document_format(
    tiny_dict: Path, tmp_path: Path
) -> None:
    small = make_corpus.write_corpus(tmp_path / "a.txt", 50, dict_path=tiny_dict)
    again = make_corpus.write_corpus(tmp_path / "b.txt", 50, dict_path=tiny_dict)
    assert small.read_bytes() == again.read_bytes()
    text = small.read_text(encoding="utf-8")
    blocks = text.strip("\n").split("\n\n")
    assert blocks[0] == make_corpus.TITLE
    assert len(blocks) == 51
    assert all(block.strip() and "\n" not in block for block in blocks)
    assert sum(bool(re.match(r"\[\d+\]", block)) for block in blocks) >= 15  # tagged
    assert "\\" not in text and "{" not in text and "Webster" not in text
    # Corpora are prefixes of each other, beyond the dictionary's natural passages too.
    big = make_corpus.make_passages(700, dict_path=tiny_dict)
    assert make_corpus.make_passages(50, dict_path=tiny_dict) == big[:50]
    assert len(set(big)) > 650


def test_sweep_runs_and_agrees_with_rank_bm25(tiny_dict: Path, tmp_path: Path) -> None:
    results = retrieval_sweep.sweep(
        sizes=[1000],
        methods=["bm25index", "rank_bm25"],
        n_queries=12,
        isolate=False,
        data_dir=tmp_path,
        dict_path=tiny_dict,
        log=lambda line: None,
    )
    runs = {run["method"]: run for run in results["runs"]}
    assert set(runs) == {"bm25index", "rank_bm25"}
    for run in runs.values():
        assert run["passages"] == 1000
        assert run["queries"] == 12
        assert run["agreement"] == 1.0
        assert 0 < run["p50_ms"] <= run["p99_ms"]
        assert run["rss_bytes"] > 0 and run["build_s"] >= 0
    assert runs["bm25index"]["index_bytes"] > 0
    table = retrieval_sweep.format_table(results)
    assert "bm25index" in table and "100%" in table
    json.dumps(results)  # what main() writes


def test_plot_writes_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    import plot

    run = {"p50_ms": 0.1, "p99_ms": 0.3, "queries": 5}
    results = {
        "queries": 5,
        "runs": [
            {**run, "method": m, "size": n}
            for m in ("bm25index", "rank_bm25")
            for n in (1000, 10000)
        ],
    }
    out = plot.plot(results, tmp_path / "bench.png")
    assert out.read_bytes().startswith(b"\x89PNG")


def test_parse_size() -> None:
    assert retrieval_sweep.parse_size("1k") == 1000
    assert retrieval_sweep.parse_size("1M") == 1_000_000
    assert retrieval_sweep.parse_size("2500") == 2500


def test_query_path_times_every_kind_of_query(tiny_dict: Path, tmp_path: Path) -> None:
    run = retrieval_sweep.measure_query_path(1000, count=6, data_dir=tmp_path, dict_path=tiny_dict)
    assert run["passages"] == 1000 and run["entities_and_tables_s"] >= 0
    cases = run["cases"]
    assert {"ask, 5 misspelt words", "figure, misspelt", "ask, not covered"} <= set(cases)
    for case in cases.values():
        assert case["queries"] == 6 and 0 < case["p50_ms"] <= case["p99_ms"] <= case["max_ms"]
    assert cases["ask"]["found"] > 0.5 and cases["ask, not covered"]["found"] < 0.5
    assert "figure, unknown" in retrieval_sweep.format_query_path([run])
