"""Text to index terms; passages and questions go through the same steps.

Steps: Unicode folding (accents off, so "Thalmann" finds "Thälmann"), case folding, words with
their hyphen and en-dash compounds ("Tito-Stalin" gives tito, stalin and titostalin),
possessives off, English stopwords out, British spellings mapped to American ones
("collectivisation" finds "collectivization"), then Snowball stemming. Numbers and years stay
as they are ("1921", "1930s").
"""

from __future__ import annotations

import re
from array import array
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate, islice

import numpy as np
import numpy.typing as npt
import Stemmer

from knowledge.text import fold

# Bump when the terms produced for some text change: on-disk index caches are keyed by it.
ANALYZER_VERSION = "5"

# Snowball's English stopword list, plus words that open questions ("tell", "many", "much") and
# the contractions chat types without an apostrophe ("whats", "didnt").
STOPWORDS = frozenset(
    """a about above after again against all am an and any are aren't as at be because been
    before being below between both but by can could did didn't do does doesn't doing don't
    down during each few for from further had hadn't has hasn't have haven't having he he'd
    he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if
    in into is isn't it it's its itself let's me more most mustn't my myself no nor not of off
    on once only or other ought our ours ourselves out over own same shan't she she'd she'll
    she's should shouldn't so some such than that that's the their theirs them themselves then
    there there's these they they'd they'll they're they've this those through to too under
    until up very was wasn't we we'd we'll we're we've were weren't what what's when when's
    where where's which while who who's whom why why's will with won't would wouldn't you
    you'd you'll you're you've your yours yourself yourselves also tell whose many much
    whats hows wheres whens whos whys thats theres dont doesnt didnt isnt wasnt arent werent
    hasnt havent hadnt couldnt wouldnt shouldnt im ive youre theyre""".split()
)

_COMPOUND = re.compile(r"[^\W_]+(?:['\-–—][^\W_]+)*")
# The same on lowercased ASCII, where [^\W_] is [a-z0-9] and the long dashes cannot occur: a
# plain class is tested faster than a Unicode category.
_ASCII_COMPOUND = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*")
_DASHES = re.compile(r"[-–—]")
# British → American endings, applied before stemming; both sides of the index get the same map.
_SPELLING = (
    (re.compile(r"isation(s?)$"), r"ization\1"),
    (re.compile(r"(?<=...)is(e|ed|es|ing|er|ers)$"), r"iz\1"),
    (re.compile(r"(?<=..)ys(e|ed|es|ing)$"), r"yz\1"),
    (re.compile(r"(?<=...)our(s|ed|ing|ite|ites|able|ably)?$"), r"or\1"),
    (re.compile(r"(?<=....[aeiou])ll(ed|ing|er|ers)$"), r"l\1"),
    (re.compile(r"^(def|off|lic|pret)ence(s?)$"), r"\1ense\2"),
    (re.compile(r"(?<=..)ogue(s?)$"), r"og\1"),
    (re.compile(r"(?<=..[^aeiou])tre(s?)$"), r"ter\1"),
)
# Every ending a rule of _SPELLING may change, for one str.endswith test a word.
_SPELLING_ENDINGS = tuple(
    """isation isations ise ised ises ising iser isers yse ysed yses ysing our ours oured
    ouring ourite ourites ourable ourably lled lling ller llers ence ences ogue ogues tre
    tres""".split()
)
# No cache of PyStemmer's own (size 0): _TERMS below already keeps each word's terms, and
# PyStemmer's cache of 10,000 words made stemming a corpus's new words four times slower.
_STEMMER = Stemmer.Stemmer("english", 0)
# Irregular past forms that no stemmer joins to their verb: "broke with" answers "break with".
_IRREGULAR = {
    past: verb
    for verb, forms in {
        "arise": "arose arisen",
        "be": "was were been",
        "become": "became",
        "begin": "began begun",
        "break": "broke broken",
        "bring": "brought",
        "build": "built",
        "buy": "bought",
        "choose": "chose chosen",
        "come": "came",
        "do": "did done",
        "draw": "drew drawn",
        "drive": "drove driven",
        "fall": "fell fallen",
        "feel": "felt",
        "fight": "fought",
        "flee": "fled",
        "forbid": "forbade forbidden",
        "forget": "forgot forgotten",
        "freeze": "froze frozen",
        "give": "gave given",
        "go": "went gone",
        "grow": "grew grown",
        "hold": "held",
        "keep": "kept",
        "know": "knew known",
        "lead": "led",
        "lose": "lost",
        "make": "made",
        "mean": "meant",
        "meet": "met",
        "pay": "paid",
        "rise": "rose risen",
        "run": "ran",
        "say": "said",
        "see": "saw seen",
        "seek": "sought",
        "sell": "sold",
        "send": "sent",
        "shake": "shook shaken",
        "shoot": "shot",
        "sing": "sang sung",
        "sit": "sat",
        "speak": "spoke spoken",
        "spend": "spent",
        "stand": "stood",
        "steal": "stole stolen",
        "strike": "struck",
        "swear": "swore sworn",
        "take": "took taken",
        "teach": "taught",
        "tear": "tore torn",
        "tell": "told",
        "think": "thought",
        "throw": "threw thrown",
        "understand": "understood",
        "win": "won",
        "withdraw": "withdrew withdrawn",
        "write": "wrote written",
    }.items()
    for past in forms.split()
}


def normalize_word(word: str) -> str:
    """One word (folded, no possessive) to its index term: American spelling, then its stem."""
    # Letters are never digits: one C call spares the per-character test for most words.
    if not word.isalpha() and any(c.isdigit() for c in word):
        return word
    word = _IRREGULAR.get(word, word)
    if word.endswith(_SPELLING_ENDINGS):  # one test instead of eight for most words
        for pattern, replacement in _SPELLING:
            word = pattern.sub(replacement, word)
    return str(_STEMMER.stemWord(word))


# Word -> its terms, space-separated ("" for a stopword, several for "tito-stalin"). Natural
# text repeats a small vocabulary, so most words are looked up, not stemmed; the bound keeps
# memory flat on huge corpora.
_TERMS: dict[str, str] = {}
_TERMS_MAX = 500_000


def _word_term(word: str) -> str:
    bare = _bare(word)
    return "" if not bare or bare in STOPWORDS else normalize_word(bare)


def _terms_of(token: str) -> str:
    if "-" in token or "–" in token or "—" in token:
        parts = _DASHES.split(token)
        # "anti-Stalinist" is also one word for people who type "antistalinist".
        terms = [*map(_word_term, parts), _word_term("".join(parts))]
        return " ".join([term for term in terms if term])  # one space between terms
    return _word_term(token)


def _learn(tokens: list[str]) -> bool:
    """Look up the terms of the tokens not seen yet; False when the table is full."""
    for token in set(tokens).difference(_TERMS):
        if len(_TERMS) >= _TERMS_MAX:
            return False
        _TERMS[token] = _terms_of(token)
    return True


def _bare(word: str) -> str:
    return word[:-2] if word.endswith("'s") else word.rstrip("'")


def _terms_of_many(tokens: Sequence[str]) -> list[str]:
    """``_terms_of`` of each token, the plain words' stems found in one call of the stemmer
    (a call a word costs more than the stemming itself)."""
    out: list[str] = []
    stem_at: list[int] = []  # positions in `out` of the words still to be stemmed
    words: list[str] = []
    for token in tokens:
        if "-" in token or "–" in token or "—" in token:
            out.append(_terms_of(token))
            continue
        word = _bare(token) if "'" in token else token
        if not word or word in STOPWORDS:
            out.append("")
        elif not word.isalpha() and any(c.isdigit() for c in word):
            out.append(word)
        else:
            word = _IRREGULAR.get(word, word)
            if word.endswith(_SPELLING_ENDINGS):
                for pattern, replacement in _SPELLING:
                    word = pattern.sub(replacement, word)
            stem_at.append(len(out))
            out.append("")
            words.append(word)
    for at, stem in zip(stem_at, _STEMMER.stemWords(words), strict=True):
        out[at] = str(stem)
    return out


# ASCII text: letters lowercased, digits, apostrophes and hyphens kept, everything else a space.
_ASCII_WORDS = str.maketrans(
    {chr(i): chr(i).lower() if chr(i).isalnum() or chr(i) in "'-" else " " for i in range(128)}
)


def tokens(text: str) -> list[str]:
    """The folded words of `text`, compounds whole: what _COMPOUND finds in fold(text).

    ASCII text with no apostrophe or hyphen is split at C speed instead: there every run of
    letters and digits is a word, and nothing else is.
    """
    if text.isascii():
        if "'" not in text and "-" not in text:
            return text.translate(_ASCII_WORDS).split()
        return _ASCII_COMPOUND.findall(text.lower())  # fold(text) is text.lower() here
    return _COMPOUND.findall(fold(text))


def analyze(text: str) -> list[str]:
    """The index terms of `text`, in order; the same function serves passages and questions."""
    words = tokens(text)
    try:
        looked_up = " ".join(map(_TERMS.__getitem__, words))  # the common case: all seen
    except KeyError:
        # Learn the new tokens once, then look them all up alike (one C loop, not a call a
        # token); past the table's bound, analyse this text's tokens one by one.
        if _learn(words):
            looked_up = " ".join(map(_TERMS.__getitem__, words))
        else:
            looked_up = " ".join([_TERMS.get(t) or _terms_of(t) for t in words])
    return looked_up.split()


# Passages tokenised before their tokens are looked up at once: enough that the numpy work a
# block costs is small beside its tokens'. At 100k GCIDE passages 1,000 builds as fast as
# 10,000 and peaks 40 MB lower (a block's token strings are alive at once).
_ENCODE_BLOCK = 1_000


@dataclass(frozen=True, slots=True)
class EncodedCorpus:
    """Every passage's terms as ids: what an index is built from, without term strings."""

    terms: dict[str, int]  # term -> id; ids follow first occurrence in the corpus
    ids: list[npt.NDArray[np.int32]]  # the passages' term ids, passage after passage, in blocks
    lengths: npt.NDArray[np.int64]  # terms per passage


class _TokenIds(dict[str | tuple[str, ...], int]):
    """Token -> id in order of first sight; the tokens new since the last look are kept."""

    __slots__ = ("new",)

    def __init__(self) -> None:
        super().__init__()
        self.new: list[str | tuple[str, ...]] = []

    def __missing__(self, token: str | tuple[str, ...]) -> int:
        # Called by dict lookups in C only for unseen tokens: seen ones cost no Python call.
        number = self[token] = len(self)
        self.new.append(token)
        return number


class _Encoder:
    """Passages to term ids. Each distinct token is analysed once; each token occurrence
    is one dict look-up in C, and its terms are copied out by numpy."""

    def __init__(self) -> None:
        self.terms: defaultdict[str, int] = defaultdict()
        self._tokens = _TokenIds()
        # A token's term ids, CSR-style: _token_terms[_starts[t] : _starts[t] + _counts[t]].
        self._starts = array("i")
        self._counts = array("i")
        self._token_terms = array("i")
        self._ids: list[npt.NDArray[np.int32]] = []
        self._lengths: list[npt.NDArray[np.int64]] = []

    def add(self, passages: Sequence[tuple[str, Sequence[str]]]) -> None:
        """Encode a block of (text, extra terms) passages, appending to those before."""
        stream: list[str | tuple[str, ...]] = []
        sizes = array("q")  # tokens per passage
        for text, extra in passages:
            words = tokens(text)
            stream += words
            if extra:  # the extra terms travel as one pseudo-token after the words
                stream.append(tuple(extra))
                sizes.append(len(words) + 1)
            else:
                sizes.append(len(words))
        token_ids = np.fromiter(map(self._tokens.__getitem__, stream), np.int32, len(stream))
        del stream
        self._learn()
        counts = np.frombuffer(self._counts, np.int32)[token_ids]
        ends = np.cumsum(counts, dtype=np.int64)
        # Token k's terms land at ends[k] - counts[k] onwards; read them from its CSR slice.
        source = np.repeat(np.frombuffer(self._starts, np.int32)[token_ids] - ends + counts, counts)
        source += np.arange(source.size)
        self._ids.append(np.frombuffer(self._token_terms, np.int32)[source])
        term_ends = np.concatenate(([0], ends))[np.cumsum(np.frombuffer(sizes, np.int64))]
        self._lengths.append(np.diff(term_ends, prepend=0))

    def _learn(self) -> None:
        """The term ids of the tokens first seen in the last block, in the order seen, so
        that term ids follow first occurrence."""
        new, self._tokens.new = self._tokens.new, []
        unknown = [t for t in new if isinstance(t, str) and t not in _TERMS]
        learnt = dict(zip(unknown, _terms_of_many(unknown), strict=True))
        room = max(_TERMS_MAX - len(_TERMS), 0)
        _TERMS.update(learnt if len(learnt) <= room else dict(islice(learnt.items(), room)))
        known = _TERMS.get
        # Each token's terms, space-separated; an extra-terms pseudo-token's are its items.
        texts = [
            (known(t) or learnt.get(t, "")) if isinstance(t, str) else " ".join(t) for t in new
        ]
        # Terms are one space apart (see _terms_of), so counting spaces counts them.
        counts = array("i", [text.count(" ") + 1 if text else 0 for text in texts])
        first = len(self._token_terms)
        self._starts.extend(accumulate(counts, initial=first))
        del self._starts[-1]  # accumulate's last total starts no token
        self._counts.extend(counts)
        # A term not seen yet gets the next id, in the order the tokens were first seen.
        self.terms.default_factory = self.terms.__len__
        self._token_terms.extend(map(self.terms.__getitem__, " ".join(texts).split()))
        self.terms.default_factory = None  # outside of learning, unknown is unknown

    def result(self) -> EncodedCorpus:
        lengths = np.concatenate(self._lengths) if self._lengths else np.zeros(0, np.int64)
        return EncodedCorpus(self.terms, self._ids, lengths)


def encode(passages: Iterable[tuple[str, Sequence[str]]]) -> EncodedCorpus:
    """Term ids of (text, extra terms) passages: each text's terms as ``analyze`` gives them,
    then its extra terms, in passage order. Equal to analysing each passage, but a corpus's
    words are looked up and copied in bulk."""
    encoder = _Encoder()
    block: list[tuple[str, Sequence[str]]] = []
    for passage in passages:
        block.append(passage)
        if len(block) == _ENCODE_BLOCK:
            encoder.add(block)
            block = []
    if block:
        encoder.add(block)
    return encoder.result()
