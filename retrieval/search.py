"""Questions, figures, events and the timeline over loaded documents, as Answer objects.

One BM25 index covers every passage of every loaded document. A question is answered only when
the documents contain enough of its informative words (see retrieval/evidence.py); otherwise
the answer says the documents do not cover it. An answer whose best passage holds less than
that share is marked weak.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import accumulate, chain
from pathlib import Path
from typing import overload

import numpy as np

from knowledge.article import SECTION_SEPARATOR
from knowledge.document import (
    Document,
    Passage,
    citing_passages,
    clean_texts,
    passage_sections,
)
from knowledge.entities import MONTHS, Event, Figure
from knowledge.loader import load_paths
from knowledge.text import fold
from retrieval import cache
from retrieval.analyzer import analyze, encode
from retrieval.answers import Answer, Hit
from retrieval.evidence import (
    CHAT_TERMS,
    COMMON_ZIPF,
    Evidence,
    informativeness,
    load_tables,
    share,
)
from retrieval.index import BM25Index
from retrieval.names import NameTable, is_name, without_titles
from retrieval.spelling import SPELLING_MATCH, CloseTerms, load_scorer

SUGGESTIONS = 3
FUZZY_COMPLETION = 75.0
SPELLING_FIXES = 5
MAX_QUERY_TERMS = 64
# Characters of a long question analysed first (about 300 words of prose, several times what
# MAX_QUERY_TERMS terms need); more only if they hold fewer terms than that.
QUERY_PREFIX_CHARS = 2048
# A passage scoring under this share of the best one is noise, not a further answer. At 0.3
# (before) it hid the answer of some questions from their top three on the seven evaluation
# documents; 0.1 hides none and still cuts the long tail of one-word matches.
RELATIVE_FLOOR = 0.1
# Passages an answer can page through at most.
MAX_RESULTS = 50
# Texts searched at once for acronyms while indexing: long enough strings that the search
# runs in C, short enough that joining them costs little memory.
_ACRONYM_BATCH = 10_000


@dataclass(frozen=True, slots=True)
class SearchSettings:
    """Tunable behaviour of a KnowledgeBase."""

    # Share of the question's informative weight the documents must contain; under it,
    # found=False. An answer whose best passage alone holds less is weak.
    min_coverage: float = 0.4
    # Words this frequent in English (Zipf) or more carry no evidence (retrieval/evidence.py).
    common_zipf: float = COMMON_ZIPF
    # Folder for the on-disk cache of documents and index; None: no cache.
    cache_dir: Path | None = None


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One dated happening: when, what, and the passages that say so."""

    when: str
    label: str
    # Made when read: a big corpus's timeline spans most of its passages, too many to keep
    # as Hit objects with their texts (at a million passages, some 800 MB).
    hits: Sequence[Hit]
    refs: tuple[int, ...]  # the numbers its passages cite, in order of first appearance
    sources: tuple[Hit, ...]  # the first of its hits from each document, for attribution


class _Hits(Sequence[Hit]):
    """The hits of some passages (score 0), each made when it is read."""

    __slots__ = ("_hit", "_positions")

    def __init__(self, positions: np.ndarray, hit: Callable[[int, float], Hit]) -> None:
        self._positions, self._hit = positions, hit

    def __len__(self) -> int:
        return len(self._positions)

    @overload
    def __getitem__(self, at: int) -> Hit: ...

    @overload
    def __getitem__(self, at: slice) -> list[Hit]: ...

    def __getitem__(self, at: int | slice) -> Hit | list[Hit]:
        if isinstance(at, slice):
            return [self._hit(p, 0.0) for p in self._positions[at].tolist()]
        return self._hit(int(self._positions[at]), 0.0)

    def __iter__(self) -> Iterator[Hit]:
        return (self._hit(p, 0.0) for p in self._positions.tolist())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or len(other) != len(self):
            return False
        return all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # equal to any sequence of the same hits

    def __repr__(self) -> str:
        return f"_Hits({len(self)} passages)"


@dataclass(frozen=True, slots=True, eq=False)
class _Entity:
    """A figure or event merged over documents: its names and (document, passage) places."""

    name: str
    aliases: tuple[str, ...]
    # Positions of its passages in the index, as an array: for a one-document corpus read
    # from the cache, a view of the mapped file, so a million positions cost no Python ints.
    places: np.ndarray
    event: Event | None = None


@dataclass(frozen=True, slots=True)
class _Dates:
    """The events with a first and last year, in event order, as arrays: a year is looked up
    among them in numpy rather than event by event."""

    entities: list[_Entity]
    starts: np.ndarray
    ends: np.ndarray
    written: np.ndarray  # dates the documents write out ("from 1936 to 1938"), not names

    @classmethod
    def of(cls, events: Sequence[_Entity]) -> _Dates:
        """The dated ones of `events`."""
        dated: list[_Entity] = []
        spans: list[tuple[int, int, bool]] = []  # (first year, last year, written out)
        for entity in events:
            event = entity.event
            if event and event.start and event.end:
                dated.append(entity)
                spans.append((event.start[0], event.end[0], bool(event.context)))
        starts, ends, written = zip(*spans, strict=True) if spans else ((), (), ())
        return cls(
            dated,
            np.array(starts, dtype=np.int64),
            np.array(ends, dtype=np.int64),
            np.array(written, dtype=bool),
        )

    def covering(self, years: Iterable[int]) -> np.ndarray:
        """Which dates include one of `years` (as Event.covers does)."""
        covered = np.zeros(len(self.entities), dtype=bool)
        for year in set(years):
            covered |= (self.starts <= year) & (year <= self.ends)
        return covered


@dataclass(frozen=True, slots=True)
class _Cited:
    """The passages that cite references: by index position, what each cites (in order)."""

    refs: dict[int, Sequence[int]]
    positions: np.ndarray  # the keys of `refs`, ascending


class _Ranked(Sequence[tuple[int, float]]):
    """(passage position, score) pairs, best first, held as arrays: only the page shown is
    made into Python objects."""

    def __init__(self, positions: np.ndarray, scores: np.ndarray):
        self._positions = positions
        self._scores = scores

    def __len__(self) -> int:
        return len(self._positions)

    @overload
    def __getitem__(self, at: int) -> tuple[int, float]: ...

    @overload
    def __getitem__(self, at: slice) -> list[tuple[int, float]]: ...

    def __getitem__(self, at: int | slice) -> tuple[int, float] | list[tuple[int, float]]:
        if isinstance(at, slice):
            pairs = zip(self._positions[at].tolist(), self._scores[at].tolist(), strict=True)
            return list(pairs)
        return int(self._positions[at]), float(self._scores[at])


class KnowledgeBase:
    """Loaded documents, their index and entities; answers questions."""

    def __init__(
        self,
        documents: Sequence[Document],
        settings: SearchSettings | None = None,
        index: BM25Index | None = None,
        spellings: CloseTerms | None = None,
    ):
        """Index `documents` (or take a prebuilt `index` of exactly their passages, and the
        `spellings` table of its terms, as a cache keeps them)."""
        self.documents = tuple(documents)
        self.settings = settings or SearchSettings()
        # Every passage of every document by index position, made when one is read: a big
        # corpus's passages stay in their documents' columns (or the mapped cache).
        self._passages: Sequence[Passage] = _Chained([d.passages for d in self.documents])
        self._by_id = {document.id: document for document in self.documents}
        # Where each document's passages start in the index: passage i of document d is at
        # position offsets[d] + i.
        self._offsets = [0]
        for document in self.documents:
            self._offsets.append(self._offsets[-1] + len(document.passages))
        defined = {short: long for d in self.documents for short, long in d.acronyms.items()}
        # (acronym, its long form, the long form's terms), made once, and one pattern for
        # them all: a text is searched once, not once per acronym.
        self._acronyms = [(short, long, analyze(long)) for short, long in defined.items()]
        self._acronym_pattern = (
            re.compile(r"\b(?:" + "|".join(map(re.escape, defined)) + r")\b") if defined else None
        )
        # Terms are not kept: at a million passages they would outweigh the index itself.
        if index is None:
            corpus = encode(self._corpus_terms())
            index = BM25Index.from_term_ids(corpus.terms, corpus.ids, corpus.lengths)
            del corpus
        self.index = index
        # Indexed terms prepared for spelling fixes: a fix keeps the first letter (typos
        # rarely change it), so a look-up reads a few lengths of one letter's terms.
        self.spellings = spellings or CloseTerms.of(self.index.vocabulary())

    def find_entities(self) -> None:
        """Find the documents' figures and events, and build every table a query reads,
        now rather than on first use.

        A server wants this before it takes requests: autocomplete must answer within
        Discord's 3 s, and on a large corpus finding the entities takes longer than that.
        Afterwards no query does work over the whole corpus: figure, event, ref, autocomplete
        and the suggestions of an unanswered question only read these tables.
        """
        _ = self._figure_names, self._event_names, self._event_completions
        _ = self._entities_by_word, self._dates, self._citing, self._cited_at
        load_tables()
        load_scorer()

    @cached_property
    def _figures(self) -> list[_Entity]:
        return _join_surnames(
            _merge(
                (start, figure)
                for start, document in zip(self._offsets, self.documents, strict=False)
                for figure in document.entities.figures
            )
        )

    @cached_property
    def _events(self) -> list[_Entity]:
        return _merge(
            (start, event)
            for start, document in zip(self._offsets, self.documents, strict=False)
            for event in document.entities.events
        )

    @classmethod
    def from_paths(
        cls,
        paths: Sequence[Path],
        settings: SearchSettings | None = None,
        *,
        on_build: Callable[[], None] | None = None,
    ) -> KnowledgeBase:
        """Load files and folders (none: the bundled document); KnowledgeError on bad input.

        With `settings.cache_dir`, a cache of the same documents is used when it is intact,
        and written when it is not (a cache that cannot be written only logs one warning).
        A cache is written with the documents' entities, found right after the index, so that
        no later question, in this process or the next, does work over the whole corpus.
        `cache_dir=None` means no cache: entities are then found on first use.
        `on_build` is called before a build the cache could not spare (documents new to it or
        changed), so that a front end can say why this run takes longer.
        """
        settings = settings or SearchSettings()
        cache_dir = settings.cache_dir
        if cache_dir is None:
            return cls(load_paths(paths), settings)
        key = cache.lookup_key(cache_dir, paths)
        cached = cache.load(cache_dir, key)
        if cached is not None:
            documents, index, spellings = cached
            return cls(documents, settings, index=index, spellings=spellings)
        if on_build is not None:
            on_build()
        kb = cls(cache.with_findings(cache_dir, key, load_paths(paths)), settings)
        # The index first: an entry whose entities were interrupted still serves, and finds
        # them on first use. Where no entry could be written, nothing would keep them either.
        if cache.save(cache_dir, key, kb.documents, kb.index, kb.spellings):
            kb = kb.with_saved_index(cache_dir, key)
            for document in kb.documents:
                _ = document.entities  # found now, and kept beside the entry
        return kb

    def with_saved_index(self, cache_dir: Path, key: str) -> KnowledgeBase:
        """These documents served by the index and spelling table of the cache entry just
        written under `key` (this knowledge base as it is if the entry cannot be read). The
        built arrays are freed and the mapped ones read as queries need them, as in every
        later run: at a million passages some 470 MB less before the entities are found."""
        saved = cache.load(cache_dir, key)
        if saved is None:
            return self
        _, index, spellings = saved
        return KnowledgeBase(self.documents, self.settings, index=index, spellings=spellings)

    # -- questions -------------------------------------------------------------------------

    def evidence(self, terms: Sequence[str], position: int) -> Evidence:
        """How much of the question's informative weight the documents and a passage hold."""
        indexed = {term for term in terms if self.index.doc_freq(term)}
        common = self.settings.common_zipf
        weights = {
            term: informativeness(term, term in indexed, common) for term in dict.fromkeys(terms)
        }
        in_passage = indexed & set(self._passage_terms(self._passages[position]))
        return Evidence(share(weights, indexed), share(weights, in_passage))

    def _passage_terms(self, passage: Passage) -> list[str]:
        """A passage's index terms: its text's (see _analyze), and once those of its
        section's own heading, so that "etymology" finds the Etymology section while the
        words of the passage, which weigh as much each, still decide which of its passages
        answers."""
        return analyze(passage.clean) + self._extra_terms(passage.clean, passage.section)

    def _extra_terms(self, clean: str, section: str, acronyms: bool = True) -> list[str]:
        """The terms a passage has beyond its words' (see _passage_terms); `acronyms`=False
        when none of them occurs in its text."""
        extra = self._acronym_terms(clean) if acronyms else []
        if section:
            extra += dict.fromkeys(analyze(section.rsplit(SECTION_SEPARATOR, 1)[-1]))
        return extra

    def _corpus_terms(self) -> Iterator[tuple[str, Sequence[str]]]:
        """Every passage's text and the terms it has beyond its words' (_passage_terms), in
        index order; the acronym pattern runs only on the passages that may use an acronym."""
        for document in self.documents:
            cleans = clean_texts(document.passages)
            sections = passage_sections(document.passages)
            using = self._acronym_candidates(cleans)
            for position, (clean, section) in enumerate(zip(cleans, sections, strict=True)):
                if section or position in using:
                    yield clean, self._extra_terms(clean, section, position in using)
                else:
                    yield clean, ()

    def _acronym_candidates(self, texts: Sequence[str]) -> set[int]:
        """Positions of the texts that may use an acronym: those with two capitals in a row
        (every acronym has them), found over many texts at once with numpy."""
        if not self._acronyms:
            return set()
        found: set[int] = set()
        for first in range(0, len(texts), _ACRONYM_BATCH):
            batch = texts[first : first + _ACRONYM_BATCH]
            joined = "\n".join(batch)
            # Capitals are single bytes in UTF-8 and no byte of another character is one, so
            # pairs of capitals are found in the bytes; positions are then byte positions.
            ascii_only = joined.isascii()
            data = np.frombuffer(joined.encode("utf-8", "surrogatepass"), dtype=np.uint8)
            capital = (data >= ord("A")) & (data <= ord("Z"))
            pairs = np.flatnonzero(capital[:-1] & capital[1:])
            if pairs.size:
                sizes = (
                    len(text) if ascii_only else len(text.encode("utf-8", "surrogatepass"))
                    for text in batch
                )
                starts = np.fromiter(
                    accumulate((size + 1 for size in sizes), initial=0),
                    dtype=np.int64,
                    count=len(batch) + 1,
                )
                owners = np.searchsorted(starts, pairs, side="right") - 1
                found.update((first + np.unique(owners)).tolist())
        return found

    def _analyze(self, text: str) -> list[str]:
        """Terms of a text, with the full name of each acronym it uses but does not spell out.

        Passages and questions both get this, so "CCF" and "Congress for Cultural Freedom"
        find each other.
        """
        return analyze(text) + self._acronym_terms(text)

    def _acronym_terms(self, text: str) -> list[str]:
        """The long forms' terms of the acronyms a text uses but does not spell out."""
        terms: list[str] = []
        if self._acronym_pattern is None:
            return terms
        used = set(self._acronym_pattern.findall(text))
        if used:
            # Acronyms are capital letters between word boundaries, so at most one matches at
            # a place and findall sees each one used; they are added in definition order.
            for short, long, long_terms in self._acronyms:
                if short in used and long not in text:
                    terms.extend(long_terms)
        return terms

    def query_terms(self, query: str) -> list[str]:
        """A question's terms, each unknown one replaced by its close spelling in the index.

        Bounded, so that a pasted essay costs no more than a question: the first
        MAX_QUERY_TERMS terms, and spelling help for the first SPELLING_FIXES unknown ones.
        """
        terms = []
        fixes = SPELLING_FIXES
        for term in self._first_terms(query):
            if term in CHAT_TERMS:
                continue  # "hey", "anyone": chat says nothing about what to rank
            unknown = self.index.doc_freq(term) == 0 and term.isalpha() and len(term) >= 6
            if unknown and fixes > 0:
                fixes -= 1
                # Typos and stems that Snowball leaves apart: "trotksi", "biographi"/"biograph".
                term = self.spellings.best(term, SPELLING_MATCH) or term
            years = _years(term) if self.index.doc_freq(term) == 0 else []
            if years:
                terms.extend(self._date_terms(years) or [term])
            else:
                terms.append(term)
        return terms

    def _first_terms(self, query: str) -> list[str]:
        """The first MAX_QUERY_TERMS terms of a question, analysing no more of a pasted text
        than they need.

        A prefix cut at a space holds the first tokens of the whole (no token spans a space);
        once it holds MAX_QUERY_TERMS terms they are the whole's first ones, as the long forms
        of acronyms are added only after all of a text's own terms.
        """
        size = QUERY_PREFIX_CHARS
        while size < len(query):
            cut = query.rfind(" ", 0, size)
            terms = analyze(query[:cut]) if cut > 0 else []
            if len(terms) >= MAX_QUERY_TERMS:
                return terms[:MAX_QUERY_TERMS]
            size *= 4
        return self._analyze(query)[:MAX_QUERY_TERMS]

    def _date_terms(self, years: Sequence[int]) -> list[str]:
        """The terms of the narrowest date in the documents that covers a year they never
        write: 1937 → "1936", "1938" of "from 1936 to 1938"; for a decade ("1850s"), the
        narrowest covering one of its years; [] when none covers one."""
        dates = self._dates
        written = np.flatnonzero(dates.covering(years) & dates.written)
        if not written.size:
            return []
        widths = dates.ends[written] - dates.starts[written]
        narrowest = int(written[np.argmin(widths)])  # the first of equally narrow ones
        start, end = int(dates.starts[narrowest]), int(dates.ends[narrowest])
        return list(dict.fromkeys([str(start), str(end)]))

    @cached_property
    def _dates(self) -> _Dates:
        # Built once: a year typed in a question or an event look-up reads these arrays.
        return _Dates.of(self._events)

    def ask(self, query: str, top_k: int = 3, offset: int = 0) -> Answer:
        """The passages that best answer a question, or found=False when none covers it."""
        terms = self.query_terms(query)
        searched = self._search(terms)
        if searched is None:
            return Answer(query, "ask", False, suggestions=self._closest_entities(query))
        kept, weak = searched
        return replace(self._answer(query, "ask", kept, top_k, offset), weak=weak)

    def _search(self, terms: Sequence[str]) -> tuple[list[tuple[int, float]], bool] | None:
        """The passages ranked for `terms` above the relative floor and whether the match is
        weak, or None when the documents hold too little of the terms' weight (see ask)."""
        ranked = self.index.top_k(terms, MAX_RESULTS) if terms else []
        if not ranked:
            return None
        evidence = self.evidence(terms, ranked[0][0])
        needed = self.settings.min_coverage
        if evidence.in_documents < needed:
            return None
        return _above_floor(ranked), evidence.in_passage < needed

    # -- figures and events ----------------------------------------------------------------

    def figure(self, name: str, top_k: int = 3, offset: int = 0) -> Answer:
        """A person's passages, the name matched fuzzily; found=False and suggestions if unknown."""
        return self._entity_answer(name, "figure", self._figure_names, top_k, offset)

    def event(self, name: str, top_k: int = 3, offset: int = 0) -> Answer:
        """An event's passages, by name or by year ("1937" finds "from 1936 to 1938")."""
        years = _years(name)
        if years:
            # The narrowest date first: "1937" is about 1936–1938 before it is about the 1930s.
            span: dict[int, int] = {}  # position -> width in years of its narrowest date
            dates = self._dates
            for at in np.flatnonzero(dates.covering(years)).tolist():
                width = int(dates.ends[at] - dates.starts[at])
                for place in dates.entities[at].places.tolist():
                    span[place] = min(span.get(place, width), width)
            if span:
                widths = np.fromiter(span.values(), dtype=np.int64, count=len(span))
                ranked = self._rank_places(span, analyze(name), first_by=widths)
                return self._answer(name, "event", ranked, top_k, offset, subject=name.strip())
        return self._entity_answer(name, "event", self._event_names, top_k, offset)

    def reference(self, number: int, top_k: int = 3, offset: int = 0) -> Answer:
        """The passages that cite reference `number`, in document order; the hits carry the
        reference's text where the source gives it. found=False when no passage cites it."""
        places = self._citing.get(number, [])
        ranked = [(position, 0.0) for position in places]
        subject = f"[{number}]"
        if places:
            first = self._passages[places[0]]
            reference = self._by_id[first.document].references.get(number)
            subject += f" {reference.text}" if reference else ""
        return self._answer(f"[{number}]", "ref", ranked, top_k, offset, subject=subject)

    def cited_numbers(self) -> list[int]:
        """Every reference number some passage cites, in ascending order."""
        return sorted(self._citing)

    @cached_property
    def _citing(self) -> dict[int, list[int]]:
        citing: dict[int, list[int]] = {}
        for position, refs in self._cited_at.refs.items():
            for ref in refs:
                citing.setdefault(ref, []).append(position)
        return citing

    @cached_property
    def _cited_at(self) -> _Cited:
        refs: dict[int, Sequence[int]] = {}
        for start, document in zip(self._offsets, self.documents, strict=False):
            # From the reference column: making every passage would cost seconds at 100k.
            for position, cited in citing_passages(document.passages):
                refs[start + position] = cited
        return _Cited(refs, np.fromiter(refs, dtype=np.int64, count=len(refs)))

    def _refs_of(self, places: np.ndarray) -> tuple[int, ...]:
        """The reference numbers the passages at `places` cite, in order of first appearance
        (as their hits' refs give them), read from the few passages that cite any."""
        cited = self._cited_at
        citing = places[np.isin(places, cited.positions)].tolist()
        return tuple(dict.fromkeys(ref for place in citing for ref in cited.refs[place]))

    def _sources_of(self, places: np.ndarray) -> tuple[Hit, ...]:
        """The hit of the first of `places` in each document, in order."""
        owners = np.searchsorted(self._offsets, places, side="right")
        _, firsts = np.unique(owners, return_index=True)
        return tuple(self._hit(int(places[at]), 0.0) for at in np.sort(firsts).tolist())

    def timeline(self) -> list[TimelineEntry]:
        """Dated events in chronological order, each with its passages."""
        dated = [e for e in self._events if e.event is not None and e.event.dated]
        named = _NamedAt([e for e in dated if e.event is not None and not e.event.context])
        entries: list[tuple[tuple[int, int], TimelineEntry]] = []
        for entity in dated:
            event = entity.event
            if event is None or event.start is None or not event.context:
                continue  # named events appear through the date that dates them
            places = entity.places
            label = named.at(event.start, places) or event.context
            entry = TimelineEntry(
                entity.name,
                label,
                _Hits(places, self._hit),
                self._refs_of(places),
                self._sources_of(places),
            )
            entries.append((event.start, entry))
        entries.sort(key=lambda item: (item[0], item[1].when))
        return [entry for _, entry in entries]

    def figures(self) -> list[tuple[str, tuple[str, ...], int]]:
        """(name, aliases, passage count) for each figure, most mentioned first."""
        return [(e.name, e.aliases, len(e.places)) for e in _by_mentions(self._figures)]

    def events(self) -> list[tuple[str, str, int]]:
        """(name, date or "", passage count) for each event, named ones first."""
        return [
            (e.name, _when(e.event), len(e.places)) for e in sorted(self._events, key=_event_order)
        ]

    def complete_figure(self, text: str, limit: int = 25) -> list[str]:
        """Autocomplete for figure names: prefix matches first, then fuzzy ones."""
        return self._figure_names[1].complete(text, limit, FUZZY_COMPLETION)

    def complete_event(self, text: str, limit: int = 25) -> list[str]:
        """Autocomplete for event names and dates: prefix matches first, then fuzzy ones."""
        return self._event_completions.complete(text, limit, FUZZY_COMPLETION)

    # -- prepared look-ups: plain data built once from the entities ------------------------

    @cached_property
    def _figure_names(self) -> tuple[list[_Entity], NameTable]:
        """Figures, most mentioned first (the order ties and autocomplete go by), and their
        names prepared for look-ups."""
        return _table(_by_mentions(self._figures))

    @cached_property
    def _event_names(self) -> tuple[list[_Entity], NameTable]:
        """Named events ("Kronstadt rebellion"), most mentioned first, for look-ups by name;
        dates ("from 1936 to 1938") are looked up by year instead."""
        named = [e for e in self._events if e.event is None or not e.event.context]
        return _table(_by_mentions(named))

    @cached_property
    def _event_completions(self) -> NameTable:
        """Every event and date, in the order the event list shows them, for autocomplete."""
        return _table(sorted(self._events, key=_event_order))[1]

    # -- internals -------------------------------------------------------------------------

    def _entity_answer(
        self,
        name: str,
        kind: str,
        table: tuple[Sequence[_Entity], NameTable],
        top_k: int,
        offset: int,
    ) -> Answer:
        """A known entity's passages when the name resolves to one, else a search for the name.

        The entity lists only boost: a name they miss is still looked up in the text, and
        "not found" means the text shares too little of the name (the rule `ask` uses).
        """
        entities, names = table
        rank, closest = names.resolve(name, partial=kind == "event", suggestions=SUGGESTIONS)
        if rank is not None:
            entity = entities[rank]
            terms = [*analyze(name), *(t for alias in entity.aliases for t in analyze(alias))]
            ranked = self._rank_places(entity.places, terms)
            return self._answer(name, kind, ranked, top_k, offset, subject=entity.name)
        suggestions = tuple(entities[r].name for r in closest)
        typed_a_name = is_name(name)  # else a pasted text, searched as `ask` searches it
        terms = self.query_terms(without_titles(name) if typed_a_name else name)
        searched = self._search(terms)
        if searched is None:
            return Answer(name, kind, False, suggestions=suggestions)
        kept, weak = searched
        found = self._together_first(kept, terms) if typed_a_name else kept
        return replace(self._answer(name, kind, found, top_k, offset), weak=weak)

    def _together_first(
        self, ranked: Sequence[tuple[int, float]], terms: Sequence[str]
    ) -> list[tuple[int, float]]:
        """Passages holding a name's words side by side, in order, before those holding them
        apart ("Tropical Storm Allison" before a passage with "storm" and "Allison" apart)."""
        if len(terms) < 2:
            return list(ranked)
        n = len(terms)
        together = {
            position
            for position, _ in ranked
            if any(
                passage_terms[i : i + n] == list(terms)
                for passage_terms in [self._analyze(self._passages[position].clean)]
                for i in range(len(passage_terms) - n + 1)
            )
        }
        return sorted(ranked, key=lambda item: item[0] not in together)

    def _rank_places(
        self,
        positions: np.ndarray | Iterable[int],
        terms: Sequence[str],
        first_by: np.ndarray | None = None,
    ) -> _Ranked:
        """Passages best first by their scores for `terms` (all 0 without terms), ties to the
        earlier passage; with `first_by` (a key per passage), lowest key first. Sorted in
        numpy and kept as arrays, as a figure may have thousands of passages."""
        places = (
            positions
            if isinstance(positions, np.ndarray)
            else np.fromiter(positions, dtype=np.int64)
        )
        scores = self.index.scores(terms)[places] if terms else np.zeros(places.size)
        keys = (places, -scores) if first_by is None else (places, -scores, first_by)
        order = np.lexsort(keys)
        return _Ranked(places[order], scores[order])

    def _answer(
        self,
        query: str,
        kind: str,
        ranked: Sequence[tuple[int, float]],
        top_k: int,
        offset: int,
        subject: str | None = None,
    ) -> Answer:
        page = ranked[offset : offset + top_k]
        hits = tuple(self._hit(position, score) for position, score in page)
        return Answer(query, kind, bool(ranked), hits, (), subject, total=len(ranked))

    def _hit(self, position: int, score: float) -> Hit:
        passage = self._passages[position]
        return Hit.of(passage, self._by_id[passage.document], score)

    def _closest_entities(self, query: str) -> tuple[str, ...]:
        """Figures or events named in an unanswered question, to offer instead."""
        words = {fold(w) for w in query.replace("?", " ").split() if len(w) > 3}
        named = {rank for word in words for rank in self._entities_by_word.get(word, ())}
        found = [self._suggestable[rank].name for rank in sorted(named)]
        return tuple(dict.fromkeys(found))[:SUGGESTIONS]

    @cached_property
    def _suggestable(self) -> list[_Entity]:
        # Most-mentioned figures first, then events: the order suggestions are offered in.
        return [*_by_mentions(self._figures), *self._events]

    @cached_property
    def _entities_by_word(self) -> dict[str, list[int]]:
        """Each folded word of an alias → the ranks (in `_suggestable`) of the entities using
        it, so that an unanswered question costs a look-up a word, not a scan of every alias."""
        index: dict[str, list[int]] = {}
        for rank, entity in enumerate(self._suggestable):
            for part in {fold(part) for alias in entity.aliases for part in alias.split()}:
                index.setdefault(part, []).append(rank)
        return index


class _Chained(Sequence[Passage]):
    """Several documents' passages as one sequence, by index position, read from them on use."""

    def __init__(self, parts: Sequence[Sequence[Passage]]) -> None:
        self._parts = [part for part in parts if len(part)]
        self._starts = [0]
        for part in self._parts:
            self._starts.append(self._starts[-1] + len(part))

    def __len__(self) -> int:
        return self._starts[-1]

    @overload
    def __getitem__(self, i: int) -> Passage: ...

    @overload
    def __getitem__(self, i: slice) -> list[Passage]: ...

    def __getitem__(self, i: int | slice) -> Passage | list[Passage]:
        if isinstance(i, slice):
            return [self[j] for j in range(len(self))[i]]
        i = range(len(self))[i]  # negative and out-of-range as a list
        part = bisect_right(self._starts, i) - 1
        return self._parts[part][i - self._starts[part]]

    def __iter__(self) -> Iterator[Passage]:
        return chain.from_iterable(self._parts)


def _above_floor(ranked: Sequence[tuple[int, float]]) -> list[tuple[int, float]]:
    """The best passage, and those after it scoring at least RELATIVE_FLOOR of its score.

    The best is kept whatever its sign: in a one-passage document every term is in every
    passage, so BM25's IDF, and the score, is negative.
    """
    floor = ranked[0][1] * RELATIVE_FLOOR
    return [ranked[0], *(item for item in ranked[1:] if item[1] >= floor)]


def _merge(items: Iterable[tuple[int, Figure | Event]]) -> list[_Entity]:
    """One entity per name across documents, so a figure in two documents has both places.

    `items` pairs each entity with the index position where its document's passages start.
    """
    merged: dict[str, _Entity] = {}
    for start, item in items:
        key = fold(item.name)
        places = _places(item.passages, start)
        event = item if isinstance(item, Event) else None
        if key in merged:
            old = merged[key]
            aliases = tuple(dict.fromkeys(old.aliases + item.aliases))
            places = _first_of_each(np.concatenate([old.places, places]))
            merged[key] = _Entity(old.name, aliases, places, old.event or event)
        else:
            merged[key] = _Entity(item.name, item.aliases, places, event)
    return list(merged.values())


def _places(passages: Sequence[int], start: int) -> np.ndarray:
    """Index positions of a document's passages that start at `start`: a cached entity's
    array itself where nothing is added, so the mapped pages are not copied."""
    array = np.asarray(passages)
    if array.dtype.kind != "i":  # no passage at all, or a sequence numpy cannot read whole
        array = np.fromiter(passages, dtype=np.int64, count=len(passages))
    return array + np.int64(start) if start else array


def _first_of_each(places: np.ndarray) -> np.ndarray:
    """`places` without repeats, each where it first occurs."""
    _, first = np.unique(places, return_index=True)
    return places[np.sort(first)]


class _NamedAt:
    """For the timeline, which named event with a given start each passage holds: a date's
    entry takes the name of one its passages shares ("March 1921" is the Kronstadt
    rebellion), found with numpy rather than a (start, passage) pair per position."""

    def __init__(self, named: Sequence[_Entity]) -> None:
        self._by_start: dict[tuple[int, int], list[_Entity]] = {}
        for entity in named:
            if entity.event is not None and entity.event.start is not None:
                self._by_start.setdefault(entity.event.start, []).append(entity)
        self._arrays: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}

    def at(self, start: tuple[int, int], places: np.ndarray) -> str | None:
        """The name at the first of `places` that a named event starting at `start` holds
        (the last such event, of several), or None."""
        events = self._by_start.get(start)
        if not events:
            return None
        if start not in self._arrays:
            self._arrays[start] = (
                np.concatenate([e.places for e in events]),
                np.repeat(np.arange(len(events)), [len(e.places) for e in events]),
            )
        held, owners = self._arrays[start]
        shared = np.isin(places, held)
        if not shared.any():
            return None
        first = places[int(np.argmax(shared))]
        return events[int(owners[np.flatnonzero(held == first)[-1]])].name


def _join_surnames(figures: list[_Entity]) -> list[_Entity]:
    """Fold "Marx" of one document into "Karl Marx" of another, when the surname is unique."""
    full: dict[str, list[_Entity]] = {}
    for entity in figures:
        words = entity.name.split()
        if len(words) > 1:
            full.setdefault(fold(words[-1]), []).append(entity)
    joined = {id(e): e for e in figures}
    for entity in figures:
        owners = full.get(fold(entity.name), [])
        if " " not in entity.name and len(owners) == 1:
            owner = joined[id(owners[0])]
            aliases = tuple(dict.fromkeys(owner.aliases + entity.aliases))
            places = np.concatenate([owner.places, entity.places])
            joined[id(owners[0])] = _Entity(owner.name, aliases, places)
            del joined[id(entity)]
    return list(joined.values())


def _by_mentions(entities: Sequence[_Entity]) -> list[_Entity]:
    return sorted(entities, key=lambda e: (-len(e.places), e.name))


def _event_order(entity: _Entity) -> tuple[int, tuple[int, int], str]:
    event = entity.event
    dated_only = int(event is not None and bool(event.context))
    return (dated_only, event.start if event and event.start else (0, 0), entity.name)


def _when(event: Event | None) -> str:
    if event is None or event.start is None or event.end is None:
        return ""
    if event.context:
        return event.name
    return (
        str(event.start[0])
        if event.start[0] == event.end[0]
        else f"{event.start[0]}–{event.end[0]}"
    )


# Words a date is written with besides its numbers: "early 1930s", "March 1921".
_DATE_TERMS = frozenset(analyze(" ".join([*MONTHS, "early", "mid", "late", "year", "years"])))


def _years(text: str) -> list[int]:
    """Years a date names: "1937" → [1937]; "the 1930s" → 1930..1939; a name with other words
    ("revolutions of 1848") is not a date and names none."""
    if len(text) > QUERY_PREFIX_CHARS:
        # A pasted text: a word that is no date in its first part settles it (the first
        # terms of a part cut at a space are those of the whole; see _first_terms).
        cut = text.rfind(" ", 0, QUERY_PREFIX_CHARS)
        if cut > 0 and _date_years(analyze(text[:cut])) is None:
            return []
    return _date_years(analyze(text)) or []


def _date_years(terms: Iterable[str]) -> list[int] | None:
    """The years date terms name, or None at the first term that is no part of a date."""
    years: list[int] = []
    for token in terms:
        if token.isdigit() and len(token) == 4:
            years.append(int(token))
        elif token.endswith("s") and token[:-1].isdigit() and len(token) == 5:
            years.extend(range(int(token[:-1]), int(token[:-1]) + 10))
        elif token not in _DATE_TERMS:
            return None
    return years


def _table(entities: list[_Entity]) -> tuple[list[_Entity], NameTable]:
    return entities, NameTable.of([(e.name, e.aliases) for e in entities])
