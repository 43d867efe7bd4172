"""Response timestamps as UTC datetimes sharing one tzinfo.

botocore turns each epoch timestamp into ``datetime.fromtimestamp(value, tzlocal())``:
a new dateutil ``tzlocal`` object per timestamp (two per execution listed), each one
tracked by the cyclic GC, and slow to build and to convert. A page of 100 runs made
200 of them; the runs kept on screen kept theirs alive, and every full GC collection
walked them. Here an epoch value becomes ``fromtimestamp(value, UTC)``: the same instant,
no per-value tzinfo (the screens convert to the chosen time zone when they draw).
Other forms (ISO 8601 strings, from IAM's query protocol) go to botocore's parser.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.utils import parse_timestamp


def parse_utc_timestamp(value: Any) -> datetime:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            return parse_timestamp(value)
    return parse_timestamp(value)


def use_utc_timestamps(session: Any) -> None:
    """Make every client this botocore/aiobotocore session creates parse timestamps so."""
    session.get_component("response_parser_factory").set_parser_defaults(
        timestamp_parser=parse_utc_timestamp
    )
