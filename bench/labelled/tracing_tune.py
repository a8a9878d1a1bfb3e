"""A small tune set for `positions.analysis.tracing`, written for issue 20 before the code
changed: member statements as they arrive (split into points with
`positions.core.text.split_points`), and paragraphs a policy officer wrote from them.

It holds what the first measurement missed: demands phrased "Wir fordern, dass …" (whose
demand key was cut down to "wir fordern"), a campaign whose copies are split differently
(one member wrote a colon where the others wrote a full stop, so its copy is one point where
the others' are two), demands reworded in other words than the member's ("Energiekosten" for
"Strompreise"), look-alikes (another level of government, another year) and paragraphs that
rest on no point.

This is a TUNE set: failures on it were looked at while tuning. The held-out set is
`bench.labelled.statements_heldout`, written by someone else and only measured.

Labels name a statement and a phrase: every point of that statement containing the phrase
is a source (a campaign label lists every copy).
"""

from __future__ import annotations

from dataclasses import dataclass

from positions.core.text import split_points

CAMPAIGN = (
    "Die Netzentgelte für Produktionsstandorte müssen gedeckelt werden. Der Bund muss die "
    "Kosten des Netzausbaus stärker aus dem Haushalt finanzieren, weil die Betriebe sie sonst "
    "allein tragen."
)
CAMPAIGN_COLON = CAMPAIGN.replace("gedeckelt werden. Der Bund", "gedeckelt werden: Der Bund")

STATEMENTS: dict[str, str] = {
    "giesserei": "Wir fordern, dass die Strompreise für energieintensive Betriebe auf ein "
    "international wettbewerbsfähiges Niveau sinken. Unsere Gießerei zahlt doppelt so viel wie "
    "Wettbewerber in Frankreich.",
    "haerterei": "Wir fordern, dass der Bund die Umstellung von Gasöfen auf elektrische Öfen "
    "mit einem Investitionszuschuss fördert.",
    "schmiede": "Wir fordern, dass das Land die Umstellung von Gasöfen auf elektrische Öfen "
    "mit einem Investitionszuschuss fördert.",
    "bewilligung": "Wir fordern, dass Anträge auf Investitionszuschüsse innerhalb von drei "
    "Monaten bewilligt werden.\n\nWir fordern außerdem, dass der vorzeitige Maßnahmenbeginn "
    "generell erlaubt wird.",
    "bewilligung_2027": "Wir fordern, dass Förderanträge bis 2027 vollständig digital gestellt "
    "werden können.",
    "digital_2030": "Wir fordern, dass Förderanträge bis 2030 vollständig digital gestellt "
    "werden können.",
    "fachkraefte": "Es ist notwendig, dass ausländische Berufsabschlüsse in höchstens acht "
    "Wochen anerkannt werden.",
    "weiterbildung": "Wir setzen uns dafür ein, dass Weiterbildungsverbünde dauerhaft "
    "finanziert werden.",
    "lieferketten": "Die Berichtspflichten zur Nachhaltigkeit überfordern kleine Zulieferer. "
    "Wir fordern, dass Kunden dieselben Daten nur einmal und in einem einheitlichen Format "
    "abfragen.",
    "wasserstoff": "Das Wasserstoff-Kernnetz muss auch die Industriegebiete im Sauerland anbinden.",
    "energiekosten": "Die Energiekosten gefährden die Wettbewerbsfähigkeit unserer "
    "Kunststoffverarbeitung; sie müssen dauerhaft tragbar werden.",
    "stromsteuer_nein": "Eine Senkung der Stromsteuer lehnen wir ab, solange der Haushalt "
    "nicht ausgeglichen ist.",
    "kampagne_a": CAMPAIGN,
    "kampagne_b": CAMPAIGN,
    "kampagne_c": CAMPAIGN,
    "kampagne_d": CAMPAIGN_COLON,
    "ladeparks": "Für elektrische Lkw braucht es Ladeparks an den Autobahnen in NRW.",
    "breitband": "Gewerbegebiete brauchen bis 2026 Glasfaseranschlüsse.",
}

# Paragraph, and its sources as (statement, phrase in the point).
PARAGRAPHS: list[tuple[str, tuple[tuple[str, str], ...]]] = [
    (
        "Die Strompreise für energieintensive Betriebe müssen auf ein wettbewerbsfähiges "
        "Niveau sinken.",
        (("giesserei", "Strompreise"),),
    ),
    (
        "Der Bund soll Investitionen in elektrische Öfen, die Gasöfen ersetzen, bezuschussen.",
        (("haerterei", "Gasöfen"),),
    ),
    (
        "Über Anträge auf Investitionszuschüsse ist binnen drei Monaten zu entscheiden, und "
        "mit der Maßnahme muss vor dem Bescheid begonnen werden dürfen.",
        (("bewilligung", "drei Monaten"), ("bewilligung", "Maßnahmenbeginn")),
    ),
    (
        "Förderanträge müssen bis 2027 vollständig digital gestellt werden können.",
        (("bewilligung_2027", "2027"),),
    ),
    (
        "Berufsabschlüsse aus dem Ausland sind binnen acht Wochen anzuerkennen, und "
        "Weiterbildungsverbünde brauchen eine dauerhafte Finanzierung.",
        (("fachkraefte", "Berufsabschlüsse"), ("weiterbildung", "Weiterbildungsverbünde")),
    ),
    (
        "Kunden sollen Nachhaltigkeitsdaten ihrer Zulieferer nur einmal und einheitlich abfragen.",
        (("lieferketten", "einheitlichen"),),
    ),
    (
        "Die Netzentgelte für Produktionsstandorte sind zu deckeln; die Kosten des Netzausbaus "
        "soll der Bund stärker aus dem Haushalt tragen.",
        tuple(
            (name, phrase)
            for name in ("kampagne_a", "kampagne_b", "kampagne_c", "kampagne_d")
            for phrase in ("Netzentgelte", "Haushalt")
        ),
    ),
    (
        "Die Netzentgelte für Produktionsstandorte müssen gedeckelt werden.",
        tuple(
            (name, "Netzentgelte")
            for name in ("kampagne_a", "kampagne_b", "kampagne_c", "kampagne_d")
        ),
    ),
    (
        "Die Kosten für Strom bringen energieintensive Betriebe in Bedrängnis; die Energiekosten "
        "müssen auf ein international wettbewerbsfähiges Niveau sinken.",
        (("giesserei", "Strompreise"), ("energiekosten", "Energiekosten")),
    ),
    (
        "Industriegebiete im Sauerland gehören an das Wasserstoff-Kernnetz.",
        (("wasserstoff", "Sauerland"),),
    ),
    (
        "Die Stromsteuer muss auf das europäische Mindestmaß gesenkt werden.",
        (),
    ),
    (
        "Die Kommunen sollten ihre Gewerbesteuerhebesätze senken, um Betriebe zu halten.",
        (),
    ),
    (
        "Gewerbegebiete brauchen bis 2030 Glasfaseranschlüsse.",
        (),
    ),
    (
        "Für elektrische Busse im Nahverkehr braucht es Betriebshöfe mit Ladeinfrastruktur.",
        (),
    ),
]


@dataclass(frozen=True)
class TuneSet:
    points: list[str]
    owners: list[str]  # the statement of each point
    paragraphs: list[str]
    sources: list[frozenset[int]]


def build() -> TuneSet:
    """The statements split into points, and the point indices each paragraph rests on."""
    points: list[str] = []
    owners: list[str] = []
    for name, statement in STATEMENTS.items():
        for point in split_points(statement):
            points.append(point)
            owners.append(name)
    sources = []
    for _, labels in PARAGRAPHS:
        found = set()
        for name, phrase in labels:
            matching = [
                i for i, point in enumerate(points) if owners[i] == name and phrase in point
            ]
            if not matching:
                raise ValueError(f"no point of {name} contains {phrase!r}")
            found.update(matching)
        sources.append(frozenset(found))
    return TuneSet(points, owners, [paragraph for paragraph, _ in PARAGRAPHS], sources)
