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
from itertools import islice, repeat
from typing import cast

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
    if not word.isalpha() and any(map(str.isdigit, word)):
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
        elif not word.isalpha() and any(map(str.isdigit, word)):
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


# Passages whose tokens are found and looked up at once: enough that the numpy calls a block
# costs are few beside its bytes, few enough that its temporaries stay small. At 100k GCIDE
# passages 1,000 built as fast as 500 or 5,000.
_ENCODE_BLOCK = 1_000


@dataclass(frozen=True, slots=True)
class EncodedCorpus:
    """Every passage's terms as ids: what an index is built from, without term strings."""

    terms: dict[str, int]  # term -> id; ids follow first occurrence in the corpus
    ids: list[npt.NDArray[np.int32]]  # the passages' term ids, passage after passage, in blocks
    lengths: npt.NDArray[np.int64]  # terms per passage


# Tokens of up to 16 bytes are told apart by their bytes packed into two 64-bit words (token
# bytes are never 0, so the zeros that pad a shorter token leave no doubt), in hash tables of
# numpy arrays (see _Table); longer ones, rare, by their bytes in Python.
_PACKED = 16
# _LOW_BYTES[n]: the mask of a word's first n bytes (little-endian: its low bytes).
_LOW_BYTES = np.array([(1 << (8 * n)) - 1 for n in range(9)], dtype=np.uint64)
# Odd multipliers that spread the packed words over a table's slots (Fibonacci hashing).
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SPREAD = np.uint64(0xD6E8FEB86659FD93)
_SPACE, _APOSTROPHE, _HYPHEN = (ord(c) for c in " '-")


class _Table:
    """An open-addressing hash table of packed tokens (see _PACKED) and their ids, each look-up
    done for many keys at once.

    Keys are (low, high) word pairs. A key's slots are tried in turn from the one its hash
    picks (linear probing), all keys of a call advancing together: in a round a key stops at
    a slot holding it, takes an empty slot (one key wins each), or moves on. Equal keys travel
    together, so each ends in one slot. The table is kept about half full at most.
    """

    def __init__(self, keys: int = 0) -> None:
        """An empty table with room for `keys` keys."""
        self.bits = max(4, (2 * keys - 1).bit_length())
        size = 1 << self.bits
        self.used = np.zeros(size, bool)
        self.low = np.zeros(size, np.uint64)
        self.high = np.zeros(size, np.uint64)
        self.ids = np.full(size, -1, np.int32)  # -1 until the caller numbers a key
        self.claims = np.empty(size, np.intp)  # scratch: who claims each slot
        self.count = 0

    def place(
        self, low: npt.NDArray[np.uint64], high: npt.NDArray[np.uint64]
    ) -> npt.NDArray[np.intp]:
        """The slot of each key, taking empty slots for the keys not held yet."""
        # Room to end: fewer keys, even if all are new, than slots (and about half full).
        if 2 * self.count > self.used.size or self.count + low.size >= self.used.size:
            self._grow(max(self.count, (self.count + low.size) // 2 + 1))
        with np.errstate(over="ignore"):
            spread = (low ^ (high * _MIX)) * _SPREAD
        slot = (spread >> np.uint64(64 - self.bits)).astype(np.intp)
        mask = self.used.size - 1
        claims = self.claims
        # A key's slot advances until the slot holds it, so `slot` ends as the answer.
        at, keys = slot, None  # keys None: all of them, in the first round
        while True:
            used = self.used.take(at)  # take: the same gather as [], a little faster
            if not used.all():
                free = ~used
                claimed = at[free]
                claimants = np.flatnonzero(free) if keys is None else keys[free]
                claims[claimed] = claimants  # one of the claimants of a slot wins it
                won = claimed[claims[claimed] == claimants]
                winners = claims[won]
                self.used[won] = True
                self.low[won], self.high[won] = low[winners], high[winners]
                self.count += won.size
            # Every slot tried is now held (a free one by a claimant), so a key is home
            # where the slot holds its words.
            if keys is None:
                miss = (self.low.take(at) != low) | (self.high.take(at) != high)
                keys = np.flatnonzero(miss)
            else:
                miss = (self.low.take(at) != low[keys]) | (self.high.take(at) != high[keys])
                keys = keys[miss]
            if not keys.size:
                return slot
            at = slot[keys] = (at[miss] + 1) & mask

    def _grow(self, keys: int) -> None:
        """Room for `keys` keys, the keys held and their ids moved over."""
        held = np.flatnonzero(self.used)
        low, high, ids = self.low[held], self.high[held], self.ids[held]
        grown = _Table(max(keys, self.used.size))
        grown.ids[grown.place(low, high)] = ids
        self.__dict__.update(grown.__dict__)


def _block_text(texts: Sequence[str]) -> tuple[str, npt.NDArray[np.int64]]:
    """The texts' words as one string, and where each text's part of its UTF-8 bytes starts.

    ASCII text is mapped as ``tokens`` maps it (letters lowercased, digits, apostrophes and
    hyphens kept, the rest spaces), in C; other text is tokenised by the compound pattern and
    its tokens joined by spaces. Either way, the tokens are what ``_token_spans`` finds.
    """
    sizes: Iterable[int]
    # A space between texts: no token runs from one into the next.
    if all(map(str.isascii, texts)):
        # One translation of the joined texts: per text, the calls cost more than the mapping.
        joined = " ".join(texts).translate(_ASCII_WORDS)
        sizes = map(len, texts)  # the mapping keeps every character's place
    else:
        parts = [
            text.translate(_ASCII_WORDS)
            if text.isascii()
            else " ".join(_COMPOUND.findall(fold(text)))
            for text in texts
        ]
        joined = " ".join(parts)
        sizes = (len(part.encode("utf-8", "surrogatepass")) for part in parts)
    starts = np.zeros(len(texts), np.int64)
    np.cumsum(np.fromiter(sizes, np.int64, len(texts))[:-1] + 1, out=starts[1:])
    return joined, starts


def _token_spans(data: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Start and end of every token in the bytes of a ``_block_text``.

    There, a token is a run of bytes other than spaces, apostrophes and hyphens, or several
    joined by one apostrophe or hyphen each: what _COMPOUND finds in ASCII text. Tokens of the
    compound pattern from other text stay whole, since their apostrophes and hyphens always
    stand between two letters (or their UTF-8 bytes) and their long dashes are not ASCII.
    """
    word = (data != _SPACE) & (data != _APOSTROPHE) & (data != _HYPHEN)
    inside = word.copy()
    # An apostrophe or hyphen joins two words only with a word byte on either side.
    inside[1:-1] |= word[:-2] & word[2:] & (data[1:-1] != _SPACE)
    # Where a token starts or ends: a comparison of neighbours, not np.diff, which would copy
    # the bytes twice (prepend, append) and subtract; this is several times faster.
    change = np.empty(data.size + 1, bool)
    change[0], change[-1] = inside[:1].any(), inside[-1:].any()  # no text: no byte
    np.not_equal(inside[1:], inside[:-1], out=change[1:-1])
    edges = np.flatnonzero(change)
    return edges[0::2], edges[1::2]


def _packed_words(
    data: npt.NDArray[np.uint8], starts: npt.NDArray[np.intp], lengths: npt.NDArray[np.intp]
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """The first 8 bytes and the next 8 of each token, packed into words (zeros past its end)."""
    # The bytes read as 64-bit words starting at every byte (unaligned, a view: no copy).
    padded = np.concatenate((data, np.zeros(_PACKED, np.uint8)))
    words = np.ndarray((data.size + _PACKED - 7,), "<u8", padded, strides=(1,))
    low = words[starts] & _LOW_BYTES[np.minimum(lengths, 8)]
    # Most tokens fit the first word; only the longer ones' second word is read.
    high = np.zeros(starts.size, np.uint64)
    longer = np.flatnonzero(lengths > 8)
    high[longer] = words[starts[longer] + 8] & _LOW_BYTES[np.minimum(lengths[longer] - 8, 8)]
    return low, high


class _Encoder:
    """Passages to term ids. A block's tokens are found in numpy, over the bytes of its text,
    and looked up all at once in a hash table of their packed bytes (see _Table); each
    distinct token of the corpus is analysed once, and its terms are copied out by numpy."""

    def __init__(self) -> None:
        self.terms: defaultdict[str, int] = defaultdict()
        # Ids of the short tokens (see _PACKED), by their packed bytes.
        self._packed = _Table()
        # The other tokens (long words, a passage's extra terms as a tuple) -> id.
        self._tokens: dict[str | tuple[str, ...], int] = {}
        # A token's term ids, CSR-style: _token_terms[_starts[t] : _starts[t] + _counts[t]].
        self._starts = array("i")
        self._counts = array("i")
        self._token_terms = array("i")
        self._ids: list[npt.NDArray[np.int32]] = []
        self._lengths: list[npt.NDArray[np.int64]] = []

    def add(self, passages: Sequence[tuple[str, Sequence[str]]]) -> None:
        """Encode a block of (text, extra terms) passages, appending to those before."""
        joined, text_starts = _block_text([text for text, _ in passages])
        ascii_only = joined.isascii()
        data = np.frombuffer(
            joined.encode("ascii") if ascii_only else joined.encode("utf-8", "surrogatepass"),
            np.uint8,
        )
        starts, ends = _token_spans(data)
        lengths = ends - starts
        raw = data.tobytes() if not ascii_only else b""

        def texts_of(tokens: npt.NDArray[np.intp]) -> list[str]:
            spans = zip(starts[tokens].tolist(), ends[tokens].tolist(), strict=True)
            if ascii_only:
                return [joined[start:end] for start, end in spans]
            return [raw[start:end].decode("utf-8", "surrogatepass") for start, end in spans]

        # Each token's id (-1 if new) and what names it among the block's tokens: its slot in
        # the table of packed tokens, or past the slots, a key of _tokens.
        short = lengths <= _PACKED
        low, high = _packed_words(data, starts, lengths)
        slots = self._packed.place(low[short], high[short])
        size = self._packed.used.size
        found = np.empty(starts.size, np.int64)
        code = np.empty(starts.size, np.int64)
        found[short], code[short] = self._packed.ids[slots], slots
        keys: dict[str | tuple[str, ...], int] = {}  # the others, numbered from `size`
        if not short.all():
            long = np.flatnonzero(~short)
            words = texts_of(long)
            code[long] = [size + keys.setdefault(word, len(keys)) for word in words]
            found[long] = [self._tokens.get(word, -1) for word in words]
        # Words per passage; the extra terms travel as one pseudo-token after a passage's words.
        words_per = np.diff(np.searchsorted(starts, text_starts), append=starts.size)
        extra_at = [at for at, (_, extra) in enumerate(passages) if extra]
        if extra_at:
            extras = [tuple(passages[at][1]) for at in extra_at]
            after = np.cumsum(words_per)[extra_at]
            found = np.insert(found, after, [self._tokens.get(key, -1) for key in extras])
            code = np.insert(
                code, after, [size + keys.setdefault(key, len(keys)) for key in extras]
            )
            words_per[extra_at] += 1
        where = np.insert(np.arange(starts.size), after, -1) if extra_at else None
        # New tokens, numbered in order of first sight.
        unseen = np.flatnonzero(found < 0)
        if unseen.size:
            codes, first, which = np.unique(code[unseen], return_index=True, return_inverse=True)
            order = np.argsort(first)
            numbers = np.empty(codes.size, np.int64)
            numbers[order] = np.arange(len(self._counts), len(self._counts) + codes.size)
            found[unseen] = numbers[which]
            codes, first = codes[order], unseen[first[order]]
            packed = codes < size
            self._packed.ids[codes[packed]] = numbers[order][packed]
            by_code = list(keys)
            fresh: list[str | tuple[str, ...]]
            if packed.all():
                fresh = list(texts_of(first if where is None else where[first]))
            else:
                texts = iter(texts_of((first if where is None else where[first])[packed]))
                fresh = [
                    next(texts) if is_packed else by_code[at - size]
                    for is_packed, at in zip(packed.tolist(), codes.tolist(), strict=True)
                ]
                self._tokens.update(
                    (key, int(number))
                    for key, number, is_packed in zip(fresh, numbers[order], packed, strict=True)
                    if not is_packed
                )
            self._learn(fresh, words_only=not extra_at)
        token_ids = found.astype(np.int32)
        counts = np.frombuffer(self._counts, np.int32)[token_ids]
        ends_ = np.cumsum(counts, dtype=np.int64)
        # Token k's terms land at ends_[k] - counts[k] onwards; read them from its CSR slice.
        source = np.repeat(
            np.frombuffer(self._starts, np.int32)[token_ids] - ends_ + counts, counts
        )
        source += np.arange(source.size)
        self._ids.append(np.frombuffer(self._token_terms, np.int32)[source])
        term_ends = np.concatenate(([0], ends_))[np.cumsum(words_per)]
        self._lengths.append(np.diff(term_ends, prepend=0))

    def _learn(self, new: list[str | tuple[str, ...]], words_only: bool) -> None:
        """The term ids of tokens just numbered, given in the order first seen, so that term
        ids follow first occurrence; `words_only` when none is a tuple of extra terms."""
        unknown = [t for t in new if t not in _TERMS and isinstance(t, str)]
        learnt = dict(zip(unknown, _terms_of_many(unknown), strict=True))
        room = max(_TERMS_MAX - len(_TERMS), 0)
        _TERMS.update(learnt if len(learnt) <= room else dict(islice(learnt.items(), room)))
        # Each token's terms, space-separated; an extra-terms pseudo-token's are its items.
        texts: list[str]
        if words_only and len(learnt) <= room:
            texts = list(map(_TERMS.__getitem__, cast(list[str], new)))  # the common case, in C
        else:
            known = _TERMS.get
            texts = [
                (known(t) or learnt.get(t, "")) if isinstance(t, str) else " ".join(t) for t in new
            ]
        # Terms are one space apart (see _terms_of), so counting spaces counts them.
        counts = np.fromiter(map(str.count, texts, repeat(" ")), np.int32, len(texts))
        counts += np.fromiter(map(bool, texts), bool, len(texts))
        starts = np.cumsum(counts) - counts + len(self._token_terms)
        self._starts.frombytes(starts.astype(np.int32).tobytes())
        self._counts.frombytes(counts.tobytes())
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
