"""Choose the no-answer rule's two constants on some documents and report them on the others.

    python bench/eval_thresholds.py

For every evaluation file in tests/data/eval, and every pair of `common_zipf` (the English
frequency from which words carry no evidence) and `min_coverage` (the share of a question's
informative weight the documents must hold) on a grid, the ask questions are answered. Then,
leaving one document out at a time, the pair is chosen on the other documents (the most hits
at rank 1 among pairs that refuse at least ABSTENTION_FLOOR of the unrelated questions, all
questions pooled) and reported on the document left out. Last, the pair chosen on all
documents: the shipped default.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path
from statistics import mean

from retrieval.evaluation import evaluate, load_eval
from retrieval.search import KnowledgeBase

EVAL = Path(__file__).resolve().parent.parent / "tests" / "data" / "eval"
COMMON_ZIPF = (5.0, 5.5, 6.0, 6.5, 7.0)
MIN_COVERAGE = (0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
# The bar for refusing questions that have nothing to do with the documents.
ABSTENTION_FLOOR = 0.9
Pair = tuple[float, float]


def measure() -> dict[str, dict[Pair, dict[str, float | int]]]:
    """Metrics of the ask questions per document and per pair of constants."""
    results: dict[str, dict[Pair, dict[str, float | int]]] = {}
    for path in sorted(EVAL.glob("*.eval.yaml")):
        eval_set = load_eval(path)
        kb = KnowledgeBase.from_paths([eval_set.document] if eval_set.document else [])
        asks = [item for item in eval_set.items if "ask" in item]
        title = kb.documents[0].title
        results[title] = {}
        for common, coverage in itertools.product(COMMON_ZIPF, MIN_COVERAGE):
            kb.settings = replace(kb.settings, common_zipf=common, min_coverage=coverage)
            results[title][common, coverage] = evaluate(kb, asks).metrics()
    return results


def choose(results: dict[str, dict[Pair, dict[str, float | int]]], documents: list[str]) -> Pair:
    """The pair with the most hits at rank 1 over `documents` among those that refuse at
    least ABSTENTION_FLOOR of their unrelated questions, all questions pooled (each question
    counts once, whatever the size of its document's set)."""

    def pooled(pair: Pair, key: str, count: str) -> float:
        rows = [results[d][pair] for d in documents]
        total = sum(int(r[count]) for r in rows)
        return sum(float(r[key]) * int(r[count]) for r in rows) / total if total else 0.0

    def unrelated(pair: Pair) -> float:
        rows = [results[d][pair] for d in documents]
        total = sum(int(r["out_of_scope"]) - int(r["on_topic"]) for r in rows)
        refused = sum(
            float(r["abstention_unrelated"]) * (int(r["out_of_scope"]) - int(r["on_topic"]))
            for r in rows
        )
        return refused / total if total else 0.0

    pairs = list(itertools.product(COMMON_ZIPF, MIN_COVERAGE))
    admissible = [p for p in pairs if unrelated(p) >= ABSTENTION_FLOOR]
    return max(
        admissible or pairs,
        key=lambda p: (pooled(p, "hit@1", "questions"), pooled(p, "hit@3", "questions")),
    )


def main() -> None:
    results = measure()
    documents = list(results)
    keys = ("hit@1", "hit@3", "false_refusals", "abstention_unrelated", "abstention_on_topic")
    print("Leave one document out: constants chosen on the others, reported on it.\n")
    print("| left out | common_zipf | min_coverage | " + " | ".join(keys) + " |")
    print("|---|---|---|" + "---|" * len(keys))
    held_out = []
    for document in documents:
        pair = choose(results, [d for d in documents if d != document])
        metrics = results[document][pair]
        held_out.append(metrics)
        cells = " | ".join(f"{float(metrics[k]):.3f}" for k in keys)
        print(f"| {document} | {pair[0]} | {pair[1]} | {cells} |")
    cells = " | ".join(f"{mean(float(m[k]) for m in held_out):.3f}" for k in keys)
    print(f"| **mean** | | | {cells} |")
    common, coverage = choose(results, documents)
    print(
        f"\nChosen on all {len(documents)} documents: common_zipf {common}, min_coverage {coverage}"
    )


if __name__ == "__main__":
    main()
