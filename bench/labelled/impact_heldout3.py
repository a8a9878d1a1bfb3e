"""A third held-out labelled set for the outcome matcher (`positions.followup.impact`): 60
Kernforderungen against a fictional federal statement ("Stellungnahme der Bundesregierung zu
den Ergebnissen des Fachforums Automobil- und Zulieferindustrie im Grünen
Wirtschaftsdialog", about 65,000 characters, 15 chapters).

Provenance: hand-written on 2026-12-05 by a writer who had not seen the matcher, its word
lists, its tuning sets or the earlier held-out sets; see `impact_heldout3/SOURCES.md` (mix
by key, traps, close calls). Written when the second set was spent (its misses were read),
to measure the changes made after it: held-out measurement only, never tune on its failures.

Mix: 10 verbatim, 20 reworded (three with a negation inside the adoption), 12 negated
(seven restate the proposal first), 18 none (15 traps: the Länder or the EU acting instead
of the Bund, other figures or years, reported demands, the problem without the measure,
another measure, a pilot or study instead of the measure, large firms only where KMU were
asked). Same file format as `impact_heldout` (`outcome.txt`, `labels.json`).
"""

from __future__ import annotations

from pathlib import Path

from bench.labelled import impact_heldout
from bench.labelled.impact_set import ImpactSet

HERE = Path(__file__).resolve().parent / "impact_heldout3"


def load() -> ImpactSet:
    """The third held-out set (ValueError if a quote is missing or repeated)."""
    return impact_heldout.load(HERE)
