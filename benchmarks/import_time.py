"""Start-up cost: wall time of fresh processes that import tsrm or run ``tsrm --version``.

Each probe runs ``--repeats`` times in a new Python process (the median is kept), with
``--tree`` (default: this repository) first on ``sys.path``, so that an older checkout can
be measured the same way (``git worktree add /tmp/old <commit>``).

Example::

    python benchmarks/import_time.py
    python benchmarks/import_time.py --tree /tmp/old

Appends rows to benchmarks/results/import_time.csv.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _harness import REPO_ROOT, ResultsFile, machine, today

FIELDS = ["date", "probe", "median_s", "repeats", "git_commit", "machine", "command"]
KEY = ["probe", "git_commit"]
PROBES = {
    "import tsrm": "import tsrm",
    "import tsrm.puzzles": "import tsrm.puzzles",
    "tsrm --version": "import tsrm.cli; tsrm.cli.main(['--version'])",
}


def wall(code: str, tree: Path) -> float:
    # Run in the tree: ``python -c`` puts the working directory first on sys.path.
    env = {**os.environ, "PYTHONPATH": str(tree)}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=tree, capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{code!r} failed in {tree}: {done.stderr.decode()[-500:]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, default=REPO_ROOT)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--results", type=Path, default=Path(__file__).parent / "results" / "import_time.csv"
    )
    args = parser.parse_args(argv)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=args.tree, capture_output=True, text=True
    ).stdout.strip()
    results = ResultsFile(args.results, FIELDS, KEY)
    command = "python benchmarks/import_time.py " + " ".join(argv or sys.argv[1:])
    for probe, code in PROBES.items():
        median = statistics.median(wall(code, args.tree) for _ in range(args.repeats))
        row = dict(date=today(), probe=probe, median_s=round(median, 3), repeats=args.repeats)
        row.update(git_commit=commit, machine=machine(), command=command)
        results.append(row)
        print(f"RESULT probe={probe!r} commit={commit} median_s={median:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
