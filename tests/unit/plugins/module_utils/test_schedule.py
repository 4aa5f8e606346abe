"""Schedules: the module's schedule option to Keyfactor's schedule object, always in UTC."""

import json
import os
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from ansible_collections.keyfactor.command.plugins.module_utils._errors import InputError
from ansible_collections.keyfactor.command.plugins.module_utils._schedule import (
    build_schedule,
    describe,
    same_schedule,
)

# Friday 2026-12-04, 15:00 UTC (16:00 in Berlin, 10:00 in New York).
NOW = datetime(2026, 12, 4, 15, 0, tzinfo=timezone.utc)


def build(**option):
    return build_schedule(option, now=NOW)


@pytest.mark.parametrize("option", [None, {}, {"type": "immediate"}])
def test_immediate_is_the_default(option):
    assert build_schedule(option, now=NOW) == {"Immediate": True}


@pytest.mark.parametrize("option, expected", [
    (dict(time="2026-12-05T01:00:00Z"), "2026-12-05T01:00:00Z"),
    (dict(time="2026-12-05T02:00:00+01:00"), "2026-12-05T01:00:00Z"),
    (dict(time="2026-12-05T02:00:00", timezone="Europe/Berlin"), "2026-12-05T01:00:00Z"),
    (dict(time="2027-07-05T02:00:00", timezone="Europe/Berlin"), "2027-07-05T00:00:00Z"),
    (dict(time="2026-12-05 02:00", timezone="America/New_York"), "2026-12-05T07:00:00Z"),
    (dict(time="2026-12-05T02:00:00-05:00", timezone="Europe/Berlin"), "2026-12-05T07:00:00Z"),
    # 02:30 happens twice in Berlin on 2026-10-25; the first (summer time) is meant.
    (dict(time="2026-10-25T02:30:00", timezone="Europe/Berlin"), "2026-10-25T00:30:00Z"),
])
def test_once_is_written_in_utc(option, expected):
    now = datetime(2026, 1, 1, tzinfo=timezone.utc) if "10-25" in option["time"] else NOW
    assert build_schedule(dict(type="once", **option), now=now) == {
        "ExactlyOnce": {"Time": expected}}


@pytest.mark.parametrize("option, message", [
    (dict(type="once"), "schedule.time: this schedule type needs a time."),
    (dict(type="once", time="2026-12-05T02:00:00"),
     "schedule.timezone: the time 2026-12-05T02:00:00 has no UTC offset, so it needs a time zone"),
    (dict(type="once", time="2026-12-04T14:59:00Z"),
     "schedule.time: 2026-12-04T14:59:00Z is in the past (it is now 2026-12-04T15:00:00Z)."),
    (dict(type="once", time="2026-12-05"), "schedule.time: '2026-12-05' needs a date and a time"),
    (dict(type="once", time="tomorrow 2am"),
     "schedule.time: 'tomorrow 2am' is not an ISO 8601 date and time."),
    (dict(type="once", time="2026-13-05T02:00Z"), "schedule.time: '2026-13-05T02:00Z' is not an ISO 8601"),
    (dict(type="once", time=750), "schedule.time: 750 is not an ISO 8601 time. Quote times in YAML"),
    (dict(type="once", time="2026-12-05T02:00:00", timezone="Mars/Olympus"),
     "schedule.timezone: 'Mars/Olympus' is not an IANA time zone name"),
    (dict(type="once", time="2027-03-28T02:30:00", timezone="Europe/Berlin"),
     "schedule.time: 2027-03-28T02:30:00 does not exist in Europe/Berlin"),
    (dict(type="immediate", time="2026-12-05T02:00:00Z"),
     "schedule.time: is not used with type immediate."),
    (dict(type="daily", time="02:00", timezone="UTC", days=["monday"]),
     "schedule.days: is not used with type daily."),
    (dict(type="weekly", time="02:00", timezone="UTC"),
     "schedule.days: type weekly needs at least one day"),
    (dict(type="weekly", time="02:00", timezone="UTC", days=["funday"]),
     "schedule.days: 'funday' is not a day of the week"),
    (dict(type="weekly", time="02:00", timezone="UTC", days=["t"]),
     "schedule.days: 't' is not a day of the week"),
    (dict(type="monthly", time="02:00", timezone="UTC", day=32),
     "schedule.day: type monthly needs a day of the month from 1 to 31."),
    (dict(type="monthly", time="02:00", timezone="UTC"),
     "schedule.day: type monthly needs a day of the month from 1 to 31."),
    (dict(type="monthly", time="00:30", timezone="Europe/Berlin", day=1),
     "schedule.time: day 1 at this time of day is day 0 in UTC"),
    (dict(type="monthly", time="00:30", timezone="Europe/Berlin", day=31),
     "schedule.time: day 31 at this time of day is day 30 in UTC, which Command's monthly "
     "schedule cannot hold the same way in every month"),
    (dict(type="monthly", time="2026-12-20T02:00:00", timezone="Europe/Berlin", day=15),
     "schedule.time: the first run (2026-12-20T02:00:00+01:00) is not on day 15 of its month."),
    (dict(type="interval", minutes=99999999999),
     "schedule.minutes: type interval needs a whole number of minutes from 1 to 2147483647."),
    (dict(type="interval", minutes=0), "schedule.minutes: type interval needs a whole number"),
    (dict(type="interval"), "schedule.minutes: type interval needs a whole number"),
    (dict(type="daily", time="25:00", timezone="UTC"), "schedule.time: '25:00' is not an ISO 8601"),
    (dict(type="daily", time="02:00"), "schedule.timezone: the time 02:00 has no UTC offset"),
])
def test_wrong_combinations_name_the_option(option, message):
    with pytest.raises(InputError) as error:
        build_schedule(option, now=NOW)
    assert str(error.value).startswith(message)


@pytest.mark.parametrize("option, expected", [
    (dict(time="02:00", timezone="Europe/Berlin"), "2026-12-05T01:00:00Z"),
    (dict(time="23:30", timezone="Europe/Berlin"), "2026-12-04T22:30:00Z"),
    (dict(time="16:00", timezone="Europe/Berlin"), "2026-12-05T15:00:00Z"),
    (dict(time="02:00+01:00"), "2026-12-05T01:00:00Z"),
    (dict(time="2026-12-10T06:00:00Z"), "2026-12-10T06:00:00Z"),
])
def test_daily_first_run_is_the_next_occurrence(option, expected):
    assert build(type="daily", **option) == {"Daily": {"Time": expected}}


def test_daily_first_run_skips_a_day_whose_clocks_skip_the_time():
    now = datetime(2027, 3, 27, 0, 0, tzinfo=timezone.utc)
    assert build_schedule(dict(type="daily", time="02:30", timezone="Europe/Berlin"), now=now) == {
        "Daily": {"Time": "2027-03-27T01:30:00Z"}}
    now = datetime(2027, 3, 27, 23, 0, tzinfo=timezone.utc)
    assert build_schedule(dict(type="daily", time="02:30", timezone="Europe/Berlin"), now=now) == {
        "Daily": {"Time": "2027-03-29T00:30:00Z"}}


def test_weekly_days_move_with_the_date_in_utc():
    # Monday 00:30 in Berlin is Sunday 23:30 in UTC.
    assert build(type="weekly", time="00:30", timezone="Europe/Berlin", days=["Monday"]) == {
        "Weekly": {"Days": [0], "Time": "2026-12-06T23:30:00Z"}}
    # Friday 22:00 in New York is Saturday 03:00 in UTC.
    assert build(type="weekly", time="22:00", timezone="America/New_York",
                 days=["fri", "MON"]) == {
        "Weekly": {"Days": [2, 6], "Time": "2026-12-05T03:00:00Z"}}


def test_weekly_first_run_is_the_next_chosen_day():
    # 09:00 in New York today (Friday) was 14:00 UTC, already past: Monday comes next.
    assert build(type="weekly", time="09:00", timezone="America/New_York",
                 days=["friday", "monday"]) == {
        "Weekly": {"Days": [1, 5], "Time": "2026-12-07T14:00:00Z"}}


@pytest.mark.parametrize("option, expected", [
    (dict(day=15, time="02:00", timezone="Europe/Berlin"),
     {"Day": 15, "Time": "2026-12-15T01:00:00Z"}),
    (dict(day=1, time="23:30", timezone="America/New_York"),
     {"Day": 2, "Time": "2027-01-02T04:30:00Z"}),
    (dict(day=31, time="12:00Z"), {"Day": 31, "Time": "2026-12-31T12:00:00Z"}),
])
def test_monthly(option, expected):
    assert build(type="monthly", **option) == {"Monthly": expected}


def test_interval():
    assert build(type="interval", minutes=90) == {"Interval": {"Minutes": 90}}


def test_describe():
    assert describe({"ExactlyOnce": {"Time": "2026-12-05T01:00:00Z"}}) == (
        "ExactlyOnce at 2026-12-05T01:00:00Z")
    assert describe({"Weekly": {"Days": [1, 5], "Time": "2026-12-07T14:00:00Z"}}) == (
        "Weekly at 2026-12-07T14:00:00Z on Monday, Friday")
    assert describe({"Interval": {"Minutes": 5}}) == "every 5 minute(s)"


def test_same_schedule_compares_instants_and_ignores_empty_members():
    sent = {"ExactlyOnce": {"Time": "2026-12-05T01:00:00Z"}}
    assert same_schedule(sent, {"ExactlyOnce": {"Time": "2026-12-05T01:00:00"},
                                "Immediate": None, "Daily": None})
    assert same_schedule(sent, {"ExactlyOnce": {"Time": "2026-12-05T02:00:00+01:00"}})
    assert not same_schedule(sent, {"ExactlyOnce": {"Time": "2026-12-05T01:00:01Z"}})
    assert not same_schedule(sent, {"Daily": {"Time": "2026-12-05T01:00:00Z"}})
    assert not same_schedule(sent, {})
    assert not same_schedule(sent, None)
    weekly = {"Weekly": {"Days": [1, 5], "Time": "2026-12-07T14:00:00Z"}}
    assert same_schedule(weekly, {"Weekly": {"Days": [5, 1], "Time": "2026-12-07T14:00:00Z"}})
    assert not same_schedule(weekly, {"Weekly": {"Days": [1], "Time": "2026-12-07T14:00:00Z"}})


SCRIPT = """
import json, sys
from datetime import datetime, timezone
from ansible_collections.keyfactor.command.plugins.module_utils._schedule import build_schedule
now = datetime(2026, 12, 4, 15, 0, tzinfo=timezone.utc)
options = json.loads(sys.argv[1])
print(json.dumps([build_schedule(option, now=now) for option in options], sort_keys=True))
"""


def test_controller_time_zone_never_changes_the_request():
    options = [
        dict(type="once", time="2026-12-05T02:00:00", timezone="Europe/Berlin"),
        dict(type="daily", time="02:00", timezone="Europe/Berlin"),
        dict(type="weekly", time="00:30", timezone="Europe/Berlin", days=["monday"]),
        dict(type="monthly", time="23:30", timezone="America/New_York", day=1),
        dict(type="once", time="2026-12-05T02:00:00+05:30"),
    ]
    outputs = set()
    for zone in ("UTC", "Asia/Tokyo", "America/Los_Angeles", "Europe/Berlin", "Pacific/Kiritimati"):
        env = dict(os.environ, TZ=zone, PYTHONPATH=os.pathsep.join(sys.path))
        completed = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(options)], env=env,
                                   capture_output=True, text=True, check=True)
        outputs.add(completed.stdout)
    assert len(outputs) == 1
    assert json.loads(outputs.pop()) == [build_schedule(option, now=NOW) for option in options]


@pytest.mark.parametrize("listed, expected", [
    (None, True),
    ({}, True),
    ({"Immediate": True}, True),
    ({"Immediate": None, "Interval": None, "Daily": None}, True),
    ({"ExactlyOnce": {"Time": "2026-12-05T01:00:00Z"}}, False),
    ({"Interval": {"Minutes": 5}}, False),
])
def test_immediate_jobs_may_read_back_as_null_or_empty(listed, expected):
    assert same_schedule({"Immediate": True}, listed) is expected
