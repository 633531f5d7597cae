"""The people and events finder, one named rule at a time, then its quality on labelled articles.

Each rule is tried on a small handwritten sentence: the test asserts what a user notices (who
is listed as a person, which events appear) and, for people, that the named rule is the one
that decided. The last test holds the finder to precision and recall floors on the articles
of tests/data/eval, a little under what it measured when the rules were written.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.entity_finder import (
    _SENTENCE_BREAK,
    _TOKEN,
    _explain_people,
    _folded_tokens,
    _may_hold_a_trigger,
    _sentences,
    _tokens,
    _triggers,
    extract_entities,
)
from knowledge.text import fold
from retrieval.evaluation import entity_scores, load_eval, load_labels
from retrieval.search import KnowledgeBase

EVAL = Path(__file__).parent / "data" / "eval"


def people(*texts: str) -> dict[str, tuple[str, ...]]:
    """Each person found, with their aliases."""
    return {f.name: f.aliases for f in extract_entities(texts).figures}


def named_events(*texts: str) -> set[str]:
    """The named events found; dated mentions ("1937") left out."""
    return {e.name for e in extract_entities(texts).events if not e.context}


def fired(name: str, *texts: str) -> set[str]:
    """The rules that held for a candidate name."""
    return _explain_people(texts).get(name, set())


# -- Strong cues: one makes a person -------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "text", "person"),
    [
        ("after_role_word", "They met the historian Sheila Fitzpatrick.", "Sheila Fitzpatrick"),
        ("after_role_word", "The announcers were Gene Elston and Dewayne Staats.", "Gene Elston"),
        ("after_role_word", "Teaching music fell to the Director, Ben Vincent.", "Ben Vincent"),
        ("title_before", "He worked with Executive Producer Mathew Knowles.", "Mathew Knowles"),
        (
            "title_before",
            "The park was opened in 1966 for Sir Walter Gilbert.",
            "Sir Walter Gilbert",
        ),
        ("post_nominal", "Its member today is Scott Mann MP.", "Scott Mann"),
        ("kinship", "He was born eight minutes before his sister Myra.", "Myra"),
        ("kinship", "He worked with Mathew Knowles (Beyoncé's father).", "Beyoncé"),
        ("who_follows", "The prize went to Brad Maule, who was in the cast.", "Brad Maule"),
        (
            "apposition_names_role",
            "Thomas Flamank, a lawyer from Bodmin, led them.",
            "Thomas Flamank",
        ),
        ("apposition_names_role", "It chose Barack Obama as the 44th President.", "Barack Obama"),
        (
            "definition_names_role",
            "Allen Robert Morris is an American television producer.",
            "Allen Robert Morris",
        ),
        ("life_dates", "The map shows the work of Jodocus Hondius (1563–1612).", "Jodocus Hondius"),
        ("life_dates", "Arthur Langdon (1896) records three crosses.", "Arthur Langdon"),
        ("et_al", "Kelly et al. have shown that the proteins are stable.", "Kelly"),
        ("research_group", "The Schipper group identified three enzymes.", "Schipper"),
        ("assassination_victim", "The Kennedy assassination fascinated the boy.", "Kennedy"),
        ("works_of", "They read the writings of James Burnham.", "James Burnham"),
        (
            "demonym_before",
            "Cornish crosses stand there. It came from the Cornishman William Nichols.",
            "William Nichols",
        ),
    ],
)
def test_a_strong_cue_makes_a_person(rule: str, text: str, person: str) -> None:
    assert person in people(text)
    assert rule in fired(person, text)


def test_an_office_alone_is_no_person() -> None:
    found = people("In 1984, Morris joined the agency as Executive Vice President.")
    assert "Executive Vice President" not in found and "President" not in found
    assert "Executive Producer" not in people("He joined as Executive Producer Mathew Knowles.")


# -- Weak cues: enough where nothing says otherwise ----------------------------------------------


@pytest.mark.parametrize(
    ("rule", "text", "person"),
    [
        ("possessive_of_a_person", "The soundtrack is Gershwin's iconic rhapsody.", "Gershwin"),
        (
            "described_by_creed",
            "The radical Protestant Christian Gerrard Winstanley wrote tracts.",
            "Gerrard Winstanley",
        ),
        ("author_of_work", "They read Stirner's The Ego and Its Own.", "Stirner"),
        (
            "cited_as_source",
            "According to John Earl Haynes, the money was secret.",
            "John Earl Haynes",
        ),
        (
            "whose_follows",
            "It shows Nikolai Bukharin, whose ideas formed the right.",
            "Nikolai Bukharin",
        ),
        ("verb_follows", "Tito disagreed on the primary characteristics.", "Tito"),
        ("by_agent", "Her legacy was vilified by Stalin once he rose to power.", "Stalin"),
        ("led_under", "The Conservatives under Stephen Harper won.", "Stephen Harper"),
        ("led_under", "Then the government of Asif Ali Zardari raised it.", "Asif Ali Zardari"),
        ("middle_initial", "The play came with William K. Gleason.", "William K. Gleason"),
        ("eponym", "Stalinism grew. Historians wrote about Stalin.", "Stalin"),
    ],
)
def test_a_weak_cue_makes_a_person_where_nothing_contradicts_it(
    rule: str, text: str, person: str
) -> None:
    assert person in people(text)
    assert rule in fired(person, text)


# -- Contrary contexts: a name in a place's or thing's position ----------------------------------


@pytest.mark.parametrize(
    ("rule", "text", "name"),
    [
        ("after_determiner", "The Beacon reported the news.", "Beacon"),
        ("after_place_preposition", "Houston grew. Many people live in Houston.", "Houston"),
        ("after_place_preposition", "The anarchists from Petrograd and Moscow fled.", "Moscow"),
        (
            "after_place_noun_of",
            "Cooksland was quiet. It is one of the hamlets of Cooksland.",
            "Cooksland",
        ),
        (
            "after_thing_noun",
            "The federation Mujeres Libres was founded in 1936.",
            "Mujeres Libres",
        ),
        ("plural_verb_follows", "Margins have declined.", "Margins"),
        ("modifies_a_noun", "Houston was growing. Houston radio stations grew.", "Houston"),
        ("owns_business_things", "Sing Tao's Canadian newspaper was sold.", "Sing Tao"),
        ("names_a_term", "Alzheimer's disease is common.", "Alzheimer"),
        ("titles_a_work", "He made a pilot entitled Project Popstar.", "Project Popstar"),
        ("defined_as_a_thing", "Lyon is the third-largest city of France. Lyon rebelled.", "Lyon"),
        (
            "begins_an_organisation",
            "Extreme Corporate Communications was formed. Extreme led to more.",
            "Extreme",
        ),
        (
            "listed_with_a_thing",
            "Chips were developed by Affymetrix and Agilent Technologies.",
            "Affymetrix",
        ),
    ],
)
def test_a_name_in_a_things_position_is_no_person(rule: str, text: str, name: str) -> None:
    assert name not in people(text)
    assert rule in fired(name, text)


def test_weak_cues_win_when_they_outnumber_contrary_mentions() -> None:
    text = "That Stalin appropriated it is agreed. It was vilified by Stalin. Stalin's policy won."
    assert "Stalin" in people(text)


def test_a_place_is_no_person() -> None:
    assert people("He moved to New Caledonia.") == {}
    assert people("Allen Morris was born in Dallas, Texas, the son of a salesman.").keys() == {
        "Allen Morris"
    }


# -- The name's own words ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "text", "name"),
    [
        ("has_non_person_word", "The Shire Hall was built by the council.", "Shire Hall"),
        ("has_acronym", "Members of the NCL were critical.", "NCL"),
        ("names_a_group", "The Bolshevik leaders met. The Bolsheviks seized power.", "Bolsheviks"),
        ("has_a_demonym", "British prisons held Britain's national treasures.", "Britain"),
        ("adjective_first", "It was headed by Nazi Germany. Nazism spread.", "Nazi Germany"),
        ("abstract_noun", "Computation has been used to design proteins.", "Computation"),
        (
            "only_common_words",
            "It was cut in sound editing. It won for Sound Editing.",
            "Sound Editing",
        ),
        ("starts_like_no_name", "The show was mounted by Las Colinas.", "Las Colinas"),
        (
            "title_of_a_place",
            "It was the depot of the Duke of Cornwall's Light Infantry.",
            "Duke of Cornwall",
        ),
        ("names_an_event", "Tropical Storm Allison flooded Houston.", "Tropical Storm Allison"),
        ("no_name_word", "A note was signed by J. at the end.", "J."),
    ],
)
def test_a_name_whose_words_say_otherwise_is_no_person(rule: str, text: str, name: str) -> None:
    assert name not in people(text)
    assert rule in fired(name, text)


# -- Lists, surnames and the forms of one name ---------------------------------------------------


def test_listed_with_a_person() -> None:
    found = people("The mutualists Courbet, Longuet, and Vermorel took part.")
    assert {"Courbet", "Longuet", "Vermorel"} <= found.keys()


def test_two_names_and_a_comma_are_an_apposition_not_a_list() -> None:
    assert "Texas" not in people("Rosa Luxemburg was born in Dallas, Texas, in 1871.")


def test_list_of_full_names() -> None:
    found = people("Among the students were Brett Cullen, Tim Arrington and Robin Mosley.")
    assert {"Brett Cullen", "Tim Arrington", "Robin Mosley"} <= found.keys()


def test_full_name_of_a_person_and_the_list_around_it() -> None:
    text = (
        "The Kennedy assassination fascinated him. Then came Vietnam, Martin Luther King, "
        "Bobby Kennedy, and one small step for man."
    )
    found = people(text)
    assert "Bobby Kennedy" in found and "Martin Luther King" in found


def test_hyphenated_pair_before_an_event_word() -> None:
    text = "He watched the Kennedy-Nixon debates. Later came the Kennedy assassination."
    assert "Nixon" in people(text)
    assert "Prussian" not in people("France was defeated in the Franco-Prussian War.")


def test_a_single_name_keeps_its_origin_a_full_name_does_not() -> None:
    assert "Zeno of Citium" in people("Zeno of Citium, the founder of Stoicism, taught.")
    found = people("A bowl was donated by Prince Chula Chakrabongse of Thailand who lived there.")
    assert "Prince Chula Chakrabongse" in found and "Thailand" not in found
    assert "Chula Chakrabongse" in found["Prince Chula Chakrabongse"]


def test_a_name_after_of_inside_a_longer_one_is_judged_on_its_own() -> None:
    found = people(
        "We read the Individualist Anarchism of Josiah Warren and Stephen Pearl Andrews."
    )
    assert "Individualist Anarchism" not in found
    text = "Josiah Warren is widely regarded as the first American anarchist. " + (
        "We read the Individualist Anarchism of Josiah Warren and Stephen Pearl Andrews."
    )
    assert "Stephen Pearl Andrews" in people(text)
    assert "Clinical Cancer Research" not in people(
        "Dr. Emil Frei, Father of Clinical Cancer Research"
    )


def test_a_quoted_nickname_is_part_of_the_name() -> None:
    text = 'It prospered under Joseph "Holy Joe" Atkinson, editor from 1899. Atkinson had a plan.'
    found = people(text)
    assert 'Joseph "Holy Joe" Atkinson' in found
    assert "Atkinson" in found['Joseph "Holy Joe" Atkinson'] and "Joseph" not in found


def test_a_place_glued_to_a_name_after_a_preposition() -> None:
    text = "Anarchism spread in Spain. In Spain Ramón de la Sagra established a journal."
    assert "Ramón de la Sagra" in people(text)


def test_initials_and_abbreviations_end_no_sentence() -> None:
    found = people("Leon Trotsky and his American supporter James P. Cannon described it.")
    assert "James P. Cannon" in found
    found = people("The poet Edna St. Vincent Millay was prominent. It is listed Grade I. There")
    assert "Edna St. Vincent Millay" in found and not any("Grade" in name for name in found)


def test_people_sharing_a_first_name_are_each_found_where_named() -> None:
    texts = [
        "The historian John Smith wrote it.",
        "The historian John Brown wrote it.",
        "Later John Smith met John Brown.",
        "No one else is named here.",
    ]
    where = {f.name: f.passages for f in extract_entities(texts).figures}
    assert where == {"John Smith": (0, 2), "John Brown": (1, 2)}


def test_an_event_is_found_wherever_it_is_named() -> None:
    texts = [
        "It followed the Kronstadt rebellion.",
        "The Kronstadt sailors rose.",
        "Historians still write on the kronstadt rebellion.",
    ]
    (event,) = [e for e in extract_entities(texts).events if not e.context]
    assert (event.name, event.passages) == ("Kronstadt rebellion", (0, 2))


def test_one_persons_names_are_joined() -> None:
    text = (
        "Allen Robert Morris is an American television producer. Allen Morris was born in Dallas. "
        "Morris graduated in 1972. His niece, the singer Hannah Morris, sang."
    )
    found = people(text)
    assert {"Allen Morris", "Morris"} <= set(found["Allen Robert Morris"])
    assert "Allen Morris" not in found and "Morris" not in found
    assert "Hannah Morris" in found
    kings = people("The carnival was attended by King Charles II.")
    assert "Charles II" in kings["King Charles II"]
    saints = people(
        "It was instituted by St. Guron. The well of St Guron remains. Guron is said to"
    )
    assert set(saints) == {"St. Guron"} and {"St Guron", "Guron"} <= set(saints["St. Guron"])
    # A surname written alone where a person's name goes is an alias even with no cue of its own.
    theorists = people("It was espoused by Max Shachtman. Shachtman and his cothinkers argued.")
    assert "Shachtman" in theorists["Max Shachtman"] and "Shachtman" not in theorists


# -- Events --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "event"),
    [
        # head_final_events
        ("The Prayer Book Rebellion followed in 1549.", "Prayer Book Rebellion"),
        ("It was abandoned after World War I (1914–1918).", "World War I"),
        ("The team covered Super Bowl XXXVIII from Houston.", "Super Bowl XXXVIII"),
        (
            "In 1907, the International Anarchist Congress of Amsterdam met.",
            "International Anarchist Congress of Amsterdam",
        ),
        (
            "In the German Revolution of 1918–1919 councils formed.",
            "German Revolution of 1918–1919",
        ),
        ("The Cornish Rebellion of 1497 came first.", "Cornish Rebellion of 1497"),
        ("The Good Friday Agreement was signed.", "Good Friday Agreement"),
        (
            "He directed the 100th Anniversary Celebration of the Boy Scouts in America, a show.",
            "100th Anniversary Celebration of the Boy Scouts in America",
        ),
        # head_first_events
        ("They reenact the Battle of San Jacinto each year.", "Battle of San Jacinto"),
        ("The Siege of Lyon lasted two months.", "Siege of Lyon"),
        # named_storms_and_operations
        ("Tropical Storm Allison flooded Houston.", "Tropical Storm Allison"),
        ("Hurricane Katrina struck New Orleans.", "Hurricane Katrina"),
        # name_and_event_noun
        ("The conflict culminated in the Kronstadt rebellion.", "Kronstadt rebellion"),
        ("He saw the Watts race riots on television.", "Watts race riots"),
        ("At six he watched the Kennedy-Nixon debates.", "Kennedy-Nixon debates"),
        ("They fought at the WTO conference in Seattle in 1999.", "WTO conference in Seattle"),
        ("Within hours of the Reichstag fire in Berlin he fled.", "Reichstag fire"),
        (
            "They met both sides of the Israeli-Palestinian conflict.",
            "Israeli-Palestinian conflict",
        ),
        # year_and_event_noun
        ("During the 2003 blackout, the paper was printed elsewhere.", "2003 blackout"),
        ("During the 2010 mayoral election, it endorsed him.", "2010 mayoral election"),
        (
            "The leagues came close to insurrection in the February 1934 riots.",
            "February 1934 riots",
        ),
        ("Bodmin had 14,736 people as of the 2011 Census.", "2011 Census"),
        ("It came to power pursuant to 1970 elections.", "1970 elections"),
        ("French anarchists were active in the 1848 Revolution.", "1848 Revolution"),
        (
            "It covered the 2008 Beijing Olympic Games protests.",
            "2008 Beijing Olympic Games protests",
        ),
        # coordinated_years
        ("It endorsed them in the 2006 and the 2008 federal elections.", "2006 federal election"),
        ("It endorsed them in the 2006 and the 2008 federal elections.", "2008 federal election"),
        # event_noun_of_date
        ("Harsh reaction followed the revolutions of 1848.", "revolutions of 1848"),
        ("The revolutionary wave of 1917–23 saw councils.", "revolutionary wave of 1917–23"),
        ("During the Spanish revolution of 1873, he ruled.", "Spanish revolution of 1873"),
        # capitalised_term_of_date
        (
            "The counterculture grew. It shaped the Counterculture of the 1960s.",
            "Counterculture of the 1960s",
        ),
        # capitalised_happening
        ("After Independence, the first assembly met.", "Independence"),
        ("On October 7, 1958, Martial Law was promulgated.", "Martial Law"),
        ("He survived the Holocaust by adopting identities.", "Holocaust"),
        # calendar_occasion
        ("It publishes sections for Chinese New Year and Gay Pride Week.", "Chinese New Year"),
        ("It publishes sections for Chinese New Year and Gay Pride Week.", "Gay Pride Week"),
        ("The celebration of International Workers' Day spread.", "International Workers' Day"),
        # defined_as_event
        ("Bodmin Riding, a horseback procession through the town, is old.", "Bodmin Riding"),
        # known_as_event
        ("In the Italian events known as the biennio rosso the unions rose.", "biennio rosso"),
        # yearly_award
        ("He was awarded the 2008 Nobel Prize in Chemistry.", "2008 Nobel Prize in Chemistry"),
        # custom_of
        ("He revived the custom of Beating the bounds of the town.", "Beating the bounds"),
        # quoted_name_of_event
        ('It promoted the "ONE HOUSTON UNITED" telethon.', "ONE HOUSTON UNITED"),
    ],
)
def test_named_event_shapes(text: str, event: str) -> None:
    assert event in named_events(text)


@pytest.mark.parametrize(
    ("text", "not_an_event"),
    [
        ("Bodmin was the centre of three Cornish uprisings.", "Cornish uprisings"),
        (
            "Though Toronto mayoral elections are non-partisan, it endorsed him.",
            "Toronto mayoral elections",
        ),
        ("Anarchic thought is found during the Islamic civil war.", "Islamic civil war"),
        (
            "In the German uprising known as the German Revolution, councils formed.",
            "German uprising",
        ),
        ("It won the first series of Robot Wars.", "Robot Wars"),
        ('Her novel "The Last Battle" sold well.', "Last Battle"),
        ("He published the book The Great Revolt in 1990.", "Great Revolt"),
        ("They joined the Camp Fire and the YMCA.", "Camp Fire"),
        ("He was named Humanitarian of the Year.", "Humanitarian of the Year"),
        ("It was founded in the Houston Holocaust Museum.", "Houston Holocaust"),
        ("Its main proponents included Leo Tolstoy and Dorothy Day.", "Dorothy Day"),
        ("They took part in both February and October revolutions.", "October revolutions"),
    ],
)
def test_descriptions_works_and_names_are_not_events(text: str, not_an_event: str) -> None:
    assert not_an_event not in named_events(text)


def test_a_numbered_war_has_its_other_spellings() -> None:
    (war,) = [e for e in extract_entities(["During the First World War it held treasures."]).events]
    assert war.name == "First World War"
    assert {"World War I", "WWI", "WW1"} <= set(war.aliases)


def test_events_are_dated_by_a_date_right_after_them() -> None:
    events = {
        e.name: e for e in extract_entities(["It ended after World War I (1914–1918)."]).events
    }
    assert events["World War I"].start == (1914, 0) and events["World War I"].end == (1918, 0)
    # A year inside another event's name dates nothing else.
    text = "The Star endorsed them in the 2006 and the 2008 federal elections."
    coordinated = {e.name: e for e in extract_entities([text]).events}
    assert coordinated["2006 federal election"].start is None
    assert coordinated["2006 federal election"].passages == (0,)


def test_dated_mentions_are_still_events_with_their_sentence() -> None:
    texts = [
        "The Kronstadt rebellion (March 1921) was a key moment.",
        "The Great Purge occurred from 1936 to 1938.",
        "During the 1930s, the leadership turned to popular front policy.",
    ]
    events = {e.name: e for e in extract_entities(texts).events}
    assert (
        events["Kronstadt rebellion"].start == (1921, 3)
        and not events["Kronstadt rebellion"].context
    )
    assert events["March 1921"].context.startswith("The Kronstadt rebellion")
    assert events["1936–1938"].start == (1936, 0) and events["1936–1938"].end == (1938, 0)
    assert events["1930s"].covers(1937)


# -- Fast paths: what the plain code gives -------------------------------------------------------

# The sentence-break pattern as first written, which the regex tried at every character.
PLAIN_SENTENCE_BREAK = re.compile(r"[.!?]['\"”’)\]]*\s+(?=[\"“(]?[A-Z])|(?<=\.\.\.)")


# Pieces of text around stops: an ellipsis, other stops, closing quotes, spaces, capitals.
STOP_PIECES = ["...", *".!?\"“”’')]( \u00a0\nAb"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(STOP_PIECES), max_size=16).map("".join))
def test_sentence_breaks_are_the_plain_patterns(text: str) -> None:
    # (where the stop is, where the next sentence starts, whether an ellipsis ends it)
    plain = [(m.start(), m.end(), not m.group()) for m in PLAIN_SENTENCE_BREAK.finditer(text)]
    fast = [
        (m.end() if m["ellipsis"] is not None else m.start(), m.end(), m["ellipsis"] is not None)
        for m in _SENTENCE_BREAK.finditer(text)
    ]
    assert fast == plain


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="aAzZ9 .'’ʼ_-éÉßİ\u00a0", max_size=30))
def test_folded_tokens_are_those_of_the_folded_text(text: str) -> None:
    assert _folded_tokens(_TOKEN.findall(text), text) == _tokens(fold(text))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="aAzZ9 .'_-", max_size=30))
def test_folded_ascii_tokens_are_those_of_the_folded_text(text: str) -> None:
    assert _folded_tokens(_TOKEN.findall(text), text) == _tokens(fold(text))


# Pieces of passages around the event rules' triggers: words, a date after "of", an award.
TRIGGER_PIECES = ["war", "Battle", "anti", "of", "the", "1921", "Prize", '"', "“", "-", ". ", " "]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(TRIGGER_PIECES), max_size=20).map("".join))
def test_no_sentence_holding_a_trigger_is_passed_over(text: str) -> None:
    held = _triggers(text)
    for sentence in _sentences(text):
        if _triggers(sentence):
            assert _may_hold_a_trigger(sentence, held)


# -- Quality on the labelled articles ------------------------------------------------------------

# Floors a little under what the finder measured (people P/R, events P/R): a drop below one
# means a rule change lost names it used to find, or found wrong ones. The bundled article's
# people precision is capped by its sidecar, which adds "Adolf Hitler" where the labels say
# "Hitler".
FLOORS = {
    "allen-r-morris": (0.95, 0.80, 0.95, 0.95),
    "anarchism": (0.95, 0.93, 0.95, 0.95),
    "anti-stalinist-left": (0.85, 0.90, 0.95, 0.95),
    "bodmin": (0.90, 0.95, 0.95, 0.95),
    "chemical-biology": (0.95, 0.95, 0.95, 0.95),
    "senate-of-pakistan": (0.95, 0.95, 0.95, 0.95),
    "toronto-star": (0.95, 0.85, 0.95, 0.95),
}


@pytest.mark.parametrize("labels", sorted(EVAL.glob("*.entities.yaml")), ids=lambda p: p.stem)
def test_quality_on_labelled_articles(labels: Path) -> None:
    eval_set = load_eval(labels.with_name(labels.name.replace("entities", "eval")))
    assert eval_set.document is not None
    kb = KnowledgeBase.from_paths([eval_set.document])
    people_score, events_score = entity_scores(kb, load_labels(labels))
    name = labels.name.removesuffix(".entities.yaml")
    floors = FLOORS[name]
    measured = (
        people_score.precision,
        people_score.recall,
        events_score.precision,
        events_score.recall,
    )
    assert all(m >= f for m, f in zip(measured, floors, strict=True)), (
        name,
        measured,
        people_score.wrong,
        people_score.missed,
        events_score.wrong,
        events_score.missed,
    )
