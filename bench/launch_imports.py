"""Where sfn-tui's launch goes: `python -X importtime` of a real launch in a pty
against a seeded engine, until the first state machine is on screen, summed by
top-level package (self time), and the arrival of the first paint and the first data.

    .venv/bin/python bench/launch_imports.py [--finished 1000] [--repeat 3]

(The early-listing child's imports are not counted: its stderr goes nowhere.)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import CREDS, PAINTED, PY, REGION, Engine, PtyApp


def profile(engine: Engine) -> tuple[Counter[str], float, float]:
    with tempfile.NamedTemporaryFile("w+", suffix=".importtime", delete=False) as out:
        path = out.name
    argv = [PY, "-X", "importtime", "-m", "sfn_tui"]
    argv += ["--endpoint-url", engine.endpoint, "--region", REGION]
    # Popen in PtyApp sends stderr to the pty: wrap the command to send it to a file.
    shell = ["/bin/sh", "-c", f'exec "$@" 2>"{path}"', "sh", *argv]
    app = PtyApp([], argv=shell)
    try:
        seen = app.wait_for(PAINTED, "aaa-bench-100k", timeout=60)
    finally:
        app.close()
    by_package: Counter[str] = Counter()
    for line in Path(path).read_text().splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _, name = line[len("import time:") :].split("|")
        by_package[name.strip().split(".")[0]] += int(self_us)
    os.unlink(path)
    return by_package, seen[PAINTED], seen["aaa-bench-100k"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--finished", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.update(CREDS)
    engine = Engine(args.finished)
    try:
        runs = [profile(engine) for _ in range(args.repeat)]
    finally:
        engine.close()
    totals: Counter[str] = Counter()
    for counts, _, _ in runs:
        totals.update(counts)
    print(f"import self time by top-level package (ms, mean of {len(runs)} launches):")
    for name, us in totals.most_common(12):
        print(f"  {name:<24} {us / 1000 / len(runs):7.1f}")
    print(f"  {'(all)':<24} {sum(totals.values()) / 1000 / len(runs):7.1f}")
    paint = statistics.median(r[1] for r in runs)
    data = statistics.median(r[2] for r in runs)
    print(f"first paint {paint:.2f} s, first machines {data:.2f} s (medians, under -X importtime)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
