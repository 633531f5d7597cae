"""`citebot feedback export` and `stats`: what the bot stored, read without changing anything."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from bot.feedback import Asker, FeedbackStore
from knowledge.loader import load_paths
from retrieval.answers import Hit
from tests.test_cli_options import citebot

BUNDLED = Path(__file__).parent.parent / "knowledge" / "anti-stalinist-left.txt"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A config whose feedback database holds three questions, one unanswered, and votes."""
    db = tmp_path / "votes.sqlite3"
    document = load_paths([BUNDLED])[0]
    hit = Hit.of(document.passages[0], document, 1.0)
    store = FeedbackStore(db)
    member = Asker(user_id=7, guild_id=1, channel_id=2)
    answered = store.save_query("ask", "when was trotsky exiled", member, found=True)
    page = store.save_page(answered, 0, [hit])
    store.vote(page, 7, -1)
    store.vote(page, 8, -1)
    store.vote(page, 9, 1)
    store.save_query("ask", "how do i bake bread", member, found=False)
    store.save_query("figure", "Napoleon", member, found=False)
    store.close()
    path = tmp_path / "config.yaml"
    path.write_text(f"discord:\n  feedback_db: {db}\n", encoding="utf-8")
    return path


def test_export_csv_has_a_row_per_question_with_its_votes(config: Path) -> None:
    result = citebot("feedback", "export", "--config", str(config))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout.decode("utf-8"))))
    assert [r["text"] for r in rows] == [
        "when was trotsky exiled",
        "how do i bake bread",
        "Napoleon",
    ]
    assert (rows[0]["up"], rows[0]["down"]) == ("1", "2")
    assert [r["kind"] for r in rows] == ["ask", "ask", "figure"]
    assert "user_id" not in rows[0]  # who asked is not exported


def test_export_json_and_since(config: Path) -> None:
    result = citebot("feedback", "export", "--config", str(config), "--format", "json")
    rows = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert len(rows) == 3
    later = citebot("feedback", "export", "--config", str(config), "--since", "2999-01-01")
    assert later.returncode == 0 and later.stdout == b""


def test_stats_match_what_was_stored(config: Path) -> None:
    result = citebot("feedback", "stats", "--config", str(config), "--json")
    stats = json.loads(result.stdout)
    assert (stats["questions"], stats["answered"], stats["up"], stats["down"]) == (3, 1, 1, 2)
    assert {u["question"] for u in stats["unanswered"]} == {"how do i bake bread", "Napoleon"}
    assert stats["disliked"][0]["question"] == "when was trotsky exiled"
    text = citebot("feedback", "stats", "--config", str(config)).stdout.decode()
    assert text.startswith("last 7 days: 3 questions, 33% answered; 👍 1 · 👎 2")


def test_reading_changes_nothing_and_a_missing_database_is_refused(
    config: Path, tmp_path: Path
) -> None:
    db = tmp_path / "votes.sqlite3"
    before = db.read_bytes()
    citebot("feedback", "export", "--config", str(config))
    assert db.read_bytes() == before
    db.unlink()
    for extra in (tmp_path / "votes.sqlite3-wal", tmp_path / "votes.sqlite3-shm"):
        extra.unlink(missing_ok=True)
    result = citebot("feedback", "export", "--config", str(config))
    assert result.returncode == 2
    assert "no database at" in result.stderr.decode() and not db.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("export", "--since", "last week"), "--since: must be a date as YYYY-MM-DD"),
        (("export", "--format", "xml"), "invalid choice: 'xml'"),
        (("export", "--json"), "unrecognized arguments: --json (see citebot feedback export"),
        (("stats", "--days", "0"), "--days: must be a whole number of days"),
    ],
)
def test_bad_options_are_one_line(config: Path, args: tuple[str, ...], message: str) -> None:
    result = citebot("feedback", *args, "--config", str(config))
    assert result.returncode == 2
    assert message in result.stderr.decode()
    assert len(result.stderr.decode().strip().splitlines()) == 1


def test_the_bot_can_write_while_the_cli_reads(config: Path, tmp_path: Path) -> None:
    db = tmp_path / "votes.sqlite3"
    writer = FeedbackStore(db)  # the bot's store, open
    reader = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM queries").fetchone()  # a read in progress
    writer.save_query("ask", "a new question", Asker(1, 1, 1), found=True)  # not blocked: WAL
    reader.close()
    writer.close()
    rows = citebot("feedback", "export", "--config", str(config), "--format", "json").stdout
    assert b"a new question" in rows
