"""Condition ops: the OPERATORS table, compiling a rule's condition tree (type checks at load), evaluating it.

A comparison is compiled once: its field or fact is resolved, `{param: NAME}` values are filled,
the value is checked against the op and the field's kind (a regex compiled, a duration parsed,
an enum value checked), so evaluating a record never meets a type error written in the YAML.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from syncd.clock import as_datetime, from_iso
from syncd.durations import format_duration, parse_duration
from syncd.rules.context import FactContext, Subject, field_value, is_plain_field
from syncd.rules.facts import FACTS, compute_fact
from syncd.rules.fields import Kind, entity_fields, field_kind
from syncd.rules.model import AllOf, AnyOf, Compare, NotOf

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]


@dataclass(frozen=True, slots=True)
class Op:
    """One comparison op: whether it takes a value, which kinds it suits, how the value compiles, the test."""

    takes_value: bool
    kinds: frozenset[str] | None              # None: any kind
    compile: Callable[[Any, Kind], Any]       # raises ValueError with a message for the rule author
    test: Callable[[Any, Any, datetime], bool]


def _scalar(value: Any, kind: Kind) -> Any:
    """Check one comparison value against a kind; return it in the form the records hold it."""
    if value is None:
        raise ValueError("null is not a value to compare with; use op present or absent")
    if kind.name == "datetime":
        return _datetime_value(value)
    expected: dict[str, tuple[type, ...]] = {"string": (str,), "number": (int, float), "bool": (bool,),
                                             "list": (list,), "mapping": (dict,)}
    types = expected.get(kind.name)
    wrong_bool = kind.name == "number" and isinstance(value, bool)
    if types is not None and (not isinstance(value, types) or wrong_bool):
        raise ValueError(f"value {value!r} is a {_type_name(value)}; expected a {kind.describe()}")
    if kind.choices and str(value) not in kind.choices:
        raise ValueError(f"value {value!r} is not one of: {', '.join(kind.choices)}")
    return value


def _datetime_value(value: Any) -> datetime:
    if isinstance(value, datetime):  # YAML reads unquoted timestamps as datetimes, naive when no zone
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    try:
        return from_iso(str(value))
    except ValueError:
        raise ValueError(f"value {value!r} is not an ISO-8601 time; to compare with now use older_than/within"
                         ) from None


def _type_name(value: Any) -> str:
    names = {bool: "bool", int: "number", float: "number", str: "string", list: "list", dict: "mapping"}
    return names.get(type(value), type(value).__name__)


def _ordered(value: Any, kind: Kind) -> Any:
    if kind.name == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise ValueError(f"value {value!r} is a {_type_name(value)}; expected a number")
    return _scalar(value, kind)


def _many(value: Any, kind: Kind) -> tuple[Any, ...]:
    if not isinstance(value, list) or not value:
        raise ValueError(f"in/not_in need a non-empty list of values, got {value!r}")
    return tuple(_scalar(item, kind) for item in value)


def _contained(value: Any, kind: Kind) -> Any:
    if kind.name == "string" and not isinstance(value, str):
        raise ValueError(f"contains on a string needs a string, got {value!r}")
    if value is None:
        raise ValueError("contains needs a value")
    return value


def _regex(value: Any, _kind: Kind) -> re.Pattern[str]:
    if not isinstance(value, str):
        raise ValueError(f"matches needs a regular expression as text, got {value!r}")
    try:
        return re.compile(value)
    except re.error as exc:
        raise ValueError(f"bad regular expression {value!r}: {exc}") from None


def _no_value(value: Any, _kind: Kind) -> None:
    if value is not None:
        raise ValueError("present and absent take no value")


def _duration(value: Any, _kind: Kind) -> Any:
    return parse_duration(value)


def _is_absent(value: Any) -> bool:
    return value is None or value in ("", [])


def _compare(fn: Callable[[Any, Any], bool]) -> Callable[[Any, Any, datetime], bool]:
    def test(actual: Any, expected: Any, _now: datetime) -> bool:
        same_kind = isinstance(actual, datetime) == isinstance(expected, datetime)
        return actual is not None and same_kind and not isinstance(actual, bool | str) and fn(actual, expected)
    return test


_NUM_TIME = frozenset({"number", "datetime", "any"})
_TIME = frozenset({"datetime", "any"})
OPERATORS: dict[str, Op] = {
    "eq": Op(True, None, _scalar, lambda a, e, _n: a == e),
    "ne": Op(True, None, _scalar, lambda a, e, _n: a != e),
    "lt": Op(True, _NUM_TIME, _ordered, _compare(lambda a, e: a < e)),
    "le": Op(True, _NUM_TIME, _ordered, _compare(lambda a, e: a <= e)),
    "gt": Op(True, _NUM_TIME, _ordered, _compare(lambda a, e: a > e)),
    "ge": Op(True, _NUM_TIME, _ordered, _compare(lambda a, e: a >= e)),
    "in": Op(True, None, _many, lambda a, e, _n: a in e),
    "not_in": Op(True, None, _many, lambda a, e, _n: a not in e),
    "contains": Op(True, frozenset({"string", "list", "any"}), _contained,
                   lambda a, e, _n: isinstance(a, str | list) and e in a),
    "matches": Op(True, frozenset({"string", "any"}), _regex,
                  lambda a, e, _n: isinstance(a, str) and e.search(a) is not None),
    "present": Op(False, None, _no_value, lambda a, _e, _n: not _is_absent(a)),
    "absent": Op(False, None, _no_value, lambda a, _e, _n: _is_absent(a)),
    "older_than": Op(True, _TIME, _duration, lambda a, e, n: isinstance(a, datetime) and a < n - e),
    "within": Op(True, _TIME, _duration, lambda a, e, n: isinstance(a, datetime) and abs(n - a) <= e),
}


# --- compiled conditions ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Test:
    """A compiled comparison."""

    field: str | None
    fact: str | None
    args: BaseModel | None
    args_text: str
    op: str
    value: Any
    kind: Kind

    def describe(self) -> str:
        """How the comparison reads: "fact notes_since(duration=3d) lt 1"."""
        subject = f"field {self.field}" if self.field else f"fact {self.fact}({self.args_text})"
        if not OPERATORS[self.op].takes_value:
            return f"{subject} {self.op}"
        return f"{subject} {self.op} {_show(self.value)}"


@dataclass(frozen=True, slots=True)
class Group:
    """A compiled all/any/not."""

    kind: str                      # "all" | "any" | "not"
    items: tuple[Node, ...]


Node = Test | Group


def _show(value: Any) -> str:
    if isinstance(value, re.Pattern):
        return repr(value.pattern)
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "total_seconds"):
        return format_duration(value)
    return repr(value)


def resolve_params(value: Any, params: Mapping[str, Any], loc: Loc, problems: list[Problem]) -> Any:
    """Replace `{param: NAME}` (anywhere inside `value`) with the param's value."""
    if isinstance(value, dict) and set(value) == {"param"}:
        name = value["param"]
        if name not in params:
            known = ", ".join(sorted(params)) or "none"
            problems.append((loc, f"unknown param {name!r}; params of this rule: {known}"))
            return None
        return params[name]
    if isinstance(value, dict):
        return {k: resolve_params(v, params, (*loc, k), problems) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_params(v, params, (*loc, i), problems) for i, v in enumerate(value)]
    return value


def compile_condition(node: Any, *, entity: str, params: Mapping[str, Any], loc: Loc,
                      problems: list[Problem]) -> Node | None:
    """Compile a validated condition model; append every problem (loc, message); None when any."""
    if isinstance(node, AllOf | AnyOf):
        name = "all" if isinstance(node, AllOf) else "any"
        children = getattr(node, name)
        items = [compile_condition(c, entity=entity, params=params, loc=(*loc, name, i), problems=problems)
                 for i, c in enumerate(children)]
        return None if any(i is None for i in items) else Group(name, tuple(items))  # type: ignore[arg-type]
    if isinstance(node, NotOf):
        inner = compile_condition(node.not_, entity=entity, params=params, loc=(*loc, "not"), problems=problems)
        return None if inner is None else Group("not", (inner,))
    return _compile_test(node, entity, params, loc, problems)


def _compile_test(node: Compare, entity: str, params: Mapping[str, Any], loc: Loc,
                  problems: list[Problem]) -> Test | None:
    before = len(problems)
    kind, args, args_text = _resolve_subject(node, entity, params, loc, problems)
    op = OPERATORS[node.op]
    value = resolve_params(node.value, params, (*loc, "value"), problems)
    if kind is None or len(problems) > before:
        return None
    what = f"field {node.field!r}" if node.field else f"fact {node.fact!r}"
    if op.kinds is not None and kind.name not in op.kinds:
        problems.append(((*loc, "op"), f"op {node.op} does not suit {what}, a {kind.name}"
                                       f"; it suits: {', '.join(sorted(op.kinds - {'any'}))}"))
        return None
    if op.takes_value and value is None:
        problems.append(((*loc, "value"), f"op {node.op} needs a value"))
        return None
    try:
        compiled = op.compile(value, kind)
    except ValueError as exc:
        problems.append(((*loc, "value"), f"{exc} (op {node.op} on {what})"))
        return None
    return Test(node.field, node.fact, args, args_text, node.op, compiled, kind)


def _resolve_subject(node: Compare, entity: str, params: Mapping[str, Any], loc: Loc,
                     problems: list[Problem]) -> tuple[Kind | None, BaseModel | None, str]:
    """The kind of the compared field or fact, and the fact's validated args."""
    if node.field is not None:
        kind = field_kind(entity, node.field)
        if kind is None:
            known = ", ".join(["id", *sorted(k for k in entity_fields(entity) if k != "id")])
            problems.append(((*loc, "field"), f"unknown field {node.field!r} of {entity}; known: {known}"))
        return kind, None, ""
    spec = FACTS.get(node.fact or "")
    if spec is None:
        problems.append(((*loc, "fact"), f"unknown fact {node.fact!r}; known: {', '.join(sorted(FACTS))}"))
        return None, None, ""
    if entity not in spec.entities:
        problems.append(((*loc, "fact"), f"fact {spec.name!r} applies to {', '.join(spec.entities)}, not {entity}"))
        return None, None, ""
    raw = resolve_params(node.args, params, (*loc, "args"), problems)
    try:
        args = spec.args.model_validate(raw)
    except ValidationError as exc:
        known = ", ".join(spec.args.model_fields) or "none"
        for err in exc.errors():
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                message = f"unknown argument {err['loc'][-1]!r} of fact {spec.name}; known: {known}"
            elif err["type"] == "missing":
                message = f"fact {spec.name} needs argument {err['loc'][-1]!r}"
            problems.append(((*loc, "args", *err["loc"]), message))
        return None, None, ""
    return spec.result, args, ", ".join(f"{k}={v}" for k, v in raw.items())


# --- evaluation ---------------------------------------------------------------------------------


def actual_value(test: Test, subject: Subject, ctx: FactContext) -> Any:
    """The compared value for this subject, as the op sees it (stored times become datetimes)."""
    if test.field is not None:
        raw = field_value(subject, test.field)
    else:
        raw = compute_fact(ctx, test.fact or "", subject, test.args)
    return as_datetime(raw) if test.kind.name == "datetime" else raw


def check(test: Test, subject: Subject, ctx: FactContext) -> tuple[Any, bool]:
    """The compared value and the comparison's result."""
    actual = actual_value(test, subject, ctx)
    return actual, bool(OPERATORS[test.op].test(actual, test.value, ctx.now))


def evaluate(node: Node, subject: Subject, ctx: FactContext) -> bool:
    """Whether the condition holds for the subject (short-circuits like Python's all/any)."""
    if isinstance(node, Test):
        return check(node, subject, ctx)[1]
    if node.kind == "all":
        return all(evaluate(i, subject, ctx) for i in node.items)
    if node.kind == "any":
        return any(evaluate(i, subject, ctx) for i in node.items)
    return not evaluate(node.items[0], subject, ctx)


# --- compiled evaluation (the engine's hot path) ------------------------------------------------

Check = Callable[[Subject, FactContext], bool]


def compile_node(node: Node, now: datetime) -> Check:
    """`node` as one closure `(subject, ctx) -> bool` deciding exactly as `evaluate` at `now`.

    A pass tests each rule's `where` on every record of its entity (20 rules x 200,000 tickets);
    walking the tree and re-reading the op table per record cost more than the tests themselves.
    """
    if isinstance(node, Test):
        return _compile_test_check(node, now)
    items = tuple(compile_node(i, now) for i in node.items)
    if node.kind == "not":
        inner = items[0]
        return lambda s, c: not inner(s, c)
    if len(items) == 2:
        first, second = items
        if node.kind == "all":
            return lambda s, c: first(s, c) and second(s, c)
        return lambda s, c: first(s, c) or second(s, c)
    if node.kind == "all":
        return lambda s, c: all(f(s, c) for f in items)
    return lambda s, c: any(f(s, c) for f in items)


def _compile_test_check(test: Test, now: datetime) -> Check:
    """One comparison: how to read the value, then the op with its compiled value bound."""
    plain = test.field is not None and is_plain_field(test.field)
    fast = _plain_field_check(test, now) if plain else None
    if fast is not None:
        return fast
    get, op, value = _value_reader(test), OPERATORS[test.op].test, test.value
    return lambda s, c: bool(op(get(s, c), value, now))


# The pack's common pre-filters on a top-level field, as one closure each (no nested reader call).
_PLAIN: dict[str, Callable[[str, Any], Check]] = {
    "in": lambda head, value: lambda s, _c: s.record.fields.get(head) in value,
    "not_in": lambda head, value: lambda s, _c: s.record.fields.get(head) not in value,
    "eq": lambda head, value: lambda s, _c: bool(s.record.fields.get(head) == value),
    "absent": lambda head, _value: lambda s, _c: _is_absent(s.record.fields.get(head)),
    "present": lambda head, _value: lambda s, _c: not _is_absent(s.record.fields.get(head)),
}


def _plain_field_check(test: Test, now: datetime) -> Check | None:
    """A fast closure for a top-level field test, or None when the generic form is needed."""
    head, value = test.field or "", test.value
    if test.kind.name != "datetime":
        make = _PLAIN.get(test.op)
        return make(head, value) if make is not None else None
    if test.op == "within":
        return lambda s, c: (a := c.as_time(s.record.fields.get(head))) is not None and abs(now - a) <= value
    if test.op != "older_than":
        return None
    try:
        cut = now - value
    except OverflowError:
        return None  # the generic form raises (or not) exactly as evaluate does
    return lambda s, c: (a := c.as_time(s.record.fields.get(head))) is not None and a < cut


def _value_reader(test: Test) -> Callable[[Subject, FactContext], Any]:
    """What `actual_value` reads, with stored times parsed once per pass (the context's cache)."""
    if test.field is None:
        fact_name, args = test.fact or "", test.args
        raw: Callable[[Subject, FactContext], Any] = lambda s, c: compute_fact(c, fact_name, s, args)  # noqa: E731
    elif not is_plain_field(test.field):
        path = test.field
        raw = lambda s, _c: field_value(s, path)  # noqa: E731
    else:
        head = test.field
        raw = lambda s, _c: s.record.fields.get(head)  # noqa: E731
    if test.kind.name != "datetime":
        return raw
    return lambda s, c: c.as_time(raw(s, c))


@dataclass
class Trace:
    """One line of an explanation: what was tested, the value seen, and the result."""

    text: str
    result: bool
    children: list[Trace] = field(default_factory=list)


def trace(node: Node, subject: Subject, ctx: FactContext) -> Trace:
    """Evaluate every part of the condition (no short-circuit) and record values and results."""
    if isinstance(node, Test):
        actual, result = check(node, subject, ctx)
        return Trace(f"{node.describe()}  (value: {_show(actual)})", result)
    children = [trace(i, subject, ctx) for i in node.items]
    results = [c.result for c in children]
    result = all(results) if node.kind == "all" else any(results) if node.kind == "any" else not results[0]
    return Trace(node.kind, result, children)
