"""Start-up, memory and command-line throughput of citebot, each in a fresh process.

1. ``citebot ask "When was Trotsky exiled?"`` on the bundled article, as a new process each
   time (``--cold-start-runs``, median and range of wall and CPU seconds), next to a bare
   ``python -c pass`` and ``python -c "import numpy"``; whether that process imported
   discord.py (it must not); the load average around the runs. The project's bytecode is
   compiled first, as ``pip install`` does, so that no run pays for compiling it (with
   PYTHONDONTWRITEBYTECODE set, every run from a checkout would).
2. For each corpus size N (GCIDE passages from ``bench/make_corpus.py``):

   - cold, no cache: parse time, index time, resident memory after them, entity extraction
     (what the bot needs at start and what the cache stores), first answer, writing the cache;
   - warm, from the on-disk cache: load time and resident memory, in a fresh process each
     run; and ``citebot ask QUESTION --knowledge BIG.txt`` end to end with the cache;
   - batch: ``citebot ask - --json --knowledge BIG.txt`` fed 50 and 500 queries on stdin;
     queries a second after start-up = 450 / (time for 500 - time for 50).

    python bench/startup.py                      # N = 10k, 100k
    python bench/startup.py --sizes 1M --cold-start-runs 0 --cold-runs 1 --warm-runs 3

Results go to bench/results/startup.json (a run replaces only the sizes it measured).
"""

from __future__ import annotations

import argparse
import compileall
import concurrent.futures
import gc
import json
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT, ROOT / "bench"):  # run as a script from anywhere
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import make_corpus  # noqa: E402
from retrieval_sweep import corpus_file, parse_size, peak_rss_bytes, rss_bytes  # noqa: E402

from knowledge.loader import load_paths  # noqa: E402
from retrieval import arrayfile, cache  # noqa: E402
from retrieval.search import KnowledgeBase, SearchSettings  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "startup.json"
QUESTION = "When was Trotsky exiled?"
CITEBOT = [sys.executable, "-c", "from bot.cli import main; main()"]
# The same entry point, reporting at exit whether discord.py was imported and the peak RSS.
_PROBE = """
import atexit, json, sys
def _report():
    with open("/proc/self/status") as status:
        peak = next(int(l.split()[1]) * 1024 for l in status if l.startswith("VmHWM:"))
    mods = sorted(m for m in sys.modules if m == "discord" or m.startswith("discord."))
    sys.stderr.write("PROBE " + json.dumps({"discord_modules": mods, "peak_rss_bytes": peak}))
atexit.register(_report)
from bot.cli import main
main()
"""


def _env() -> dict[str, str]:
    # The project from this checkout, whatever is installed in the environment.
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def timed_run(args: Sequence[str], stdin: str = "", cwd: Path | None = None) -> tuple[float, str]:
    """Run a command to completion: (wall seconds, stdout); raises if it fails."""
    started = time.perf_counter()
    done = subprocess.run(
        list(args), input=stdin, capture_output=True, text=True, env=_env(), cwd=cwd, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{args[-1]!r} failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed, done.stdout


def _user_env() -> dict[str, str]:
    # As a user's shell starts citebot: without the thread setting that importing retrieval
    # here put into this process's environment (retrieval/__init__.py).
    return {k: v for k, v in _env().items() if k != "OPENBLAS_NUM_THREADS"}


def timed_process(args: Sequence[str], cwd: Path | None = None) -> tuple[float, float, str]:
    """Run a command to completion: (wall seconds, CPU seconds, stdout); raises if it fails.

    CPU is the child's user + system time: under a shared machine's load it varies far less
    than wall time, which also counts waiting for a core.
    """
    started = time.perf_counter()
    with subprocess.Popen(
        list(args),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=_user_env(),
        cwd=cwd,
    ) as child:
        assert child.stdout is not None
        out = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    if child.returncode != 0:
        raise RuntimeError(f"{args[-1]!r} failed ({child.returncode})")
    return elapsed, usage.ru_utime + usage.ru_stime, out


def spread(values: Sequence[float]) -> dict[str, float]:
    """Median, minimum and maximum of some measurements."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def cold_start(runs: int = 10, workdir: Path | None = None) -> dict[str, Any]:
    """``citebot ask QUESTION`` on the bundled article, a new process per run.

    Runs in ``workdir`` (default: a temporary folder) so that no ./config.yaml is picked up.
    """
    for package in ("bot", "knowledge", "retrieval"):
        compileall.compile_dir(ROOT / package, quiet=1)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="citebot-start-") as tmp:
        cwd = workdir or Path(tmp)
        baseline = [timed_process([sys.executable, "-c", "pass"], cwd) for _ in range(runs)]
        numpy = [timed_process([sys.executable, "-c", "import numpy"], cwd) for _ in range(runs)]
        runs_ = [timed_process([*CITEBOT, "ask", QUESTION], cwd) for _ in range(runs)]
        done = subprocess.run(
            [sys.executable, "-c", _PROBE, "ask", QUESTION],
            capture_output=True,
            text=True,
            env=_user_env(),
            cwd=cwd,
            check=True,
        )
    probe = json.loads(done.stderr.rsplit("PROBE ", 1)[1])
    return {
        "question": QUESTION,
        "runs": runs,
        "seconds": spread([wall for wall, _, _ in runs_]),
        "cpu_seconds": spread([cpu for _, cpu, _ in runs_]),
        "python_baseline_seconds": spread([wall for wall, _, _ in baseline]),
        "python_baseline_cpu_seconds": spread([cpu for _, cpu, _ in baseline]),
        "numpy_import_seconds": spread([wall for wall, _, _ in numpy]),
        "numpy_import_cpu_seconds": spread([cpu for _, cpu, _ in numpy]),
        "load_average": {"before": load_before[0], "after": os.getloadavg()[0]},
        "answered": all("Trotsky was exiled" in out for _, _, out in runs_),
        "discord_imported": bool(probe["discord_modules"]),
        "peak_rss_bytes": probe["peak_rss_bytes"],
    }


def cold_load(path: Path, cache_dir: Path, question: str, entities: bool = True) -> dict[str, Any]:
    """Parse and index ``path`` with no cache, write the cache and serve from it, find entities
    (which the cache then keeps), answer once, as a first run of ``citebot`` with a cache folder
    does; then build the look-up tables, as `citebot bot` does before connecting.

    Meant for a fresh process (see ``isolated``): the memory figures are then this load's.
    """
    gc.collect()
    rss_start = rss_bytes()
    started = time.perf_counter()
    key = cache.lookup_key(cache_dir, [path])  # hashes the document: it is new
    documents = cache.with_findings(cache_dir, key, load_paths([path]))
    parsed = time.perf_counter()
    kb = KnowledgeBase(documents)
    indexed = time.perf_counter()
    rss_indexed, peak_indexed = rss_bytes(), peak_rss_bytes()
    cache.save(cache_dir, key, kb.documents, kb.index, kb.spellings)
    kb = kb.with_saved_index(cache_dir, key)
    saved = time.perf_counter()
    if entities:
        for document in kb.documents:
            _ = document.entities  # found with the index, kept beside the entry
        kb.find_entities()  # the look-up tables `citebot bot` builds before connecting
        kb.timeline()
    found = time.perf_counter()
    answer = kb.ask(question)
    answered = time.perf_counter()
    return {
        "passages": len(kb.index),
        "parse_s": parsed - started,
        "index_s": indexed - parsed,
        "parse_index_s": indexed - started,
        "entities_s": found - saved,
        "first_answer_s": answered - found,
        "cache_write_s": saved - indexed,
        "found": answer.found,
        "rss_start_bytes": rss_start,
        "rss_indexed_bytes": rss_indexed,
        "peak_rss_indexed_bytes": peak_indexed,
        "rss_entities_bytes": rss_bytes(),
        "peak_rss_bytes": peak_rss_bytes(),
    }


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Name -> (inode, size) of the files in a folder: a rewritten file gets a new inode."""
    if not folder.is_dir():
        return {}
    return {f.name: (f.stat().st_ino, f.stat().st_size) for f in folder.iterdir()}


def warm_load(path: Path, cache_dir: Path, question: str, entities: bool = True) -> dict[str, Any]:
    """Load ``path`` through the on-disk cache, answer once; for a fresh process."""
    before = _snapshot(cache_dir)
    gc.collect()
    rss_start = rss_bytes()
    started = time.perf_counter()
    kb = KnowledgeBase.from_paths([path], SearchSettings(cache_dir=cache_dir))
    loaded = time.perf_counter()
    rss_loaded = rss_bytes()
    answer = kb.ask(question)
    answered = time.perf_counter()
    if entities:
        kb.find_entities()  # from the cached entities: should cost next to nothing
        kb.timeline()
    return {
        # A miss would have rebuilt and rewritten the cache files.
        "cache_hit": bool(before) and _snapshot(cache_dir) == before,
        "load_s": loaded - started,
        "first_answer_s": answered - loaded,
        "entities_s": time.perf_counter() - answered,
        "found": answer.found,
        "rss_start_bytes": rss_start,
        "rss_loaded_bytes": rss_loaded,
        "rss_bytes": rss_bytes(),
        "peak_rss_bytes": peak_rss_bytes(),
    }


# A bot-like process: load from the cache, answer the queries given on stdin, say so, then
# wait until stdin closes, so that its memory can be read while another one runs beside it.
_SERVE = """
import sys
from pathlib import Path
from retrieval.search import KnowledgeBase, SearchSettings
corpus, cache_dir, entities = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "1"
kb = KnowledgeBase.from_paths([corpus], SearchSettings(cache_dir=cache_dir))
if entities:
    kb.find_entities()
for line in sys.stdin:
    if not line.strip():
        break
    kb.ask(line.strip())
print("ready", flush=True)
sys.stdin.read()
"""


def _smaps_rollup(pid: int) -> dict[str, int]:
    """Rss, Pss and shared/private byte counts of a process (Linux /proc)."""
    fields = {}
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                fields[parts[0].rstrip(":")] = int(parts[1]) * 1024
    return fields


def shared_processes(
    corpus: Path,
    cache_dir: Path,
    queries: Sequence[str],
    processes: int = 2,
    entities: bool = True,
) -> dict[str, Any]:
    """RSS and PSS of ``processes`` bot-like processes serving one cached corpus at once.

    PSS counts each shared page divided by the processes mapping it: the sum of PSS is
    what the processes cost the machine together.
    """
    started = [
        subprocess.Popen(
            [sys.executable, "-c", _SERVE, str(corpus), str(cache_dir), str(int(entities))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        for _ in range(processes)
    ]
    try:
        for process in started:
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write("\n".join(queries) + "\n\n")
            process.stdin.flush()
            if process.stdout.readline().strip() != "ready":
                raise RuntimeError("a serving process failed")
        rollups = [_smaps_rollup(process.pid) for process in started]
    finally:
        for process in started:
            if process.stdin:
                process.stdin.close()
            process.wait(timeout=60)
    return {
        "processes": processes,
        "queries_each": len(queries),
        "rss_bytes": [r.get("Rss", 0) for r in rollups],
        "pss_bytes": [r.get("Pss", 0) for r in rollups],
        "shared_bytes": [r.get("Shared_Clean", 0) + r.get("Shared_Dirty", 0) for r in rollups],
        "private_bytes": [r.get("Private_Clean", 0) + r.get("Private_Dirty", 0) for r in rollups],
        "pss_total_bytes": sum(r.get("Pss", 0) for r in rollups),
    }


def cache_layout(cache_dir: Path) -> dict[str, int]:
    """Bytes of the cache entry's index arrays and of its passage columns (one entry)."""
    (entry,) = cache_dir.glob(f"*{cache.ENTRY_SUFFIX}")
    arrays, _ = arrayfile.read(entry)
    index = sum(a.nbytes for name, a in arrays.items() if name.startswith("index."))
    postings = sum(arrays[f"index.{name}"].nbytes for name in ("doc_ids", "weights"))
    return {
        "entry_bytes": entry.stat().st_size,
        "index_bytes": index,
        "postings_bytes": postings,
        "passage_columns_bytes": sum(a.nbytes for a in arrays.values()) - index,
    }


def isolated(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run ``fn(*args)`` in a fresh interpreter, so its time and memory are its own."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(fn, *args).result()


def write_config(path: Path, cache_dir: Path) -> Path:
    """A config whose only setting is the cache folder."""
    path.write_text(yaml.safe_dump({"retrieval": {"cache_dir": str(cache_dir)}}), encoding="utf-8")
    return path


def cli_batch(
    corpus: Path,
    config: Path,
    queries: Sequence[str],
    small: int = 50,
    large: int = 500,
    repeats: int = 3,
) -> dict[str, Any]:
    """``citebot ask - --json`` over ``small`` and ``large`` queries, interleaved ``repeats`` times.

    The difference between the two cancels start-up: queries a second once loaded.
    """
    cycle = [queries[n % len(queries)] for n in range(large)]
    args = [*CITEBOT, "ask", "-", "--json", "--knowledge", str(corpus), "--config", str(config)]
    times: dict[int, list[float]] = {small: [], large: []}
    for _ in range(repeats):
        for count in (small, large):
            elapsed, out = timed_run(args, stdin="\n".join(cycle[:count]) + "\n", cwd=config.parent)
            lines = out.splitlines()
            if len(lines) != count or not all(json.loads(line)["query"] for line in lines):
                raise RuntimeError(f"{count} queries gave {len(lines)} answers")
            times[count].append(elapsed)
    small_s, large_s = statistics.median(times[small]), statistics.median(times[large])
    qps = (large - small) / (large_s - small_s) if large_s > small_s else float("inf")
    return {
        "small": small,
        "large": large,
        "repeats": repeats,
        "small_seconds": spread(times[small]),
        "large_seconds": spread(times[large]),
        "queries_per_second": qps,
        "startup_estimate_s": small_s - small / qps,
    }


def measure_size(
    corpus: Path,
    queries: Sequence[str],
    workdir: Path,
    cold_runs: int = 3,
    warm_runs: int = 5,
    batch: tuple[int, int] = (50, 500),
    batch_repeats: int = 3,
    entities: bool = True,
) -> dict[str, Any]:
    """Cold, warm and batch figures for one corpus file; the cache lives in ``workdir``.

    ``entities=False`` leaves the figures and events unfound (their ``entities_s`` is then
    ~0): at a million passages the finder alone takes minutes.
    """
    cache_dir = workdir / "cache"
    config = write_config(workdir / "config.yaml", cache_dir)
    question = queries[0]
    cold = []
    for _ in range(cold_runs):
        cache.clear_cache(cache_dir)  # each run cold, entities too; the last fills the cache
        cold.append(isolated(cold_load, corpus, cache_dir, question, entities))
    warm = [isolated(warm_load, corpus, cache_dir, question, entities) for _ in range(warm_runs)]
    cli_args = [*CITEBOT, "ask", question, "--knowledge", str(corpus), "--config", str(config)]
    cli_warm = [timed_run(cli_args, cwd=workdir)[0] for _ in range(warm_runs)]
    shared = shared_processes(corpus, cache_dir, queries[:200], entities=entities)
    layout = cache_layout(cache_dir)

    def figures(runs: list[dict[str, Any]], keys: Sequence[str]) -> dict[str, Any]:
        return {key: spread([run[key] for run in runs]) for key in keys}

    return {
        "passages": cold[0]["passages"],
        "corpus_bytes": corpus.stat().st_size,
        "question": question,
        "cold_runs": cold_runs,
        "cold": figures(
            cold,
            (
                "parse_s",
                "index_s",
                "parse_index_s",
                "entities_s",
                "first_answer_s",
                "cache_write_s",
                "rss_indexed_bytes",
                "peak_rss_indexed_bytes",
                "rss_entities_bytes",
                "peak_rss_bytes",
            ),
        ),
        "warm_runs": warm_runs,
        "warm_cache_hit": all(run["cache_hit"] for run in warm),
        "warm": figures(
            warm,
            (
                "load_s",
                "first_answer_s",
                "entities_s",
                "rss_loaded_bytes",
                "rss_bytes",
                "peak_rss_bytes",
            ),
        ),
        "cli_warm_ask_s": spread(cli_warm),
        "cache_bytes": cache.cache_info(cache_dir).bytes,
        "shared": shared,
        "cache_layout": layout,
        "batch": cli_batch(corpus, config, queries, *batch, repeats=batch_repeats),
    }


def format_table(results: dict[str, Any]) -> str:
    """Cold start, then one line per size for cold, warm and batch figures."""
    mb = 2**20
    lines = []
    cold = results.get("cold_start")
    if cold:
        s, cpu = cold["seconds"], cold["cpu_seconds"]
        base, base_cpu = cold["python_baseline_seconds"], cold["python_baseline_cpu_seconds"]
        numpy, numpy_cpu = cold["numpy_import_seconds"], cold["numpy_import_cpu_seconds"]
        load = cold["load_average"]
        lines += [
            f"citebot ask (bundled), {cold['runs']} runs, median (min-max): "
            f"wall {s['median']:.3f} s ({s['min']:.3f}-{s['max']:.3f}), "
            f"CPU {cpu['median']:.3f} s ({cpu['min']:.3f}-{cpu['max']:.3f}); "
            f"peak RSS {cold['peak_rss_bytes'] / mb:.0f} MB; "
            f"discord imported: {'YES' if cold['discord_imported'] else 'no'}",
            f"  beside: python -c pass wall {base['median']:.3f} s, CPU {base_cpu['median']:.3f} s;"
            f" import numpy wall {numpy['median']:.3f} s, CPU {numpy_cpu['median']:.3f} s; "
            f"load average {load['before']:.2f} before, {load['after']:.2f} after "
            f"({results['machine']['cpu_count']} cores)",
        ]
    header = (
        f"{'N':>9} {'parse s':>8} {'index s':>8} {'build pk':>8} {'entities':>8} "
        f"{'warm s':>7} {'warm MB':>8} {'CLI ask s':>9} {'2x PSS MB':>9} {'cache MB':>8} "
        f"{'batch q/s':>9}"
    )
    lines += [header, "-" * len(header)]
    for size in sorted(results.get("sizes", {}), key=int):
        r = results["sizes"][size]
        cold_r, warm = r["cold"], r["warm"]
        shared = r.get("shared", {}).get("pss_total_bytes", 0)
        lines.append(
            f"{int(size):>9,} {cold_r['parse_s']['median']:>8.2f} "
            f"{cold_r['index_s']['median']:>8.2f} "
            f"{cold_r['peak_rss_indexed_bytes']['median'] / mb:>8.0f} "
            f"{cold_r['entities_s']['median']:>8.2f} {warm['load_s']['median']:>7.2f} "
            f"{warm['rss_bytes']['median'] / mb:>8.0f} {r['cli_warm_ask_s']['median']:>9.2f} "
            f"{shared / mb:>9.0f} {r['cache_bytes'] / mb:>8.0f} "
            f"{r['batch']['queries_per_second']:>9.0f}"
        )
    lines.append(
        "build pk: peak RSS MB by the end of parse + index; warm MB: RSS after a warm load "
        "and a first answer; 2x PSS: two serving processes together"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k", help="comma-separated; '' for none")
    parser.add_argument("--cold-start-runs", type=int, default=10, help="0: skip part 1")
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--warm-runs", type=int, default=5)
    parser.add_argument("--batch", default="50,500", help="the two stdin batch sizes")
    parser.add_argument("--batch-repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--no-entities", action="store_true", help="do not find figures and events (1M: minutes)"
    )
    args = parser.parse_args(argv)
    small, large = (int(n) for n in args.batch.split(","))

    saved = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    saved["machine"] = {
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "load_average_before": os.getloadavg(),
    }
    if args.cold_start_runs:
        saved["cold_start"] = cold_start(args.cold_start_runs)
    sizes = [parse_size(s) for s in args.sizes.split(",") if s]
    queries = make_corpus.make_queries(large) if sizes else []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="citebot-startup-") as tmp:
            saved.setdefault("sizes", {})[str(size)] = measure_size(
                corpus_file(size),
                queries,
                Path(tmp),
                args.cold_runs,
                args.warm_runs,
                (small, large),
                args.batch_repeats,
                entities=not args.no_entities,
            )
        print(f"N={size:,} done", flush=True)
    saved["machine"]["load_average_after"] = os.getloadavg()
    machine = saved["machine"]
    print(
        f"{machine['cpu_count']} cores, load average {machine['load_average_before'][0]:.2f} "
        f"before, {machine['load_average_after'][0]:.2f} after"
    )
    # Written before the table is printed: a table that fails must not lose the measurements.
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(saved, indent=2) + "\n", encoding="utf-8")
    print(format_table(saved))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
