# -*- coding: utf-8 -*-
# Copyright: Contributors to the keyfactor.command collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Schedules: from the module's ``schedule`` option to Keyfactor's schedule object, in UTC.

Internal to the collection; not a public API. Only aware datetimes are used, so the time zone
of the machine running the module never changes a result.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from ansible_collections.keyfactor.command.plugins.module_utils._errors import InputError

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
except ImportError:  # Python < 3.9 has no zoneinfo; a named time zone then cannot work.
    ZoneInfo = None
    ZoneInfoNotFoundError = KeyError

TYPES = ("immediate", "once", "daily", "weekly", "monthly", "interval")
# Keyfactor sends System.DayOfWeek: 0 is Sunday.
WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
_USES = {
    "immediate": (),
    "once": ("time", "timezone"),
    "daily": ("time", "timezone"),
    "weekly": ("time", "timezone", "days"),
    "monthly": ("time", "timezone", "day"),
    "interval": ("minutes",),
}
_KEYFACTOR_NAMES = {
    "once": "ExactlyOnce",
    "daily": "Daily",
    "weekly": "Weekly",
    "monthly": "Monthly",
    "interval": "Interval",
}
IMMEDIATE = {"Immediate": True}
# Command keeps the minutes of an interval as a 32-bit integer.
MAX_MINUTES = 2147483647


def schedule_argument_spec():
    return dict(
        type=dict(type="str", default="immediate", choices=list(TYPES)),
        # raw, so that an unquoted YAML time (read as a number) can be told apart and explained.
        time=dict(type="raw"),
        timezone=dict(type="str"),
        days=dict(type="list", elements="str"),
        day=dict(type="int"),
        minutes=dict(type="int"),
    )


def build_schedule(option, now=None):
    """Keyfactor's schedule object for the module's ``schedule`` option (None: immediate)."""
    option = dict(option or {})
    kind = option.get("type") or "immediate"
    now = now or datetime.now(timezone.utc)
    for name in ("time", "timezone", "days", "day", "minutes"):
        if option.get(name) is not None and name not in _USES[kind]:
            raise InputError("schedule.%s: is not used with type %s." % (name, kind))
    if kind == "immediate":
        return dict(IMMEDIATE)
    if kind == "interval":
        minutes = option.get("minutes")
        if minutes is None or not 0 < minutes <= MAX_MINUTES:
            raise InputError("schedule.minutes: type interval needs a whole number of minutes "
                             "from 1 to %d." % MAX_MINUTES)
        return {"Interval": {"Minutes": minutes}}

    zone = _zone(option.get("timezone"))
    if kind == "once":
        moment = _date_time(option.get("time"), zone)
        if moment <= now:
            raise InputError("schedule.time: %s is in the past (it is now %s)."
                             % (_utc_text(moment), _utc_text(now)))
        return {"ExactlyOnce": {"Time": _utc_text(moment)}}
    if kind == "daily":
        moment = _first_run(option.get("time"), zone, now, lambda day: True)
        return {"Daily": {"Time": _utc_text(moment)}}
    if kind == "weekly":
        days = _weekdays(option.get("days"))
        moment = _first_run(option.get("time"), zone, now, lambda day: _weekday(day) in days)
        shift = _day_shift(moment)
        return {"Weekly": {"Days": sorted((day + shift) % 7 for day in days),
                           "Time": _utc_text(moment)}}
    day = option.get("day")
    if day is None or not 1 <= day <= 31:
        raise InputError("schedule.day: type monthly needs a day of the month from 1 to 31.")
    moment = _first_run(option.get("time"), zone, now, lambda candidate: candidate.day == day)
    if moment.day != day:
        raise InputError("schedule.time: the first run (%s) is not on day %d of its month."
                         % (moment.isoformat(), day))
    utc_day = day + _day_shift(moment)
    # Near the end of a month a day that moves in UTC would run on other days in short months.
    if utc_day != day and (not 1 <= utc_day <= 28 or day > 28):
        raise InputError(
            "schedule.time: day %d at this time of day is day %d in UTC, which Command's monthly "
            "schedule cannot hold the same way in every month; choose another day or time."
            % (day, utc_day))
    return {"Monthly": {"Day": utc_day, "Time": _utc_text(moment)}}


def describe(schedule):
    """A short text for messages, such as 'ExactlyOnce at 2026-12-05T01:00:00Z'."""
    (name, value), = schedule.items()
    if name == "Immediate":
        return "immediately"
    if name == "Interval":
        return "every %d minute(s)" % value["Minutes"]
    text = "%s at %s" % (name, value["Time"])
    if name == "Weekly":
        text += " on %s" % ", ".join(WEEKDAYS[day].capitalize() for day in value["Days"])
    if name == "Monthly":
        text += " on day %d" % value["Day"]
    return text


def same_schedule(sent, listed):
    """Whether a schedule Command lists is the one this task would send (times as instants)."""
    if sent == IMMEDIATE:
        # Command may read an immediate job's schedule back as null or as no member at all.
        return listed is None or (isinstance(listed, dict) and all(
            value in (None, False) or key.lower() == "immediate"
            for key, value in listed.items()))
    if not isinstance(listed, dict):
        return False
    listed = {key: value for key, value in listed.items() if value not in (None, False)}
    if set(listed) != set(sent):
        return False
    (name, value), = sent.items()
    other = listed[name]
    if not isinstance(other, dict):
        return False
    for key, wanted in value.items():
        seen = other.get(key)
        if key == "Time":
            if _instant(seen) != _instant(wanted):
                return False
        elif key == "Days":
            if sorted(seen or []) != sorted(wanted):
                return False
        elif seen != wanted:
            return False
    return True


def _instant(text):
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _zone(name):
    if name is None:
        return None
    if ZoneInfo is None:
        raise InputError("schedule.timezone: needs Python 3.9 or later (zoneinfo) where the "
                         "module runs.")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError("schedule.timezone: %r is not an IANA time zone name (such as "
                         "Europe/Berlin or UTC)." % name)


def _text(value):
    if value is None:
        raise InputError("schedule.time: this schedule type needs a time.")
    if isinstance(value, bool) or not isinstance(value, str):
        raise InputError(
            "schedule.time: %r is not an ISO 8601 time. Quote times in YAML: unquoted, YAML "
            "reads 12:30 as the number 750." % (value,))
    return value.strip()


def _date_time(value, zone):
    """An aware datetime from a full ISO 8601 date and time."""
    text = _text(value)
    if "T" not in text.upper() and " " not in text:
        raise InputError("schedule.time: %r needs a date and a time, such as "
                         "2026-12-05T02:00:00+01:00." % text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InputError("schedule.time: %r is not an ISO 8601 date and time." % text)
    return _localise(moment, zone)


def _localise(moment, zone):
    if moment.tzinfo is not None:
        return moment
    if zone is None:
        raise _needs_zone(moment.isoformat())
    local = moment.replace(tzinfo=zone)
    if not _exists(local):
        raise InputError("schedule.time: %s does not exist in %s (the clocks skip it that day)."
                         % (moment.isoformat(), zone.key))
    return local


def _exists(local):
    """False for a wall-clock time the clocks skip (the hour lost when summer time starts)."""
    back = local.astimezone(timezone.utc).astimezone(local.tzinfo)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)


def _needs_zone(text):
    return InputError("schedule.timezone: the time %s has no UTC offset, so it needs a time "
                      "zone (an IANA name such as Europe/Berlin), or give the time with an "
                      "offset such as +01:00 or Z." % text)


def _first_run(value, zone, now, wanted_day):
    """The first run of a repeating schedule: a full date-time as given, or the next day (in
    the schedule's own time zone) on which ``wanted_day`` holds, at the given time of day."""
    text = _text(value)
    if "T" in text.upper()[1:] or " " in text or "-" in text[:5]:
        return _date_time(text, zone)
    try:
        clock = time.fromisoformat(text)
    except ValueError:
        raise InputError("schedule.time: %r is not an ISO 8601 time of day (such as 02:00) "
                         "or date and time." % text)
    local_zone = clock.tzinfo or zone
    if local_zone is None:
        raise _needs_zone(text)
    today = now.astimezone(local_zone).date()
    for offset in range(0, 400):
        day = today + timedelta(days=offset)
        if not wanted_day(day):
            continue
        moment = datetime.combine(day, clock.replace(tzinfo=None)).replace(tzinfo=local_zone)
        # A day whose clocks skip this time cannot hold the first run; the next day can.
        if moment > now and _exists(moment):
            return moment
    raise InputError("schedule: no date in the coming year matches this schedule.")


def _weekday(day):
    """System.DayOfWeek number of a date (0 is Sunday)."""
    return (day.weekday() + 1) % 7


def _weekdays(names):
    if not names:
        raise InputError("schedule.days: type weekly needs at least one day, such as [monday].")
    numbers = set()
    for name in names:
        key = str(name).strip().lower()
        matches = [index for index, day in enumerate(WEEKDAYS)
                   if day == key or (len(key) >= 3 and day.startswith(key))]
        if len(matches) != 1:
            raise InputError("schedule.days: %r is not a day of the week (use monday ... sunday)."
                             % name)
        numbers.add(matches[0])
    return numbers


def _day_shift(moment):
    """How many days the date moves when the first run is written in UTC (-1, 0 or 1).

    ``moment`` carries the user's own offset or zone, so its date is the user's date.
    """
    return (moment.astimezone(timezone.utc).date() - moment.date()).days


def _utc_text(moment):
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
