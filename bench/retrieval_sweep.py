"""Retrieval sweep: BM25Index against rank-bm25 (and bm25s, if importable) as the corpus grows.

For each corpus size N (passages of GCIDE prose from ``bench/make_corpus.py``) and each
method, in a fresh process so that memory figures do not leak between runs:

- build time (tokenising excluded, reported separately), bytes of index arrays,
  resident memory after the build with the token lists dropped, and peak RSS;
- query latency p50/p99 over ~200 natural queries (top-k, k=10), after one warm-up;
- top-k agreement with rank-bm25 (identical id lists, ties to the lower passage id).

rank-bm25 walks every passage per query term in Python, so at the largest sizes it
runs on the first ``--reference-queries`` queries only; the table says how many, and
agreement is measured on those.

Then, for each of ``--query-sizes``, the whole query path of a ``KnowledgeBase`` over that
corpus, warm as a user's runs are: loaded from the cache entry a first run wrote (mapped
index, vocabulary and spelling table), entities and look-up tables read first (timed apart).
Each kind of query a user can send, every query new to the process (words recur across
queries, as in a server's, so the vocabulary's memo of looked-up terms helps): ``ask`` answered,
with one and with five misspelt words, pasted text, and unanswered (with its suggestions);
``figure`` by name, misspelt, unknown and pasted text; ``event`` by name and by year; ``ref``;
autocomplete. Those figures go to bench/results/query_path.json, the sweep's to
bench/results/retrieval.json.

    python bench/retrieval_sweep.py --sizes 1k,10k,100k,1M
    python bench/retrieval_sweep.py --sizes '' --query-sizes 100k   # the query path only
    python bench/plot.py   # docs/benchmarks.png from bench/results/retrieval.json
"""

from __future__ import annotations

import argparse
import concurrent.futures
import gc
import importlib
import json
import multiprocessing
import os
import platform
import random
import re
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere: the project's packages
    sys.path.insert(0, str(ROOT))
if str(ROOT / "bench") not in sys.path:
    sys.path.insert(0, str(ROOT / "bench"))

import make_corpus  # noqa: E402

from retrieval.index import BM25Index  # noqa: E402

DATA_DIR = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results" / "retrieval.json"
QUERY_PATH_RESULTS = ROOT / "bench" / "results" / "query_path.json"
# The longest text a Discord slash-command option takes: the most a pasted query can be there.
PASTED_CHARS = 6000
METHODS = ("bm25index", "rank_bm25", "bm25s", "bm25s_numba")
# Outside references, each run only when its packages import here.
OPTIONAL = {"bm25s": ("bm25s",), "bm25s_numba": ("bm25s", "numba")}
_TAG = re.compile(r"\[\d+\]")
_WORD = re.compile(r"[a-z0-9]+")
Tokenizer = Callable[[str], list[str]]


def tokenizer() -> tuple[str, Tokenizer]:
    """The project's analyzer if it exists, else a lowercase word regex."""
    try:
        analyzer = importlib.import_module("retrieval.analyzer")
    except ImportError:
        return "regex", lambda text: _WORD.findall(text.lower())
    analyze: Tokenizer = analyzer.analyze
    return "retrieval.analyzer", analyze


def parse_size(text: str) -> int:
    """'1k' -> 1000, '1M' -> 1000000, '2500' -> 2500."""
    text = text.strip()
    scale = {"k": 1_000, "K": 1_000, "m": 1_000_000, "M": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def corpus_file(size: int, data_dir: Path = DATA_DIR, dict_path: Path | None = None) -> Path:
    """The benchmark document of ``size`` passages, generated on first use."""
    path = data_dir / f"gcide-{size}.txt"
    if not path.exists():
        make_corpus.write_corpus(path, size, dict_path=dict_path)
    return path


def read_passages(path: Path) -> list[str]:
    """Passages of a document file, citation tags removed (the title line is skipped)."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", path.read_text(encoding="utf-8"))]
    blocks = [b for b in blocks if b]
    return [_TAG.sub("", b) for b in blocks[1:]]


def rss_bytes() -> int:
    """Current resident set size of this process."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def peak_rss_bytes() -> int:
    """Peak resident set size of this process.

    VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork and exec, so a fresh
    worker would report its (bigger) parent's peak.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def rank_scores(scores: np.ndarray[Any, Any], k: int) -> list[int]:
    """Top-k passage ids of a dense score array: positive scores, best first, ties to lower id."""
    ids = np.flatnonzero(scores > 0)
    sub = scores[ids]
    if ids.size > k:
        kth = np.partition(sub, ids.size - k)[ids.size - k]
        keep = sub >= kth
        ids, sub = ids[keep], sub[keep]
    return [int(i) for i in ids[np.lexsort((ids, -sub))][:k]]


class _Engine:
    """A built index behind one interface: top-k passage ids for a tokenised query."""

    def __init__(self, method: str, corpus: list[list[str]]) -> None:
        self.method = method
        self.nbytes = 0
        if method == "bm25index":
            self.index = BM25Index(corpus)
            self.nbytes = self.index.nbytes
        elif method == "rank_bm25":
            from rank_bm25 import BM25Okapi

            self.ref = BM25Okapi(corpus)
        elif method in ("bm25s", "bm25s_numba"):
            bm25s = importlib.import_module("bm25s")  # optional: an outside reference only
            # Lucene-style IDF by default; "robertson" is the closest to BM25Okapi.
            backend = "numba" if method == "bm25s_numba" else "auto"
            self.bm25s = bm25s.BM25(method="robertson", k1=1.5, b=0.75, backend=backend)
            self.bm25s.index(corpus, show_progress=False)
            self.nbytes = sum(
                getattr(a, "nbytes", 0) for a in self.bm25s.scores.values() if a is not None
            )
            if method == "bm25s_numba":
                self.top_k(corpus[0], 1)  # numba compiles on first use: part of the build
        else:
            raise ValueError(f"unknown method {method!r}")

    def top_k(self, query: list[str], k: int) -> list[int]:
        if self.method == "bm25index":
            return [i for i, _ in self.index.top_k(query, k)]
        if self.method == "rank_bm25":
            return rank_scores(self.ref.get_scores(query), k)
        if self.method == "bm25s_numba":
            # bm25s's own top-k (numba), one thread: the others are timed on one core too.
            ids, scores = self.bm25s.retrieve(
                [query], k=k, backend_selection="numba", n_threads=1, show_progress=False
            )
            return [int(i) for i, score in zip(ids[0], scores[0], strict=True) if score > 0]
        return rank_scores(np.asarray(self.bm25s.get_scores(query), dtype=np.float64), k)


def available(method: str) -> bool:
    """Whether ``method`` can run here (bm25s and numba are optional, references only)."""
    try:
        for module in OPTIONAL.get(method, ()):
            importlib.import_module(module)
    except ImportError:
        return False
    return True


def measure(
    method: str,
    size: int,
    queries: Sequence[str],
    k: int = 10,
    data_dir: Path = DATA_DIR,
    dict_path: Path | None = None,
) -> dict[str, Any]:
    """Build ``method`` over the ``size``-passage corpus and time ``queries`` through it.

    Returns timings (seconds), memory (bytes) and each query's top-k ids.
    """
    tok_name, analyze = tokenizer()
    gc.collect()
    rss_start = rss_bytes()
    passages = read_passages(corpus_file(size, data_dir, dict_path))
    rss_text = rss_bytes()
    started = time.perf_counter()
    corpus = [analyze(p) for p in passages]
    tokenize_s = time.perf_counter() - started
    query_tokens = [analyze(q) for q in queries]

    gc.collect()
    started = time.perf_counter()
    engine = _Engine(method, corpus)
    build_s = time.perf_counter() - started
    del corpus
    gc.collect()
    rss_built = rss_bytes()

    engine.top_k(query_tokens[0], k)  # warm-up: first-touch page faults, lazy imports
    latencies, results = [], []
    for query in query_tokens:
        started = time.perf_counter()
        ids = engine.top_k(query, k)
        latencies.append(time.perf_counter() - started)
        results.append(ids)
    return {
        "method": method,
        "passages": len(passages),
        "tokenizer": tok_name,
        "tokenize_s": tokenize_s,
        "build_s": build_s,
        "index_bytes": engine.nbytes,
        "rss_bytes": rss_built,
        "rss_text_bytes": rss_text - rss_start,
        "rss_over_text_bytes": rss_built - rss_text,
        "peak_rss_bytes": peak_rss_bytes(),
        "queries": len(latencies),
        "p50_ms": float(np.percentile(latencies, 50) * 1e3),
        "p99_ms": float(np.percentile(latencies, 99) * 1e3),
        "mean_ms": float(np.mean(latencies) * 1e3),
        "top_k": results,
    }


def _isolated(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run ``fn(*args)`` in a fresh interpreter, so RSS is that run's alone."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(fn, *args).result()


def agreement(results: list[list[int]], reference: list[list[int]]) -> float:
    """Fraction of queries whose top-k id lists are identical."""
    pairs = list(zip(results, reference, strict=False))
    return sum(a == b for a, b in pairs) / len(pairs) if pairs else float("nan")


def sweep(
    sizes: Sequence[int],
    methods: Sequence[str] = METHODS,
    n_queries: int = 200,
    k: int = 10,
    reference_queries: int = 20,
    reference_full_up_to: int = 100_000,
    isolate: bool = True,
    data_dir: Path = DATA_DIR,
    dict_path: Path | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Measure every method at every size; rank-bm25 on a query sample above the cut-off."""
    queries = make_corpus.make_queries(n_queries, dict_path=dict_path)
    runs: list[dict[str, Any]] = []
    for size in sizes:
        corpus_file(size, data_dir, dict_path)  # generate once, outside the timed workers
        by_method: dict[str, dict[str, Any]] = {}
        for method in methods:
            if not available(method):
                log(f"N={size:>9,} {method:<10} skipped (not importable)")
                continue
            sample = queries
            if method == "rank_bm25" and size > reference_full_up_to:
                sample = queries[:reference_queries]
            args = (method, size, sample, k, data_dir, dict_path)
            run = _isolated(measure, *args) if isolate else measure(*args)
            by_method[method] = run
            log(
                f"N={size:>9,} {method:<10} build {run['build_s']:7.2f}s  "
                f"p50 {run['p50_ms']:9.3f}ms  p99 {run['p99_ms']:9.3f}ms  "
                f"RSS {run['rss_bytes'] / 2**20:7.0f}MB  ({run['queries']} queries)"
            )
        reference = by_method.get("rank_bm25")
        for run in by_method.values():
            run["agreement"] = (
                agreement(run["top_k"], reference["top_k"]) if reference else float("nan")
            )
            run["agreement_queries"] = min(run["queries"], reference["queries"]) if reference else 0
            run["size"] = size
            runs.append(run)
    return {
        "machine": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "cpu_count": multiprocessing.cpu_count(),
            "platform": platform.platform(),
        },
        "queries": len(queries),
        "k": k,
        "tokenizer": tokenizer()[0],
        "runs": [{key: v for key, v in run.items() if key != "top_k"} for run in runs],
    }


def _misspelt(word: str, rng: random.Random) -> str:
    """One typo inside a word: a letter dropped, doubled, or two neighbours swapped."""
    at = rng.randrange(1, len(word) - 2)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:at] + word[at + 1 :]
    if kind == 1:
        return word[:at] + word[at] + word[at:]
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def query_path_cases(
    kb: Any, count: int, seed: int = 11, dict_path: Path | None = None
) -> dict[str, tuple[Any, list[Any]]]:
    """Kind of query -> (the KnowledgeBase method answering it, ``count`` distinct queries)."""
    rng = random.Random(seed)
    natural = make_corpus.make_queries(count, seed=seed, dict_path=dict_path)
    words = sorted(
        {
            w.lower()
            for q in make_corpus.make_queries(20 * count, seed=seed, dict_path=dict_path)
            for w in q.split()
        }
        - {"what", "does", "mean", "meaning"}
    )
    long_words = [w for w in words if w.isalpha() and len(w) >= 7] or ["keyboard"]
    figures = [name for name, _, _ in kb.figures()] or ["Nobody"]
    events = [name for name, _, _ in kb.events()] or ["Nothing"]
    refs = kb.cited_numbers() or [1]

    def pasted() -> str:
        # A paragraph or more pasted as a question or a name: PASTED_CHARS of queries' words.
        text = " ".join(rng.choice(words) for _ in range(PASTED_CHARS // 4))
        return text[:PASTED_CHARS]

    def nonsense() -> str:
        return "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(7))

    def sample(pool: list[Any]) -> list[Any]:
        return [rng.choice(pool) for _ in range(count)]

    def misspell(pool: list[str], words_each: int) -> list[str]:
        return [
            " ".join(_misspelt(w, rng) for w in rng.sample(pool, words_each)) for _ in range(count)
        ]

    long_names = [name for name in figures if len(name) >= 5] or ["Nobody"]
    return {
        "ask": (kb.ask, natural),
        "ask, 1 misspelt word": (
            kb.ask,
            [f"{q} {_misspelt(rng.choice(long_words), rng)}" for q in natural],
        ),
        "ask, 5 misspelt words": (kb.ask, misspell(long_words, 5)),
        "ask, pasted text": (kb.ask, [pasted() for _ in range(count)]),
        "ask, not covered": (
            kb.ask,
            [f"what did {rng.choice(figures)} think of {nonsense()} {nonsense()}" for _ in natural],
        ),
        "figure": (kb.figure, sample(figures)),
        "figure, misspelt": (kb.figure, [_misspelt(n, rng) for n in sample(long_names)]),
        "figure, unknown": (kb.figure, [f"Zqx{n} Vbnm" for n in range(count)]),
        "figure, pasted text": (kb.figure, [pasted() for _ in range(count)]),
        "event": (kb.event, sample(events)),
        "event, year": (kb.event, [str(rng.randrange(1500, 2000)) for _ in range(count)]),
        "ref": (kb.reference, sample(refs)),
        "autocomplete figure": (
            kb.complete_figure,
            [n[: rng.randint(1, 6)] for n in sample(figures)],
        ),
    }


def measure_query_path(
    size: int,
    count: int = 200,
    data_dir: Path = DATA_DIR,
    dict_path: Path | None = None,
) -> dict[str, Any]:
    """Per-query latency of every kind of query through a KnowledgeBase of ``size`` passages."""
    from retrieval.search import KnowledgeBase, SearchSettings

    with tempfile.TemporaryDirectory(prefix="citebot-query-path-") as cache_dir:
        settings = SearchSettings(cache_dir=Path(cache_dir))
        paths = [corpus_file(size, data_dir, dict_path)]
        started = time.perf_counter()
        KnowledgeBase.from_paths(paths, settings)  # a first run: builds and writes the entry
        built = time.perf_counter()
        kb = KnowledgeBase.from_paths(paths, settings)  # every later run: reads it
        loaded = time.perf_counter()
        kb.find_entities()  # entities and every look-up table, before the first query
        prepared = time.perf_counter()
        return _query_path(kb, size, count, dict_path) | {
            "build_s": built - started,
            "warm_load_s": loaded - built,
            "entities_and_tables_s": prepared - loaded,
        }


def _query_path(kb: Any, size: int, count: int, dict_path: Path | None) -> dict[str, Any]:
    """Latency of each kind of query through `kb` (see ``measure_query_path``)."""
    cases = {}
    for kind, (answer, queries) in query_path_cases(kb, count, dict_path=dict_path).items():
        latencies, found = [], 0
        for query in queries:
            started_query = time.perf_counter()
            result = answer(query)
            latencies.append(time.perf_counter() - started_query)
            found += bool(getattr(result, "found", result))
        cases[kind] = {
            "queries": len(latencies),
            "found": found / len(latencies),
            "p50_ms": float(np.percentile(latencies, 50) * 1e3),
            "p99_ms": float(np.percentile(latencies, 99) * 1e3),
            "max_ms": float(max(latencies) * 1e3),
        }
    return {
        "size": size,
        "passages": len(kb.index),
        "figures": len(kb.figures()),
        "events": len(kb.events()),
        "cases": cases,
        "load_average": os.getloadavg()[0],
    }


def format_query_path(runs: Sequence[dict[str, Any]]) -> str:
    """The query-path figures as a fixed-width text table, one block per size."""
    lines = []
    for run in runs:
        lines.append(
            f"query path at N={run['passages']:,} ({run['figures']:,} figures, "
            f"{run['events']:,} events; first run {run['build_s']:.1f} s, warm load "
            f"{run['warm_load_s']:.2f} s, entities + tables {run['entities_and_tables_s']:.2f} s, "
            f"load average {run['load_average']:.2f}):"
        )
        header = (
            f"  {'query':<24} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'queries':>7} {'found':>6}"
        )
        lines += [header, "  " + "-" * (len(header) - 2)]
        for kind, case in run["cases"].items():
            lines.append(
                f"  {kind:<24} {case['p50_ms']:>8.3f} {case['p99_ms']:>8.3f} "
                f"{case['max_ms']:>8.3f} {case['queries']:>7} {case['found']:>6.0%}"
            )
    return "\n".join(lines)


def format_table(results: dict[str, Any]) -> str:
    """The sweep as a fixed-width text table."""
    header = (
        f"{'N':>9} {'method':<10} {'build s':>8} {'index MB':>9} {'RSS MB':>7} "
        f"{'peak MB':>8} {'p50 ms':>9} {'p99 ms':>9} {'queries':>7} {'agree':>6}"
    )
    lines = [header, "-" * len(header)]
    for run in results["runs"]:
        agree = run["agreement"]
        lines.append(
            f"{run['size']:>9,} {run['method']:<10} {run['build_s']:>8.2f} "
            f"{run['index_bytes'] / 2**20:>9.1f} {run['rss_bytes'] / 2**20:>7.0f} "
            f"{run['peak_rss_bytes'] / 2**20:>8.0f} {run['p50_ms']:>9.3f} {run['p99_ms']:>9.3f} "
            f"{run['queries']:>7} {'' if agree != agree else f'{agree:.0%}':>6}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1k,10k,100k,1M", help="comma-separated, e.g. 1k,10k")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument(
        "--reference-queries",
        type=int,
        default=20,
        help="queries for rank-bm25 above --reference-full-up-to passages (a prefix of all)",
    )
    parser.add_argument("--reference-full-up-to", type=int, default=100_000)
    parser.add_argument("--in-process", action="store_true", help="no fresh process per run")
    parser.add_argument(
        "--query-sizes", default="100k", help="sizes for the whole query path; '' for none"
    )
    parser.add_argument("--path-queries", type=int, default=200, help="queries per kind")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--query-out", type=Path, default=QUERY_PATH_RESULTS)
    args = parser.parse_args(argv)
    sizes = [parse_size(s) for s in args.sizes.split(",") if s]
    results = sweep(
        sizes=sizes,
        methods=[m for m in args.methods.split(",") if m],
        n_queries=args.queries,
        k=args.k,
        reference_queries=args.reference_queries,
        reference_full_up_to=args.reference_full_up_to,
        isolate=not args.in_process,
    )
    query_sizes = [parse_size(s) for s in args.query_sizes.split(",") if s]
    for size in query_sizes:
        corpus_file(size)  # generate once, outside the timed worker
    query_runs = [
        measure_query_path(size, args.path_queries)
        if args.in_process
        else _isolated(measure_query_path, size, args.path_queries)
        for size in query_sizes
    ]
    results["machine"]["load_average"] = os.getloadavg()[0]
    machine = results["machine"]
    print(
        f"{machine['cpu_count']} cores, load average {machine['load_average']:.2f} at the end, "
        f"Python {machine['python']}, numpy {machine['numpy']}"
    )
    # Each part to its own file, so that a run of one part keeps the other's figures.
    written = []
    if sizes:
        print(format_table(results))
        written.append((args.out, results))
    if query_runs:
        print(format_query_path(query_runs))
        written.append((args.query_out, {"machine": results["machine"], "runs": query_runs}))
    for path, content in written:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
