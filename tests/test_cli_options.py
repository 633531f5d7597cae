"""Each `citebot` command takes the options it documents, refuses the others, and reads right."""

from __future__ import annotations

import json
import subprocess
from importlib.metadata import version
from pathlib import Path

import pytest

from bot.cli import build_parser
from knowledge.loader import load_paths
from tests.botrun import CITEBOT, user_env

DATA = Path(__file__).parent / "data"
BUNDLED = Path(__file__).parent.parent / "knowledge" / "anti-stalinist-left.txt"

# What each command is documented (README, --help) to accept, beyond its positional arguments.
POSITIONAL = {"ask": ["x"], "figure": ["x"], "event": ["x"], "ref": ["1"], "eval": ["f.yaml"]}
ACCEPTS = {
    "ask": {"--config", "--knowledge", "--no-cache", "--json", "--top-k"},
    "figure": {"--config", "--knowledge", "--no-cache", "--json", "--top-k"},
    "event": {"--config", "--knowledge", "--no-cache", "--json", "--top-k"},
    "ref": {"--config", "--knowledge", "--no-cache", "--json", "--top-k"},
    "timeline": {"--config", "--knowledge", "--no-cache", "--json"},
    "figures": {"--config", "--knowledge", "--no-cache", "--json"},
    "events": {"--config", "--knowledge", "--no-cache", "--json"},
    "eval": {"--config", "--knowledge", "--no-cache", "--json", "--misses"},
    "check": {"--config", "--knowledge", "--no-cache", "--json"},
    "bot": {"--config", "--knowledge", "--no-cache"},
    "invite-url": {"--config"},
    "feedback export": {"--config", "--since", "--format"},
    "feedback stats": {"--config", "--json", "--days"},
    "cache info": {"--config", "--json"},
    "cache clear": {"--config"},
}
VALUES = {
    "--config": ["c.yaml"],
    "--knowledge": ["doc.txt"],
    "--top-k": ["2"],
    "--since": ["2026-01-01"],
    "--format": ["json"],
    "--days": ["30"],
}
ALL_OPTIONS = sorted(set().union(*ACCEPTS.values()))


def citebot(
    *args: str | bytes, stdin: bytes = b"", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run `citebot ARGS` as a user would (no token inherited); `env` adds variables."""
    return subprocess.run(
        [*CITEBOT, *args],
        input=stdin,
        capture_output=True,
        env=user_env(env),
        timeout=60,
    )


@pytest.mark.parametrize("command", sorted(ACCEPTS))
@pytest.mark.parametrize("option", ALL_OPTIONS)
def test_options_are_taken_only_by_the_commands_that_use_them(command: str, option: str) -> None:
    argv = [*command.split(), *POSITIONAL.get(command, []), option, *VALUES.get(option, [])]
    if option in ACCEPTS[command]:
        args = build_parser().parse_args(argv)
        assert args.command == command.split()[0]
    else:
        with pytest.raises(SystemExit) as refused:
            build_parser().parse_args(argv)
        assert refused.value.code == 2


def test_a_refused_option_is_one_line_naming_it() -> None:
    result = citebot("check", "--json", "--top-k", "7")
    assert result.returncode == 2
    assert result.stderr.decode().strip() == (
        "citebot: unrecognized arguments: --top-k 7 (see citebot check --help)"
    )


def test_version() -> None:
    result = citebot("--version")
    assert result.returncode == 0
    assert result.stdout.decode().strip() == f"citebot {version('citebot')}"


def test_passages_are_numbered_from_one_in_text_and_json() -> None:
    passages = load_paths([BUNDLED])[0].passages
    answer = json.loads(citebot("ask", "When was Trotsky exiled?", "--json", "--top-k", "1").stdout)
    top = answer["results"][0]
    assert passages[top["passage"] - 1].text == top["text"]
    text = citebot("ask", "When was Trotsky exiled?", "--top-k", "1").stdout.decode()
    assert f"Anti-Stalinist left, passage {top['passage']} " in text


def test_counts_are_singular_for_one(tmp_path: Path) -> None:
    one = tmp_path / "one.txt"
    one.write_text("Tiny\n\nLeon Trotsky was exiled in 1929. [1]\n", encoding="utf-8")
    summary = citebot("check", "--knowledge", str(one)).stdout.decode()
    assert "1 passage, 0 sections," in summary and "1 passages" not in summary
    listed = citebot("figures", "--knowledge", str(one)).stdout.decode()
    assert listed.strip().endswith(": 1 passage")


def test_batch_text_says_the_question_on_its_not_covered_line() -> None:
    questions = b"When was Trotsky exiled?\nHow do I bake bread?\n"
    out = citebot("ask", "-", "--top-k", "1", stdin=questions).stdout.decode()
    assert "How do I bake bread? — The loaded documents do not cover this." in out
    assert out.startswith("When was Trotsky exiled? — passage 1 of")
    figure = citebot("figure", "-", "--top-k", "1", stdin=b"Trotksy\n").stdout.decode()
    assert figure.startswith("Trotksy → Leon Trotsky — passage 1 of")


def test_json_stays_valid_utf8_when_the_input_is_not() -> None:
    result = citebot("ask", "-", "--json", stdin=b"caf\xe9 trotsky\n\xff\xfe exiled\n")
    assert result.returncode == 0
    answers = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert [a["query"] for a in answers] == ["caf\ufffd trotsky", "\ufffd\ufffd exiled"]
    # Said once, however many lines were repaired.
    assert result.stderr.decode().count("not valid UTF-8") == 1
    argv = citebot("ask", b"caf\xe9 trotsky", "--json")
    assert json.loads(argv.stdout.decode("utf-8"))["query"] == "caf\ufffd trotsky"
    assert "not valid UTF-8" in argv.stderr.decode()


def test_valid_replacement_characters_are_not_reported() -> None:
    result = citebot("ask", "caf\ufffd", "--json")
    assert result.returncode == 0 and result.stderr == b""


def _config(tmp_path: Path, discord: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text("discord:\n  token: not-a-real-token\n" + discord, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("discord", "message"),
    [
        ("  sync: guild\n", "'discord.guild_ids' must list a guild when discord.sync is 'guild'"),
        ("  feedback_db: no/such/folder/votes.db\n", "the folder"),
        ("  api_base_url: not a url\n", "'discord.api_base_url' must be a URL starting with"),
        ("  gateway_url: https://gateway.example\n", "'discord.gateway_url' must be a URL"),
        ("  application_id: -5\n", "'discord.application_id' must be a positive number"),
    ],
)
def test_check_refuses_what_the_bot_refuses_with_the_same_words(
    tmp_path: Path, discord: str, message: str
) -> None:
    config = _config(tmp_path, discord)
    before = sorted(tmp_path.rglob("*"))
    checked = citebot("check", "--config", str(config))
    started = citebot("bot", "--config", str(config))
    assert checked.returncode == started.returncode == 2
    assert message in checked.stderr.decode() and message in started.stderr.decode()
    problem = next(line for line in checked.stderr.decode().splitlines() if message in line)
    assert problem in started.stderr.decode()
    assert "Traceback" not in checked.stderr.decode() + started.stderr.decode()
    assert sorted(tmp_path.rglob("*")) == before  # neither created a folder or database


def test_check_passes_a_config_the_bot_accepts_and_creates_nothing(tmp_path: Path) -> None:
    config = _config(tmp_path, "  feedback_db: votes.db\n")
    result = citebot("check", "--config", str(config), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["problems"] == [] and report["documents"][0]["title"] == "Anti-Stalinist left"
    assert report["settings"]["discord"]["token"] == "set"
    assert b"not-a-real-token" not in result.stdout + result.stderr
    assert not (tmp_path / "votes.db").exists()


def test_check_without_a_token_says_the_bot_would_refuse() -> None:
    result = citebot("check")
    assert result.returncode == 2
    assert "Anti-Stalinist left" in result.stdout.decode()  # the summary is still shown
    assert "'discord.token' is missing" in result.stderr.decode()


def test_check_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    (tmp_path / "votes.db").write_text("not sqlite", encoding="utf-8")
    config = _config(tmp_path, "  feedback_db: votes.db\n")
    result = citebot("check", "--config", str(config))
    assert result.returncode == 2
    assert "votes.db is not an SQLite database" in result.stderr.decode()
    assert (tmp_path / "votes.db").read_text(encoding="utf-8") == "not sqlite"


JSON_COMMANDS = {
    "ask": ["Louise Michel barricades"],
    "figure": ["Louise Michel"],
    "event": ["1871"],
    "ref": ["1"],
    "timeline": [],
    "figures": [],
    "events": [],
    "check": [],
}
SECOND = DATA / "second" / "paris-commune.txt"


def _run(argv: list[str]) -> tuple[int, str]:
    from io import StringIO

    from bot.cli import run

    out = StringIO()
    code = run(argv, out=out)
    return code, out.getvalue()


@pytest.mark.parametrize("command", sorted(JSON_COMMANDS))
def test_json_and_knowledge_do_what_they_say_on_every_command(command: str) -> None:
    code, out = _run([command, *JSON_COMMANDS[command], "--json", "--knowledge", str(SECOND)])
    assert code in (0, 2)  # check exits 2 here: no token is configured
    records = [json.loads(line) for line in out.splitlines()]
    assert records
    text = json.dumps(records, ensure_ascii=False)
    assert "Paris Commune" in text or "Louise Michel" in text or "1871" in text
    assert "Anti-Stalinist" not in text and "Trotsky" not in text


@pytest.mark.parametrize("command", ["ask", "figure", "event", "ref"])
@pytest.mark.parametrize("k", [1, 2])
def test_top_k_limits_every_lookup(command: str, k: int) -> None:
    query = {"ask": "Trotsky", "figure": "Trotsky", "event": "1930s", "ref": "19"}[command]
    _, out = _run([command, query, "--json", "--top-k", str(k)])
    assert 1 <= len(json.loads(out)["results"]) <= k


def test_no_cache_neither_reads_nor_writes_the_configured_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    config = tmp_path / "config.yaml"
    config.write_text(f"retrieval:\n  cache_dir: {cache}\n", encoding="utf-8")
    code, _ = _run(["ask", "Trotsky", "--config", str(config), "--no-cache", "--json"])
    assert code == 0 and not cache.exists()
    code, _ = _run(["ask", "Trotsky", "--config", str(config), "--json"])
    assert code == 0 and any(cache.iterdir())
