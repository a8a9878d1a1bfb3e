"""How a passage of a published outcome stands towards what it talks about: does it commit to
a measure, turn a proposal down, only report that others ask for it, or only describe?

`positions.followup.impact` finds the passages that talk about a demand (by meaning and by
words); this module reads their stance with patterns of German administrative prose, on
folded text (lower case, umlauts spelled out):

- `refuses`: a strong refusal that needs no comparison with the demand: "sieht keinen
  Anlass", "wird nicht weiterverfolgt", "lehnt … ab", "hält … nicht für zielführend /
  erforderlich / vertretbar / für den richtigen Weg", "hält … für entbehrlich", "folgt …
  nicht", "kein Spielraum", "keinen Bedarf", "sieht daher davon ab", "wird von … absehen",
  "erteilt … eine Absage", "… stehen … entgegen", "ist … nicht vereinbar / umsetzbar /
  finanzierbar", "wird sich für … nicht einsetzen"; not when a private party refuses
  ("einige Versicherer … lehnen die Deckung ab" describes the market).
  Weaker negations ("ist nicht vorgesehen", "wird nicht eingeführt") can also be part of
  an adoption ("Eine Antragspflicht ist nicht vorgesehen" adopts "ohne Antrag"), so the
  caller compares them clause by clause with the demand instead.
- `reports`: the passage reports someone else's demand ("Mehrere Verbände fordern …",
  "Vorgeschlagen wurde …", "Die Forderung, … wird …", "Nach dem Vorschlag der Verbände
  sollten …"; not "nach Auffassung der Bundesregierung") and does not take it up, neither in
  so many words ("greift … auf", "folgt diesem Vorschlag") nor by a later sentence that
  commits to a measure itself ("… ab 2027 erhalten Betriebe …"). A report alone is a
  mention, no adoption; a report followed by a refusal is a refusal.
- `commits`: the passage announces, decides or agrees to something (future
  "wird/werden/soll", "beabsichtigt", "strebt an", "ist vorgesehen", "künftig",
  "Einvernehmen", "teilt die Auffassung", "hat entschieden", "hat … abgestimmt", dates from
  which or by which something applies, not a span of years: "2025 bis 2027"); a passage that
  only describes ("wurde 2024 angehoben", "gilt
  weiterhin", "hat sich bewährt") or only promises to look at something ("wird prüfen, ob",
  "beobachten", "auswerten") commits to nothing. The old value a measure changes ("von
  bislang 40 auf 60 Prozent") describes nothing, and relative clauses are no one's
  commitment or description (", deren Inhaber … zuständig ist", ", die … herstellen
  sollen").
- `acts_now`: a public body as subject with a finite verb in the present tense next to it
  (verb second, read on text that keeps its capitals so that a noun is no verb): "Das Land
  schafft …", "Für kleine Betriebe ermäßigt das Land …"; a commitment unless the passage
  also describes ("bereits", "seit", "weiterhin").
- `addressees`: which level of government a text names as acting (Bund, Land, EU,
  Kommunen), so a passage about the Länder does not adopt a demand to the Bund.
- `level_conflict`: the sentences about the demand open with another level as subject and
  never name the asked one ("Das Land NRW wird … errichten", "Der Freistaat Sachsen hat …
  beschlossen", "Das Saarland fördert …" against "Der Bund muss …").
- `reports` also knows pointing out ("hat auf … hingewiesen", "macht geltend", "beklagt").
- `scope_conflict`: the demand is for one group of firms by size (all / small / large) and
  the passage names only another ("für alle Unternehmen" against "für KMU").
- `direction_conflict`: the demand asks to raise an amount and the passage only lowers one,
  or the other way round (narrow verb lists: "erhöhen/anheben" against "senken/kürzen").

Limits: patterns, not parsing. A refusal phrase far from the demand's words in a long
sentence still counts for the whole sentence; irony, conditions ("sofern der Haushalt es
zulässt") and commitments phrased as descriptions ("Der Bund finanziert künftig …" is
caught by "künftig", "Der Bund finanziert …" by `acts_now`, which also takes present-tense
descriptions for commitments) are read as written.
"""

from __future__ import annotations

import re

from positions.core import text

_W = r"(?:\W+\w+)"  # one more word

_STRONG_REFUSAL = re.compile(
    "|".join(
        (
            r"\bkein(?:e[nrms]?)? (?:\w+ )?(?:anlass|veranlassung|spielraum|notwendigkeit|"
            r"handlungsbedarf|bedarf|raum|grundlage|mehrheit)\b",
            r"\bnicht (?:weiter ?)?(?:verfolgt|verfolgen|weiterverfolgt|weiterverfolgen)\b",
            r"\b(?:lehnt|lehnen|lehnte|lehnten)\b" + _W + r"{0,14}?\W+ab\b",
            r"\babgelehnt\b|\bablehnung\b|\bablehnend\b|\babzulehnen\b",
            r"\b(?:haelt|halten|hielt|erachtet|erachten|betrachtet|sieht|sehen)\b"
            + _W
            + r"{0,16}?\W+nicht (?:fuer |als )?(?:zielfuehrend|erforderlich|sachgerecht|"
            r"vertretbar|angemessen|geboten|sinnvoll|notwendig|angezeigt|umsetzbar|"
            r"finanzierbar|vereinbar|zweckmaessig|vordringlich|realistisch|tragfaehig)\b",
            # "hält … nicht für den geeigneten Weg", "hält … für entbehrlich"
            r"\b(?:haelt|halten|hielt|erachtet|erachten|betrachtet)\b"
            + _W
            + r"{0,16}?\W+(?:nicht (?:fuer|als) (?:den |das |die |ein |einen |eine )?"
            r"(?:geeignet|richtig|passend|angemessen)\w*|(?:fuer|als) (?:entbehrlich|"
            r"verzichtbar|ueberfluessig|unverhaeltnismaessig|ungeeignet|unnoetig|"
            r"nicht (?:den|das|die) (?:geeignet|richtig)\w*))\b",
            r"\b(?:folgt|folgen|entspricht|entsprechen|schliesst|schliessen)\b"
            + _W
            + r"{0,6}?\W+nicht(?: an)?\b",
            r"\bnicht (?:gefolgt|entsprochen|aufgegriffen|aufgreifen|uebernommen|angeschlossen|"
            r"folgen|entsprechen|nachkommen|zustimmen|anschliessen)\b",
            r"\b(?:unterstuetzt|unterstuetzen|befuerwortet|befuerworten)"
            r"(?: [^ ,;:.]+){0,4}? nicht\b",
            r"\b(?:sieht|sehen)(?: [^ ,;:.]+){0,4}? (?:davon|von(?: [^ ,;:.]+){1,5}?) ab\b",
            # "wird sich für eine solche Quote nicht einsetzen", "setzt sich … nicht ein"
            r"\bsich\b(?: [^ ,;:.]+){1,10}? nicht (?:einsetzen|ein)\b",
            r"\b(?:davon|von(?: [^ ,;:.]+){1,5}?) (?:absehen|abzusehen)\b",
            r"\b(?:erteilt|erteilen)\b(?: [^ ,;:.]+){0,8}? absage\b",
            r"\b(?:steht|stehen)\b(?: [^ ,;:.]+){0,8}? entgegen\b",
            r"\b(?:ist|sind|waere|waeren)\b(?: [^ ,;:.]+){0,10}? nicht (?:vereinbar|"
            r"zu vereinbaren|umsetzbar|finanzierbar)\b",
            r"\bkommt nicht in betracht\b|\bkommen nicht in betracht\b|\bscheidet aus\b",
            r"\bnicht in betracht\b",
            r"\b(?:strebt|streben)\b(?: [^ ,;:.]+){0,8}? nicht an\b|\bnicht angestrebt\b",
            r"\bnicht darstellbar\b|\bnicht in frage\b",
        )
    )
)
# Words that say that someone other than the outcome's author asks for something.
_REPORT = re.compile(
    r"\b(?:fordern|fordert|forderten|forderte|gefordert|vorgeschlagen|"
    r"(?:schlagen|schlaegt|regen|regt)(?: [^ ,;:.]+){0,8}? (?:vor|an)\b|"
    r"angeregt|plaedieren|plaediert|verlangen|"
    r"gewuenscht|wuenschen|sprechen sich|spricht sich|setzen sich \w+ dafuer ein, dass|"
    r"hingewiesen|(?:weist|weisen) (?:\w+ )?darauf hin|geltend gemacht|(?:macht|machen) geltend|"
    r"beklagt|beklagen|bemaengelt|bemaengeln)\b"
    r"|^(?:die|der|dem|diese[rnm]?) (?:forderung|vorschlag|anregung)\b"
    # "Nach dem Vorschlag der Verbände sollten …", "nach Auffassung mehrerer Verbände": not
    # the author's own view ("nach Auffassung der Bundesregierung" is).
    r"|\bnach (?:dem|den) (?:vorschlag|vorschlaegen|vorstellungen|wunsch|wuenschen)\b"
    r"(?! (?:der|des) (?:bundes|landes)?regierung)"
    r"|\bnach (?:auffassung|ansicht|einschaetzung|vorstellung|meinung) (?:der|des|von|einiger|"
    r"mehrerer|vieler|zahlreicher)\b(?! (?:bundes|landes)?regierung)"
)
# Words that take a reported demand up.
_TAKES_UP = re.compile(
    r"\b(?:greift|greifen)\b" + _W + r"{0,8}?\W+auf\b"
    r"|\baufgegriffen\b|\baufgreifen\b|\bumsetzen\b|\bumgesetzt\b|\bteilt\b|\bteilen\b"
    r"|\b(?:folgt|folgen|entspricht|entsprechen)\b(?!" + _W + r"{0,6}\W+nicht\b)"
)
_WEAK_COMMITS = re.compile(r"\b(?:wird|werden|unterstuetzt|unterstuetzen)\b")
_COMMITS = re.compile(
    r"\b(?:soll|sollen|sollte|sollten|beabsichtigt|beabsichtigen|strebt|streben|"
    r"plant|planen|vorgesehen|kuenftig|zukuenftig|einvernehmen|ueberein|"
    r"vorgenommen|verstaendigt|vereinbart|sicherstellen|gewaehrleisten|setzt sich|"
    r"setzen sich|ziel|zielt|beschlossen|beschliesst|entschieden|abgestimmt|festgelegt|"
    r"verabredet|zugesagt)\b"
    # A deadline, not a span of years ("für die Jahre 2025 bis 2027").
    r"|\bab (?:dem )?(?:\d{1,2}\. )?(?:\w+ )?\d{4}\b"
    r"|(?<!\d{4} )\bbis (?:ende |mitte |anfang )?\d{4}\b"
    r"|\b(?:teilt|teilen)\b(?:\W+\w+){0,4}?\W+(?:auffassung|einschaetzung|ansicht|anliegen)\b"
)
# Future auxiliaries whose verb only promises to look at something.
_ONLY_LOOKS = re.compile(
    r"\b(?:wird|werden|will|wollen)\b"
    + _W
    + r"{0,10}?\W+(?:beobachten|betrachten|auswerten|abwarten|eroertern|analysieren|"
    r"untersuchen|bewerten|weiterleiten|diskutieren|beraten|begleiten)\b"
    r"|\b(?:beobachtet|diskutiert|eroertert|thematisiert|dargestellt|beleuchtet|betrachtet)\b"
    r"|\b(?:pruefen|prueft|geprueft)\b,? (?:ob|inwieweit|inwiefern)\b"
)
# Descriptions of the present or the past.
_DESCRIBES = re.compile(
    r"\b(?:wurde|wurden|hat sich|haben sich|weiterhin|bleibt es|"
    r"bereits|bislang|bisher|derzeit|zuletzt|seit|aufgabe der|zustaendig|in der verantwortung|"
    r"verweist|verweisen)\b"
)

_ADDRESSEES = {
    # A level in a compound that names a thing ("EU-Ausgleichszölle", "Bundes-Immissions-
    # schutzgesetz") is no addressee; "das Ministerium" is the Land's in a Land report.
    "bund": re.compile(r"\bbund\w*+(?!-)|\bbmwk\b"),
    "land": re.compile(r"\b(?:laender|land|landes\w*|laendern)\b"),
    "eu": re.compile(
        r"\b(?:eu|europaeische[nrs]? (?:kommission|union|ebene)|kommission|unionsrecht\w*)\b(?!-)"
    ),
    "kommune": re.compile(r"\b(?:kommunen|kommunal\w*|gemeinden|staedte|landkreise|kreise)\b"),
}


# A public body as the subject of a sentence, and a finite verb in the present tense next to
# it (main clause, verb second): "Das Land schafft …", "Für kleine Betriebe ermäßigt das Land
# …", "Jede Hochschule richtet … ein". Auxiliaries of description (ist, hat, wurde) and verbs
# of looking (prüft, beobachtet) do not count.
_ACTOR = (
    r"(?:(?:die|das|der|jede[rs]?) (?:[^ ,;:.]+ ){0,2}?"
    r"(?:land|landesregierung|bund|bundesregierung|regierung|\w*ministerium|\w*foerderbank|"
    r"\w*behoerden?|\w*aufsicht|\w*hochschulen?|\w*verwaltung|\w*agentur|\w*gesellschaft|"
    r"\w*amt|\w*aemter|\w*kammer|kommission|laender|kommunen|gemeinden))"
)
_NOT_ACTING = (
    r"(?!(?:ist|sind|war|waren|hat|haben|hatte|wurde|wurden|wird|werden|bleibt|bleiben|"
    r"prueft|pruefen|beobachtet|beobachten|erwartet|geht|sieht|haelt|lehnt|verfuegt|"
    r"verfuegen|liegt|liegen|gilt|gelten|traegt|tragen|kennt|weiss|begruesst)\b)"
)
# Read on text that keeps its capitals: the verb is a lower-case word ("Auskunft der Länder"
# is a noun before the body, no verb).
_ACTS_NOW = re.compile(
    rf"^{_ACTOR} {_NOT_ACTING}(?-i:[a-z]\w*(?:t|en))\b"
    rf"|^[^,;:.]{{3,80}}? {_NOT_ACTING}(?-i:[a-z]\w*t) {_ACTOR}\b",
    re.IGNORECASE,
)
_UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)


def acts_now(sentence: str) -> bool:
    """Whether a sentence says that a public body does something, in the present tense
    ("Das Land schafft 450 Stellen", "Für Kleinbetriebe ermäßigt das Land die Gebühren")."""
    spelled = " ".join(sentence.translate(_UMLAUTS).split())
    return bool(_ACTS_NOW.search(spelled))


def folded(passage: str) -> str:
    """The passage as the patterns read it: folded, whitespace collapsed."""
    return " ".join(text.fold(passage).split())


# Private parties as the subject of a clause ("Einige Versicherer … lehnen die Deckung ab",
# "Banken sehen keinen Spielraum"): their refusal describes the market, it is not the
# outcome's author turning a demand down. Subject: at the clause's start or after a
# nominative article or quantifier, not after "der"/"den"/"dem" or a preposition ("dem Wunsch
# der Unternehmen folgt die Bundesregierung nicht").
_THIRD_PARTY_SUBJECT = re.compile(
    r"(?:^|[.;:,]\s*|\b(?:und|oder|aber|zugleich|zudem|auch)\s+)"
    r"(?:(?:die|einige|viele|manche|zahlreiche|mehrere|etliche|immer mehr)\s+)?"
    r"(?:\w+e\s+)?"
    r"(?:versicherer|banken|hausbanken|kreditinstitute|investoren|hersteller|abnehmer|kunden"
    r"|lieferanten|unternehmen|betriebe|zulieferer|arbeitgeber|netzbetreiber)\b"
)
_CLAUSE_START = re.compile(r"[.;:]\s*")


def refuses(passage: str) -> bool:
    """Whether the passage turns something down in so many words (not a private party)."""
    return _refuses(folded(passage))


def _refuses(plain: str) -> bool:
    return any(not _by_third_party(plain, m.start()) for m in _STRONG_REFUSAL.finditer(plain))


def _by_third_party(plain: str, refusal: int) -> bool:
    """Whether the sentence before a refusal phrase names a private party as its subject."""
    starts = [m.end() for m in _CLAUSE_START.finditer(plain, 0, refusal)]
    sentence = plain[starts[-1] if starts else 0 : refusal]
    return bool(_THIRD_PARTY_SUBJECT.search(sentence))


_WEAK_REFUSAL = re.compile(
    r"\bnicht (?:vorgesehen|geplant|beabsichtigt|eingefuehrt|aufgelegt|umgesetzt|"
    r"geschaffen|ergriffen|moeglich)\b"
    # "wird … nicht", within one clause (no comma between)
    r"|\b(?:wird|werden|ist|sind)(?: [^ ,;:.]+){0,8}? nicht\b"
    r"(?! (?:mehr|laenger|erneut|nur|allein|zuletzt|unerheblich|wesentlich))"
    r"|\bwird es(?: [^ ,;:.]+){0,3}? nicht geben\b|\bkein\w*(?: [^ ,;:.]+){0,6}? geben\b"
)


def refuses_weakly(passage: str) -> bool:
    """Whether the passage says that something will not be done ("ist nicht vorgesehen",
    "wird nicht eingeführt"): a refusal when it follows a report of the demand."""
    return _refuses_weakly(folded(passage))


def _refuses_weakly(plain: str) -> bool:
    return _refuses(plain) or bool(_WEAK_REFUSAL.search(plain))


def reports(passage: str) -> bool:
    """Whether the passage reports a demand of others without taking it up: neither in so
    many words ("greift … auf") nor by a later sentence that commits to a measure itself
    ("Im Dialog wurde darauf hingewiesen, dass … Unternehmen … erhalten ab 2027 …")."""
    plain = folded(passage)
    if not _REPORT.search(plain) or _TAKES_UP.search(plain):
        return False
    return not provided_for(passage)


def provided_for(passage: str) -> bool:
    """Whether a sentence after a report of a demand commits to a measure itself."""
    sentences = text.split_sentences(passage)
    reporting = [i for i, sentence in enumerate(sentences) if _REPORT.search(folded(sentence))]
    later = sentences[reporting[0] + 1 :] if reporting else []
    return any(_own_commitment(sentence) for sentence in later)


def _own_commitment(sentence: str) -> bool:
    """A commitment in so many words, in the sentence's own clauses ("ab 2027",
    "beabsichtigt", "Das Land fördert …"), that does not describe ("verweist auf …, die …
    herstellen sollen"); a bare "wird"/"werden" may be a passive of the reasons given for a
    refusal."""
    plain = folded(sentence)
    if _REPORT.search(plain) or _refuses_weakly(plain) or _ONLY_LOOKS.search(plain):
        return False
    own = _own_clauses(plain)
    if _DESCRIBES.search(own):
        return False
    return bool(_COMMITS.search(own)) or acts_now(sentence)


# What neither commits nor describes the passage: the old value a measure changes ("von
# bislang 1,25 auf 2,5 Millionen Euro") and relative clauses (", deren Inhaber … zuständig
# ist", ", die … herstellen sollen", ", die … weitergegeben werden").
_NOT_DESCRIBING = re.compile(
    r"\bvon (?:bislang|bisher|derzeit)\b|, (?:der|die|das|deren|dessen|denen) [^,;:.]*"
)


def _own_clauses(plain: str) -> str:
    """The folded passage without what neither commits nor describes (`_NOT_DESCRIBING`):
    a relative clause's "sollen" is not the author's."""
    return _NOT_DESCRIBING.sub(" ", plain)


def commits(passage: str) -> bool:
    """Whether the passage announces or agrees to a measure (see the module docstring)."""
    plain = folded(passage)
    if _ONLY_LOOKS.search(plain):
        return False
    own = _own_clauses(plain)
    if _COMMITS.search(own):
        return True
    if _DESCRIBES.search(own):
        return False
    return bool(_WEAK_COMMITS.search(own)) or acts_now(passage)


def addressees(passage: str) -> frozenset[str]:
    """The levels of government a text names (see `_ADDRESSEES`)."""
    plain = folded(passage)
    return frozenset(name for name, pattern in _ADDRESSEES.items() if pattern.search(plain))


# A level of government as the subject opening a sentence ("Das Land Nordrhein-Westfalen
# wird …", "Die Bundesregierung strebt an …"), and the level named as a body of its own
# anywhere ("der Bund", not the "Bundesförderung" an act of the Land may follow).
_SUBJECTS = {
    "bund": re.compile(r"^(?:der bund|die bundesregierung|das bundes\w*ministerium)\b"),
    "land": re.compile(
        r"^(?:das land|die laender|die landesregierung|das landes\w*ministerium|der freistaat"
        r"|das saarland|(?:baden-wuerttemberg|bayern|berlin|brandenburg|bremen|hamburg|hessen"
        r"|mecklenburg-vorpommern|niedersachsen|nordrhein-westfalen|nrw|rheinland-pfalz"
        r"|sachsen|sachsen-anhalt|schleswig-holstein|thueringen) (?!ist|sind|war|hatte)\w+)\b"
    ),
    "eu": re.compile(r"^(?:die eu|die europaeische (?:union|kommission)|die kommission)\b"),
    "kommune": re.compile(r"^(?:die kommunen|die gemeinden|die staedte)\b"),
}
_BODIES = {
    "bund": re.compile(r"\b(?:bund|bundesregierung|bundesebene|bundesgesetzgeber)\b"),
    "land": re.compile(r"\b(?:land|laender|landesregierung|landesebene)\b"),
    "eu": re.compile(r"\b(?:eu|union|kommission)\b"),
    "kommune": re.compile(r"\b(?:kommunen|gemeinden)\b"),
}


def level_conflict(demand: str, passage: str) -> bool:
    """Whether the passage has another level of government act than the one the demand
    asks: its sentences open with only other levels as subjects and never name the asked
    one as a body ("Das Land NRW wird … errichten" does not adopt "Der Bund muss …
    errichten", even after "nach Auslaufen der Bundesförderung")."""
    asked = addressees(demand)
    sentences = [folded(sentence) for sentence in text.split_sentences(passage)]
    acting = {
        level
        for sentence in sentences
        for level, pattern in _SUBJECTS.items()
        if pattern.search(sentence)
    }
    if not asked or not acting or asked & acting:
        return False
    plain = folded(passage)
    return not any(_BODIES[level].search(plain) for level in asked if level in _BODIES)


# Who a measure is for, by size: a demand for all firms is not met by a measure for small
# ones only, nor one for large firms by a measure for small ones (and the other way round).
_SCOPES = {
    "small": re.compile(
        r"\b(?:klein\w*|kleinst\w*|kmu|mittelstaend\w*|mittelstand\w*|handwerksbetrieb\w*|"
        r"(?:weniger als|bis zu|unter) \d+(?:\.\d+)? beschaeftigt\w*)"
    ),
    "large": re.compile(
        r"\b(?:gross(?:unternehm|betrieb|konzern)\w*|konzern\w*|energieintensiv\w*|"
        r"stromintensiv\w*|(?:mehr als|ueber|ab) \d+(?:\.\d+)? beschaeftigt\w*)"
    ),
    "all": re.compile(
        r"\b(?:alle[nr]? (?:\w+ )?(?:unternehmen|betriebe|arbeitgeber|firmen)|"
        r"unabhaengig von (?:der|ihrer) (?:\w+)?groesse|saemtliche[nr]? (?:\w+ )?"
        r"(?:unternehmen|betriebe)|ohne (?:\w+ )?staffelung nach|gleich welcher groesse)"
    ),
}


def scopes(passage: str) -> frozenset[str]:
    """The groups of firms a text names by size ("small", "large", "all")."""
    plain = folded(passage)
    return frozenset(name for name, pattern in _SCOPES.items() if pattern.search(plain))


def scope_conflict(demand: str, passage: str) -> bool:
    """Whether the passage is for another group of firms than the demand: the demand names
    one size (or all firms) and the passage names only others."""
    asked, given = scopes(demand), scopes(passage)
    if not asked or not given or asked & given:
        return False
    if "all" in asked:
        return True  # "für alle Unternehmen" is not met by "für kleine Betriebe"
    return "all" not in given  # "alle" in the passage covers any group asked for


# Which way a measure moves an amount (narrow on purpose: "verkürzen" and "ausweiten" say
# nothing about the direction of a charge or a sum).
_UP = re.compile(r"\b(?:erhoeh|anheb|angehoben|hebt \w+ an|aufstock|aufgestockt|steiger)\w*")
_DOWN = re.compile(
    r"\b(?:senk|gesenkt|absenk|abgesenkt|reduzier|kuerz|gekuerzt|verringer|vermindert|ermaessig)\w*"
)


def direction_conflict(demand: str, passage: str) -> bool:
    """Whether the demand asks to raise an amount and the passage only lowers one, or the
    other way round ("Gebühren senken" against "Gebühren werden angehoben")."""
    asked, given = folded(demand), folded(passage)
    up, down = bool(_UP.search(asked)), bool(_DOWN.search(asked))
    if up == down:
        return False
    has_up, has_down = bool(_UP.search(given)), bool(_DOWN.search(given))
    return (has_down and not has_up) if up else (has_up and not has_down)


_REFERS_BACK = re.compile(
    r"^(?:\w+ ){0,4}?(?:solche[rnms]?|dies|diese[rnms]?|hierfuer|dafuer|dazu|hierzu|dem|das|"
    r"es|sie|ihm|ihr)\b"
)


def refers_back(sentence: str) -> bool:
    """Whether a sentence opens by pointing back at the one before ("Dies lehnt …",
    "Eine solche Ausweitung hält …", "Hierfür sieht …")."""
    return bool(_REFERS_BACK.search(folded(sentence)))
