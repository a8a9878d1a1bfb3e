"""The stance readings of `positions.followup.impact_stance`, on whole sentences written for
each example its docstring promises: what refuses, reports, commits or only describes."""

import pytest

from positions.followup import impact_stance

REFUSALS = [
    "Die Bundesregierung sieht keinen Anlass, die Regelung zu ändern.",
    "Der Vorschlag wird nicht weiterverfolgt.",
    "Die Landesregierung lehnt eine solche Pflicht ab.",
    "Die Bundesregierung hält eine Ausweitung nicht für zielführend.",
    "Die Bundesregierung hält eine Ausweitung nicht für erforderlich.",
    "Diesem Vorschlag folgt die Bundesregierung nicht.",
    "Für eine Senkung besteht kein Spielraum.",
    "Für eine weitere Absenkung der Schwellenwerte sieht die Landesregierung keinen Bedarf.",
    "Die Bundesregierung wird davon absehen, die Frist zu verlängern.",
    "Die Bundesregierung wird von einer Ausweitung der Regelung absehen.",
    "Die Landesregierung sieht daher davon ab, die Verordnung zu ändern.",
    "Einer Verlängerung der Frist erteilt das Ministerium eine Absage.",
    "Einer pauschalen Befreiung stehen die Vorgaben des Beihilferechts entgegen.",
    "Ein Verzicht auf die Nachweise ist mit dem Haushaltsrecht nicht vereinbar.",
    "Eine Verlängerung kommt nicht in Betracht.",
    "Die Landesregierung wird den Vorschlag nicht aufgreifen.",
    "Dem Anliegen kann die Landesregierung nicht entsprechen.",
    "Die Bundesregierung unterstützt diesen Vorschlag nicht.",
    "Die Landesregierung hält eine Pflicht zur Zertifizierung nicht für den richtigen Weg.",
    "Eine eigene Förderlinie für Prüfstände hält das Ministerium für entbehrlich.",
    "Die Bundesregierung wird sich für eine solche Abgabe in Brüssel nicht einsetzen.",
    # Private parties named, but not as the subject that refuses.
    "Die Bundesregierung lehnt die von Versicherern geforderte Pflicht ab.",
    "Dem Wunsch der Unternehmen folgt die Bundesregierung nicht.",
    "Die Landesregierung lehnt es ab, den Banken eine Garantie zu geben.",
]
WEAK_REFUSALS = [
    "Eine Ausnahme für kleine Betriebe ist nicht beabsichtigt.",
    "Eine Antragspflicht ist nicht vorgesehen.",
    "Die Abgabe wird nicht eingeführt.",
]
NO_REFUSALS = [
    # Private parties refusing describe the market; the author turns nothing down.
    "Zugleich steigen die Prämien; einige Versicherer verlangen Nachweise oder lehnen die "
    "Deckung für kleinere Betriebe ab.",
    "Banken lehnen Kredite an Zulieferer mit hohem Verbrenneranteil zunehmend ab.",
    "Die Unternehmen sehen keinen Anlass, ihre Anlagen umzustellen.",
    "Die Landesregierung sieht Bedarf für eine Absenkung der Schwellenwerte.",
    "Die Förderung steht allen Unternehmen offen.",
    "Die Regelung ist mit dem Beihilferecht vereinbar und tritt 2027 in Kraft.",
]
REPORTS = [
    "Mehrere Verbände fordern, die Stromsteuer zu senken.",
    "Vorgeschlagen wurde, die Fristen zu verkürzen.",
    "Die Forderung, die Stromsteuer zu senken, wird von vielen Unternehmen erhoben.",
    "Die Kammern haben auf die hohen Kosten hingewiesen.",
    "Die Unternehmen machen geltend, dass die Fristen zu lang sind.",
    "Zulieferer beklagen die langen Verfahren.",
    "Nach dem Vorschlag der Kammern sollten die Gebühren für Kleinbetriebe halbiert werden.",
    "Nach Auffassung mehrerer Verbände muss die Frist auf drei Monate sinken.",
    "Im Dialog wurde angeregt, Ladesäulen zu fördern. Dies wird geprüft, ob es geht.",
]
TAKEN_UP = [
    "Die Bundesregierung greift den Vorschlag der Verbände auf, die Stromsteuer zu senken.",
    "Die Landesregierung folgt diesem Vorschlag der Kammern.",
    "Im Dialog wurde angeregt, Ladesäulen zu fördern. Betriebe erhalten ab 2027 einen "
    "Zuschuss für Ladesäulen auf dem Werksgelände.",
]
COMMITMENTS = [
    "Die Stromsteuer wird gesenkt.",
    "Die Bundesregierung beabsichtigt, die Fristen zu verkürzen.",
    "Die Landesregierung strebt eine Verkürzung der Fristen an.",
    "Eine Verkürzung der Fristen ist vorgesehen.",
    "Künftig gilt eine Frist von drei Monaten.",
    "Bund und Länder haben Einvernehmen über eine Verkürzung erzielt.",
    "Die Bundesregierung teilt die Auffassung, dass die Fristen zu lang sind.",
    "Die Landesregierung hat entschieden, die Förderung fortzuführen.",
    "Mit den Stadtwerken hat das Ministerium eine Frist von sechs Wochen abgestimmt.",
    "Ab 2027 gilt eine Frist von drei Monaten.",
    "Das Land schafft 450 neue Stellen in den Genehmigungsbehörden.",
    "Für kleine Betriebe ermäßigt das Land die Gebühren.",
    "Der Zuschuss steigt von bislang 40 auf 60 Prozent der Kosten und wird verdoppelt.",
    "An jeder Hochschule wird eine Stelle geschaffen, deren Inhaber für Zulieferer zuständig ist.",
]
NO_COMMITMENTS = [
    "Die Stromsteuer wurde 2024 angehoben.",
    "Die Regelung gilt weiterhin.",
    "Das Verfahren hat sich bewährt.",
    "Die Bundesregierung wird prüfen, ob die Fristen verkürzt werden können.",
    "Die Landesregierung wird die Entwicklung beobachten.",
    "Die Bundesregierung wird die Ergebnisse auswerten.",
    "Das Land fördert bereits seit 2020 die Weiterbildungsverbünde.",
    "Die Bundesregierung verweist auf das Programm, aus dem bereits Werke gefördert "
    "werden, die Chips fertigen sollen.",
    "Der Zuschuss entlastet Betriebe von Umlagen, die über den Strompreis weitergegeben werden.",
    # A span of years is no deadline.
    "Für die Jahre 2025 bis 2027 hatten die Betriebe höhere Abgaben befürchtet.",
]
OWN_VIEWS = [
    "Nach Auffassung der Bundesregierung sollte die Frist auf drei Monate sinken.",
    "Nach dem Vorschlag der Landesregierung sollen die Gebühren halbiert werden.",
]


@pytest.mark.parametrize("sentence", REFUSALS)
def test_a_refusal_in_so_many_words_refuses(sentence: str) -> None:
    assert impact_stance.refuses(sentence)
    assert impact_stance.refuses_weakly(sentence)


@pytest.mark.parametrize("sentence", WEAK_REFUSALS)
def test_a_weak_refusal_refuses_only_weakly(sentence: str) -> None:
    # "ist nicht vorgesehen" may adopt a demand for "ohne …": the caller compares clauses.
    assert not impact_stance.refuses(sentence)
    assert impact_stance.refuses_weakly(sentence)


@pytest.mark.parametrize("sentence", NO_REFUSALS)
def test_agreeing_sentences_refuse_nothing(sentence: str) -> None:
    assert not impact_stance.refuses(sentence)


@pytest.mark.parametrize("passage", REPORTS)
def test_someone_elses_demand_is_reported(passage: str) -> None:
    assert impact_stance.reports(passage)


@pytest.mark.parametrize("passage", TAKEN_UP)
def test_a_demand_taken_up_is_no_mere_report(passage: str) -> None:
    assert not impact_stance.reports(passage)


@pytest.mark.parametrize("passage", COMMITMENTS)
def test_a_commitment_commits(passage: str) -> None:
    assert impact_stance.commits(passage)


@pytest.mark.parametrize("passage", NO_COMMITMENTS)
def test_descriptions_and_promises_to_look_commit_nothing(passage: str) -> None:
    assert not impact_stance.commits(passage)


@pytest.mark.parametrize("passage", OWN_VIEWS)
def test_the_authors_own_view_is_no_report(passage: str) -> None:
    assert not impact_stance.reports(passage)
    assert impact_stance.commits(passage)


@pytest.mark.parametrize(
    "passage",
    [
        "Der Freistaat Thüringen hat ein Programm für Zulieferer aufgelegt.",
        "Nordrhein-Westfalen fördert mit einem eigenen Programm die Zulieferer im Sauerland.",
        "Das Saarland wird einen Fonds für Zulieferer auflegen.",
    ],
)
def test_a_land_named_as_subject_is_another_level_than_the_bund(passage: str) -> None:
    demand = "Der Bund muss ein Sonderprogramm für Zulieferregionen auflegen."
    assert impact_stance.level_conflict(demand, passage)
    assert not impact_stance.level_conflict(demand, "In Nordrhein-Westfalen ist das anders.")
