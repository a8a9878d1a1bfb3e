"""Benchmark of the `positionen` command's start-up: how long the operator waits for it.

    python -m bench.cli_start [--repeat 7]

prints one JSON line. Each command runs as a real process (the console script next to this
Python), once to warm the file cache and then `--repeat` times; `seconds` is the median wall
time, `cpu_seconds` the median user+system time of the child (the machine may be shared).

- `python_pass`: `python -c pass` with the same interpreter, the floor every command pays.
- `help`: `positionen --help`.
- `refused_extract_text`: `positionen extract-text bombe.docx` on a zip bomb the bench writes
  into a temporary folder (a Word skeleton plus one part of 100 MiB of zeros, about 1000:1);
  it must be refused with exit code 2 and one line on stderr.

`ratio_to_python` is `seconds` over the baseline's. Goal: `help` and `refused_extract_text`
each under 0.5 s on an idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

GOAL_SECONDS = 0.5
REPEAT = 7
BOMB_MIB = 100
EXIT_REFUSED = 2

PYTHON = Path(sys.executable)
POSITIONEN = PYTHON.with_name("positionen")

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Harmlos.</w:t></w:r></w:p></w:body></w:document>"
)


def write_zip_bomb(path: Path, mebibytes: int = BOMB_MIB) -> Path:
    """A .docx that looks like Word on the outside and unpacks one part to `mebibytes`."""
    zeros = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("word/document.xml", DOCUMENT)
        with zf.open("word/media/image1.bin", "w") as entry:
            for _ in range(mebibytes):
                entry.write(zeros)
    return path


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(
    command: list[str], env: dict[str, str]
) -> tuple[float, float, subprocess.CompletedProcess[bytes]]:
    """Wall and CPU seconds of one run, and the finished process."""
    cpu = _children_cpu()
    wall = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, timeout=60, check=False)
    return time.perf_counter() - wall, _children_cpu() - cpu, done


def timed(
    command: list[str], env: dict[str, str], repeat: int, *, returncode: int
) -> dict[str, Any]:
    """Median wall and CPU time after one warm-up; every run must end with `returncode`."""
    walls: list[float] = []
    cpus: list[float] = []
    for attempt in range(repeat + 1):
        wall, cpu, done = run_once(command, env)
        if done.returncode != returncode:
            raise RuntimeError(
                f"{' '.join(command)} exited {done.returncode}, expected {returncode}: "
                f"{done.stderr.decode(errors='replace').strip()}"
            )
        if attempt:  # the first run only warms the caches
            walls.append(wall)
            cpus.append(cpu)
    return {
        "seconds": round(statistics.median(walls), 3),
        "cpu_seconds": round(statistics.median(cpus), 3),
        "min_seconds": round(min(walls), 3),
        "max_seconds": round(max(walls), 3),
    }


def measure(repeat: int = REPEAT) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="positionen-bench-cli-") as folder:
        # No database is touched by these commands; point the data folder away from ./data.
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["POSITIONEN_DATA_DIR"] = str(Path(folder) / "daten")
        bomb = write_zip_bomb(Path(folder) / "bombe.docx")
        refusal = subprocess.run(
            [str(POSITIONEN), "extract-text", str(bomb)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        stderr_lines = refusal.stderr.splitlines()
        if refusal.returncode != EXIT_REFUSED or len(stderr_lines) != 1 or refusal.stdout:
            raise RuntimeError(f"the zip bomb was not refused cleanly: {refusal!r}")

        baseline = timed([str(PYTHON), "-c", "pass"], env, repeat, returncode=0)
        results: dict[str, Any] = {"python_pass": baseline}
        commands = {
            "help": ([str(POSITIONEN), "--help"], 0),
            "refused_extract_text": ([str(POSITIONEN), "extract-text", str(bomb)], EXIT_REFUSED),
        }
        for name, (command, returncode) in commands.items():
            result = timed(command, env, repeat, returncode=returncode)
            result["ratio_to_python"] = round(result["seconds"] / baseline["seconds"], 1)
            result["under_target"] = result["seconds"] < GOAL_SECONDS
            results[name] = result
        results["refused_extract_text"]["hostile_file"] = (
            f"zip bomb: {bomb.stat().st_size:,} bytes unpacking to {BOMB_MIB} MiB"
        )
        results["refused_extract_text"]["stderr"] = stderr_lines[0]
    return {
        "repeat": repeat,
        "target_seconds": GOAL_SECONDS,
        **results,
        "targets_met": {
            "help_lt_0.5": results["help"]["under_target"],
            "refused_extract_text_lt_0.5": results["refused_extract_text"]["under_target"],
        },
    }


def run() -> dict[str, Any]:
    """What `make bench` calls: 7 timed runs of each command."""
    return measure()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=REPEAT)
    arguments = parser.parse_args()
    print(json.dumps(measure(arguments.repeat)))


if __name__ == "__main__":
    main()
