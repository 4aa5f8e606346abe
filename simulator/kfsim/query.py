"""The Keyfactor query language: `Field -op "value"` joined by AND / OR with parentheses.

AND binds tighter than OR. Field names and AND/OR/NULL ignore case. String comparisons ignore
case, as SQL Server's default collation does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import errors
from .clock import parse_iso

STATUS_NAMES = [
    "Unknown",
    "Waiting",
    "InProcess",
    "Completed",
    "Acknowledged",
    "CompletedWillRetry",
]
RESULT_NAMES = {0: "Unknown", 2: "Success", 3: "Warning", 4: "Failure"}

_TOKEN = re.compile(r'\s*(?:(\()|(\))|"((?:[^"\\]|\\.)*)"|([^\s()"]+))')
_STRING_OPS = {"-eq", "-ne", "-contains", "-notcontains", "-startswith", "-endswith"}
_ORDER_OPS = {"-eq", "-ne", "-gt", "-ge", "-lt", "-le"}
_OPS_BY_TYPE = {
    "string": _STRING_OPS,
    "guid": _STRING_OPS,
    "int": _ORDER_OPS,
    "status": _ORDER_OPS,
    "result": _ORDER_OPS,
    "datetime": _ORDER_OPS,
    "bool": {"-eq", "-ne"},
}


@dataclass(frozen=True)
class Field:
    kind: str
    get: Callable[[Any], Any]


class QueryError(errors.ApiError):
    def __init__(self, message: str):
        super().__init__(400, errors.INVALID_QUERY, message)


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise QueryError(
                f"Unable to parse the query near position {pos}: {text[pos : pos + 20]!r}"
            )
        pos = m.end()
        if m.group(1):
            out.append(("(", "("))
        elif m.group(2):
            out.append((")", ")"))
        elif m.group(3) is not None:
            out.append(("str", re.sub(r"\\(.)", r"\1", m.group(3))))
        else:
            out.append(("word", m.group(4)))
    return out


def _enum_value(kind: str, raw: str) -> int:
    if raw.strip().lstrip("-").isdigit():
        return int(raw)
    names = STATUS_NAMES if kind == "status" else list(RESULT_NAMES.values())
    for name in names:
        if name.lower() == raw.strip().lower():
            return (
                STATUS_NAMES.index(name)
                if kind == "status"
                else next(k for k, v in RESULT_NAMES.items() if v == name)
            )
    raise QueryError(f"'{raw}' is not a valid {kind.capitalize()} value.")


def _coerce(kind: str, raw: str, field: str):
    try:
        if kind == "int":
            return int(raw)
        if kind in ("status", "result"):
            return _enum_value(kind, raw)
        if kind == "datetime":
            return parse_iso(raw)
        if kind == "bool":
            low = raw.lower()
            if low not in ("true", "false", "1", "0"):
                raise ValueError(raw)
            return low in ("true", "1")
    except ValueError:
        raise QueryError(f"'{raw}' is not a valid value for field {field}.") from None
    return raw.lower()


def _compare(op: str, have, want) -> bool:
    if isinstance(have, str):
        have = have.lower()
    return {
        "-eq": lambda: have == want,
        "-ne": lambda: have != want,
        "-contains": lambda: want in have,
        "-notcontains": lambda: want not in have,
        "-startswith": lambda: have.startswith(want),
        "-endswith": lambda: have.endswith(want),
        "-gt": lambda: have > want,
        "-ge": lambda: have >= want,
        "-lt": lambda: have < want,
        "-le": lambda: have <= want,
    }[op]()


def _condition(fields: dict[str, Field], name: str, op: str, tok: tuple[str, str]):
    field = fields.get(name.lower())
    if field is None:
        raise QueryError(f"Unknown query field: {name}.")
    op = op.lower()
    if op not in _OPS_BY_TYPE[field.kind]:
        raise QueryError(f"Operator {op} is not valid for field {name}.")
    if tok[0] == "word" and tok[1].lower() == "null":
        if op not in ("-eq", "-ne"):
            raise QueryError(f"NULL can only be used with -eq or -ne (field {name}).")
        return lambda rec: (_values(field, rec) == []) == (op == "-eq")
    want = _coerce(field.kind, tok[1], name)
    if op in ("-ne", "-notcontains"):
        positive = {"-ne": "-eq", "-notcontains": "-contains"}[op]
        return lambda rec: (
            (vals := _values(field, rec)) != []
            and not any(_compare(positive, v, want) for v in vals)
        )
    return lambda rec: any(_compare(op, v, want) for v in _values(field, rec))


def _values(field: Field, record) -> list:
    value = field.get(record)
    if value is None:
        return []
    return [v for v in value if v is not None] if isinstance(value, list) else [value]


class _Parser:
    def __init__(self, tokens, fields):
        self.tokens, self.fields, self.pos = tokens, fields, 0

    def peek_word(self, word: str) -> bool:
        if self.pos < len(self.tokens):
            kind, value = self.tokens[self.pos]
            return kind == "word" and value.upper() == word
        return False

    def take(self):
        if self.pos >= len(self.tokens):
            raise QueryError("Unexpected end of query.")
        self.pos += 1
        return self.tokens[self.pos - 1]

    def expr(self):
        terms = [self.conjunction()]
        while self.peek_word("OR"):
            self.pos += 1
            terms.append(self.conjunction())
        return terms[0] if len(terms) == 1 else (lambda rec: any(t(rec) for t in terms))

    def conjunction(self):
        terms = [self.atom()]
        while self.peek_word("AND"):
            self.pos += 1
            terms.append(self.atom())
        return terms[0] if len(terms) == 1 else (lambda rec: all(t(rec) for t in terms))

    def atom(self):
        kind, value = self.take()
        if kind == "(":
            inner = self.expr()
            if self.take()[0] != ")":
                raise QueryError("Missing ')' in query.")
            return inner
        if kind != "word":
            raise QueryError(f"Expected a field name, found {value!r}.")
        op_kind, op = self.take()
        if op_kind != "word" or not op.startswith("-"):
            raise QueryError(f"Expected an operator after {value}, found {op!r}.")
        operand = self.take()
        if operand[0] not in ("str", "word"):
            raise QueryError(f"Expected a value after {value} {op}.")
        return _condition(self.fields, value, op, operand)


def compile_query(text: str | None, fields: dict[str, Field]) -> Callable[[Any], bool]:
    """Return a predicate for `text`; an empty query matches everything."""
    if text is None or not text.strip():
        return lambda rec: True
    parser = _Parser(_tokens(text), {k.lower(): v for k, v in fields.items()})
    predicate = parser.expr()
    if parser.pos != len(parser.tokens):
        raise QueryError(f"Unexpected {parser.tokens[parser.pos][1]!r} in query.")
    return predicate
