"""Labelled sets: inputs with the answers a careful reader gives, for the benchmarks that
measure quality and for the tests that check it (`from bench.labelled import impact_set`).

- `dedupe_examples`: hand-built pairs of points that are, or only look like, one demand.
- `impact_set`: 200 Kernforderungen against a Grundsatzpapier that takes some of them up
  (hand-written parts in `impact/`).
- `tracing_set`: member points, paragraphs written from them, and the points each rests on.
"""
