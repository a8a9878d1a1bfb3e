"""What keeps look-alike demands apart: figures, addressee and stance.

"Der Bund muss die Förderprogramme bis 2030 vereinfachen" and "Das Land muss die
Förderprogramme bis 2035 vereinfachen" share nearly every word and are still two demands, as
are "Wir fordern einen Transformationsfonds" and "Einen Transformationsfonds lehnen wir ab".
This module is where the analysis decides what tells such texts apart:

- deduplication (`positions.analysis.dedupe`) takes two points for copies only if they name
  the same public actors (`is_actor`) and numbers (`number`), equally many negations
  (`NEGATIONS`), and the same measures, places and groups of companies (`look_alike_marker`:
  `measure`, `place`, `scope`): copies say everything alike;
- merge dissent (`positions.analysis.merging`) asks whether a point `rejects` what the
  cluster demands;
- tracing and merge suggestions compare texts that reword, merge and abridge one another, so
  they look for `contradictions` only: what both say, but differently.

Contradictions. A text is read as `Claim`s, one per sentence, each from the sentence's main
clauses (`main_clauses`: "…, weil …", "…, solange …" and relative clauses are reasons and
details, not the demand; a clause ending in an infinitive with "zu" is the demand even when it
opens like a relative clause: "Der Verband fordert, die Zölle auszusetzen"). A claim of one
text (theirs) is set against the claim of the other (ours) sharing the most content stems with
it ("Zusatzzölle" shares "Zölle"), at least `MIN_SHARED` of the shorter one's (a paragraph may
take up one demand of a point that makes two); the two contradict when

1. *figures*: both name figures of one kind and none in common. A kind is a calendar year (a
   four-digit number from 1900 to 2099: "bis 2030") or a number with the word after it ("8 ct",
   "sechs Monate", "50 Prozent", "50 %"); digits and number words are the same ("acht Wochen",
   "8 Wochen"). "bis 2035" contradicts "bis 2030, 8 ct"; "statt 26 Monate höchstens sechs
   Monate" does not contradict "nicht länger als 6 Monate";
2. *addressee*: both address a level of government (`LEVELS`: Bund, Land, EU, Kommunen) and
   none in common ("Die Bundesregierung muss …" and "Der Bund muss …" are one level). An
   actor is addressed when it opens the clause or follows "die"/"das" ("der"/"den" for
   "Bund", "Staat" …) that follows no preposition: "Der Bund muss …", "… muss die EU …", "Bund
   und Länder müssen …"; not "für die Kommunen", "aus Nicht-EU-Ländern", "Maßnahmen der EU".
   Other actors ("Gesetzgeber", "Förderbanken") and places ("in NRW") never contradict; a
   level asked to act "in Brüssel" or "auf EU-Ebene" asks the EU as well;
3. *stance*: one says no to what the other demands (`negates`). A negation with a modal verb
   only forbids ("Die Daten dürfen nicht weitergegeben werden", "… muss Regelfall werden
   und nicht Ausnahme"): it says no to what the other text names only if that names what
   follows the negation ("darf nicht gesenkt werden" against "muss gesenkt werden");
   "nicht ohne" asks for a condition;
4. *measure*, *place*, *scope*: both name a measure of the alternatives for one thing
   (`CONTRASTING_MEASURES`: "senken" / "abschaffen" / "aussetzen", and apart from these
   "befristet" / "unbefristet"; doubling raises), a place ("an Autobahnen"
   / "in Gewerbegebieten", "im Sauerland" / "im Ruhrgebiet") or a group of companies ("KMU" /
   "Großunternehmen") of the closed lists of `look_alike_marker`, and none in common; "alle
   Unternehmen" is a group of its own against the sizes ("KMU"), not against a sector
   ("Handwerksbetriebe").

What one text says and the other leaves out is no contradiction: a paragraph may abridge, and
"Die Förderprogramme sind zu vereinfachen" rests on "Der Bund muss … bis 2030 vereinfachen".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from positions.analysis.clustering import GENERIC_STEMS, is_content_word
from positions.core.text import STOPWORDS, fold, is_demand, split_sentences, stem

MIN_SHARED = 0.34  # share of the shorter claim's content stems that two claims must share
MAX_SENTENCES = 100  # sentences of one text that are read as claims (a pasted report is cut)


def _folded(words: str) -> frozenset[str]:
    return frozenset(fold(word) for word in words.split())


# --- vocabulary ------------------------------------------------------------------------------

NEGATIONS = _folded("nicht nichts kein keine keinen keinem keiner keines nie niemals ohne weder")
_SMALL_NUMBERS = "null eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf"
_NUMBER_WORDS = {fold(word): str(value) for value, word in enumerate(_SMALL_NUMBERS.split())} | {
    fold("zwanzig"): "20",
    fold("dreißig"): "30",
    fold("fünfzig"): "50",
    "hundert": "100",
    "tausend": "1000",
    # "zur Hälfte erstattet" is 50 per cent: another share than "vollständig erstattet".
    fold("hälfte"): "50",
}

# Public actors who are asked to act: points naming different ones are different demands
# even when every other word is the same ("Der Bund muss …" / "Das Land muss …").
_ACTORS = _folded(
    """
    bund bundesregierung bundestag bundesrat bundesamt bundeskanzler bundeskanzleramt
    bundesministerium bundesnetzagentur bundeskartellamt bundesagentur land länder
    landesregierung landtag landesministerium landesamt eu kommission parlament europäische
    union staat regierung gesetzgeber verordnungsgeber ministerium kommunen kommune gemeinden
    städte landkreise netzagentur förderbank förderbanken kfw bafa bmwk bmwe bmbf bmas bmdv
    bmuv bmf nrw nordrhein westfalen bayern baden württemberg berlin brandenburg bremen hamburg
    hessen mecklenburg vorpommern niedersachsen rheinland pfalz saarland sachsen anhalt
    schleswig holstein thüringen
    """
)
_ACTOR_SUFFIXES = tuple(fold(word) for word in ("ministerium", "behörde", "behörden", "agentur"))


def number(word: str) -> str | None:
    """The number a folded word stands for: digits as they are ("2030"), "zwei" as "2"."""
    if word.isdigit():
        return word
    return _NUMBER_WORDS.get(word)


def is_actor(word: str) -> bool:
    """Whether a folded word names a public actor (a government, ministry, authority, place)."""
    return word in _ACTORS or word.endswith(_ACTOR_SUFFIXES)


# What a demand asks to be done, where, and for whom. Two points that agree in every other
# word but name another measure ("senken" / "abschaffen", "beantworten" / "umsetzen"), another
# place ("an Autobahnen" / "in Gewerbegebieten") or other beneficiaries ("KMU" / "alle
# Unternehmen") are two demands. Each list maps a folded word, by a pattern over its start or
# end, to a class; words of one class are one meaning ("senken", "gesenkt", "Senkung"), so
# copies that inflect differently still agree. Closed lists: a measure verb, place or group
# they do not know is not told apart by them (the score of the other words still is).
_MEASURES_BY_CLASS = {
    "senken": r"(?:ge)?senk(?:en|t|te|ten|ung)?|absenk\w*|reduzier\w*|verringer\w*"
    r"|sink(?:en|t)|gesunken",
    "erhoehen": r"(?:er|an)?hoeh(?:en|t|te|ten|ung)|erhoeh\w*|anheb\w*|angehoben"
    r"|steiger(?:n|t|ung)|steig(?:en|t)|gestiegen|anstieg\w*",
    "abschaffen": r"abschaff\w*|abgeschafft|abzuschaffen|streich\w*|gestrichen|aufheb\w*"
    r"|aufgehoben",
    "einfuehren": r"einfuehr\w*|eingefuehrt|einzufuehren",
    "aussetzen": r"aussetz\w*|ausgesetzt|auszusetzen|aussetzung|pausier\w*",
    "verschieben": r"verschieb\w*|verschoben|aufschieb\w*|aufgeschoben",
    "verlaengern": r"verlaenger\w*|fortsetz\w*|fortgesetzt|fortfuehr\w*|fortgefuehrt",
    "beenden": r"beend\w*|auslaufen|auslaufen\w*",
    "ausweiten": r"ausweit\w*|ausgeweitet|auszuweiten|erweiter\w*",
    "begrenzen": r"begrenz\w*|deckel\w*|gedeckelt|beschraenk\w*",
    "beantworten": r"beantwort\w*",
    "umsetzen": r"umsetz\w*|umgesetzt|umzusetzen|umsetzung|realisier\w*",
    "pruefen": r"pruef(?:en|t|ung)|geprueft|zu pruefen",
    "bewilligen": r"bewillig\w*|genehmig(?:en|t|te|ten)|genehmigt",
    "verdoppeln": r"verdoppel\w*|verdopplung",
    "halbieren": r"halbier\w*",
    "befristet": r"befriste\w*|vorruebergehend\w*|voruebergehend\w*|zeitweise|zeitweilig\w*",
    "unbefristet": r"unbefriste\w*|entfrist\w*",
    "verpflichtend": r"verpflichtend\w*|verbindlich\w*",
    "freiwillig": r"freiwillig\w*",
}
_PLACES_BY_CLASS = {
    "autobahn": r"\w*autobahn\w*",
    "gewerbegebiet": r"\w*gewerbegebiet\w*|\w*industriegebiet\w*|\w*gewerbeflaeche\w*",
    "wohngebiet": r"\w*wohngebiet\w*",
    "innenstadt": r"innenstaed\w*|innenstadt\w*|stadtzentr\w*|ortskern\w*",
    "flughafen": r"flughafen|flughaefen",
    "hafen": r"\w*hafen|\w*haefen",
    "bahnhof": r"\w*bahnhof|\w*bahnhoefe\w*",
    "laendlich": r"laendlich\w*",
    "staedtisch": r"staedtisch\w*|grossstaed\w*",
    "grenzregion": r"grenznah\w*|grenzregion\w*",
    "kueste": r"kueste\w*",
    # Regions of the association's members: another region is another demand.
    "region": r"sauerland\w*|siegerland\w*|muensterland\w*|ruhrgebiet\w*|suedwestfalen\w*"
    r"|ostwestfalen\w*|rheinland\w*|niederrhein\w*|bergische\w*|eifel|lausitz|oberpfalz",
}
_SCOPES_BY_CLASS = {
    # "kleine und mittlere Unternehmen", "kleinere Betriebe" spelled out are KMU as well.
    "kmu": r"kmu|mittelstaend\w*|mittelstand\w*|kleinunternehm\w*|kleine[nrs]?|kleinere[nrs]?"
    r"|mittlere[nrs]?|mittelgross\w*",
    "kleinbetrieb": r"kleinbetrieb\w*|kleinstunternehm\w*|kleinstbetrieb\w*|solo\w*",
    "grossbetrieb": r"grossunternehm\w*|grossbetrieb\w*|grossindustrie\w*|konzern\w*",
    "handwerk": r"handwerksbetrieb\w*",
    "startup": r"startup\w*|gruender\w*",
}


_EVERY = _folded("alle allen sämtliche sämtlichen jedes jeden jede")
_COMPANIES = re.compile(r"unternehm\w*|betrieb\w*|firm\w*|zulieferer\w*|mittelstaendler\w*")


def _alternatives(kind: str, patterns: dict[str, str]) -> str:
    return "|".join(f"(?P<{kind}_{name}>{pattern})" for name, pattern in patterns.items())


# One pattern for all classes, so that each word is matched once; the group says the class.
_MARKERS = re.compile(
    "|".join(
        _alternatives(kind, patterns)
        for kind, patterns in (
            ("measure", _MEASURES_BY_CLASS),
            ("place", _PLACES_BY_CLASS),
            ("scope", _SCOPES_BY_CLASS),
        )
    )
)


def _marked(word: str) -> tuple[str, str] | None:
    found = _MARKERS.fullmatch(word)
    if found is None or found.lastgroup is None:
        return None
    kind, _, name = found.lastgroup.partition("_")
    return kind, (word if name == "region" else name)


def measure(word: str) -> str | None:
    """The measure a folded word asks for ("gesenkt" → "senken", "Abschaffung" →
    "abschaffen", "befristet"), None if it names none we know."""
    found = _marked(word)
    return found[1] if found and found[0] == "measure" else None


def place(word: str) -> str | None:
    """The kind of place a folded word names ("Autobahnen" → "autobahn"; a region names
    itself: "Sauerland" → "sauerland"), None if none we know."""
    found = _marked(word)
    return found[1] if found and found[0] == "place" else None


def scope(word: str) -> str | None:
    """The group of companies a folded word names ("KMU", "mittelständische" → "kmu",
    "Großunternehmen" → "grossbetrieb"), None if none we know."""
    found = _marked(word)
    return found[1] if found and found[0] == "scope" else None


def look_alike_marker(word: str) -> str | None:
    """What a folded word tells apart from look-alikes beyond actors, numbers and negations:
    "measure senken", "place autobahn", "scope kmu"; None for other words."""
    found = _marked(word)
    return f"{found[0]} {found[1]}" if found else None


# Levels of government a demand is addressed to; the keys are how staff name them.
LEVELS: dict[str, frozenset[str]] = {
    "Bund": _folded(
        """
        bund bundesregierung bundestag bundesrat bundeskanzler bundeskanzleramt
        bundesministerium bundesministerien bundesamt bundesagentur bundesnetzagentur
        bundeskartellamt bmwk bmwe bmbf bmas bmdv bmuv bmf bafa kfw
        """
    ),
    "Land": _folded(
        """
        land länder ländern bundesländer landesregierung landesregierungen landtag
        landesministerium landesministerien landesamt
        """
    ),
    "EU": _folded("eu kommission"),
    "Kommunen": _folded("kommune kommunen gemeinde gemeinden städte landkreise"),
}
_LEVEL_OF = {word: level for level, words in LEVELS.items() for word in words}
_MASCULINE = _folded("bund staat bundestag bundesrat landtag bundeskanzler")
_PREPOSITIONS = _folded(
    """
    für von vom aus in im bei beim mit nach zu zur zum an am auf über unter gegenüber durch
    gegen ohne um zwischen seitens wegen trotz
    """
)
_AND = _folded("und sowie oder")

# --- stance ----------------------------------------------------------------------------------

# Clauses that explain rather than state ("…, weil Betriebe sonst nicht investieren"): a
# negation in them does not reject the demand.
_SUBORDINATING = _folded(
    "weil da damit um wenn dass sodass obwohl obgleich falls denn sonst zumal indem wobei "
    "sofern soweit bevor nachdem während ob wie als solange sobald seitdem wenngleich ehe"
)
_RELATIVE = _folded("der die das dem den deren dessen welche welcher welches welchem welchen")
_CLAUSE_BREAK = re.compile(r"[,;:–—()]|\s-\s")
# A clause ending in an infinitive with "zu" is the object of a demand, even when it opens
# with an article ("Der Cluster fordert, die Zölle vorübergehend auszusetzen"): a relative
# clause ends in a finite verb ("…, die Zölle aussetzen").
_ZU_INFINITIVE = re.compile(
    r"(?:\bzu\s+\w+|\b(?:ab|an|auf|aus|bei|ein|fest|frei|her|hin|hoch|mit|nach|vor|weg|weiter"
    r"|zurueck|zusammen|um|dar|durch|ueber|unter)zu\w+)\W*$"
)


def _pattern(alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + alternatives + r")\b")


# Words that reject whatever they stand with ("lehnen … ab", "halten … für falsch").
_EXPLICIT = _pattern(
    r"ablehn\w*|abzulehnen|lehn(?:e|en|t)\b(?:\s+\w+){0,10}?\s+ab|verzicht\w*|keinesfalls"
    r"|keineswegs|falsch|kontraproduktiv|ueberfluessig|unnoetig|verzichtbar|schaedlich|abwegig"
)
# Negations: a rejection in a demand ("Wir brauchen keinen Fonds"); "nicht nur" and "nicht
# erst" ("darf nicht erst nach zwei Jahren …") ask for more and sooner, "nicht ohne" ("nicht
# ohne Zustimmung") for a condition.
_NEGATING = _pattern(r"nicht(?!-|\s+(?:nur|erst|ohne)\b)|kein\w*|weder|niemals")
_REPLACING = _pattern(r"(?:an)?statt|stattdessen")
_AGAINST = re.compile(
    r"\b(?:sprechen|spricht|wenden|wendet|stellen|stellt|positionieren|richten|stimmen|stimmt"
    r"|votieren)\b(?:\s+\w+){0,3}?\s+gegen\b"
    r"|\bgegen\b(?:\s+\w+){1,6}?\s+(?:sprechen|wenden|stellen|stimmen|positionieren)\b"
    r"|\b(?:sind|ist|bin)\s+(?:\w+\s+)?gegen\b"
)
# Words that a negation turns into a demand ("darf nicht gekürzt werden", "keine neuen
# Berichtspflichten", "nicht länger als sechs Monate"): a double negative is no rejection.
_REVERSING = re.compile(
    r"kuerz|streich|abschaff|auslauf|verzoeger|einschraenk|gefaehrd|belast|verschaerf"
    r"|verschlecht|steig|scheiter|verlier|verloren|verlust|benachteilig|behinder|brems"
    r"|buerokrat|pflicht|zusaetzlich|abwander|verlager|teurer|hoeher|laenger|weiter\s+wachs"
)


def _main_clause_texts(sentence: str) -> list[str]:
    """The clauses of a sentence, as written, that are not subordinate or relative clauses."""
    clauses = []
    for position, clause in enumerate(_CLAUSE_BREAK.split(sentence)):
        words = clause.split()
        if not words:
            continue
        first = fold(words[0])
        relative = position and first in _RELATIVE and not _ZU_INFINITIVE.search(fold(clause))
        if first in _SUBORDINATING or relative:
            continue
        clauses.append(" ".join(words))
    return clauses


def main_clauses(sentence: str) -> list[str]:
    """The clauses of a sentence that are not subordinate or relative clauses, folded
    ("Wir fordern X, damit Y" → ["wir fordern x"])."""
    return [fold(clause) for clause in _main_clause_texts(sentence)]


def rejects(sentence: str) -> bool:
    """Whether a sentence rejects what it names: "lehnen … ab", "ablehnen", "nicht", "kein",
    "verzichten", "statt", "sprechen uns gegen … aus", "halten … für falsch" in a main
    clause, unless the negation makes a demand ("darf nicht gekürzt werden", "keine neuen
    Berichtspflichten")."""
    for clause in main_clauses(sentence):
        found = (
            _EXPLICIT.search(clause)
            or _NEGATING.search(clause)
            or _REPLACING.search(clause)
            or _AGAINST.search(clause)
        )
        if found and not _REVERSING.search(clause):
            return True
    return False


def negates(sentence: str) -> bool:
    """Whether a sentence says no to what it demands: `rejects`, but a negation counts only in
    a clause that takes a stance ("… muss …", "Wir brauchen keinen …"), so a finding ("viele
    Betriebe haben keine Glasfaser") is none; and "statt" is left out, since "binnen Monaten
    statt Jahren" demands what it names first."""
    return any(_negates(clause) for clause in main_clauses(sentence))


def _negates(clause: str) -> bool:
    """`negates` for one folded main clause."""
    explicit = _EXPLICIT.search(clause) or _AGAINST.search(clause)
    negated = explicit or (_NEGATING.search(clause) and is_demand(clause))
    return bool(negated) and not _REVERSING.search(clause)


# A negation with a modal verb forbids or asks for an absence ("Die Daten dürfen nicht ohne
# Zustimmung weitergegeben werden", "Der Austausch sollte keine Genehmigung auslösen", "…
# muss Regelfall werden und nicht Ausnahme"): it says no only to what it names after the
# negation. Needing or wanting nothing ("Wir brauchen keinen Fonds") says no outright.
_PROHIBITS = re.compile(
    r"\b(?:darf|duerfen|duerfte|duerften|muss|muessen|soll|sollen|sollte|sollten)\b"
    r"(?!.*\b(?:brauch\w*|benoetig\w*|notwendig|erforderlich|noetig|forder\w*|will|wollen)\b)"
)


def _forbidden(clause: str, words: Sequence[str]) -> frozenset[str] | None:
    """For a folded clause that only forbids (`_PROHIBITS`), the content stems after its
    negation: what it says no to; None for a clause that says no outright or not at all."""
    if _EXPLICIT.search(clause) or _AGAINST.search(clause) or not _PROHIBITS.search(clause):
        return None
    for position, word in enumerate(words):
        if _NEGATING.fullmatch(word):
            return frozenset(_content_stems(words[position + 1 :]))
    return None


# --- claims ----------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+(?:[.,]\d+)*|[%€]")
_DIGITS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?")
_UNIT_NAMES = {"%": "prozent", "€": "euro", "eur": "euro", "cent": "ct"}
# After these a four-digit number is an amount, not a year ("2000 Euro").
_MEASURES = frozenset(
    stem(word)
    for word in _folded("prozent euro ct mio mrd millionen milliarden tonnen kwh mwh gwh stunden")
)
_YEAR = "#year"  # the kind of calendar years, never a stem


@dataclass(frozen=True)
class Figure:
    """A number a text names: its `kind` (`_YEAR` or the stem of its unit, "" for none), its
    `value` ("8", "2.5") and how the text writes it ("8 ct", "sechs Monate")."""

    kind: str
    value: str
    shown: str


@dataclass(frozen=True)
class Marker:
    """A measure, place or group of companies a text names (`look_alike_marker`): its
    `kind` ("measure", "place", "scope"), its class (`name`, "senken") and the word as
    written (`shown`, "gesenkt")."""

    kind: str
    name: str
    shown: str


@dataclass(frozen=True)
class Claim:
    """What one sentence says that look-alike sentences may say differently. `negates` is
    None for several counterparts that disagree."""

    stems: frozenset[str]
    figures: frozenset[Figure]
    addressees: frozenset[str]
    negates: bool | None
    markers: frozenset[Marker] = frozenset()
    # When the claim negates only by forbidding ("darf nicht gesenkt werden"): the stems it
    # forbids. A claim that does not name them is not said no to.
    forbids: frozenset[str] | None = None


FIGURE: Literal["figure"] = "figure"
ADDRESSEE: Literal["addressee"] = "addressee"
STANCE: Literal["stance"] = "stance"
ContradictionKind = Literal["figure", "addressee", "stance", "measure", "place", "scope"]
# Kinds of `Marker`, each a kind of contradiction of its own.
MARKED: tuple[ContradictionKind, ...] = ("measure", "place", "scope")
REJECTS = "rejects"  # the stance values of a STANCE contradiction
DEMANDS = "demands"


@dataclass(frozen=True)
class Contradiction:
    """What they say instead of what we say: figures as written ("2035" / "2030"), levels
    ("Land" / "Bund"), or the stance (`REJECTS` / `DEMANDS`)."""

    kind: ContradictionKind
    theirs: tuple[str, ...]
    ours: tuple[str, ...]

    def describe(self, ours: str = "der Text") -> str:
        """What they say differently, for staff: "nennt 2035 statt 2030", "richtet sich an
        das Land statt an den Bund", "lehnt ab, was der Absatz fordert" (`ours` names our
        text)."""
        if self.kind == FIGURE or self.kind in MARKED:
            return f"nennt {_listed(self.theirs)} statt {_listed(self.ours)}"
        if self.kind == ADDRESSEE:
            return f"richtet sich an {_addressed(self.theirs)} statt an {_addressed(self.ours)}"
        if self.theirs == (REJECTS,):
            return f"lehnt ab, was {ours} fordert"
        return f"fordert, was {ours} ablehnt"


# The levels as the object of "sich richten an".
_ADDRESSED = {"Bund": "den Bund", "Land": "das Land", "EU": "die EU", "Kommunen": "die Kommunen"}


def _addressed(levels: Sequence[str]) -> str:
    return _listed([_ADDRESSED.get(level, level) for level in levels])


def _listed(items: Sequence[str]) -> str:
    """The items as German lists them: "a", "a und b", "a, b und c"."""
    return " und ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


def _value(token: str, word: str) -> str | None:
    """The number a token (folded: `word`) writes, canonical ("1.000" → "1000", "2,5" →
    "2.5", "acht" → "8")."""
    if token[0].isdigit() and _DIGITS.fullmatch(token):
        whole, _, fraction = token.replace(".", "").partition(",")
        return f"{int(whole)}.{fraction}" if fraction else str(int(whole))
    return _NUMBER_WORDS.get(word)


def _unit(word: str) -> str:
    """The kind of figure a folded word after a number makes: its stem, "" if it is none."""
    if word in _UNIT_NAMES:
        return _UNIT_NAMES[word]
    if not word.isalpha() or word in STOPWORDS or word in _NUMBER_WORDS:
        return ""
    return stem(word)


def _is_year(token: str) -> bool:
    return token.isdigit() and len(token) == 4 and 1900 <= int(token) <= 2099


def _figures(tokens: Sequence[str], words: Sequence[str]) -> Iterator[Figure]:
    """The figures of a clause's tokens as written, and folded (`words`)."""
    for position, (token, word) in enumerate(zip(tokens, words, strict=True)):
        value = _value(token, word)
        if value is None:
            continue
        following = tokens[position + 1] if position + 1 < len(tokens) else ""
        unit = _unit(words[position + 1]) if following else ""
        if _is_year(token) and unit not in _MEASURES:
            yield Figure(_YEAR, value, token)
        else:
            yield Figure(unit, value, f"{token} {following}" if unit else token)


def _addressees(words: Sequence[str]) -> Iterator[str]:
    """The levels a clause of folded words addresses (see the module docstring)."""
    addressed = [False] * len(words)
    for position, word in enumerate(words):
        level = _LEVEL_OF.get(word)
        if level is None:
            continue
        before = words[position - 1] if position else ""
        if not before:
            addressed[position] = True
        elif before in _LEVEL_OF or before in _AND:  # "EU-Kommission", "Bund und Länder"
            addressed[position] = position >= 2 and addressed[position - 1 - (before in _AND)]
        elif before in ("die", "das") or (before in ("der", "den") and word in _MASCULINE):
            addressed[position] = position < 2 or words[position - 2] not in _PREPOSITIONS
        if addressed[position]:
            yield level
    # "Der Bund soll in Brüssel (auf EU-Ebene) darauf drängen, dass …": what it asks for is
    # the EU's to do.
    if _EU_STAGE.search(" ".join(words)):
        yield "EU"


_EU_STAGE = re.compile(
    r"\b(?:in|nach) bruessel\b|\bauf (?:eu|europaeischer|unions) ?ebene\b|\bunionsebene\b"
)


def _names_joined(words: Sequence[str]) -> list[str]:
    """Folded words with "Europäische Union" as "eu" and "Europäische Kommission" as
    "kommission", so that the article before them is found."""
    joined: list[str] = []
    for word in words:
        if (
            joined
            and joined[-1] in ("europaeische", "europaeischen")
            and word in ("union", "kommission")
        ):
            joined[-1] = "eu" if word == "union" else word
        else:
            joined.append(word)
    return joined


# Words of a stance, not of what it is about: "lehnen wir ab" takes up "Wir fordern".
_STANCE_WORDS = _folded(
    "ab lehne lehnen lehnt ablehnen ablehnung abzulehnen verzichten verzicht halten falsch"
)


def _content_stems(words: Sequence[str]) -> Iterator[str]:
    for word in words:
        if word in _STANCE_WORDS or word in _NUMBER_WORDS or word in _LEVEL_OF or is_actor(word):
            continue
        if is_content_word(word):
            found = stem(word)
            if found not in GENERIC_STEMS:
                yield found


def claim(sentence: str) -> Claim:
    """What a sentence says, read from its main clauses (all of it if it has none)."""
    stems: set[str] = set()
    figures: set[Figure] = set()
    addressees: set[str] = set()
    markers: set[Marker] = set()
    negating = False
    forbids: set[str] | None = set()
    main = _main_clause_texts(sentence)
    for clause in main or [sentence]:
        folded = fold(clause)
        tokens = _TOKEN.findall(clause)
        words = _TOKEN.findall(folded)
        if len(words) != len(tokens):  # folding joined or split a word (rare letters)
            words = [fold(token) for token in tokens]
        stems.update(_content_stems(words))
        figures.update(_figures(tokens, words))
        addressees.update(_addressees(_names_joined(words)))
        markers.update(_markers(tokens, words))
        if main and _negates(folded):
            negating = True
            forbidden = _forbidden(folded, words)
            forbids = None if forbidden is None or forbids is None else forbids | forbidden
    return Claim(
        frozenset(stems),
        frozenset(figures),
        frozenset(addressees),
        negating,
        frozenset(markers),
        frozenset(forbids) if negating and forbids is not None else None,
    )


def _markers(tokens: Sequence[str], words: Sequence[str]) -> Iterator[Marker]:
    for position, (token, word) in enumerate(zip(tokens, words, strict=True)):
        found = _marked(word)
        if found is not None:
            yield Marker(found[0], found[1], token)
        elif word in _EVERY and _COMPANIES.fullmatch(" ".join(words[position + 1 : position + 2])):
            # "für alle Unternehmen": a group of companies too, other than "für KMU".
            yield Marker("scope", ALL_COMPANIES, f"{token} {tokens[position + 1]}")


def _sentences(text: str) -> list[str]:
    return (split_sentences(text) or [text])[:MAX_SENTENCES] if text.strip() else []


def claims(text: str) -> tuple[Claim, ...]:
    """The claim of every sentence of a text."""
    return tuple(claim(sentence) for sentence in _sentences(text))


def demand_claims(text: str) -> tuple[Claim, ...]:
    """The claims of a text's sentences that take a stance (a demand or a rejection), or of
    all its sentences if none does: what a member asks for, not the reasons it gives."""
    return stance_claims(_sentences(text))


def stance_claims(sentences: Sequence[str]) -> tuple[Claim, ...]:
    """`demand_claims` of a text already split into sentences."""
    sentences = sentences[:MAX_SENTENCES]
    stating = [sentence for sentence in sentences if is_demand(sentence) or negates(sentence)]
    return tuple(claim(sentence) for sentence in stating or sentences)


def contradictions(theirs: Sequence[Claim], ours: Sequence[Claim]) -> tuple[Contradiction, ...]:
    """Where their claims say differently what ours say (see the module docstring), each
    difference once, in the order of their claims."""
    found: dict[Contradiction, None] = {}
    for their_claim in theirs:
        counterpart = _counterpart(their_claim, ours)
        if counterpart is not None:
            found.update(dict.fromkeys(_differences(their_claim, counterpart)))
    return tuple(found)


def _counterpart(their_claim: Claim, ours: Sequence[Claim]) -> Claim | None:
    """Our claims sharing the most content stems with theirs (at least `MIN_SHARED` of the
    shorter one's), as one claim; None if no claim of ours takes theirs up."""
    best: list[Claim] = []
    most = 0
    for our_claim in ours:
        shared = _shared(their_claim.stems, our_claim.stems)
        shorter = min(len(their_claim.stems), len(our_claim.stems))
        if not shared or shared < MIN_SHARED * shorter or shared < most:
            continue
        if shared > most:
            best, most = [], shared
        best.append(our_claim)
    if not best:
        return None
    stances = {our_claim.negates for our_claim in best}
    forbidding = [c.forbids for c in best if c.negates]
    return Claim(
        stems=frozenset().union(*(c.stems for c in best)),
        figures=frozenset().union(*(c.figures for c in best)),
        addressees=frozenset().union(*(c.addressees for c in best)),
        negates=stances.pop() if len(stances) == 1 else None,
        markers=frozenset().union(*(c.markers for c in best)),
        forbids=None
        if not forbidding or None in forbidding
        else frozenset().union(*(f for f in forbidding if f is not None)),
    )


MIN_HEAD = 4  # letters of a stem that a compound may end in and still share it


def _shared(theirs: frozenset[str], ours: frozenset[str]) -> int:
    """The stems of theirs that ours has, or a compound of, or a part of: "schutzzoll" takes
    up "zoll", and "zoll" takes up "schutzzoll"."""
    exact = theirs & ours
    others = ours - exact
    return len(exact) + sum(
        1
        for their_stem in theirs - exact
        if any(_same_head(their_stem, our_stem) for our_stem in others)
    )


def _same_head(first: str, second: str) -> bool:
    shorter, longer = sorted((first, second), key=len)
    return len(shorter) >= MIN_HEAD and longer.endswith(shorter)


def _differences(theirs: Claim, ours: Claim) -> Iterator[Contradiction]:
    for kind in sorted({f.kind for f in theirs.figures} & {f.kind for f in ours.figures}):
        their_figures = [f for f in theirs.figures if f.kind == kind]
        our_figures = [f for f in ours.figures if f.kind == kind]
        if not {f.value for f in their_figures} & {f.value for f in our_figures}:
            yield Contradiction(FIGURE, _shown(their_figures), _shown(our_figures))
    if theirs.addressees and ours.addressees and not theirs.addressees & ours.addressees:
        yield Contradiction(
            ADDRESSEE, tuple(sorted(theirs.addressees)), tuple(sorted(ours.addressees))
        )
    if None not in (theirs.negates, ours.negates) and theirs.negates != ours.negates:
        saying_no, other = (theirs, ours) if theirs.negates else (ours, theirs)
        if saying_no.forbids is None or _shared(saying_no.forbids, other.stems):
            yield Contradiction(STANCE, (_stance(theirs.negates),), (_stance(ours.negates),))
    for kind in MARKED:
        their_markers = [m for m in theirs.markers if _contrasts(m, kind)]
        our_markers = [m for m in ours.markers if _contrasts(m, kind)]
        if any(m.name == ALL_COMPANIES for m in [*their_markers, *our_markers]):
            # "alle Betriebe" is the other size of "KMU", not another sector than "Handwerk".
            their_markers = [m for m in their_markers if m.name in _SIZES]
            our_markers = [m for m in our_markers if m.name in _SIZES]
        if _contrasting(their_markers, our_markers):
            yield Contradiction(kind, _written(their_markers), _written(our_markers))


# Measures that are alternatives for one thing ("senken" / "abschaffen" / "aussetzen"): a
# rewording keeps them. Ways of acting on it ("genehmigen", "prüfen", "umsetzen", "begrenzen")
# may be reworded ("darf nicht länger als sechs Monate dauern" for "auf sechs Monate
# begrenzen") and never contradict.
# Alternatives are compared within their group only: what is done to a thing, and for how
# long ("dauerhaft eingeführt" does not contradict "nicht nur befristet"). Doubling raises and
# halving lowers: "verdoppeln" rewords "anheben" (the figures tell amounts apart).
CONTRASTING_MEASURES = {
    **dict.fromkeys(
        (
            *("senken", "erhoehen", "abschaffen", "einfuehren", "aussetzen", "verschieben"),
            *("verlaengern", "beenden", "verdoppeln", "halbieren"),
        ),
        "action",
    ),
    **dict.fromkeys(("befristet", "unbefristet"), "duration"),
}
_SAME_AS = {"verdoppeln": "erhoehen", "halbieren": "senken"}


ALL_COMPANIES = "alle"  # the scope of "für alle Unternehmen"
_SIZES = frozenset({ALL_COMPANIES, "kmu", "kleinbetrieb", "grossbetrieb"})


def _contrasts(marker: Marker, kind: str) -> bool:
    return marker.kind == kind and (kind != "measure" or marker.name in CONTRASTING_MEASURES)


def _contrasting(theirs: Sequence[Marker], ours: Sequence[Marker]) -> bool:
    """Whether both texts name markers of one group (of measures: `CONTRASTING_MEASURES`;
    else their kind) and none in common."""
    for group in {_group(m) for m in theirs} & {_group(m) for m in ours}:
        their_names = {_SAME_AS.get(m.name, m.name) for m in theirs if _group(m) == group}
        our_names = {_SAME_AS.get(m.name, m.name) for m in ours if _group(m) == group}
        if not their_names & our_names:
            return True
    return False


def _group(marker: Marker) -> str:
    return CONTRASTING_MEASURES.get(marker.name, marker.kind)


def _written(markers: Sequence[Marker]) -> tuple[str, ...]:
    return tuple(sorted({f"„{m.shown}“" for m in markers}))


def _shown(figures: Sequence[Figure]) -> tuple[str, ...]:
    return tuple(sorted({f.shown for f in figures}, key=lambda shown: (len(shown), shown)))


def _stance(negating: bool | None) -> str:
    return REJECTS if negating else DEMANDS
