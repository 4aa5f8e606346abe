"""Pure-function tests: query language, schedules, alias matching, timestamps, seed."""

from __future__ import annotations

import hashlib
import re

import pytest
from kfsim import certs, clock, seed
from kfsim.query import Field, QueryError, compile_query
from kfsim.schedule import next_run, normalise, schedule_type
from kfsim.state import alias_matches
from kfsim.storetypes import by_name

FIELDS = {
    "Name": Field("string", lambda r: r["Name"]),
    "Count": Field("int", lambda r: r["Count"]),
    "Status": Field("status", lambda r: r["Status"]),
    "When": Field("datetime", lambda r: r["When"]),
    "Kind": Field("string", lambda r: r["Kind"]),
}
ROWS = [
    {
        "Name": "alpha",
        "Count": 1,
        "Status": 3,
        "When": 100.0,
        "Kind": ["XManagement", "Management"],
    },
    {"Name": "Beta", "Count": 5, "Status": 5, "When": 200.0, "Kind": ["XInventory", "Inventory"]},
    {"Name": None, "Count": 9, "Status": 2, "When": None, "Kind": ["XManagement", "Management"]},
]


def names(query: str) -> list:
    predicate = compile_query(query, FIELDS)
    return [r["Count"] for r in ROWS if predicate(r)]


@pytest.mark.parametrize(
    "query,expected",
    [
        ("", [1, 5, 9]),
        ('Name -eq "ALPHA"', [1]),
        ('name -ne "alpha"', [5]),  # NULL never compares
        ("Name -eq NULL", [9]),
        ("Name -ne null", [1, 5]),
        ('Name -contains "ET"', [5]),
        ('Name -notcontains "a"', []),
        ('Name -startswith "al" OR Name -endswith "TA"', [1, 5]),
        ("Count -gt 1 AND Count -lt 9", [5]),
        ('Count -ge "5"', [5, 9]),
        ("Count -eq 1 OR Count -eq 5 AND Count -eq 9", [1]),
        ("(Count -eq 1 OR Count -eq 5) AND Count -eq 9", []),
        ("((Count -eq 1)) or (count -EQ 9)", [1, 9]),
        ("Status -eq Completed OR Status -eq 5", [1, 5]),
        ('Status -eq "inprocess"', [9]),
        ('When -lt "1970-01-01T00:02:00Z"', [1]),
        ('When -ge "1970-01-01T00:01:40"', [1, 5]),
        ('Kind -eq "Management"', [1, 9]),
        ('Kind -ne "Management"', [5]),
        (r'Name -eq "al\"pha"', []),
    ],
)
def test_query_language(query, expected):
    assert names(query) == expected


@pytest.mark.parametrize(
    "query",
    [
        'Nope -eq "1"',
        'Name -zz "1"',
        'Name "1"',
        "Name -eq",
        'Count -eq "x"',
        'Name -gt "a"',
        '(Name -eq "a"',
        'Name -eq "a")',
        'Name -eq "a" AND',
        "Name -contains NULL",
        'Status -eq "Sleeping"',
        'Name -eq "a" Count -eq 1',
    ],
)
def test_query_errors(query):
    with pytest.raises(QueryError):
        compile_query(query, FIELDS)


def test_schedule_normalise_and_next_run():
    assert normalise({"immediate": True}) == {"Immediate": True}
    assert normalise({"Immediate": None, "Daily": {"Time": "2026-01-01T05:00:00Z"}}) == {
        "Daily": {"Time": "2026-01-01T05:00:00Z"}
    }
    base = clock.parse_iso("2026-12-04T10:00:00Z")  # a Friday
    daily = {"Daily": {"Time": "2026-01-01T05:00:00Z"}}
    assert clock.iso(next_run(daily, base, first=True)) == "2026-12-05T05:00:00Z"
    weekly = {"Weekly": {"Days": [1], "Time": "2026-01-01T05:00:00Z"}}
    assert clock.iso(next_run(weekly, base, first=True)) == "2026-12-07T05:00:00Z"
    monthly = {"Monthly": {"Day": 31, "Time": "2026-01-01T05:00:00Z"}}
    assert clock.iso(next_run(monthly, base, first=True)) == "2026-12-31T05:00:00Z"
    after_dec = clock.parse_iso("2027-02-01T00:00:00Z")
    assert clock.iso(next_run(monthly, after_dec, first=False)) == "2027-02-28T05:00:00Z"
    assert next_run({"Interval": {"Minutes": 2}}, base, first=True) == base + 120
    future = {"Daily": {"Time": "2027-03-01T07:30:00Z"}}
    assert clock.iso(next_run(future, base, first=True)) == "2027-03-01T07:30:00Z"
    once = {"ExactlyOnce": {"Time": "2026-01-01T00:00:00Z"}}
    assert next_run(once, base, first=True) < base and next_run(once, base, False) is None
    assert next_run({"Immediate": True}, base, first=False) is None
    assert schedule_type({"Immediate": True}) is None
    assert schedule_type({"Interval": {"Minutes": 60}}) == "I_60"
    assert schedule_type(weekly) == "W_1_05:00"


def test_alias_matching_rules():
    iis, jks = by_name("IISU"), by_name("RFJKS")
    tp = "AB" * 20
    assert alias_matches(iis, tp, tp.lower())
    assert alias_matches(
        iis, f"{tp}:Default Web Site:*:443", f"{tp.lower()}:Default Web Site:*:443"
    )
    assert not alias_matches(iis, f"{tp}:Default Web Site:*:443", tp)
    assert not alias_matches(iis, f"{tp}:Default Web Site:*:443", f"{tp}:default web site:*:443")
    assert alias_matches(jks, "app-cert", "app-cert")
    assert not alias_matches(jks, "app-cert", "APP-CERT")


def test_timestamps_render_like_dotnet():
    assert clock.iso(clock.parse_iso("2026-03-19T21:16:35Z")) == "2026-03-19T21:16:35Z"
    assert clock.iso(clock.parse_iso("2026-03-19T21:26:07.96Z")) == "2026-03-19T21:26:07.96Z"
    assert clock.iso(None) is None


def test_seed_is_deterministic_and_has_the_demo_certificate():
    assert seed.build() == seed.build()
    assert certs.DEMO_THUMBPRINT == hashlib.sha1(b"keyfactor-command-demo").hexdigest().upper()
    data = seed.build()
    assert len(data["stores"]) == 28 and 250 <= len(data["certs"]) <= 400
    assert all(re.fullmatch("[0-9A-F]{40}", c["Thumbprint"]) for c in data["certs"].values())
    assert sum(1 for v in data["inventory"].values() if not v) == 2
    assert max(len(v) for v in data["inventory"].values()) > 50
