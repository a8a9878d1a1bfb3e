"""`make bench`: run every benchmark and print one JSON document with their results.

Benchmarks arrive with the issues that set their targets (dedupe, search, export, impact,
load); each is a module with a `run() -> dict` and is listed here.
"""

from __future__ import annotations

import json
import platform
import sys
from collections.abc import Callable
from typing import Any

from bench import (
    cli_start,
    dedupe,
    export,
    impact,
    load,
    members,
    search,
    search_quality,
    topics,
    tracing,
    workspace,
)

BENCHMARKS: dict[str, Callable[[], dict[str, Any]]] = {}
BENCHMARKS["export"] = export.run
BENCHMARKS["dedupe"] = dedupe.run
BENCHMARKS["search"] = search.run
BENCHMARKS["search_quality"] = search_quality.run
BENCHMARKS["impact"] = impact.run
BENCHMARKS["load"] = load.run
BENCHMARKS["tracing"] = tracing.run
BENCHMARKS["workspace"] = workspace.run
BENCHMARKS["cli_start"] = cli_start.run
BENCHMARKS["members"] = members.run


def _topics() -> dict[str, Any]:
    """Tune and held-out figures of the topic grouping (without the printed topic names)."""
    found = topics.run("all")
    return {r.pop("set"): {k: v for k, v in r.items() if k != "labels"} for r in found}


BENCHMARKS["topics"] = _topics


def _plain(value: Any) -> Any:
    """numpy scalars (a figure computed with numpy) as the Python numbers JSON knows."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def main() -> int:
    results = {name: benchmark() for name, benchmark in BENCHMARKS.items()}
    document = {"python": platform.python_version(), "benchmarks": results}
    print(json.dumps(document, indent=2, default=_plain))
    return 0


if __name__ == "__main__":
    sys.exit(main())
