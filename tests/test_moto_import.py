"""local/moto_import.py: moto imported with one shared boto3 Session knows the same
regions as moto imported as it comes, and boto3.Session is itself again afterwards.
Each in a fresh interpreter (this one has imported moto already)."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
import boto3
real = boto3.Session
if sys.argv[1] == "shared":
    from sfn_tui.local.moto_import import one_boto3_session
    with one_boto3_session():
        from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend
else:
    from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend
print(json.dumps({
    "regions": [[r.name, r.endpoint, r.opt_in_status] for r in RegionsAndZonesBackend.regions],
    "restored": boto3.Session is real,
}))
"""


def probe(how: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, how], capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout))


def test_moto_knows_the_same_regions_with_one_shared_session() -> None:
    shared, plain = probe("shared"), probe("plain")
    assert shared["regions"] == plain["regions"]
    assert len(plain["regions"]) > 20  # type: ignore[arg-type]
    assert shared["restored"] is True
