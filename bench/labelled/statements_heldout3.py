"""A third held-out labelled set of member statements and the position-paper paragraphs
written from them: for measuring dedupe, clustering and tracing, never for tuning them.

Provenance: hand-written on 2026-12-05 by a writer who had not seen the algorithms, their
tuning sets or the earlier held-out sets; see `statements_heldout3/SOURCES.md`. Written when
the second set was spent, to measure the changes made after it.

What it holds (files in `statements_heldout3/`, the format of `statements_heldout`): 150
statements of 45 fictional members with 230 points in 12 themes of uneven size (industrial
electricity price and grid fees, taxation and depreciation, permits, skilled immigration,
battery cells and raw materials, CO2 pricing, freight, vehicle software and data,
short-time work, semiconductors, standards and type approval, tool making; one member's
statement of 30 points across 11 themes), 20 near-duplicate pairs from seven campaigns, 12
look-alike pairs, and 30 paragraphs with 120 sources, five resting on no point.
"""

from __future__ import annotations

from pathlib import Path

from bench.labelled import statements_heldout
from bench.labelled.statements_heldout import HeldoutStatements

HERE = Path(__file__).resolve().parent / "statements_heldout3"


def load() -> HeldoutStatements:
    """Read and validate the third held-out set (ValueError if it is inconsistent)."""
    return statements_heldout.load(HERE)
