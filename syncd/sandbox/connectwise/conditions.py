"""ConnectWise `conditions` query language: tokenizer, recursive-descent parser, evaluator.

Grammar (keywords case-insensitive, as CW accepts them):

    expr       := and_expr ("or" and_expr)*
    and_expr   := unary ("and" unary)*
    unary      := "not" unary | "(" expr ")" | comparison
    comparison := FIELD op value
                | FIELD ["not"] ("like" | "contains") value
                | FIELD ["not"] "in" "(" value ("," value)* ")"
    op         := "=" | "!=" | "<>" | "<" | "<=" | ">" | ">="
    value      := "string" | number | [ISO date] | True | False | null

Evaluation follows SQL Server semantics CW inherits: string comparisons are
case-insensitive, and a missing (null) field fails every comparison except `= null`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


class ConditionError(ValueError):
    """A conditions string that does not parse or names an unknown field."""


@dataclass(frozen=True)
class Literal:
    """A typed literal: kind is one of str, num, date, bool, null."""

    kind: str
    value: Any


@dataclass(frozen=True)
class Compare:
    """`field op value`; op is a comparison, `like`, `contains` or `in` (value is a tuple)."""

    field: str
    op: str
    value: Literal | tuple[Literal, ...]


@dataclass(frozen=True)
class And:
    """All parts must hold."""

    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """Any part must hold."""

    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    """Negation."""

    part: Node


@dataclass(frozen=True)
class Each:
    """`part` holds for at least one element of the array at `path` (customFieldConditions)."""

    path: str
    part: Node


Node = Compare | And | Or | Not | Each

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<date>\[[^\]]*\])
      | (?P<op><=|>=|!=|<>|=|<|>)
      | (?P<punct>[(),])
      | (?P<number>-?\d+(?:\.\d+)?(?![\w/]))
      | (?P<word>[A-Za-z_][\w/.]*)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "like", "contains", "in", "true", "false", "null"}


def tokenize(text: str) -> list[tuple[str, str]]:
    """Split a conditions string into (kind, text) tokens."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise ConditionError(f"unexpected character {text[pos:].strip()[:1]!r} at position {pos}")
        kind = m.lastgroup or ""
        value = m.group(kind)
        if kind == "word" and value.lower() in _KEYWORDS:
            kind = value.lower()
        elif kind == "punct":
            kind = value
        tokens.append((kind, value))
        pos = m.end()
    return tokens


def parse_date(text: str) -> datetime:
    """Parse an ISO-8601 instant; a naive value is taken as UTC (CW reads it in UTC)."""
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ConditionError(f"invalid date [{text}]") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def take(self, *kinds: str) -> tuple[str, str]:
        if self.peek() not in kinds:
            found = self.tokens[self.pos][1] if self.pos < len(self.tokens) else "end of input"
            raise ConditionError(f"expected {' or '.join(kinds)} but found {found!r}")
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Node:
        node = self.expr()
        if self.peek() is not None:
            raise ConditionError(f"unexpected {self.tokens[self.pos][1]!r}")
        return node

    def expr(self) -> Node:
        parts = [self.and_expr()]
        while self.peek() == "or":
            self.take("or")
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Node:
        parts = [self.unary()]
        while self.peek() == "and":
            self.take("and")
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self) -> Node:
        if self.peek() == "not":
            self.take("not")
            return Not(self.unary())
        if self.peek() == "(":
            self.take("(")
            node = self.expr()
            self.take(")")
            return node
        return self.comparison()

    def comparison(self) -> Node:
        field = self.take("word")[1]
        negate = False
        if self.peek() == "not":
            self.take("not")
            negate = True
        kind, text = self.take("op", "like", "contains", "in")
        if kind == "op":
            if negate:
                raise ConditionError(f"'not' cannot precede {text!r}")
            node: Node = Compare(field, "!=" if text == "<>" else text, self.value())
            if node.value.kind == "bool" and node.op not in ("=", "!="):  # type: ignore[union-attr]
                raise ConditionError(f"operator {text} is not valid for a boolean")
        elif kind == "in":
            node = Compare(field, "in", self.value_list())
        else:
            node = Compare(field, kind, self.value())
            if node.value.kind != "str":  # type: ignore[union-attr]
                raise ConditionError(f"'{kind}' needs a quoted string")
        return Not(node) if negate else node

    def value_list(self) -> tuple[Literal, ...]:
        self.take("(")
        values = [self.value()]
        while self.peek() == ",":
            self.take(",")
            values.append(self.value())
        self.take(")")
        return tuple(values)

    def value(self) -> Literal:
        kind, text = self.take("string", "number", "date", "true", "false", "null")
        if kind == "string":
            return Literal("str", re.sub(r"\\(.)", r"\1", text[1:-1]))
        if kind == "number":
            return Literal("num", float(text) if "." in text else int(text))
        if kind == "date":
            return Literal("date", parse_date(text[1:-1]))
        if kind == "null":
            return Literal("null", None)
        return Literal("bool", kind == "true")


def parse(text: str) -> Node:
    """Parse a conditions string into an AST; raises ConditionError."""
    return _Parser(text).parse()


def fields_of(node: Node) -> list[str]:
    """Every field path the expression names."""
    if isinstance(node, Compare):
        return [node.field]
    if isinstance(node, Not):
        return fields_of(node.part)
    if isinstance(node, Each):
        return [node.path]
    return [f for part in node.parts for f in fields_of(part)]


def rename(node: Node, canon: dict[str, str]) -> Node:
    """Rewrite field paths through `canon` (raw path -> canonical path)."""
    if isinstance(node, Compare):
        return Compare(canon[node.field], node.op, node.value)
    if isinstance(node, Not):
        return Not(rename(node.part, canon))
    if isinstance(node, Each):
        return Each(canon[node.path], node.part)       # the element condition is bound already
    return type(node)(tuple(rename(p, canon) for p in node.parts))


def resolve(doc: dict[str, Any], path: str) -> Any:
    """Follow a `/`-separated path through a served document (keys case-insensitive)."""
    current: Any = doc
    for segment in path.split("/"):
        if not isinstance(current, dict):
            return None
        if segment in current:
            current = current[segment]
            continue
        lowered = segment.lower()
        current = next((v for k, v in current.items() if k.lower() == lowered), None)
    return current


def evaluate(node: Node, doc: dict[str, Any]) -> bool:
    """Evaluate an AST against one served document."""
    if isinstance(node, And):
        return all(evaluate(p, doc) for p in node.parts)
    if isinstance(node, Or):
        return any(evaluate(p, doc) for p in node.parts)
    if isinstance(node, Not):
        return not evaluate(node.part, doc)
    if isinstance(node, Each):
        items = resolve(doc, node.path)
        return any(evaluate(node.part, i) for i in items or () if isinstance(i, dict))
    # A path through an array (communicationItems/value) holds when any element's value does,
    # which is what CW's childConditions mean.
    candidates = _candidates(doc, node.field.split("/"))
    if node.op == "in":
        return any(_compare(v, "=", lit) for v in candidates for lit in node.value)  # type: ignore[union-attr]
    return any(_compare(v, node.op, node.value) for v in candidates)  # type: ignore[arg-type]


def _candidates(current: Any, segments: list[str]) -> list[Any]:
    if isinstance(current, list):
        found = [v for item in current for v in _candidates(item, segments)]
        return found or [None]
    if not segments:
        return [current]
    return _candidates(resolve(current, segments[0]) if isinstance(current, dict) else None, segments[1:])


def _compare(actual: Any, op: str, lit: Literal) -> bool:
    if lit.kind == "null" or actual is None:
        same = actual is None and lit.kind == "null"
        return same if op == "=" else (not same if op == "!=" else False)
    if op in ("like", "contains"):
        return _match_text(str(actual), op, str(lit.value))
    left, right = _coerce(actual, lit)
    if left is None:
        return op == "!="
    return _ordered(left, op, right)


def _coerce(actual: Any, lit: Literal) -> tuple[Any, Any]:
    """Bring the served value and the literal to one comparable type (None = incomparable)."""
    if lit.kind == "str":
        return str(actual).lower(), str(lit.value).lower()
    if lit.kind == "bool":
        return (actual, lit.value) if isinstance(actual, bool) else (None, None)
    if lit.kind == "num" and isinstance(actual, int | float) and not isinstance(actual, bool):
        return actual, lit.value
    try:
        converted = parse_date(str(actual)) if lit.kind == "date" else float(actual)
    except (ConditionError, TypeError, ValueError):
        return None, None
    return converted, lit.value


def _ordered(left: Any, op: str, right: Any) -> bool:
    if op == "=":
        return left == right
    if op == "!=":
        return left != right
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]


def _match_text(actual: str, op: str, pattern: str) -> bool:
    if op == "contains":
        return pattern.lower() in actual.lower()
    regex = "".join(".*" if ch in "*%" else re.escape(ch) for ch in pattern)
    return re.fullmatch(regex, actual, re.IGNORECASE | re.DOTALL) is not None
