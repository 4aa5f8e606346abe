"""Runtime knobs of the simulator. The orchestrator's delays are in server seconds, scaled by
time_scale; token_lifetime (OAuth access tokens) is in real seconds, like a client's clock."""

from __future__ import annotations

DEFAULTS = {
    "time_scale": 1.0,
    "pickup_delay": 10.0,
    "run_duration": 3.0,
    "inventory_lag": 20.0,
    "enum_format": "names",
    "token_lifetime": 300.0,
}
_NUMERIC = ("time_scale", "pickup_delay", "run_duration", "inventory_lag", "token_lifetime")


def validate(update: dict) -> dict:
    """Return the cleaned subset of `update`; raise ValueError naming the first bad key."""
    if not isinstance(update, dict):
        raise ValueError("config must be a JSON object")
    clean = {}
    for key, value in update.items():
        if key in _NUMERIC:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"{key} must be a non-negative number")
            clean[key] = float(value)
        elif key == "enum_format":
            if value not in ("names", "ints"):
                raise ValueError("enum_format must be 'names' or 'ints'")
            clean[key] = value
        else:
            raise ValueError(f"unknown config key {key!r}")
    return clean


def scaled(config: dict, key: str) -> float:
    """Real seconds for the server-seconds delay `key`."""
    return config[key] * config["time_scale"]
