"""Evaluation of answers on YAML files of questions, each file naming the document it is about.

A file is a mapping `{document: PATH, items: [...]}` (PATH relative to the file) or, for the
loaded knowledge, a bare list of items. Each item is one of:
  - {ask: QUESTION, expect: TEXT}   TEXT is the start of the passage that answers it
                                    (or a list of them, where several passages say it)
  - {ask: QUESTION, expect: null}   out of scope: the right answer is found=False; with
                                    `on_topic: true` when it asks about the document's topic
                                    what the document does not say
  - {figure: NAME, expect: NAMES}   NAME must resolve to the person NAMES (a name or a list of
                                    the forms the text uses) or the first passage shown must
                                    name them by one of those forms
  - {event: NAME, expect: TEXT}     the start of the passage that best describes the event
Texts are compared with their spaces normalised (hair and no-break spaces count as one).
The same items score citebot and the plain rank-bm25 baseline (retrieval/baseline.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from knowledge.document import Document
from knowledge.text import fold
from retrieval.answers import Answer

KINDS = ("ask", "figure", "event")
# Ranks looked at for hit@k and MRR.
DEPTH = 10


class EvaluationError(Exception):
    """An evaluation file that cannot be used; the message names the file and item."""


class Answering(Protocol):
    """What evaluation needs of a system: citebot's KnowledgeBase or the baseline."""

    def ask(self, query: str, top_k: int = ...) -> Answer: ...
    def figure(self, name: str, top_k: int = ...) -> Answer: ...
    def event(self, name: str, top_k: int = ...) -> Answer: ...


@dataclass(frozen=True)
class EvalSet:
    """One evaluation file: its items and the document they are about (None: the loaded ones)."""

    path: Path
    document: Path | None
    items: list[dict[str, Any]]


@dataclass
class Report:
    """Counts and misses of one evaluation run."""

    questions: int = 0
    hit1: int = 0
    hit3: int = 0
    reciprocal_rank: float = 0.0
    refused: int = 0  # in-scope questions answered "not covered"
    weak: int = 0  # in-scope questions answered, flagged as a weak match
    out_of_scope: int = 0
    abstained: int = 0
    on_topic: int = 0  # out-of-scope questions on the document's topic ("on_topic: true")
    on_topic_abstained: int = 0
    figures: int = 0
    figures_right: int = 0
    events: int = 0
    events_right: int = 0
    misses: list[str] = field(default_factory=list)

    def metrics(self) -> dict[str, float | int]:
        """The headline figures, as fractions of their counts."""
        return {
            "questions": self.questions,
            "hit@1": _share(self.hit1, self.questions),
            "hit@3": _share(self.hit3, self.questions),
            "mrr": _share(self.reciprocal_rank, self.questions),
            "false_refusals": _share(self.refused, self.questions),
            "weak": _share(self.weak, self.questions),
            "figures": self.figures,
            "figure_top1": _share(self.figures_right, self.figures),
            "events": self.events,
            "event_hit@1": _share(self.events_right, self.events),
            "out_of_scope": self.out_of_scope,
            "abstention": _share(self.abstained, self.out_of_scope),
            "abstention_unrelated": _share(
                self.abstained - self.on_topic_abstained, self.out_of_scope - self.on_topic
            ),
            "on_topic": self.on_topic,
            "abstention_on_topic": _share(self.on_topic_abstained, self.on_topic),
        }


def _share(part: float, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def load_eval(path: Path) -> EvalSet:
    """Read and check the shape of an evaluation file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise EvaluationError(f"{path}: cannot read ({exc})") from None
    except yaml.YAMLError:
        raise EvaluationError(f"{path}: not valid YAML") from None
    document = None
    if isinstance(raw, dict):
        if set(raw) != {"document", "items"} or not isinstance(raw["document"], str):
            raise EvaluationError(f"{path}: expected the keys 'document' (a path) and 'items'")
        document = (path.parent / raw["document"]).resolve()
        raw = raw["items"]
    if not isinstance(raw, list) or not raw:
        raise EvaluationError(f"{path}: expected a non-empty list of items")
    for number, item in enumerate(raw, start=1):
        kinds = [k for k in KINDS if isinstance(item, dict) and k in item]
        if len(kinds) != 1 or "expect" not in item:
            raise EvaluationError(f"{path} item {number}: needs one of ask/figure/event and expect")
    return EvalSet(path, document, raw)


def load_items(path: Path) -> list[dict[str, Any]]:
    """The items of an evaluation file."""
    return load_eval(path).items


def check_expectations(eval_set: EvalSet, documents: Sequence[Document]) -> None:
    """Refuse a file whose expected passage starts match no passage of the documents.

    A typo in an expectation would otherwise count as a miss of every system alike.
    """
    texts = [_squash(p.text) for d in documents for p in d.passages]
    for number, item in enumerate(eval_set.items, start=1):
        if "figure" in item or item["expect"] is None:
            continue
        for text in _accepted(item["expect"]):
            if not any(t.startswith(_squash(text)) for t in texts):
                raise EvaluationError(
                    f"{eval_set.path} item {number}: no passage starts with {text!r}"
                )


def _squash(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _accepted(expect: object) -> list[str]:
    return [str(text) for text in (expect if isinstance(expect, list) else [expect])]


def _matches(passage: str, expect: object) -> bool:
    """Whether a passage starts with an expected text, whatever spaces the source used."""
    return any(_squash(passage).startswith(_squash(text)) for text in _accepted(expect))


def _names(passage: str, expect: object) -> bool:
    """Whether a passage names a person by one of the expected forms, case and accents aside."""
    folded = fold(passage)
    return any(
        re.search(rf"(?<!\w){re.escape(fold(name))}(?!\w)", folded) for name in _accepted(expect)
    )


def evaluate(system: Answering, items: Iterable[dict[str, Any]]) -> Report:
    """Run every item against a system and count hits."""
    report = Report()
    for item in items:
        expect = item["expect"]
        if "ask" in item:
            question = str(item["ask"])
            answer = system.ask(question, top_k=DEPTH)
            if expect is None:
                report.out_of_scope += 1
                report.abstained += not answer.found
                if item.get("on_topic"):
                    report.on_topic += 1
                    report.on_topic_abstained += not answer.found
                if answer.found:
                    report.misses.append(f"answered out-of-scope: {question}")
                continue
            report.questions += 1
            if not answer.found:
                report.refused += 1
                report.misses.append(f"refused: {question}")
                continue
            report.weak += answer.weak
            ranks = [i for i, h in enumerate(answer.hits, 1) if _matches(h.text, expect)]
            rank = ranks[0] if ranks else 0
            report.hit1 += rank == 1
            report.hit3 += 1 <= rank <= 3
            report.reciprocal_rank += 1 / rank if rank else 0.0
            if rank != 1:
                report.misses.append(f"rank {rank or f'>{DEPTH}'}: {question}")
        elif "figure" in item:
            report.figures += 1
            answer = system.figure(str(item["figure"]))
            # Right when the person it resolved to is the expected one, or, for a search that
            # resolved to nobody (and for the baseline), when the first passage names them.
            resolved = answer.subject is not None and fold(answer.subject) in {
                fold(name) for name in _accepted(expect)
            }
            right = bool(answer.hits) and (resolved or _names(answer.hits[0].text, expect))
            report.figures_right += right
            if not right:
                report.misses.append(f"figure {item['figure']!r} -> {answer.subject}")
        else:
            report.events += 1
            answer = system.event(str(item["event"]))
            right = bool(answer.hits) and _matches(answer.hits[0].text, expect)
            report.events_right += right
            if not right:
                report.misses.append(f"event {item['event']!r} -> {answer.subject}")
    return report


# Columns of the cross-document table: (metric key, heading).
COLUMNS = (
    ("hit@1", "hit@1"),
    ("hit@3", "hit@3"),
    ("mrr", "MRR"),
    ("figure_top1", "figure top-1"),
    ("event_hit@1", "event hit@1"),
    ("abstention", "abstention"),
    ("abstention_unrelated", "abstention, unrelated"),
    ("abstention_on_topic", "abstention, on-topic"),
    ("false_refusals", "false refusals"),
)
# Which count each metric is a share of: a document with none of them has no such figure.
_DENOMINATOR = {
    "figure_top1": "figures",
    "event_hit@1": "events",
    "abstention": "out_of_scope",
    "abstention_unrelated": "out_of_scope",
    "abstention_on_topic": "on_topic",
}


def macro_average(rows: Sequence[dict[str, float | int]]) -> dict[str, float]:
    """Each metric's mean over the documents that have items for it."""
    average: dict[str, float] = {}
    for key, _ in COLUMNS:
        values = [row[key] for row in rows if row[_DENOMINATOR.get(key, "questions")]]
        average[key] = round(sum(values) / len(values), 4) if values else 0.0
    return average


def _cell(metrics: dict[str, Any], key: str) -> str:
    if key in _DENOMINATOR and not metrics.get(_DENOMINATOR[key], 1):
        return "–"
    return f"{metrics[key]:.3f}"


def format_table(
    rows: Sequence[tuple[str, dict[str, Any], dict[str, Any]]],
) -> str:
    """A Markdown table: per document, citebot and the baseline, then their macro averages.

    `rows` holds (document title, citebot metrics, baseline metrics).
    """
    head = "| document | questions | system | " + " | ".join(h for _, h in COLUMNS) + " |"
    lines = [head, "|" + "---|" * (3 + len(COLUMNS))]
    for title, ours, theirs in rows:
        for system, metrics in (("citebot", ours), ("rank-bm25", theirs)):
            cells = " | ".join(_cell(metrics, key) for key, _ in COLUMNS)
            lines.append(f"| {title} | {ours['questions']} | {system} | {cells} |")
    if len(rows) > 1:
        for system, column in (
            ("citebot", [r[1] for r in rows]),
            ("rank-bm25", [r[2] for r in rows]),
        ):
            average = macro_average(column)
            cells = " | ".join(f"{average[key]:.3f}" for key, _ in COLUMNS)
            lines.append(f"| **macro average** | | {system} | {cells} |")
    return "\n".join(lines)


@dataclass(frozen=True)
class EntityScore:
    """Precision and recall of found names against labelled ones, with the disagreements."""

    precision: float
    recall: float
    wrong: tuple[str, ...]  # found, but no labelled entity
    missed: tuple[str, ...]  # labelled, but not found


@dataclass(frozen=True)
class Labels:
    """Hand labels of one document: each person and named event as the name forms it has,
    and the document they label (None: that of the evaluation file beside them)."""

    people: list[list[str]]
    events: list[list[str]]
    document: Path | None = None


def load_labels(path: Path) -> Labels:
    """A labels file: {people: [[name forms...], ...], events: [[...], ...]}, and optionally
    the `document` (a path relative to the file) they label."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise EvaluationError(f"{path}: cannot read ({exc})") from None
    if not isinstance(raw, dict) or not all(
        isinstance(raw.get(k), list | type(None)) for k in ("people", "events")
    ):
        raise EvaluationError(f"{path}: expected lists 'people' and 'events'")
    named = raw.get("document")
    return Labels(
        people=[list(map(str, forms)) for forms in raw.get("people") or []],
        events=[list(map(str, forms)) for forms in raw.get("events") or []],
        document=(path.parent / named).resolve() if isinstance(named, str) else None,
    )


def score_names(
    found: Sequence[tuple[str, Sequence[str]]], labelled: Sequence[Sequence[str]]
) -> EntityScore:
    """Score found (name, aliases) against labelled name forms, case and accents aside.

    A found entity is right when its name or an alias is a form of some labelled one ("Adolf
    Hitler", alias "Hitler", is the labelled "Hitler"); a labelled one is found when some found
    entity's name or alias is one of its forms.
    """
    forms = [{fold(f) for f in label} for label in labelled]
    names = [{fold(n) for n in (name, *aliases)} for name, aliases in found]
    wrong = tuple(
        name for (name, _), own in zip(found, names, strict=True) if not any(own & f for f in forms)
    )
    missed = tuple(
        label[0] for label, f in zip(labelled, forms, strict=True) if not any(f & n for n in names)
    )
    precision = 1 - len(wrong) / len(found) if found else 1.0
    recall = 1 - len(missed) / len(labelled) if labelled else 1.0
    return EntityScore(round(precision, 3), round(recall, 3), wrong, missed)


def entity_scores(kb: Any, labels: Labels) -> tuple[EntityScore, EntityScore]:
    """People and named events of a KnowledgeBase against labels (dated mentions left out)."""
    people = [(name, aliases) for name, aliases, _ in kb.figures()]
    events = [(name, (name,)) for name, when, _ in kb.events() if when != name]
    return score_names(people, labels.people), score_names(events, labels.events)
