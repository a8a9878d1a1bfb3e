"""Pairs of member points for deduplication, written before `positions.analysis.dedupe`
gained its sentence and look-alike rules (2026-12-05), in two parts:

- part A (`TUNE`): may be looked at, and rules adjusted to its failures;
- part B (`CHECK`): written at the same time, by the same hand, only measured at the end.

Each part holds three kinds of pairs:

- `near_duplicates`: one demand as two members sent it: a campaign text with the sender's
  details inserted, sentences reordered, a colon instead of a full stop, a greeting or closing
  added, typos, a copy that drops a sentence of reasons;
- `look_alikes`: nearly the same words, a different demand (negation, another figure or year,
  another level of government, another place, another verb of the measure, another group of
  beneficiaries, fixed-term against permanent); never to be merged;
- `unrelated`: two points on one theme that are different demands; never to be merged.

All companies, places and figures are fictional. Not copied from any held-out set.
"""

from __future__ import annotations

from dataclasses import dataclass

Pair = tuple[str, str, str]  # (kind, one point, the other)


@dataclass(frozen=True)
class DedupePairs:
    near_duplicates: tuple[Pair, ...]
    look_alikes: tuple[Pair, ...]
    unrelated: tuple[Pair, ...]


# --- part A: tune --------------------------------------------------------------------------

_NEAR_A: tuple[Pair, ...] = (
    (
        "company details inserted",
        "Wir fordern, dass der Bund die Netzentgelte für energieintensive Betriebe dauerhaft "
        "senkt. Nur so bleiben Produktionsstandorte in Deutschland wettbewerbsfähig.",
        "Als Gießerei mit 240 Beschäftigten in Lüdenscheid fordern wir, dass der Bund die "
        "Netzentgelte für energieintensive Betriebe dauerhaft senkt. Nur so bleiben "
        "Produktionsstandorte in Deutschland wettbewerbsfähig.",
    ),
    (
        "company introduction sentence added",
        "Die Bundesregierung muss die Stromsteuer für das produzierende Gewerbe auf das "
        "europäische Mindestmaß senken.",
        "Wir sind ein familiengeführter Kunststoffverarbeiter aus Gummersbach mit 85 "
        "Mitarbeitenden. Die Bundesregierung muss die Stromsteuer für das produzierende Gewerbe "
        "auf das europäische Mindestmaß senken.",
    ),
    (
        "colon instead of full stop",
        "Die Genehmigungsverfahren dauern zu lange. Das Land muss Genehmigungen für "
        "Erweiterungsbauten innerhalb von sechs Monaten erteilen.",
        "Die Genehmigungsverfahren dauern zu lange: Das Land muss Genehmigungen für "
        "Erweiterungsbauten innerhalb von sechs Monaten erteilen.",
    ),
    (
        "greeting and closing added",
        "Der Bund muss die Förderung der Ausbildungsverbünde für Metallberufe verstetigen.",
        "Sehr geehrte Damen und Herren, der Bund muss die Förderung der Ausbildungsverbünde für "
        "Metallberufe verstetigen. Mit freundlichen Grüßen",
    ),
    (
        "sentences reordered",
        "Viele Zulieferer können die Umstellung nicht allein finanzieren. Der Bund muss einen "
        "Transformationsfonds für Zulieferbetriebe auflegen.",
        "Der Bund muss einen Transformationsfonds für Zulieferbetriebe auflegen. Viele "
        "Zulieferer können die Umstellung nicht allein finanzieren.",
    ),
    (
        "typos",
        "Die Landesregierung muss die Anerkennung ausländischer Berufsabschlüsse deutlich "
        "beschleunigen.",
        "Die Landesregierng muss die Anerkennung ausländischer Berufsabschlüse deutlich "
        "beschleunigen.",
    ),
    (
        "reason sentence dropped",
        "Die EU-Kommission muss die Berichtspflichten der Taxonomie für mittelständische "
        "Unternehmen deutlich vereinfachen. Der Aufwand bindet in vielen Betrieben eine volle "
        "Stelle. Die Berichte liest am Ende kaum jemand.",
        "Die EU-Kommission muss die Berichtspflichten der Taxonomie für mittelständische "
        "Unternehmen deutlich vereinfachen. Der Aufwand bindet in vielen Betrieben eine volle "
        "Stelle.",
    ),
    (
        "support sentence and company name",
        "Die Kommunen müssen Gewerbeflächen für Erweiterungen ansässiger Betriebe schneller "
        "ausweisen.",
        "Die Müller Stanztechnik GmbH unterstützt die Position des Verbands ausdrücklich. Die "
        "Kommunen müssen Gewerbeflächen für Erweiterungen ansässiger Betriebe schneller "
        "ausweisen.",
    ),
    (
        "own figure in a reason sentence",
        "Wir fordern, dass das Land die Breitbandförderung für Gewerbegebiete fortsetzt. Ohne "
        "Glasfaser können wir keine vernetzte Fertigung aufbauen.",
        "Wir fordern, dass das Land die Breitbandförderung für Gewerbegebiete fortsetzt. Ohne "
        "Glasfaser können wir keine vernetzte Fertigung aufbauen. Unser Standort hat heute nur "
        "16 Mbit/s.",
    ),
    (
        "wir fordern dass with inserted adverbs",
        "Wir fordern, dass der Bund die Sonderabschreibungen für klimafreundliche Anlagen "
        "verlängert.",
        "Wir fordern nachdrücklich, dass der Bund die Sonderabschreibungen für klimafreundliche "
        "Anlagen verlängert.",
    ),
    (
        "closing with contact offer",
        "Die Bundesnetzagentur muss Netzbetreiber verpflichten, Anfragen für Netzanschlüsse "
        "innerhalb von acht Wochen zu beantworten.",
        "Die Bundesnetzagentur muss Netzbetreiber verpflichten, Anfragen für Netzanschlüsse "
        "innerhalb von acht Wochen zu beantworten. Für Rückfragen stehen wir Ihnen gerne zur "
        "Verfügung.",
    ),
    (
        "passive instead of active, same words",
        "Die Meisterausbildung muss vom Land vollständig kostenfrei gestellt werden.",
        "Die Meisterausbildung muss vom Land vollständig kostenfrei gestellt werden!",
    ),
    (
        "campaign copy with region inserted",
        "Der Bund muss den Industriestrompreis für energieintensive Mittelständler befristet "
        "auf fünf Jahre einführen.",
        "Der Bund muss den Industriestrompreis für energieintensive Mittelständler wie uns in "
        "Südwestfalen befristet auf fünf Jahre einführen.",
    ),
    (
        "comma splice and line break",
        "Die Förderbanken müssen Bürgschaften für Investitionen in neue Produkte ausweiten. Das "
        "hilft gerade kleinen Zulieferern.",
        "Die Förderbanken müssen Bürgschaften für Investitionen in neue Produkte ausweiten,\ndas "
        "hilft gerade kleinen Zulieferern.",
    ),
    (
        "headline added",
        "Das Land muss die Meistergründungsprämie auf 15.000 Euro anheben.",
        "Gründungen im Handwerk stärken: Das Land muss die Meistergründungsprämie auf 15.000 "
        "Euro anheben.",
    ),
    (
        "long campaign text with company paragraph",
        "Der Ausbau der Stromnetze hält mit dem Bedarf der Industrie nicht Schritt. Die "
        "Bundesregierung muss den Netzausbau in Industrieregionen priorisieren und die "
        "Planungsverfahren verkürzen. Betriebe, die auf Elektroöfen umstellen wollen, warten "
        "heute Jahre auf einen Anschluss.",
        "Der Ausbau der Stromnetze hält mit dem Bedarf der Industrie nicht Schritt. Die "
        "Bundesregierung muss den Netzausbau in Industrieregionen priorisieren und die "
        "Planungsverfahren verkürzen. Betriebe, die auf Elektroöfen umstellen wollen, warten "
        "heute Jahre auf einen Anschluss. Wir selbst haben 2024 einen Anschluss beantragt und "
        "warten noch immer.",
    ),
    (
        "umlaut spelling and typo",
        "Die Bundesregierung muss die Förderprogramme für Digitalisierung im Mittelstand bündeln.",
        "Die Bundesregierung muss die Foerderprogramme fuer Digitalisierung im Mittelstand "
        "buendeln",
    ),
    (
        "member name in a parenthesis",
        "Die Kommunen sollen die Gewerbesteuerhebesätze für drei Jahre nicht erhöhen.",
        "Die Kommunen (so auch unsere Stadt Menden) sollen die Gewerbesteuerhebesätze für drei "
        "Jahre nicht erhöhen.",
    ),
    (
        "closing sentence of thanks",
        "Das Land muss Azubi-Tickets für Berufsschüler im ländlichen Raum vollständig finanzieren.",
        "Das Land muss Azubi-Tickets für Berufsschüler im ländlichen Raum vollständig "
        "finanzieren. Vielen Dank für die Berücksichtigung unserer Anliegen.",
    ),
    (
        "shortened, one sentence of detail dropped",
        "Der Bund muss die Kurzarbeit in der Transformation mit Weiterbildung verbinden. Die "
        "Kosten der Weiterbildung sollen zur Hälfte erstattet werden. Das hat sich in der "
        "Krise bewährt.",
        "Der Bund muss die Kurzarbeit in der Transformation mit Weiterbildung verbinden. Die "
        "Kosten der Weiterbildung sollen zur Hälfte erstattet werden.",
    ),
)

_NEAR_A_LATER: tuple[Pair, ...] = (
    # Added to part A while tuning (part B was not changed).
    (
        "synonym exchanged in a short demand",
        "Das Land muss Betriebe bei der Fachkräftesicherung schneller beraten.",
        "Das Land muss Unternehmen bei der Fachkräftesicherung zügiger beraten.",
    ),
    (
        "Beschäftigte and Mitarbeitende",
        "Der Bund muss Weiterbildung für Beschäftigte in der Transformation fördern.",
        "Der Bund muss Weiterbildung für Mitarbeitende in der Transformation fördern.",
    ),
)

_LOOK_A: tuple[Pair, ...] = (
    (
        "negation in wir fordern dass",
        "Wir fordern, dass der Bund die Netzentgelte für energieintensive Betriebe senkt.",
        "Wir fordern nicht, dass der Bund die Netzentgelte für energieintensive Betriebe senkt.",
    ),
    (
        "keine",
        "Die EU muss neue Berichtspflichten für Zulieferer einführen.",
        "Die EU muss keine neuen Berichtspflichten für Zulieferer einführen.",
    ),
    (
        "other place",
        "Der Bund muss Ladepunkte für E-Lkw an Autobahnen schneller genehmigen.",
        "Der Bund muss Ladepunkte für E-Lkw in Gewerbegebieten schneller genehmigen.",
    ),
    (
        "other verb beantworten umsetzen",
        "Die Netzbetreiber müssen Anfragen für Netzanschlüsse innerhalb von acht Wochen "
        "beantworten.",
        "Die Netzbetreiber müssen Anfragen für Netzanschlüsse innerhalb von acht Wochen umsetzen.",
    ),
    (
        "aussetzen abschaffen",
        "Die Bundesregierung muss die CO2-Bepreisung für Prozesswärme aussetzen.",
        "Die Bundesregierung muss die CO2-Bepreisung für Prozesswärme abschaffen.",
    ),
    (
        "einführen abschaffen",
        "Das Land muss eine Ausbildungsplatzumlage für Industriebetriebe einführen.",
        "Das Land muss eine Ausbildungsplatzumlage für Industriebetriebe abschaffen.",
    ),
    (
        "senken nicht erhöhen",
        "Die Kommunen müssen die Gewerbesteuer für Industriebetriebe senken.",
        "Die Kommunen dürfen die Gewerbesteuer für Industriebetriebe nicht erhöhen.",
    ),
    (
        "befristet unbefristet",
        "Der Bund muss den Industriestrompreis für energieintensive Betriebe befristet einführen.",
        "Der Bund muss den Industriestrompreis für energieintensive Betriebe unbefristet "
        "einführen.",
    ),
    (
        "KMU alle Unternehmen",
        "Die Bundesregierung muss die Stromsteuer für KMU auf das europäische Mindestmaß senken.",
        "Die Bundesregierung muss die Stromsteuer für alle Unternehmen auf das europäische "
        "Mindestmaß senken.",
    ),
    (
        "other year",
        "Die EU muss das Verbrenner-Aus für Nutzfahrzeuge auf 2040 verschieben.",
        "Die EU muss das Verbrenner-Aus für Nutzfahrzeuge auf 2045 verschieben.",
    ),
    (
        "Bund Land",
        "Wir fordern, dass der Bund die Meisterausbildung vollständig kostenfrei stellt.",
        "Wir fordern, dass das Land die Meisterausbildung vollständig kostenfrei stellt.",
    ),
    (
        "EU Bund",
        "Die EU muss die Einfuhrzölle auf Aluminium aus Drittstaaten senken.",
        "Der Bund muss die Einfuhrzölle auf Aluminium aus Drittstaaten senken.",
    ),
    (
        "other figure",
        "Das Land muss die Meistergründungsprämie auf 15.000 Euro anheben.",
        "Das Land muss die Meistergründungsprämie auf 20.000 Euro anheben.",
    ),
    (
        "Großunternehmen mittelständische",
        "Der Bund muss die Investitionsprämie für mittelständische Unternehmen verlängern.",
        "Der Bund muss die Investitionsprämie für Großunternehmen verlängern.",
    ),
    (
        "other place in long text",
        "Das Land muss die Bahnanbindung der Industriegebiete im Sauerland verbessern, damit "
        "Betriebe mehr Güter auf die Schiene verlagern können.",
        "Das Land muss die Bahnanbindung der Industriegebiete im Ruhrgebiet verbessern, damit "
        "Betriebe mehr Güter auf die Schiene verlagern können.",
    ),
    (
        "erhöhen senken",
        "Der Bund muss die Förderquote für Weiterbildung in der Transformation erhöhen.",
        "Der Bund muss die Förderquote für Weiterbildung in der Transformation senken.",
    ),
    (
        "verlängern beenden",
        "Die Bundesregierung muss das Kurzarbeitergeld in der Transformation verlängern.",
        "Die Bundesregierung muss das Kurzarbeitergeld in der Transformation beenden.",
    ),
    (
        "lehnen ab",
        "Wir unterstützen den geplanten Transformationsfonds für Zulieferbetriebe des Bundes.",
        "Wir lehnen den geplanten Transformationsfonds für Zulieferbetriebe des Bundes ab.",
    ),
    (
        "Kommunen Land",
        "Die Kommunen müssen Gewerbeflächen für Erweiterungen ansässiger Betriebe schneller "
        "ausweisen.",
        "Das Land muss Gewerbeflächen für Erweiterungen ansässiger Betriebe schneller ausweisen.",
    ),
    (
        "ausweiten begrenzen",
        "Die EU muss die Ausnahmen vom CO2-Grenzausgleich für kleine Importeure ausweiten.",
        "Die EU muss die Ausnahmen vom CO2-Grenzausgleich für kleine Importeure begrenzen.",
    ),
)

_UNRELATED_A: tuple[Pair, ...] = (
    (
        "energy: taxes and grids",
        "Die Bundesregierung muss die Stromsteuer für das produzierende Gewerbe senken.",
        "Die Bundesregierung muss den Ausbau der Stromnetze in Industrieregionen beschleunigen.",
    ),
    (
        "skills: apprenticeships and foreign degrees",
        "Das Land muss Ausbildungsverbünde für Metallberufe dauerhaft fördern.",
        "Das Land muss die Anerkennung ausländischer Berufsabschlüsse beschleunigen.",
    ),
    (
        "bureaucracy: reports and forms",
        "Die EU muss die Berichtspflichten für mittelständische Unternehmen vereinfachen.",
        "Die EU muss Förderanträge für mittelständische Unternehmen digital ermöglichen.",
    ),
    (
        "permits: buildings and emissions",
        "Das Land muss Baugenehmigungen für Hallenerweiterungen schneller erteilen.",
        "Das Land muss immissionsschutzrechtliche Genehmigungen für neue Anlagen schneller "
        "erteilen.",
    ),
    (
        "hydrogen: supply and grid",
        "Der Bund muss grünen Wasserstoff für die Industrie in ausreichender Menge bereitstellen.",
        "Der Bund muss ein Wasserstoffkernnetz bis in die Industriegebiete des Mittelstands bauen.",
    ),
    (
        "funding: fund and guarantees",
        "Der Bund muss einen Transformationsfonds für Zulieferbetriebe auflegen.",
        "Der Bund muss Bürgschaften für Zulieferbetriebe in der Transformation ausweiten.",
    ),
    (
        "digital: broadband and cyber",
        "Das Land muss die Breitbandförderung für Gewerbegebiete fortsetzen.",
        "Das Land muss Betriebe bei der Absicherung ihrer IT gegen Cyberangriffe beraten.",
    ),
    (
        "trade: tariffs and supply chains",
        "Die EU muss die Einfuhrzölle auf Aluminium aus Drittstaaten senken.",
        "Die EU muss Lieferketten für Halbleiter in Europa absichern.",
    ),
    (
        "transport: rail and trucks",
        "Das Land muss die Bahnanbindung von Industriegebieten verbessern.",
        "Das Land muss Lkw-Stellplätze an Industriegebieten ausbauen.",
    ),
    (
        "energy: same reason, other demand",
        "Die Energiekosten gefährden unsere Wettbewerbsfähigkeit. Der Bund muss die "
        "Netzentgelte deckeln.",
        "Die Energiekosten gefährden unsere Wettbewerbsfähigkeit. Der Bund muss die "
        "Gasspeicherumlage abschaffen.",
    ),
    (
        "skills: same intro, other demand",
        "Wir sind ein Zulieferer aus Hagen mit 120 Beschäftigten. Das Land muss die "
        "Berufsschulen besser ausstatten.",
        "Wir sind ein Zulieferer aus Hagen mit 120 Beschäftigten. Das Land muss mehr "
        "Studienplätze in Elektrotechnik schaffen.",
    ),
    (
        "tax: depreciation and research",
        "Der Bund muss Sonderabschreibungen für klimafreundliche Anlagen ermöglichen.",
        "Der Bund muss die steuerliche Forschungsförderung für Mittelständler ausweiten.",
    ),
    (
        "procurement: climate and SMEs",
        "Die Kommunen müssen öffentliche Aufträge an Klimakriterien binden.",
        "Die Kommunen müssen öffentliche Aufträge in kleinere Lose für Mittelständler teilen.",
    ),
)

# --- part B: measured only -----------------------------------------------------------------

_NEAR_B: tuple[Pair, ...] = (
    (
        "company details inserted",
        "Wir fordern, dass das Land die Förderung der überbetrieblichen Lehrlingsunterweisung "
        "erhöht.",
        "Wir als Elektrobetrieb Schneider aus Olpe mit 35 Beschäftigten fordern, dass das Land "
        "die Förderung der überbetrieblichen Lehrlingsunterweisung erhöht.",
    ),
    (
        "colon instead of full stop",
        "Die Energiepreise sind für uns existenzbedrohend. Der Bund muss die Gasnetzentgelte "
        "für Industriekunden deckeln.",
        "Die Energiepreise sind für uns existenzbedrohend: Der Bund muss die Gasnetzentgelte "
        "für Industriekunden deckeln.",
    ),
    (
        "greeting added",
        "Die EU-Kommission muss die Lieferkettenrichtlinie für mittelständische Zulieferer "
        "aussetzen.",
        "Liebe Kolleginnen und Kollegen, die EU-Kommission muss die Lieferkettenrichtlinie für "
        "mittelständische Zulieferer aussetzen.",
    ),
    (
        "sentences reordered",
        "Der Fachkräftemangel bremst unser Wachstum. Das Land muss die Berufsorientierung an "
        "Gymnasien ausbauen. Viele Abiturienten kennen die Metallberufe nicht.",
        "Das Land muss die Berufsorientierung an Gymnasien ausbauen. Viele Abiturienten kennen "
        "die Metallberufe nicht. Der Fachkräftemangel bremst unser Wachstum.",
    ),
    (
        "typos",
        "Die Bundesregierung muss die Genehmigungsverfahren für Windräder an Industriestandorten "
        "vereinfachen.",
        "Die Bundesregeirung muss die Genehmigungsverfahen für Windräder an Industriestandorten "
        "vereinfachen.",
    ),
    (
        "company introduction sentence",
        "Das Land muss die Zuschüsse für Betriebskindergärten in Gewerbegebieten erhöhen.",
        "Unser Unternehmen beschäftigt 410 Menschen in Iserlohn, viele davon in Schichtarbeit. "
        "Das Land muss die Zuschüsse für Betriebskindergärten in Gewerbegebieten erhöhen.",
    ),
    (
        "reason sentence dropped",
        "Der Bund muss die Strompreiskompensation auf weitere Branchen ausweiten. Bisher "
        "profitieren nur wenige Großbetriebe davon. Der Mittelstand geht leer aus.",
        "Der Bund muss die Strompreiskompensation auf weitere Branchen ausweiten. Bisher "
        "profitieren nur wenige Großbetriebe davon.",
    ),
    (
        "closing and signature",
        "Die Kommunen müssen Bauanträge für Betriebserweiterungen vollständig digital annehmen.",
        "Die Kommunen müssen Bauanträge für Betriebserweiterungen vollständig digital annehmen. "
        "Mit freundlichen Grüßen, Ihre Geschäftsführung",
    ),
    (
        "inserted own example in a sentence",
        "Das Land muss die Förderung für Ladeinfrastruktur auf Betriebsgeländen fortsetzen.",
        "Das Land muss die Förderung für Ladeinfrastruktur auf Betriebsgeländen wie unserem in "
        "Menden fortsetzen.",
    ),
    (
        "headline with colon",
        "Der Bund muss die Gasspeicherumlage sofort abschaffen.",
        "Entlastung jetzt: Der Bund muss die Gasspeicherumlage sofort abschaffen.",
    ),
    (
        "support statement added",
        "Die Bundesregierung muss das Lieferkettengesetz bis zur europäischen Regelung aussetzen.",
        "Wir schließen uns der Forderung des Verbands an. Die Bundesregierung muss das "
        "Lieferkettengesetz bis zur europäischen Regelung aussetzen.",
    ),
    (
        "several edits",
        "Wir fordern, dass der Bund die Förderung von Wärmepumpen in Industriehallen "
        "verdoppelt. Viele Betriebe würden sofort investieren.",
        "Wir fordern daher, dass der Bund die Förderung von Wärmepumpen in Industriehallen "
        "verdoppelt: Viele Betriebe würden sofort investieren, auch unser eigener.",
    ),
)

_LOOK_B: tuple[Pair, ...] = (
    (
        "negation",
        "Wir fordern, dass das Land die Sonntagsöffnung für Werkstätten erlaubt.",
        "Wir fordern nicht, dass das Land die Sonntagsöffnung für Werkstätten erlaubt.",
    ),
    (
        "other place",
        "Die Kommunen müssen Parkflächen für Handwerkerfahrzeuge in Innenstädten freigeben.",
        "Die Kommunen müssen Parkflächen für Handwerkerfahrzeuge in Wohngebieten freigeben.",
    ),
    (
        "other verb",
        "Die Behörden müssen Förderanträge innerhalb von vier Wochen prüfen.",
        "Die Behörden müssen Förderanträge innerhalb von vier Wochen bewilligen.",
    ),
    (
        "einführen abschaffen",
        "Der Bund muss eine Abwrackprämie für alte Produktionsmaschinen einführen.",
        "Der Bund muss die Abwrackprämie für alte Produktionsmaschinen abschaffen.",
    ),
    (
        "KMU alle",
        "Die EU muss die Meldepflichten zum CO2-Grenzausgleich für KMU streichen.",
        "Die EU muss die Meldepflichten zum CO2-Grenzausgleich für alle Unternehmen streichen.",
    ),
    (
        "befristet dauerhaft",
        "Das Land muss die Energieberatung für Handwerksbetriebe befristet kostenlos anbieten.",
        "Das Land muss die Energieberatung für Handwerksbetriebe dauerhaft kostenlos anbieten.",
    ),
    (
        "Land EU",
        "Das Land muss die Förderung für Wasserstoffelektrolyseure im Mittelstand ausbauen.",
        "Die EU muss die Förderung für Wasserstoffelektrolyseure im Mittelstand ausbauen.",
    ),
    (
        "other year",
        "Der Bund muss die Übergangsfrist für die neue Maschinenverordnung bis 2029 verlängern.",
        "Der Bund muss die Übergangsfrist für die neue Maschinenverordnung bis 2031 verlängern.",
    ),
    (
        "senken nicht erhöhen",
        "Der Bund muss die Lkw-Maut für Handwerksbetriebe senken.",
        "Der Bund darf die Lkw-Maut für Handwerksbetriebe nicht erhöhen.",
    ),
    (
        "other verb aussetzen abschaffen",
        "Die EU muss die Entwaldungsverordnung für Holzverarbeiter aussetzen.",
        "Die EU muss die Entwaldungsverordnung für Holzverarbeiter abschaffen.",
    ),
    (
        "Kleinbetriebe Großbetriebe",
        "Die Bundesregierung muss die Energieaudits für Kleinbetriebe verpflichtend machen.",
        "Die Bundesregierung muss die Energieaudits für Großbetriebe verpflichtend machen.",
    ),
    (
        "other place, ports and airports",
        "Der Bund muss den Ausbau von Umschlagterminals an Binnenhäfen beschleunigen.",
        "Der Bund muss den Ausbau von Umschlagterminals an Flughäfen beschleunigen.",
    ),
    (
        "kein",
        "Das Land muss ein neues Tariftreuegesetz für öffentliche Aufträge beschließen.",
        "Das Land muss kein neues Tariftreuegesetz für öffentliche Aufträge beschließen.",
    ),
)

_UNRELATED_B: tuple[Pair, ...] = (
    (
        "energy: heat and electricity",
        "Der Bund muss die Förderung für Abwärmenutzung in Gießereien ausbauen.",
        "Der Bund muss die Stromsteuer für Gießereien dauerhaft senken.",
    ),
    (
        "skills: schools and universities",
        "Das Land muss die Berufsschulen mit moderner Messtechnik ausstatten.",
        "Das Land muss mehr duale Studiengänge in Maschinenbau schaffen.",
    ),
    (
        "bureaucracy: statistics and audits",
        "Der Bund muss die Statistikpflichten für kleine Betriebe reduzieren.",
        "Der Bund muss Betriebsprüfungen für kleine Betriebe innerhalb eines Jahres abschließen.",
    ),
    (
        "permits: digital and deadlines",
        "Die Kommunen müssen Bauanträge vollständig digital annehmen.",
        "Die Kommunen müssen über Bauanträge innerhalb von drei Monaten entscheiden.",
    ),
    (
        "funding: loans and grants",
        "Die Förderbanken müssen Kredite für Transformationsinvestitionen zinsgünstig vergeben.",
        "Die Förderbanken müssen Zuschüsse für Beratung zur Transformation auszahlen.",
    ),
    (
        "same intro sentence, other demands",
        "Als Familienunternehmen in dritter Generation sehen wir die Lage mit Sorge. Der Bund "
        "muss die Erbschaftsteuer für Betriebsvermögen senken.",
        "Als Familienunternehmen in dritter Generation sehen wir die Lage mit Sorge. Der Bund "
        "muss die Lohnnebenkosten begrenzen.",
    ),
    (
        "trade: dumping and raw materials",
        "Die EU muss Schutzzölle gegen Stahldumping aus Asien verhängen.",
        "Die EU muss strategische Partnerschaften für Rohstoffe mit Südamerika schließen.",
    ),
    (
        "mobility: company cars and bikes",
        "Der Bund muss die Dienstwagenbesteuerung für E-Transporter senken.",
        "Der Bund muss Dienstfahrräder für Beschäftigte im Handwerk steuerfrei stellen.",
    ),
    (
        "digital: data spaces and AI",
        "Die EU muss offene Datenräume für die Fahrzeugindustrie unterstützen.",
        "Die EU muss die KI-Verordnung für industrielle Anwendungen praxisnah auslegen.",
    ),
    (
        "climate: CO2 price and contracts",
        "Der Bund muss Klimaschutzverträge auch für mittelständische Betriebe öffnen.",
        "Der Bund muss die Einnahmen aus dem CO2-Preis an die Betriebe zurückgeben.",
    ),
)

TUNE = DedupePairs(_NEAR_A + _NEAR_A_LATER, _LOOK_A, _UNRELATED_A)
CHECK = DedupePairs(_NEAR_B, _LOOK_B, _UNRELATED_B)
