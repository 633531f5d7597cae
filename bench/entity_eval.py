"""Precision and recall of the people and named events citebot finds, against hand labels.

    python bench/entity_eval.py [LABELS.entities.yaml ...]

Each labels file lists the people and named events of one document, each as the name forms the
text uses: the document its `document:` key names, or that of the evaluation file beside it
(tests/data/eval/NAME.entities.yaml). tests/data/heldout/ holds labels of an article the finder
was not developed on.
Dated mentions ("1937", "the 1930s") are not counted: they are read off the text mechanically.
"""

from __future__ import annotations

import sys
from pathlib import Path

from retrieval.evaluation import entity_scores, load_eval, load_labels
from retrieval.search import KnowledgeBase

EVAL = Path(__file__).resolve().parent.parent / "tests" / "data" / "eval"


def main() -> None:
    files = [Path(a) for a in sys.argv[1:]] or sorted(EVAL.glob("*.entities.yaml"))
    print("| document | people P | people R | events P | events R |\n|---|---|---|---|---|")
    for labels_path in files:
        labels = load_labels(labels_path)
        document = labels.document
        if document is None:
            eval_path = labels_path.with_name(labels_path.name.replace("entities", "eval"))
            document = load_eval(eval_path).document
        kb = KnowledgeBase.from_paths([document] if document else [])
        people, events = entity_scores(kb, labels)
        title = kb.documents[0].title
        print(
            f"| {title} | {people.precision:.2f} | {people.recall:.2f} "
            f"| {events.precision:.2f} | {events.recall:.2f} |"
        )
        for kind, score in (("person", people), ("event", events)):
            for name in score.wrong:
                print(f"  not a labelled {kind}: {name}", file=sys.stderr)
            for name in score.missed:
                print(f"  missed {kind}: {name}", file=sys.stderr)


if __name__ == "__main__":
    main()
