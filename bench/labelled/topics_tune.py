"""TUNE set for topic clustering (`bench.topics`): 80 statements of a call on industrial
policy, their points labelled with one of 9 themes, written before the clustering was
changed. Tuning may look at its failures; the held-out set (`statements_heldout`) is only
measured.

What it holds:
- each theme in 7 to 10 wordings by different members (paraphrases, other words for the
  same demand: "Netzentgelte" / "Kosten für die Stromnetze"), often with a member's own
  opening or reason around it;
- campaign copies: near-duplicates of one wording with small edits (`near_duplicates`);
- look-alikes: a wording with another addressee, year or stance (`look_alikes`): one theme,
  never merged into one point;
- one member's long statement (statement 80) of 16 points in its own vocabulary, each point
  on one of the themes: it must not form a topic of its own.

Statements are built deterministically: statement i takes wordings of two or three themes
in rotation, so a theme's wordings come from many members.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class LabelledPoint:
    text: str
    theme: str


@dataclass(frozen=True)
class LabelledStatement:
    organisation: str
    points: tuple[LabelledPoint, ...]


@dataclass(frozen=True)
class TopicSet:
    statements: tuple[LabelledStatement, ...]
    # Pairs of (statement index, point index) within `statements`.
    near_duplicates: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = ()
    look_alikes: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = ()
    themes: tuple[str, ...] = field(default=())


WORDINGS: dict[str, tuple[str, ...]] = {
    "netzentgelte": (
        "Wir fordern, dass die Netzentgelte für die Industrie gesenkt werden.",
        "Die Kosten für die Stromnetze belasten unsere Betriebe übermäßig; der Staat sollte "
        "einen Zuschuss zu den Übertragungsnetzentgelten zahlen.",
        "Energieintensive Unternehmen brauchen niedrigere Entgelte für die Netznutzung, sonst "
        "wandert die Produktion ab.",
        "Ein Bundeszuschuss zu den Netzkosten würde die Strompreise für Gewerbe und Industrie "
        "spürbar dämpfen.",
        "Die steigenden Netzgebühren sind für unsere Gießerei kaum noch zu tragen.",
        "Bitte setzen Sie sich für eine Deckelung der Netzentgelte ein.",
        "Der Netzausbau darf nicht allein über die Stromrechnung der Betriebe finanziert werden.",
        "Wir plädieren für eine Entlastung bei den Netzentgelten, damit der Standort "
        "wettbewerbsfähig bleibt.",
        "Die Umlage der Netzkosten auf die Verbraucher im Norden ist ungerecht; die Entgelte "
        "müssen bundesweit vereinheitlicht und gesenkt werden.",
    ),
    "fachkraefte": (
        "Die Zuwanderung von Fachkräften aus Drittstaaten muss einfacher werden.",
        "Visaverfahren für ausländische Facharbeiter dauern viel zu lange.",
        "Uns fehlen Elektriker und Mechatroniker; die Anerkennung ausländischer Abschlüsse "
        "sollte in wenigen Wochen erledigt sein.",
        "Wir fordern, dass die Berufsausbildung im Handwerk gestärkt und besser vergütet wird.",
        "Ohne qualifizierte Arbeitskräfte können wir offene Aufträge nicht annehmen.",
        "Die Ausländerbehörden brauchen mehr Personal, damit Arbeitsvisa schneller erteilt werden.",
        "Weiterbildung der Beschäftigten für neue Technologien sollte staatlich gefördert werden.",
        "Der Mangel an Personal in der Produktion gefährdet unser Wachstum.",
    ),
    "buerokratie": (
        "Die Berichtspflichten zur Nachhaltigkeit überfordern kleine und mittlere Unternehmen.",
        "Wir fordern, dass Dokumentationspflichten gestrichen werden, die niemand liest.",
        "Der Verwaltungsaufwand durch Statistikmeldungen muss deutlich sinken.",
        "Das Lieferkettengesetz verursacht enormen bürokratischen Aufwand und sollte "
        "ausgesetzt werden.",
        "Formulare, Nachweise und Meldungen fressen inzwischen ganze Stellen in unserer "
        "Verwaltung.",
        "Für Betriebe unter 250 Beschäftigten braucht es Ausnahmen von der "
        "Nachhaltigkeitsberichterstattung.",
        "Ein Bürokratieentlastungsgesetz mit echten Streichungen ist überfällig.",
        "Jede neue Vorschrift sollte eine alte ersetzen (one in, two out).",
    ),
    "genehmigung": (
        "Genehmigungsverfahren für Industrieanlagen müssen beschleunigt werden.",
        "Bis wir eine immissionsschutzrechtliche Genehmigung haben, vergehen oft zwei Jahre.",
        "Die Behörden sollten verbindliche Fristen für Bescheide einhalten müssen.",
        "Planungs- und Zulassungsverfahren dauern in Deutschland zu lange; wir brauchen "
        "eine Stichtagsregelung und digitale Antragsverfahren.",
        "Für den Bau einer neuen Produktionshalle haben wir 26 Monate auf die Baugenehmigung "
        "gewartet.",
        "Eine Genehmigungsfiktion nach drei Monaten würde Investitionen erheblich erleichtern.",
        "Wir fordern, dass Genehmigungen für Windräder und Solarparks schneller erteilt werden.",
        "Die Zulassung von Anlagen scheitert oft an überlasteten Ämtern.",
    ),
    "wasserstoff": (
        "Der Aufbau eines Wasserstoffnetzes muss zügig vorangetrieben werden.",
        "Unsere Stahlproduktion kann nur mit grünem Wasserstoff klimaneutral werden; dafür "
        "braucht es ein Kernnetz bis 2032.",
        "Elektrolyseure sollten von Abgaben auf den Strombezug befreit werden.",
        "Die Importstrategie für Wasserstoff muss mit konkreten Partnerschaften unterlegt werden.",
        "Wir benötigen Planungssicherheit, wann H2-Leitungen unsere Region erreichen.",
        "Klimaschutzverträge sollten auch den Umstieg auf Wasserstoff im Mittelstand fördern.",
        "Ohne bezahlbaren Wasserstoff ist die Dekarbonisierung der Chemie nicht zu schaffen.",
        "Der Anschluss von Gewerbegebieten an die Wasserstoffleitungen muss früh geplant werden.",
    ),
    "digital": (
        "Der Breitbandausbau in ländlichen Gewerbegebieten kommt nicht voran.",
        "Wir fordern, dass Glasfaseranschlüsse für alle Betriebe bis 2028 verfügbar sind.",
        "Ohne schnelles Internet können wir keine Cloud-Lösungen und Fernwartung nutzen.",
        "Die Förderung der Digitalisierung kleiner Betriebe sollte unbürokratisch ausgezahlt "
        "werden.",
        "Funklöcher entlang unserer Logistikrouten behindern die vernetzte Produktion.",
        "Programme für IT-Sicherheit im Mittelstand müssen ausgebaut werden, denn "
        "Cyberangriffe nehmen zu.",
        "Die Verwaltung muss endlich digitale Anträge ermöglichen statt Papierformularen.",
        "Der Mobilfunkstandard 5G muss auch in Industriegebieten abseits der Städte ankommen.",
    ),
    "abwaerme": (
        "Die Nutzung industrieller Abwärme sollte stärker gefördert werden.",
        "Unsere Prozesswärme könnte ein ganzes Wohngebiet heizen, doch der Anschluss an das "
        "Fernwärmenetz rechnet sich nicht.",
        "Wir fordern ein Förderprogramm für Wärmetauscher und Wärmepumpen in Produktionsbetrieben.",
        "Die Einspeisung von Restwärme in kommunale Wärmenetze muss vergütet werden.",
        "Abwärme aus Rechenzentren und Fabriken bleibt ungenutzt, weil Stadtwerke keine "
        "Abnahme garantieren.",
        "Ein Abwärmekataster würde helfen, Quellen und Abnehmer zusammenzubringen.",
        "Pilotprojekte zur Abwärmenutzung brauchen eine verlässliche Anschubfinanzierung.",
    ),
    "laden": (
        "Für elektrische Lkw fehlen Schnellladepunkte an den Autobahnen.",
        "Wir fordern, dass der Ausbau der Ladeinfrastruktur für Nutzfahrzeuge beschleunigt wird.",
        "Unsere Spedition würde auf E-Lkw umsteigen, wenn es genug Ladesäulen auf den "
        "Betriebshöfen gäbe.",
        "Der Netzanschluss für Ladeparks auf dem Firmengelände dauert über ein Jahr.",
        "Megawatt-Ladestationen entlang der Transitkorridore müssen jetzt geplant werden.",
        "Die Förderung von Ladesäulen für Firmenflotten sollte fortgesetzt werden.",
        "Elektromobilität im Güterverkehr scheitert bisher an fehlenden Lademöglichkeiten.",
    ),
    "steuern": (
        "Die degressive Abschreibung für Maschinen muss dauerhaft eingeführt werden.",
        "Wir fordern eine Senkung der Unternehmenssteuern auf ein international "
        "wettbewerbsfähiges Niveau von 25 Prozent.",
        "Investitionen in klimafreundliche Anlagen sollten sofort steuerlich abgesetzt "
        "werden können.",
        "Die steuerliche Forschungszulage sollte erhöht und vereinfacht werden.",
        "Eine Investitionsprämie würde den Modernisierungsstau in den Betrieben auflösen.",
        "Die Gewerbesteuer belastet ertragsschwache Jahre zu stark; Verluste müssen besser "
        "verrechnet werden können.",
        "Die Stromsteuer für das produzierende Gewerbe muss auf das europäische Minimum "
        "gesenkt werden.",
    ),
}

# Openings and reasons members put around a demand; they make points of one member alike.
OPENINGS = (
    "",
    "Aus Sicht unserer Mitgliedsbetriebe gilt: ",
    "",
    "Als mittelständischer Familienbetrieb sehen wir das so: ",
    "",
    "",
    "Ganz konkret: ",
    "",
)

# A campaign: near-duplicates of one wording (small edits), sent by several members.
CAMPAIGN = (
    "Wir fordern, dass die Netzentgelte für die Industrie gesenkt werden.",
    "Wir fordern, dass die Netzentgelte für die Industrie deutlich gesenkt werden.",
    "Wir fordern, dass die Netzentgelte für die Industrie gesenkt werden!",
    "Wir fordern daher, dass die Netzentgelte für die Industrie gesenkt werden.",
)

# Look-alikes: one wording and a variant with another addressee, year or stance.
LOOK_ALIKES = (
    (
        "Der Bund muss die Förderprogramme für Abwärmenutzung bis 2030 vereinfachen.",
        "Das Land muss die Förderprogramme für Abwärmenutzung bis 2030 vereinfachen.",
        "abwaerme",
    ),
    (
        "Glasfaseranschlüsse müssen für alle Gewerbegebiete bis 2028 verfügbar sein.",
        "Glasfaseranschlüsse müssen für alle Gewerbegebiete bis 2035 verfügbar sein.",
        "digital",
    ),
    (
        "Wir fordern, dass die Stromsteuer für das produzierende Gewerbe gesenkt wird.",
        "Wir fordern nicht, dass die Stromsteuer für das produzierende Gewerbe gesenkt wird.",
        "steuern",
    ),
)

# One member's long statement: many points in its own recurring vocabulary ("unser Werk
# in Sachsen-Anhalt", "Chemiepark"), each about one theme.
LONG_STATEMENT = (
    (
        "Für unser Werk im Chemiepark Sachsen-Anhalt sind die Netzentgelte inzwischen der "
        "größte Kostenblock nach dem Rohstoff; sie müssen sinken.",
        "netzentgelte",
    ),
    (
        "Unser Werk im Chemiepark Sachsen-Anhalt zahlt höhere Netzentgelte als vergleichbare "
        "Standorte im Süden, das verzerrt den Wettbewerb.",
        "netzentgelte",
    ),
    (
        "Im Chemiepark Sachsen-Anhalt finden wir kaum noch Chemikanten; die Einwanderung von "
        "Fachkräften muss erleichtert werden.",
        "fachkraefte",
    ),
    (
        "Unser Werk im Chemiepark meldet jedes Jahr Hunderte Kennzahlen an Behörden; diese "
        "Berichtspflichten sollten gebündelt werden.",
        "buerokratie",
    ),
    (
        "Für die Erweiterung unseres Werks im Chemiepark Sachsen-Anhalt warten wir seit drei "
        "Jahren auf die Genehmigung.",
        "genehmigung",
    ),
    (
        "Der Chemiepark Sachsen-Anhalt braucht einen frühen Anschluss an das Wasserstoff-Kernnetz.",
        "wasserstoff",
    ),
    (
        "Unser Werk im Chemiepark Sachsen-Anhalt will Wasserstoff vor Ort erzeugen, doch die "
        "Abgaben auf den Strom für die Elektrolyse machen das unwirtschaftlich.",
        "wasserstoff",
    ),
    (
        "Die Glasfaser endet am Tor des Chemieparks Sachsen-Anhalt; unser Werk ist auf "
        "Richtfunk angewiesen.",
        "digital",
    ),
    (
        "Die Abwärme unseres Werks im Chemiepark Sachsen-Anhalt könnte die Nachbargemeinde "
        "heizen, wenn der Bau der Leitung gefördert würde.",
        "abwaerme",
    ),
    (
        "Der Werksverkehr im Chemiepark Sachsen-Anhalt soll elektrisch werden, aber für die Lkw "
        "fehlen Ladepunkte.",
        "laden",
    ),
    (
        "Die Abschreibungsregeln bremsen die Modernisierung unseres Werks im Chemiepark "
        "Sachsen-Anhalt; wir brauchen eine Sofortabschreibung.",
        "steuern",
    ),
    (
        "Unser Werk im Chemiepark Sachsen-Anhalt leidet unter den Dokumentationspflichten des "
        "Lieferkettengesetzes.",
        "buerokratie",
    ),
    (
        "Für unser Werk im Chemiepark Sachsen-Anhalt sind Visaverfahren für Ingenieure aus "
        "Indien viel zu langsam.",
        "fachkraefte",
    ),
    (
        "Jede Änderung an einer Anlage in unserem Werk im Chemiepark Sachsen-Anhalt löst ein "
        "neues Genehmigungsverfahren aus; das muss schneller gehen.",
        "genehmigung",
    ),
    (
        "Die Stromsteuer trifft unser Werk im Chemiepark Sachsen-Anhalt hart und sollte auf "
        "das EU-Minimum sinken.",
        "steuern",
    ),
    (
        "Im Chemiepark Sachsen-Anhalt wollen wir Ladesäulen für die Lkw unserer Lieferanten "
        "bauen, doch der Netzanschluss fehlt.",
        "laden",
    ),
)

THEMES = tuple(WORDINGS)
REGULAR_STATEMENTS = 70  # then 6 campaign statements, 3 look-alike pairs, the long one


def load() -> TopicSet:
    """The tune set (see the module docstring)."""
    statements: list[LabelledStatement] = []
    used = dict.fromkeys(THEMES, 0)
    for i in range(REGULAR_STATEMENTS):
        count = 2 + (i % 2)
        themes = [THEMES[(i * 2 + k * 4) % len(THEMES)] for k in range(count)]
        points = []
        for k, theme in enumerate(dict.fromkeys(themes)):
            wordings = WORDINGS[theme]
            wording = wordings[used[theme] % len(wordings)]
            used[theme] += 1
            opening = OPENINGS[(i + k) % len(OPENINGS)]
            text = opening + (wording[0].lower() + wording[1:] if opening else wording)
            points.append(LabelledPoint(text, theme))
        statements.append(LabelledStatement(f"Mitglied {i + 1}", tuple(points)))
    near: list[tuple[tuple[int, int], tuple[int, int]]] = []
    campaign: list[tuple[int, int]] = []
    for k in range(6):
        text = CAMPAIGN[k % len(CAMPAIGN)]
        extra = LabelledPoint(WORDINGS["laden"][k % len(WORDINGS["laden"])], "laden")
        statements.append(
            LabelledStatement(
                f"Kampagnenmitglied {k + 1}", (LabelledPoint(text, "netzentgelte"), extra)
            )
        )
        campaign.append((len(statements) - 1, 0))
    for a in range(len(campaign)):
        for b in range(a + 1, len(campaign)):
            near.append((campaign[a], campaign[b]))
    looks: list[tuple[tuple[int, int], tuple[int, int]]] = []
    for k, (first, second, theme) in enumerate(LOOK_ALIKES):
        statements.append(LabelledStatement(f"Verband A{k + 1}", (LabelledPoint(first, theme),)))
        statements.append(LabelledStatement(f"Verband B{k + 1}", (LabelledPoint(second, theme),)))
        looks.append(((len(statements) - 2, 0), (len(statements) - 1, 0)))
    statements.append(
        LabelledStatement(
            "Chemiewerk Sachsen-Anhalt",
            tuple(LabelledPoint(text, theme) for text, theme in LONG_STATEMENT),
        )
    )
    return TopicSet(tuple(statements), tuple(near), tuple(looks), THEMES)
