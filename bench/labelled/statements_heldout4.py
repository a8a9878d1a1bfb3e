"""A fourth held-out labelled set of member statements and the position-paper paragraphs
written from them: for measuring dedupe, clustering and tracing, never for tuning them.

Provenance: hand-written on 2026-12-05 by a writer who had not seen the algorithms, their
tuning sets or the earlier held-out sets; see `statements_heldout4/SOURCES.md`. Written when
the third set was spent, to measure the changes made after it. Only the format file
`statements_heldout.py` was read. All organisations, figures and quotations are fictional.
Use this set only to measure; do not look at its failures to adjust thresholds, word lists or
rules, and do not copy its texts into a tune set.

What it holds (files in `statements_heldout4/`, the format of `statements_heldout`):

- `statements.json`: 147 statements of 45 fictional members of an NRW automotive-supplier
  cluster (43 companies, one chamber, one institute), 234 points of one to three sentences,
  each labelled with one of the 12 themes in `themes.json` (payment terms and OEM price
  pressure, bridges and roads for heavy transport, PFAS restriction, digital administration,
  waste heat and efficiency duties, export control and sanctions, conversion to defence,
  business trips, posting and cross-border commuting, insolvency law, occupational safety and
  accident insurance, trainee housing and mobility, succession in family firms; 10 to 32
  points each). One member sends a single statement of 30 points across all themes in its own
  vocabulary. Company German as it is really written, with figures, loanwords and typos.
- `pairs.json`: `near_duplicates`, 20 pairs from 7 campaign texts copied with small edits, and
  `look_alikes`, 12 pairs that share most of their words but demand different things (Bund /
  Land / EU, abolish / suspend, lower / not raise, SMEs / all firms, other years, figures,
  regions or products); a look-alike pair must never be merged.
- `paragraphs.json`: 30 paragraphs of the cluster's position paper with 131 source links.
  Five paragraphs rest on no point (topics no member raised, in similar words); twelve take
  up only one side of a look-alike pair; `note` says why where the labelling is not obvious.

Limits: one writer's judgement. A point counts as a source when the paragraph takes up its
demand, also in general or abridged form; not when it demands another figure, year, level of
government, scope or strength.
"""

from __future__ import annotations

from pathlib import Path

from bench.labelled import statements_heldout
from bench.labelled.statements_heldout import HeldoutStatements

HERE = Path(__file__).resolve().parent / "statements_heldout4"


def load() -> HeldoutStatements:
    """Read and validate the fourth held-out set (ValueError if it is inconsistent)."""
    return statements_heldout.load(HERE)
