"""People and events found in a document's own text, with no model and no per-document list.

The finder reads runs of capitalised words ("Rosa Luxemburg", "Battle of San Jacinto") and
judges them with small named rules, each a function below whose docstring gives its reason.
General English word lists (organisation, place and event nouns, roles, titles) feed them;
nothing is keyed to a particular document.

People are decided over the whole document:

- NAME_REJECTIONS look only at a name's words: one that holds an organisation, place, work or
  event word, an acronym, a people's or creed's name, or only ordinary words is no person;
- STRONG_CUES read one mention's surroundings and are enough alone: a role or title before it
  ("historian Sheila Fitzpatrick", "Executive Producer Mathew Knowles"), kinship ("his sister
  Myra"), an apposition or definition naming a role, life dates, "who" after it, "et al.";
- WEAK_CUES (a possessive, a verb after it, "by" before it, a middle initial…) make a person
  when the mentions showing one outnumber those that CONTRARY_CONTEXTS put in a place's or
  thing's position ("in Houston", "the Star", "Alzheimer's disease");
- then a person's partner in a list and a full name ending in a person's surname are people
  too, where nothing says otherwise.

One person's names are joined: "Allen Morris" is "Allen Robert Morris", a surname alone goes to
the one full name ending in it, or to the document's subject when several share it.

Events come from EVENT_RULES, one per shape of name ("Kronstadt rebellion", "Battle of San
Jacinto", "Tropical Storm Allison", "2011 Census", "the custom of Beating the bounds"…), and
from dates ("March 1921", "from 1936 to 1938", "the 1930s"), which keep the sentence that dates
them for timelines. A sidecar file can add, rename or drop entities.
"""

from __future__ import annotations

import gc
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import pairwise
from typing import Any, NamedTuple

from knowledge.entities import MONTHS, ROLE_WORDS, Entities, Event, Figure, Refinements, YearMonth
from knowledge.text import fold

_MONTH = "|".join(MONTHS)
_YEAR = r"(?:1[0-9]{3}|20[0-9]{2})"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# -- General English word lists ------------------------------------------------------------------

# Function words that start sentences or titles; a capitalised one is no part of a name.
STOPWORDS = _words(
    """a an the this that these those some many most much several such other another each every
    all both either neither any no not and or but nor yet so for of in on at to from by with
    without within into onto upon over under about above below across after before during since
    until against among between through throughout toward towards via per like unlike as if
    when while where whereas because although though however therefore thus hence conversely
    meanwhile moreover furthermore also even still later earlier then there here it its he she
    they we you i his her their our your my him them us who whom whose which what why how
    according following despite besides der die das le la les el il lo"""
)
# Articles of other languages that open names of places and works: "Las Colinas", "San Jacinto".
FOREIGN_ARTICLES = _words("las los san santa")
# What a person is or does, the nouns that name one: "producer Rick Cortright".
OCCUPATIONS = ROLE_WORDS | _words(
    """actor actress administrator admiral advisor adviser ambassador anarchist announcer
    anthropologist archbishop architect artist assassin astronomer athlete attorney baron
    banker biologist bishop blacksmith broadcaster businessman businesswoman campaigner
    captain cardinal cartographer chancellor chef chemist classmate colleague columnist
    commander commentator composer conductor congressman correspondent councillor counsellor
    cousin creator dancer dean designer diplomat director doctor economist editor educator
    engineer entertainer entrepreneur evangelist executive explorer farmer feminist founder
    friend
    geographer governor guitarist headmaster host humorist industrialist illustrator
    inventor judge jurist king lawyer lecturer librarian linguist magistrate manager mathematician
    mayor mentor merchant missionary monk musician narrator naturalist officer
    organiser organizer painter pastor pedagogue personality pharmacist photographer physician
    physicist pianist pilot pitcher playwright preacher priest prince princess producer
    programmer prophet psychologist publisher rabbi radical rapper reformer reporter researcher
    rival ruler sailor scientist sculptor senator singer soldier songwriter spokesman spokeswoman
    statesman student surgeon teacher theologian thinker trainer translator veteran violinist
    winner"""
)
# Family words: "his sister Myra", "Beyoncé's father", "son of Robert Leonard Morris".
KINSHIP = _words(
    """father mother son daughter brother sister wife husband widow widower uncle aunt nephew
    niece cousin grandson granddaughter grandfather grandmother twin stepfather stepmother
    fiancé fiancée"""
)
# Courtesy titles and offices written before a name but no part of it: "Mr Brett Elliott".
OFFICE_TITLES = _words(
    """mr mrs ms miss dr doctor prof professor gen general president vice chairman chairwoman
    chair secretary minister prime premier senator governor mayor judge justice captain capt
    colonel col sergeant sgt lieutenant lt commander chief editor director producer manager
    rev reverend rabbi bishop archbishop cardinal chancellor ambassador commissioner
    superintendent headmaster officer marshal admiral"""
)
# Offices held over a place, so "of" after one names the place: "Mayor of Jackson".
OFFICES_OF_PLACES = _words("mayor governor bishop archbishop ambassador premier senator")
# Words that qualify an office and are stripped with it: "Executive Vice President".
OFFICE_QUALIFIERS = _words(
    """executive creative senior junior assistant deputy associate acting interim former future
    late operations managing general vice co"""
)
# Ranks that are part of the name they precede: "King Charles II", "Sir Walter Raleigh Gilbert".
NOBLE_TITLES = _words(
    """king queen prince princess sir dame lord lady baron baroness duke duchess earl count
    countess emperor empress tsar czar tsarina sultan pope"""
)
# Letters after a name that make its bearer a person: "Scott Mann MP".
POST_NOMINALS = _words("MP QC KC VC OBE MBE CBE KBE PhD Jr Sr")
# Abbreviations whose full stop ends no sentence: "St. Petroc", "Gen. Pervez Musharraf".
ABBREVIATIONS = _words(
    "Mr Mrs Ms Dr Gen St Prof Rev Sr Jr Col Capt Lt Sgt Fr Hon Gov Sen Ste Mt No vs ca al"
)
# Religious and political adjectives written before a name: "the Protestant Edward VI".
CREED_ADJECTIVES = _words(
    """protestant catholic christian jewish muslim islamic anglican methodist lutheran
    orthodox buddhist hindu quaker puritan radical liberal conservative"""
)
# Head nouns of organisations: a run containing one is no person.
ORGANISATION_WORDS = _words(
    """party league union congress agency review opposition front council committee army navy
    republic kingdom empire states state university college school academy institute institution
    press magazine journal newspaper times post herald tribune gazette guardian star news
    association society movement international conference company corporation corp inc ltd llc
    bank federation confederation ministry government department office court senate parliament
    assembly bureau commission organization organisation foundation group groups club guard
    police constabulary service services trust fund cabinet authority administration corps
    brigade regiment battalion division infantry squadron fleet airlines railway network channel
    radio television tv broadcasting studios studio productions media entertainment
    communications solutions technologies systems industries records publishing publishers
    orchestra philharmonic band choir ensemble gang alliance coalition syndicate cooperative
    diocese church programme program project team laboratories pharmaceuticals partners
    brothers asociación associazione confederación confederazione federación federazione
    unione unión partido partito parti sindicato escuela école universidad università comité
    grupo gruppo liga lega bund verband partei"""
)
# Head nouns of places and buildings: a run containing one is no person.
PLACE_WORDS = _words(
    """street road avenue lane square park parc place quay row hill hills moor heath castle
    palace hall house tower abbey priory friary chapel cathedral minster monastery temple mosque
    synagogue elementary library museum gallery theatre theater stadium arena station airport
    port harbour harbor bridge gate gaol jail prison barracks fort camp estate manor farm garden
    gardens cemetery village town city county shire district parish borough province region
    country nation island islands isle peninsula mountain mountains valley river lake sea ocean
    bay gulf creek brook forest desert coast beach cross monument building centre center market
    reserve line east west north south europe asia africa america americas world"""
)
# Words that title works, awards and products: a run containing one is no person.
WORK_WORDS = _words(
    """award awards prize prizes medal trophy book books novel film films show shows series
    album song songs poem report manifesto declaration act law constitution bill charter code
    principles doctrine volume chapter edition symphony rhapsody concerto opera order decree
    ordinance resolution amendment article statute"""
)
# Words for spans of time: a run containing one is an era, no person ("Middle Ages").
PERIOD_WORDS = _words("age ages era century centuries period dynasty week year years")
NON_PERSON_WORDS = ORGANISATION_WORDS | PLACE_WORDS | WORK_WORDS | PERIOD_WORDS
# Organisations often "of" a person, so no sign of a place after "of": "the government of X".
_LED_BY_A_PERSON = _words("government administration cabinet regime court army group party")
INSTITUTION_WORDS = ORGANISATION_WORDS - _LED_BY_A_PERSON
# What a person leads, so "of" after one names its leader: "under the management of Matt Busby".
LEADERSHIP_NOUNS = _LED_BY_A_PERSON | _words(
    "leadership management command rule reign presidency premiership tenure"
)

# Nouns naming a happening, in lower or upper case: "Kronstadt rebellion", "Gulf War".
EVENT_NOUNS = _words(
    """revolution revolutions rebellion uprising uprisings revolt revolts purge purges war wars
    crisis massacre famine coup putsch trial trials affair incident blockade siege battle
    invasion mutiny insurrection riot riots election elections conference fire conquest
    assassination debate debates conflict blackout protest protests referendum census earthquake
    flood bombing bombings scandal summit telethon festival parade strike strikes genocide pogrom
    expedition crusade armistice ceasefire lockout boycott walkout rally demonstration
    demonstrations disaster explosion attack attacks raid raids split"""
)
# Event heads used only capitalised; in lower case they are ordinary words ("a pact").
CAPITALISED_EVENT_HEADS = EVENT_NOUNS | _words(
    """agreement accords treaty pact commune congress games olympics championship championships
    tournament bowl cup celebration ceremony coronation jubilee exhibition expo marathon spring
    terror death depression plague blitz campaign march carnival holocaust survey voyage
    mission"""
)
# Recurring events are named with their year: "2011 Census", "2010 mayoral election".
RECURRING_EVENT_HEADS = _words(
    """election elections census games olympics championship championships cup bowl festival
    tournament referendum"""
)
# Event words that start a name followed by "of": "Battle of San Jacinto", "Siege of Exeter".
PREFIX_EVENT_HEADS = _words(
    """battle siege treaty peace massacre sack capture storming invasion conquest partition
    assassination burning relief liberation occupation war rebellion revolt uprising raid
    bombing trial expedition"""
)
# Words naming the event that follows them: "Hurricane Katrina", "Operation Overlord".
NAMING_EVENT_WORDS = _words("hurricane typhoon cyclone storm operation")
# Happenings written capitalised alone: "After Independence", "survived the Holocaust".
CAPITALISED_HAPPENINGS = (
    "Holocaust",
    "Independence",
    "Partition",
    "Reformation",
    "Reconstruction",
    "Prohibition",
    "Inquisition",
    "Crusades",
    "Blitz",
    "Armistice",
    "Emancipation",
    "Martial Law",
)
# Calendar words that name an occasion after a common word: "Gay Pride Week", "May Day".
CALENDAR_HEADS = _words("Day Week Year")
# Nouns that define a name as an event: "Bodmin Riding, a horseback procession".
EVENT_KINDS = EVENT_NOUNS | _words(
    """procession ceremony festival carnival celebration custom holiday fair race competition
    tournament event pageant rite ritual feast commemoration observance telethon"""
)
# Words after a name that make it the subject of a clause: "Tito disagreed", "Lenin had".
AUXILIARIES = _words(
    """was were is are has had have would could should will did does became become wrote said
    argued called claimed rose led saw took made gave went came died lived says writes argues
    claims shows describes reports notes thought believed asked told won lost began fought met
    left kept held brought taught knew grew drew spoke chose fell felt ran stood"""
)
# Function words and those verbs: no noun that a modifier stands before.
_FUNCTION_WORDS = STOPWORDS | AUXILIARIES
# Prepositions that put a name in a place's position: "in Houston", "near Bodmin".
PLACE_PREPOSITIONS = _words(
    "in at near into across throughout outside inside within around towards toward from"
)
# Words before a name that make it a thing's name: "the Star", "a Diego Rivera mural".
DETERMINERS = _words("the a an this these those its their our")
# Words ending in "-ed" this long are past tenses ("used"); shorter ones are not ("red", "bed").
SHORTEST_PAST_TENSE = 4
# Prepositions whose object is no clause's subject: "contract with Metromedia expired".
PREPOSITIONS = _words(
    """of with for to from by in on at into onto upon over under about above below across
    during against among between through throughout toward towards via per without within near"""
)
# Adverbs that open sentences, capitalised only for that: "Thereafter, the Governor General".
SENTENCE_ADVERBS = _words(
    """thereafter afterwards subsequently eventually initially originally previously recently
    currently today finally nevertheless nonetheless instead indeed perhaps likewise similarly
    overall"""
)
# Adverbs that may follow a name without making it a modifier: "Stalin once he rose".
ADVERBS = _words("once never always often soon now again already first finally thus")
# Nouns for places that name one after "of": "the hamlets of Cooksland", "Borough of Bodmin".
PLACE_NOUNS = _words(
    """town towns city cities village villages hamlet hamlets county counties parish parishes
    borough district province region state states island islands port kingdom republic"""
)
# Nouns written before the name of a thing of their kind: "the journal El Porvenir"; only
# nouns that are no verbs, so "It shows Nikolai Bukharin" keeps its person.
THING_NOUNS = _words(
    """journal magazine newspaper periodical federation confederation union party league
    association society movement organisation organization company corporation firm group
    band club book novel film album song poem river lake island city town village ship"""
)
# Things a business has, not a person: "Sing Tao's Canadian newspaper", "Thompson's client".
BUSINESS_NOUNS = _words(
    """newspaper paper company client clients customers subsidiary website headquarters
    shareholders employees stations products brand brands offices"""
)
# Nouns named after a person that are no sign of one: "Alzheimer's disease".
EPONYMOUS_TERMS = _words(
    """disease syndrome law laws theorem principle effect equation constant rule paradox razor
    comet reaction number"""
)
# Endings of words for a doctrine or its followers named after someone: "Stalinism", "Titoist".
EPONYM_SUFFIXES = ("ism", "ist", "ists", "ite", "ites", "sm", "ian")
# Letters a country and its people's adjective share: "Brit-ain", "Brit-ish"; fewer would
# tie unrelated words ("Mar-x", "Mar-tian").
DEMONYM_STEM = 4
# Endings of abstract nouns, never a person's one-word name: "Computation", "Mutagenesis".
ABSTRACT_ENDINGS = ("tion", "sion", "ment", "ness", "ity", "sis", "ogy", "ism")
# What only a person leaves or has: "the writings of James Burnham", "followers of Proudhon".
AUTHORED = _words(
    """writings works ideas teachings thought theories followers disciples admirers legacy
    biography memoirs diaries letters"""
)
# Research groups named after their head: "the Schipper group", "Benner's group".
RESEARCH_GROUPS = _words("group lab labs laboratory team coworkers co-workers colleagues")
# Epithets joined to a name by "the": "Jodocus Hondius the Elder".
EPITHETS = ("Elder", "Younger", "Great")
# Lower-case particles inside names: "Ramón de la Sagra", "Francesc Pi i Margall".
PARTICLES = _words("de la del della des von van der den da di du dos y i bin ibn al")
# Words after a possessive that can hold what is possessed: "McGuinty's Liberal government",
# "Sing Tao's Canadian newspaper".
POSSESSED_WORDS = 3
# How far an apposition or definition may run before its role noun: "Joe Shuster, one of the
# two creators" puts it five words on; further words belong to the rest of the clause.
ROLE_PHRASE_WORDS = 5
# Characters before a name that can hold the words judged with it ("the late", "sister (").
LOOK_BEHIND = 40
# Characters after a name that can hold the few words the rules read there.
LOOK_AHEAD = 120
# Words before a name the rules read: "assassination of", "the government of" need two.
PRECEDING_WORDS = 2
# A date within this many characters after an event's name dates it: "rebellion (March 1921)".
DATE_REACH = 25


# -- Text pieces: sentences and capitalised runs -------------------------------------------------

_UPPER = "".join(c for c in map(chr, range(0x41, 0x250)) if c.isupper())
_CAP = f"[{_UPPER}]"
_LETTER = r"[^\W\d_]"
_SP = r"[ \u00a0]+"
_ABBREVIATED = "|".join(sorted(ABBREVIATIONS - {"vs", "ca", "al", "No"}, key=len, reverse=True))
_NAME_WORD = (
    rf"(?:(?:{_ABBREVIATED})\.(?={_SP}{_CAP})"  # "St. Petroc", "Gen. Pervez"
    rf"|(?:{_CAP}\.){{1,3}}(?!{_LETTER})"  # initials: "J.", "E.C.", "U.S."
    rf"|(?:[a-z]{{1,2}}[-'’])?{_CAP}{_LETTER}*(?:\[\.\]{_LETTER}+)*"  # "al-Basri", "Duno[.]atus"
    rf"(?:['’]{_CAP}{_LETTER}*)?(?:[-–]{_CAP}{_LETTER}*)*)"  # "O'Rourke", "Baring-Gould"
)
_CONNECTOR = rf"(?:of the|of|for|de la|{'|'.join(sorted(PARTICLES, key=len, reverse=True))})"
_EPITHET = rf"the{_SP}(?:{'|'.join(EPITHETS)})\b"
_POSSESSIVE = r"(?:['’]s|(?<=s)['’])"
_RUN = re.compile(
    rf"(?<![\w'’\-–]){_NAME_WORD}(?:{_SP}(?:(?:{_CONNECTOR}){_SP})?(?:{_NAME_WORD}|{_EPITHET}))*"
    rf"(?P<possessive>{_POSSESSIVE})?(?![\w'’\-–])"
)
_SPACES = re.compile(_SP)
# What follows a stop that ends a sentence: closing quotes, a space and a capital.
_AFTER_STOP = r"['\"”’)\]]*\s+(?=[\"“(]?[A-Z])"
# A stop that ends a sentence, or the last dot of an ellipsis, which ends one wherever it
# stands (but where the character after it is such a stop, which ends the sentence instead).
# Each alternative starts at a stop, so that the regex is tried only at stops.
_SENTENCE_BREAK = re.compile(
    rf"[.!?](?:{_AFTER_STOP}|(?<=\.\.\.)(?![.!?]{_AFTER_STOP})(?P<ellipsis>))"
)
_LAST_TOKEN = re.compile(r"([\w\[\].]+)[.!?]['\"”’)\]]*\s*$")
_OPENS_SENTENCE = re.compile(r"(?:^|[.!?:;]['\"”’)]?\s+|[\"“(‘'–—]\s*)$")
# Describing words a year's event may have before its head: "2008 Beijing Olympic Games
# protests" has three.
YEAR_EVENT_WORDS = 3
# Characters before a run that can show it opens a clause: a stop, a closing quote, a space.
OPENING_CHARS = 3
_WORD = re.compile(r"[^\W\d_]+")
_TOKEN_BEFORE = re.compile(r"[\w'’.-]+")
# Where a year or decade may be written (a superset of `_YEAR`): dates need one.
_HAS_YEAR = re.compile(r"1[0-9]{3}|20[0-9]{2}")
_INITIALS = re.compile(r"(?:[A-Z]\.)+[A-Z]")


# Characters before a full stop searched first for the word it closes; a longer word is then
# searched for in the whole sentence so far.
LAST_TOKEN_CHARS = 40
# Lower-case letters closing a word this long make it no abbreviation (nor an initial).
_PLAIN_WORD_CHARS = max(map(len, ABBREVIATIONS)) + 1


def _sentences(text: str) -> list[str]:
    """Sentences of a passage; a full stop after an abbreviation or initial ends none."""
    parts: list[str] = []
    start = 0
    for match in _SENTENCE_BREAK.finditer(text):
        if match["ellipsis"] is not None:
            parts.append(text[start : match.end()])
            start = match.end()
            continue
        if _ends_abbreviation(text, start, match.start(), match.end()):
            continue
        parts.append(text[start : match.end()])
        start = match.end()
    parts.append(text[start:])
    return [p for p in parts if p.strip()]


def _ends_abbreviation(text: str, start: int, stop: int, after: int) -> bool:
    """Whether the full stop at `stop` in `text` (its sentence begun at `start`) belongs to an
    abbreviation or an initial; the next word begins at `after`."""
    tail = text[stop - _PLAIN_WORD_CHARS : stop]
    if stop - _PLAIN_WORD_CHARS >= start and tail.isalpha() and tail.islower():
        return False  # the word it closes is too long for an abbreviation, and no initial
    window = max(start, stop - LAST_TOKEN_CHARS)
    last = _LAST_TOKEN.search(text, window, stop + 1)
    if last is not None and last.start() == window > start:  # it may begin further back
        last = _LAST_TOKEN.search(text, start, stop + 1)
    if last is None:
        return False
    token = last.group(1).rstrip(".")
    if token in ABBREVIATIONS:
        return True
    # "James P. Cannon" but not "listed Grade I. There are": an initial is followed by a name.
    initial = (len(token) == 1 and token.isupper()) or bool(_INITIALS.fullmatch(token))
    space = text.find(" ", after)
    next_word = text[after : space if space >= 0 else None].strip('"“(')
    return initial and next_word.lower() not in STOPWORDS


class _Run(NamedTuple):
    start: int
    end: int  # after the last word, before any possessive
    words: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]  # each word's offsets in the sentence
    initial: bool  # whether it opens its sentence
    possessive: bool
    inner: bool = False  # a name after "of" inside a longer one: "Chakrabongse of Thailand"


_NON_SPACE = re.compile(r"[^ \u00a0]+")


def _runs(sentence: str) -> list[_Run]:
    """Capitalised runs of a sentence, a possessive closing its run ("McGuinty's | Liberal")."""
    runs: list[_Run] = []
    lead = len(sentence) - len(sentence.lstrip())  # a run starting here opens the sentence
    quoted = '"' in sentence or "“" in sentence  # a nickname is quoted
    for match in _run_matches(sentence):
        start = match.start()
        possessive = match["possessive"]
        end = match.start("possessive") if possessive else match.end()
        initial = start <= lead or bool(
            _OPENS_SENTENCE.search(sentence, max(0, start - OPENING_CHARS), start)
        )
        text = sentence[start:end]
        if " " in text or "\u00a0" in text:
            found = list(_NON_SPACE.finditer(sentence, start, end))
            words = tuple(w.group() for w in found)
            spans = tuple(w.span() for w in found)
        else:  # one word, as most runs are
            words, spans = (text,), ((start, end),)
        run = _Run(start, end, words, spans, initial, bool(possessive))
        if (
            quoted
            and len(runs) > 1
            and (nickname := _NICKNAME.fullmatch(sentence, runs[-2].end, start))
        ):
            runs.pop()  # the nickname's own run
            run = _with_nickname(runs.pop(), nickname, run)
        runs.append(run)
    return runs


_CAPITAL = re.compile(_CAP)
# What may stand between a run's lower-case prefix and its capital: "al-Basri", "d'Alembert".
_PREFIX_ENDS = "-'’"


def _run_matches(sentence: str) -> Iterator[re.Match[str]]:
    """The matches `_RUN.finditer` gives, found faster: a run starts at a capital or at a
    prefix of one or two letters before it, so only there is a run tried (the regex alone
    tries every position)."""
    pos = 0
    while (capital := _CAPITAL.search(sentence, pos)) is not None:
        at = capital.start()
        found = None
        if at and sentence[at - 1] in _PREFIX_ENDS:
            for start in (at - 3, at - 2):
                if start >= pos and (found := _RUN.match(sentence, start)) is not None:
                    break
        if found is None:
            found = _RUN.match(sentence, at)
        if found is None:
            pos = at + 1
            continue
        yield found
        pos = found.end()


_NICKNAME = re.compile(rf"[ \u00a0]+[\"“](?:{_CAP}[\w'’.-]*[ \u00a0]?){{1,3}}[\"”][ \u00a0]+")


def _with_nickname(first: _Run, nickname: re.Match[str], last: _Run) -> _Run:
    """One name around a quoted nickname: 'Joseph "Holy Joe" Atkinson'."""
    inner = list(_NON_SPACE.finditer(nickname.string, nickname.start(), nickname.end()))
    return _Run(
        first.start,
        last.end,
        first.words + tuple(w.group() for w in inner) + last.words,
        first.spans + tuple(w.span() for w in inner) + last.spans,
        first.initial,
        last.possessive,
    )


def _is_initial(word: str) -> bool:
    # The pattern last: most words are no initial by their length or last letter.
    return (
        (word.endswith(".") or len(word) == 1)
        and len(word.rstrip(".")) <= 3
        and bool(_CAPITALS.fullmatch(word))
    )


_ROMAN = re.compile(r"[IVXLC]+")
_CAPITALS = re.compile(rf"(?:{_CAP}\.?)+")


def _is_roman(word: str) -> bool:
    return bool(_ROMAN.fullmatch(word))


def _is_acronym(word: str) -> bool:
    letters = word.replace(".", "")
    return len(letters) > 1 and letters.isupper() and letters.isalpha() and not _is_initial(word)


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


# -- What the whole document says about its words ------------------------------------------------


class _Vocabulary:
    """Document-wide facts the rules consult: which words are ordinary, which are modifiers."""

    def __init__(self, texts: Sequence[str]) -> None:
        # Distinct words first: a corpus repeats its words many times over, and the tests
        # below need each only once. No word spans a space, so the words of the distinct
        # space-separated tokens are all the words. (Gathered passage by passage: the tokens of
        # a whole corpus split at once took more memory than anything else the finder keeps.)
        tokens: set[str] = set()
        for text in texts:
            tokens.update(text.split())
        words = set(_WORD.findall(" ".join(tokens)))  # a word (letters only) spans no space
        self.lower = {w for w in words if w.islower()}
        self.capital = {w for w in words if w[0].isupper()}
        self.modifiers: set[str] = set()  # capitalised words seen right before a lower-case noun
        self.owners: set[str] = set()  # names that begin an organisation's or place's name
        self.places: set[str] = set()  # one-word names written after "in", "at", "from"…
        self.events: set[str] = set()  # names of events, filled in before people are judged

    @cached_property
    def demonyms_by_stem(self) -> dict[str, set[str]]:
        """Peoples' adjectives by their first letters, once the modifiers are known: "Brit" →
        {"British"}. An "-ian" word may as well be an eponym ("Proudhonian")."""
        found: dict[str, set[str]] = defaultdict(set)
        for word in self.modifiers:
            if word.endswith(("ish", "ese", "an")) and not word.endswith("ian"):
                found[word[:DEMONYM_STEM]].add(word)
        return found

    def common(self, word: str) -> bool:
        """Whether the document also writes this word in lower case ("Producer", "producer")."""
        return word.lower() in self.lower

    @cached_property
    def eponym_stems(self) -> set[str]:
        """What the capitalised words that name a doctrine or follower are named after, their
        suffix removed: "Stalin" of "Stalinism", "Franco" of "Francoist"."""
        return {
            word[: -len(suffix)]
            for word in self.capital
            if word.endswith(EPONYM_SUFFIXES)
            for suffix in EPONYM_SUFFIXES
            if word.endswith(suffix)
        }

    def eponym(self, word: str) -> bool:
        """Whether a doctrine or follower is named after the word: "Stalin" beside "Stalinism"."""
        stem = word[:-1] if word.endswith("y") else word
        return stem in self.eponym_stems or word in self.eponym_stems

    def demonym(self, word: str) -> bool:
        """Whether the word names a people or its language: "Cornish", "Prussian", "Swiss"."""
        if word.lower() in CREED_ADJECTIVES:
            return True
        if word.endswith(("ish", "ese", "ian", "ans", "ic", "an", "i")) and (
            word in self.modifiers or word + "s" in self.capital
        ):
            return True
        people_noun = word.endswith(("man", "men")) and word[: -len("man")] in self.modifiers
        return people_noun  # "Cornishman" beside "Cornish crosses"


# -- People: the rules ---------------------------------------------------------------------------


@dataclass(slots=True)  # not frozen: setting each field of a frozen one costs a call
class _Mention:
    """One mention of a candidate name, with what stands around it in its sentence."""

    words: tuple[str, ...]  # the name, titles before it and possessive after it removed
    sentence: str
    start: int  # where the name starts in the sentence
    end: int  # where the name ends
    possessive: bool
    title: str  # an office or courtesy title stripped from before the name: "Mr", "Dr."
    creed: str  # creeds or peoples stripped from before a full name: "Protestant Christian"
    determiner: bool  # a sentence-opening "The" was stripped from before the name
    opens_passage: bool  # the very first words of the document's first passage
    inner: bool  # after "of" inside a longer name, so what follows belongs to that name
    key: str = field(init=False)  # the name as one string
    # What stands around it, read by `read_surroundings` before any rule is weighed:
    preceding: tuple[str, ...] = field(init=False)  # the last words before it, in lower case
    after: str = field(init=False)  # the rest of the sentence after the name and possessive
    next_word: str = field(init=False)  # the word right after, with only spaces between

    def __post_init__(self) -> None:
        self.key = " ".join(self.words)

    def read_surroundings(self) -> None:
        """Read the words around the mention that the rules consult (only mentions whose
        rules are weighed need them: most are ruled out by their words)."""
        window = self.sentence[max(0, self.start - LOOK_BEHIND) : self.start]
        preceding = [w.lower() for w in _TOKEN_BEFORE.findall(window)[-PRECEDING_WORDS:]]
        # An inner name's following words are its whole name's: in "Prince Chula Chakrabongse
        # of Thailand who lived", "who" is the prince's.
        rest = "" if self.inner else self.sentence[self.end :]
        if self.possessive:
            rest = rest[2:] if rest[:2] in ("'s", "’s") else rest[1:]
        adjacent = _ADJACENT_WORD.match(rest)
        self.preceding = tuple(preceding)
        self.after = rest
        self.next_word = adjacent.group(1) if adjacent else ""

    def before(self, count: int = 1) -> list[str]:
        """The last `count` (at most PRECEDING_WORDS) words before the mention, in lower case."""
        return list(self.preceding[-count:])


_ADJACENT_WORD = re.compile(r"[ \u00a0]+([\w'’/-]+)")
_LOWER_WORD_BEFORE = re.compile(r"\b([a-z]+)[ \u00a0]+$")
_NEXT_WORDS = re.compile(r"[\w'’/-]+")


def _next_words(text: str, count: int) -> list[str]:
    """The first `count` words of a text, punctuation skipped."""
    return _NEXT_WORDS.findall(text, 0, LOOK_AHEAD)[:count]


_PHRASE_WORD = re.compile(r"[\w'’/-]+|[^\w\s'’/-]")
_Rule = Callable[[_Mention, _Vocabulary], bool]
# Occupations that end compound ones: "schoolteacher", "screenwriter", "ballet dancer".
_COMPOUNDABLE = ("teacher", "writer", "maker", "dancer", "singer", "player", "worker", "keeper")
# "-ist" words this long name a role ("artist"); shorter ones do not ("list", "twist").
SHORTEST_IST_ROLE = 6
# Prefixes that make an "-ist" word an adjective of a stance: "anti-Stalinist", "pro-Soviet".
_AGAINST = ("anti-", "pro-", "non-", "un-")


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _is_role(word: str) -> bool:
    """Whether a word names a person's role: an occupation, office or "-ist" ("mutualists"),
    or a compound ending in an occupation ("schoolteacher", "screenwriter")."""
    word = _singular(word.lower())
    return (
        word in OCCUPATIONS
        or word in OFFICE_TITLES
        or (
            word.endswith("ist")
            and len(word) >= SHORTEST_IST_ROLE
            and not word.startswith(_AGAINST)
        )
        or any(word.endswith(job) for job in _COMPOUNDABLE if len(word) > len(job))
    )


def _names_a_role(phrase: str, v: _Vocabulary, *, one_of: bool = False) -> bool:
    """Whether a noun phrase ends in a role noun: "an American television producer", "the
    prime minister", "editor from 1899"; not "an anarchist women's organisation".

    The phrase runs to the first punctuation or function word, at most ROLE_PHRASE_WORDS words.
    A plural role names a group ("Philadelphes, English trade unionists") unless the phrase
    picks one of them ("one of the two creators").
    """
    last = ""
    for word in _PHRASE_WORD.findall(phrase, 0, LOOK_AHEAD)[:ROLE_PHRASE_WORDS]:
        lowered = word.lower()
        if not word[0].isalnum() or lowered in STOPWORDS or lowered in AUXILIARIES:
            break
        last = word  # describing words may be names too: "a former Microsoft executive"
    roles = [part for part in last.lower().split("/") if _is_role(part)]  # "producer/director"
    return bool(roles) and (one_of or not any(_singular(r) != r for r in roles))


_APPOSITION = re.compile(
    r"(?:,\s+|\s+as\s+)(?:(?:a|an|the|one\s+of\s+the)\s+)?|\s+the\s+(?=[a-z]+\b)"
)
_DEFINITION_OF_PERSON = re.compile(
    r"\s+(?:is|was|became)\s+(?:(?:sometimes|often|widely|generally|also)\s+"
    r"(?:considered|regarded\s+as)\s+)?(?:(?:a|an|the)\s+)?"
)
_ROLE_BEFORE = re.compile(
    r"\b([a-z][\w-]*)(?:,|\s+(?:is|was|were|are)|,?\s+(?:such\s+as|including|like))?\s*\(?\s*$"
)
_OFFICE_BEFORE = re.compile(rf"\b({_CAP}\w*)(?:\s+of\s+({_CAP}\w*))?,\s*$")
_KIN_OF = re.compile(rf"\s+(?:{'|'.join(sorted(KINSHIP))})\s+of\b")
_LIFE_SPAN = re.compile(
    rf"\s*\((?:(?:born|b\.|née|nee)\b|(?:c\.\s*)?(?:{_MONTH}\s+)?(?:\d{{1,2}},?\s+)?{_YEAR}\s*[–—-])"
)
_AUTHOR_DATE = re.compile(rf"\s*\({_YEAR}\)\s+[a-z]+")
_WHO = re.compile(r",?\s+who\b")
_WHOSE = re.compile(r",?\s+whose\b")
_WORK_TITLE = re.compile(rf"\s+(?:(?:The|A|An)\s+{_CAP}|{_CAP}\w*:)")
_HYPHEN = re.compile(r"[-–]")
_ET_AL = re.compile(r",?\s+(?:et\s+al\b|and\s+(?:co-?workers|colleagues)\b)")
_GROUP_AFTER = re.compile(rf"(?:\s+and\s+{_CAP}[\w-]*)?\s+(?:{'|'.join(RESEARCH_GROUPS)})\b")

# Strong cues: one is enough.


def after_role_word(m: _Mention, v: _Vocabulary) -> bool:
    """A role noun right before the name: "historian Sheila Fitzpatrick", "the announcers
    were Gene Elston", "another future mayor, Jimmy Simpson"."""
    window = max(0, m.start - LOOK_BEHIND)
    match = _ROLE_BEFORE.search(m.sentence, window, m.start)
    if match is not None and _is_role(match.group(1)):
        return True
    # A capitalised office is a title when a comma sets the name apart: "the current
    # Director, Ben Vincent", "the previous Director of Music, Adrian Evans"; an office of a
    # place names where, not who ("Mayor of Jackson, Mississippi").
    office = _OFFICE_BEFORE.search(m.sentence, window, m.start)
    return (
        office is not None
        and office.group(1).lower() in OFFICE_TITLES
        and (office.group(2) is None or office.group(1).lower() not in OFFICES_OF_PLACES)
    )


def title_before(m: _Mention, v: _Vocabulary) -> bool:
    """An office, courtesy or noble title written before the name: "Dr. Emil Frei", "Sir X"."""
    return bool(m.title) or (len(m.words) > 1 and m.words[0].lower() in NOBLE_TITLES)


def post_nominal(m: _Mention, v: _Vocabulary) -> bool:
    """Letters after the name that only a person carries: "Scott Mann MP"."""
    return m.next_word in POST_NOMINALS


def kinship(m: _Mention, v: _Vocabulary) -> bool:
    """A family word ties the name to someone: "sister Myra", "brother (Dalton)", "son of X",
    "Beyoncé's father", "Duno[.]atus son of Me[.]cagnus"."""
    before = m.before(2)
    if before and before[-1] in KINSHIP:
        return True
    if len(before) == 2 and before[0] in KINSHIP and before[1] == "of":
        return True
    if m.possessive:
        return m.next_word.lower() in KINSHIP
    return bool(_KIN_OF.match(m.after))


def who_follows(m: _Mention, v: _Vocabulary) -> bool:
    """ "who" right after the name: "his sister Myra, who often says"."""
    return not m.possessive and bool(_WHO.match(m.after))


def apposition_names_role(m: _Mention, v: _Vocabulary) -> bool:
    """An apposition naming a role: "Thomas Flamank, a lawyer", "Hicks the humorist",
    "Atkinson, editor from 1899", "Barack Obama as the 44th President"."""
    match = _APPOSITION.match(m.after)
    if not match or m.possessive:
        return False
    return _names_a_role(m.after[match.end() :], v, one_of="one" in match.group())


def definition_names_role(m: _Mention, v: _Vocabulary) -> bool:
    """A copula naming a role: "Allen Robert Morris is an American television producer"."""
    match = _DEFINITION_OF_PERSON.match(m.after)
    if match is None or m.possessive:
        return False
    return _names_a_role(m.after[match.end() :], v)


def life_dates(m: _Mention, v: _Vocabulary) -> bool:
    """Life dates or "née" after the name: "Jodocus Hondius the Elder (1563–1612)", "Ora Lee
    (née Marlin", and an author's date before a verb: "Arthur Langdon (1896) records"."""
    if m.possessive:
        return False
    author_date = len(m.words) > 1 and bool(_AUTHOR_DATE.match(m.after))
    return author_date or bool(_LIFE_SPAN.match(m.after))


def et_al(m: _Mention, v: _Vocabulary) -> bool:
    """A scholarly reference: "Kelly et al.", "Michalet and coworkers"."""
    return bool(_ET_AL.match(m.after))


def research_group(m: _Mention, v: _Vocabulary) -> bool:
    """A research group named after its head: "the Schipper group", "Benner's group", "the
    Schultz and Ding labs"; a group of several names ("the Dielo Truda group") is none."""
    if not _GROUP_AFTER.match(m.after):
        return False
    return m.possessive or len(m.words) == 1


def assassination_victim(m: _Mention, v: _Vocabulary) -> bool:
    """Only people are assassinated: "the Kennedy assassination", "assassination of X"."""
    return m.next_word == "assassination" or m.before(2) == ["assassination", "of"]


def works_of(m: _Mention, v: _Vocabulary) -> bool:
    """A person's works or followers: "the writings of James Burnham", "followers of Proudhon"."""
    before = m.before(2)
    return len(before) == 2 and before[1] == "of" and before[0] in AUTHORED


def demonym_before(m: _Mention, v: _Vocabulary) -> bool:
    """A person noun of a people right before the name: "the Cornishman William Nichols"."""
    before = m.sentence[max(0, m.start - LOOK_BEHIND) : m.start].split()
    return bool(before) and before[-1].endswith("man") and v.demonym(before[-1])


STRONG_CUES: tuple[_Rule, ...] = (
    after_role_word,
    title_before,
    post_nominal,
    kinship,
    who_follows,
    apposition_names_role,
    definition_names_role,
    life_dates,
    et_al,
    research_group,
    assassination_victim,
    works_of,
    demonym_before,
)
# Cues that read the name as a modifier, so an article before it takes nothing from them.
_NOUN_SHAPED_CUES: tuple[_Rule, ...] = (research_group, assassination_victim)

# Weak cues: enough only where no mention puts the name in a thing's position.


def possessive_of_a_person(m: _Mention, v: _Vocabulary) -> bool:
    """A possessive before a lower-case noun: "Gershwin's iconic", "Tito's high ranking"."""
    if not m.possessive:
        return False
    following = _next_words(m.after, POSSESSED_WORDS)
    # "McGuinty's Liberal government": a capitalised modifier may stand before the noun.
    while following and _capitalised(following[0]) and following[0] in v.modifiers:
        following = following[1:]
    return bool(following) and following[0].islower() and following[0] not in STOPWORDS


def verb_follows(m: _Mention, v: _Vocabulary) -> bool:
    """A verb right after the name makes it a clause's subject: "Tito disagreed"; not after a
    preposition, where the verb is another noun's ("his contract with Metromedia expired")."""
    before = m.before(1)
    if m.possessive or (before and before[0] in PREPOSITIONS):
        return False
    word = m.next_word
    past = word.endswith("ed") and len(word) >= SHORTEST_PAST_TENSE and word.islower()
    return word in AUXILIARIES or past


def described_by_creed(m: _Mention, v: _Vocabulary) -> bool:
    """A creed or people written before a full name: "the German Max Stirner"."""
    return bool(m.creed)


def author_of_work(m: _Mention, v: _Vocabulary) -> bool:
    """A possessive before a work's title: "Stirner's The Ego", "Robert Graham's Anarchism:"."""
    return m.possessive and bool(_WORK_TITLE.match(m.after))


def cited_as_source(m: _Mention, v: _Vocabulary) -> bool:
    """A source cited with no article: "According to John Earl Haynes", "according to Stirner"."""
    return m.before(2) == ["according", "to"]


def whose_follows(m: _Mention, v: _Vocabulary) -> bool:
    """ "whose" after the name: "Nikolai Bukharin, whose ideas formed"."""
    return not m.possessive and bool(_WHOSE.match(m.after))


def by_agent(m: _Mention, v: _Vocabulary) -> bool:
    """An agent after "by": "vilified by Stalin", "conducted by Leonard Bernstein"."""
    return m.before(1) == ["by"] and not m.determiner


def led_under(m: _Mention, v: _Vocabulary) -> bool:
    """Led by the name: "the Conservatives under Stephen Harper", "the government of Asif Ali
    Zardari"."""
    before = m.before(2)
    return before[-1:] == ["under"] or (
        len(before) == 2 and before[1] == "of" and before[0] in LEADERSHIP_NOUNS
    )


def middle_initial(m: _Mention, v: _Vocabulary) -> bool:
    """An initial among a full name's words: "William K. Gleason", "J. Craig Venter"."""
    return len(m.words) > 1 and any(_is_initial(w) for w in m.words[:-1])


def eponym(m: _Mention, v: _Vocabulary) -> bool:
    """A doctrine named after the name: "Stalin" beside "Stalinism", "Franco" by "Francoist"."""
    return v.eponym(m.words[-1]) and not v.common(m.words[-1])


WEAK_CUES: tuple[_Rule, ...] = (
    possessive_of_a_person,
    described_by_creed,
    author_of_work,
    cited_as_source,
    whose_follows,
    verb_follows,
    by_agent,
    led_under,
    middle_initial,
    eponym,
)

# Contrary contexts: a mention written where a place's or thing's name goes. Such a mention is
# no evidence of a person, and a weak cue elsewhere does not outweigh it.


def after_determiner(m: _Mention, v: _Vocabulary) -> bool:
    """An article before the name makes it a thing's: "the Star", "a Diego Rivera mural"."""
    before = m.before(1)
    return m.determiner or (bool(before) and before[0] in DETERMINERS)


def after_place_preposition(m: _Mention, v: _Vocabulary) -> bool:
    """A place preposition before the name: "in Houston", "near Bodmin", "from Boston"."""
    before = m.before(1)
    return bool(before) and before[0] in PLACE_PREPOSITIONS and not m.possessive


def after_place_noun_of(m: _Mention, v: _Vocabulary) -> bool:
    """A place's or organisation's noun and "of" before the name: "the hamlets of Cooksland",
    "Mayor of Bodmin", "University of Houston"."""
    before = m.before(2)
    return (
        len(before) == 2
        and before[1] == "of"
        and (
            before[0] in PLACE_NOUNS
            or before[0] in OFFICES_OF_PLACES
            or before[0] in INSTITUTION_WORDS
            or before[0] in PLACE_WORDS
        )
    )


def after_thing_noun(m: _Mention, v: _Vocabulary) -> bool:
    """An organisation's or work's noun right before the name: "the federation Mujeres Libres",
    "the journal El Porvenir"."""
    match = _LOWER_WORD_BEFORE.search(m.sentence, max(0, m.start - LOOK_BEHIND), m.start)
    return match is not None and match.group(1) in THING_NOUNS


def plural_verb_follows(m: _Mention, v: _Vocabulary) -> bool:
    """A plural verb after one word makes it a plural noun: "Margins have", "Hits are"."""
    return len(m.words) == 1 and m.next_word in ("are", "were", "have")


def modifies_a_noun(m: _Mention, v: _Vocabulary) -> bool:
    """A single word before a lower-case noun is a modifier: "Houston radio", "Bodmin edition"."""
    word = m.next_word
    if m.possessive or len(m.words) > 1 or not word.islower():
        return False
    return not (
        word in STOPWORDS
        or word in AUXILIARIES
        or word in ADVERBS
        or word.endswith(("ed", "ly", "ing"))
        or word in RESEARCH_GROUPS
        or word in KINSHIP  # "Duno[.]atus son of Me[.]cagnus"
        or word == "assassination"
        or bool(_ET_AL.match(m.after))
    )


def owns_business_things(m: _Mention, v: _Vocabulary) -> bool:
    """A possessive of what a business has: "Sing Tao's Canadian newspaper", "X's client"."""
    if not m.possessive:
        return False
    return any(w.lower() in BUSINESS_NOUNS for w in _next_words(m.after, POSSESSED_WORDS))


def names_a_term(m: _Mention, v: _Vocabulary) -> bool:
    """A possessive naming a term after someone: "Alzheimer's disease", "Murphy's law"."""
    return m.possessive and m.next_word.lower() in EPONYMOUS_TERMS


def titles_a_work(m: _Mention, v: _Vocabulary) -> bool:
    """A run after "entitled" or in quotes is a work's title: "entitled Project Popstar"."""
    before = m.before(1)
    if before and before[0] in ("entitled", "titled"):
        return True
    return len(m.words) > 1 and m.sentence[max(0, m.start - 1) : m.start] in ('"', "“")


def defined_as_a_thing(m: _Mention, v: _Vocabulary) -> bool:
    """A copula naming a kind of place or thing: "Lyon is the third-largest city of France",
    "Bodmin is a civil parish", "The Toronto Star is a Canadian broadsheet daily newspaper"."""
    match = _DEFINITION_OF_PERSON.match(m.after)
    if match is None or m.possessive:
        return False
    for word in _next_words(m.after[match.end() :], ROLE_PHRASE_WORDS):
        if word.lower() in NON_PERSON_WORDS or _singular(word.lower()) in PLACE_NOUNS:
            return True
        if word.lower() in STOPWORDS or _is_role(word):
            return False
    return False


def begins_an_organisation(m: _Mention, v: _Vocabulary) -> bool:
    """The name also begins an organisation's or place's: "Extreme" of "Extreme Corporate
    Communications", "Mark Twain" of "Mark Twain Elementary"."""
    return m.key in v.owners


CONTRARY_CONTEXTS: tuple[_Rule, ...] = (
    after_determiner,
    after_place_preposition,
    after_place_noun_of,
    after_thing_noun,
    plural_verb_follows,
    modifies_a_noun,
    owns_business_things,
    names_a_term,
    titles_a_work,
    defined_as_a_thing,
    begins_an_organisation,
)
# Contexts set by the word before a list, so every name listed after it shares them: "from
# Petrograd and Moscow", "the Schultz and Ding labs".
_GOVERNING_CONTEXTS = {
    after_determiner.__name__,
    after_place_preposition.__name__,
    after_place_noun_of.__name__,
    after_thing_noun.__name__,
}
# A mention placed only by an article keeps the cues that read it as a modifier.
_AFTER_DETERMINER_ONLY = {after_determiner.__name__}
# Contexts that say nothing of this one mention's place in its sentence, only of the name.
_NAME_WIDE_CONTEXTS = {begins_an_organisation.__name__, defined_as_a_thing.__name__}

# The name's own words: rules that need no context.


def has_non_person_word(words: Sequence[str], v: _Vocabulary) -> bool:
    """An organisation, place, work, period or event word: "Shire Hall", "Nobel Prize"."""
    return any(w.lower() in NON_PERSON_WORDS or w.lower() in CAPITALISED_EVENT_HEADS for w in words)


def has_acronym(words: Sequence[str], v: _Vocabulary) -> bool:
    """An acronym among the words ("NCL", "USSR"); a regnal number ("Henry VII") is none."""
    return any(_is_acronym(w) and not (i and _is_roman(w)) for i, w in enumerate(words))


def names_a_group(words: Sequence[str], v: _Vocabulary) -> bool:
    """A people, creed, group or language: "Bolsheviks", "Cornish", "Stoicism"."""
    last = words[-1]
    lowered = last.lower()
    return (
        lowered.endswith(("ism", "ists", "ites", "ians"))
        or (lowered.endswith("ist") and len(words) == 1)
        or (last.endswith("s") and last[:-1] in v.capital and len(words) == 1)
        or any(v.demonym(w) for w in words)
    )


def has_a_demonym(words: Sequence[str], v: _Vocabulary) -> bool:
    """A country beside its people's adjective: "Britain" by "British", "Germany" by "German"."""
    word = words[0]
    return (
        len(words) == 1
        and len(word) > DEMONYM_STEM
        and bool(v.demonyms_by_stem.get(word[:DEMONYM_STEM], set()) - {word})
    )


def adjective_first(words: Sequence[str], v: _Vocabulary) -> bool:
    """A first word the document uses as a modifier or names a doctrine after: "Soviet
    Russia", "Fascist Italy", "Nazi Germany" beside "Nazism"; no given name is either."""
    first = words[0]
    return len(words) > 1 and (
        first in v.modifiers or v.eponym(first) or first.lower().endswith("ist")
    )


def abstract_noun(words: Sequence[str], v: _Vocabulary) -> bool:
    """One word with the ending of an abstract noun: "Computation", "Mutagenesis"."""
    return len(words) == 1 and words[0].lower().endswith(ABSTRACT_ENDINGS)


def only_common_words(words: Sequence[str], v: _Vocabulary) -> bool:
    """Only words the document also writes in lower case: "Executive Producer", "Platform"."""
    names = [w for w in words if _capitalised(w) and not _is_initial(w)]
    return bool(names) and all(v.common(w) for w in names)


def starts_like_no_name(words: Sequence[str], v: _Vocabulary) -> bool:
    """A month, function word or foreign article first: "May Day", "The Ego", "Las Colinas"."""
    first = words[0]
    return first in MONTHS or first.lower() in STOPWORDS or first.lower() in FOREIGN_ARTICLES


def title_of_a_place(words: Sequence[str], v: _Vocabulary) -> bool:
    """A rank of a place names an office, not its holder: "Duke of Cornwall"."""
    return len(words) > 2 and words[0].lower() in NOBLE_TITLES and words[1] == "of"


def names_an_event(words: Sequence[str], v: _Vocabulary) -> bool:
    """A name the text uses for an event is no person's: "Tropical Storm Allison"."""
    return " ".join(words) in v.events


def no_name_word(words: Sequence[str], v: _Vocabulary) -> bool:
    """Nothing but initials and particles: "J.", "O"."""
    return not any(_capitalised(w) and not _is_initial(w) for w in words)


NAME_REJECTIONS: tuple[Callable[[Sequence[str], _Vocabulary], bool], ...] = (
    has_non_person_word,
    has_acronym,
    names_a_group,
    has_a_demonym,
    adjective_first,
    abstract_noun,
    only_common_words,
    starts_like_no_name,
    title_of_a_place,
    names_an_event,
    no_name_word,
)


# Each rule's name, looked up once: evidence records which rules held.
_RULE_NAMES: dict[_Rule, str] = {
    rule: rule.__name__ for rule in (*STRONG_CUES, *WEAK_CUES, *CONTRARY_CONTEXTS)
}


# -- People: from runs to mentions ---------------------------------------------------------------


def _office_length(words: Sequence[str], v: _Vocabulary) -> int:
    """How many opening words are an office or courtesy title: "U.S. President McKinley" → 2.

    The title is the longest opening stretch of office words, their qualifiers, initials and
    demonyms that ends on an office word ("Executive Vice President").
    """
    length = 0
    last = len(words) - 1
    for i, word in enumerate(words):
        lowered = word.lower().rstrip(".")
        if lowered in OFFICE_TITLES:
            length = i + 1
        elif i == last or not (
            lowered in OFFICE_QUALIFIERS or _is_initial(word) or v.demonym(word)
        ):
            break  # (the last word ends the title's stretch either way)
    return length


def _creed_length(words: Sequence[str], v: _Vocabulary) -> int:
    """How many opening words are creeds or peoples before a full name: "Protestant Christian
    Gerrard Winstanley" → 2; "the Cornishman William Nichols" → 1."""
    length = 0
    while len(words) - length > 2 and v.demonym(words[length]):  # a full name stays
        length += 1
    return length


def _name_length(words: Sequence[str]) -> int:
    """How many words the name keeps: a full name stops before "of" and post-nominal letters
    ("Prince Chula Chakrabongse of Thailand", "Scott Mann MP"); a single name keeps its place
    of origin ("Diogenes of Sinope")."""
    length = len(words)
    while length > 1 and words[length - 1] in POST_NOMINALS:
        length -= 1
    if "of" in words[:length]:
        cut = words.index("of")
        if not (cut == 1 and length == 3):
            length = cut
    return length


def _opens_with_common_word(run: _Run, v: _Vocabulary) -> bool:
    """Whether a sentence-opening run starts with a word that is capitalised only for that:
    "The", "Despite", "Currently", "Thereafter"."""
    if not run.initial or not run.words:
        return False
    first = run.words[0]
    lowered = first.lower()
    return lowered in STOPWORDS or v.common(first) or lowered in SENTENCE_ADVERBS


def _after_of(run: _Run) -> Iterator[_Run]:
    """The names after each "of" in a run: "Individualist Anarchism of Josiah Warren" holds
    "Josiah Warren"; "Diogenes of Sinope" is one name and holds none."""
    words = run.words
    for i, word in enumerate(words[:-1]):
        if word != "of" or (i == 1 and len(words) == 3):
            continue
        first = i + 2 if words[i + 1] == "the" and i + 2 < len(words) else i + 1
        yield run._replace(
            start=run.spans[first][0],
            words=words[first:],
            spans=run.spans[first:],
            initial=False,
            inner=True,
        )


def _mention(run: _Run, sentence: str, v: _Vocabulary, opens_passage: bool) -> _Mention | None:
    """The candidate name a run holds, its titles and sentence-opening words removed."""
    words = run.words
    lo, hi = 0, len(words)
    determiner = False
    if _opens_with_common_word(run, v):
        determiner = words[0].lower() in DETERMINERS
        lo = 1
        # "In Spain Ramón de la Sagra established": a place the text names elsewhere opens
        # the run after its preposition, and a full name (two words or more) follows it.
        if words[0].lower() in PLACE_PREPOSITIONS and len(words) > 3 and words[1] in v.places:
            lo = 2
        if lo == hi:
            return None  # only the word opening the sentence, as most runs are
    title_at = lo
    lo += _office_length(words[lo:hi], v)
    title = " ".join(words[title_at:lo])
    if title and lo < hi and words[lo] == "of":
        return None  # "Mayor of Toronto" names an office, not a person
    creed_at = lo
    lo += _creed_length(words[lo:hi], v)
    creed = " ".join(words[creed_at:lo])
    while lo < hi and (words[lo] in PARTICLES or words[lo] in ("of", "the", "for")):
        lo += 1
    if lo == hi:
        return None
    hi = lo + _name_length(words[lo:hi])
    return _Mention(
        words[lo:hi],
        sentence,
        run.spans[lo][0],
        run.spans[hi - 1][1],
        run.possessive and hi == len(words) and not run.inner,
        title,
        creed,
        determiner and lo == 1,
        opens_passage and run.spans[lo][0] == 0,
        run.inner,
    )


@dataclass(slots=True)
class _Evidence:
    """What the mentions of one candidate name showed."""

    words: tuple[str, ...]
    # The cues that held: all of them to explain, else enough to tell that one did (`_cues`).
    strong: set[str] = field(default_factory=set)
    weak: set[str] = field(default_factory=set)
    contrary: set[str] = field(default_factory=set)
    partners: set[str] = field(default_factory=set)
    mentions: int = 0
    weak_mentions: int = 0  # mentions with a weak cue
    placed_mentions: int = 0  # mentions in a thing's position
    subject: bool = False  # opens the document, a definition naming a role after it


_LIST_GAP = re.compile(
    r"(?:['’]s?)?\s*(?:,\s*)?(?P<conjunction>(?:and|&|or)\s+(?:(?:later|afterwards|then|also"
    r"|finally),?\s+)?)?"
)
# A list of this many full names (given name and surname, perhaps a middle one) and nothing
# else is taken for a list of people; two could as well be two places ("Fort Worth and Grass
# Valley").
FULL_NAME_LIST = 3
FULL_NAME_WORDS = (2, 3)
# A chain of names with commas only is a list from this many members: "Papen, Hitler,
# Thälmann"; two names and a comma are an apposition ("Dallas, Texas").
LIST_WITHOUT_CONJUNCTION = 3


def _lists(sentence: str, mentions: Sequence[_Mention]) -> list[list[_Mention]]:
    """Names listed together in a sentence: "Brett Cullen, Tim Arrington and Robin Mosley".

    A possessive that opens the next name is part of it: in "St. Petroc's Infant School and
    St. Petroc's Junior School" the schools are listed, not the saint.
    """
    items = [
        m
        for m, after in zip(mentions, [*mentions[1:], None], strict=False)
        if not (
            m.possessive
            and after is not None
            and _OWNED.fullmatch(sentence, m.end, after.start)
            and any(w.lower() in NON_PERSON_WORDS for w in after.words)
        )
    ]
    # "Joe O'Rourke from Boston and Bob Hiestand": a name's place of origin is part of its item.
    ends = {id(m): m.end for m in items}
    kept: list[_Mention] = []
    for m in items:
        if kept and _ORIGIN.fullmatch(sentence, ends[id(kept[-1])], m.start):
            ends[id(kept[-1])] = m.end
        else:
            kept.append(m)
    items = kept
    found: list[list[_Mention]] = []
    chain = list(items[:1])
    joined = False  # whether a conjunction joins the chain
    for left, right in pairwise(items):
        gap = _LIST_GAP.fullmatch(sentence, ends[id(left)], right.start)
        if gap is not None and gap.group().strip(" '’s"):
            chain.append(right)
            joined = joined or bool(gap["conjunction"])
            continue
        if _is_list(sentence, chain, joined):
            found.append(chain)
        chain, joined = [right], False
    if _is_list(sentence, chain, joined):
        found.append(chain)
    return found


def _is_list(sentence: str, chain: Sequence[_Mention], joined: bool) -> bool:
    """Whether a chain of names is a list rather than an apposition ("Dallas, Texas")."""
    return len(chain) > 1 and (
        joined
        or len(chain) >= LIST_WITHOUT_CONJUNCTION
        or bool(_LIST_GOES_ON.match(sentence, chain[-1].end))  # "King, Bobby Kennedy, and one"
    )


_OWNED = re.compile(r"['’]s?[ \u00a0]+")
_ORIGIN = re.compile(r"[ \u00a0]+from[ \u00a0]+")
_LIST_GOES_ON = re.compile(r"['’]?s?,\s*(?:and|or)\b")


class _PeopleFinder:
    """Collects evidence over a whole document, then decides who the people are."""

    def __init__(self, vocabulary: _Vocabulary, *, explain: bool = False) -> None:
        self.v = vocabulary
        self.evidence: dict[str, _Evidence] = {}
        # Whether to weigh the cues of names the name rules rule out too: they decide
        # nothing, and only an explanation shows them.
        self.explain = explain
        self._rejections: dict[tuple[str, ...], str | None] = {}  # words -> rule, decided once

    def observe(self, sentence: str, runs: list[_Run], opens_passage: bool) -> None:
        """Weigh the cues of every candidate mention in one sentence."""
        parts = [
            part
            for run in runs
            for part in ((run, *_after_of(run)) if "of" in run.words else (run,))
        ]
        mentions = [m for run in parts if (m := _mention(run, sentence, self.v, opens_passage))]
        if not mentions:
            return  # as in most sentences: only the word opening it is capitalised
        judged = {id(m) for m in mentions if self.explain or self.rejected(m.words) is None}
        if not judged:
            return  # a name ruled out keeps no evidence, nor records its list's partners
        for m in mentions:
            if id(m) in judged:
                m.read_surroundings()
        contrary = {id(m): self._fired(CONTRARY_CONTEXTS, m) for m in mentions if id(m) in judged}
        inherited: dict[int, set[str]] = defaultdict(set)
        listed_people: set[int] = set()
        for members in _lists(sentence, mentions) if len(mentions) > 1 else ():
            # "Marx and Engels", "Papen, Hitler, Thälmann": names listed together are the same
            # kind, and the word before the list governs them all ("from Petrograd and Moscow").
            first = members[0]
            if id(first) not in contrary:  # a name ruled out still governs its list
                first.read_surroundings()
                contrary[id(first)] = self._fired(CONTRARY_CONTEXTS, first)
            governing = contrary[id(first)] & _GOVERNING_CONTEXTS
            for left, right in pairwise(members):
                # A name ruled out keeps no evidence; its partners record its name.
                if id(left) in judged:
                    self._evidence(left).partners.add(right.key)
                if id(right) in judged:
                    self._evidence(right).partners.add(left.key)
                inherited[id(right)] |= governing
            if self._full_names(members):
                listed_people.update(id(m) for m in members)
        for mention in mentions:
            if id(mention) not in judged:
                continue  # ruled out by its words: no cue can make it a person
            evidence = self._evidence(mention)
            evidence.mentions += 1
            placed = contrary[id(mention)] - _NAME_WIDE_CONTEXTS
            # An inner name's surroundings are its whole name's: "Father of Clinical Cancer
            # Research" says nothing of "Clinical Cancer Research". A mention in a thing's
            # position is no evidence of a person, but for an article before a cue that reads
            # the name as a modifier ("the Schipper group"). Cues that could not count are not
            # weighed, nor strong ones of a name a strong cue already made a person's (but to
            # explain, or to find the document's subject).
            strong_cues: tuple[_Rule, ...] = STRONG_CUES
            if mention.inner or (placed and placed != _AFTER_DETERMINER_ONLY):
                strong_cues = ()
            elif placed:
                strong_cues = _NOUN_SHAPED_CUES
            elif evidence.strong and not (self.explain or mention.opens_passage):
                strong_cues = ()
            strong = self._cues(strong_cues, mention)
            # Weak cues count only for a name no strong cue made a person's.
            weighed = not (mention.inner or placed or (evidence.strong and not self.explain))
            weak = self._cues(WEAK_CUES, mention) if weighed else set()
            if id(mention) in listed_people and not placed:
                weak.add("list_of_full_names")
            extra = inherited[id(mention)]
            evidence.strong |= strong
            evidence.weak |= weak
            evidence.contrary |= contrary[id(mention)] | extra
            evidence.weak_mentions += bool(weak)
            evidence.placed_mentions += bool(placed | extra)
            if mention.opens_passage and "definition_names_role" in strong:
                evidence.subject = True

    def _full_names(self, members: Sequence[_Mention]) -> bool:
        """A list of several full names and nothing else reads as a list of people: "Brett
        Cullen, Tim Arrington and Robin Mosley" (a weak cue for each)."""
        return len(members) >= FULL_NAME_LIST and all(
            FULL_NAME_WORDS[0] <= len(m.words) <= FULL_NAME_WORDS[1]
            and all(_capitalised(w) for w in m.words)
            and self.rejected(m.words) is None
            for m in members
        )

    def _evidence(self, mention: _Mention) -> _Evidence:
        return self.evidence.setdefault(mention.key, _Evidence(mention.words))

    def _fired(self, rules: Iterable[_Rule], mention: _Mention) -> set[str]:
        """The names of the rules that hold for a mention."""
        v = self.v
        return {_RULE_NAMES[rule] for rule in rules if rule(mention, v)}

    def _cues(self, cues: Sequence[_Rule], mention: _Mention) -> set[str]:
        """The names of the cues that hold for a mention; only the first found unless to
        explain or the mention may be the document's subject: of a name's strong and weak cues
        only whether one held is read, but for the subject's definition."""
        if self.explain or mention.opens_passage:
            return self._fired(cues, mention)
        v = self.v
        return next(({_RULE_NAMES[cue]} for cue in cues if cue(mention, v)), set())

    def observe_pairs(self, sentence: str, runs: list[_Run]) -> None:
        """The two sides of a hyphenated pair before an event word are the same kind:
        "Kennedy-Nixon debates" makes Nixon a person once Kennedy is one."""
        for run in runs:
            if not run.words or ("-" not in run.words[0] and "–" not in run.words[0]):
                continue
            parts = _HYPHEN.split(run.words[0])
            if len(parts) != 2 or not all(_capitalised(p) for p in parts):
                continue
            following = _next_words(sentence[run.end :], 1)
            head = run.words[1] if len(run.words) > 1 else (following[0] if following else "")
            if head.lower() not in EVENT_NOUNS or any(_DEMONYM_ENDING.search(p) for p in parts):
                continue
            for part, other in ((parts[0], parts[1]), (parts[1], parts[0])):
                evidence = self.evidence.setdefault(part, _Evidence((part,)))
                evidence.mentions += 1
                evidence.partners.add(other)

    def rejected(self, words: tuple[str, ...]) -> str | None:
        """The first name rule that rules the words out as a person's name, if any."""
        try:
            return self._rejections[words]
        except KeyError:
            pass
        found = next((rule.__name__ for rule in NAME_REJECTIONS if rule(words, self.v)), None)
        self._rejections[words] = found
        return found

    def people(self) -> list[str]:
        """Names judged to be people, in order of first mention.

        A name with a strong cue is a person, and one whose weak cues win (`weak_cues_win`).
        Then, where nothing says otherwise, so is a person's partner in a list
        (`listed_with_a_person`) and a full name ending in a person's name alone
        (`full_name_of_a_person`). A name listed with an organisation or place is taken for
        the same kind (`listed_with_a_thing`).
        """
        eligible = {k: e for k, e in self.evidence.items() if self.rejected(e.words) is None}
        for e in eligible.values():
            if listed_with_a_thing(e, eligible):
                e.contrary.add(listed_with_a_thing.__name__)
                e.placed_mentions += 1
        accepted = {key for key, e in eligible.items() if e.strong or weak_cues_win(e)}
        by_surname: dict[str, list[str]] = defaultdict(list)
        for key, e in eligible.items():
            if len(e.words) > 1:
                by_surname[e.words[-1]].append(key)
        queue = list(accepted)
        while queue:  # each name is taken once
            person = self.evidence[queue.pop()]
            candidates = [*person.partners, *by_surname.get(" ".join(person.words), [])]
            for key in candidates:
                other = eligible.get(key)
                if other is None or key in accepted:
                    continue
                if listed_with_a_person(other, person) or full_name_of_a_person(other, person):
                    accepted.add(key)
                    queue.append(key)
        return [key for key in self.evidence if key in accepted]


def weak_cues_win(e: _Evidence) -> bool:
    """Weak cues make a person where the mentions showing one outnumber those in a thing's
    position ("Stalin's policy", "by Stalin" against one "the Stalin"), and the name is not
    an organisation's or a place's by its definition or its use in one's name."""
    return e.weak_mentions > e.placed_mentions and not (e.contrary & _NAME_WIDE_CONTEXTS)


def listed_with_a_person(e: _Evidence, person: _Evidence) -> bool:
    """A name listed with a person, never in a thing's position, is a person: "Marx and
    Engels", "Courbet, Longuet, and Vermorel"."""
    return " ".join(person.words) in e.partners and not e.contrary


def full_name_of_a_person(e: _Evidence, person: _Evidence) -> bool:
    """A full name ending in a person's one-word name, never in a thing's position, is a
    person: "Bobby Kennedy" once "Kennedy" is one."""
    return (
        len(person.words) == 1
        and len(e.words) > 1
        and e.words[-1] == person.words[0]
        and (not e.contrary)
    )


def listed_with_a_thing(e: _Evidence, eligible: Mapping[str, _Evidence]) -> bool:
    """A name listed with a name that cannot be a person's is of that kind: "developed by
    Affymetrix and Agilent Technologies"."""
    return any(p not in eligible for p in e.partners)


# Endings of words for peoples and languages: "Israeli-Palestinian", "Franco-Prussian".
_DEMONYM_ENDING = re.compile(r"(?:ian|ish|ese|an|i|ic)$")


# -- People: one person's several names ----------------------------------------------------------


def _plain(words: Sequence[str]) -> list[str]:
    """Words without the full stops of abbreviations: "St. Guron" is "St Guron"."""
    return [w.rstrip(".") for w in words]


def _shorter_form(short: Sequence[str], full: Sequence[str]) -> bool:
    """Whether `short` is `full` with middle names dropped or cut to initials, or written
    without full stops: "Allen Morris" and "William B. Greene" of "Allen Robert Morris",
    "William Batchelder Greene"; "St Guron" of "St. Guron"."""
    short, full = _plain(short), _plain(full)
    if short == full:
        return True
    if len(short) >= len(full) or len(short) < 2 or short[0] != full[0] or short[-1] != full[-1]:
        return False
    middle = list(full[1:-1])
    for word in short[1:-1]:
        matches = [
            i
            for i, w in enumerate(middle)
            if w == word or (_is_initial(word) and w.startswith(word.rstrip(".")))
        ]
        if not matches:
            return False
        middle = middle[matches[0] + 1 :]
    return True


def _join_names(
    names: Sequence[str], subject: str | None, alone: Collection[str]
) -> dict[str, list[str]]:
    """Each person's aliases: shorter forms of a full name, and a surname used alone.

    A surname alone belongs to the one full name ending in it, whether it was judged a
    person itself or only written `alone` where a person's name goes ("Shachtman and his
    cothinkers"); shared by several, to the document's subject when the subject is one of
    them ("Morris" in a life of Allen Morris).
    """
    split = {name: name.split() for name in names}
    full = sorted((n for n in names if len(split[n]) > 1), key=lambda n: -len(split[n]))
    people: dict[str, list[str]] = {}
    by_first_last: dict[tuple[str, str], list[str]] = defaultdict(list)
    for name in full:
        words = split[name]
        ends = (words[0].rstrip("."), words[-1])
        owner = next((o for o in by_first_last[ends] if _shorter_form(words, split[o])), None)
        if owner is not None:
            people[owner].append(name)
            continue
        people[name] = [name]
        by_first_last[ends].append(name)
        # "King Charles II" is also "Charles II"; "St. Guron" is also "Guron".
        if words[0].lower().rstrip(".") in NOBLE_TITLES | {"st", "saint"} and len(words) > 1:
            people[name].append(" ".join(words[1:]))
    surnames: dict[str, list[str]] = defaultdict(list)
    for name in people:
        last = split[name][-1]
        if not _is_initial(last) and not _is_roman(last):
            surnames[last].append(name)
    for name in names:
        if len(split[name]) > 1:
            continue
        owners = surnames.get(name, [])
        if len(owners) == 1:
            people[owners[0]].append(name)
        elif subject is not None and subject in owners:
            people[subject].append(name)
        else:
            people[name] = [name]
    for surname, owners in surnames.items():
        if len(owners) == 1 and surname in alone and surname not in people:
            people[owners[0]].append(surname)
    order = {name: i for i, name in enumerate(names)}
    ordered = sorted(people.items(), key=lambda item: order[item[0]])
    return {name: list(dict.fromkeys(aliases)) for name, aliases in ordered}


# -- Events: the rules ---------------------------------------------------------------------------


class _Named(NamedTuple):
    name: str
    start: int
    end: int


def _named(sentence: str, start: int, end: int) -> _Named:
    return _Named(sentence[start:end], start, end)


_DATE_AFTER_OF = re.compile(
    rf"\s+of\s+(?:the\s+)?(?:{_YEAR}(?:\s*[–—-]\s*(?:{_YEAR}|[0-9]{{2}}))?|"
    rf"(?:1[0-9]{{2}}|20[0-9])0s)\b"
)
_YEAR_BEFORE = re.compile(rf"(?:(?:{_MONTH})\s+)?{_YEAR}\s+$")
_ORDINAL_BEFORE = re.compile(r"\b\d+(?:st|nd|rd|th)\s+$")
_IN_PLACE = re.compile(rf"\s+in\s+(?:the\s+)?{_CAP}[\w'’-]*(?:\s+{_CAP}[\w'’-]*)*")
_LOWER_HEAD = re.compile(r"[ \u00a0]+(?:([a-z][a-z-]+)[ \u00a0]+)?([a-z]+)\b")
_KNOWN_AS = re.compile(r"\s+known\s+as\b")
_NUMBER_WORDS = _words("two three four five six seven eight nine ten several many")
# Event words that, capitalised, usually end other names: "Camp Fire", "Lucky Strike".
_LOWER_CASE_ONLY_HEADS = _words("fire split debate debates rally raid raids attack attacks strike")


def _is_event_head(word: str) -> bool:
    """Whether a capitalised word ends an event's name: "Rebellion", "Census", "Games"."""
    lowered = word.lower()
    return (
        _capitalised(word)
        and lowered in CAPITALISED_EVENT_HEADS
        and lowered not in _LOWER_CASE_ONLY_HEADS
        and word not in CALENDAR_HEADS
    )


def _event_start(run: _Run) -> int:
    """The first word of a run that can begin an event's name: not an opening "The"."""
    words = run.words
    skip = run.initial and words and (words[0].lower() in STOPWORDS or words[0] in MONTHS)
    return 1 if skip and len(words) > 1 else 0


def _with_date_of(sentence: str, named: _Named) -> _Named:
    """An event's name takes a date after "of": "German Revolution of 1918–1919"."""
    match = _DATE_AFTER_OF.match(sentence, named.end)
    return named if match is None else _named(sentence, named.start, match.end())


def _with_year_before(sentence: str, named: _Named, head: str) -> _Named:
    """A year or ordinal before the name belongs to it for recurring events and for a bare
    head word: "2011 Census", "1848 Revolution", "100th Anniversary Celebration"; "1917
    October Revolution" stays "October Revolution"."""
    match = _YEAR_BEFORE.search(sentence, 0, named.start)
    ordinal = _ORDINAL_BEFORE.search(sentence, 0, named.start)
    bare = " " not in named.name
    recurring = any(w.lower() in RECURRING_EVENT_HEADS for w in [*named.name.split(), head])
    if ordinal is not None or (match is not None and (recurring or bare)):
        return _named(sentence, (ordinal or match).start(), named.end)  # type: ignore[union-attr]
    return named


def _with_place_after(sentence: str, named: _Named) -> _Named:
    """An organisation's gathering takes the place it met in: "WTO conference in Seattle",
    "Celebration of the Boy Scouts in America"."""
    match = _IN_PLACE.match(sentence, named.end)
    return named if match is None else _named(sentence, named.start, match.end())


def _organisation_like(words: Sequence[str]) -> bool:
    """Whether a name is an organisation's: an acronym or an organisation word ("WTO")."""
    return any(_is_acronym(w) or w.lower() in ORGANISATION_WORDS for w in words)


def head_final_events(sentence: str, runs: list[_Run], v: _Vocabulary) -> Iterator[_Named]:
    """A capitalised name ending in an event word: "Prayer Book Rebellion", "World War I",
    "International Anarchist Congress of Amsterdam"."""
    for run in runs:
        lo, words = _event_start(run), run.words
        end, head = len(words), words[-1]
        if _is_roman(head) and end - lo > 2 and _is_event_head(words[-2]):
            head = words[-2]  # "World War I", "Super Bowl XXXVIII"
        elif not _is_event_head(head):
            # "Congress of Amsterdam": the head may take an "of" phrase after it.
            heads = [i for i in range(lo + 1, end - 1) if words[i + 1] == "of"]
            if not heads or not _is_event_head(words[heads[0]]):
                continue
            head = words[heads[0]]
        if end - lo < 2 or words[lo].lower() in STOPWORDS:
            continue
        named = _named(sentence, run.spans[lo][0], run.spans[end - 1][1])
        named = _with_year_before(sentence, _with_date_of(sentence, named), head)
        yield _with_place_after(sentence, named) if head != words[-1] and "of" in words else named


def head_first_events(sentence: str, runs: list[_Run], v: _Vocabulary) -> Iterator[_Named]:
    """An event word, then "of" and a place: "Battle of San Jacinto", "Siege of Exeter"."""
    for run in runs:
        lo, words = _event_start(run), run.words
        if len(words) - lo < 3 or words[lo + 1] != "of":
            continue
        if words[lo].lower() in PREFIX_EVENT_HEADS:
            yield _with_date_of(sentence, _named(sentence, run.spans[lo][0], run.end))


def named_storms_and_operations(
    sentence: str, runs: list[_Run], v: _Vocabulary
) -> Iterator[_Named]:
    """A word that names what follows it: "Tropical Storm Allison", "Hurricane Katrina"."""
    for run in runs:
        lo, words = _event_start(run), run.words
        if any(w.lower() in NAMING_EVENT_WORDS for w in words[lo:-1]):
            yield _named(sentence, run.spans[lo][0], run.end)


def name_and_event_noun(sentence: str, runs: list[_Run], v: _Vocabulary) -> Iterator[_Named]:
    """A proper name and a lower-case event word: "Kronstadt rebellion", "Watts race riots",
    "Kennedy-Nixon debates", "WTO conference in Seattle".

    Not a class of events: counted ("three Cornish uprisings"), a plural with no article or
    year ("Toronto mayoral elections are non-partisan"), a people's adjective with a
    description ("the Islamic civil war"), or described before its name ("the German
    uprising known as the German Revolution").
    """
    for run in runs:
        lo, words = _event_start(run), run.words
        proper = words[lo:]
        if run.possessive or words[lo] in MONTHS or (run.initial and v.common(words[lo])):
            continue
        match = _LOWER_HEAD.match(sentence, run.end)
        if match is None:
            continue
        modifier, head = match.groups()
        end = match.end()
        if modifier in EVENT_NOUNS:  # the first event word is the head: "Brexit referendum"
            head, modifier, end = modifier, None, match.end(1)
        elif head not in EVENT_NOUNS or (
            modifier and (modifier in STOPWORDS or modifier in AUXILIARIES)
        ):
            continue
        start = run.spans[lo][0]
        before = sentence[max(0, start - LOOK_BEHIND) : start].split()
        article = bool(before) and before[-1].lower() in ("the", "a", "an")
        dated = bool(_YEAR_BEFORE.search(sentence, 0, start))
        if (
            (before and before[-1].lower() in _NUMBER_WORDS)
            or (_singular(head) != head and not (article or dated))
            or (modifier and len(proper) == 1 and v.demonym(proper[0]))
            or _KNOWN_AS.match(sentence, end)
        ):
            continue
        named = _with_year_before(sentence, _named(sentence, start, end), head)
        named = _with_date_of(sentence, named)
        yield _with_place_after(sentence, named) if _organisation_like(proper) else named


_YEAR_THEN_WORDS = re.compile(
    rf"(?<![\w,.])(?:(?:{_MONTH})\s+)?{_YEAR}"
    rf"(?=(?P<rest>(?:[ \u00a0]+[\w'’-]+){{1,{YEAR_EVENT_WORDS + 1}}}))"
)


def year_and_event_noun(sentence: str, runs: list[_Run], v: _Vocabulary) -> Iterator[_Named]:
    """A year, a few describing words and an event word: "2003 blackout", "2010 mayoral
    election", "February 1934 riots", "2008 Beijing Olympic Games protests"."""
    for match in _YEAR_THEN_WORDS.finditer(sentence):
        words = list(_NEXT_WORDS.finditer(match["rest"]))
        for i, word in enumerate(words[: YEAR_EVENT_WORDS + 1]):
            text = word.group()
            if text.lower() in STOPWORDS or text.lower() in AUXILIARIES or text.isdigit():
                break
            if text in EVENT_NOUNS or _is_event_head(text):
                described = [w.group() for w in words[:i]]
                recurring = any(w.lower() in RECURRING_EVENT_HEADS for w in [*described, text])
                if (
                    _capitalised(text)
                    and any(_capitalised(w) for w in described)
                    and not (recurring)
                ):
                    break  # "1917 October Revolution": the head-final rule names it
                yield _named(sentence, match.start(), match.start("rest") + word.end())
                break


_COORDINATED_YEARS = re.compile(
    rf"\b(?:the\s+)?(?P<y1>{_YEAR})\s+and\s+(?:the\s+)?(?P<y2>{_YEAR})\s+"
    r"(?P<words>(?:[a-z]+\s+)?)(?P<head>[a-z]+s)\b"
)


def coordinated_years(sentence: str, runs: list[_Run], v: _Vocabulary) -> Iterator[_Named]:
    """Two years sharing one plural event noun, each an event: "the 2006 and the 2008 federal
    elections" gives "2006 federal election" and "2008 federal election"."""
    for match in _COORDINATED_YEARS.finditer(sentence):
        if match["head"] not in EVENT_NOUNS:
            continue
        described = f"{match['words']}{_singular(match['head'])}"
        yield _Named(f"{match['y1']} {described}", match.start("y1"), match.end("y1"))
        yield _Named(f"{match['y2']} {described}", match.start("y2"), match.end())


_EVENT_NOUN_OF_DATE = re.compile(
    rf"(?<![\w-])(?:(?P<adjective>[A-Za-z]+)\s+)?(?P<head>[a-z]+)(?={_DATE_AFTER_OF.pattern})"
)
# Words that name a happening only when dated: "the revolutionary wave of 1917–23".
_DATED_ONLY_NOUNS = _words("wave waves")


def event_noun_of_date(sentence: str, runs: list[_Run], v: _Vocabulary) -> Iterator[_Named]:
    """A lower-case event word dated by "of": "revolutions of 1848", "Spanish revolution of
    1873", "revolutionary wave of 1917–23"."""
    if not _DATE_AFTER_OF.search(sentence):
        return
    for match in _EVENT_NOUN_OF_DATE.finditer(sentence):
        head, adjective = match["head"], match["adjective"] or ""
        if head not in EVENT_NOUNS and head not in _DATED_ONLY_NOUNS:
            continue
        # The adjective belongs to the name when it describes: "Spanish", "revolutionary".
        described = adjective.lower() not in STOPWORDS | AUXILIARIES and (
            adjective.islower() or v.demonym(adjective)
        )
        if head in _DATED_ONLY_NOUNS and not described:
            continue
        start = match.start() if described and adjective else match.start("head")
        date = _DATE_AFTER_OF.match(sentence, match.end())
        if date is not None:
            yield _named(sentence, start, date.end())


def capitalised_term_of_date(sentence: str, runs: list[_Run], v: _Vocabulary) -> Iterator[_Named]:
    """A common word capitalised mid-sentence and dated by "of": "the Counterculture of the
    1960s"."""
    for run in runs:
        word = run.words[0]
        if run.initial or run.possessive or len(run.words) != 1 or not v.common(word):
            continue
        date = _DATE_AFTER_OF.match(sentence, run.end)
        if date is not None and word.lower() not in NON_PERSON_WORDS:
            yield _named(sentence, run.start, date.end())


def capitalised_happening(sentence: str, runs: list[_Run], v: _Vocabulary) -> Iterator[_Named]:
    """A happening written capitalised alone, no noun after it: "After Independence", "the
    Holocaust", "Martial Law was promulgated"."""
    for run in runs:
        lo = _event_start(run)
        name = " ".join(run.words[lo:])
        following = _LOWER_HEAD.match(sentence, run.end)
        noun_after = (
            following is not None
            and following.group(1) is None
            and not (following.group(2) in STOPWORDS or following.group(2) in AUXILIARIES)
        )
        if name in CAPITALISED_HAPPENINGS and not noun_after:
            yield _named(sentence, run.spans[lo][0], run.end)


def calendar_occasion(sentence: str, runs: list[_Run], v: _Vocabulary) -> Iterator[_Named]:
    """A day, week or year named by common words: "Gay Pride Week", "Chinese New Year",
    "International Workers' Day"; not "Dorothy Day" nor "Humanitarian of the Year"."""
    for index, run in enumerate(runs):
        lo, words = _event_start(run), run.words
        if words[-1] not in CALENDAR_HEADS or any(w.islower() for w in words):
            continue
        previous = runs[index - 1] if index else None
        if len(words) - lo == 1 and previous is not None and previous.possessive:
            # "International Workers' Day": the possessive closed the run before the head.
            if sentence[previous.end : run.start].strip() in ("'", "’"):
                yield _named(sentence, previous.spans[_event_start(previous)][0], run.end)
            continue
        if len(words) - lo < 2:
            continue
        before_head = words[-2]
        if words[-1] == "Day" and not (v.common(before_head) or before_head in MONTHS):
            continue
        yield _named(sentence, run.spans[lo][0], run.end)


_DEFINITION = re.compile(r",?\s+(?:is|was)?\s*(?:a|an|the)\s+")


def defined_as_event(sentence: str, runs: list[_Run], v: _Vocabulary) -> Iterator[_Named]:
    """A name defined as a happening: "Bodmin Riding, a horseback procession", "X is a
    traditional annual ceremony"."""
    for run in runs:
        lo = _event_start(run)
        if len(run.words) - lo < 2 or run.possessive:
            continue
        match = _DEFINITION.match(sentence, run.end)
        if match is None:
            continue
        for word in _next_words(sentence[match.end() :], ROLE_PHRASE_WORDS - 1):
            if word.lower() in EVENT_KINDS:
                yield _named(sentence, run.spans[lo][0], run.end)
                break
            if word.lower() in STOPWORDS or word.lower() in AUXILIARIES:
                break


_KNOWN_AS_NAME = re.compile(
    r"\b(?:events?|uprisings?|revolts?|period|incident)\s+known\s+as\s+(?:the\s+)?"
    r"(?P<name>[a-z]+(?:\s+[a-z]+)?)\b"
)


def known_as_event(sentence: str, runs: list[_Run], v: _Vocabulary) -> Iterator[_Named]:
    """The name an event is known by, even in lower case: "the Italian events known as the
    biennio rosso"; a capitalised name there is found by the other rules."""
    for match in _KNOWN_AS_NAME.finditer(sentence):
        words = []
        for word in match["name"].split():  # up to the first function word
            if word in STOPWORDS or word in AUXILIARIES:
                break
            words.append(word)
        if words:
            name = " ".join(words)
            yield _Named(name, match.start("name"), match.start("name") + len(name))


_YEARLY_AWARD = re.compile(
    rf"\b{_YEAR}\s+(?:{_CAP}[\w'’-]*\s+){{1,3}}(?:Prize|Award|Medal)(?:\s+in\s+{_CAP}\w*)?"
)


def yearly_award(sentence: str, runs: list[_Run], v: _Vocabulary) -> Iterator[_Named]:
    """A prize given in a named year is that year's award, an event: "the 2008 Nobel Prize in
    Chemistry"."""
    for match in _YEARLY_AWARD.finditer(sentence):
        yield _named(sentence, match.start(), match.end())


_CUSTOM_OF = re.compile(
    r"\b(?:custom|tradition|ceremony|rite|practice)\s+of\s+(?P<name>[A-Z][a-z]+ing"
    r"(?:\s+the)?\s+[a-z]+)"
)


def custom_of(sentence: str, runs: list[_Run], v: _Vocabulary) -> Iterator[_Named]:
    """A custom named by a capitalised gerund: "the custom of Beating the bounds"."""
    for match in _CUSTOM_OF.finditer(sentence):
        yield _Named(match["name"], match.start("name"), match.end("name"))


# A quoted event name is a few words long: "ONE HOUSTON UNITED"; a longer quote is speech.
QUOTED_NAME_CHARS = 60
_QUOTED_BEFORE_NOUN = re.compile(
    rf"[\"“](?P<name>[^\"”]{{3,{QUOTED_NAME_CHARS}}})[\"”]\s+(?P<head>[a-z]+)"
)


def quoted_name_of_event(sentence: str, runs: list[_Run], v: _Vocabulary) -> Iterator[_Named]:
    """A quoted name before an event word: the "ONE HOUSTON UNITED" telethon."""
    for match in _QUOTED_BEFORE_NOUN.finditer(sentence):
        if match["head"] in EVENT_NOUNS:
            yield _Named(match["name"], match.start("name"), match.end())


_EventRule = Callable[[str, list[_Run], _Vocabulary], Iterator[_Named]]
EVENT_RULES: tuple[_EventRule, ...] = (
    head_final_events,
    head_first_events,
    named_storms_and_operations,
    name_and_event_noun,
    coordinated_years,
    year_and_event_noun,
    event_noun_of_date,
    capitalised_term_of_date,
    capitalised_happening,
    calendar_occasion,
    defined_as_event,
    custom_of,
    quoted_name_of_event,
    known_as_event,
    yearly_award,
)

# A quoted name opens with a quote.
_OPENING_QUOTES = frozenset('"“')
# Shapes a passage may hold that some rules need, each standing among its words for the
# shape (no word has brackets): a date after "of" ("Counterculture of the 1960s") and an
# award's name ("2008 Nobel Prize").
_DATED_BY_OF = "<dated by of>"
_AN_AWARD = "<award>"
# Each shape's test: quick ones that hold wherever the rule's own pattern does (the year or
# decade after "of" starts with 1 or 2).
_SHAPES = {
    _DATED_BY_OF: re.compile(r"of\s+(?:the\s+)?[12][0-9]"),
    _AN_AWARD: re.compile("Prize|Award|Medal"),
}
# What each rule needs in a sentence to name anything there: one of its head words (in lower
# case), a quote or a shape. Most passages hold none, and the rule is not run on them; within
# a passage, a rule runs only on the sentences holding one. So a rule must never name
# something from a sentence without its trigger: a new rule adds its trigger words here.
_TRIGGERS: dict[_EventRule, frozenset[str]] = {
    head_final_events: CAPITALISED_EVENT_HEADS,
    head_first_events: PREFIX_EVENT_HEADS,
    named_storms_and_operations: NAMING_EVENT_WORDS,
    name_and_event_noun: EVENT_NOUNS,
    coordinated_years: EVENT_NOUNS,
    year_and_event_noun: CAPITALISED_EVENT_HEADS,
    event_noun_of_date: EVENT_NOUNS | _DATED_ONLY_NOUNS,
    capitalised_term_of_date: frozenset([_DATED_BY_OF]),
    capitalised_happening: frozenset(h.split()[0].lower() for h in CAPITALISED_HAPPENINGS),
    calendar_occasion: frozenset(h.lower() for h in CALENDAR_HEADS),
    defined_as_event: EVENT_KINDS,
    custom_of: _words("custom tradition ceremony rite practice"),
    quoted_name_of_event: _OPENING_QUOTES,
    known_as_event: _words("known"),
    yearly_award: frozenset([_AN_AWARD]),
}
_ANY_TRIGGER = frozenset().union(*_TRIGGERS.values())
# The passage's lower-case words and quotes, that trigger words are looked up among.
_TRIGGER_TOKEN = re.compile(r"[a-z]+|[\"“]")


def _triggers(passage: str) -> tuple[str, ...]:
    """The trigger words, quotes and shapes a passage holds (as most passages, none)."""
    return tuple(
        _ANY_TRIGGER.intersection(_TRIGGER_TOKEN.findall(passage.lower()))
        | {shape for shape, pattern in _SHAPES.items() if pattern.search(passage)}
    )


def _rules_for(triggers: Collection[str]) -> list[_EventRule]:
    """The event rules that can name something in a passage holding `triggers`: those it
    holds a trigger of."""
    return [rule for rule in EVENT_RULES if not _TRIGGERS[rule].isdisjoint(triggers)]


def _may_hold_a_trigger(sentence: str, triggers: Collection[str]) -> bool:
    """Whether a sentence may hold one of its passage's triggers: a trigger word written in it
    (or in a longer word: a quick test that misses none), a quote or a shape. Most sentences
    of a passage with a trigger hold none, and its rules are not run on them."""
    lowered = sentence.lower()
    return any(
        _SHAPES[token].search(sentence) if token in _SHAPES else token in lowered
        for token in triggers
    )


_WORK_BEFORE = re.compile(
    rf"(?:\b(?:entitled|titled)|\b(?:{'|'.join(sorted(WORK_WORDS))})(?:\s+of(?:\s+the)?)?)\s+$"
)
_QUOTE_OPENS = re.compile(r"[\"“]\s*(?:the\s+|The\s+)?$")
_QUOTE_CLOSES = re.compile(r"[,.]?[\"”]")


def names_a_work(sentence: str, named: _Named) -> bool:
    """A name after "entitled", "the novel" or "series of", or alone in quotes, is a work's:
    "the first series of Robot Wars", 'her novel "The Last Battle"'; a quoted name before an
    event word is an event's (the "ONE HOUSTON UNITED" telethon)."""
    window = max(0, named.start - LOOK_BEHIND)
    if _WORK_BEFORE.search(sentence, window, named.start):
        return True
    quoted = _QUOTE_OPENS.search(sentence, window, named.start) and _QUOTE_CLOSES.match(
        sentence, named.end
    )
    return bool(quoted) and not _LOWER_HEAD_IS_EVENT.match(sentence, named.end + 1)


_LOWER_HEAD_IS_EVENT = re.compile(rf"\s+(?:{'|'.join(sorted(EVENT_NOUNS))})\b")


def _named_events(
    sentence: str, runs: list[_Run], v: _Vocabulary, rules: Iterable[_EventRule]
) -> list[_Named]:
    """Named events in a sentence by `rules` (in EVENT_RULES order); a name inside a longer
    one found there is not repeated."""
    found = [n for rule in rules for n in rule(sentence, runs, v)]
    if not found:
        return found
    found = [
        n._replace(name=_SPACES.sub(" ", n.name).strip())
        for n in found
        if n.name.strip() and not names_a_work(sentence, n)
    ]
    return [
        n
        for i, n in enumerate(found)
        if not any(_covers(o, n, j < i) for j, o in enumerate(found) if j != i)
    ]


def _covers(longer: _Named, shorter: _Named, earlier: bool) -> bool:
    """Whether one name's span holds another's; of two on one span the earlier rule's wins."""
    if not (longer.start <= shorter.start and shorter.end <= longer.end):
        return False
    same = (longer.start, longer.end) == (shorter.start, shorter.end)
    return earlier if same else True


# -- Dates ---------------------------------------------------------------------------------------

_RANGE = re.compile(
    rf"\b(?:from|between)\s+(?:(?P<m1>{_MONTH})\s+)?(?P<y1>{_YEAR})\s+(?:to|and|until)\s+"
    rf"(?:(?P<m2>{_MONTH})\s+)?(?P<y2>{_YEAR})\b|\b(?P<y3>{_YEAR})\s*[–—-]\s*(?P<y4>{_YEAR})\b"
)
_MONTH_YEAR = re.compile(rf"\b(?P<m>{_MONTH})\s+(?:\d{{1,2}},?\s+)?(?P<y>{_YEAR})\b")
_DECADE = re.compile(r"\b(?:(?P<part>early|mid|late)[\s-]+)?(?P<y>(?:1[0-9]{2}|20[0-9])0)s\b")
_PLAIN_YEAR = re.compile(rf"(?<![\d.,])\b(?P<y>{_YEAR})\b(?!\d|s\b)")


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


# -- Mentions, extraction, refinement ------------------------------------------------------------

_TOKEN = re.compile(r"[A-Z]\.|[^\W_]+(?:['’][^\W\d_]+)*")


def _tokens(text: str) -> list[str]:
    return _without_possessives(_TOKEN.findall(text), text)


def _without_possessives(tokens: list[str], text: str) -> list[str]:
    """The tokens of a text, "'s" removed from their ends: "Tito's" counts as "Tito"."""
    if "'" not in text and "’" not in text:
        return tokens  # no possessive to strip
    return [t[:-2] if t.endswith(("'s", "’s")) else t for t in tokens]


def _folded_tokens(tokens: list[str], text: str) -> list[str]:
    """`_tokens(fold(text))`, from the tokens of `text` where that is faster: an ASCII text's
    folded tokens are its own lower-cased, an initial's ("J.") without its full stop (folded
    text has no capital to read an initial by)."""
    if not text.isascii() or not tokens:
        return _tokens(fold(text))
    # No token holds a NUL, and only an initial holds a full stop: one string is lower-cased
    # and rid of full stops faster than each token.
    lowered = "\0".join(tokens).lower().replace(".", "").split("\0")
    return _without_possessives(lowered, text)


class _Aliases:
    """Names to find in texts by their aliases, and the texts found naming each.

    A text is looked in with its words: where it holds an alias's first word, the aliases of
    that word and the next are tried there.
    """

    def __init__(self, names: Mapping[str, Sequence[str]], norm: Callable[[str], str]) -> None:
        owners: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for name, aliases in names.items():
            for alias in aliases:
                owners[tuple(_tokens(norm(alias)))].add(name)
        owners.pop((), None)
        self.owners = owners
        # One-word aliases by their word; longer ones by their first two words, so that a
        # common first word ("the", "John") costs a look-up, not a try of every alias it starts.
        self.single: dict[str, set[str]] = {}
        self.longer: dict[str, dict[str, list[tuple[str, ...]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for key, named_by in owners.items():
            if len(key) == 1:
                self.single[key[0]] = named_by
            else:
                self.longer[key[0]][key[1]].append(key)
        self.firsts = self.single.keys() | self.longer.keys()
        self.found: dict[str, list[int]] = {name: [] for name in names}

    def look_in(self, index: int, words: list[str]) -> None:
        """Record text `index`, whose words are `words`, for each name it names."""
        starts = self.firsts.intersection(words)
        if not starts:
            return  # most texts name none of the names
        present = set(words)
        named: set[str] = set()
        for first in starts:
            if first in self.single:
                named |= self.single[first]
            # A common first word ("the") seldom comes with the second word of an alias.
            by_second = self.longer.get(first)
            if by_second is not None and not by_second.keys().isdisjoint(present):
                named |= _named_from(words, present, first, by_second, self.owners)
        for name in named:
            self.found[name].append(index)

    def passages(self) -> dict[str, tuple[int, ...]]:
        """For each name, the indices of the texts that name it."""
        return {name: tuple(indices) for name, indices in self.found.items()}


def find_mentions(
    texts: Sequence[str], names: Mapping[str, Sequence[str]], *, case_sensitive: bool
) -> dict[str, tuple[int, ...]]:
    """For each entity, the indices of the texts that name it by any of its aliases.

    One pass over the texts whatever the number of entities: where a text holds an alias's
    first word, the aliases of that word and the next are tried there ("Tito's" counts as
    "Tito").
    """
    norm: Callable[[str], str] = (lambda t: t) if case_sensitive else fold
    aliases = _Aliases(names, norm)
    for index, text in enumerate(texts):
        aliases.look_in(index, _tokens(norm(text)))
    return aliases.passages()


def _people_and_events_in(
    texts: Sequence[str], people: Mapping[str, Sequence[str]], events: Mapping[str, Sequence[str]]
) -> tuple[dict[str, tuple[int, ...]], dict[str, tuple[int, ...]]]:
    """`find_mentions` of people (with their capitals) and of events (folded), in one pass
    that reads each text's tokens once."""
    people_aliases, event_aliases = _Aliases(people, lambda t: t), _Aliases(events, fold)
    for index, text in enumerate(texts):
        tokens = _TOKEN.findall(text)
        people_aliases.look_in(index, _without_possessives(tokens, text))
        event_aliases.look_in(index, _folded_tokens(tokens, text))
    return people_aliases.passages(), event_aliases.passages()


def _named_from(
    words: list[str],
    present: set[str],
    first: str,
    by_second: Mapping[str, list[tuple[str, ...]]],
    owners: Mapping[tuple[str, ...], set[str]],
) -> set[str]:
    """The owners of the aliases of two words or more that start with `first` (which `words`
    holds) and occur in `words` (whose words are `present`); `by_second` holds those aliases
    by their second word."""
    named: set[str] = set()
    seconds = by_second.keys() & present
    if not seconds:
        return named
    position = -1
    try:
        while True:
            position = words.index(first, position + 1)
            following = words[position + 1 : position + 2]
            if not following or following[0] not in seconds:
                continue
            for key in by_second[following[0]]:
                if tuple(words[position : position + len(key)]) == key:
                    named |= owners[key]
    except ValueError:  # no further occurrence
        return named


def _may_name_a_person(run: _Run, v: _Vocabulary) -> bool:
    """Whether the people finder can make anything of a run: not of one common word opening
    its sentence ("The", "Bearing"), unless hyphenated ("Kennedy-Nixon")."""
    return (
        len(run.words) > 1
        or not _opens_with_common_word(run, v)
        or "-" in run.words[0]
        or "–" in run.words[0]
    )


def _learn_vocabulary(v: _Vocabulary, sentences: Iterable[tuple[str, list[_Run]]]) -> None:
    """Modifiers ("Soviet state") and names that begin an organisation's or place's name."""
    for sentence, runs in sentences:
        for run in runs:
            words = run.words
            if len(words) == 1:  # a place or a modifier; it begins no longer name
                before = sentence[max(0, run.start - LOOK_BEHIND) : run.start].rsplit(None, 1)
                if before and before[-1] in PLACE_PREPOSITIONS:
                    v.places.add(words[0])
                following = None if run.possessive else _LOWER_HEAD.match(sentence, run.end)
                if following:
                    noun = following.group(1) or following.group(2)
                    if noun not in _FUNCTION_WORDS and not noun.endswith("ed"):
                        v.modifiers.add(words[0])
                continue
            if _opens_with_common_word(run, v):
                words = words[1:]
            for i in range(1, len(words)):
                if words[i].lower() in NON_PERSON_WORDS and words[i - 1] not in ("of", "the"):
                    v.owners.update(" ".join(words[:j]) for j in range(1, i + 1))
                    break


# Per passage, the sentences a later step reads. Their runs are found again where read: kept
# for every passage, runs took most of the memory (some 2 GB at a million passages).
_Sentences = list[tuple[str, ...]]


def _find_events(
    per_passage: _Sentences,
    v: _Vocabulary,
    texts: Sequence[str],
    triggers_per_passage: Sequence[tuple[str, ...]],
) -> tuple[list[Event], list[Event]]:
    """Named events, each with the date right after it where there is one and the passages it
    was found in (those that name it are added later), and dated ones (`triggers_per_passage`:
    the event rules' triggers each passage holds)."""
    named: dict[str, _DateMention | None] = {}  # event name -> the date right after it
    found_in: dict[str, set[int]] = defaultdict(set)  # event name -> passages it was found in
    dated: dict[str, tuple[_DateMention, str, set[int]]] = {}  # label -> date, sentence, passages
    for index, sentences in enumerate(per_passage):
        triggers = triggers_per_passage[index]
        rules = _rules_for(triggers) if triggers else []
        dated_passage = _HAS_YEAR.search(texts[index]) is not None
        if not (rules or dated_passage):
            continue  # nothing here can name or date an event
        for sentence in sentences:
            dates = _dates(sentence) if dated_passage and _HAS_YEAR.search(sentence) else []
            named_here = rules and _may_hold_a_trigger(sentence, triggers)
            events = _named_events(sentence, _runs(sentence), v, rules) if named_here else []
            for event in events:
                # A date just after the name dates it: "Kronstadt rebellion (March 1921)"; one
                # before it usually dates something else ("In 1961, … the Cuban Revolution"),
                # and one inside another event's name dates that one ("the 2006 and the 2008
                # federal elections").
                close = [
                    d
                    for d in dates
                    if 0 <= d.offset - event.end <= DATE_REACH
                    and not any(o.start <= d.offset < o.end for o in events)
                ]
                if named.get(event.name) is None:
                    named[event.name] = close[0] if close else None
                found_in[event.name].add(index)
            for date in dates:
                dated.setdefault(date.label, (date, sentence, set()))[2].add(index)
    found = [
        Event(
            name,
            _event_aliases(name),
            tuple(sorted(found_in[name])),
            date.start if date else None,
            date.end if date else None,
        )
        for name, date in named.items()
    ]
    return found, [
        Event(label, (label,), tuple(sorted(passages)), date.start, date.end, sentence)
        for label, (date, sentence, passages) in dated.items()
    ]


_ORDINAL_WORDS = ("First", "Second", "Third", "Fourth", "Fifth")
_ROMAN_NUMERALS = ("I", "II", "III", "IV", "V")


def _event_aliases(name: str) -> tuple[str, ...]:
    """A numbered event's other spellings: "First World War" is also "World War I", "WWI" and
    "WW1" (and the other way round)."""
    words = name.split()
    if len(words) < 3:
        return (name,)
    number = 0
    if words[0] in _ORDINAL_WORDS:
        number, base = _ORDINAL_WORDS.index(words[0]) + 1, words[1:]
    elif words[-1] in _ROMAN_NUMERALS:
        number, base = _ROMAN_NUMERALS.index(words[-1]) + 1, words[:-1]
    if not number or not all(_capitalised(w) for w in base):
        return (name,)
    roman, initials = _ROMAN_NUMERALS[number - 1], "".join(w[0] for w in base)
    spellings = [
        f"{_ORDINAL_WORDS[number - 1]} {' '.join(base)}",
        f"{' '.join(base)} {roman}",
        f"{initials}{roman}",
        f"{initials}{number}",
    ]
    return tuple(dict.fromkeys([name, *spellings]))


def _observe_people(
    per_passage: _Sentences, v: _Vocabulary, *, explain: bool = False
) -> _PeopleFinder:
    """The evidence of every candidate name in the document (`explain`: with the cues of
    names ruled out by their words too)."""
    finder = _PeopleFinder(v, explain=explain)
    for index, sentences in enumerate(per_passage):
        for number, sentence in enumerate(sentences):
            runs = _runs(sentence)
            finder.observe(sentence, runs, opens_passage=index == 0 and number == 0)
            finder.observe_pairs(sentence, runs)
    return finder


def _find_people(per_passage: _Sentences, v: _Vocabulary) -> dict[str, list[str]]:
    """People judged from the whole document's evidence, each with all their names."""
    finder = _observe_people(per_passage, v)
    names = finder.people()
    subject = next((k for k in names if finder.evidence[k].subject), None)
    alone = {
        key
        for key, e in finder.evidence.items()
        if len(e.words) == 1 and not e.contrary and finder.rejected(e.words) is None
    }
    return _join_names(names, subject, alone)


def _read(texts: Sequence[str]) -> tuple[_Sentences, _Vocabulary, list[Event], list[Event]]:
    """A document's sentences (those the people finder reads), what it says of its words, and
    its named events (with the passages they were found in) and dated ones."""
    vocabulary = _Vocabulary(texts)
    for_events: _Sentences = []
    for_people: _Sentences = []
    triggers = [_triggers(text) for text in texts]
    for index, text in enumerate(texts):
        sentences = [(s, _runs(s)) for s in _sentences(text)]
        _learn_vocabulary(vocabulary, sentences)
        if not index:  # the first passage stays whole: it opens the document
            for_events.append(tuple(sentence for sentence, _ in sentences))
            for_people.append(for_events[0])
            continue
        # Held for the event rules and the dates, and for the people finder, only where they
        # can find something: most sentences hold no year, and no capitalised word but the
        # common one opening them.
        for_events.append(tuple(s for s, _ in sentences if triggers[index] or _HAS_YEAR.search(s)))
        for_people.append(
            tuple(
                s for s, runs in sentences if any(_may_name_a_person(r, vocabulary) for r in runs)
            )
        )
    named, dated = _find_events(for_events, vocabulary, texts, triggers)
    vocabulary.events = {e.name for e in named}  # for `names_an_event`
    return for_people, vocabulary, named, dated


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector: the finder makes millions of small objects and no
    cycles, and each collection walks all those alive again (at 100k passages that more than
    doubled the time to find the runs)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def extract_entities(texts: Sequence[str]) -> Entities:
    """Find figures and events in a document's passages (clean text, tags removed)."""
    with _without_cycle_collection():
        # The sentences and runs are freed on return from `_extract`, before the collector
        # resumes and would scan whatever it did not see.
        return _extract(texts)


def _extract(texts: Sequence[str]) -> Entities:
    per_passage, vocabulary, named, dated = _read(texts)
    people = _find_people(per_passage, vocabulary)
    people_at, events_at = _people_and_events_in(texts, people, {e.name: e.aliases for e in named})
    figures = [Figure(name, tuple(aliases), people_at[name]) for name, aliases in people.items()]
    events = [replace(e, passages=tuple(sorted({*events_at[e.name], *e.passages}))) for e in named]
    return Entities(figures=tuple(figures), events=(*events, *dated))


def _explain_people(texts: Sequence[str]) -> dict[str, set[str]]:
    """For each candidate name, the rules that held for it: cues, contrary contexts and the
    name rule that rules it out, if any (for tests and debugging)."""
    per_passage, vocabulary, _, _ = _read(texts)
    finder = _observe_people(per_passage, vocabulary, explain=True)
    finder.people()  # adds the contexts found only when deciding
    return {
        key: e.strong | e.weak | e.contrary | ({finder.rejected(e.words) or ""} - {""})
        for key, e in finder.evidence.items()
    }


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
