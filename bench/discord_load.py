"""Discord load benchmark: `citebot bot` under a burst and under steady load, through fakediscord.

Starts the tests' local Discord (tests/fakediscord, REST + gateway on 127.0.0.1) in this
process, runs `citebot bot` against it as a subprocess with the usual config, then:

- burst: ``--burst`` /ask interactions injected at once (``--concurrency`` threads), repeated
  ``--bursts`` times; every one must be answered exactly once;
- steady: ``--steady`` /ask interactions at ``--rate`` per second; none lost, none answered twice;
- sustained: ``--sustained`` seconds at ``--sustained-rate`` a second (default 10 s at 500/s),
  to show the rate one process keeps up with: the achieved rate and the latest answer matter.

Latency is the fake server's: from dispatching INTERACTION_CREATE to receiving the bot's
callback. The bot's CPU time over each phase (from /proc) gives the cost of one answer; the
benchmark's own CPU (the fake server and the injecting threads, on the same cores) is shown
beside it. Every run prints the machine's cores and load average.
Questions are the /ask items of tests/data/eval/anti-stalinist-left.eval.yaml (answered and
out-of-scope ones alike), plus ``--corpus-queries`` GCIDE queries for a benchmark corpus.
Each user asks once, so the per-user cooldown never applies.

    python bench/discord_load.py
    python bench/discord_load.py --knowledge knowledge/anti-stalinist-left.txt \\
        --knowledge bench/data/gcide-100000.txt --corpus-queries 200

Results go to bench/results/discord.json under a label (``--label``, default: from the loaded
knowledge); a run replaces only its own label's entry.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import platform
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT, ROOT / "bench"):  # run as a script from anywhere
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from retrieval.evaluation import load_items  # noqa: E402
from tests.botrun import CITEBOT, bot_env  # noqa: E402
from tests.fakediscord import BotProcess, FakeDiscord, InteractionRecord  # noqa: E402

EVAL_FILE = ROOT / "tests" / "data" / "eval" / "anti-stalinist-left.eval.yaml"
RESULTS = ROOT / "bench" / "results" / "discord.json"
CACHE_DIR = ROOT / "bench" / ".cache"
_ANSWERED = re.compile(r"answered /ask in ([\d.]+) ms \(interaction (\d+)")
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Bot:
    """A running fake Discord and the bot process connected to it."""

    server: FakeDiscord
    proc: BotProcess
    startup_s: float  # from spawning the process to a live gateway session and synced commands


def eval_questions(path: Path = EVAL_FILE) -> list[str]:
    """The /ask questions of an evaluation file, in order."""
    return [str(item["ask"]) for item in load_items(path) if "ask" in item]


def question_mix(corpus_queries: int = 0) -> list[str]:
    """Evaluation questions, interleaved with ``corpus_queries`` GCIDE queries if asked for."""
    questions = eval_questions()
    if not corpus_queries:
        return questions
    import make_corpus  # needs dict-gcide (bench/setup.sh), as the corpora do

    extra = make_corpus.make_queries(corpus_queries)
    mixed = itertools.chain.from_iterable(itertools.zip_longest(questions, extra))
    return [q for q in mixed if q is not None]


def write_config(
    path: Path,
    server: FakeDiscord,
    knowledge: Sequence[Path] = (),
    cache_dir: Path | None = None,
) -> Path:
    """A bot config for ``server``: guild sync, INFO log (one line per answer), no token."""
    config: dict[str, Any] = {
        "knowledge": [str(p.resolve()) for p in knowledge],
        "retrieval": {"cache_dir": str(cache_dir.resolve()) if cache_dir else None},
        "log_level": "INFO",  # DEBUG would log every gateway frame: not what production runs
        "discord": {
            "api_base_url": server.api_base_url,
            "gateway_url": server.gateway_url,
            "sync": "guild",
            "guild_ids": [int(server.guild_id)],
            "feedback_db": str(path.parent / "feedback.sqlite3"),
        },
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


@contextlib.contextmanager
def running_bot(
    workdir: Path,
    knowledge: Sequence[Path] = (),
    cache_dir: Path | None = None,
    ready_timeout: float = 120.0,
) -> Iterator[Bot]:
    """Start fakediscord and `citebot bot`; stop both on the way out."""
    with FakeDiscord() as server:
        config = write_config(workdir / "config.yaml", server, knowledge, cache_dir)
        started = time.perf_counter()
        proc = BotProcess(
            [*CITEBOT, "bot", "--config", str(config)],
            log_path=workdir / "bot.log",
            env=bot_env(server),
            cwd=ROOT,
            secrets=[server.token],
        )
        server.diagnostics.append(lambda: f"{proc!r}, log tail:\n{proc.output(40)}")
        try:
            server.wait_ready(timeout=ready_timeout)
            server.wait_commands(timeout=ready_timeout)
            yield Bot(server, proc, time.perf_counter() - started)
        finally:
            proc.stop()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as stat:
        # Fields after the command name (which may hold spaces): utime and stime are 14 and 15.
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def rss_bytes(pid: int) -> int:
    """Resident memory of a process."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def _percentiles(values: Sequence[float]) -> dict[str, float]:
    """p50, p99 and max of seconds, in milliseconds."""
    if not values:
        return {"p50_ms": float("nan"), "p99_ms": float("nan"), "max_ms": float("nan")}
    ms = np.asarray(values) * 1e3
    return {
        "p50_ms": float(np.percentile(ms, 50)),
        "p99_ms": float(np.percentile(ms, 99)),
        "max_ms": float(ms.max()),
    }


def _wait_answered(records: Sequence[InteractionRecord], timeout: float) -> None:
    """Poll until every record has a visible answer or ``timeout`` passes.

    Polls without the server's lock (wait_until would re-check all records on every event).
    """
    pending = list(records)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        pending = [r for r in pending if r.answer is None]
        time.sleep(0.05)


def _handler_times(bot: Bot, records: Sequence[InteractionRecord]) -> list[float]:
    """The bot's own "answered /ask in X ms" figures (seconds) for these interactions."""
    ids = {int(r.id) for r in records}
    return [float(ms) / 1e3 for ms, iid in _ANSWERED.findall(bot.proc.output()) if int(iid) in ids]


def summarize(
    bot: Bot,
    records: Sequence[InteractionRecord],
    elapsed_s: float,
    cpu_s: float,
    settle_s: float = 1.0,
) -> dict[str, Any]:
    """Counts (answered exactly once, lost, double-answered) and latency of a phase."""
    time.sleep(settle_s)  # a duplicate answer would arrive after the first: give it time
    once = sum(1 for r in records if r.callback_attempts == 1 and len(r.responses) == 1)
    lost = sum(1 for r in records if r.answer is None)
    double = sum(1 for r in records if r.callback_attempts > 1)
    latencies = [r.latency for r in records if r.latency is not None]
    handler = _handler_times(bot, records)
    return {
        "interactions": len(records),
        "answered_once": once,
        "lost": lost,
        "double_answered": double,
        **_percentiles(latencies),
        "handler": _percentiles(handler),
        "elapsed_s": elapsed_s,
        "bot_cpu_s": cpu_s,
        "cpu_ms_per_answer": cpu_s / len(records) * 1e3 if records else float("nan"),
    }


def burst(
    bot: Bot, questions: Sequence[str], count: int, concurrency: int = 50, timeout: float = 60.0
) -> dict[str, Any]:
    """``count`` /ask interactions injected at once from ``concurrency`` threads."""
    server = bot.server
    jobs = [
        (server.make_user(f"burst{n}"), q)
        for n, q in zip(range(count), itertools.cycle(questions), strict=False)
    ]
    cpu_before = cpu_seconds(bot.proc.proc.pid)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        records = list(
            pool.map(
                lambda job: server.inject_command("ask", {"question": job[1]}, user=job[0]), jobs
            )
        )
    injected_s = time.perf_counter() - started
    _wait_answered(records, timeout)
    elapsed = time.perf_counter() - started
    result = summarize(bot, records, elapsed, cpu_seconds(bot.proc.proc.pid) - cpu_before)
    return {**result, "concurrency": concurrency, "injected_s": injected_s}


def steady(
    bot: Bot, questions: Sequence[str], count: int, rate: float, timeout: float = 60.0
) -> dict[str, Any]:
    """``count`` /ask interactions at ``rate`` a second, paced against the clock (no drift)."""
    server = bot.server
    users = [server.make_user(f"steady{n}") for n in range(count)]
    cpu_before = cpu_seconds(bot.proc.proc.pid)
    records: list[InteractionRecord] = []
    started = time.perf_counter()
    for n, (user, question) in enumerate(zip(users, itertools.cycle(questions), strict=False)):
        delay = started + n / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        records.append(server.inject_command("ask", {"question": question}, user=user))
    injected_s = time.perf_counter() - started
    _wait_answered(records, timeout)
    elapsed = time.perf_counter() - started
    result = summarize(bot, records, elapsed, cpu_seconds(bot.proc.proc.pid) - cpu_before)
    achieved = (count - 1) / injected_s if count > 1 and injected_s > 0 else float("nan")
    return {**result, "rate": rate, "achieved_rate": achieved, "injected_s": injected_s}


def sustained(
    bot: Bot, questions: Sequence[str], seconds: float, rate: float, timeout: float = 60.0
) -> dict[str, Any]:
    """``seconds`` of /ask at ``rate`` a second: the steady phase, at a rate that loads a core."""
    result = steady(bot, questions, max(round(seconds * rate), 2), rate, timeout + seconds)
    return {**result, "seconds": seconds}


def own_cpu_seconds() -> float:
    """User + system CPU time of this process (fake server and injecting threads) so far."""
    times = os.times()
    return times.user + times.system


def machine() -> dict[str, Any]:
    """What the figures depend on: cores, load average (1, 5, 15 min), Python, platform."""
    return {
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "platform": platform.platform(),
    }


def _measured(phase: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run a phase and add the benchmark process's own CPU per answer to its result."""
    before = own_cpu_seconds()
    result = phase()
    spent = own_cpu_seconds() - before
    result["bench_cpu_ms_per_answer"] = spent / result["interactions"] * 1e3
    return result


def burst_summary(bursts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Median and range of the bursts' p50 and p99, and CPU per answer over all of them."""
    summary: dict[str, Any] = {"bursts": len(bursts)}
    for key in ("p50_ms", "p99_ms", "max_ms"):
        values = [b[key] for b in bursts]
        summary[key] = {"median": float(np.median(values)), "min": min(values), "max": max(values)}
    answers = sum(b["interactions"] for b in bursts)
    summary["answered_once"] = sum(b["answered_once"] for b in bursts)
    summary["interactions"] = answers
    summary["cpu_ms_per_answer"] = sum(b["bot_cpu_s"] for b in bursts) / answers * 1e3
    return summary


def run(
    knowledge: Sequence[Path] = (),
    cache_dir: Path | None = None,
    questions: Sequence[str] | None = None,
    burst_size: int = 200,
    bursts: int = 3,
    concurrency: int = 50,
    steady_count: int = 1000,
    rate: float = 50.0,
    sustained_s: float = 0.0,
    sustained_rate: float = 500.0,
    timeout: float = 60.0,
    ready_timeout: float = 120.0,
) -> dict[str, Any]:
    """Start the bot once, then run the bursts, the steady and the sustained phase against it."""
    questions = list(questions or eval_questions())
    with (
        tempfile.TemporaryDirectory(prefix="citebot-load-") as tmp,
        running_bot(Path(tmp), knowledge, cache_dir, ready_timeout) as bot,
    ):
        pid = bot.proc.proc.pid
        rss_ready = rss_bytes(pid)
        machine_before = machine()
        # One question first, so that first-use costs (database, HTTP session) are not timed.
        bot.server.wait_answer(
            bot.server.inject_command("ask", {"question": questions[0]}), timeout=timeout
        )
        burst_runs = [
            _measured(lambda: burst(bot, questions, burst_size, concurrency, timeout))
            for _ in range(bursts)
        ]
        steady_run = (
            _measured(
                lambda: steady(bot, questions, steady_count, rate, timeout + steady_count / rate)
            )
            if steady_count
            else None
        )
        sustained_run = (
            _measured(lambda: sustained(bot, questions, sustained_s, sustained_rate, timeout))
            if sustained_s > 0
            else None
        )
        server = bot.server
        return {
            "knowledge": [str(p) for p in knowledge] or ["(bundled article)"],
            "questions": len(questions),
            "startup_s": bot.startup_s,
            "bot_rss_ready_bytes": rss_ready,
            "bot_rss_end_bytes": rss_bytes(pid),
            "bursts": burst_runs,
            "burst_summary": burst_summary(burst_runs) if burst_runs else None,
            "steady": steady_run,
            "sustained": sustained_run,
            "machine_at_start": machine_before,
            "machine_at_end": machine(),
            "double_answered_total": len(server.double_answered()),
            "server_errors": list(server.errors),
            "unknown_requests": len(server.unknown_requests),
            "bot_alive": bot.proc.alive,
        }


def label_for(knowledge: Sequence[Path]) -> str:
    """Results key: 'bundled', or the knowledge files' stems joined by '+'."""
    return "+".join(p.stem for p in knowledge) or "bundled"


def _loads(machine_info: dict[str, Any]) -> str:
    return " ".join(f"{load:.2f}" for load in machine_info["load_average"])


def format_table(label: str, result: dict[str, Any]) -> str:
    """One run as a fixed-width table: one line per burst and one for the steady phase."""
    header = (
        f"{'phase':<16} {'n':>5} {'once':>5} {'lost':>4} {'dbl':>4} {'rate/s':>7} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'cpu ms/ans':>10} {'bench ms':>8}"
    )
    start, end = result["machine_at_start"], result["machine_at_end"]
    lines = [
        f"{label}: start-up {result['startup_s']:.2f} s, "
        f"bot RSS {result['bot_rss_ready_bytes'] / 2**20:.0f} MB at ready; "
        f"{start['cpu_count']} cores, load average {_loads(start)} at start, "
        f"{_loads(end)} at end",
        header,
        "-" * len(header),
    ]
    phases = [(f"burst {n + 1}", r) for n, r in enumerate(result["bursts"])]
    if result["steady"]:
        phases.append((f"steady {result['steady']['rate']:g}/s", result["steady"]))
    if result["sustained"]:
        run = result["sustained"]
        phases.append((f"sustained {run['seconds']:g} s", run))
    for name, r in phases:
        achieved = r.get("achieved_rate", r["interactions"] / r["injected_s"])
        lines.append(
            f"{name:<16} {r['interactions']:>5} {r['answered_once']:>5} {r['lost']:>4} "
            f"{r['double_answered']:>4} {achieved:>7.0f} {r['p50_ms']:>8.1f} "
            f"{r['p99_ms']:>8.1f} {r['max_ms']:>8.1f} {r['cpu_ms_per_answer']:>10.2f} "
            f"{r['bench_cpu_ms_per_answer']:>8.2f}"
        )
    b = result["burst_summary"]
    if b is None:
        return "\n".join(lines)
    lines.append(
        f"bursts: {b['answered_once']}/{b['interactions']} answered once; p50 median "
        f"{b['p50_ms']['median']:.1f} ms ({b['p50_ms']['min']:.1f}-{b['p50_ms']['max']:.1f}), "
        f"p99 median {b['p99_ms']['median']:.1f} ms ({b['p99_ms']['min']:.1f}-"
        f"{b['p99_ms']['max']:.1f}), bot CPU {b['cpu_ms_per_answer']:.2f} ms an answer"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; exit code 1 if any interaction was lost or answered twice."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--knowledge", type=Path, action="append", default=[], metavar="PATH")
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR, help="retrieval.cache_dir")
    parser.add_argument("--corpus-queries", type=int, default=0, metavar="N")
    parser.add_argument("--burst", type=int, default=200, help="interactions per burst")
    parser.add_argument("--bursts", type=int, default=3, help="0: skip the bursts")
    parser.add_argument("--concurrency", type=int, default=50, help="injecting threads")
    parser.add_argument("--steady", type=int, default=1000, help="interactions (0: skip)")
    parser.add_argument("--rate", type=float, default=50.0, help="steady interactions a second")
    parser.add_argument("--sustained", type=float, default=10.0, help="seconds (0: skip)")
    parser.add_argument(
        "--sustained-rate", type=float, default=500.0, help="sustained interactions a second"
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for answers")
    parser.add_argument(
        "--ready-timeout", type=float, default=120.0, help="seconds to wait for the bot to connect"
    )
    parser.add_argument("--label", help="results key (default: from --knowledge)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    result = run(
        knowledge=args.knowledge,
        cache_dir=args.cache_dir,
        questions=question_mix(args.corpus_queries),
        burst_size=args.burst,
        bursts=args.bursts,
        concurrency=args.concurrency,
        steady_count=args.steady,
        rate=args.rate,
        sustained_s=args.sustained,
        sustained_rate=args.sustained_rate,
        timeout=args.timeout,
        ready_timeout=args.ready_timeout,
    )
    label = args.label or label_for(args.knowledge)
    print(format_table(label, result))
    saved = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    saved["machine"] = result["machine_at_start"]
    saved.setdefault("runs", {})[label] = result
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(saved, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    phases = [*result["bursts"], *(r for r in (result["steady"], result["sustained"]) if r)]
    clean = all(p["lost"] == 0 and p["double_answered"] == 0 for p in phases)
    return 0 if clean and result["double_answered_total"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
