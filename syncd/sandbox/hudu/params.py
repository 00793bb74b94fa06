"""Query-string handling for the Hudu simulator: paging, typed filters and `updated_at` ranges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from syncd.sandbox.framework import Request

DEFAULT_PAGE_SIZE = 25          # "All responses are paginated with 25 results per page" (spec info text)
MAX_PAGE_SIZE = 1000            # documented max on procedures; HuduAPI asks 1000 everywhere
_SECOND = "%Y-%m-%dT%H:%M:%S"   # stored times are compared on their first 19 characters


@dataclass(frozen=True)
class Page:
    """One requested page: 1-based number and size."""

    number: int
    size: int

    @property
    def offset(self) -> int:
        """Rows to skip before this page."""
        return (self.number - 1) * self.size


def _positive_int(raw: str | None) -> int | None:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def page_of(request: Request, *, sized: bool = True) -> Page:
    """Read `page`/`page_size` the way Rails pagination does: junk means the default, size is capped."""
    number = _positive_int(request.arg("page")) or 1
    size = _positive_int(request.arg("page_size")) if sized else None
    return Page(number, min(size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE))


def parse_bool(raw: str | None) -> bool | None:
    """Rails-style boolean cast; None when absent or not a boolean word."""
    if raw is None:
        return None
    lowered = raw.strip().lower()
    if lowered in ("true", "1", "t", "yes", "on"):
        return True
    if lowered in ("false", "0", "f", "no", "off"):
        return False
    return None


def as_int(value: Any) -> int | None:
    """Cast a JSON or query value to int the way ActiveRecord would; None when impossible."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class Where:
    """Accumulates SQL conditions and their parameters for one list query."""

    def __init__(self, *clauses: str) -> None:
        self.clauses: list[str] = list(clauses)
        self.params: list[Any] = []

    def add(self, clause: str, *params: Any) -> None:
        """Add one condition."""
        self.clauses.append(clause)
        self.params.extend(params)

    def never(self) -> None:
        """Make the query match nothing (a filter value that can never match)."""
        self.clauses.append("0")

    def eq_int(self, column: str, raw: str | None) -> None:
        """Filter on an integer column; a non-numeric value matches nothing, as a cast to 0 would."""
        if raw is None or raw == "":
            return
        value = as_int(raw)
        if value is None:
            self.never()
        else:
            self.add(f"{column} = ?", value)

    def eq_text(self, column: str, raw: str | None, *, nocase: bool = False) -> None:
        """Exact string match (optionally case-insensitive)."""
        if raw is None or raw == "":
            return
        if nocase:
            self.add(f"lower({column}) = lower(?)", raw)
        else:
            self.add(f"{column} = ?", raw)

    def like_any(self, columns: list[str], raw: str | None) -> None:
        """Case-insensitive substring search over several columns (Hudu's fuzzy `search`)."""
        if not raw:
            return
        pattern = f"%{_escape_like(raw)}%"
        ors = " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in columns)
        self.add(f"({ors})", *([pattern] * len(columns)))

    def time_range(self, column: str, raw: str | None, *, closed_only: bool = False) -> None:
        """Apply an `updated_at`-style filter; see `parse_range`."""
        bounds = parse_range(raw, closed_only=closed_only)
        if bounds is None:
            return
        start, end = bounds
        if start is not None:
            self.add(f"substr({column}, 1, 19) >= ?", start)
        if end is not None:
            self.add(f"substr({column}, 1, 19) <= ?", end)

    def sql(self) -> str:
        """Return ' WHERE ...' or an empty string."""
        return f" WHERE {' AND '.join(self.clauses)}" if self.clauses else ""

    def around(self, head: str, order: str) -> str:
        """`head` + conditions + ORDER BY; clauses are fixed fragments, values stay in `params`."""
        return f"{head}{self.sql()} ORDER BY {order}"


def _instant(text: str, *, end_of_day: bool) -> str | None:
    """Normalise one ISO bound to UTC 'YYYY-MM-DDTHH:MM:SS'; date-only bounds cover the whole day."""
    text = text.strip()
    if not text:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
            if end_of_day:
                moment += timedelta(days=1, seconds=-1)
            return moment.strftime(_SECOND)
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime(_SECOND)


def parse_range(raw: str | None, *, closed_only: bool = False) -> tuple[str | None, str | None] | None:
    """Parse 'start,end' (either end blank) or an exact instant; None means "no filter".

    `closed_only` models the assets endpoint, which ignores a range with a blank end
    (observed by HuduAPI PR #86: "if only one is provided, date range is ignored").
    """
    if raw is None or not raw.strip():
        return None
    if "," not in raw:
        start = _instant(raw, end_of_day=False)
        end = _instant(raw, end_of_day=True)
        return (start, end) if start and end else None
    first, second = raw.split(",", 1)
    start = _instant(first, end_of_day=False)
    end = _instant(second, end_of_day=True)
    if start is None and end is None:
        return None
    if closed_only and (start is None or end is None):
        return None
    return start, end
