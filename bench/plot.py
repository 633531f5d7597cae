"""Plot the retrieval sweep: query latency against corpus size, log-log, one line per method.

python bench/plot.py [--results bench/results/retrieval.json] [--out docs/benchmarks.png]
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "retrieval.json"
OUT = ROOT / "docs" / "benchmarks.png"
LABELS = {
    "bm25index": "BM25Index (numpy, exact)",
    "rank_bm25": "rank-bm25 BM25Okapi",
    "bm25s": "bm25s get_scores (reference only)",
    "bm25s_numba": "bm25s numba retrieve (reference only)",
}


def plot(results: dict[str, Any], out: Path) -> Path:
    """Draw p50 (solid) and p99 (dashed) latency per method against N; write ``out``."""
    # Imported here, by name: matplotlib is only in the bench extra (bench/setup.sh).
    importlib.import_module("matplotlib").use("Agg")  # files only, no display needed
    plt = importlib.import_module("matplotlib.pyplot")

    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    methods = sorted({run["method"] for run in results["runs"]}, key=list(LABELS).index)
    for method in methods:
        runs = sorted(
            (r for r in results["runs"] if r["method"] == method), key=lambda r: r["size"]
        )
        sizes = [r["size"] for r in runs]
        (line,) = ax.plot(sizes, [r["p50_ms"] for r in runs], "o-", label=f"{LABELS[method]} p50")
        ax.plot(sizes, [r["p99_ms"] for r in runs], "--", color=line.get_color(), alpha=0.6)
        sampled = [r for r in runs if r["queries"] < results["queries"]]
        for r in sampled:  # say where a method ran on fewer queries
            ax.annotate(
                f"{r['queries']} q",
                (r["size"], r["p50_ms"]),
                textcoords="offset points",
                xytext=(-34, -12),
                fontsize=7,
                color=line.get_color(),
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("passages in corpus (N)")
    ax.set_ylabel("top-10 query latency, ms (p50 solid, p99 dashed)")
    ax.set_title(f"BM25 retrieval, {results['queries']} queries, GCIDE prose")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    results = json.loads(args.results.read_text(encoding="utf-8"))
    print(f"wrote {plot(results, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
