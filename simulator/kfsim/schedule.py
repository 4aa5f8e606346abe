"""KeyfactorSchedule: validation, normalisation and next-run computation (API-NOTES §3).

Schedule times are real UTC instants compared with the real clock; time_scale only shortens the
simulator's own delays (pickup, run, inventory lag), never a requested schedule.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta

from .clock import parse_iso
from .errors import bad_request
from .params import ci_get

MEMBERS = ("Immediate", "Interval", "Daily", "Weekly", "Monthly", "ExactlyOnce")
DAY_NAMES = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]


def _time(obj, where: str) -> str:
    raw = ci_get(obj, "Time")
    if not isinstance(raw, str):
        raise bad_request(f"Schedule.{where}.Time is required.")
    try:
        parse_iso(raw)
    except ValueError:
        raise bad_request(f"Schedule.{where}.Time '{raw}' is not a valid date-time.") from None
    return raw


def _int(obj, name: str, where: str, low: int, high: int) -> int:
    raw = ci_get(obj, name)
    if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
        raise bad_request(f"Schedule.{where}.{name} must be an integer from {low} to {high}.")
    return raw


def _day(value) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value
    # kfutil documents day names as accepted too (unverified); DayOfWeek binds names in .NET.
    if isinstance(value, str) and value.lower() in DAY_NAMES:
        return DAY_NAMES.index(value.lower())
    raise bad_request(f"'{value}' is not a valid day of the week.")


def normalise(raw) -> dict:
    """Return {Member: value} with PascalCase names; exactly one member must be set."""
    if not isinstance(raw, dict):
        raise bad_request("Schedule is required.")
    present = [m for m in MEMBERS if ci_get(raw, m) not in (None, False)]
    if len(present) != 1:
        raise bad_request(
            "Schedule must specify exactly one of Immediate, Interval, Daily, "
            "Weekly, Monthly or ExactlyOnce."
        )
    member = present[0]
    value = ci_get(raw, member)
    if member == "Immediate":
        if value is not True:
            raise bad_request("Schedule.Immediate must be true or null.")
        return {"Immediate": True}
    if not isinstance(value, dict):
        raise bad_request(f"Schedule.{member} must be an object.")
    if member == "Interval":
        return {"Interval": {"Minutes": _int(value, "Minutes", member, 1, 2**31 - 1)}}
    if member == "Monthly":
        return {"Monthly": {"Day": _int(value, "Day", member, 1, 31), "Time": _time(value, member)}}
    if member == "Weekly":
        days = ci_get(value, "Days")
        if not isinstance(days, list) or not days:
            raise bad_request("Schedule.Weekly.Days must list at least one day.")
        return {"Weekly": {"Days": sorted({_day(d) for d in days}), "Time": _time(value, member)}}
    return {member: {"Time": _time(value, member)}}


def _at(day: datetime, clock: datetime) -> datetime:
    return day.replace(hour=clock.hour, minute=clock.minute, second=clock.second, microsecond=0)


def next_run(schedule: dict, after: float, first: bool) -> float | None:
    """The next real run time strictly after `after` (first run: at/after the schedule's Time)."""
    member, value = next(iter(schedule.items()))
    if member == "Immediate":
        return after if first else None
    if member == "Interval":
        return after + value["Minutes"] * 60
    anchor = datetime.fromtimestamp(parse_iso(value["Time"]), tz=UTC)
    if member == "ExactlyOnce":
        return anchor.timestamp() if first else None
    start = datetime.fromtimestamp(after, tz=UTC)
    if first and anchor > start:
        start = anchor - timedelta(seconds=1)
    for offset in range(0, 400):
        day = _at(start + timedelta(days=offset), anchor)
        if day <= start:
            continue
        if member == "Weekly" and (day.weekday() + 1) % 7 not in value["Days"]:
            continue
        if member == "Monthly":
            last = calendar.monthrange(day.year, day.month)[1]
            if day.day != min(value["Day"], last):
                continue
        return day.timestamp()
    return None


def schedule_type(schedule: dict | None) -> str | None:
    """The JobHistory 'ScheduleType' query value: null (Immediate), I_, D_, W_, M_, O_ (D-JH)."""
    if not schedule or schedule.get("Immediate"):
        return None
    member, value = next(iter(schedule.items()))
    if member == "Interval":
        return f"I_{value['Minutes']}"
    clock = value["Time"][11:16]
    if member == "Daily":
        return f"D_{clock}"
    if member == "Weekly":
        return f"W_{','.join(str(d) for d in value['Days'])}_{clock}"
    if member == "Monthly":
        return f"M_{value['Day']}_{clock}"
    return f"O_{value['Time']}"
