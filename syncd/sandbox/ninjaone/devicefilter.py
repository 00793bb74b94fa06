"""The subset of NinjaOne's device-filter (`df`) syntax the sandbox understands, compiled to SQL.

Syntax (NinjaOne "Device Filter Syntax" PDF linked from the spec): clauses joined by `AND`
(upper case only, homotechsual/NinjaOne#12), each one of

    org = 1      org != 1      org in (1, 2)      org notin (1, 2)
    loc = 5      class = WINDOWS_SERVER      class in (WINDOWS_SERVER, MAC)
    id = 42      id in (1, 2, 3)      status = APPROVED      online      offline

Anything else (OR, unknown fields, unbalanced parentheses) is an invalid filter: 400.
Clauses compile against the `ninja_devices` table aliased `d`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from syncd.sandbox.ninjaone.errors import bad_request

_TOKEN = re.compile(r"\s*(!=|=|\(|\)|,|[A-Za-z0-9_.\-]+)")
_FIELDS = {"org": ("d.organization_id", int), "loc": ("d.location_id", int),
           "id": ("d.id", int), "class": ("d.node_class", str), "status": ("'APPROVED'", str)}
_KEYWORDS = {"online": "d.offline = 0", "offline": "d.offline = 1"}


@dataclass
class DeviceFilter:
    """A compiled filter: a SQL condition on alias `d` and its parameters."""

    sql: str = "1 = 1"
    params: list[object] = field(default_factory=list)


def compile_df(df: str | None) -> DeviceFilter:
    """Parse `df` and return its SQL; raise the vendor's 400 when it cannot be parsed."""
    if df is None or not df.strip():
        return DeviceFilter()
    tokens = _tokenize(df)
    clauses: list[str] = []
    params: list[object] = []
    pos = 0
    while True:
        sql, clause_params, pos = _clause(tokens, pos, df)
        clauses.append(sql)
        params.extend(clause_params)
        if pos == len(tokens):
            break
        if tokens[pos] != "AND":
            raise _invalid(df)
        pos += 1
    return DeviceFilter(" AND ".join(f"({c})" for c in clauses), params)


def _tokenize(df: str) -> list[str]:
    tokens: list[str] = []
    pos = 0
    text = df.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise _invalid(df)
        tokens.append(m.group(1))
        pos = m.end()
    return tokens


def _clause(tokens: list[str], pos: int, df: str) -> tuple[str, list[object], int]:
    if pos >= len(tokens):
        raise _invalid(df)
    name = tokens[pos]
    if name in _KEYWORDS:
        return _KEYWORDS[name], [], pos + 1
    if name not in _FIELDS or pos + 1 >= len(tokens):
        raise _invalid(df)
    column, kind = _FIELDS[name]
    op = tokens[pos + 1]
    if op in ("=", "!="):
        if pos + 2 >= len(tokens):
            raise _invalid(df)
        value = _value(tokens[pos + 2], kind, df)
        return f"{column} {op} ?", [value], pos + 3
    if op in ("in", "notin"):
        values, end = _list(tokens, pos + 2, kind, df)
        marks = ", ".join("?" * len(values))
        negate = "NOT " if op == "notin" else ""
        return f"{column} {negate}IN ({marks})", values, end
    raise _invalid(df)


def _list(tokens: list[str], pos: int, kind: type, df: str) -> tuple[list[object], int]:
    if pos >= len(tokens) or tokens[pos] != "(":
        raise _invalid(df)
    values: list[object] = []
    pos += 1
    while pos < len(tokens):
        values.append(_value(tokens[pos], kind, df))
        sep = tokens[pos + 1] if pos + 1 < len(tokens) else None
        if sep == ")":
            return values, pos + 2
        if sep != ",":
            raise _invalid(df)
        pos += 2
    raise _invalid(df)


def _value(token: str, kind: type, df: str) -> object:
    if token in ("(", ")", ",", "=", "!=", "AND"):
        raise _invalid(df)
    if kind is int:
        try:
            return int(token)
        except ValueError:
            raise _invalid(df) from None
    return token


def _invalid(df: str) -> Exception:
    return bad_request(f"Invalid device filter: {df}")
