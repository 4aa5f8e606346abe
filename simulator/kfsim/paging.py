"""Filtering, sorting and paging shared by every list endpoint.

PageReturned is 1-based ("how many multiples of the returnLimit to skip", default 1) and
ReturnLimit defaults to 50 (API-NOTES §4). A page past the end is [] while X-Total-Count still
counts every match (recorded 25.4.1).
"""

from __future__ import annotations

from . import errors
from .params import ParamBag
from .query import Field, compile_query

DEFAULT_PAGE_SIZE = 50


def _sort_key(field: Field):
    def key(record):
        value = field.get(record)
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, str):
            value = value.lower()
        return (value is not None, value if value is not None else 0)

    return key


def sort_records(
    records: list,
    fields: dict[str, Field],
    sort_field: str | None,
    descending: bool,
    default_field: str | None,
) -> list:
    name = sort_field or default_field
    if name is None:
        return list(reversed(records)) if descending else list(records)
    field = {k.lower(): v for k, v in fields.items()}.get(name.lower())
    if field is None:
        raise errors.bad_request(f"Invalid sort field: {name}.", errors.INVALID_SORT_FIELD)
    return sorted(records, key=_sort_key(field), reverse=descending)


def window(records: list, params: ParamBag) -> list:
    page = params.int32("PageReturned", 1)
    limit = params.int32("ReturnLimit", DEFAULT_PAGE_SIZE)
    # Unverified edge: the simulator reads non-positive values as the defaults.
    page = page if page >= 1 else 1
    limit = limit if limit >= 1 else DEFAULT_PAGE_SIZE
    start = (page - 1) * limit
    return records[start : start + limit]


def query_page(
    records: list,
    params: ParamBag,
    fields: dict[str, Field],
    default_sort: str | None,
    query_fields: dict[str, Field] | None = None,
    use_query: bool = True,
) -> tuple[list, int]:
    """Apply QueryString, SortField/SortAscending and paging; return (page, total matches)."""
    if use_query:
        predicate = compile_query(params.get("QueryString"), query_fields or fields)
        records = [r for r in records if predicate(r)]
    ordered = sort_records(
        records, fields, params.get("SortField"), params.descending(), default_sort
    )
    return window(ordered, params), len(ordered)
