# -*- coding: utf-8 -*-
# Copyright: Contributors to the keyfactor.command collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters for planning work into maintenance windows.

The documentation of each filter is in the YAML file of the same name next to this one.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from datetime import timezone as _timezone

from ansible.errors import AnsibleFilterError

_NAME = "next_maintenance_window"
_UTC = _timezone.utc
_TIME_OF_DAY = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_SEPARATORS = re.compile(r"[\s,]+")


def next_maintenance_window(time_of_day, timezone=None, days=None, now=None):
    """The next start of a daily (or weekday-only) window, as ISO 8601 with its UTC offset."""
    clock = _parse_time_of_day(time_of_day)
    zone = _load_zone(timezone)
    weekdays = _parse_days(days)
    start = _parse_now(now)

    today = start.astimezone(zone).date()
    # Eight days always reach the next allowed weekday, even when today's window has passed.
    for ahead in range(8):
        day = today + timedelta(days=ahead)
        if weekdays and day.weekday() not in weekdays:
            continue
        candidate = _local_instant(day, clock, zone)
        if candidate > start:
            return candidate.isoformat(timespec="seconds")
    raise AnsibleFilterError(
        "%s: no window found in the eight days after %s." % (_NAME, start.isoformat())
    )


def _local_instant(day, clock, zone):
    """The instant the clocks in ``zone`` show ``clock`` on ``day``.

    A time skipped when the clocks go forward is taken with the offset in force before the
    change, which lands as far after the change as the time was after its start (02:30 in a
    02:00-03:00 gap becomes 03:30). A time that occurs twice when the clocks go back is its
    first occurrence. Converting through UTC turns either into an instant with its real offset.
    """
    local = datetime.combine(day, clock).replace(tzinfo=zone, fold=0)
    return local.astimezone(_UTC).astimezone(zone)


def _parse_time_of_day(value):
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise AnsibleFilterError(
                "%s: the time of day must not carry a UTC offset; the time zone comes from the "
                "timezone argument." % _NAME
            )
        return value.replace(microsecond=0)
    match = _TIME_OF_DAY.match(value.strip()) if isinstance(value, str) else None
    if match:
        hour, minute, second = (int(part or 0) for part in match.groups())
        if hour <= 23 and minute <= 59 and second <= 59:
            return time(hour, minute, second)
    raise AnsibleFilterError(
        "%s: %r is not a time of day. Give the local time as HH:MM or HH:MM:SS (24-hour clock, "
        "for example '02:00'), without a date or UTC offset; the time zone comes from the "
        "timezone argument." % (_NAME, value)
    )


def _load_zone(name):
    if not isinstance(name, str) or not name.strip():
        raise AnsibleFilterError(
            "%s: timezone is required: an IANA time zone name such as 'Europe/Berlin' or 'UTC'."
            % _NAME
        )
    try:
        return zoneinfo.ZoneInfo(name.strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise AnsibleFilterError(
            "%s: %r is not a known IANA time zone. Give a name such as 'Europe/Berlin', "
            "'America/New_York' or 'UTC'." % (_NAME, name)
        )


def _parse_days(value):
    """The allowed weekdays as a set of numbers (Monday is 0); empty means every day."""
    if value is None:
        return set()
    if isinstance(value, str):
        names = [part for part in _DAY_SEPARATORS.split(value) if part]
    elif isinstance(value, Sequence):
        names = list(value)
    else:
        raise AnsibleFilterError(
            "%s: days must be a list of weekday names, not %s." % (_NAME, type(value).__name__)
        )

    weekdays = set()
    unknown = []
    for name in names:
        number = _weekday_number(name)
        if number is None:
            unknown.append(name)
        else:
            weekdays.add(number)
    if unknown:
        listed = ", ".join(repr(name) for name in unknown)
        raise AnsibleFilterError(
            "%s: days: %s %s. Use English weekday names such as 'saturday', or their first "
            "three letters ('sat'), in any letter case."
            % (_NAME, listed, "is not a weekday" if len(unknown) == 1 else "are not weekdays")
        )
    return weekdays


def _weekday_number(name):
    if not isinstance(name, str):
        return None
    wanted = name.strip().lower()
    for number, weekday in enumerate(_WEEKDAYS):
        if wanted in (weekday, weekday[:3]):
            return number
    return None


def _parse_now(value):
    if value is None:
        return datetime.now(_UTC)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            value = None
    if isinstance(value, datetime) and value.utcoffset() is not None:
        return value
    raise AnsibleFilterError(
        "%s: now must be a date-time with a UTC offset, for example "
        "'2026-12-04T16:30:00+00:00' or '2026-12-04T16:30:00Z'." % _NAME
    )


class FilterModule(object):
    def filters(self):
        return {_NAME: next_maintenance_window}
