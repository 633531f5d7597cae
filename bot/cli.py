"""The `citebot` command: ask questions locally, inspect the knowledge, run the Discord bot.

Only `citebot bot` and `citebot invite-url` import discord.py, so local questions start fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from bot.config import Config, ConfigError, load_config
from bot.terminal import render_answer, render_timeline
from knowledge.document import KnowledgeError
from retrieval.answers import Answer
from retrieval.baseline import PlainBM25
from retrieval.evaluation import (
    EvaluationError,
    check_expectations,
    evaluate,
    format_table,
    load_eval,
    macro_average,
)
from retrieval.search import KnowledgeBase, SearchSettings

DEFAULT_CONFIG = Path("config.yaml")
USAGE_ERROR = 2


class UsageError(Exception):
    """Bad input from the person at the terminal: one line on stderr, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, not a usage dump: the hint says where the full help is.
        self.exit(USAGE_ERROR, f"citebot: {message} (see citebot --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The command line: subcommands with their shared options."""
    common = _Parser(add_help=False)
    common.add_argument(
        "--config", type=Path, metavar="PATH", help="YAML config file (default: ./config.yaml)"
    )
    common.add_argument(
        "--knowledge",
        type=Path,
        action="append",
        metavar="PATH",
        help="document file or folder; repeat for more; replaces the configured knowledge",
    )
    common.add_argument("--json", action="store_true", help="print JSON, one object a line")
    common.add_argument("--top-k", type=int, metavar="K", help="passages per answer (default 3)")

    parser = _Parser(
        prog="citebot",
        description="Answers questions with a document's own passages and citation numbers.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=help_text, parents=[common], description=help_text)

    command("ask", "answer a question ('-': one question a line from stdin)").add_argument(
        "query", metavar="QUESTION"
    )
    command("figure", "a person's passages ('-': one name a line from stdin)").add_argument(
        "query", metavar="NAME"
    )
    command("event", "an event's passages, by name or year ('-': stdin)").add_argument(
        "query", metavar="NAME_OR_YEAR"
    )
    command("ref", "a reference's text and the passages that cite it").add_argument(
        "query", metavar="NUMBER"
    )
    command("timeline", "dated events in chronological order")
    command("figures", "the people found in the documents")
    command("events", "the named and dated events found in the documents")
    evaluation = command("eval", "score answers on evaluation files, beside plain rank-bm25")
    evaluation.add_argument("files", type=Path, nargs="+", metavar="FILE")
    evaluation.add_argument("--misses", action="store_true", help="list each miss of citebot's")
    command("check", "validate the config and knowledge offline and show what would be served")
    command("bot", "run the Discord bot")
    command("invite-url", "print the OAuth2 URL that adds the bot to a server")
    return parser


def _config(args: argparse.Namespace) -> Config:
    path: Path | None = args.config
    if path is None and DEFAULT_CONFIG.is_file():
        path = DEFAULT_CONFIG
    return load_config(path)


def _knowledge(args: argparse.Namespace, config: Config) -> KnowledgeBase:
    paths = tuple(args.knowledge) if args.knowledge else config.knowledge
    return KnowledgeBase.from_paths(paths, _settings(config))


def _settings(config: Config) -> SearchSettings:
    return SearchSettings(
        min_coverage=config.retrieval.min_coverage, cache_dir=config.retrieval.cache_dir
    )


def _queries(query: str, stdin: TextIO) -> Iterator[str]:
    if query != "-":
        if not query.strip():
            raise UsageError("the question is empty")
        yield query
        return
    for line in stdin:
        if line.strip():
            yield line.strip()


def _emit(data: Any, out: TextIO) -> None:
    out.write(json.dumps(data, ensure_ascii=False) + "\n")


def _reference(kb: KnowledgeBase) -> Callable[[str, int], Answer]:
    def lookup(number: str, top_k: int) -> Answer:
        digits = number.strip().lstrip("[").rstrip("]")  # "19" or "[19]", as answers show it
        if not digits.isdigit():
            raise UsageError(f"a reference is a number, not {number!r}")
        return kb.reference(int(digits), top_k)

    return lookup


def _run_queries(args: argparse.Namespace, kb: KnowledgeBase, top_k: int, out: TextIO) -> None:
    lookups: dict[str, Callable[[str, int], Answer]] = {
        "ask": kb.ask,
        "figure": kb.figure,
        "event": kb.event,
        "ref": _reference(kb),
    }
    lookup = lookups[args.command]
    first = True
    for query in _queries(args.query, sys.stdin):
        answer: Answer = lookup(query, top_k)
        if args.json:
            _emit(answer.to_json(), out)
        else:
            out.write(("" if first else "\n" + "─" * 40 + "\n") + render_answer(answer) + "\n")
        out.flush()  # so a script reading line by line gets each answer as it comes
        first = False


def _check(config: Config, kb: KnowledgeBase, out: TextIO) -> None:
    d = config.discord
    for document in kb.documents:
        cited = {ref for p in document.passages for ref in p.refs}
        known = [document.references[n] for n in cited if n in document.references]
        sections = {p.section for p in document.passages if p.section}
        out.write(
            f"document {document.id}: {document.title!r}, {len(document.passages)} passages, "
            f"{len(sections)} sections, {len(document.entities.figures)} figures, "
            f"{len(document.entities.events)} events\n"
            f"  references: {len(cited)} cited, {len(known)} with text, "
            f"{sum(1 for r in known if r.url)} with a URL\n"
            f"  source: {document.source_url or '(none)'}\n"
            f"  licence: {document.licence or '(none)'}\n"
        )
    out.write(
        f"answers: top {config.retrieval.top_k}, min coverage {config.retrieval.min_coverage}\n"
        f"discord: token {'set' if d.token else 'MISSING (discord.token or DISCORD_TOKEN)'}; "
        f"sync {d.sync}; guilds {list(d.guild_ids) or 'none'}; api {d.api_base_url}; "
        f"feedback db {d.feedback_db}\n"
    )


def run(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        config = _config(args)
        top_k = args.top_k if args.top_k is not None else config.retrieval.top_k
        if not 1 <= top_k <= 25:
            raise UsageError("--top-k must be between 1 and 25")
        if args.command == "invite-url":
            from bot.runner import invite_url  # discord.py only here and for `bot`

            out.write(invite_url(config) + "\n")
            return 0
        if args.command == "eval":
            _evaluate(args, config, out)
            return 0
        kb = _knowledge(args, config)
        if args.command in ("ask", "figure", "event", "ref"):
            _run_queries(args, kb, top_k, out)
        elif args.command == "timeline":
            entries = kb.timeline()
            if args.json:
                for entry in entries:
                    hits = [hit.to_json() for hit in entry.hits]
                    _emit({"when": entry.when, "label": entry.label, "results": hits}, out)
            else:
                out.write(render_timeline(entries) + "\n")
        elif args.command in ("figures", "events"):
            _list_entities(args, kb, out)
        elif args.command == "check":
            _check(config, kb, out)
        else:
            from bot.runner import run as run_bot

            # A reload loads what this start loaded: --knowledge, or the configured documents.
            return run_bot(config, kb, lambda: _knowledge(args, config))
    except (UsageError, ConfigError, KnowledgeError, EvaluationError) as exc:
        sys.stderr.write(f"citebot: {exc}\n")
        return USAGE_ERROR
    except BrokenPipeError:
        return 0  # `citebot ask - | head` is fine
    return 0


def _evaluate(args: argparse.Namespace, config: Config, out: TextIO) -> None:
    """Each file on its own document, citebot beside the baseline, then macro averages."""
    rows = []
    for path in args.files:
        eval_set = load_eval(path)
        if eval_set.document is None:
            kb = _knowledge(args, config)
        else:
            kb = KnowledgeBase.from_paths([eval_set.document], _settings(config))
        check_expectations(eval_set, kb.documents)
        ours = evaluate(kb, eval_set.items)
        theirs = evaluate(PlainBM25(kb.documents), eval_set.items)
        title = " + ".join(d.title for d in kb.documents)
        rows.append((title, ours.metrics(), theirs.metrics()))
        if args.json:
            _emit(
                {
                    "file": str(path),
                    "document": title,
                    "citebot": ours.metrics(),
                    "baseline": theirs.metrics(),
                    "misses": ours.misses,
                },
                out,
            )
        elif args.misses:
            out.write(f"{title}: {len(ours.misses)} misses\n")
            out.writelines(f"  {miss}\n" for miss in ours.misses)
    if args.json:
        if len(rows) > 1:
            _emit(
                {
                    "document": "macro average",
                    "citebot": macro_average([row[1] for row in rows]),
                    "baseline": macro_average([row[2] for row in rows]),
                },
                out,
            )
    else:
        out.write(format_table(rows) + "\n")


def _list_entities(args: argparse.Namespace, kb: KnowledgeBase, out: TextIO) -> None:
    if args.command == "figures":
        for name, aliases, count in kb.figures():
            if args.json:
                _emit({"name": name, "aliases": list(aliases), "passages": count}, out)
            else:
                others = ", ".join(a for a in aliases if a != name)
                out.write(f"{name}{f' ({others})' if others else ''}: {count} passages\n")
    else:
        for name, when, count in kb.events():
            if args.json:
                _emit({"name": name, "when": when, "passages": count}, out)
            else:
                out.write(f"{name}{f' ({when})' if when and when != name else ''}: {count}\n")


def main() -> NoReturn:
    """Console-script entry point."""
    sys.exit(run())
