"""Write retrieval/data/english-frequency.txt: how common each index term is in general English.

    pip install wordfreq && python bench/make_english_frequency.py

The no-answer rule weighs a question's terms by how rare they are in English at large, not in
the loaded documents, so that the weights mean the same for every document (see
retrieval/evidence.py). The table comes from wordfreq's English list (data CC BY-SA 4.0, by
Robyn Speer and contributors: https://github.com/rspeer/wordfreq), passed through citebot's own
analyzer so its keys are the index terms questions are made of. Run it again whenever
ANALYZER_VERSION changes; a test fails until the table matches the analyzer.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import wordfreq

from retrieval.analyzer import ANALYZER_VERSION, STOPWORDS, analyze

OUT = Path(__file__).resolve().parent.parent / "retrieval" / "data" / "english-frequency.txt"
# The 60,000 most frequent English words reach down to a Zipf frequency of about 2.5 (three
# uses per billion words); rarer words are all "rare" to the no-answer rule.
WORDS = 60_000
# Numbers and years are question words too: "what happened in 1948". (wordfreq's figures for
# decades such as "1930s" and for future years are too low to use: they are left out, as rare.)
NUMBERS = [str(n) for n in range(2031)]
# Stopwords rarer than this (wordfreq splits "shan't" apart, so it sees "whens" as rare) would
# make a typo's reading rarer, not commoner: left out.
COMMON_STOPWORD = 3.0


def main() -> None:
    per_billion: dict[str, float] = defaultdict(float)
    words = [*wordfreq.top_n_list("en", WORDS), *NUMBERS]
    for word in dict.fromkeys(words):
        frequency = wordfreq.word_frequency(word, "en") * 1e9
        for term in dict.fromkeys(analyze(word)):
            per_billion[term] += frequency
    # Stopwords are no index terms, but typos of them are typed ("wich"): kept as themselves,
    # so that a typo reads as the function word it misspells.
    for word in STOPWORDS:
        if wordfreq.zipf_frequency(word, "en") >= COMMON_STOPWORD:
            per_billion[word] += wordfreq.word_frequency(word, "en") * 1e9
    bands: dict[float, list[str]] = defaultdict(list)
    for term, frequency in per_billion.items():
        if frequency > 0:
            bands[round(math.log10(frequency), 1)].append(term)
    lines = [
        "# Zipf frequency (log10 of uses per billion words) of citebot's index terms in English.",
        "# Made by bench/make_english_frequency.py from wordfreq's English data (CC BY-SA 4.0,",
        "# https://github.com/rspeer/wordfreq). One band a line: ZIPF<TAB>terms.",
        f"analyzer\t{ANALYZER_VERSION}",
    ]
    for zipf in sorted(bands, reverse=True):
        lines.append(f"{zipf}\t{' '.join(sorted(bands[zipf]))}")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(per_billion)} terms in {len(bands)} bands")


if __name__ == "__main__":
    main()
