"""The time of day of history events, in the user's time zone or in UTC (a key switches
between them), with the date as well when a run spans more than one day there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo


@dataclass
class EventClock:
    """How event times are written: `tz` is the user's zone (None: the system's)."""

    tz: tzinfo | None = None
    utc: bool = False

    @property
    def zone(self) -> tzinfo | None:
        return UTC if self.utc else self.tz

    def zone_name(self, sample: datetime | None) -> str:
        """ "UTC", or the user's zone's abbreviation at `sample` (EST, CET...)."""
        if self.utc:
            return "UTC"
        if sample is None:
            return "local"
        return sample.astimezone(self.tz).tzname() or "local"

    def spans_days(self, first: datetime | None, last: datetime | None) -> bool:
        if first is None or last is None:
            return False
        return first.astimezone(self.zone).date() != last.astimezone(self.zone).date()

    def text(self, moment: datetime, with_date: bool) -> str:
        local = moment.astimezone(self.zone)
        return local.strftime("%b %d %H:%M:%S" if with_date else "%H:%M:%S")
