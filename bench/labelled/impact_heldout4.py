"""A fourth held-out labelled set for the outcome matcher (`positions.followup.impact`): 60
Kernforderungen of a fictional automotive-supplier cluster in North Rhine-Westphalia against a
fictional Land report to a Landtag committee ("Bericht der Landesregierung ... zum Stand der
Umsetzung des Strategiedialogs Fahrzeugzulieferindustrie Nordrhein-Westfalen", about 61,000
characters, 15 chapters) that adopts some demands verbatim, some reworded, turns some down
and leaves the rest untouched.

Provenance: hand-written on 2026-12-05 by a writer who had not seen the matcher, its word
lists, its tuning sets or the earlier held-out sets; see `impact_heldout4/SOURCES.md`. Written
when the third set was spent, to measure the changes made after it: held-out measurement
only, never tune on its failures.

Mix: 10 verbatim (nearly unchanged, in a frame, with another modal verb, a date added or the
agent left out in the passive), 20 reworded (a ministry paraphrase that really adopts the
measure; several with a negation inside the adoption), 12 negated (eight restate the proposal
first, then refuse it), 18 none (15 traps: another level of government, another figure or
year, only reported, problem without measure, another measure, a study or pilot, a narrower
group of firms or another place; 3 simply absent). Same file format as `impact_heldout`
(`outcome.txt`, `labels.json`).
"""

from __future__ import annotations

from pathlib import Path

from bench.labelled import impact_heldout
from bench.labelled.impact_set import ImpactSet

HERE = Path(__file__).resolve().parent / "impact_heldout4"


def load() -> ImpactSet:
    """The fourth held-out set (ValueError if a quote is missing or repeated)."""
    return impact_heldout.load(HERE)
