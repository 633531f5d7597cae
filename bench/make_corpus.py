"""Make a reproducible benchmark document of real English prose from Debian's dict-gcide.

The Collaborative International Dictionary of English (GCIDE, GPL) ships in dictd
format: ``gcide.index`` lists headword, offset and length (dictd base64) into the
gzip-compressed ``gcide.dict.dz``. Each entry's definitions are cleaned of markup
(pronunciations, etymologies, source tags, accent codes) and cut into passages of
roughly 30-90 words, written in the project's document format: UTF-8, the title on
the first non-empty line, passages separated by blank lines, and citation tags such
as ``[12]`` at the start of (and sometimes inside) many passages.

Output is deterministic for a given ``--seed`` and dict-gcide version, and every
corpus is a prefix of the larger ones: the passages of ``--passages 1000`` are the
first 1000 of ``--passages 1000000``. The dictionary yields ~100k natural passages;
beyond that, further rounds reshuffle its sentences into new passages.

    python bench/make_corpus.py --passages 100000 --out bench/data/corpus-100000.txt
"""

from __future__ import annotations

import argparse
import functools
import gzip
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

DEFAULT_DICT = Path("/usr/share/dictd/gcide.dict.dz")
TITLE = "Collaborative International Dictionary of English (benchmark extract)"
DEFAULT_SEED = 1913
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

# Accent and ligature codes such as [ae], [=a], [a^], [aum]: keep the letters.
_NAMED_CODES = {"ae": "ae", "oe": "oe", "eth": "th", "thorn": "th", "th": "th", "ng": "ng"}
_CODE = re.compile(r"\[([^\[\]\s]{1,6})\]")
_BRACKETS = re.compile(r"\[[^\[\]]*\]")  # etymologies, [Obs.], [1913 Webster], [syn: ...]
_PRONUNCIATION = re.compile(r"\\[^\\]*\\(\s*\([^)]*\))?")
_WORD_MARKS = re.compile(r"(?<=\w)[*\"`](?=\w)")  # syllable and stress marks inside words
_ATTRIBUTION = re.compile(r"--\s*(?:[A-Z][\w'-]*\.?,?\s*(?:&\s*)?)+")  # --Shak., --S. B. Griffin.
_HEAD_POS = re.compile(r"^[\s,]*(?:(?:[a-z]{1,5}\.|&)\s*)*")  # n., v. t., imp. & p. p.
_ACCENT = re.compile(r"^[a-z^=`'\"~.,*-]+$")
_SENSE = re.compile(r"(?:^|\s)(?:\d+\.|\([a-z]\))\s")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"])")
_SPACE = re.compile(r"\s+")
_LETTER_WORD = re.compile(r"^[A-Za-z][A-Za-z' -]*$")


def find_gcide_dict() -> Path:
    """Locate gcide.dict.dz (from ``dpkg -L dict-gcide``), or explain how to install it."""
    if shutil.which("dpkg"):
        listing = subprocess.run(
            ["dpkg", "-L", "dict-gcide"], capture_output=True, text=True, check=False
        ).stdout
        for line in listing.splitlines():
            if line.endswith("gcide.dict.dz"):
                return Path(line)
    if DEFAULT_DICT.exists():
        return DEFAULT_DICT
    raise FileNotFoundError("dict-gcide is not installed: run `bash bench/setup.sh` (apt).")


def _b64(value: str) -> int:
    """Decode dictd's base64 offsets (most significant digit first)."""
    number = 0
    for char in value:
        number = number * 64 + _B64.index(char)
    return number


def _decode_code(match: re.Match[str]) -> str:
    code = match.group(1)
    if code in _NAMED_CODES:
        return _NAMED_CODES[code]
    if code == "imac":
        return "i"
    if not _ACCENT.match(code):
        return match.group(0)  # a real bracket such as [R.] or [L.], removed later
    letters = re.sub(r"[^a-z]", "", code)
    if code.endswith("um") and len(letters) == 3:  # [aum]: a with umlaut
        return letters[0]
    return letters if 1 <= len(letters) <= 2 and len(letters) < len(code) else match.group(0)


def _clean_paragraph(para: str) -> str:
    para = para.replace("{", "").replace("}", "").replace("Note:", "")
    para = _WORD_MARKS.sub("", para)
    para = _ATTRIBUTION.sub("", para)  # per paragraph: attributions end their paragraph
    para = _SENSE.sub(" ", para)
    para = re.sub(r"\(\s*\)", " ", para)
    para = re.sub(r"\s+([,.;:])", r"\1", para)
    return _SPACE.sub(" ", para).strip(" ,;:")


def clean_entry(raw: str) -> tuple[str, str]:
    """(headword, definition prose) of one raw dictd entry."""
    head = raw.lstrip().split("\n", 1)[0].split("\\", 1)[0].strip().rstrip(",")
    text = _CODE.sub(_decode_code, raw)
    while True:  # brackets can nest ([OE. ... [ae]pl ...]); drop innermost first
        stripped = _BRACKETS.sub(" ", text)
        if stripped == text:
            break
        text = stripped
    text = _PRONUNCIATION.sub(" ", text)
    paragraphs: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        para = _SPACE.sub(" ", para).strip()
        if not paragraphs:  # the headword line: drop the headword and part of speech
            if para.lower().startswith(head.lower()):
                para = para[len(head) :]
            para = _HEAD_POS.sub("", para, count=1)
        if para.startswith(("Syn:", "Syn.", "See ", "Usage:")):
            continue
        para = _clean_paragraph(para)
        if para:
            paragraphs.append(para)
    return head, " ".join(paragraphs)


def iter_entries(dict_path: Path | None = None) -> Iterator[tuple[str, str]]:
    """(headword, prose) for every dictionary entry, in file order, each entry once."""
    path = dict_path or find_gcide_dict()
    index_path = path.with_name(path.name.replace(".dict.dz", ".index"))
    spans: dict[int, int] = {}
    for line in index_path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or parts[0].startswith("00-"):
            continue
        spans.setdefault(_b64(parts[1]), _b64(parts[2]))
    with gzip.open(path, "rb") as handle:
        data = handle.read()
    for offset in sorted(spans):
        raw = data[offset : offset + spans[offset]].decode("utf-8", errors="replace")
        head, prose = clean_entry(raw)
        if head and len(prose.split()) >= 4 and _LETTER_WORD.match(head):
            yield head, prose


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(text) if s]


@functools.cache
def _natural_passages(
    seed: int, dict_path: Path | None
) -> tuple[tuple[str, ...], tuple[tuple[str, int], ...]]:
    """Passages cut from whole entries (shuffled), and (headword, passage index) pairs."""
    entries = list(iter_entries(dict_path))
    random.Random(seed).shuffle(entries)  # a small corpus samples the whole alphabet
    rng = random.Random(seed + 1)
    passages: list[str] = []
    heads: list[tuple[str, int]] = []
    pending: list[str] = []  # short entries are merged until the passage is long enough
    for head, prose in entries:
        sentences = _sentences(f"{head}: {prose}")
        if not pending:
            heads.append((head, len(passages)))
        while sentences:
            target = rng.randint(30, 90)
            words = sum(len(s.split()) for s in pending)
            while sentences and (words < target or not pending):
                pending.append(sentences.pop(0))
                words += len(pending[-1].split())
            if words >= 25:
                passages.append(" ".join(pending))
                pending = []
    if pending:
        passages.append(" ".join(pending))
    return tuple(passages), tuple(heads)


def make_passages(count: int, seed: int = DEFAULT_SEED, dict_path: Path | None = None) -> list[str]:
    """The first ``count`` passages (plain prose, no tags) of the infinite sequence."""
    natural, _ = _natural_passages(seed, dict_path)
    passages = list(natural[:count])
    pool = [s for p in natural for s in _sentences(p)] if count > len(natural) else []
    if count > len(passages) and not pool:
        raise ValueError("the dictionary yielded no passages to build a corpus from")
    round_no = 1
    while len(passages) < count:
        rng = random.Random(seed * 1000 + round_no)
        order = list(range(len(pool)))
        rng.shuffle(order)
        position = 0
        while position < len(order) and len(passages) < count:
            target, chunk, words = rng.randint(30, 90), [], 0
            while position < len(order) and words < target:
                chunk.append(pool[order[position]])
                words += len(chunk[-1].split())
                position += 1
            passages.append(" ".join(chunk))
        round_no += 1
    return passages


def render_document(passages: list[str], seed: int = DEFAULT_SEED) -> str:
    """The document text: title line, then passages with citation tags, blank-line separated."""
    rng = random.Random(seed + 2)
    ref = 1
    blocks = [TITLE]
    for passage in passages:
        ref += rng.choice((0, 0, 1, 1, 2, 3))
        roll = rng.random()
        if roll < 0.45:
            passage = f"[{ref}] {passage}"
        elif roll < 0.55:
            passage = f"[{ref}][{ref + 1}] {passage}"
            ref += 1
        elif roll < 0.65:  # a tag inside the passage, after a sentence, as in real articles
            sentences = _sentences(passage)
            cut = rng.randrange(1, len(sentences)) if len(sentences) > 1 else 1
            passage = " ".join(sentences[:cut]) + f"[{ref}] " + " ".join(sentences[cut:])
            passage = passage.rstrip()
        blocks.append(passage)
    return "\n\n".join(blocks) + "\n"


def make_queries(count: int, seed: int = DEFAULT_SEED, dict_path: Path | None = None) -> list[str]:
    """Natural-language queries drawn from the first 1000 passages (so every corpus has them).

    About 40% ask about a headword ("what is a caravel"), the rest quote a 3-7 word
    phrase of a definition, as someone half-remembering a passage would.
    """
    natural, heads = _natural_passages(seed, dict_path)
    pool_size = min(1000, len(natural))
    heads_in_pool = [head for head, at in heads if at < pool_size]
    rng = random.Random(seed + 3)
    queries: list[str] = []
    while len(queries) < count:
        if rng.random() < 0.4 and heads_in_pool:
            head = rng.choice(heads_in_pool).lower()
            form = rng.choice(("what is a {}", "what does {} mean", "{}", "meaning of {}"))
            queries.append(form.format(head))
        else:
            words = re.findall(r"[A-Za-z][A-Za-z'-]*", natural[rng.randrange(pool_size)])
            length = rng.randint(3, 7)
            if len(words) <= length:
                continue
            start = rng.randrange(len(words) - length)
            queries.append(" ".join(words[start : start + length]).lower())
    return queries


def write_corpus(
    path: Path, passages: int, seed: int = DEFAULT_SEED, dict_path: Path | None = None
) -> Path:
    """Write the ``passages``-passage document to ``path`` (parents created) and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render_document(make_passages(passages, seed, dict_path), seed)
    tmp = path.with_name(path.name + ".tmp")  # a killed run leaves no half-written corpus
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    """Command line: write a corpus (and optionally queries, one per line)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=10_000, help="number of passages")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, help="output file (default: stdout)")
    parser.add_argument("--queries", type=int, default=0, help="also print N queries to stderr")
    parser.add_argument("--dict", type=Path, help="a dictd .dict.dz (default: dict-gcide's)")
    args = parser.parse_args(argv)
    if args.out:
        write_corpus(args.out, args.passages, args.seed, args.dict)
    else:
        passages = make_passages(args.passages, args.seed, args.dict)
        sys.stdout.write(render_document(passages, args.seed))
    for query in make_queries(args.queries, args.seed, args.dict):
        print(query, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
