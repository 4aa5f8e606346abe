"""keyfactor.command.next_maintenance_window: the next local time of day, as an exact instant."""

import json
import os
import subprocess
import sys
from datetime import datetime, time, timezone

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.keyfactor.command.plugins.filter.maintenance_window import (
    FilterModule,
    next_maintenance_window,
)

# Friday 4 December 2026, 16:30 UTC (17:30 in Berlin, 11:30 in New York).
FRIDAY_AFTERNOON = "2026-12-04T16:30:00Z"


def test_is_exposed_under_its_documented_name():
    assert FilterModule().filters() == {"next_maintenance_window": next_maintenance_window}


@pytest.mark.parametrize(
    "time_of_day, zone, expected",
    [
        ("02:00", "Europe/Berlin", "2026-12-05T02:00:00+01:00"),
        ("18:00", "Europe/Berlin", "2026-12-04T18:00:00+01:00"),
        ("17:30", "Europe/Berlin", "2026-12-05T17:30:00+01:00"),
        ("17:30:01", "Europe/Berlin", "2026-12-04T17:30:01+01:00"),
        ("2:00", "America/New_York", "2026-12-05T02:00:00-05:00"),
        ("23:59:59", "America/New_York", "2026-12-04T23:59:59-05:00"),
        ("00:00", "UTC", "2026-12-05T00:00:00+00:00"),
        ("09:00", "Asia/Kolkata", "2026-12-05T09:00:00+05:30"),
        ("06:00", "Australia/Sydney", "2026-12-05T06:00:00+11:00"),
        ("03:00", "Pacific/Auckland", "2026-12-06T03:00:00+13:00"),
    ],
)
def test_returns_next_occurrence_with_its_offset(time_of_day, zone, expected):
    assert next_maintenance_window(time_of_day, zone, now=FRIDAY_AFTERNOON) == expected


def test_a_window_starting_this_very_second_counts_as_passed():
    assert (
        next_maintenance_window("17:30", "Europe/Berlin", now="2026-12-04T17:30:00+01:00")
        == "2026-12-05T17:30:00+01:00"
    )


def test_now_may_be_an_aware_datetime_in_any_zone():
    now = datetime(2026, 12, 5, 1, 30, tzinfo=timezone.utc)
    assert next_maintenance_window("02:00", "Europe/Berlin", now=now) == (
        "2026-12-06T02:00:00+01:00"
    )


def test_time_of_day_may_be_a_python_time():
    assert next_maintenance_window(time(2, 0), "Europe/Berlin", now=FRIDAY_AFTERNOON) == (
        "2026-12-05T02:00:00+01:00"
    )


class TestSpringForward(object):
    """A time the clocks skip moves later by the length of the gap, on the same night."""

    def test_berlin_skipped_time_moves_to_summer_time(self):
        # 29 March 2026: 02:00 CET becomes 03:00 CEST.
        assert (
            next_maintenance_window("02:30", "Europe/Berlin", now="2026-03-28T12:00:00Z")
            == "2026-03-29T03:30:00+02:00"
        )

    def test_berlin_start_of_gap_is_end_of_gap(self):
        assert (
            next_maintenance_window("02:00", "Europe/Berlin", now="2026-03-28T12:00:00Z")
            == "2026-03-29T03:00:00+02:00"
        )

    def test_berlin_times_around_the_gap_keep_their_clock_time(self):
        now = "2026-03-28T12:00:00Z"
        assert next_maintenance_window("01:59", "Europe/Berlin", now=now) == (
            "2026-03-29T01:59:00+01:00"
        )
        assert next_maintenance_window("03:00", "Europe/Berlin", now=now) == (
            "2026-03-29T03:00:00+02:00"
        )

    def test_berlin_next_night_is_normal_again(self):
        assert (
            next_maintenance_window("02:30", "Europe/Berlin", now="2026-03-29T02:00:00Z")
            == "2026-03-30T02:30:00+02:00"
        )

    def test_new_york_skipped_time_moves_to_daylight_time(self):
        # 8 March 2026: 02:00 EST becomes 03:00 EDT.
        assert (
            next_maintenance_window("02:30", "America/New_York", now="2026-03-07T17:00:00Z")
            == "2026-03-08T03:30:00-04:00"
        )

    def test_weekday_filter_applies_to_the_local_day_of_the_gap(self):
        assert (
            next_maintenance_window(
                "02:15", "America/New_York", days=["sunday"], now="2026-03-02T12:00:00Z"
            )
            == "2026-03-08T03:15:00-04:00"
        )


class TestFallBack(object):
    """A time the clocks show twice means its first occurrence; a day has one window."""

    def test_berlin_repeated_time_is_the_summer_time_one(self):
        # 25 October 2026: 03:00 CEST becomes 02:00 CET.
        assert (
            next_maintenance_window("02:30", "Europe/Berlin", now="2026-10-24T12:00:00Z")
            == "2026-10-25T02:30:00+02:00"
        )

    def test_berlin_between_the_two_occurrences_the_window_is_the_next_night(self):
        # 00:45 UTC is 02:45 CEST, after the first 02:30 and before the second.
        assert (
            next_maintenance_window("02:30", "Europe/Berlin", now="2026-10-25T00:45:00Z")
            == "2026-10-26T02:30:00+01:00"
        )

    def test_berlin_time_after_the_repeated_hour_is_on_winter_time(self):
        assert (
            next_maintenance_window("03:00", "Europe/Berlin", now="2026-10-24T12:00:00Z")
            == "2026-10-25T03:00:00+01:00"
        )

    def test_new_york_repeated_time_is_the_daylight_time_one(self):
        # 1 November 2026: 02:00 EDT becomes 01:00 EST.
        assert (
            next_maintenance_window("01:30", "America/New_York", now="2026-10-31T16:00:00Z")
            == "2026-11-01T01:30:00-04:00"
        )

    def test_new_york_between_the_two_occurrences_the_window_is_the_next_night(self):
        # 05:45 UTC is 01:45 EDT, after the first 01:30 and before the second (06:30 UTC).
        assert (
            next_maintenance_window("01:30", "America/New_York", now="2026-11-01T05:45:00Z")
            == "2026-11-02T01:30:00-05:00"
        )


class TestWeekdays(object):
    def test_only_named_weekdays_count(self):
        # Friday afternoon; the next Monday is 7 December.
        assert (
            next_maintenance_window("02:00", "Europe/Berlin", days=["monday"], now=FRIDAY_AFTERNOON)
            == "2026-12-07T02:00:00+01:00"
        )

    def test_the_earliest_of_several_weekdays_wins(self):
        assert (
            next_maintenance_window(
                "02:00", "Europe/Berlin", days=["wednesday", "sunday"], now=FRIDAY_AFTERNOON
            )
            == "2026-12-06T02:00:00+01:00"
        )

    def test_today_counts_while_its_window_is_ahead(self):
        assert (
            next_maintenance_window("22:00", "Europe/Berlin", days=["friday"], now=FRIDAY_AFTERNOON)
            == "2026-12-04T22:00:00+01:00"
        )

    def test_today_passed_means_a_week_later(self):
        assert (
            next_maintenance_window("09:00", "Europe/Berlin", days=["friday"], now=FRIDAY_AFTERNOON)
            == "2026-12-11T09:00:00+01:00"
        )

    def test_weekday_is_the_local_one_not_the_utc_one(self):
        # 23:30 UTC on Friday is already Saturday 00:30 in Berlin.
        assert (
            next_maintenance_window(
                "01:00", "Europe/Berlin", days=["saturday"], now="2026-12-04T23:30:00Z"
            )
            == "2026-12-05T01:00:00+01:00"
        )

    @pytest.mark.parametrize(
        "days",
        [
            ["Saturday", "SUNDAY"],
            ["sat", "Sun"],
            "sat,sun",
            "Sat, Sun",
            "saturday sunday",
            "saturday\nsunday\n",
            ("sat", "sun"),
        ],
    )
    def test_weekday_names_in_any_case_short_or_as_one_string(self, days):
        assert (
            next_maintenance_window("10:00", "Europe/Berlin", days=days, now=FRIDAY_AFTERNOON)
            == "2026-12-05T10:00:00+01:00"
        )

    @pytest.mark.parametrize("days", [None, [], "", " "])
    def test_no_weekdays_means_every_day(self, days):
        assert (
            next_maintenance_window("18:00", "Europe/Berlin", days=days, now=FRIDAY_AFTERNOON)
            == "2026-12-04T18:00:00+01:00"
        )


class TestBadInput(object):
    @pytest.mark.parametrize(
        "value",
        [
            "24:00",
            "02:60",
            "02:00:60",
            "2",
            "0200",
            "02:00 am",
            "02:00+01:00",
            "2026-12-05T02:00:00",
            "",
            None,
            200,
        ],
    )
    def test_bad_time_of_day(self, value):
        with pytest.raises(AnsibleFilterError) as error:
            next_maintenance_window(value, "Europe/Berlin", now=FRIDAY_AFTERNOON)
        assert str(error.value) == (
            "next_maintenance_window: %r is not a time of day. Give the local time as HH:MM or "
            "HH:MM:SS (24-hour clock, for example '02:00'), without a date or UTC offset; the "
            "time zone comes from the timezone argument." % (value,)
        )

    def test_time_with_tzinfo(self):
        with pytest.raises(AnsibleFilterError, match="must not carry a UTC offset"):
            next_maintenance_window(time(2, 0, tzinfo=timezone.utc), "UTC")

    @pytest.mark.parametrize(
        "zone",
        [
            "Mars/Olympus_Mons",
            "Europe",
            "CEST",
            "../etc/passwd",
            "/etc/localtime",
            "Europe/Berlinx",
        ],
    )
    def test_unknown_time_zone(self, zone):
        with pytest.raises(AnsibleFilterError) as error:
            next_maintenance_window("02:00", zone, now=FRIDAY_AFTERNOON)
        assert str(error.value) == (
            "next_maintenance_window: %r is not a known IANA time zone. Give a name such as "
            "'Europe/Berlin', 'America/New_York' or 'UTC'." % zone
        )

    @pytest.mark.parametrize("zone", [None, "", "  ", 1])
    def test_missing_time_zone(self, zone):
        with pytest.raises(AnsibleFilterError) as error:
            next_maintenance_window("02:00", zone, now=FRIDAY_AFTERNOON)
        assert str(error.value) == (
            "next_maintenance_window: timezone is required: an IANA time zone name such as "
            "'Europe/Berlin' or 'UTC'."
        )

    def test_one_unknown_weekday(self):
        with pytest.raises(AnsibleFilterError) as error:
            next_maintenance_window("02:00", "UTC", days=["sat", "sonday"], now=FRIDAY_AFTERNOON)
        assert str(error.value) == (
            "next_maintenance_window: days: 'sonday' is not a weekday. Use English weekday names "
            "such as 'saturday', or their first three letters ('sat'), in any letter case."
        )

    def test_several_unknown_weekdays(self):
        with pytest.raises(AnsibleFilterError) as error:
            next_maintenance_window("02:00", "UTC", days="sa,6,montag", now=FRIDAY_AFTERNOON)
        assert str(error.value) == (
            "next_maintenance_window: days: 'sa', '6', 'montag' are not weekdays. Use English "
            "weekday names such as 'saturday', or their first three letters ('sat'), in any "
            "letter case."
        )

    def test_days_of_the_wrong_type(self):
        with pytest.raises(AnsibleFilterError) as error:
            next_maintenance_window("02:00", "UTC", days={"sat": True}, now=FRIDAY_AFTERNOON)
        assert str(error.value) == (
            "next_maintenance_window: days must be a list of weekday names, not dict."
        )

    @pytest.mark.parametrize(
        "now", ["2026-12-04T16:30:00", "yesterday", datetime(2026, 12, 4), 20261204]
    )
    def test_now_without_offset(self, now):
        with pytest.raises(AnsibleFilterError) as error:
            next_maintenance_window("02:00", "UTC", now=now)
        assert str(error.value) == (
            "next_maintenance_window: now must be a date-time with a UTC offset, for example "
            "'2026-12-04T16:30:00+00:00' or '2026-12-04T16:30:00Z'."
        )


# Each case: (time of day, zone, days, now); run in a fresh interpreter per controller zone.
CONTROLLER_ZONE_CASES = [
    ("02:00", "Europe/Berlin", None, FRIDAY_AFTERNOON),
    ("02:30", "Europe/Berlin", None, "2026-03-28T12:00:00Z"),
    ("02:30", "Europe/Berlin", None, "2026-10-25T00:45:00Z"),
    ("01:30", "America/New_York", ["sunday"], "2026-10-31T16:00:00Z"),
    ("02:30", "America/New_York", "sun", "2026-03-07T17:00:00Z"),
    ("09:00", "Asia/Tokyo", "mon,fri", FRIDAY_AFTERNOON),
]

_CHILD = """
import json, sys
from ansible_collections.keyfactor.command.plugins.filter.maintenance_window import (
    next_maintenance_window,
)
cases = json.loads(sys.argv[1])
print(json.dumps([next_maintenance_window(t, z, days=d, now=n) for t, z, d, n in cases]))
"""


@pytest.mark.parametrize("controller_zone", ["Asia/Tokyo", "America/Los_Angeles", "UTC"])
def test_result_does_not_depend_on_the_controller_time_zone(controller_zone):
    expected = [
        "2026-12-05T02:00:00+01:00",
        "2026-03-29T03:30:00+02:00",
        "2026-10-26T02:30:00+01:00",
        "2026-11-01T01:30:00-04:00",
        "2026-03-08T03:30:00-04:00",
        "2026-12-07T09:00:00+09:00",
    ]
    environment = dict(os.environ, TZ=controller_zone, PYTHONPATH=os.pathsep.join(sys.path))
    completed = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(CONTROLLER_ZONE_CASES)],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(completed.stdout) == expected


def test_controller_time_zone_is_really_different_in_the_child():
    # Guards the test above: TZ must change what the child sees as local time.
    code = "import time; print(time.strftime('%z', time.localtime(1796400000)))"
    offsets = {
        zone: subprocess.run(
            [sys.executable, "-c", code],
            env=dict(os.environ, TZ=zone),
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for zone in ("Asia/Tokyo", "America/Los_Angeles", "UTC")
    }
    assert offsets == {"Asia/Tokyo": "+0900", "America/Los_Angeles": "-0800", "UTC": "+0000"}


def test_without_now_the_window_is_within_a_day_and_in_the_future():
    before = datetime.now(timezone.utc)
    window = datetime.fromisoformat(next_maintenance_window("02:00", "Europe/Berlin"))
    assert 0 < (window - before).total_seconds() <= 24 * 3600 + 3600
