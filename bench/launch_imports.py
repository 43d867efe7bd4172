"""Where sfn-tui's launch goes: `python -X importtime` of a real launch in a pty
against a seeded engine, until the first state machine is on screen, summed by
top-level package (self time).

    .venv/bin/python bench/launch_imports.py [--finished 1000] [--repeat 3]

(The early-listing child's imports are not counted: its stderr goes nowhere.)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import CREDS, PY, REGION, Engine, PtyApp


def profile(engine: Engine) -> Counter[str]:
    """One launch; its imports' self time by top-level package (microseconds)."""
    with tempfile.NamedTemporaryFile("w+", suffix=".importtime", delete=False) as out:
        path = out.name
    argv = [PY, "-X", "importtime", "-m", "sfn_tui"]
    argv += ["--endpoint-url", engine.endpoint, "--region", REGION]
    # Textual draws on stderr, where -X importtime writes too: both go to the file,
    # and the launch ends once the first machine is drawn there.
    shell = ["/bin/sh", "-c", f'exec "$@" 2>"{path}"', "sh", *argv]
    app = PtyApp([], argv=shell)
    try:
        deadline = time.monotonic() + 60
        while b"aaa-bench-100k" not in Path(path).read_bytes() and time.monotonic() < deadline:
            app.pump(0.05)
    finally:
        app.close()
    by_package: Counter[str] = Counter()
    for line in Path(path).read_text(errors="replace").splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _, name = line[len("import time:") :].split("|")
        by_package[name.strip().split(".")[0]] += int(self_us)
    os.unlink(path)
    return by_package


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
    for counts in runs:
        totals.update(counts)
    print(f"import self time by top-level package (ms, mean of {len(runs)} launches):")
    for name, us in totals.most_common(12):
        print(f"  {name:<24} {us / 1000 / len(runs):7.1f}")
    print(f"  {'(all)':<24} {sum(totals.values()) / 1000 / len(runs):7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
