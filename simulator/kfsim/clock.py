"""Wall-clock helpers; every stored timestamp is a UTC epoch float."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now() -> float:
    return time.time()


def iso(epoch: float | None) -> str | None:
    """Render like System.Text.Json renders a UTC DateTime: trailing zero fractions trimmed, 'Z'."""
    if epoch is None:
        return None
    dt = datetime.fromtimestamp(epoch, tz=UTC)
    base = dt.strftime("%Y-%m-%dT%H:%M:%S")
    frac = f"{dt.microsecond:06d}".rstrip("0")
    return f"{base}.{frac}Z" if frac else f"{base}Z"


def parse_iso(text: str) -> float:
    """Parse ISO 8601; a value without offset is taken as UTC (what the API documents)."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()
