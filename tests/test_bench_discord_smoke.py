"""A tiny run of bench/discord_load.py, so the Discord load benchmark cannot rot unnoticed.

The same functions as the benchmark: fakediscord, `citebot bot` as a subprocess, a burst of
20 concurrent /ask interactions and a short steady phase, the summary and the table. Only
sanity is checked (everything answered once, positive numbers), never speed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import discord_load  # noqa: E402


def test_burst_and_steady_answer_every_interaction_once() -> None:
    result = discord_load.run(
        burst_size=20,
        bursts=1,
        concurrency=10,
        steady_count=10,
        rate=50,
        sustained_s=0.1,
        sustained_rate=50,
    )
    (burst,) = result["bursts"]
    for phase, count in ((burst, 20), (result["steady"], 10), (result["sustained"], 5)):
        assert phase["interactions"] == phase["answered_once"] == count
        assert phase["lost"] == phase["double_answered"] == 0
        assert 0 < phase["p50_ms"] <= phase["p99_ms"] <= phase["max_ms"]
        assert phase["handler"]["p50_ms"] > 0  # the bot logged one line per answer
        assert phase["bot_cpu_s"] >= 0 and phase["bench_cpu_ms_per_answer"] >= 0
    assert result["double_answered_total"] == 0
    assert not result["server_errors"] and not result["unknown_requests"]
    assert result["bot_alive"] and result["startup_s"] > 0 and result["bot_rss_ready_bytes"] > 0
    assert result["burst_summary"]["answered_once"] == 20
    table = discord_load.format_table("bundled", result)
    assert "burst 1" in table and "steady 50/s" in table and "sustained 0.1 s" in table
    assert "cores, load average" in table
    json.dumps(result)  # what main() writes


def test_questions_come_from_the_evaluation_file() -> None:
    questions = discord_load.eval_questions()
    assert len(questions) > 50
    assert all(isinstance(q, str) and q.strip() for q in questions)
    assert discord_load.label_for([]) == "bundled"
    assert discord_load.label_for([Path("a/gcide-1000.txt"), Path("b.txt")]) == "gcide-1000+b"
