import io
import zlib
from functools import cache

import docx
import pypdf
import pytest
from PIL import Image
from rapidfuzz import fuzz

from bench.impact import evaluate
from bench.labelled import impact_tune
from bench.labelled.impact_set import ImpactSet, build, load_demands
from positions.core.errors import InvalidInput, InvalidUpload
from positions.followup import impact, outcome_text
from positions.followup.impact import Assessment, Demand, Match, assess_outcome, find_adoptions
from positions.followup.outcome_text import (
    outcome_text_from_paste,
    outcome_text_from_pdf,
    outcome_text_from_upload,
)
from positions.uploads import package

# Ministry prose around the passages, so that the outcome reads like one and the rare
# words of a demand stand out against common ones.
CONTEXT = (
    "Die Automobilindustrie ist eine Schlüsselbranche des Industriestandorts Deutschland. "
    "Die Transformation hin zu klimaneutralen Antrieben verändert die Wertschöpfungsketten "
    "grundlegend.\n\n"
    "Die Bundesregierung hat die Beiträge der Verbände und der Sozialpartner sorgfältig "
    "ausgewertet. Nicht alle Vorschläge konnten in diesen Leitlinien aufgegriffen werden.\n\n"
)


def outcome(*passages: str) -> str:
    return CONTEXT + "\n\n".join(passages) + "\n\n" + CONTEXT


def assess(demand: str, *passages: str) -> Assessment:
    return assess_outcome([Demand(key=7, text=demand)], outcome(*passages))


def only(matches: list[Match]) -> Match:
    assert len(matches) == 1, matches
    return matches[0]


# --- verbatim ---------------------------------------------------------------------------


def test_a_demand_copied_into_the_outcome_is_verbatim_and_quoted_without_the_frame() -> None:
    text = outcome(
        "Die Bundesregierung wird darauf hinwirken, dass die Netzentgelte für mittelständische "
        "Zulieferer dauerhaft gedeckelt werden."
    )
    demand = (
        "Wir fordern, dass die Netzentgelte für mittelständische Zulieferer dauerhaft "
        "gedeckelt werden."
    )
    match = only(find_adoptions([Demand(key=3, text=demand)], text))
    assert (match.demand_key, match.kind, match.score) == (3, "verbatim", 1.0)
    assert match.quote == text[match.start : match.end]
    assert match.quote == (
        "die Netzentgelte für mittelständische Zulieferer dauerhaft gedeckelt werden"
    )


def test_a_copied_demand_with_another_modal_verb_and_spelling_is_still_verbatim() -> None:
    match = only(
        assess(
            "Der Bund muss die Förderprogramme für mittelständische Zulieferer vereinfachen.",
            "Im Einzelnen gilt: Der Bund soll die Foerderprogramme fuer mittelstaendische "
            "Zulieferer vereinfachen.",
        ).adoptions
    )
    assert match.kind == "verbatim"
    assert match.score >= 0.9
    assert match.quote.startswith("Der Bund soll die Foerderprogramme")


def test_a_copy_with_other_figures_is_no_adoption() -> None:
    # "250" for "50" is another measure on the same subject, not the demand reworded.
    demand = (
        "Wir fordern, dass Statistikpflichten für Betriebe mit weniger als 50 Beschäftigten "
        "entfallen."
    )
    copied = (
        "Es besteht Einvernehmen darüber, dass Statistikpflichten für Betriebe mit weniger als "
        "{} Beschäftigten entfallen."
    )
    same = only(assess(demand, copied.format("50")).adoptions)
    assert same.kind == "verbatim"
    assert assess(demand, copied.format("250")).adoptions == []


@pytest.mark.parametrize(
    "passage",
    [
        "Die Bundesregierung wird darauf hinwirken, dass Statistikpflichten für Betriebe mit "
        "weniger als 50 Beschäftigten ab dem Jahr 2027 auf eine Meldung pro Jahr begrenzt werden.",
        "Statistikpflichten für Betriebe mit weniger als 50 Beschäftigten sollen bis Ende 2026 "
        "auf eine Meldung pro Jahr begrenzt werden.",
    ],
    ids=["date inserted", "date and modal verb"],
)
def test_an_inserted_date_or_another_modal_verb_keeps_a_copy_verbatim(passage: str) -> None:
    demand = (
        "Wir fordern, dass Statistikpflichten für Betriebe mit weniger als 50 Beschäftigten "
        "auf eine Meldung pro Jahr begrenzt werden."
    )
    match = only(assess(demand, passage).adoptions)
    assert match.kind == "verbatim"


def test_a_copy_whose_verb_is_split_in_a_main_clause_is_still_verbatim() -> None:
    # "dass … anbietet" reads "bietet … an" when the ministry states it as a fact.
    demand = (
        "Wir fordern, dass die landeseigene Förderbank Nachrangdarlehen für "
        "Unternehmensnachfolgen anbietet."
    )
    passage = (
        "Die landeseigene Förderbank bietet ab dem zweiten Quartal 2026 Nachrangdarlehen für "
        "Unternehmensnachfolgen an."
    )
    match = only(assess(demand, passage).adoptions)
    assert match.kind == "verbatim"


def test_a_copy_in_the_passive_without_the_addressee_is_still_verbatim() -> None:
    # A ministry drops the agent the demand names: "Das Land muss … bereitstellen" reads
    # "werden … bereitgestellt", often with a date put in.
    demand = (
        "Das Land muss in allen Kreisen Lotsen für die Unternehmensnachfolge bereitstellen, "
        "die Übergaben begleiten."
    )
    passage = (
        "In allen Kreisen werden ab dem Jahr 2027 Lotsen für die Unternehmensnachfolge "
        "bereitgestellt, die Übergaben begleiten."
    )
    match = only(assess(demand, passage).adoptions)
    assert match.kind == "verbatim"


def test_a_copy_done_by_another_level_of_government_is_no_adoption() -> None:
    result = assess(
        "Der Bund muss in jedem Regierungsbezirk feste Ansprechpartner für Wasserstoffprojekte "
        "benennen.",
        "Das Land benennt in jedem Regierungsbezirk feste Ansprechpartner für Wasserstoffprojekte.",
    )
    assert result.adoptions == []


# --- reworded ---------------------------------------------------------------------------

REWORDED = [
    pytest.param(
        "Die Förderverfahren müssen vereinfacht werden.",
        "Eine Vereinfachung der Förderverfahren wird angestrebt.",
        id="nominalised",
    ),
    pytest.param(
        "Wir fordern, dass die Strompreise für die Industrie gesenkt werden.",
        "Der Industriestrompreis wird durch eine Senkung der Stromsteuer gesenkt.",
        id="compound joined",
    ),
    pytest.param(
        "Der Bund muss die Genehmigungsverfahren für Umspannwerke beschleunigen.",
        "Es wird angestrebt, die Verfahren zur Genehmigung von Umspannwerken zügiger "
        "abzuschließen.",
        id="compound split, passive, synonym",
    ),
    pytest.param(
        "Weiterbildungsangebote für Beschäftigte in Zulieferbetrieben müssen gefördert werden.",
        "Qualifizierungsangebote für Mitarbeiterinnen und Mitarbeiter von Zulieferern werden "
        "künftig unterstützt.",
        id="synonyms inside compounds",
    ),
    pytest.param(
        "Wir fordern, dass Förderanträge kleiner Unternehmen innerhalb von drei Monaten "
        "beschieden werden.",
        "Die Bundesregierung wird prüfen, wie über Anträge auf Förderung aus dem Mittelstand "
        "binnen 3 Monaten entschieden werden kann.",
        id="hedged, number as digit",
    ),
    pytest.param(
        "Wir fordern, dass keine neuen Berichtspflichten für Zulieferer eingeführt werden.",
        "Auf zusätzliche Berichtspflichten für Zulieferer wird verzichtet.",
        id="negative demand, adopted by a withdrawal",
    ),
    pytest.param(
        "Die Stromsteuer muss gesenkt werden.",
        "Die Stromsteuer wird auf das europäische Mindestmaß reduziert.",
        id="one withdrawal for another",
    ),
    pytest.param(
        "Genehmigungsverfahren für Industrieanlagen beschleunigen",
        "Die Genehmigungsverfahren für Industrieanlagen werden nicht nur beschleunigt, sondern "
        "auch digitalisiert.",
        id="nicht nur … sondern auch",
    ),
    pytest.param(
        "Wir fordern einen Brückenstrompreis für energieintensive Zulieferbetriebe.",
        "Für Zulieferbetriebe mit hohem Energiebedarf wird ein Brückenstrompreis eingeführt, "
        "damit sie nicht ins Ausland abwandern.",
        id="negation in a clause of purpose",
    ),
    pytest.param(
        "Die Landesregierung muss die Zahl der Lehrkräfte an Berufsschulen erhöhen.",
        "Das Land schafft zum Schuljahr 2026/27 zusätzlich 450 Stellen für Lehrkräfte an "
        "berufsbildenden Schulen.",
        id="commitment in the plain present tense",
    ),
    pytest.param(
        "Wir fordern, dass das Land die Gebühren für immissionsschutzrechtliche "
        "Genehmigungen für kleine Betriebe senkt.",
        "Für Betriebe mit weniger als 50 Beschäftigten ermäßigt das Land die "
        "Verwaltungsgebühren in Verfahren nach dem Bundes-Immissionsschutzgesetz um ein Drittel.",
        id="present tense, verb before the subject, same group of firms",
    ),
    pytest.param(
        "Förderbescheide für Forschungsprojekte müssen binnen vier Monaten vorliegen.",
        "Zwischen Antrag und Förderbescheid für Forschungsprojekte sollen künftig nicht mehr "
        "als vier Monate liegen.",
        id="nicht mehr als",
    ),
    pytest.param(
        "Der Bund muss bei Exportkreditgarantien für Zulieferer 90 Prozent des Risikos tragen.",
        "Bei Exportkreditgarantien zugunsten von Zulieferunternehmen übernimmt der Bund künftig "
        "neun Zehntel des Ausfallrisikos.",
        id="a share written as a fraction",
    ),
    pytest.param(
        "Anträge auf Investitionszuschüsse müssen binnen zwölf Wochen beschieden werden.",
        "Über Anträge auf Investitionszuschüsse soll künftig spätestens drei Monate nach "
        "Eingang entschieden werden.",
        id="weeks restated as months",
    ),
    pytest.param(
        "Wir fordern, dass die Bundesregierung sich für die Aussetzung der EU-Schutzzölle auf "
        "Aluminiumfelgen einsetzt.",
        "Die Bundesregierung wird sich in Brüssel dafür einsetzen, die Schutzzölle auf "
        "Aluminiumfelgen vorerst auszusetzen.",
        id="EU in a compound names a thing, not who acts",
    ),
    pytest.param(
        "Die Zuschüsse zu Meisterkursen müssen unabhängig von der Betriebsgröße gleich hoch sein.",
        "Bisher erhalten kleinere Betriebe höhere Zuschüsse zu Meisterkursen. Künftig werden "
        "die Zuschüsse zu Meisterkursen ohne Staffelung nach der Zahl der Beschäftigten "
        "gezahlt.",
        id="without staggering by size is for all firms",
    ),
]


REWORDED += [
    pytest.param(
        "Die Landesregierung soll die Meistergründungsprämie dauerhaft finanzieren.",
        "Die Landesregierung hat entschieden, die Prämie für Gründungen durch Meisterinnen und "
        "Meister ohne Befristung aus Landesmitteln fortzuführen.",
        id="a decision in the perfect tense",
    ),
    pytest.param(
        "Die Landesregierung soll mit den Stadtwerken vereinbaren, dass Netzanschlüsse für "
        "Betriebe binnen sechs Wochen zugesagt werden.",
        "Mit den Stadtwerken hat das Ministerium verabredet, dass Betriebe binnen sechs "
        "Wochen eine verbindliche Zusage für ihren Netzanschluss erhalten.",
        id="the ministry of a Land report is no other level",
    ),
    pytest.param(
        "Das Land muss die Zuschüsse für überbetriebliche Lehrgänge im Handwerk auf 60 Prozent "
        "der Kosten anheben.",
        "Der Landeszuschuss zu den überbetrieblichen Lehrgängen des Handwerks steigt ab 2027 "
        "von bislang 40 auf 60 Prozent der Lehrgangskosten.",
        id="the old value named as what changes",
    ),
]


@pytest.mark.parametrize(("demand", "passage"), REWORDED)
def test_a_demand_in_other_words_is_reworded_and_the_passage_is_quoted(
    demand: str, passage: str
) -> None:
    result = assess(demand, passage)
    match = only(result.adoptions)
    assert match.kind == "reworded"
    assert match.quote == passage
    assert impact.REWORDED_MIN_COVERAGE <= match.score <= 1.0
    assert result.rejections == []


# --- negated ----------------------------------------------------------------------------

REJECTED = [
    pytest.param(
        "Die Pendlerpauschale für Beschäftigte in der Industrie muss angehoben werden.",
        "Eine weitere Anhebung der Pendlerpauschale für Beschäftigte in der Industrie strebt "
        "die Bundesregierung nicht an.",
        id="strebt nicht an",
    ),
    pytest.param(
        "Der Bund muss einen Fonds für die Sanierung von Werkshallen auflegen.",
        "Ein eigener Fonds des Bundes für die Sanierung von Werkshallen ist haushaltsrechtlich "
        "nicht darstellbar.",
        id="nicht darstellbar",
    ),
    pytest.param(
        "Wir fordern einen Brückenstrompreis.",
        "Ein Brückenstrompreis wird nicht eingeführt.",
        id="wird nicht eingeführt",
    ),
    pytest.param(
        "Wir fordern einen Brückenstrompreis für energieintensive Zulieferbetriebe.",
        "Ein Brückenstrompreis für energieintensive Zulieferbetriebe wird nicht eingeführt.",
        id="wording copied, then negated",
    ),
    pytest.param(
        "Wir fordern einen Brückenstrompreis.",
        "Einen Brückenstrompreis, wie ihn einzelne Verbände fordern, wird es nicht geben.",
        id="negation after a clause in between",
    ),
    pytest.param(
        "Wir fordern einen Brückenstrompreis.",
        "Die Bundesregierung lehnt es ab, einen Brückenstrompreis einzuführen.",
        id="lehnt ab, infinitive",
    ),
    pytest.param(
        "Wir fordern einen Brückenstrompreis.",
        "Die Bundesregierung lehnt es ab, dass ein Brückenstrompreis eingeführt wird.",
        id="lehnt ab, dass",
    ),
    pytest.param(
        "Die Stromsteuer muss gesenkt werden.",
        "Eine Senkung der Stromsteuer ist nicht vorgesehen.",
        id="withdrawal negated",
    ),
    pytest.param(
        "Wir fordern, dass das Lieferkettengesetz ersatzlos aufgehoben wird.",
        "Eine ersatzlose Aufhebung des Lieferkettengesetzes lehnt die Bundesregierung ab; sie "
        "wird es jedoch auf das unionsrechtlich gebotene Maß zurückführen.",
        id="withdrawal rejected, then something else",
    ),
    pytest.param(
        "Wir fordern, dass die Netzentgelte für mittelständische Zulieferer gedeckelt werden.",
        "Die Bundesregierung lehnt es ab, dass die Netzentgelte für mittelständische "
        "Zulieferer gedeckelt werden.",
        id="verbatim under a negating frame",
    ),
]


REJECTED += [
    pytest.param(
        "Wir fordern eine Senkung der Körperschaftsteuer auf 25 Prozent.",
        "In den Stellungnahmen wurde eine Senkung der Körperschaftsteuer auf 25 Prozent "
        "gefordert. Die Bundesregierung sieht angesichts der Haushaltslage keinen Spielraum "
        "für eine solche Reform.",
        id="restated, then refused",
    ),
    pytest.param(
        "Der Bund muss für Auszubildende ein kostenloses Deutschlandticket finanzieren.",
        "Die Forderung, Auszubildenden das Deutschlandticket kostenlos zur Verfügung zu "
        "stellen, wird nicht weiterverfolgt.",
        id="wird nicht weiterverfolgt",
    ),
    pytest.param(
        "Wir fordern ein eigenes Bundesprogramm zur Förderung von Betriebskitas.",
        "Ein eigenes Bundesprogramm für Betriebskitas hält die Bundesregierung nicht für "
        "zielführend, da die Kinderbetreuung Sache der Länder ist.",
        id="hält nicht für zielführend",
    ),
]


@pytest.mark.parametrize(("demand", "passage"), REJECTED)
def test_a_passage_that_turns_the_demand_down_is_a_rejection_and_no_adoption(
    demand: str, passage: str
) -> None:
    result = assess(demand, passage)
    assert result.adoptions == []
    assert find_adoptions([Demand(key=7, text=demand)], outcome(passage)) == []
    rejection = only(result.rejections)
    assert rejection.demand_key == 7
    assert rejection.quote in passage


def test_a_restated_proposal_followed_by_a_refusal_is_a_rejection() -> None:
    result = assess(
        "Die Landesregierung muss das Wasserentnahmeentgelt für Industriebetriebe abschaffen.",
        "Der Verband fordert zudem, das Wasserentnahmeentgelt für gewerbliche Nutzer "
        "abzuschaffen. Dem kann die Landesregierung nicht entsprechen. Das Entgelt setzt einen "
        "Anreiz zum sparsamen Umgang mit Wasser.",
    )
    assert result.adoptions == []
    assert "Wasserentnahmeentgelt" in only(result.rejections).quote


def test_a_proposal_reported_and_then_provided_for_is_an_adoption() -> None:
    result = assess(
        "Das Land soll Ladesäulen auf den Betriebshöfen von Handwerksbetrieben fördern.",
        "Im Dialog wurde angeregt, Ladesäulen auf den Betriebshöfen des Handwerks zu "
        "unterstützen. Handwerksbetriebe erhalten ab 2027 einen Zuschuss des Landes von 30 "
        "Prozent der Kosten für Ladesäulen auf ihren Betriebshöfen.",
    )
    assert result.rejections == []
    assert "Zuschuss" in only(result.adoptions).quote


def test_a_proposal_reported_then_reasoned_against_and_refused_is_a_rejection() -> None:
    result = assess(
        "Die Landesregierung muss die Gebühren für Baugenehmigungen von Werkshallen halbieren.",
        "Verbände haben vorgeschlagen, die Gebühren für Baugenehmigungen von Werkshallen zu "
        "halbieren. Eine solche Senkung würde die Haushalte der Kreise erheblich belasten, "
        "weil die Gebühren dort vereinnahmt werden. Die Landesregierung sieht daher davon ab, "
        "die Gebührenordnung zu ändern.",
    )
    assert result.adoptions == []
    assert len(result.rejections) == 1


def test_a_proposal_reported_with_words_in_between_is_no_adoption() -> None:
    result = assess(
        "Wir fordern, dass das Land ein eigenes Programm zur Senkung der Industriestrompreise "
        "auflegt.",
        "Der Verband schlägt darüber hinaus ein landeseigenes Programm vor, mit dem die "
        "Strompreise der Industrie bezuschusst werden. Die Landesregierung hält einen solchen "
        "Zuschuss nicht für umsetzbar.",
    )
    assert result.adoptions == []
    assert len(result.rejections) == 1


def test_a_negation_elsewhere_in_the_outcome_does_not_touch_an_adoption() -> None:
    result = assess(
        "Die Ladeinfrastruktur an Betriebsstandorten muss gefördert werden.",
        "Ein Brückenstrompreis, den einzelne Verbände gefordert haben, wird nicht eingeführt. "
        "Die Förderung der Ladeinfrastruktur an Betriebsstandorten wird fortgesetzt.",
    )
    match = only(result.adoptions)
    assert (
        match.quote == "Die Förderung der Ladeinfrastruktur an Betriebsstandorten wird fortgesetzt."
    )


def test_a_negation_inside_an_adoption_keeps_it_an_adoption() -> None:
    result = assess(
        "Wir fordern, dass Unternehmen Daten, die sie bereits einer Behörde gemeldet haben, "
        "kein zweites Mal übermitteln müssen.",
        "Künftig sollen Angaben, die einer Stelle der öffentlichen Verwaltung bereits "
        "vorliegen, von den Betrieben nicht erneut angefordert werden.",
    )
    assert result.rejections == []
    assert only(result.adoptions).kind == "reworded"


def test_a_demand_in_other_words_without_shared_words_is_found_by_meaning() -> None:
    # No thesaurus pair links these; the sentence embeddings do.
    result = assess(
        "Wir fordern, dass Arbeitsvisa für Fachkräfte aus Drittstaaten schneller erteilt werden.",
        "Die Visaverfahren für qualifizierte Arbeitskräfte aus Staaten außerhalb der "
        "Europäischen Union werden künftig beschleunigt.",
    )
    assert only(result.adoptions).kind == "reworded"


MENTIONS = [
    pytest.param(
        "Die Stromsteuer muss für alle Unternehmen auf den europäischen Mindestsatz gesenkt "
        "werden.",
        "Für kleine und mittlere Unternehmen wird die Stromsteuer ab 2027 auf den europäischen "
        "Mindestsatz gesenkt.",
        id="for small firms only, asked for all",
    ),
    pytest.param(
        "Die Landesregierung muss die Meisterprämie erhöhen.",
        "Die Meisterprämie des Landes wird ab 2027 gekürzt.",
        id="lowered, asked to raise",
    ),
    pytest.param(
        "Das Land muss mehr Geld für die Sanierung von Berufsschulen bereitstellen.",
        "Der Zustand vieler Berufsschulen ist nach Auskunft der Länder verbesserungsbedürftig.",
        id="a noun before the body is no present-tense act",
    ),
    pytest.param(
        "Wir fordern, dass die EU-Kommission die Taxonomie-Berichtspflichten für den "
        "Mittelstand streicht.",
        "Mehrere Verbände fordern, dass die Europäische Kommission die Berichtspflichten nach "
        "der Taxonomie-Verordnung für mittelständische Unternehmen streicht.",
        id="someone else's demand reported",
    ),
    pytest.param(
        "Die Grenze für geringwertige Wirtschaftsgüter muss auf 5.000 Euro angehoben werden.",
        "Die Grenze für geringwertige Wirtschaftsgüter wird auf 1.000 Euro angehoben.",
        id="other figure",
    ),
    pytest.param(
        "Die Kommunen müssen die Gewerbeflächen für Handwerksbetriebe in Innenstädten sichern.",
        "Die Sicherung von Gewerbeflächen in den Innenstädten ist eine Aufgabe der kommunalen "
        "Bauleitplanung.",
        id="description, no measure",
    ),
    pytest.param(
        "Der Bund muss in der Lausitz ein Prüfzentrum für Batteriesicherheit aufbauen.",
        "Das Land Brandenburg wird in der Lausitz ein Prüfzentrum für die Sicherheit von "
        "Batteriezellen aufbauen. Die Bundesregierung begrüßt dieses Vorhaben und wird prüfen, "
        "ob es in Programme des Bundes eingebunden werden kann.",
        id="another level acts, the Bund only looks on",
    ),
    pytest.param(
        "Der Bund muss die Fertigung von Leistungselektronik für Fahrzeuge mit einer eigenen "
        "Förderlinie unterstützen.",
        "Die Bundesregierung verweist auf das europäische Programm für Mikroelektronik, aus dem "
        "bereits Werke gefördert werden, die künftig auch Leistungselektronik für Fahrzeuge "
        "fertigen sollen.",
        id="what a relative clause says shall happen is no commitment",
    ),
    pytest.param(
        "Eigenstrom aus Blockheizkraftwerken muss von der Netzumlage befreit werden.",
        "Der Netzzuschuss entlastet Betriebe von den Umlagen, die über den Strompreis an sie "
        "weitergegeben werden.",
        id="a passive in a relative clause is no commitment",
    ),
    pytest.param(
        "Der Bund muss die Abschreibungsfristen für Elektrofahrzeuge in Firmenflotten verkürzen.",
        "Die Bundesregierung wird prüfen, ob die Abschreibungsfristen für elektrische "
        "Firmenfahrzeuge verkürzt werden können.",
        id="only to be examined",
    ),
    pytest.param(
        "Die Genehmigungsgebühren für Werkserweiterungen müssen gesenkt werden.",
        "Mehrere Unternehmen haben auf die hohen Genehmigungsgebühren für Werkserweiterungen "
        "hingewiesen, die künftig weiter steigen werden.",
        id="others pointed it out",
    ),
]


@pytest.mark.parametrize(("demand", "passage"), MENTIONS)
def test_a_mere_mention_is_neither_adoption_nor_rejection(demand: str, passage: str) -> None:
    assert assess(demand, passage) == Assessment(adoptions=[], rejections=[])


def test_progress_is_reported_while_the_outcome_is_read() -> None:
    seen: list[tuple[int, int]] = []
    assess_outcome(
        [Demand(key=1, text="Die Stromsteuer muss gesenkt werden.")],
        outcome("Die Stromsteuer wird gesenkt."),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen and seen[-1][0] == seen[-1][1] > 0


# --- unrelated --------------------------------------------------------------------------

UNRELATED = [
    pytest.param(
        "Der Bund muss den Aufbau regionaler Wasserstoffnetze fördern.",
        "Die Bundesregierung wird die Qualifizierung von Fachkräften in den Regionen unterstützen.",
        id="other topic, same verbs",
    ),
    pytest.param(
        "Die Förderquote für energieeffiziente Produktionsanlagen muss auf 60 Prozent "
        "angehoben werden.",
        "Die Fördersätze der Bundesförderung für Energie- und Ressourceneffizienz in der "
        "Wirtschaft haben sich bewährt und werden bis zum Ende der Programmperiode beibehalten.",
        id="neighbouring topic, no adoption",
    ),
    pytest.param(
        "Wir fordern eine Schiedsstelle beim Bundeskartellamt für Streitigkeiten zwischen "
        "Herstellern und Zulieferern.",
        "Das Bundeskartellamt beobachtet die Marktverhältnisse in der Automobilwirtschaft "
        "kontinuierlich.",
        id="one shared name",
    ),
]


@pytest.mark.parametrize(("demand", "passage"), UNRELATED)
def test_unrelated_passages_do_not_match(demand: str, passage: str) -> None:
    assert assess(demand, passage) == Assessment(adoptions=[], rejections=[])


# --- several demands, odd demands ---------------------------------------------------------


def test_each_demand_gets_its_own_passage_in_demand_order() -> None:
    text = outcome(
        "Eine Senkung der Stromsteuer ist nicht vorgesehen. Die Bundesregierung wird die "
        "Förderverfahren für kleine und mittlere Zulieferer vereinfachen und digitalisieren.",
        "Die Zahl der Ausbildungsverträge ist regional sehr unterschiedlich.",
    )
    demands = [
        Demand(key=30, text="Die Förderverfahren für Zulieferer müssen vereinfacht werden."),
        Demand(key=10, text="Wir fordern eine Ausbildungsplatzprämie für Wasserstoffmotoren."),
        Demand(key=20, text="Die Stromsteuer muss gesenkt werden."),
    ]
    result = assess_outcome(demands, text)
    assert [m.demand_key for m in result.adoptions] == [30]
    assert [m.demand_key for m in result.rejections] == [20]
    for match in [*result.adoptions, *result.rejections]:
        assert match.quote == text[match.start : match.end]


def test_a_paper_without_demands_or_with_empty_ones_finds_nothing() -> None:
    text = outcome("Die Förderverfahren werden vereinfacht.")
    assert find_adoptions([], text) == []
    assert (
        find_adoptions([Demand(key=1, text="  \n"), Demand(key=2, text="Wir fordern, dass.")], text)
        == []
    )


# --- what the outcome must be -----------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\t ", "… – !!!"])
def test_an_empty_outcome_is_refused_in_german(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        find_adoptions([Demand(key=1, text="Die Stromsteuer muss gesenkt werden.")], text)
    assert refused.value.message == impact.EMPTY_OUTCOME


def test_an_english_outcome_is_refused_and_a_short_english_line_finds_nothing() -> None:
    english = (
        "The Federal Government will simplify the funding procedures for small and medium "
        "suppliers. It is the aim of this strategy that the energy prices for the industry are "
        "reduced and that the permits for the new plants will be granted faster. "
    ) * 3
    demand = [Demand(key=1, text="Die Förderverfahren für Zulieferer müssen vereinfacht werden.")]
    with pytest.raises(InvalidInput) as refused:
        find_adoptions(demand, english)
    assert refused.value.message == impact.NOT_GERMAN
    assert find_adoptions(demand, "The funding procedures will be simplified.") == []


def test_an_outcome_beyond_the_limit_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        find_adoptions(
            [Demand(key=1, text="Stromsteuer senken")], "a " * (impact.MAX_OUTCOME_CHARS // 2 + 1)
        )
    assert refused.value.message == impact.OUTCOME_TOO_LONG


@cache
def large_set() -> ImpactSet:
    return build(target_chars=5_000_000)


def test_a_five_megabyte_outcome_is_read_and_matched() -> None:
    labelled = large_set()
    assert len(labelled.outcome) > 4_500_000
    wanted = [d for d in labelled.demands if d.expected == "verbatim"][:4]
    text = outcome_text_from_paste(labelled.outcome)
    found = find_adoptions([Demand(key=d.key, text=d.text) for d in wanted], text)
    spans = {d.key: d.span for d in wanted}
    assert [m.demand_key for m in found] == [d.key for d in wanted]
    for match in found:
        span = spans[match.demand_key]
        assert span is not None and match.start < span[1] and span[0] < match.end


# --- the labelled set -------------------------------------------------------------------


@cache
def labelled_set() -> ImpactSet:
    return build()


def test_the_labelled_set_has_what_the_benchmark_promises() -> None:
    labelled = labelled_set()
    assert build() == labelled  # deterministic
    assert 280_000 <= len(labelled.outcome) <= 340_000
    kinds = [d.expected for d in labelled.demands]
    assert len(kinds) == 200
    assert kinds.count("reworded") >= 60
    assert kinds.count("negated") >= 10
    assert kinds.count("none") >= 30
    assert len(labelled.near_misses) >= 15
    for demand in labelled.demands:
        if demand.expected == "none":
            assert demand.span is None
            continue
        assert demand.span is not None
        passage = labelled.outcome[demand.span[0] : demand.span[1]]
        if demand.passage is not None:
            assert passage == demand.passage
        core = impact.demand_core(demand.text)
        ratio = fuzz.partial_ratio(core, impact.demand_core(passage))
        # Labels agree with what "verbatim" means: near-identical, or clearly reworded.
        if demand.expected == "verbatim":
            assert ratio >= 90, (demand.key, passage)
        elif demand.expected == "reworded":
            assert ratio < 90, (demand.key, passage)


def test_the_labelled_set_reaches_the_goals() -> None:
    labelled = labelled_set()
    demands = [Demand(key=d.key, text=d.text) for d in labelled.demands]
    scores = evaluate(labelled, assess_outcome(demands, labelled.outcome))
    assert scores["verbatim"]["recall"] >= 0.95
    assert scores["verbatim"]["precision"] >= 0.9
    assert scores["reworded"]["recall"] >= 0.6
    assert scores["reworded"]["precision"] >= 0.9
    # A demand the outcome turns down is never counted as taken up.
    assert "verbatim" not in scores["confusion"]["negated"]
    assert "reworded" not in scores["confusion"]["negated"]


def test_the_tune_set_keeps_what_the_matcher_reached() -> None:
    # Not the goals of the issue (reworded recall 0.8): the figures reached when tuning, so
    # that a change that loses ground shows. Its second part (demands 41-64) was written as
    # a check after tuning on the first; reworded recall there was 0.25, then 0.5.
    labelled = impact_tune.load()
    assert 30_000 <= len(labelled.outcome) <= 40_000
    demands = [Demand(key=d.key, text=d.text) for d in labelled.demands]
    scores = evaluate(labelled, assess_outcome(demands, labelled.outcome))
    assert scores["verbatim"]["recall"] >= 0.95
    assert scores["verbatim"]["precision"] >= 0.95
    assert scores["reworded"]["recall"] >= 0.75
    assert scores["reworded"]["precision"] >= 0.9
    assert scores["rejection"]["recall"] >= 0.9
    assert scores["rejection"]["precision"] >= 0.9
    assert scores["absent_reported"] <= 1


def test_the_third_tune_part_keeps_what_the_matcher_reached() -> None:
    # Part 3 (a Land ministry's "Stellungnahme", written before the round that tuned on it):
    # present-tense commitments, scope, restate-then-refuse, look-alike figures and years.
    labelled = impact_tune.load_part3()
    assert 18_000 <= len(labelled.outcome) <= 22_000
    demands = [Demand(key=d.key, text=d.text) for d in labelled.demands]
    scores = evaluate(labelled, assess_outcome(demands, labelled.outcome))
    assert scores["verbatim"]["recall"] >= 0.95
    assert scores["reworded"]["recall"] >= 0.8
    assert scores["reworded"]["precision"] >= 0.9
    assert scores["rejection"]["recall"] >= 0.8
    assert scores["rejection"]["precision"] >= 0.9
    assert scores["absent_reported"] <= 1


def test_the_hand_written_material_parses() -> None:
    demands = load_demands()
    assert [d.key for d in demands] == list(range(1, 201))
    assert all(d.text.endswith(".") for d in demands)


# --- reading the outcome ----------------------------------------------------------------


def pdf(content: bytes, *, compress: bool = False, fonts: bool = True) -> bytes:
    """A one-page PDF with the given content stream (Helvetica, WinAnsi, as F1)."""
    stream = zlib.compress(content, 6) if compress else content
    flate = b" /Filter /FlateDecode" if compress else b""
    resources = b" /Resources << /Font << /F1 5 0 R >> >>" if fonts else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        + resources
        + b" >>",
        b"<< /Length %d%s >>\nstream\n" % (len(stream), flate) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def text_pdf(lines: list[str]) -> bytes:
    def literal(line: str) -> bytes:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return b"(" + escaped.encode("cp1252") + b") Tj T*"

    return pdf(b"BT /F1 11 Tf 14 TL 56 780 Td " + b" ".join(map(literal, lines)) + b" ET")


def test_a_pdf_with_text_is_read_with_umlauts_and_hyphenation_joined() -> None:
    data = text_pdf(
        [
            "Die Bundesregierung wird die Förder-",
            "verfahren für kleine und mittlere Zulieferer (KMU) vereinfachen.",
            "Der Dialog der Automobil-",
            "und Zulieferindustrie wird fortgesetzt.",
        ]
    )
    text = outcome_text_from_pdf(data)
    assert "Förderverfahren für kleine und mittlere Zulieferer (KMU) vereinfachen." in text
    assert "Automobil-\nund Zulieferindustrie" in text
    found = find_adoptions(
        [Demand(key=1, text="Die Förderverfahren für Zulieferer müssen vereinfacht werden.")],
        text,
    )
    assert only(found).kind == "reworded"
    assert outcome_text_from_upload("Ergebnis.PDF", data) == text


def image_pdf() -> bytes:
    scan = io.BytesIO()
    Image.new("RGB", (420, 594), "white").save(scan, "PDF")
    return scan.getvalue()


def encrypted_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="geheim", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(image_pdf(), outcome_text.PDF_NO_TEXT, id="scan without text layer"),
        pytest.param(b"%PDF-1.7\nkaputt", outcome_text.PDF_CORRUPT, id="garbage"),
        pytest.param(
            text_pdf(["Die Bundesregierung wird prüfen."])[:200],
            outcome_text.PDF_CORRUPT,
            id="truncated",
        ),
        pytest.param(
            pdf(b"BT /F1 1 Tf (a) Tj ET " * 1_000_000, compress=True),
            outcome_text.PDF_HOSTILE,
            id="content stream built to exhaust the reader",
        ),
        pytest.param(encrypted_pdf(), outcome_text.PDF_ENCRYPTED, id="password"),
        pytest.param(b"PK\x03\x04 a zip", outcome_text.NOT_PDF, id="not a pdf"),
        pytest.param(b"", package.EMPTY, id="empty"),
        pytest.param(b"%PDF-1.4\n" + bytes(25 * 1024 * 1024), package.TOO_LARGE, id="over 25 MB"),
    ],
)
def test_unreadable_pdfs_are_refused_in_german(data: bytes, message: str) -> None:
    with pytest.raises(InvalidUpload) as refused:
        outcome_text_from_pdf(data)
    assert refused.value.message == message


def test_the_scan_message_says_what_happened() -> None:
    assert outcome_text.PDF_NO_TEXT.startswith(
        "Die PDF-Datei enthält keinen Text (vermutlich ein Scan)"
    )


def test_word_and_text_uploads_are_read_and_other_files_refused() -> None:
    document = docx.Document()
    document.add_heading("Leitlinien", level=1)
    document.add_paragraph("Die Förderverfahren werden vereinfacht.")
    word = io.BytesIO()
    document.save(word)
    assert outcome_text_from_upload("ergebnis.docx", word.getvalue()) == (
        "Leitlinien\n\nDie Förderverfahren werden vereinfacht."
    )
    windows = "Die Förderverfahren werden vereinfacht.\r\n".encode("cp1252")
    assert outcome_text_from_upload("ergebnis.txt", windows) == (
        "Die Förderverfahren werden vereinfacht."
    )
    with pytest.raises(InvalidUpload) as refused:
        outcome_text_from_upload("ergebnis.xlsx", b"PK\x03\x04")
    assert refused.value.message == outcome_text.WRONG_TYPE


def test_pasted_text_is_cleaned_and_empty_paste_refused() -> None:
    pasted = "Die Förder-\r\nverfahren werden vereinfacht\x00.\u00ad"
    assert outcome_text_from_paste(pasted) == "Die Förderverfahren werden vereinfacht."
    with pytest.raises(InvalidInput) as refused:
        outcome_text_from_paste(" \n ")
    assert refused.value.message == impact.EMPTY_OUTCOME
