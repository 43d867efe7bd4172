"""The launch's early listing, option by option: how long until both Textual's import
and the first listing (resolve, then ListStateMachines, ListActivities and the first
machine's ListExecutions) are done, each in a fresh interpreter, alternating:

- sequential: resolve and list (botocore's signer, http.client), then import Textual
- thread: the same listing in a thread while Textual is imported (one GIL)
- fork: the same listing in a forked child (aws/early_listing.py, what sfn-tui does)
- aiobotocore: today's order: Textual, then aiobotocore's import, a client and the calls

    .venv/bin/python bench/early_options.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import CREDS, PY, REGION, Engine

COMMON = """
import sys, time
endpoint = sys.argv[1]
def listing_here():
    from sfn_tui.aws.connection import resolve_with_credentials
    from sfn_tui.aws.early_listing import fetch, plan
    c, s, cr = resolve_with_credentials(profile=None, region="us-east-1", endpoint_url=endpoint)
    fetch(plan(c, s, cr))
def textual():
    import textual.app
    from textual.widgets import DataTable, Static
"""
MODES = {
    "sequential": "listing_here(); textual()",
    "thread": (
        "import threading\n"
        "t = threading.Thread(target=listing_here); t.start(); textual(); t.join()"
    ),
    "fork": (
        "from sfn_tui.aws.early_listing import EarlyListing\n"
        "e = EarlyListing.launch(profile=None, region='us-east-1', endpoint_url=endpoint)\n"
        "textual(); e.connection(); assert e.result() is not None"
    ),
    "aiobotocore": (
        "textual()\n"
        "import asyncio\n"
        "from sfn_tui.aws.client import StepFunctionsClient\n"
        "from sfn_tui.aws.connection import resolve\n"
        "async def go():\n"
        "    c = StepFunctionsClient(resolve(profile=None, region='us-east-1',"
        " endpoint_url=endpoint))\n"
        "    await c.open()\n"
        "    m = await c.list_state_machines(); await c.list_activities()\n"
        "    await c.list_executions(sorted(m, key=lambda x: x.name.lower())[0].arn)\n"
        "    await c.close()\n"
        "asyncio.run(go())"
    ),
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    env = {**os.environ, **CREDS}
    env.pop("AWS_PROFILE", None)
    engine = Engine(1000)
    times: dict[str, list[float]] = {m: [] for m in MODES}
    try:
        for _ in range(args.rounds):
            for mode, code in MODES.items():
                started = time.perf_counter()
                subprocess.run([PY, "-c", COMMON + code, engine.endpoint], env=env, check=True)
                times[mode].append(time.perf_counter() - started)
    finally:
        engine.close()
    load = os.getloadavg()[0]
    print(
        f"process start → Textual imported and first listing done ({REGION}, medians"
        f" of {args.rounds}; load {load:.2f}):"
    )
    for mode, values in times.items():
        print(f"  {mode:<12} {statistics.median(values):.2f} s  (min {min(values):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
