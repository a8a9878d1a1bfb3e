"""Benchmark of `positions.analysis.dedupe.group_near_duplicates` on synthetic corpora.

    python -m bench.dedupe [--corpus FILE.jsonl] [--baseline] [--threshold T] [--repeat N]

prints one JSON line; without `--corpus`, that of `run()` (below). A corpus is JSONL from
`bench.corpus` (`python -m bench.corpus N`): lines of {"id", "org", "family", "text"}, where a
family is one demand sent with small edits.

- `seconds`: wall time of the grouping, the fastest of `--repeat` runs, each with a cold
  stem cache; `peak_mib`: growth of the process's peak resident memory (getrusage
  ru_maxrss) during the runs, so what the grouping adds on top of the loaded corpus.
- `precision` / `recall`: over pairs of points, "same group" against "same family". Pair
  counts come from the group × family contingency table (n·(n-1)/2 per cell), so no pair is
  ever enumerated.
- `--baseline` (at most `BASELINE_LIMIT` points) adds two exact all-pairs comparisons:
  - `baseline`: the obvious method, every pair of raw texts scored with rapidfuzz's
    token_sort_ratio by `process.cdist` (tokens sorted once up front, which gives the same
    scores; each unordered pair computed once), groups as connected components of the pairs
    at or above the threshold. With its precision and recall, the speed ratio, the share of
    its pairs we also group, and that share among its pairs within one family: the pairs it
    has across families are false friends (same template, other actor or specifics), which
    we are meant not to merge, so the first share stays below 1 by design.
  - `exhaustive`: our own comparison and rules on every pair instead of the LSH candidates,
    which shows what the LSH loses (`share_of_its_grouped_pairs_we_group`).

`run()` is what `make bench` calls: corpora of 1k, 10k and 100k points plus the 20k baseline
comparison, each measured in its own process so that peak memory is not inherited, and the
labelled pairs:

- `tune_a` / `tune_b`: `bench.labelled.dedupe_tune` part A (tuned on) and part B (written
  with it, only measured). Each pair is grouped on its own: `near_duplicate_recall` (pairs
  merged), `look_alikes_merged` and `unrelated_merged` (must be 0), `precision` (merged near
  duplicates over all merged pairs).
- `heldout`: `bench.labelled.statements_heldout`, written by someone else and never tuned on:
  all its points grouped at once, as the workspace does. `near_duplicate_recall`: labelled
  near-duplicate pairs in one group; `look_alikes_merged`; `precision`: grouped pairs that
  are labelled near duplicates (or follow from two labelled pairs sharing a point) over all
  grouped pairs, a strict figure, since an unlabelled copy counts against it;
  `precision_labelled_pairs`: over the labelled pairs only (near duplicates and look-alikes).
  Measured once, then spent (its misses were read); `heldout2`:
  `bench.labelled.statements_heldout2`, written after that, the same figures, measured
  twice, then spent (a compound written apart); `heldout3`: `statements_heldout3`, written
  later still, measured once, then spent too: its two merged look-alikes were read ("kleine
  und mittlere Unternehmen" spelled out against "alle", "zur Hälfte" against "vollständig");
  `heldout4`: `statements_heldout4`, written when the third was spent, only measured.
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process, utils

from bench import corpus
from bench.labelled import dedupe_tune
from positions.analysis.dedupe import (
    DEFAULT_THRESHOLD,
    Features,
    Group,
    connected_components,
    group_near_duplicates,
    group_with_candidates,
)
from positions.core import text

REPO = Path(__file__).resolve().parents[1]
CORPORA = {1_000: 101, 10_000: 102, 100_000: 103}  # points -> bench.corpus seed
BASELINE_POINTS, BASELINE_SEED = 20_000, 104
BASELINE_LIMIT = 20_000
BASELINE_BLOCK = 500  # rows of the score matrix computed at once (500 x 20,000 float32 = 40 MB)
REPEAT = 3
HELDOUT_SETS = ("heldout", "heldout2", "heldout3", "heldout4")  # statements_<name> sets

IntArray = NDArray[np.int64]


def load_corpus(path: Path) -> tuple[list[str], IntArray]:
    texts: list[str] = []
    families: list[int] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                row = json.loads(line)
                texts.append(row["text"])
                families.append(int(row["family"]))
    return texts, np.asarray(families, dtype=np.int64)


def group_labels(groups: Sequence[Group], count: int) -> IntArray:
    """A label per point: its group's number, or a label of its own if it is in none."""
    labels = np.arange(len(groups), len(groups) + count, dtype=np.int64)
    for number, group in enumerate(groups):
        labels[group.members] = number
    return labels


def pairs_together(*labelings: IntArray) -> int:
    """How many unordered pairs of points share the label in every labelling."""
    if not len(labelings[0]):
        return 0
    _, sizes = np.unique(np.stack(labelings, axis=1), axis=0, return_counts=True)
    return int((sizes * (sizes - 1) // 2).sum())


def pair_quality(labels: IntArray, families: IntArray) -> dict[str, float | int]:
    both = pairs_together(labels, families)
    predicted, actual = pairs_together(labels), pairs_together(families)
    return {
        "precision": round(both / predicted, 4) if predicted else 1.0,
        "recall": round(both / actual, 4) if actual else 1.0,
        "pairs_grouped": predicted,
        "pairs_in_families": actual,
    }


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def measure(
    texts: list[str], families: IntArray, threshold: float, repeat: int
) -> tuple[dict[str, Any], IntArray, float]:
    before = _peak_mib()
    best = float("inf")
    groups: list[Group] = []
    for _ in range(repeat):
        text.stem.cache_clear()  # every run pays for stemming, as the first one in a process
        start = time.perf_counter()
        groups = group_near_duplicates(texts, threshold=threshold)
        best = min(best, time.perf_counter() - start)
    labels = group_labels(groups, len(texts))
    result: dict[str, Any] = {
        "n": len(texts),
        "seconds": round(best, 3),
        "peak_mib": round(_peak_mib() - before, 1),
        "peak_mib_method": "getrusage ru_maxrss growth during grouping",
        "groups": len(groups),
        **pair_quality(labels, families),
    }
    return result, labels, best


def _cdist_pairs(strings: list[str], cutoff: float) -> IntArray:
    """Every unordered pair scored once by `process.cdist` (fuzz.ratio); those >= cutoff."""
    found: list[IntArray] = [np.empty((0, 2), dtype=np.int64)]
    for first in range(0, len(strings), BASELINE_BLOCK):
        last = min(first + BASELINE_BLOCK, len(strings))
        scores = process.cdist(
            strings[first:last],
            strings[first:],
            scorer=fuzz.ratio,
            score_cutoff=cutoff,
            dtype=np.float32,
            workers=-1,
        )
        rows, columns = np.nonzero(scores >= cutoff)
        upper = columns > rows  # each unordered pair once, no self-pairs
        found.append(np.stack((rows[upper] + first, columns[upper] + first), axis=1))
    return np.concatenate(found).astype(np.int64)


def _shares(edges: IntArray, ours: IntArray, families: IntArray) -> dict[str, float]:
    together = ours[edges[:, 0]] == ours[edges[:, 1]]
    same_family = families[edges[:, 0]] == families[edges[:, 1]]
    return {
        "share_of_its_pairs_we_group": round(float(together.mean()), 4) if len(edges) else 1.0,
        "share_of_its_same_family_pairs_we_group": round(float(together[same_family].mean()), 4)
        if same_family.any()
        else 1.0,
    }


def naive_baseline(
    texts: list[str], families: IntArray, threshold: float, ours: IntArray, seconds: float
) -> dict[str, Any]:
    """Every pair of raw texts by token_sort_ratio; groups are components of pairs >= threshold."""
    start = time.perf_counter()
    prepared = [" ".join(sorted(utils.default_process(t).split())) for t in texts]
    edges = _cdist_pairs(prepared, threshold * 100)
    labels = connected_components(len(texts), edges)
    elapsed = time.perf_counter() - start
    return {
        "method": "process.cdist with token_sort_ratio on the raw texts, every pair",
        "seconds": round(elapsed, 2),
        "pairs_scored": len(texts) * (len(texts) - 1) // 2,
        "pairs_at_threshold": len(edges),
        **pair_quality(labels, families),
        "speed_ratio": round(elapsed / seconds, 1),
        **_shares(edges, ours, families),
    }


def exhaustive_baseline(
    texts: list[str], families: IntArray, threshold: float, ours: IntArray, seconds: float
) -> dict[str, Any]:
    """Our own comparison and rules, but on every pair instead of the LSH candidates."""
    scored: list[int] = []

    def all_pairs(features: Features, comparable: IntArray) -> IntArray:
        keys = [features.keys[i] for i in comparable.tolist()]
        pairs = comparable[_cdist_pairs(keys, threshold * 100)]
        scored.append(len(pairs))
        return pairs

    start = time.perf_counter()
    groups = group_with_candidates(texts, threshold, lambda _fraction: None, all_pairs)
    elapsed = time.perf_counter() - start
    labels = group_labels(groups, len(texts))
    its_pairs = pairs_together(labels)
    return {
        "method": "process.cdist on our comparison keys, every pair, then our rules",
        "seconds": round(elapsed, 2),
        "distinct_pairs_scoring_at_threshold": sum(scored),
        **pair_quality(labels, families),
        "speed_ratio": round(elapsed / seconds, 1),
        "share_of_its_grouped_pairs_we_group": round(pairs_together(labels, ours) / its_pairs, 4)
        if its_pairs
        else 1.0,
    }


def bench_corpus(
    path: Path, *, threshold: float, with_baseline: bool, repeat: int
) -> dict[str, Any]:
    texts, families = load_corpus(path)
    result, labels, seconds = measure(texts, families, threshold, repeat)
    result["threshold"] = threshold
    if with_baseline:
        if len(texts) > BASELINE_LIMIT:
            result["baseline"] = {"skipped": f"more than {BASELINE_LIMIT} points"}
        else:
            arguments = (texts, families, threshold, labels, seconds)
            result["baseline"] = naive_baseline(*arguments)
            result["exhaustive"] = exhaustive_baseline(*arguments)
    return result


def _generate(points: int, seed: int, folder: Path) -> Path:
    path = folder / f"corpus-{points}-{seed}.jsonl"
    with path.open("w", encoding="utf-8") as out:
        corpus.write_jsonl(corpus.generate(points, seed=seed), out)
    return path


def _in_own_process(path: Path, *extra: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.dedupe", "--corpus", str(path), *extra]
    output = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(output.stdout.strip().splitlines()[-1])
    return result


def run() -> dict[str, Any]:
    """1k, 10k and 100k points, and the 20k comparison with the exact baseline."""
    with tempfile.TemporaryDirectory(prefix="positionen-dedupe-") as folder:
        sizes = {
            str(points): _in_own_process(
                _generate(points, seed, Path(folder)), "--repeat", str(REPEAT)
            )
            for points, seed in CORPORA.items()
        }
        compared = _in_own_process(
            _generate(BASELINE_POINTS, BASELINE_SEED, Path(folder)),
            "--repeat",
            str(REPEAT),
            "--baseline",
        )
    largest, middle = sizes["100000"], sizes["10000"]
    naive, exhaustive = compared["baseline"], compared["exhaustive"]
    tune_a = labelled_pairs(dedupe_tune.TUNE, DEFAULT_THRESHOLD)
    tune_b = labelled_pairs(dedupe_tune.CHECK, DEFAULT_THRESHOLD)
    held = {name: heldout(DEFAULT_THRESHOLD, f"statements_{name}") for name in HELDOUT_SETS}
    return {
        "sizes": sizes,
        "compared_20k": compared,
        "tune_a": tune_a,
        "tune_b": tune_b,
        **held,
        "growth_10k_to_100k": round(largest["seconds"] / middle["seconds"], 2),
        "targets_met": {
            "100k_seconds_le_10": largest["seconds"] <= 10,
            "100k_peak_mib_le_600": largest["peak_mib"] <= 600,
            "100k_precision_ge_0.95": largest["precision"] >= 0.95,
            "100k_recall_ge_0.95": largest["recall"] >= 0.95,
            "growth_10k_to_100k_le_12": largest["seconds"] <= 12 * middle["seconds"],
            "20k_speed_ratio_to_baseline_ge_100": naive["speed_ratio"] >= 100,
            # The baseline also pairs false friends (its precision is far lower), so the share
            # of all its pairs cannot reach 0.95 without merging them; see the docstring.
            "20k_share_of_baseline_pairs_ge_0.95": naive["share_of_its_pairs_we_group"] >= 0.95,
            "20k_share_of_baseline_same_family_pairs_ge_0.95": (
                naive["share_of_its_same_family_pairs_we_group"] >= 0.95
            ),
            "20k_share_of_exhaustive_pairs_ge_0.95": (
                exhaustive["share_of_its_grouped_pairs_we_group"] >= 0.95
            ),
            **{
                target: met
                for name, figures in held.items()
                for target, met in (
                    (f"{name}_near_duplicate_precision_ge_0.95", figures["precision"] >= 0.95),
                    (
                        f"{name}_near_duplicate_recall_ge_0.95",
                        figures["near_duplicate_recall"] >= 0.95,
                    ),
                    (f"{name}_no_look_alike_merged", figures["look_alikes_merged"] == 0),
                )
            },
        },
    }


def labelled_pairs(pairs: dedupe_tune.DedupePairs, threshold: float) -> dict[str, Any]:
    """Each labelled pair grouped on its own (see the module docstring)."""

    def merged(kind: Sequence[dedupe_tune.Pair]) -> list[str]:
        return [name for name, a, b in kind if group_near_duplicates([a, b], threshold=threshold)]

    near, looks, unrelated = (
        merged(pairs.near_duplicates),
        merged(pairs.look_alikes),
        merged(pairs.unrelated),
    )
    wrong = len(looks) + len(unrelated)
    return {
        "near_duplicate_pairs": len(pairs.near_duplicates),
        "near_duplicate_recall": round(len(near) / len(pairs.near_duplicates), 3),
        "precision": round(len(near) / (len(near) + wrong), 3) if near or wrong else 1.0,
        "look_alike_pairs": len(pairs.look_alikes),
        "look_alikes_merged": len(looks),
        "unrelated_pairs": len(pairs.unrelated),
        "unrelated_merged": len(unrelated),
        "near_duplicates_missed": [
            name for name, _a, _b in pairs.near_duplicates if name not in near
        ],
        "look_alikes_merged_kinds": looks,
        "unrelated_merged_kinds": unrelated,
    }


def heldout(threshold: float, module: str = "statements_heldout") -> dict[str, Any]:
    """The held-out statements' points grouped at once; labelled pairs counted (see above).
    Prints no text of the set: only counts."""
    data = importlib.import_module(f"bench.labelled.{module}").load()
    ids = [point.id for point in data.points]
    index = {point_id: number for number, point_id in enumerate(ids)}
    start = time.perf_counter()
    groups = group_near_duplicates([point.text for point in data.points], threshold=threshold)
    seconds = time.perf_counter() - start
    labels = group_labels(groups, len(ids))
    near = [(index[a], index[b]) for a, b in data.near_duplicates]
    looks = [(index[pair.first], index[pair.second]) for pair in data.look_alikes]
    truth = connected_components(len(ids), np.asarray(near, dtype=np.int64).reshape(-1, 2))
    near_hits = int(sum(labels[a] == labels[b] for a, b in near))
    looks_merged = int(sum(labels[a] == labels[b] for a, b in looks))
    grouped = pairs_together(labels)
    right = pairs_together(labels, truth)
    return {
        "points": len(ids),
        "groups": len(groups),
        "seconds": round(seconds, 3),
        "near_duplicate_pairs": len(near),
        "near_duplicate_recall": round(near_hits / len(near), 3) if near else 1.0,
        "pairs_grouped": grouped,
        "precision": round(right / grouped, 3) if grouped else 1.0,
        "precision_labelled_pairs": round(near_hits / (near_hits + looks_merged), 3)
        if near_hits + looks_merged
        else 1.0,
        "look_alike_pairs": len(looks),
        "look_alikes_merged": int(looks_merged),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dedupe", description=__doc__)
    parser.add_argument("--corpus", type=Path, help="JSONL from bench.corpus; else run()")
    parser.add_argument("--baseline", action="store_true", help="compare with exact all-pairs")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--repeat", type=int, default=1, help="runs; the fastest counts")
    parser.add_argument(
        "--labelled",
        choices=("tune", *HELDOUT_SETS),
        help="only the labelled pairs: tune parts A and B, or the held-out set",
    )
    args = parser.parse_args(argv)
    if args.labelled == "tune":
        parts = {"tune_a": dedupe_tune.TUNE, "tune_b": dedupe_tune.CHECK}
        print(json.dumps({name: labelled_pairs(p, args.threshold) for name, p in parts.items()}))
        return 0
    if args.labelled in HELDOUT_SETS:
        print(json.dumps(heldout(args.threshold, f"statements_{args.labelled}")))
        return 0
    if args.corpus is None:
        print(json.dumps(run()))
        return 0
    result = bench_corpus(
        args.corpus,
        threshold=args.threshold,
        with_baseline=args.baseline,
        repeat=max(1, args.repeat),
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
