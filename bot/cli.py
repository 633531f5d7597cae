"""The `citebot` command: ask questions locally, inspect the knowledge, run the Discord bot.

One function per command; each command takes only the options it uses. Only `citebot bot` and
`citebot invite-url` import discord.py, and modules a command does not need are imported inside
it, so local questions start fast.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from bot.config import MAX_TOP_K, Config, ConfigError, bot_config_problems, load_config
from bot.wording import count
from knowledge.document import KnowledgeError

if TYPE_CHECKING:
    from bot.feedback import FeedbackStore
    from retrieval.answers import Answer
    from retrieval.search import KnowledgeBase, SearchSettings

DEFAULT_CONFIG = Path("config.yaml")
USAGE_ERROR = 2
BUILDING = "citebot: indexing the documents (first run or changed files; cached for next time)...\n"
REPLACED_INPUT = (
    "citebot: some input was not valid UTF-8; undecodable bytes were replaced by \ufffd\n"
)


class UsageError(Exception):
    """Bad input from the person at the terminal: one line on stderr, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, not a usage dump: the hint says where the full help is.
        self.exit(USAGE_ERROR, f"citebot: {message} (see {self.prog} --help)\n")


class _TopParser(_Parser):
    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: None = None
    ) -> argparse.Namespace:
        # argparse reports a stray option from the top parser; name the subcommand's help instead.
        parsed, extra = self.parse_known_args(args, namespace)
        if extra:
            words = [parsed.command, getattr(parsed, "action", None)]
            where = " ".join(["citebot", *(w for w in words if w)])
            self.exit(
                USAGE_ERROR,
                f"citebot: unrecognized arguments: {' '.join(extra)} (see {where} --help)\n",
            )
        return parsed


class _Version(argparse.Action):
    # Looked up only when asked: reading package metadata costs start-up time for every command.
    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        from importlib.metadata import version

        sys.stdout.write(f"citebot {version('citebot')}\n")
        parser.exit(0)


def _top_k(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= MAX_TOP_K:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_TOP_K}")
    return int(text)


def _date(text: str) -> datetime:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date as YYYY-MM-DD, not {text!r}") from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)  # stored times are UTC


def _days(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("must be a whole number of days, at least 1")
    return int(text)


def _document_path(text: str) -> Path:
    if not text.strip():
        # Path("") is the working folder: loading everything in it is never what was meant.
        raise argparse.ArgumentTypeError("needs a file or folder, not an empty string")
    return Path(text)


def _option_group(*adders: Callable[[argparse.ArgumentParser], object]) -> argparse.ArgumentParser:
    group = _Parser(add_help=False)
    for add in adders:
        add(group)
    return group


CONFIG = _option_group(
    lambda p: p.add_argument(
        "--config", type=Path, metavar="PATH", help="YAML config file (default: ./config.yaml)"
    )
)
KNOWLEDGE = _option_group(
    lambda p: p.add_argument(
        "--knowledge",
        type=_document_path,
        action="append",
        metavar="PATH",
        help="document file or folder; repeat for more; replaces the configured knowledge",
    ),
    lambda p: p.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the on-disk index cache"
    ),
)
JSON = _option_group(
    lambda p: p.add_argument("--json", action="store_true", help="print JSON, one object a line")
)
TOP_K = _option_group(
    lambda p: p.add_argument(
        "--top-k", type=_top_k, metavar="K", help="passages per answer (default: the config's, 3)"
    )
)


def build_parser() -> argparse.ArgumentParser:
    """The command line: each subcommand with the options it uses and its handler."""
    parser = _TopParser(
        prog="citebot",
        description="Answers questions with a document's own passages and citation numbers.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="print the version and exit")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(
        name: str,
        help_text: str,
        handler: Callable[[argparse.Namespace, TextIO], int],
        *parents: argparse.ArgumentParser,
        within: Any = commands,
    ) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = within.add_parser(
            name, help=help_text, description=help_text, parents=list(parents)
        )
        sub.set_defaults(handler=handler)
        return sub

    lookups = (CONFIG, KNOWLEDGE, JSON, TOP_K)
    command("ask", "answer a question ('-': one a line from stdin)", ask, *lookups).add_argument(
        "query", metavar="QUESTION"
    )
    command("figure", "a person's passages ('-': names from stdin)", ask, *lookups).add_argument(
        "query", metavar="NAME"
    )
    command(
        "event", "an event's passages, by name or year ('-': stdin)", ask, *lookups
    ).add_argument("query", metavar="NAME_OR_YEAR")
    command("ref", "a reference's text and the passages that cite it", ask, *lookups).add_argument(
        "query", metavar="NUMBER"
    )
    listings = (CONFIG, KNOWLEDGE, JSON)
    command("timeline", "dated events in chronological order", timeline, *listings)
    command("figures", "the people found in the documents", figures, *listings)
    command("events", "the named and dated events found in the documents", events, *listings)
    evaluation = command(
        "eval", "score answers on evaluation files, beside plain rank-bm25", evaluate, *listings
    )
    evaluation.add_argument("files", type=Path, nargs="+", metavar="FILE")
    evaluation.add_argument("--misses", action="store_true", help="list each miss of citebot's")
    command(
        "check",
        "validate the config and knowledge offline, as the bot would, and show what it would serve",
        check,
        *listings,
    )
    command("bot", "run the Discord bot", run_bot, CONFIG, KNOWLEDGE)
    command("invite-url", "print the OAuth2 URL that adds the bot to a server", invite, CONFIG)

    feedback = commands.add_parser(
        "feedback",
        help="what members asked the bot on Discord, and their votes",
        description="what members asked the bot on Discord, and their votes",
    )
    feedback_actions = feedback.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = command(
        "export",
        "write every stored question with whether it was answered and its votes",
        export_feedback,
        CONFIG,
        within=feedback_actions,
    )
    export.add_argument(
        "--since", type=_date, metavar="DATE", help="only questions asked on or after DATE"
    )
    export.add_argument(
        "--format", choices=("csv", "json"), default="csv", help="csv (default) or json lines"
    )
    stats = command(
        "stats",
        "questions asked, share answered, votes, top unanswered and most 👎-voted answers",
        feedback_stats,
        CONFIG,
        JSON,
        within=feedback_actions,
    )
    stats.add_argument(
        "--days", type=_days, default=7, metavar="N", help="the last N days (default 7)"
    )

    cache = commands.add_parser(
        "cache",
        help="the on-disk index cache that makes restarts fast",
        description="the on-disk index cache that makes restarts fast",
    )
    cache_actions = cache.add_subparsers(dest="action", required=True, metavar="ACTION")
    command(
        "info",
        "where the cache is and what it holds",
        cache_info,
        CONFIG,
        JSON,
        within=cache_actions,
    )
    command(
        "clear",
        "delete every cached index (rebuilt when next needed)",
        cache_clear,
        CONFIG,
        within=cache_actions,
    )
    return parser


# --- shared steps ---------------------------------------------------------------------------


def _config(args: argparse.Namespace) -> Config:
    path: Path | None = args.config
    if path is None and DEFAULT_CONFIG.is_file():
        path = DEFAULT_CONFIG
    return load_config(path)


def _cache_dir(config: Config) -> Path:
    from retrieval.cache import default_cache_dir

    return config.retrieval.cache_dir or default_cache_dir()


def _settings(args: argparse.Namespace, config: Config) -> SearchSettings:
    from retrieval.search import SearchSettings

    cache_dir = None if getattr(args, "no_cache", False) else _cache_dir(config)
    return SearchSettings(min_coverage=config.retrieval.min_coverage, cache_dir=cache_dir)


def _knowledge(args: argparse.Namespace, config: Config) -> KnowledgeBase:
    from retrieval.search import KnowledgeBase

    paths = tuple(args.knowledge) if args.knowledge else config.knowledge
    return KnowledgeBase.from_paths(paths, _settings(args, config), on_build=_announce_build)


def _announce_build() -> None:
    """Say why this run is slower, to a person watching; scripts reading stderr see nothing."""
    if sys.stderr.isatty():
        sys.stderr.write(BUILDING)
        sys.stderr.flush()


def _as_utf8(raw: bytes, warn: Callable[[], None]) -> str:
    text = raw.decode("utf-8", errors="replace")
    if "\ufffd" in text and "\ufffd".encode() not in raw:
        warn()
    return text


def _queries(query: str) -> Iterator[str]:
    """The query, or with '-' one query a line from stdin; text that is not UTF-8 is repaired."""
    warned = False

    def warn() -> None:
        nonlocal warned
        if not warned:
            sys.stderr.write(REPLACED_INPUT)
            warned = True

    if query != "-":
        # argv carries undecodable bytes as lone surrogates; JSON readers reject those.
        text = _as_utf8(os.fsencode(query), warn)
        if not text.strip():
            raise UsageError("the question is empty")
        yield text
        return
    for raw in sys.stdin.buffer:
        line = _as_utf8(raw, warn).strip()
        if line:
            yield line


def _emit(data: Any, out: TextIO) -> None:
    out.write(json.dumps(data, ensure_ascii=False) + "\n")


def _reference(kb: KnowledgeBase) -> Callable[[str, int], Answer]:
    def lookup(number: str, top_k: int) -> Answer:
        digits = number.strip().lstrip("[").rstrip("]")  # "19" or "[19]", as answers show it
        if not digits.isdigit():
            raise UsageError(f"a reference is a number, not {number!r}")
        return kb.reference(int(digits), top_k)

    return lookup


# --- commands -------------------------------------------------------------------------------


def ask(args: argparse.Namespace, out: TextIO) -> int:
    """`ask`, `figure`, `event`, `ref`: answer each query, as text or one JSON object a line."""
    from bot.terminal import render_answer

    config = _config(args)
    top_k = args.top_k if args.top_k is not None else config.retrieval.top_k
    kb = _knowledge(args, config)
    lookup: Callable[[str, int], Answer] = {
        "ask": kb.ask,
        "figure": kb.figure,
        "event": kb.event,
        "ref": _reference(kb),
    }[args.command]
    batch = args.query == "-"
    first = True
    for query in _queries(args.query):
        answer = lookup(query, top_k)
        if args.json:
            _emit(answer.to_json(), out)
        else:
            separator = "" if first else "\n" + "─" * 40 + "\n"
            out.write(separator + render_answer(answer, echo_query=batch) + "\n")
        out.flush()  # so a script reading line by line gets each answer as it comes
        first = False
    return 0


def timeline(args: argparse.Namespace, out: TextIO) -> int:
    """`timeline`: dated events, oldest first."""
    from bot.terminal import render_timeline

    entries = _knowledge(args, _config(args)).timeline()
    if not args.json:
        out.write(render_timeline(entries) + "\n")
    for entry in entries if args.json else ():
        hits = [hit.to_json() for hit in entry.hits]
        _emit({"when": entry.when, "label": entry.label, "results": hits}, out)
    return 0


def figures(args: argparse.Namespace, out: TextIO) -> int:
    """`figures`: the people found, with their aliases and how many passages name them."""
    for name, aliases, passages in _knowledge(args, _config(args)).figures():
        if args.json:
            _emit({"name": name, "aliases": list(aliases), "passages": passages}, out)
        else:
            others = ", ".join(a for a in aliases if a != name)
            out.write(f"{name}{f' ({others})' if others else ''}: {count(passages, 'passage')}\n")
    return 0


def events(args: argparse.Namespace, out: TextIO) -> int:
    """`events`: the named and dated events found, with their dates."""
    for name, when, passages in _knowledge(args, _config(args)).events():
        if args.json:
            _emit({"name": name, "when": when, "passages": passages}, out)
        else:
            dated = f" ({when})" if when and when != name else ""
            out.write(f"{name}{dated}: {count(passages, 'passage')}\n")
    return 0


def evaluate(args: argparse.Namespace, out: TextIO) -> int:
    """`eval`: each file on its own document, citebot beside the baseline, then macro averages."""
    from retrieval.baseline import PlainBM25
    from retrieval.evaluation import (
        EvaluationError,
        check_expectations,
        format_table,
        load_eval,
        macro_average,
    )
    from retrieval.evaluation import evaluate as score
    from retrieval.search import KnowledgeBase

    config = _config(args)
    rows = []
    for path in args.files:
        try:
            eval_set = load_eval(path)
            if eval_set.document is None:
                kb = _knowledge(args, config)
            else:
                kb = KnowledgeBase.from_paths([eval_set.document], _settings(args, config))
            check_expectations(eval_set, kb.documents)
        except EvaluationError as exc:
            raise UsageError(str(exc)) from None
        ours = score(kb, eval_set.items)
        theirs = score(PlainBM25(kb.documents), eval_set.items)
        title = " + ".join(d.title for d in kb.documents)
        rows.append((title, ours.metrics(), theirs.metrics()))
        if args.json:
            record = {"file": str(path), "document": title, "citebot": ours.metrics()}
            _emit(record | {"baseline": theirs.metrics(), "misses": ours.misses}, out)
        elif args.misses:
            out.write(f"{title}: {count(len(ours.misses), 'miss', 'misses')}\n")
            out.writelines(f"  {miss}\n" for miss in ours.misses)
    if not args.json:
        out.write(format_table(rows) + "\n")
    elif len(rows) > 1:
        average = {"citebot": macro_average([r[1] for r in rows])}
        _emit(
            {"document": "macro average"}
            | average
            | {"baseline": macro_average([r[2] for r in rows])},
            out,
        )
    return 0


def check(args: argparse.Namespace, out: TextIO) -> int:
    """`check`: load everything as the bot would, show it, and exit 2 if the bot would refuse."""
    config = _config(args)
    kb = _knowledge(args, config)
    problems = bot_config_problems(config)
    summaries = [_document_summary(document) for document in kb.documents]
    d, r = config.discord, config.retrieval
    token = "set" if d.token else "missing"
    cache_dir = None if args.no_cache else str(_cache_dir(config))
    settings = {
        "top_k": r.top_k,
        "min_coverage": r.min_coverage,
        "cache_dir": cache_dir,
        "discord": {
            "token": token,
            "sync": d.sync,
            "guild_ids": list(d.guild_ids),
            "api_base_url": d.api_base_url,
            "feedback_db": str(d.feedback_db),
        },
    }
    if args.json:
        _emit({"documents": summaries, "settings": settings, "problems": problems}, out)
    else:
        for s in summaries:
            out.write(
                f"document {s['id']}: {s['title']!r}, {count(s['passages'], 'passage')}, "
                f"{count(s['sections'], 'section')}, {count(s['figures'], 'figure')}, "
                f"{count(s['events'], 'event')}\n"
                f"  references: {s['cited']} cited, {s['with_text']} with text, "
                f"{s['with_url']} with a URL\n"
                f"  source: {s['source'] or '(none)'}\n"
                f"  licence: {s['licence'] or '(none)'}\n"
            )
        out.write(
            f"answers: top {r.top_k}, min coverage {r.min_coverage}; "
            f"cache {cache_dir or 'off'}\n"
            f"discord: token {token}; sync {d.sync}; "
            f"guilds {list(d.guild_ids) or 'none'}; api {d.api_base_url}; "
            f"feedback db {d.feedback_db}\n"
        )
    for problem in problems:
        sys.stderr.write(f"citebot: {problem}\n")
    if problems:
        out.flush()
        sys.stderr.write(
            f"citebot: `citebot bot` would refuse this config ({count(len(problems), 'problem')})\n"
        )
    return USAGE_ERROR if problems else 0


def _document_summary(document: Any) -> dict[str, Any]:
    cited = {ref for p in document.passages for ref in p.refs}
    known = [document.references[n] for n in cited if n in document.references]
    return {
        "id": document.id,
        "title": document.title,
        "passages": len(document.passages),
        "sections": len({p.section for p in document.passages if p.section}),
        "figures": len(document.entities.figures),
        "events": len(document.entities.events),
        "cited": len(cited),
        "with_text": len(known),
        "with_url": sum(1 for reference in known if reference.url),
        "source": document.source_url,
        "licence": document.licence,
    }


def run_bot(args: argparse.Namespace, out: TextIO) -> int:
    """`bot`: validate as `check` does, load the documents, then serve Discord."""
    config = _config(args)
    problems = bot_config_problems(config)
    if problems:
        raise ConfigError("; ".join(problems))
    kb = _knowledge(args, config)
    from bot.runner import run  # discord.py only here and for `invite-url`

    # A reload loads what this start loaded: --knowledge, or the configured documents.
    return run(config, kb, lambda: _knowledge(args, config))


def invite(args: argparse.Namespace, out: TextIO) -> int:
    """`invite-url`: the OAuth2 link with the commands scope and the permissions the bot needs."""
    from bot.runner import invite_url

    out.write(invite_url(_config(args)) + "\n")
    return 0


def _feedback_store(args: argparse.Namespace) -> FeedbackStore:
    from bot.feedback import FeedbackStore, StoreError

    path = _config(args).discord.feedback_db
    try:
        return FeedbackStore.open_existing(path)  # read-only: never creates or upgrades it
    except StoreError as exc:
        raise UsageError(f"config key 'discord.feedback_db': {exc}") from None


def export_feedback(args: argparse.Namespace, out: TextIO) -> int:
    """`feedback export`: one row per stored question, as CSV or JSON lines."""
    store = _feedback_store(args)
    try:
        rows = store.export_rows(args.since)
        if args.format == "json":
            for row in rows:
                _emit(row, out)
            return 0
        writer: csv.DictWriter[str] | None = None
        for row in rows:
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(row), lineterminator="\n")
                writer.writeheader()
            writer.writerow(row)
    finally:
        store.close()
    return 0


def feedback_stats(args: argparse.Namespace, out: TextIO) -> int:
    """`feedback stats`: the numbers /stats shows, for every server, over the last N days."""
    store = _feedback_store(args)
    try:
        report = store.report(datetime.now(UTC) - timedelta(days=args.days))
    finally:
        store.close()
    if args.json:
        _emit(
            {
                "days": args.days,
                "questions": report.questions,
                "answered": report.answered,
                "up": report.up,
                "down": report.down,
                "unanswered": [{"question": q, "times": n} for q, n in report.unanswered],
                "disliked": [
                    {"question": d.query, "kind": d.kind, "down": d.down, "up": d.up}
                    for d in report.disliked
                ],
            },
            out,
        )
        return 0
    share = report.share_answered
    out.write(
        f"last {count(args.days, 'day')}: {count(report.questions, 'question')}, "
        f"{'no' if share is None else f'{share:.0%}'} answered; 👍 {report.up} · 👎 {report.down}\n"
    )
    if report.unanswered:
        out.write("most asked without an answer:\n")
        out.writelines(f"  {n}× {question}\n" for question, n in report.unanswered)
    if report.disliked:
        out.write("most 👎-voted answers:\n")
        out.writelines(f"  👎 {d.down} 👍 {d.up}  {d.query}\n" for d in report.disliked)
    return 0


def cache_info(args: argparse.Namespace, out: TextIO) -> int:
    """`cache info`: the cache folder and, newest first, what each entry holds."""
    from retrieval.cache import cache_info as read_info

    info = read_info(_cache_dir(_config(args)))
    if args.json:
        entries = [
            {
                "key": e.key,
                "titles": list(e.titles),
                "passages": e.passages,
                "bytes": e.bytes,
                "last_used": datetime.fromtimestamp(e.last_used, UTC).isoformat(timespec="seconds"),
                "readable": e.readable,
            }
            for e in info.entries
        ]
        _emit({"directory": str(info.directory), "bytes": info.bytes, "entries": entries}, out)
        return 0
    out.write(
        f"cache {info.directory}: {count(len(info.entries), 'entry', 'entries')}, "
        f"{_size(info.bytes)}\n"
    )
    for e in info.entries:
        used = datetime.fromtimestamp(e.last_used, UTC).strftime("%Y-%m-%d %H:%M UTC")
        what = " + ".join(e.titles) if e.readable else "(unreadable: rebuilt on next use)"
        out.write(
            f"  {e.key}  {_size(e.bytes)}, {count(e.passages, 'passage')}, used {used}: {what}\n"
        )
    return 0


def cache_clear(args: argparse.Namespace, out: TextIO) -> int:
    """`cache clear`: delete the files citebot keeps in the cache folder, nothing else."""
    from retrieval.cache import clear_cache

    directory = _cache_dir(_config(args))
    try:
        cleared = clear_cache(directory)
    except OSError as exc:
        raise UsageError(f"cannot clear the cache in {directory}: {exc.strerror or exc}") from None
    out.write(
        f"removed {count(cleared.entries, 'entry', 'entries')} ({_size(cleared.bytes)}) "
        f"from {directory}\n"
    )
    return 0


def _size(n: int) -> str:
    for scale, unit in ((10**9, "GB"), (10**6, "MB"), (10**3, "kB")):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return count(n, "byte")


def run(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args, out)
    except (UsageError, ConfigError, KnowledgeError) as exc:
        sys.stderr.write(f"citebot: {exc}\n")
        return USAGE_ERROR
    except BrokenPipeError:
        return 0  # `citebot ask - | head` is fine
    return code


def main() -> NoReturn:
    """Console-script entry point."""
    sys.exit(run())
