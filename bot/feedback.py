"""The bot's SQLite store: the questions it answered, the pages it showed, and the votes on them.

Buttons carry only an answer id in their custom_id; the question and page behind it live here,
so buttons keep working after a restart. Schema (version 1, in `PRAGMA user_version`):

- queries(id, kind, text, user_id, guild_id, channel_id, asked_at): one row per question.
- answers(id, query_id, first, passages, shown_at): one row per page shown; `first` is the
  offset of its first passage, `passages` a JSON list of passage ids ("<document>:<index>").
- votes(answer_id, user_id, vote, voted_at): +1 or -1, one per user and answer, changeable.
- meta(key, value): small bot state, such as the hash of the last globally synced commands.

Times are ISO 8601 in UTC.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from retrieval.answers import Hit

SCHEMA_VERSION = 2

_QUERIES = """
CREATE TABLE IF NOT EXISTS {name} (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('ask', 'figure', 'event', 'ref')),
    text TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    guild_id INTEGER,
    channel_id INTEGER,
    asked_at TEXT NOT NULL
);
"""
_SCHEMA = (
    _QUERIES.format(name="queries")
    + """
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY,
    query_id INTEGER NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
    first INTEGER NOT NULL,
    passages TEXT NOT NULL,
    shown_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS votes (
    answer_id INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    voted_at TEXT NOT NULL,
    PRIMARY KEY (answer_id, user_id)
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""
)


class StoreError(Exception):
    """The database cannot be opened or is not one of ours; the message names the file."""


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """A page of an answer as it was shown, with the question behind it."""

    id: int
    query_id: int
    kind: str
    query: str
    first: int  # offset of its first passage among all the query's hits
    passages: tuple[str, ...]  # passage ids as shown


@dataclass(frozen=True, slots=True)
class Asker:
    """Who asked, and where."""

    user_id: int
    guild_id: int | None
    channel_id: int | None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def passage_id(hit: Hit) -> str:
    """The stable id of a hit's passage: its document id and position."""
    return f"{hit.document_id}:{hit.passage}"


class FeedbackStore:
    """Queries, shown pages and votes in one SQLite file; used from one thread (the event loop)."""

    def __init__(self, path: Path) -> None:
        """Open (creating it and its folder if needed) the database at `path`."""
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open database {path}: {exc}") from None
        try:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, 1, SCHEMA_VERSION):
                raise StoreError(
                    f"database {path} has schema version {version}, not {SCHEMA_VERSION}"
                )
            if version == 1:
                self._upgrade_from_1()
            # WAL with NORMAL sync: a commit costs no fsync, and a crash loses at most the last one.
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute("PRAGMA foreign_keys = ON")
            with self._db:
                self._db.executescript(_SCHEMA)
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise StoreError(f"cannot use database {path}: {exc}") from None
        except StoreError:
            self._db.close()
            raise

    def _upgrade_from_1(self) -> None:
        """Version 2 allows /ref queries: the queries table is rebuilt with the wider CHECK,
        every row kept, in one transaction (SQLite cannot alter a CHECK in place). The new
        table is renamed into place, so the answers' foreign key still names "queries"."""
        self._db.execute("PRAGMA foreign_keys = OFF")  # answers point at queries meanwhile
        with self._db:
            self._db.execute(_QUERIES.format(name="queries_v2"))
            self._db.execute("INSERT INTO queries_v2 SELECT * FROM queries")
            self._db.execute("DROP TABLE queries")
            self._db.execute("ALTER TABLE queries_v2 RENAME TO queries")
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        """Close the database; further calls fail."""
        self._db.close()

    def save_query(self, kind: str, text: str, asker: Asker) -> int:
        """Record a question (or a figure or event name) and return its id."""
        with self._db:
            cursor = self._db.execute(
                "INSERT INTO queries (kind, text, user_id, guild_id, channel_id, asked_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (kind, text, asker.user_id, asker.guild_id, asker.channel_id, _now()),
            )
        return _rowid(cursor)

    def save_page(self, query_id: int, first: int, hits: Sequence[Hit]) -> int:
        """Record a page of passages shown for a query and return its answer id."""
        passages = json.dumps([passage_id(hit) for hit in hits])
        with self._db:
            cursor = self._db.execute(
                "INSERT INTO answers (query_id, first, passages, shown_at) VALUES (?, ?, ?, ?)",
                (query_id, first, passages, _now()),
            )
        return _rowid(cursor)

    def answer(self, answer_id: int) -> StoredAnswer | None:
        """A shown page and its question, or None if there is no such answer (any more)."""
        row = self._db.execute(
            "SELECT a.id, a.query_id, q.kind, q.text, a.first, a.passages"
            " FROM answers a JOIN queries q ON q.id = a.query_id WHERE a.id = ?",
            (answer_id,),
        ).fetchone()
        if row is None:
            return None
        return StoredAnswer(
            id=row[0],
            query_id=row[1],
            kind=row[2],
            query=row[3],
            first=row[4],
            passages=tuple(json.loads(row[5])),
        )

    def vote(self, answer_id: int, user_id: int, vote: int) -> int | None:
        """Record a user's +1/-1 on an answer, replacing theirs; return the vote it replaced."""
        if vote not in (-1, 1):
            raise ValueError("a vote is +1 or -1")
        with self._db:
            row = self._db.execute(
                "SELECT vote FROM votes WHERE answer_id = ? AND user_id = ?", (answer_id, user_id)
            ).fetchone()
            self._db.execute(
                "INSERT INTO votes (answer_id, user_id, vote, voted_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (answer_id, user_id)"
                " DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at",
                (answer_id, user_id, vote, _now()),
            )
        return None if row is None else int(row[0])

    def tally(self, answer_id: int) -> tuple[int, int]:
        """Up and down votes on an answer."""
        row = self._db.execute(
            "SELECT COALESCE(SUM(vote = 1), 0), COALESCE(SUM(vote = -1), 0)"
            " FROM votes WHERE answer_id = ?",
            (answer_id,),
        ).fetchone()
        return int(row[0]), int(row[1])

    def get_meta(self, key: str) -> str | None:
        """A stored bot setting, or None."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Store a bot setting, replacing any earlier value."""
        with self._db:
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


def _rowid(cursor: sqlite3.Cursor) -> int:
    rowid = cursor.lastrowid
    if rowid is None:  # only after a statement that inserted nothing
        raise StoreError("insert returned no row id")
    return rowid
