"""A second held-out labelled set of member statements and the position-paper paragraphs
written from them: for measuring dedupe, clustering and tracing, never for tuning them.

Provenance: hand-written on 2026-12-05 by a writer who had not seen the algorithms, their
tuning sets or the first held-out set; see `statements_heldout2/SOURCES.md`. Written after
the first held-out set was spent, to measure the changes made after it.

What it holds (files in `statements_heldout2/`, the format of `statements_heldout`): 150
statements of 44 fictional members with 230 points in 12 themes of uneven size (hydrogen,
training, trade, data and AI, recycling, working time, land, SME finance, research
transfer, regional change, cyber security, procurement; one member's statement of 32
points across 11 themes), 20 near-duplicate pairs from seven campaigns, 12 look-alike
pairs (Bund / Land / EU, abschaffen / aussetzen, senken / nicht erhöhen, KMU / alle, other
years and figures), and 30 paragraphs with 84 sources, five resting on no point.
"""

from __future__ import annotations

from pathlib import Path

from bench.labelled import statements_heldout
from bench.labelled.statements_heldout import HeldoutStatements

HERE = Path(__file__).resolve().parent / "statements_heldout2"


def load() -> HeldoutStatements:
    """Read and validate the second held-out set (ValueError if it is inconsistent)."""
    return statements_heldout.load(HERE)
