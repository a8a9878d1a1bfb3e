"""A second held-out labelled set for the outcome matcher (`positions.followup.impact`): 60
Kernforderungen against a fictional Land report ("Abschlussbericht der Landesregierung
Nordrhein-Westfalen zum Zulieferdialog NRW", about 59,000 characters, 14 chapters).

Provenance: hand-written on 2026-12-05 by a writer who had not seen the matcher, its word
lists, its tuning sets or the first held-out set; see `impact_heldout2/SOURCES.md` (mix by
key, traps, close calls). Written after the first held-out set was spent, to measure the
changes made after it: held-out measurement only, never tune on its failures.

Mix: 10 verbatim, 20 reworded (three with a negation inside the adoption), 12 negated
(seven restate the proposal first), 18 none (15 traps: Bund or EU acting instead of the
Land, other figures or years, reported demands of others, the problem without the measure,
another group of firms). Same file format as `impact_heldout` (`outcome.txt`,
`labels.json`), read by its loader.
"""

from __future__ import annotations

from pathlib import Path

from bench.labelled import impact_heldout
from bench.labelled.impact_set import ImpactSet

HERE = Path(__file__).resolve().parent / "impact_heldout2"


def load() -> ImpactSet:
    """The second held-out set (ValueError if a quote is missing or repeated)."""
    return impact_heldout.load(HERE)
