"""The `citebot` command as a user runs it: real subprocesses, real files, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.botrun import CITEBOT, user_env

DATA = Path(__file__).parent / "data"


def citebot(
    *args: str, stdin: str = "", cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CITEBOT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=user_env(),
        cwd=cwd,
        timeout=60,
    )


def test_ask_json_contract() -> None:
    result = citebot("ask", "When was Trotsky exiled?", "--json")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    answer = json.loads(lines[0])
    assert set(answer) == {"query", "found", "weak", "results", "suggestions"}
    assert answer["found"] is True and answer["weak"] is False
    top = answer["results"][0]
    assert {"text", "refs", "pages", "score", "document", "passage"} <= set(top)
    assert top["section"] == "" and top["references"] == [
        {"n": 19, "page": None, "text": None, "url": None}  # the bundled text has no ref list
    ]
    assert top["refs"] == [19] and "[ 19 ]" in top["text"]
    assert isinstance(top["score"], float) and isinstance(top["passage"], int)
    assert len(answer["results"]) <= 3


def test_pages_keys_are_strings() -> None:
    answer = json.loads(citebot("ask", "Members of the NCL ex-communists", "--json").stdout)
    assert answer["results"][0]["pages"] == {"56": "31"}


def test_batch_gives_one_line_per_query_in_order() -> None:
    questions = ["When was Trotsky exiled?", "How do I bake bread?", "Who funded the CCF?"]
    result = citebot("ask", "-", "--json", "--top-k", "1", stdin="\n".join(questions) + "\n\n")
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["query"] for a in answers] == questions
    assert [a["found"] for a in answers] == [True, False, True]
    assert answers[1]["results"] == []
    assert all(len(a["results"]) <= 1 for a in answers)


def test_figure_batch_and_suggestions() -> None:
    result = citebot("figure", "-", "--json", stdin="Trotksy\nNapoleon\n")
    found, missing = (json.loads(line) for line in result.stdout.splitlines())
    assert found["found"] and all("Trotsky" in r["text"] for r in found["results"])
    assert not missing["found"] and missing["results"] == []


def test_human_output_shows_citations_and_not_found_line() -> None:
    result = citebot("ask", "When was Trotsky exiled?")
    assert "Refs: [19]" in result.stdout
    assert "Anti-Stalinist left" in result.stdout
    nothing = citebot("ask", "What is the capital of France?")
    assert nothing.returncode == 0
    assert nothing.stdout.strip() == "The loaded documents do not cover this."
    figure = citebot("figure", "Napoleon")
    assert figure.stdout.startswith("No figure matches 'Napoleon'. Did you mean:")


def test_timeline_figures_events_commands() -> None:
    timeline = [json.loads(line) for line in citebot("timeline", "--json").stdout.splitlines()]
    assert timeline[0]["when"] == "1920" and timeline[0]["results"]
    figures = citebot("figures").stdout
    assert "Leon Trotsky (Trotsky)" in figures
    assert "Kronstadt rebellion (1921)" in citebot("events").stdout


def test_knowledge_option_replaces_bundled_document() -> None:
    second = DATA / "second" / "paris-commune.txt"
    result = citebot("ask", "Louise Michel barricades", "--json", "--knowledge", str(second))
    answer = json.loads(result.stdout)
    assert answer["results"][0]["document"] == "Paris Commune"
    trotsky = json.loads(
        citebot("ask", "Trotsky exiled", "--json", "--knowledge", str(second)).stdout
    )
    assert trotsky["found"] is False


def test_eval_command_scores_each_file_beside_the_baseline() -> None:
    files = [DATA / "eval" / "anti-stalinist-left.eval.yaml", DATA / "eval" / "bodmin.eval.yaml"]
    result = citebot("eval", *map(str, files), "--json")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["document"] for row in rows] == ["Anti-Stalinist left", "Bodmin", "macro average"]
    for row in rows:
        for system in ("citebot", "baseline"):
            assert {
                "hit@1",
                "hit@3",
                "mrr",
                "figure_top1",
                "event_hit@1",
                "abstention",
                "false_refusals",
            } <= set(row[system])
    # The baseline never refuses; the table says so in its own row.
    assert rows[0]["baseline"]["abstention"] == 0.0
    table = citebot("eval", *map(str, files)).stdout
    assert table.count("| rank-bm25 |") == 3 and "macro average" in table


def test_eval_refuses_an_expectation_no_passage_has(tmp_path: Path) -> None:
    bad = tmp_path / "bad.eval.yaml"
    document = (DATA / "corpus" / "bodmin.txt").resolve()
    bad.write_text(
        f"document: {document}\nitems:\n- ask: bodmin population?\n  expect: No such start\n",
        encoding="utf-8",
    )
    result = citebot("eval", str(bad))
    assert result.returncode == 2
    assert "item 1: no passage starts with 'No such start'" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ask", "   "), "the question is empty"),
        (("ask", "x", "--knowledge", "/no/such/file.txt"), "no such file or folder"),
        (("ask", "x", "--top-k", "0"), "--top-k: must be a whole number from 1 to 25"),
        (("ask", "x", "--top-k", "many"), "--top-k: must be a whole number from 1 to 25"),
        (("ask", "x", "--knowledge", ""), "--knowledge: needs a file or folder"),
        (("eval", "/no/such/eval.yaml"), "cannot read"),
        (("frobnicate",), "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: tuple[str, ...], message: str) -> None:
    result = citebot(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_bad_config_names_the_key(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("retrieval:\n  top_k: three\n", encoding="utf-8")
    result = citebot("ask", "x", "--config", str(config))
    assert result.returncode == 2
    assert "retrieval.top_k" in result.stderr
    config.write_text("retreival:\n  top_k: 3\n", encoding="utf-8")
    assert "unknown config key 'retreival'" in citebot("ask", "x", "--config", str(config)).stderr


def test_unreadable_knowledge_names_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"Title\n\n\xff\n")
    result = citebot("ask", "x", "--knowledge", str(bad))
    assert result.returncode == 2
    assert f"{bad} line 3: not UTF-8 text" in result.stderr


def test_ask_does_not_import_discord_or_the_entity_finder(tmp_path: Path) -> None:
    # Both cost start-up time a question answered from the index does not need. The first
    # run writes the cache entry (and finds the entities to keep with it); the next is warm.
    env = user_env({"XDG_CACHE_HOME": str(tmp_path)})
    assert (
        subprocess.run([*CITEBOT, "ask", "Trotsky"], capture_output=True, env=env).returncode == 0
    )
    code = (
        "import sys; from bot.cli import run; run(['ask', 'Trotsky', '--json']);"
        "assert 'discord' not in sys.modules, 'discord imported';"
        "assert 'knowledge.entity_finder' not in sys.modules, 'entity finder imported'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="threads are counted in /proc")
def test_ask_runs_in_one_thread(tmp_path: Path) -> None:
    # numpy's OpenBLAS would start a thread per core on import and spend CPU a question
    # never needs; whichever of our modules imports numpy first, it must start none.
    env = user_env({"XDG_CACHE_HOME": str(tmp_path)})
    env.pop("OPENBLAS_NUM_THREADS", None)
    code = (
        "import os; from bot.cli import run; run(['ask', 'Trotsky', '--json']);"
        "print(len(os.listdir('/proc/self/task')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "1"
