"""Hand-built German points for deduplication: pairs that are the same demand with a small
edit, and false friends that share most words but are different demands."""

from __future__ import annotations

BASE = "Der Bund muss die Förderprogramme für mittelständische Zulieferer vereinfachen."

# (kind of edit, point, the same demand as sent by another member)
NEAR_DUPLICATES: list[tuple[str, str, str]] = [
    ("campaign text, sent unchanged", BASE, BASE),
    (
        "campaign text with a greeting around it",
        "Wir fordern: Der Bund muss die Förderprogramme für mittelständische Zulieferer "
        "vereinfachen.",
        BASE,
    ),
    (
        "typo",
        BASE,
        "Der Bund muss die Förderprogamme für mittelständische Zulieferer vereinfachen.",
    ),
    (
        "swapped letters",
        BASE,
        "Der Bund muss die Förderprogramme für mittelständische Zuleiferer vereinfachen.",
    ),
    (
        "filler word",
        BASE,
        "Der Bund muss unbedingt die Förderprogramme für mittelständische Zulieferer vereinfachen.",
    ),
    (
        "filler phrase",
        BASE,
        "Aus unserer Sicht muss der Bund die Förderprogramme für mittelständische Zulieferer "
        "vereinfachen.",
    ),
    (
        "other modal verb",
        BASE,
        "Der Bund sollte die Förderprogramme für mittelständische Zulieferer vereinfachen.",
    ),
    (
        "swapped clauses",
        "Der Bund muss die Förderprogramme vereinfachen, damit Zulieferer die Transformation "
        "bewältigen.",
        "Damit Zulieferer die Transformation bewältigen, muss der Bund die Förderprogramme "
        "vereinfachen.",
    ),
    (
        "object put first",
        BASE,
        "Die Förderprogramme für mittelständische Zulieferer muss der Bund vereinfachen!",
    ),
    (
        "punctuation, case and umlaut spelling",
        BASE,
        "der bund muss die foerderprogramme fuer mittelstaendische zulieferer vereinfachen",
    ),
    (
        "one more word in a longer demand",
        "Die Landesregierung muss Weiterbildungsverbünde in den Regionen dauerhaft finanzieren, "
        "weil sonst Arbeitsplätze verloren gehen.",
        "Die Landesregierung muss Weiterbildungsverbünde in den Regionen dauerhaft und "
        "verlässlich finanzieren, weil sonst Arbeitsplätze verloren gehen.",
    ),
    (
        "several small edits at once",
        "Die Netzagentur sollte die Netzentgelte für Produktionsstandorte deckeln, um die "
        "Wettbewerbsfähigkeit des Standorts zu sichern.",
        "Wir fordern: die Netzagentur muss aus unserer Sicht die Netzentgelte für "
        "Produktionsstandorte deckeln,um die Wettbewerbsfähigkeit des Standrots zu sichern",
    ),
    (
        "the EU as abbreviation and as adjective",
        "Die Batterieverordnung darf erst gelten, wenn die EU-Leitlinien zum Recycling vorliegen.",
        "Die Batterieverordnung darf erst gelten, wenn die europäischen Leitlinien zum "
        "Recycling vorliegen.",
    ),
    (
        "a Land by its abbreviation and its name",
        "Bauanträge für Werkshallen dauern in NRW zu lange; das Land braucht feste Fristen.",
        "Bauanträge für Werkshallen dauern in Nordrhein-Westfalen zu lange; das Land braucht "
        "feste Fristen.",
    ),
    (
        "the sender speaking of itself in other words",
        "Die Prüfpflichten für Druckbehälter sind für uns inzwischen teurer als die Wartung "
        "selbst und müssen gebündelt werden.",
        "Die Prüfpflichten für Druckbehälter sind für unser Unternehmen mittlerweile teurer "
        "als die Wartung selbst und müssen gebündelt werden.",
    ),
]

# (why they differ, point, a different demand in nearly the same words)
FALSE_FRIENDS: list[tuple[str, str, str]] = [
    (
        "another actor",
        "Der Bund muss die Förderprogramme für Zulieferer vereinfachen.",
        "Das Land muss die Förderprogramme für Zulieferer vereinfachen.",
    ),
    (
        "another actor and other specifics",
        "Der Bund muss die Förderprogramme für Zulieferer bis 2030 vereinfachen.",
        "Das Land muss die Förderprogramme für Zulieferer bis 2028 vereinfachen.",
    ),
    (
        "another year",
        "Die Mittel für Weiterbildungsverbünde müssen mindestens bis 2030 gesichert sein.",
        "Die Mittel für Weiterbildungsverbünde müssen mindestens bis 2035 gesichert sein.",
    ),
    (
        "another share",
        "Der Gesetzgeber muss die Recyclingquote für Batteriematerialien auf 80 Prozent festlegen.",
        "Der Gesetzgeber muss die Recyclingquote für Batteriematerialien auf 50 Prozent festlegen.",
    ),
    (
        "a number only one of them names",
        "Eine Evaluierung der Förderprogramme ist nach zwei Jahren vorzusehen.",
        "Eine Evaluierung der Förderprogramme ist vorzusehen.",
    ),
    (
        "negated",
        "Die EU-Kommission muss die Berichtspflichten für Zulieferer ausweiten.",
        "Die EU-Kommission muss die Berichtspflichten für Zulieferer nicht ausweiten.",
    ),
    (
        "another subject outside the list of actors",
        "Die Hochschulen müssen Innovationscluster zwischen Forschung und Betrieben in der "
        "Region dauerhaft stärken, damit neue Produkte schneller entstehen.",
        "Die Kammern müssen Innovationscluster zwischen Forschung und Betrieben in der "
        "Region dauerhaft stärken, damit neue Produkte schneller entstehen.",
    ),
    (
        "another verb in a short demand",
        "Der Bund muss die Stromsteuer senken.",
        "Der Bund muss die Stromsteuer abschaffen.",
    ),
    (
        "other products and places",
        "Die Bundesregierung muss Genehmigungsverfahren für neue Fertigungsanlagen "
        "beschleunigen. Das betrifft vor allem Kabelbäume, Zahnräder und Dichtungen im Raum "
        "Hagen.",
        "Die Bundesregierung muss Genehmigungsverfahren für neue Fertigungsanlagen "
        "beschleunigen. Das betrifft vor allem Sensormodule, Stanzteile und Dichtungen im Raum "
        "Siegen.",
    ),
    (
        "another Land",
        "Bauanträge für Werkshallen dauern in NRW zu lange; das Land braucht feste Fristen.",
        "Bauanträge für Werkshallen dauern in Hessen zu lange; das Land braucht feste Fristen.",
    ),
    (
        "the EU instead of the Bund",
        "Die europäischen Förderprogramme für Zulieferer müssen vereinfacht werden.",
        "Die Förderprogramme des Bundes für Zulieferer müssen vereinfacht werden.",
    ),
]
