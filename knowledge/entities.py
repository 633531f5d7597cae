"""People and events found in a document's own text, with no model and no per-document list.

Figures come from runs of capitalised words, judged by evidence in the document itself: a full
name whose parts are not organisation or place words, a surname used alone, a possessive
("Tito's"), a verb right after the name, an eponym ("Stalin" beside "Stalinism"). Events are
named happenings ("Kronstadt rebellion", "Great Purge") and dated ones ("March 1921",
"from 1936 to 1938", "the 1930s"). A sidecar file can add, rename or drop entities.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from knowledge.text import fold

YearMonth = tuple[int, int]  # month 0 when the source gives only the year
MONTHS = (
    "January February March April May June July August September October November December"
).split()
_MONTH = "|".join(MONTHS)
_YEAR = r"(?:1[0-9]{3}|20[0-9]{2})"

# Function words that start sentences or titles; a capitalised one is no part of a name.
STOPWORDS = frozenset(
    """a an the this that these those some many most much several such other another each every
    all both either neither any no not and or but nor yet so for of in on at to from by with
    without within into onto upon over under about above below across after before during since
    until against among between through throughout toward towards via per like unlike as if
    when while where whereas because although though however therefore thus hence conversely
    meanwhile moreover furthermore also even still later earlier then there here it its he she
    they we you i his her their our your my him them us who whom whose which what why how
    according following despite besides der die das le la les el il lo""".split()
)
# Head nouns of organisations, places and works: a run containing one is not a person.
NON_PERSON_WORDS = frozenset(
    """party league union congress agency review opposition front council committee army
    navy republic kingdom empire states state university college school press magazine journal
    times post herald tribune association society movement international conference treaty pact
    act church bank company corporation institute federation ministry government department
    office court senate parliament assembly bureau commission organization organisation
    foundation group club guard police service centre center museum library revolution
    rebellion uprising revolt purge war crisis massacre famine split strike coup putsch trials
    trial affair incident spring blockade siege battle invasion accords agreement declaration
    east west north south europe asia africa america americas ocean sea river island islands
    mountains valley city county province region street square station palace""".split()
)
EVENT_HEADS = frozenset(
    """revolution rebellion uprising revolt purge purges war crisis massacre famine split strike
    coup putsch trials trial pact treaty conference affair incident spring blockade siege battle
    invasion accords agreement mutiny insurrection riots riot election elections terror
    campaign""".split()
)
# Words after a name that make it the subject of a clause: "Tito disagreed", "Lenin had".
AUXILIARIES = frozenset(
    """was were is are has had have would could should will did does became become wrote said
    argued called claimed became rose led saw took made gave went came died lived""".split()
)
ROLE_WORDS = frozenset(
    """historian biographer revolutionary aide leader president general writer author journalist
    poet philosopher theorist activist politician minister premier chairman secretary economist
    scholar critic supporter comrade marshal dictator novelist sociologist professor dr mr mrs
    ms sir lord king queen emperor tsar czar pope saint st father sister brother""".split()
)
# Words after a name that do not make it a modifier ("Soviet state" does; "Marx and" does not).
_NOT_NOUNS = STOPWORDS | AUXILIARIES
_CONNECTOR = r"(?:of the|of|for|de|von|van|der|da|di|du|del|bin|ibn|al)"
_NAME_WORD = r"(?:[A-Z]\.|[A-Z][^\W\d_]*(?:['’][a-z]+)?)"
_SP = r"[ \u00a0]+"
_RUN = re.compile(
    rf"(?<![\w'’\-–]){_NAME_WORD}(?:{_SP}(?:{_CONNECTOR}{_SP})?{_NAME_WORD})*(?![\w\-–])"
)
_SENTENCE_END = re.compile(r"(?:[.!?:]['\"”’)]?|\.\.\.|[\"“(])\s*$")
_DASH_COMPOUND = re.compile(r"\b[A-Z][^\W\d_]+(?:[-–][A-Z][^\W\d_]+)+\b")
_WORD = re.compile(r"[^\W\d_]+")
_HAS_DIGIT = re.compile(r"\d")
# A full stop ends a sentence unless it closes an initial ("James P. Cannon").
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])(?<!\b[A-Z]\.)\s+(?=[\"“(]?[A-Z])|(?<=\.\.\.)")
_SPACES = re.compile(_SP)
_NEXT_WORD = re.compile(r"\s*([a-z][a-z'’]*)")
_PREV_WORDS = re.compile(r"[\w']+")
_PRONOUN = re.compile(r"\b(?:he|she|his|her|him|himself|herself)\b")
_LIST_GAP = re.compile(r"\s*(?:,\s*)?(?:and\s+)?")  # between names listed together
_QUOTED = re.compile(r"[\"“][^\"”]*[\"”]")

_RANGE = re.compile(
    rf"\b(?:from|between)\s+(?:(?P<m1>{_MONTH})\s+)?(?P<y1>{_YEAR})\s+(?:to|and|until)\s+"
    rf"(?:(?P<m2>{_MONTH})\s+)?(?P<y2>{_YEAR})\b|\b(?P<y3>{_YEAR})\s*[–—-]\s*(?P<y4>{_YEAR})\b"
)
_MONTH_YEAR = re.compile(rf"\b(?P<m>{_MONTH})\s+(?:\d{{1,2}},?\s+)?(?P<y>{_YEAR})\b")
_DECADE = re.compile(r"\b(?:(?P<part>early|mid|late)[\s-]+)?(?P<y>(?:1[0-9]{2}|20[0-9])0)s\b")
_PLAIN_YEAR = re.compile(rf"(?<![\d.,])\b(?P<y>{_YEAR})\b(?!\d|s\b)")


@dataclass(frozen=True, slots=True)
class Figure:
    """A person named in the document, with the names used for them and where they appear."""

    name: str
    aliases: tuple[str, ...]
    passages: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Event:
    """A named or dated happening; `start`/`end` are (year, month) with month 0 when unknown."""

    name: str
    aliases: tuple[str, ...]
    passages: tuple[int, ...]
    start: YearMonth | None = None
    end: YearMonth | None = None
    context: str = ""  # the sentence that dates it, for timelines

    @property
    def dated(self) -> bool:
        """Whether the document gives this event a date."""
        return self.start is not None

    def covers(self, year: int) -> bool:
        """Whether the event's dates include `year`."""
        return (
            self.start is not None
            and self.end is not None
            and (self.start[0] <= year <= self.end[0])
        )


@dataclass(frozen=True, slots=True)
class Entities:
    """The figures and events of one document."""

    figures: tuple[Figure, ...] = ()
    events: tuple[Event, ...] = ()


@dataclass(frozen=True, slots=True)
class Refinements:
    """A sidecar's corrections: names to add (with aliases) or extend, and names to drop."""

    figures: Mapping[str, Sequence[str] | None] = field(default_factory=dict)
    events: Mapping[str, Sequence[str] | None] = field(default_factory=dict)
    not_figures: tuple[str, ...] = ()
    not_events: tuple[str, ...] = ()


_DEFINED_ACRONYM = re.compile(
    r"(?P<name>(?:[A-Z][\w'’]*[ \u00a0]+(?:(?:for|of|the|and|de)[ \u00a0]+)*){1,8}[A-Z][\w'’]*)"
    r"[ \u00a0]*\((?P<short>[A-Z]{2,8})\)"
)


def extract_acronyms(texts: Iterable[str]) -> dict[str, str]:
    """Acronyms a document defines: "Central Intelligence Agency (CIA)" gives CIA."""
    found: dict[str, str] = {}
    for text in texts:
        for match in _DEFINED_ACRONYM.finditer(text):
            words = match["name"].split()
            short = match["short"]
            # The longest tail of the name whose capitals spell the acronym, in order.
            for start in range(len(words)):
                tail = words[start:]
                capitals = "".join(w if w.isupper() else w[0] for w in tail if w[0].isupper())
                if capitals == short:
                    found.setdefault(short, " ".join(tail))
                    break
    return found


@dataclass
class _Candidate:
    words: list[str]
    cues: int = 0
    rejected: bool = False
    partners: set[str] = field(default_factory=set)


def _sentences(text: str) -> list[str]:
    parts = _SENTENCE_SPLIT.split(text)
    return [p for p in parts if p.strip()]


_Run = tuple[int, int, list[str], bool]  # start, end, words, whether it opens a sentence


def _runs(sentence: str) -> list[_Run]:
    """Capitalised runs of a sentence."""
    runs = []
    for match in _RUN.finditer(sentence):
        start = match.start()
        # Only the few characters before a run can make it sentence-initial.
        initial = (start < 8 and not sentence[:start].strip()) or bool(
            _SENTENCE_END.search(sentence, max(0, start - 8), start)
        )
        runs.append((start, match.end(), [w for w in _SPACES.split(match.group()) if w], initial))
    return runs


def _is_initial(word: str) -> bool:
    return len(word) == 2 and word.endswith(".")


def _strip_possessive(word: str) -> tuple[str, bool]:
    for suffix in ("'s", "’s"):
        if word.endswith(suffix):
            return word[: -len(suffix)], True
    return word, False


def _next_word(text: str, end: int) -> str:
    match = _NEXT_WORD.match(text, end)
    return match.group(1) if match else ""


def _event_head(text: str, end: int) -> tuple[str, int] | None:
    """The lower-case event word right after offset `end` ("rebellion"), with its end."""
    match = _NEXT_WORD.match(text, end)
    if match is None or match.group(1) not in EVENT_HEADS:
        return None
    return match.group(1), match.end()


def _prev_words(text: str, start: int, count: int = 2) -> list[str]:
    return [w.lower() for w in _PREV_WORDS.findall(text, max(0, start - 40), start)][-count:]


class _FigureFinder:
    """Collects person evidence over a whole document, then decides."""

    def __init__(self, texts: Sequence[str]) -> None:
        words = [w for text in texts for w in _WORD.findall(text)]
        self.lower_words = {w for w in words if w.islower()}
        self.capital_words = {w for w in words if w[:1].isupper()}
        # Capitalised only because a sentence starts with it: the word is also used in lower case.
        self.common = {w.capitalize() for w in self.lower_words}
        self.modifiers: set[str] = set()  # capitalised words seen before a lowercase noun
        self.multi: dict[str, _Candidate] = {}
        self.single: dict[str, _Candidate] = {}

    def _eponym(self, word: str) -> bool:
        stem = word[:-1] if word.endswith("y") else word
        return any(
            stem + suffix in self.capital_words or word + suffix in self.capital_words
            for suffix in ("ism", "ist", "ists", "ite", "ites", "sm", "ian")
        )

    def _group_noun(self, word: str) -> bool:
        # "Bolsheviks", "Communists", "Ukrainians": members of a group, not one person.
        lowered = word.lower()
        return (
            lowered.endswith(("ism", "ist", "ists", "ians", "ites", "ian", "ese", "ish"))
            or (word.endswith("s") and word[:-1] in self.capital_words)
            or (len(word) > 1 and word.isupper())
        )

    def observe(self, sentence: str, runs: list[_Run]) -> None:
        """Gather candidates and their cues from one sentence."""
        in_quotes = _quoted_spans(sentence)
        pronoun = bool(_PRONOUN.search(sentence))
        previous: tuple[str, int] | None = None  # the last candidate and where it ended
        for start, end, run_words, initial in runs:
            words = list(run_words)  # trimmed below; the caller's runs stay as found
            if initial and words and (words[0].lower() in STOPWORDS or words[0] in self.common):
                words = words[1:]
                while words and words[0] in {"of", "the", "for"}:
                    words = words[1:]
            if not words:
                continue
            last, possessive = _strip_possessive(words[-1])
            words[-1] = last
            names = [w for w in words if w[:1].isupper()]
            following = _next_word(sentence, end)
            before = _prev_words(sentence, start)
            key = " ".join(words)
            if len(names) == 1:
                if not possessive and following not in _NOT_NOUNS and not following.endswith("ed"):
                    self.modifiers.add(names[0])
                cand = self.single.setdefault(key, _Candidate(words))
            else:
                cand = self.multi.setdefault(key, _Candidate(words))
            if self._rejects(words, before, any(a < start < b for a, b in in_quotes)):
                cand.rejected = True
                continue
            cues = 0
            cues += possessive
            cues += following in AUXILIARIES or (following.endswith("ed") and len(following) > 3)
            cues += bool(before) and before[-1] in ROLE_WORDS
            cues += bool(before) and before[-1] == "by"
            cues += pronoun and start == 0
            cand.cues += cues
            # "Marx and Engels", "Papen, Hitler": names listed together are the same kind.
            if previous and _LIST_GAP.fullmatch(sentence, previous[1], start):
                cand.partners.add(previous[0])
                self._candidate(previous[0]).partners.add(key)
            previous = (key, end)

    def _candidate(self, key: str) -> _Candidate:
        return self.multi.get(key) or self.single[key]

    def _rejects(self, words: list[str], before: list[str], quoted: bool) -> bool:
        lowered = [w.lower() for w in words]
        if any(w in NON_PERSON_WORDS or w.endswith(("ism", "ist", "ists")) for w in lowered):
            return True
        if any(len(w) > 1 and w.isupper() and not _is_initial(w) for w in words):
            return True  # acronyms: NCL, USSR
        if self._group_noun(words[-1]):
            return True
        if words[0] in MONTHS or lowered[0] in STOPWORDS:
            return True
        if before and before[-1] in {"the", "a", "an", "in", "into", "from", "across"}:
            return True
        return quoted and len(words) > 1

    def figures(self) -> list[tuple[str, list[str]]]:
        """(name, aliases) for each person, in order of first mention."""
        people: dict[str, list[str]] = {}
        surnames: dict[str, list[str]] = defaultdict(list)
        for key, cand in self.multi.items():
            if cand.rejected or cand.words[0] in self.modifiers or self._eponym(cand.words[0]):
                continue
            if not all(
                w[:1].isupper() or w in {"de", "von", "van", "da", "di", "bin", "ibn"}
                for w in cand.words
            ):
                continue
            people[key] = [key]
            surnames[cand.words[-1]].append(key)
        for surname, owners in surnames.items():
            if len(owners) == 1 and not _is_initial(surname):
                people[owners[0]].append(surname)
        accepted = set(people)
        for _ in range(2):  # a partner of a person in "Marx and Engels" is a person too
            for key, cand in self.single.items():
                if key in surnames or key in accepted or cand.rejected:
                    continue
                score = cand.cues + 2 * self._eponym(key)
                if key in self.modifiers and not self._eponym(key):
                    score -= 1
                if score >= 2 or (cand.partners & accepted and score >= 0):
                    accepted.add(key)
                    people[key] = [key]
        return list(people.items())


def _quoted_spans(sentence: str) -> list[tuple[int, int]]:
    return [m.span() for m in _QUOTED.finditer(sentence)]


class _DateMention(NamedTuple):
    label: str
    start: YearMonth
    end: YearMonth
    offset: int  # where the expression starts in its sentence


def _dates(sentence: str) -> list[_DateMention]:
    """Date expressions of a sentence, the longest reading of each span winning."""
    found: list[_DateMention] = []
    taken: list[tuple[int, int]] = []

    def add(label: str, start: YearMonth, end: YearMonth, span: tuple[int, int]) -> None:
        if all(span[1] <= a or span[0] >= b for a, b in taken):
            found.append(_DateMention(label, start, end, span[0]))
            taken.append(span)

    for match in _RANGE.finditer(sentence):
        y1, y2 = int(match["y1"] or match["y3"]), int(match["y2"] or match["y4"])
        if y1 <= y2:
            m1 = MONTHS.index(match["m1"]) + 1 if match["m1"] else 0
            m2 = MONTHS.index(match["m2"]) + 1 if match["m2"] else 0
            add(f"{y1}–{y2}", (y1, m1), (y2, m2), match.span())
    for match in _MONTH_YEAR.finditer(sentence):
        month, year = MONTHS.index(match["m"]) + 1, int(match["y"])
        add(f"{match['m']} {year}", (year, month), (year, month), match.span())
    for match in _DECADE.finditer(sentence):
        y, part = int(match["y"]), match["part"]
        first, last = {"early": (y, y + 3), "mid": (y + 3, y + 6), "late": (y + 6, y + 9)}.get(
            part or "", (y, y + 9)
        )
        add(f"{part + ' ' if part else ''}{y}s", (first, 0), (last, 0), match.span())
    for match in _PLAIN_YEAR.finditer(sentence):
        y = int(match["y"])
        add(str(y), (y, 0), (y, 0), match.span())
    return found


def _named_events(sentence: str, runs: list[_Run]) -> list[tuple[str, int]]:
    """Named events in a sentence, with their end offsets."""
    names: list[tuple[str, int]] = []
    for _, end, words, initial in runs:
        if initial and words and words[0].lower() in STOPWORDS:
            words = words[1:]
        if len(words) >= 2 and words[-1].lower() in EVENT_HEADS:
            names.append((" ".join(words), end))
        elif words and (head := _event_head(sentence, end)):
            # "Kronstadt rebellion": a proper name and a lower-case event word.
            names.append((f"{' '.join(words)} {head[0]}", head[1]))
    for match in _DASH_COMPOUND.finditer(sentence):
        if head := _event_head(sentence, match.end()):
            names.append((f"{match.group()} {head[0]}", head[1]))
    return names


_TOKEN = re.compile(r"[A-Z]\.|[^\W\d_]+(?:['’][^\W\d_]+)*")


def _tokens(text: str) -> list[str]:
    return [t[:-2] if t.endswith(("'s", "’s")) else t for t in _TOKEN.findall(text)]


def find_mentions(
    texts: Sequence[str], names: Mapping[str, Sequence[str]], *, case_sensitive: bool
) -> dict[str, tuple[int, ...]]:
    """For each entity, the indices of the texts that name it by any of its aliases.

    One pass over the texts whatever the number of entities: each word that can start an
    alias is tried against the aliases starting with it ("Tito's" counts as "Tito").
    """
    norm: Callable[[str], str] = (lambda t: t) if case_sensitive else fold
    owners: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for name, aliases in names.items():
        for alias in aliases:
            owners[tuple(_tokens(norm(alias)))].add(name)
    owners.pop((), None)
    longest: dict[str, int] = defaultdict(int)
    for key in owners:
        longest[key[0]] = max(longest[key[0]], len(key))
    found: dict[str, list[int]] = {name: [] for name in names}
    for index, text in enumerate(texts):
        words = _tokens(norm(text))
        named: set[str] = set()
        for position, word in enumerate(words):
            for length in range(1, longest.get(word, 0) + 1):
                named |= owners.get(tuple(words[position : position + length]), set())
        for name in named:
            found[name].append(index)
    return {name: tuple(indices) for name, indices in found.items()}


def extract_entities(texts: Sequence[str]) -> Entities:
    """Find figures and events in a document's passages (clean text, tags removed)."""
    finder = _FigureFinder(texts)
    sentences_per_passage = [[(s, _runs(s)) for s in _sentences(text)] for text in texts]
    for sentences in sentences_per_passage:
        for sentence, runs in sentences:
            finder.observe(sentence, runs)
    people = dict(finder.figures())
    places = find_mentions(texts, people, case_sensitive=True)
    figures = tuple(Figure(name, tuple(aliases), places[name]) for name, aliases in people.items())

    named: dict[str, _DateMention | None] = {}  # event name -> the date right after it
    dated: dict[str, tuple[_DateMention, str, set[int]]] = {}  # label -> date, sentence, passages
    for index, sentences in enumerate(sentences_per_passage):
        for sentence, runs in sentences:
            dates = _dates(sentence) if _HAS_DIGIT.search(sentence) else []
            for name, end in _named_events(sentence, runs):
                # A date a few characters after the name dates it: "Kronstadt rebellion (March
                # 1921)"; one before it usually dates something else ("In 1961, … Revolution").
                close = [d for d in dates if 0 <= d.offset - end <= 25]
                if named.get(name) is None:
                    named[name] = close[0] if close else None
            for date in dates:
                dated.setdefault(date.label, (date, sentence, set()))[2].add(index)

    event_places = find_mentions(texts, {name: [name] for name in named}, case_sensitive=False)
    events = [
        Event(
            name,
            (name,),
            event_places[name],
            date.start if date else None,
            date.end if date else None,
        )
        for name, date in named.items()
    ]
    events += [
        Event(label, (label,), tuple(sorted(passages)), date.start, date.end, sentence)
        for label, (date, sentence, passages) in dated.items()
    ]
    return Entities(figures=figures, events=tuple(events))


def _refine(
    found: Sequence[Figure] | Sequence[Event],
    extra: Mapping[str, Sequence[str] | None],
    drop: Iterable[str],
    texts: Sequence[str],
    make: type[Figure] | type[Event],
) -> list[Any]:
    dropped = set(drop)
    by_name: dict[str, Any] = {e.name: e for e in found if e.name not in dropped}
    for name, aliases in extra.items():
        known = by_name[name].aliases if name in by_name else ()
        names = tuple(dict.fromkeys([name, *known, *(aliases or [])]))
        # Names of people are matched with their capitals; "draper" is not Theodore Draper.
        passages = find_mentions(texts, {name: names}, case_sensitive=make is Figure)[name]
        if name in by_name:
            by_name[name] = replace(by_name[name], aliases=names, passages=passages)
        else:
            by_name[name] = make(name, names, passages)
    return list(by_name.values())


def refine_entities(found: Entities, refinements: Refinements, texts: Sequence[str]) -> Entities:
    """Apply a sidecar's additions and removals to automatically found entities."""
    r = refinements
    return Entities(
        figures=tuple(_refine(found.figures, r.figures, r.not_figures, texts, Figure)),
        events=tuple(_refine(found.events, r.events, r.not_events, texts, Event)),
    )
