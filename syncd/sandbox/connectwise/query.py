"""List-query machinery: parse conditions/orderBy/fields/page parameters, push what SQL can
do into SQL, filter the rest in Python, and cut navigable or forward-only pages."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import quote, urlencode

from syncd.sandbox.clock import format_instant
from syncd.sandbox.connectwise import conditions as cond
from syncd.sandbox.connectwise import errors
from syncd.sandbox.connectwise.resources import BOOL, DATE, INT, STR, Resource
from syncd.sandbox.framework import Request
from syncd.sandbox.world.store import World

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 1000
# Bare names CW resolves to `_info` members when the model has no top-level member of that name.
ALIASES = {"lastupdated": "_info/lastUpdated", "dateentered": "_info/dateEntered",
           "enteredby": "_info/enteredBy", "updatedby": "_info/updatedBy"}
CUSTOM_FIELD_MEMBERS = ("id", "caption", "type", "entryMethod", "numberOfDecimals", "value")
Pair = tuple[Any, dict[str, Any]]           # (world primary key, served document)


@dataclass(frozen=True)
class ListQuery:
    """The parsed list parameters of one request."""

    where: cond.Node | None
    order: tuple[tuple[str, bool], ...]     # (canonical path, descending)
    fields: tuple[str, ...] | None
    page: int
    page_size: int
    forward_only: bool
    page_id: int


@dataclass(frozen=True)
class Page:
    """One served page: (pk, doc) pairs, the total match count (navigable) and whether more follow."""

    items: list[Pair]
    total: int | None
    has_more: bool


def canonical(res: Resource, path: str) -> str:
    """Map a field path as written in a query to the served spelling, or raise ConditionError."""
    segments = path.strip().split("/")
    actual = res.field_names().get(segments[0].lower())
    if actual is not None:
        return "/".join([actual, *segments[1:]])
    if len(segments) == 1 and segments[0].lower() in ALIASES:
        return ALIASES[segments[0].lower()]
    raise cond.ConditionError(f"Unknown field '{path.strip()}' on {res.model}")


def _int_arg(request: Request, name: str, default: int) -> int:
    raw = request.arg(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        message = f"The value '{raw}' is not valid for {name}."
        raise errors.invalid(name, name, "InvalidValue", message) from None


def parse_list_query(request: Request, res: Resource) -> ListQuery:
    """Parse and validate conditions, orderBy, fields, page, pageSize and pagination-type."""
    try:
        where = _all_of(parse_where(request.arg("conditions"), res),
                        parse_where(request.arg("childConditions") or request.arg("childconditions"), res),
                        _custom_field_where(request.arg("customFieldConditions")
                                            or request.arg("customfieldconditions"), res))
        order = _parse_order(request.arg("orderBy"), res)
        fields = parse_fields(request.arg("fields"), res)
    except cond.ConditionError as exc:
        raise errors.bad_condition(str(exc)) from None
    page_size = _int_arg(request, "pageSize", DEFAULT_PAGE_SIZE)
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise errors.invalid("pageSize", "pageSize", "OutOfRange",
                             f"The field pageSize must be between 1 and {MAX_PAGE_SIZE}.")
    forward_only = (request.header("pagination-type") or "").lower() == "forward-only"
    if forward_only and order:
        raise errors.invalid("orderBy", "orderBy", "InvalidValue",
                             "orderBy is not supported with forward-only pagination.")
    page = 1 if forward_only else _int_arg(request, "page", 1)
    if page < 1:
        raise errors.invalid("page", "page", "OutOfRange", "The field page must be greater than 0.")
    return ListQuery(where, order or (("id", False),), fields, page, page_size, forward_only,
                     _int_arg(request, "pageId", 0) if forward_only else 0)


def parse_where(text: str | None, res: Resource) -> cond.Node | None:
    """Parse `conditions` and bind its field paths to the resource; None when absent."""
    if text is None or not text.strip():
        return None
    node = cond.parse(text)
    return cond.rename(node, {f: canonical(res, f) for f in cond.fields_of(node)})


def _all_of(*nodes: cond.Node | None) -> cond.Node | None:
    """AND the given conditions, flattening nested ANDs so each term can be pushed to SQL."""
    parts: list[cond.Node] = []
    for node in nodes:
        if node is not None:
            parts.extend(node.parts if isinstance(node, cond.And) else (node,))
    return None if not parts else parts[0] if len(parts) == 1 else cond.And(tuple(parts))


def _custom_field_where(text: str | None, res: Resource) -> cond.Node | None:
    """customFieldConditions: a condition on one element of `customFields` (caption, value...)."""
    if text is None or not text.strip():
        return None
    if "customFields" not in res.fields:
        raise cond.ConditionError(f"{res.model} has no custom fields")
    node = cond.parse(text)
    known = {f.lower(): f for f in CUSTOM_FIELD_MEMBERS}
    canon = {}
    for path in cond.fields_of(node):
        if path.lower() not in known:
            raise cond.ConditionError(f"Unknown custom field member '{path}'")
        canon[path] = known[path.lower()]
    return cond.Each("customFields", cond.rename(node, canon))


def count_docs(pairs: Iterable[Pair], where: cond.Node | None) -> int:
    """Number of in-memory documents matching a condition."""
    return sum(1 for _, doc in pairs if where is None or cond.evaluate(where, doc))


def _parse_order(text: str | None, res: Resource) -> tuple[tuple[str, bool], ...]:
    if text is None or not text.strip():
        return ()
    order = []
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise cond.ConditionError(f"invalid orderBy '{part.strip()}'")
        order.append((canonical(res, words[0]), len(words) == 2 and words[1].lower() == "desc"))
    return tuple(order)


def parse_fields(text: str | None, res: Resource) -> tuple[str, ...] | None:
    if text is None or not text.strip():
        return None
    return tuple(canonical(res, f) for f in text.split(",") if f.strip())


def project(doc: dict[str, Any], fields: Sequence[str] | None) -> dict[str, Any]:
    """Keep only the requested members (paths like `company/name` keep nested members)."""
    if fields is None:
        return doc
    out: dict[str, Any] = {}
    for path in fields:
        value = cond.resolve(doc, path)
        if value is None:
            continue
        *parents, leaf = path.split("/")
        target = out
        for key in parents:
            target = target.setdefault(key, {})
        target[leaf] = value
    return out


def _pushable_op(kind: str, op: str) -> bool:
    if kind == STR:
        return op in ("=", "in", "like", "contains")   # string ordering stays in Python (collations)
    return op not in ("!=", "like", "contains")


def _push(node: cond.Node, res: Resource) -> tuple[str, list[Any]] | None:
    """SQL for a comparison SQL evaluates exactly as Python would, else None."""
    column = res.columns.get(node.field.lower()) if isinstance(node, cond.Compare) else None
    if column is None or not _pushable_op(column[1], node.op):  # type: ignore[union-attr]
        return None
    expr, kind = column
    node = cast(cond.Compare, node)
    literals = node.value if node.op == "in" else (node.value,)
    params = [_sql_value(lit, kind) for lit in literals]  # type: ignore[union-attr]
    if any(p is None for p in params):
        return None
    if node.op in ("like", "contains"):
        # SQLite LIKE folds ASCII case only, hence _sql_value's ASCII-only rule for strings.
        return f"{expr} LIKE ? ESCAPE '!'", [_like_pattern(params[0], node.op)]
    if kind == STR:
        expr += " COLLATE NOCASE"
    if node.op == "in":
        return f"{expr} IN ({', '.join('?' * len(params))})", params
    return f"{expr} {node.op} ?", params


def _like_pattern(text: str, op: str) -> str:
    """CW pattern -> SQLite LIKE pattern ('!' escapes); CW's wildcards are * and %."""
    out = []
    for ch in text:
        if op == "like" and ch in "*%":
            out.append("%")
        elif ch in "!%_":
            out.append("!" + ch)
        else:
            out.append(ch)
    body = "".join(out)
    return f"%{body}%" if op == "contains" else body


def _sql_value(lit: cond.Literal, kind: str) -> Any:
    if kind == DATE and lit.kind == "date" and lit.value.microsecond == 0:
        return format_instant(lit.value)    # stored dates have whole seconds; finer ones go to Python
    if kind == BOOL and lit.kind == "bool":
        return int(lit.value)
    if kind == INT and lit.kind == "num" and float(lit.value).is_integer():
        return int(lit.value)
    if kind == STR and lit.kind == "str" and lit.value.isascii():
        return lit.value
    return None


def split(where: cond.Node | None, res: Resource) -> tuple[list[str], list[Any], cond.Node | None]:
    """Split top-level AND terms into SQL clauses and a Python residual."""
    if where is None:
        return [], [], None
    terms = where.parts if isinstance(where, cond.And) else (where,)
    clauses: list[str] = []
    params: list[Any] = []
    residual = []
    for term in terms:
        pushed = _push(term, res)
        if pushed is None:
            residual.append(term)
        else:
            clauses.append(pushed[0])
            params.extend(pushed[1])
    rest = None if not residual else residual[0] if len(residual) == 1 else cond.And(tuple(residual))
    return clauses, params, rest


def _sql_order(order: Sequence[tuple[str, bool]], res: Resource) -> str | None:
    parts = []
    for path, desc in order:
        column = res.columns.get(path.lower())
        if column is None:
            return None
        collate = " COLLATE NOCASE" if column[1] == STR else ""
        parts.append(f"{column[0]}{collate} {'DESC' if desc else 'ASC'}")
    if not any(p.lower() == "id" for p, _ in order):
        parts.append(f"{res.id_col} ASC")
    return ", ".join(parts)


def sort_docs(pairs: list[Pair], order: Sequence[tuple[str, bool]]) -> list[Pair]:
    """Stable multi-key sort of served documents; nulls first ascending, last descending."""
    keys = list(order) if any(p.lower() == "id" for p, _ in order) else [*order, ("id", False)]
    for path, desc in reversed(keys):
        pairs.sort(key=lambda pair, p=path: _sort_key(cond.resolve(pair[1], p)), reverse=desc)
    return pairs


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, str):
        return (1, value.lower())
    if isinstance(value, dict | list):
        return (1, str(value))
    return (1, value)


def fetch_page(world: World, res: Resource, q: ListQuery, base: str, *,
               scope: str = "", scope_params: Sequence[Any] = ()) -> Page:
    """Run a list query against the world: SQL where possible, Python for the rest."""
    clauses, params, residual = split(q.where, res)
    clauses = [c for c in (res.where, scope, *clauses) if c]
    params = [*scope_params, *params]
    if q.forward_only:
        clauses.append(f"{res.id_col} > ?")
        params.append(q.page_id)
    where = " AND ".join(clauses) or "1 = 1"
    order_sql = _sql_order(q.order, res)
    if residual is None and order_sql is not None:
        return _sql_page(world, res, q, base, where=where, params=params, order_sql=order_sql)
    rows = world.iterate(f"{res.select} WHERE {where} ORDER BY {order_sql or res.id_col + ' ASC'}", params)
    pairs = ((row["_pk"], res.build(base, row)) for row in rows)
    return window(pairs, q, residual, presorted=order_sql is not None)


def _sql_page(world: World, res: Resource, q: ListQuery, base: str, *, where: str,
              params: list[Any], order_sql: str) -> Page:
    sql = f"{res.select} WHERE {where} ORDER BY {order_sql} LIMIT ? OFFSET ?"
    if q.forward_only:
        rows = world.query(sql, [*params, q.page_size + 1, 0])
        items = [(r["_pk"], res.build(base, r)) for r in rows]
        return Page(items[: q.page_size], None, len(items) > q.page_size)
    total = count(world, res, where, params)
    offset = (q.page - 1) * q.page_size
    rows = world.query(sql, [*params, q.page_size, offset])
    return Page([(r["_pk"], res.build(base, r)) for r in rows], total, offset + q.page_size < total)


def count(world: World, res: Resource, where: str, params: Sequence[Any]) -> int:
    """COUNT(*) over a resource's select with a WHERE clause."""
    # Every SQL fragment comes from resources.py or _push(); request values are bound parameters.
    row = world.query_one(f"SELECT COUNT(*) AS n FROM {res.count_from(where)} WHERE {where}", params)  # noqa: S608
    return int(row["n"]) if row else 0


def window(pairs: Iterable[Pair], q: ListQuery, residual: cond.Node | None, presorted: bool) -> Page:
    """Filter, order and cut one page out of a stream of documents."""
    matches: Iterator[Pair] = (p for p in pairs if residual is None or cond.evaluate(residual, p[1]))
    if q.forward_only:
        matches = (p for p in matches if p[1].get("id", 0) > q.page_id)
    if not presorted:
        matches = iter(sort_docs(list(matches), q.order))
    if q.forward_only:
        items = []
        for pair in matches:
            items.append(pair)
            if len(items) > q.page_size:
                break
        return Page(items[: q.page_size], None, len(items) > q.page_size)
    start, stop = (q.page - 1) * q.page_size, q.page * q.page_size
    items, total = [], 0
    for pair in matches:
        if start <= total < stop:
            items.append(pair)
        total += 1
    return Page(items, total, stop < total)


def count_query(world: World, res: Resource, q: ListQuery, base: str, *, scope: str = "",
                scope_params: Sequence[Any] = ()) -> int:
    """Number of records a list query matches (the `/count` endpoints)."""
    clauses, params, residual = split(q.where, res)
    where = " AND ".join(c for c in (res.where, scope, *clauses) if c) or "1 = 1"
    params = [*scope_params, *params]
    if residual is None:
        return count(world, res, where, params)
    rows = world.iterate(f"{res.select} WHERE {where}", params)
    return sum(1 for row in rows if cond.evaluate(residual, res.build(base, row)))


def link_header(request: Request, base_url: str, q: ListQuery, page: Page) -> str | None:
    """RFC 5988 Link header as CW sends it; None when there is nothing to link."""
    url = f"{base_url}{request.path}"
    keep = [(k, v) for k, vs in request.query.items() if k.lower() not in ("page", "pageid", "pagesize")
            for v in vs]

    def link(rel: str, **extra: int) -> str:
        params = [*keep, ("pageSize", q.page_size), *extra.items()]
        return f'<{url}?{urlencode(params, quote_via=quote)}>; rel="{rel}"'

    if q.forward_only:
        if not page.has_more or not page.items:
            return None
        return link("next", pageId=page.items[-1][1]["id"])
    last = max(1, -(-(page.total or 0) // q.page_size))
    rels = []
    if q.page > 1:
        rels += [link("first", page=1), link("prev", page=min(q.page - 1, last))]
    if q.page < last:
        rels += [link("next", page=q.page + 1), link("last", page=last)]
    return ", ".join(rels) or None
