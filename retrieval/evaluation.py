"""Evaluation of a KnowledgeBase on a YAML file of questions with their expected answers.

Each item is one of:
  - {ask: QUESTION, expect: TEXT}   TEXT is the start of the passage that answers it
                                    (or a list of them, where several passages say it)
  - {ask: QUESTION, expect: null}   out of scope: the right answer is found=False
  - {figure: NAME, expect: FIGURE}  the figure the name must resolve to
  - {event: NAME, expect: TEXT}     the start of the event's first passage
Texts are compared with their spaces normalised (hair and no-break spaces count as one).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from retrieval.search import KnowledgeBase


class EvaluationError(Exception):
    """An evaluation file that cannot be used; the message names the file and item."""


@dataclass
class Report:
    """Counts and misses of one evaluation run."""

    questions: int = 0
    hit1: int = 0
    hit3: int = 0
    reciprocal_rank: float = 0.0
    in_scope_abstained: int = 0
    out_of_scope: int = 0
    abstained: int = 0
    figures: int = 0
    figures_right: int = 0
    events: int = 0
    events_right: int = 0
    misses: list[str] = field(default_factory=list)

    def metrics(self) -> dict[str, float | int]:
        """The headline figures, as fractions of their counts."""

        def share(part: float, whole: int) -> float:
            return round(part / whole, 4) if whole else 0.0

        return {
            "questions": self.questions,
            "hit@1": share(self.hit1, self.questions),
            "hit@3": share(self.hit3, self.questions),
            "mrr": share(self.reciprocal_rank, self.questions),
            "in_scope_abstained": self.in_scope_abstained,
            "figure_top1": share(self.figures_right, self.figures),
            "figures": self.figures,
            "event_top1": share(self.events_right, self.events),
            "events": self.events,
            "abstention": share(self.abstained, self.out_of_scope),
            "out_of_scope": self.out_of_scope,
        }


def load_items(path: Path) -> list[dict[str, Any]]:
    """Read and check an evaluation file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise EvaluationError(f"{path}: cannot read ({exc})") from None
    except yaml.YAMLError:
        raise EvaluationError(f"{path}: not valid YAML") from None
    if not isinstance(raw, list) or not raw:
        raise EvaluationError(f"{path}: expected a non-empty list of items")
    for number, item in enumerate(raw, start=1):
        kinds = [k for k in ("ask", "figure", "event") if isinstance(item, dict) and k in item]
        if len(kinds) != 1 or "expect" not in item:
            raise EvaluationError(f"{path} item {number}: needs one of ask/figure/event and expect")
    return raw


def _squash(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _matches(passage: str, expect: object) -> bool:
    """Whether a passage starts with an expected text, whatever spaces the source used."""
    accepted = expect if isinstance(expect, list) else [expect]
    return any(_squash(passage).startswith(_squash(str(text))) for text in accepted)


def evaluate(kb: KnowledgeBase, items: list[dict[str, Any]]) -> Report:
    """Run every item against the knowledge base and count hits."""
    report = Report()
    for item in items:
        expect = item["expect"]
        if "ask" in item:
            answer = kb.ask(str(item["ask"]), top_k=10)
            if expect is None:
                report.out_of_scope += 1
                report.abstained += not answer.found
                if answer.found:
                    report.misses.append(f"answered out-of-scope: {item['ask']}")
                continue
            report.questions += 1
            if not answer.found:
                report.in_scope_abstained += 1
                report.misses.append(f"abstained: {item['ask']}")
                continue
            ranks = [i for i, h in enumerate(answer.hits, 1) if _matches(h.text, expect)]
            rank = ranks[0] if ranks else 0
            report.hit1 += rank == 1
            report.hit3 += 1 <= rank <= 3
            report.reciprocal_rank += 1 / rank if rank else 0.0
            if rank != 1:
                report.misses.append(f"rank {rank or '>10'}: {item['ask']}")
        elif "figure" in item:
            report.figures += 1
            answer = kb.figure(str(item["figure"]))
            right = answer.subject == expect
            report.figures_right += right
            if not right:
                report.misses.append(f"figure {item['figure']!r} -> {answer.subject}")
        else:
            report.events += 1
            answer = kb.event(str(item["event"]))
            right = bool(answer.hits) and _matches(answer.hits[0].text, expect)
            report.events_right += right
            if not right:
                report.misses.append(f"event {item['event']!r} -> {answer.subject}")
    return report
