"""The bot's SQLite store: the questions it was asked, the pages it showed, and the votes on them.

Buttons carry only an answer id in their custom_id; the question and page behind it live here,
so buttons keep working after a restart. Schema (version 3, in `PRAGMA user_version`):

- queries(id, kind, text, user_id, guild_id, channel_id, asked_at, found): one row per question,
  answered or not (`found` 1 or 0).
- answers(id, query_id, first, passages, shown_at, digests): one row per page shown; `first` is
  the offset of its first passage, `passages` a JSON list of passage ids ("<document>:<index>"),
  `digests` a JSON list of digests of those passages' texts (to tell, after the documents were
  reloaded, whether a page still shows what the ids now name; NULL on rows from version 2).
- votes(answer_id, user_id, vote, voted_at): +1 or -1, one per user and answer, changeable.
- meta(key, value): small bot state, such as the hash of the last globally synced commands.

Times are ISO 8601 in UTC. The file is in WAL mode, so `citebot feedback export` can read it
while the bot writes. The bot batches its writes (`batch_writes`): the questions, pages and
votes of one turn of its event loop are committed together, before any of them is answered.
Rows older than the retention are deleted by `prune` (the bot does it at start and daily);
answers and votes go with their question.

Nothing here imports discord: the command line reads the same store.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from retrieval.answers import Hit

SCHEMA_VERSION = 3
# Hex digits of a passage digest kept: 64 bits tell an edited passage from the old one.
DIGEST_LENGTH = 16
# Entries in each list of a report (unanswered questions, disliked answers).
REPORT_TOP = 10

_KINDS = "kind IN ('ask', 'figure', 'event', 'ref')"
# The version 2 queries table, which a version 1 database is rebuilt into before version 3.
_QUERIES_V2 = f"""
CREATE TABLE IF NOT EXISTS queries_v2 (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK ({_KINDS}),
    text TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    guild_id INTEGER,
    channel_id INTEGER,
    asked_at TEXT NOT NULL
);
"""
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS queries (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK ({_KINDS}),
    text TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    guild_id INTEGER,
    channel_id INTEGER,
    asked_at TEXT NOT NULL,
    found INTEGER NOT NULL DEFAULT 1 CHECK (found IN (0, 1))
);
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY,
    query_id INTEGER NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
    first INTEGER NOT NULL,
    passages TEXT NOT NULL,
    shown_at TEXT NOT NULL,
    digests TEXT
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
CREATE INDEX IF NOT EXISTS queries_asked_at ON queries (asked_at);
CREATE INDEX IF NOT EXISTS answers_query ON answers (query_id);
"""


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
    digests: tuple[str, ...] | None  # digests of their texts as shown; None: not recorded


@dataclass(frozen=True, slots=True)
class Asker:
    """Who asked, and where."""

    user_id: int
    guild_id: int | None
    channel_id: int | None


@dataclass(frozen=True, slots=True)
class DislikedAnswer:
    """A page of an answer that got 👎 votes."""

    answer_id: int
    kind: str
    query: str
    passages: tuple[str, ...]
    down: int
    up: int


@dataclass(frozen=True, slots=True)
class Report:
    """What members asked since a time, and how the answers were received."""

    since: datetime
    questions: int  # questions of every kind (ask, figure, event, ref)
    answered: int  # of those, the ones the documents answered
    up: int  # 👍 on the pages shown for those questions
    down: int  # 👎 likewise
    unanswered: tuple[tuple[str, int], ...]  # (question, times asked), most asked first
    disliked: tuple[DislikedAnswer, ...]  # most 👎 first

    @property
    def share_answered(self) -> float | None:
        """Answered questions over all questions; None when nothing was asked."""
        return self.answered / self.questions if self.questions else None


def _now() -> str:
    return _stamp(datetime.now(UTC))


def _stamp(when: datetime) -> str:
    # Stored times are UTC to the second, so they compare as text (and "2026-01-01T00:00:00"
    # from version 1 still sorts among them).
    aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds")


def passage_id(hit: Hit) -> str:
    """The stable id of a hit's passage: its document id and position."""
    return f"{hit.document_id}:{hit.passage}"


def passage_digest(text: str) -> str:
    """A short digest of a passage's text, to tell whether a passage id still names it."""
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:DIGEST_LENGTH]


class FeedbackStore:
    """Queries, shown pages and votes in one SQLite file; used from one thread (the event loop)."""

    def __init__(self, path: Path) -> None:
        """Open (creating the file if needed, never its folder: a missing folder is a typo to
        report) the database at `path`, upgrading an older schema in place."""
        self.path = path
        self._on_write: Callable[[], None] | None = None  # see batch_writes
        try:
            if not path.parent.is_dir():
                raise OSError(f"the folder {path.parent} does not exist")
            self._db = sqlite3.connect(path)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open database {path}: {exc}") from None
        try:
            version = self._version()
            if version not in (0, 1, 2, SCHEMA_VERSION):
                raise StoreError(
                    f"database {path} has schema version {version}, not {SCHEMA_VERSION}"
                )
            if version == 1:
                self._upgrade_from_1()
            if version in (1, 2):
                self._upgrade_from_2()
            # WAL with NORMAL sync: a commit costs no fsync, and a crash loses at most the last
            # one; readers (the CLI's export) do not block the bot's writes.
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

    @classmethod
    def open_existing(cls, path: Path) -> FeedbackStore:
        """Open an existing database read-only, creating nothing; StoreError if it is missing,
        not a database, or not at this schema version (the bot upgrades it when it starts)."""
        if not path.is_file():
            raise StoreError(f"no database at {path} (the bot creates it when it first runs)")
        store = cls.__new__(cls)
        store.path = path
        store._on_write = None
        try:
            store._db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read database {path}: {exc}") from None
        try:
            version = store._version()
        except sqlite3.Error as exc:
            store._db.close()
            raise StoreError(f"cannot read database {path}: {exc}") from None
        if version != SCHEMA_VERSION:
            store._db.close()
            hint = "; start the bot once to upgrade it" if version < SCHEMA_VERSION else ""
            raise StoreError(
                f"database {path} has schema version {version}, not {SCHEMA_VERSION}{hint}"
            )
        return store

    def _version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _upgrade_from_1(self) -> None:
        """Version 2 allows /ref queries: the queries table is rebuilt with the wider CHECK,
        every row kept, in one transaction (SQLite cannot alter a CHECK in place). The new
        table is renamed into place, so the answers' foreign key still names "queries"."""
        self._db.execute("PRAGMA foreign_keys = OFF")  # answers point at queries meanwhile
        with self._db:
            self._db.execute(_QUERIES_V2)
            self._db.execute("INSERT INTO queries_v2 SELECT * FROM queries")
            self._db.execute("DROP TABLE queries")
            self._db.execute("ALTER TABLE queries_v2 RENAME TO queries")
            self._db.execute("PRAGMA user_version = 2")

    def _upgrade_from_2(self) -> None:
        """Version 3 records unanswered questions and what each page showed: `found` (rows
        before it are all answered ones, the only ones version 2 stored) and `digests`."""
        with self._db:
            self._db.execute(
                "ALTER TABLE queries ADD COLUMN"
                " found INTEGER NOT NULL DEFAULT 1 CHECK (found IN (0, 1))"
            )
            self._db.execute("ALTER TABLE answers ADD COLUMN digests TEXT")
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        """Commit what is still pending and close the database; further calls fail."""
        self.commit()
        self._db.close()

    def batch_writes(self, on_write: Callable[[], None]) -> None:
        """From now on, leave the writes of save_query, save_page and vote uncommitted and call
        `on_write` after each; the caller then calls `commit` once for many of them.

        A commit costs about 0.1 ms (most of what storing an answer costs), so the bot commits
        once per turn of its event loop; until then the rows are visible on this connection
        only, and a crash loses at most that turn's rows. Other writes still commit at once.
        """
        self._on_write = on_write

    def commit(self) -> None:
        """Commit the writes left pending by batching (nothing to do without any)."""
        if self._db.in_transaction:
            self._db.commit()

    def _written(self) -> None:
        """After a batchable write: commit it now, or tell the batcher there is one."""
        if self._on_write is None:
            self._db.commit()
        else:
            self._on_write()

    def save_query(self, kind: str, text: str, asker: Asker, *, found: bool) -> int:
        """Record a question (or a figure or event name), answered or not, and return its id."""
        cursor = self._db.execute(
            "INSERT INTO queries"
            " (kind, text, user_id, guild_id, channel_id, asked_at, found)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (kind, text, asker.user_id, asker.guild_id, asker.channel_id, _now(), int(found)),
        )
        self._written()
        return _rowid(cursor)

    def save_page(self, query_id: int, first: int, hits: Sequence[Hit]) -> int:
        """Record a page of passages shown for a query and return its answer id."""
        passages = json.dumps([passage_id(hit) for hit in hits])
        digests = json.dumps([passage_digest(hit.text) for hit in hits])
        cursor = self._db.execute(
            "INSERT INTO answers (query_id, first, passages, shown_at, digests)"
            " VALUES (?, ?, ?, ?, ?)",
            (query_id, first, passages, _now(), digests),
        )
        self._written()
        return _rowid(cursor)

    def answer(self, answer_id: int) -> StoredAnswer | None:
        """A shown page and its question, or None if there is no such answer (any more)."""
        row = self._db.execute(
            "SELECT a.id, a.query_id, q.kind, q.text, a.first, a.passages, a.digests"
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
            digests=None if row[6] is None else tuple(json.loads(row[6])),
        )

    def vote(self, answer_id: int, user_id: int, vote: int) -> int | None:
        """Record a user's +1/-1 on an answer, replacing theirs; return the vote it replaced."""
        if vote not in (-1, 1):
            raise ValueError("a vote is +1 or -1")
        row = self._db.execute(
            "SELECT vote FROM votes WHERE answer_id = ? AND user_id = ?", (answer_id, user_id)
        ).fetchone()
        self._db.execute(
            "INSERT INTO votes (answer_id, user_id, vote, voted_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (answer_id, user_id)"
            " DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at",
            (answer_id, user_id, vote, _now()),
        )
        self._written()
        return None if row is None else int(row[0])

    def tally(self, answer_id: int) -> tuple[int, int]:
        """Up and down votes on an answer."""
        row = self._db.execute(
            "SELECT COALESCE(SUM(vote = 1), 0), COALESCE(SUM(vote = -1), 0)"
            " FROM votes WHERE answer_id = ?",
            (answer_id,),
        ).fetchone()
        return int(row[0]), int(row[1])

    def prune(self, before: datetime) -> int:
        """Delete the questions asked before `before`, with their pages and votes; return how
        many questions went."""
        with self._db:
            cursor = self._db.execute("DELETE FROM queries WHERE asked_at < ?", (_stamp(before),))
        return cursor.rowcount

    def report(self, since: datetime, guild_id: int | None = None) -> Report:
        """Questions asked since `since` (in one server, or everywhere when `guild_id` is
        None): how many, how many answered, the votes on their pages, the most asked
        unanswered questions and the most 👎-voted pages."""
        where, params = _period(since, guild_id)
        totals = self._db.execute(
            f"SELECT count(*), COALESCE(SUM(found), 0) FROM queries q WHERE {where}", params
        ).fetchone()
        votes = self._db.execute(
            "SELECT COALESCE(SUM(v.vote = 1), 0), COALESCE(SUM(v.vote = -1), 0) FROM votes v"
            f" JOIN answers a ON a.id = v.answer_id JOIN queries q ON q.id = a.query_id"
            f" WHERE {where}",
            params,
        ).fetchone()
        # The same question typed in another case is the same gap in the documents.
        unanswered = self._db.execute(
            f"SELECT min(text), count(*) AS times FROM queries q WHERE {where} AND NOT found"
            " GROUP BY kind, lower(text) ORDER BY times DESC, min(id) LIMIT ?",
            (*params, REPORT_TOP),
        ).fetchall()
        disliked = self._db.execute(
            "SELECT a.id, q.kind, q.text, a.passages,"
            " SUM(v.vote = -1) AS down, SUM(v.vote = 1) FROM votes v"
            " JOIN answers a ON a.id = v.answer_id JOIN queries q ON q.id = a.query_id"
            f" WHERE {where} GROUP BY a.id HAVING down > 0 ORDER BY down DESC, a.id LIMIT ?",
            (*params, REPORT_TOP),
        ).fetchall()
        return Report(
            since=since,
            questions=int(totals[0]),
            answered=int(totals[1]),
            up=int(votes[0]),
            down=int(votes[1]),
            unanswered=tuple((str(text), int(times)) for text, times in unanswered),
            disliked=tuple(
                DislikedAnswer(
                    answer_id=row[0],
                    kind=row[1],
                    query=row[2],
                    passages=tuple(json.loads(row[3])),
                    down=int(row[4]),
                    up=int(row[5]),
                )
                for row in disliked
            ),
        )

    def export_rows(self, since: datetime | None = None) -> Iterator[dict[str, object]]:
        """One row per question (oldest first, since `since` if given): id, kind, text,
        asked_at, guild_id, answered, up, down.

        User and channel ids are left out: improving the documents needs what was asked, not
        who asked, and an export leaves the retention the bot enforces on its own database.
        """
        where, params = _period(since, None)
        cursor = self._db.execute(
            "SELECT q.id, q.kind, q.text, q.asked_at, q.guild_id, q.found,"
            " COALESCE(SUM(v.vote = 1), 0), COALESCE(SUM(v.vote = -1), 0) FROM queries q"
            " LEFT JOIN answers a ON a.query_id = q.id LEFT JOIN votes v ON v.answer_id = a.id"
            f" WHERE {where} GROUP BY q.id ORDER BY q.id",
            params,
        )
        for row in cursor:
            yield {
                "id": row[0],
                "kind": row[1],
                "text": row[2],
                "asked_at": row[3],
                "guild_id": row[4],
                "answered": bool(row[5]),
                "up": int(row[6]),
                "down": int(row[7]),
            }

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


def _period(since: datetime | None, guild_id: int | None) -> tuple[str, tuple[object, ...]]:
    """The WHERE clause (on queries as `q`) for questions since a time, in one server."""
    clauses: list[str] = ["1"]
    params: list[object] = []
    if since is not None:
        clauses.append("q.asked_at >= ?")
        params.append(_stamp(since))
    if guild_id is not None:
        clauses.append("q.guild_id = ?")
        params.append(guild_id)
    return " AND ".join(clauses), tuple(params)


def _rowid(cursor: sqlite3.Cursor) -> int:
    rowid = cursor.lastrowid
    if rowid is None:  # only after a statement that inserted nothing
        raise StoreError("insert returned no row id")
    return rowid
