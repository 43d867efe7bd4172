"""The app's default clock, in a module of its own: the first frame needs it, and the
poller (with the models and errors it brings) is imported only after that frame."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)
