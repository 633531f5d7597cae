"""Ranking quality of citebot against plain rank-bm25 baselines on the same evaluation file.

    python bench/eval_baselines.py [EVAL_FILE]

Baselines use rank-bm25's BM25Okapi directly on the same passages: (1) whitespace tokens,
(2) lower-cased words, stopwords out, Snowball stems. Both rank only; citebot's numbers include
its abstention (a question it abstains on counts as a miss).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import Stemmer
from rank_bm25 import BM25Okapi

from retrieval.analyzer import STOPWORDS
from retrieval.evaluation import _matches, evaluate, load_items
from retrieval.search import KnowledgeBase

EVAL = (
    Path(__file__).resolve().parent.parent
    / "tests"
    / "data"
    / "eval"
    / "anti-stalinist-left.eval.yaml"
)
_STEM = Stemmer.Stemmer("english")


def whitespace(text: str) -> list[str]:
    return text.split()


def stemmed(text: str) -> list[str]:
    words = re.findall(r"\w+", text.lower())
    return [str(stem) for stem in _STEM.stemWords([w for w in words if w not in STOPWORDS])]


def baseline(
    kb: KnowledgeBase, items: list[dict[str, object]], tokens: Callable[[str], list[str]]
) -> dict[str, float]:
    passages = [p for d in kb.documents for p in d.passages]
    bm25 = BM25Okapi([tokens(p.text) or [""] for p in passages])
    asked = [i for i in items if "ask" in i and i["expect"] is not None]
    hit1 = hit3 = rr = 0.0
    for item in asked:
        scores = bm25.get_scores(tokens(str(item["ask"])))
        order = sorted(range(len(passages)), key=lambda i: -scores[i])
        ranks = [r for r, i in enumerate(order, 1) if _matches(passages[i].text, item["expect"])]
        rank = ranks[0] if ranks else 0
        hit1 += rank == 1
        hit3 += 1 <= rank <= 3
        rr += 1 / rank if rank else 0
    n = len(asked)
    return {"hit@1": hit1 / n, "hit@3": hit3 / n, "mrr": rr / n}


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else EVAL
    items = load_items(path)
    kb = KnowledgeBase.from_paths([])
    rows = {
        "rank-bm25, whitespace tokens": baseline(kb, items, whitespace),
        "rank-bm25, Snowball-stemmed words": baseline(kb, items, stemmed),
        "citebot": {
            k: float(v)
            for k, v in evaluate(kb, items).metrics().items()
            if k in ("hit@1", "hit@3", "mrr")
        },
    }
    print("| method | hit@1 | hit@3 | MRR |\n|---|---|---|---|")
    for name, m in rows.items():
        print(f"| {name} | {m['hit@1']:.3f} | {m['hit@3']:.3f} | {m['mrr']:.3f} |")


if __name__ == "__main__":
    main()
