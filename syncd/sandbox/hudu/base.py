"""Shared plumbing of the Hudu simulator: error bodies, paging into fault hooks, procedure loading."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from syncd.sandbox.framework import HttpError, Request, Simulator
from syncd.sandbox.hudu import render
from syncd.sandbox.hudu.params import Page

ASSET_SELECT = ("SELECT a.*, c.hudu_name AS company_name FROM hudu_assets a "
                "LEFT JOIN companies c ON c.hudu_id = a.company_id")


def not_found(what: str = "Record") -> HttpError:
    """Hudu's 404 body."""
    return HttpError(404, {"error": f"{what} not found"})


def unprocessable(message: str, details: list[str] | None = None) -> HttpError:
    """Hudu's 422 body: `{"error": ..., "details": [...]}` (the shape n8n-nodes-hudu parses)."""
    return HttpError(422, {"error": message, "details": details or [message]})


class HuduBase(Simulator):
    """State and helpers the read and write route mixins share."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The world schema has no columns for task assignees/optional/parent or a run's asset;
        # they live here for the simulator's lifetime (reported as a schema gap).
        self._extras_lock = threading.Lock()
        self.task_extras: dict[int, dict[str, Any]] = {}
        self.run_assets: dict[int, int] = {}

    @staticmethod
    def base_url(request: Request) -> str:
        """The instance URL as the client addressed it (for full_url/share_url)."""
        return f"http://{request.header('host') or 'hudu.sandbox.invalid'}"

    def set_extras(self, task_id: int, **values: Any) -> None:
        """Remember schema-less task attributes."""
        with self._extras_lock:
            self.task_extras.setdefault(task_id, {}).update(values)

    def serve_page(self, table: str, sql: str, params: list[Any], page: Page, *,
                   render_rows: Callable[[list[sqlite3.Row]], list[dict[str, Any]]],
                   id_column: str = "id") -> list[dict[str, Any]]:
        """Fetch one page with LIMIT/OFFSET, render it, then tell fault injection what was served."""
        rows = self.world.query(f"{sql} LIMIT ? OFFSET ?", [*params, page.size, page.offset])
        body = render_rows(rows)
        self.faults.on_page_served(table, [r[id_column] for r in rows], last_page=len(rows) < page.size)
        return body

    def company_row(self, hudu_id: int) -> sqlite3.Row | None:
        """The companies row of a Hudu company id."""
        return self.world.query_one("SELECT * FROM companies WHERE hudu_id = ?", (hudu_id,))

    def tasks_by_procedure(self, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
        """Rendered tasks of several procedures, in position order, with one query."""
        grouped: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
        if not ids:
            return grouped
        marks = ",".join("?" * len(ids))     # placeholders only; the ids travel as parameters
        head = "SELECT * FROM procedure_tasks WHERE procedure_id IN"
        rows = self.world.query(f"{head} ({marks}) ORDER BY procedure_id, position, id", ids)
        for row in rows:
            grouped[row["procedure_id"]].append(render.task(row, self.task_extras.get(row["id"], {})))
        return grouped

    def company_names(self, hudu_ids: set[int]) -> dict[int, str | None]:
        """Hudu company id -> name for several companies, with one query."""
        if not hudu_ids:
            return {}
        marks = ",".join("?" * len(hudu_ids))     # placeholders only; the ids travel as parameters
        rows = self.world.query(f"SELECT hudu_id, hudu_name FROM companies WHERE hudu_id IN ({marks})",  # noqa: S608
                                sorted(hudu_ids))
        return {row["hudu_id"]: row["hudu_name"] for row in rows}

    def render_procedures(self, rows: list[sqlite3.Row], base: str) -> list[dict[str, Any]]:
        """Render procedure rows with their tasks, company names and attached assets."""
        tasks = self.tasks_by_procedure([r["id"] for r in rows])
        companies = self.company_names({r["company_id"] for r in rows if r["company_id"] is not None})
        out = []
        for row in rows:
            asset_id = self.run_assets.get(row["id"])
            asset = self.world.query_one("SELECT name FROM hudu_assets WHERE id = ?", (asset_id,)) \
                if asset_id else None
            out.append(render.procedure(row, tasks[row["id"]], base, companies.get(row["company_id"]),
                                        asset["name"] if asset else None))
        return out

    def procedure_row(self, procedure_id: str | int) -> sqlite3.Row:
        """A procedures row or Hudu's 404."""
        row = self.world.query_one("SELECT * FROM procedures WHERE id = ?", (procedure_id,))
        if row is None:
            raise not_found("Process")
        return row

    def task_row(self, task_id: str | int) -> sqlite3.Row:
        """A procedure_tasks row or Hudu's 404."""
        row = self.world.query_one("SELECT * FROM procedure_tasks WHERE id = ?", (task_id,))
        if row is None:
            raise not_found("Procedure Task")
        return row
