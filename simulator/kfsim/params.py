"""Query-parameter and body-property lookup that binds the way ASP.NET does.

Query names match bare or behind any '<prefix>.' (pq., query., certificateStoreQuery.), ignoring
case; body properties match ignoring case (API-NOTES §4, §13).
"""

from __future__ import annotations

from .errors import bad_request

_MISSING = object()
INT32_MAX = 2**31 - 1


def name_matches(received: str, declared: str) -> bool:
    r, d = received.lower(), declared.lower()
    return r == d or r.endswith("." + d)


class ParamBag:
    def __init__(self, pairs: list[tuple[str, str]]):
        self.pairs = pairs

    def getlist(self, name: str) -> list[str]:
        return [v for k, v in self.pairs if name_matches(k, name)]

    def get(self, name: str) -> str | None:
        for value in self.getlist(name):
            if value != "":
                return value
        return None

    def int32(self, name: str, default: int) -> int:
        raw = self.get(name)
        if raw is None:
            return default
        try:
            value = int(raw.strip())
        except ValueError:
            raise bad_request(f"The value '{raw}' is not valid for {name}.") from None
        if not -INT32_MAX - 1 <= value <= INT32_MAX:
            raise bad_request(f"The value '{raw}' is not valid for {name}.")
        return value

    def descending(self) -> bool:
        """SortAscending is the SortOrder enum: 0 = ascending, 1 = descending (spec text)."""
        raw = self.get("SortAscending")
        if raw is None:
            return False
        value = raw.strip().lower()
        if value in ("0", "ascending"):
            return False
        if value in ("1", "descending"):
            return True
        raise bad_request(f"The value '{raw}' is not valid for SortAscending.")


def ci_get(obj: dict, name: str, default=None):
    if not isinstance(obj, dict):
        return default
    wanted = name.lower()
    for key, value in obj.items():
        if key.lower() == wanted:
            return value
    return default


def ci_has(obj: dict, name: str) -> bool:
    return ci_get(obj, name, _MISSING) is not _MISSING
