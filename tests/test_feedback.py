"""The SQLite store: queries, shown pages and votes survive a reopen; one vote per user."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.feedback import Asker, FeedbackStore, StoreError
from retrieval.answers import Hit

ASKER = Asker(user_id=2**62 + 7, guild_id=111, channel_id=222)


def hit(passage: int) -> Hit:
    return Hit(
        text=f"passage {passage}",
        refs=(8,),
        pages={},
        score=1.0,
        document="Doc",
        document_id="doc",
        source_url=None,
        licence=None,
        passage=passage,
    )


def test_pages_are_found_again_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "bot.sqlite3"
    store = FeedbackStore(path)
    query_id = store.save_query("ask", "When was Trotsky exiled?", ASKER)
    first = store.save_page(query_id, 0, [hit(3), hit(7)])
    second = store.save_page(query_id, 2, [hit(9)])
    store.close()

    store = FeedbackStore(path)
    page = store.answer(second)
    assert page is not None
    assert (page.query_id, page.kind, page.query, page.first) == (
        query_id,
        "ask",
        "When was Trotsky exiled?",
        2,
    )
    assert page.passages == ("doc:9",)
    again = store.answer(first)
    assert again is not None
    assert again.passages == ("doc:3", "doc:7")
    assert store.answer(second + 100) is None
    store.close()


def test_one_vote_per_user_and_answer_changeable(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "f.sqlite3")
    answer_id = store.save_page(store.save_query("figure", "Trotsky", ASKER), 0, [hit(1)])
    assert store.vote(answer_id, 1, 1) is None
    assert store.vote(answer_id, 1, 1) == 1
    assert store.vote(answer_id, 1, -1) == 1
    assert store.vote(answer_id, 2, 1) is None
    assert store.tally(answer_id) == (1, 1)
    with pytest.raises(ValueError):
        store.vote(answer_id, 1, 0)
    store.close()
    rows = (
        sqlite3.connect(tmp_path / "f.sqlite3")
        .execute("SELECT answer_id, user_id, vote, voted_at FROM votes ORDER BY user_id")
        .fetchall()
    )
    assert [row[:3] for row in rows] == [(answer_id, 1, -1), (answer_id, 2, 1)]
    assert all(row[3].endswith("+00:00") for row in rows)


def test_who_and_where_are_recorded(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "f.sqlite3")
    store.save_query("event", "Great Purge \ufffd", ASKER)
    store.close()
    row = (
        sqlite3.connect(tmp_path / "f.sqlite3")
        .execute("SELECT kind, text, user_id, guild_id, channel_id FROM queries")
        .fetchone()
    )
    assert row == ("event", "Great Purge \ufffd", 2**62 + 7, 111, 222)


def test_meta_values(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "f.sqlite3")
    assert store.get_meta("k") is None
    store.set_meta("k", "1")
    store.set_meta("k", "2")
    assert store.get_meta("k") == "2"
    store.close()


def test_unusable_files_are_named(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all, just some bytes" * 100)
    with pytest.raises(StoreError, match=r"junk\.sqlite3"):
        FeedbackStore(junk)
    newer = tmp_path / "newer.sqlite3"
    sqlite3.connect(newer).execute("PRAGMA user_version = 9")
    with pytest.raises(StoreError, match="schema version 9"):
        FeedbackStore(newer)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot open"):
        FeedbackStore(blocker / "db.sqlite3")


VERSION_1 = """
CREATE TABLE queries (id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('ask', 'figure', 'event')), text TEXT NOT NULL,
    user_id INTEGER NOT NULL, guild_id INTEGER, channel_id INTEGER, asked_at TEXT NOT NULL);
CREATE TABLE answers (id INTEGER PRIMARY KEY,
    query_id INTEGER NOT NULL REFERENCES queries(id) ON DELETE CASCADE, first INTEGER NOT NULL,
    passages TEXT NOT NULL, shown_at TEXT NOT NULL);
CREATE TABLE votes (answer_id INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL, vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    voted_at TEXT NOT NULL, PRIMARY KEY (answer_id, user_id));
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO queries VALUES (1, 'ask', 'When was Trotsky exiled?', 5, 7, 9, '2026-01-01T00:00:00');
INSERT INTO answers VALUES (1, 1, 0, '["anti-stalinist-left:27"]', '2026-01-01T00:00:00');
INSERT INTO votes VALUES (1, 5, 1, '2026-01-01T00:00:00');
PRAGMA user_version = 1;
"""


def test_a_version_1_database_is_upgraded_with_every_row_kept(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as old:
        old.executescript(VERSION_1)
    store = FeedbackStore(path)
    stored = store.answer(1)
    assert stored is not None and (stored.kind, stored.query) == ("ask", "When was Trotsky exiled?")
    assert stored.passages == ("anti-stalinist-left:27",)
    # /ref questions are allowed now, and the answers still belong to their questions.
    store.save_query("ref", "19", Asker(5, 7, 9))
    db = store._db
    assert db.execute("PRAGMA user_version").fetchone()[0] == 2
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("SELECT count(*) FROM votes").fetchone()[0] == 1
    store.close()
