"""Hudu v1 write endpoints: articles, process templates, kickoff (runs) and process tasks."""

from __future__ import annotations

from datetime import date
from typing import Any

from syncd.sandbox.framework import HttpError, Request, Response, route
from syncd.sandbox.hudu import render
from syncd.sandbox.hudu.base import HuduBase, not_found, unprocessable
from syncd.sandbox.hudu.params import as_int

RUN_ONLY = ("assigned_users", "due_date", "priority")
STRUCTURAL = ("name", "description", "procedure_id", "position", "optional", "parent_task_id")
# "Completion fields ... are silently ignored if sent" (spec, procedure_tasks POST/PUT).
COMPLETION = ("completed", "completed_at", "completed_date", "user_id", "completion_notes")


def payload(request: Request, key: str) -> dict[str, Any]:
    """The attributes of a write: `{key: {...}}`, or a bare object as Rails' ParamsWrapper accepts."""
    body = request.json()
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise HttpError(400, {"error": "Invalid JSON format"})
    inner = body.get(key)
    return dict(inner) if isinstance(inner, dict) else body


def _bool(value: Any, field: str, errors: list[str]) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return int(value.lower() in ("true", "1"))
    errors.append(f"{field} is not a boolean")
    return 0


class WriteRoutes(HuduBase):
    """POST/PUT routes that persist into the world."""

    # ---- articles --------------------------------------------------------------------------
    def _article_values(self, fields: dict[str, Any], creating: bool) -> dict[str, Any]:
        errors: list[str] = []
        values: dict[str, Any] = {}
        if creating or "name" in fields:
            name = fields.get("name")
            if not isinstance(name, str) or not name.strip():
                errors.append("Name can't be blank")
            values["name"] = name
        if "content" in fields or creating:
            content = fields.get("content")
            if content is not None and not isinstance(content, str):
                errors.append("Content must be a string")
            values["content"] = content or ""
        for key in ("company_id", "folder_id"):
            if fields.get(key) is not None:
                values[key] = as_int(fields[key])
                if values[key] is None:
                    errors.append(f"{key} is not a number")
            elif key in fields:
                values[key] = None
        if values.get("company_id") is not None and self.company_row(values["company_id"]) is None:
            errors.append("Company must exist")
        if "enable_sharing" in fields:
            values["enable_sharing"] = _bool(fields["enable_sharing"], "enable_sharing", errors)
        if errors:
            raise unprocessable("Validation failed", errors)
        return values

    @route("POST", "/api/v1/articles")
    def create_article(self, request: Request) -> Response:
        """POST /api/v1/articles; `draft` is not a documented attribute, so new articles are published."""
        values = self._article_values(payload(request, "article"), creating=True)
        now = self.clock.now_iso()
        with self.world.transaction() as conn:
            new_id = conn.execute(
                "INSERT INTO articles (company_id, folder_id, name, content, draft, enable_sharing, slug, "
                "archived, created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, '', 0, ?, ?)",
                (values.get("company_id"), values.get("folder_id"), values["name"], values["content"],
                 values.get("enable_sharing", 0), now, now)).lastrowid
            conn.execute("UPDATE articles SET slug = ? WHERE id = ?",
                         (render.slug_for("article", new_id, values["name"]), new_id))
        return self._article_response(request, new_id)

    @route("PUT", "/api/v1/articles/{id}")
    def update_article(self, request: Request) -> Response:
        """PUT /api/v1/articles/{id}: only the attributes sent change."""
        article_id = request.path_params["id"]
        if self.world.query_one("SELECT id FROM articles WHERE id = ?", (article_id,)) is None:
            raise not_found("Article")
        values = self._article_values(payload(request, "article"), creating=False)
        values["updated_at"] = self.clock.now_iso()
        sets = ", ".join(f"{k} = ?" for k in values)
        # Column names come from the fixed attribute lists above, never from the request.
        self.world.execute(f"UPDATE articles SET {sets} WHERE id = ?",  # noqa: S608
                           [*values.values(), article_id])
        return self._article_response(request, article_id)

    def _article_response(self, request: Request, article_id: int | str) -> Response:
        row = self.world.query_one("SELECT * FROM articles WHERE id = ?", (article_id,))
        return Response(200, {"article": render.article(row, self.base_url(request))})

    # ---- procedures ------------------------------------------------------------------------
    @route("POST", "/api/v1/procedures")
    def create_procedure(self, request: Request) -> Response:
        """POST /api/v1/procedures: a process template (company_id null = global template)."""
        fields = payload(request, "procedure")
        name = fields.get("name")
        if not isinstance(name, str) or not name.strip():
            raise unprocessable("Validation failed", ["Name can't be blank"])
        company_id = fields.get("company_id")
        if company_id is not None:
            company_id = as_int(company_id)
            if company_id is None or self.company_row(company_id) is None:
                raise unprocessable("Validation failed", ["Company must exist"])
        now = self.clock.now_iso()
        new_id = self.world.execute(
            "INSERT INTO procedures (name, description, company_id, run, parent_process_id, status, "
            "archived, created_at, updated_at) VALUES (?, ?, ?, 0, NULL, 'Not Started', 0, ?, ?)",
            (name, fields.get("description"), company_id, now, now))
        row = self.procedure_row(new_id)
        return Response(201, {"procedure": self.render_procedures([row], self.base_url(request))[0]})

    def _kickoff_args(self, request: Request) -> tuple[int | None, str | None]:
        body = request.json() if request.body else None
        inner = body.get("procedure", body) if isinstance(body, dict) else {}
        inner = inner if isinstance(inner, dict) else {}
        raw_asset = request.arg("asset_id") or inner.get("asset_id")
        name = request.arg("name") or inner.get("name")
        asset_id = as_int(raw_asset) if raw_asset not in (None, "") else None
        if raw_asset not in (None, "") and (asset_id is None or self.world.query_one(
                "SELECT id FROM hudu_assets WHERE id = ?", (asset_id,)) is None):
            raise unprocessable("Asset not found")
        return asset_id, name if isinstance(name, str) and name.strip() else None

    @route("POST", "/api/v1/procedures/{id}/kickoff")
    def kickoff(self, request: Request) -> Response:
        """POST /api/v1/procedures/{id}/kickoff: a run cloning the company process and all its tasks."""
        template = self.procedure_row(request.path_params["id"])
        if template["run"]:
            raise unprocessable("Cannot kick off a run; kick off its process instead")
        if template["company_id"] is None:
            raise unprocessable("Global process templates cannot be kicked off; copy to a company first")
        asset_id, name = self._kickoff_args(request)
        now = self.clock.now_iso()
        with self.world.transaction() as conn:
            run_id = conn.execute(
                "INSERT INTO procedures (name, description, company_id, run, parent_process_id, status, "
                "archived, created_at, updated_at) VALUES (?, ?, ?, 1, ?, 'Not Started', 0, ?, ?)",
                (name or template["name"], template["description"], template["company_id"],
                 template["id"], now, now)).lastrowid
            for t in conn.execute("SELECT * FROM procedure_tasks WHERE procedure_id = ? "
                                  "ORDER BY position, id", (template["id"],)).fetchall():
                clone_id = conn.execute(
                    "INSERT INTO procedure_tasks (procedure_id, name, description, position, completed, "
                    "created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?)",
                    (run_id, t["name"], t["description"], t["position"], now, now)).lastrowid
                optional = self.task_extras.get(t["id"], {}).get("optional")
                if optional:
                    self.set_extras(clone_id, optional=True)
        if asset_id is not None:
            self.run_assets[run_id] = asset_id
        # The spec's 200 schema is only `{message}`; clients find the run via parent_process_id.
        return Response(200, {"message": f"Run {run_id} created from process {template['id']}"})

    # ---- procedure tasks -------------------------------------------------------------------
    def _parent_task(self, value: Any, procedure_id: int, errors: list[str]) -> int | None:
        if value is None:
            return None
        parent = self.world.query_one("SELECT id FROM procedure_tasks WHERE id = ? AND procedure_id = ?",
                                      (as_int(value), procedure_id))
        if parent is None:
            errors.append("Parent task must belong to the same process")
            return None
        if self.task_extras.get(parent["id"], {}).get("parent_task_id") is not None:
            errors.append("Subtasks cannot have their own subtasks")
        return parent["id"]

    @route("POST", "/api/v1/procedure_tasks")
    def create_task(self, request: Request) -> Response:
        """POST /api/v1/procedure_tasks: only on process templates; run-only fields are rejected."""
        fields = {k: v for k, v in payload(request, "procedure_task").items() if k not in COMPLETION}
        procedure = self.procedure_row(as_int(fields.get("procedure_id")) or 0)
        if procedure["run"]:
            raise unprocessable("Cannot add tasks to runs", ["Tasks can only be added to processes"])
        sent_run_only = [k for k in RUN_ONLY if k in fields]
        if sent_run_only:
            raise unprocessable("Run-only fields are not allowed on process tasks", sent_run_only)
        errors: list[str] = []
        name = fields.get("name")
        if not isinstance(name, str) or not name.strip():
            errors.append("Name can't be blank")
        parent = self._parent_task(fields.get("parent_task_id"), procedure["id"], errors)
        optional = _bool(fields["optional"], "optional", errors) if "optional" in fields else 0
        position = as_int(fields.get("position"))
        if errors:
            raise unprocessable("Validation failed", errors)
        if position is None:
            last = self.world.query_one("SELECT MAX(position) AS m FROM procedure_tasks "
                                        "WHERE procedure_id = ?", (procedure["id"],))
            position = (last["m"] or 0) + 1
        now = self.clock.now_iso()
        task_id = self.world.execute(
            "INSERT INTO procedure_tasks (procedure_id, name, description, position, completed, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?)",
            (procedure["id"], name, fields.get("description"), position, now, now))
        self.set_extras(task_id, optional=bool(optional), parent_task_id=parent)
        return Response(201, {"procedure_task": self._task_json(task_id)})

    def _task_json(self, task_id: int | str) -> dict[str, Any]:
        row = self.task_row(task_id)
        return render.task(row, self.task_extras.get(row["id"], {}))

    @route("PUT", "/api/v1/procedure_tasks/{id}")
    def update_task(self, request: Request) -> Response:
        """PUT /api/v1/procedure_tasks/{id}: runs take only run fields, processes only structural ones."""
        row = self.task_row(request.path_params["id"])
        fields = {k: v for k, v in payload(request, "procedure_task").items() if k not in COMPLETION}
        is_run = bool(self.procedure_row(row["procedure_id"])["run"])
        allowed, rejected = (RUN_ONLY, STRUCTURAL) if is_run else (STRUCTURAL, RUN_ONLY)
        refused = [k for k in rejected if k in fields]
        if refused:
            kind = "run tasks" if is_run else "process tasks"
            raise unprocessable(f"Fields not allowed on {kind}", refused)
        changes = {k: v for k, v in fields.items() if k in allowed}
        columns, extras = (self._run_changes if is_run else self._process_changes)(row, changes)
        columns["updated_at"] = self.clock.now_iso()
        sets = ", ".join(f"{k} = ?" for k in columns)
        self.world.execute(f"UPDATE procedure_tasks SET {sets} WHERE id = ?",  # noqa: S608 -- fixed columns
                           [*columns.values(), row["id"]])
        if extras:
            self.set_extras(row["id"], **extras)
        return Response(200, {"procedure_task": self._task_json(row["id"])})

    @staticmethod
    def _run_changes(row: Any, changes: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        errors: list[str] = []
        columns: dict[str, Any] = {}
        extras: dict[str, Any] = {}
        if "priority" in changes:
            if changes["priority"] not in render.PRIORITIES:
                errors.append(f"Priority must be one of {', '.join(render.PRIORITIES)}")
            columns["priority"] = changes["priority"]
        if "due_date" in changes:
            columns["due_date"] = changes["due_date"]
            try:
                if changes["due_date"] is not None:
                    date.fromisoformat(str(changes["due_date"]))
            except ValueError:
                errors.append("Due date is not a date")
        if "assigned_users" in changes:
            users = changes["assigned_users"]
            ids = [as_int(u) for u in users] if isinstance(users, list) else [None]
            if None in ids:
                errors.append("Assigned users must be a list of user ids")
            extras["assigned_users"] = ids
        if errors:
            raise unprocessable("Validation failed", errors)
        return columns, extras

    def _process_changes(self, row: Any, changes: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        errors: list[str] = []
        columns: dict[str, Any] = {}
        extras: dict[str, Any] = {}
        if "name" in changes:
            if not isinstance(changes["name"], str) or not changes["name"].strip():
                errors.append("Name can't be blank")
            columns["name"] = changes["name"]
        if "description" in changes:
            columns["description"] = changes["description"]
        if "position" in changes:
            columns["position"] = as_int(changes["position"]) or 0
        target = row["procedure_id"]
        if "procedure_id" in changes:
            # Moving a task between processes is allowed, but never into a run.
            target_row = self.world.query_one("SELECT run FROM procedures WHERE id = ?",
                                              (as_int(changes["procedure_id"]),))
            if target_row is None or target_row["run"]:
                errors.append("Procedure must be an existing process")
            else:
                columns["procedure_id"] = target = as_int(changes["procedure_id"])
        if "optional" in changes:
            extras["optional"] = bool(_bool(changes["optional"], "optional", errors))
        if "parent_task_id" in changes:
            extras["parent_task_id"] = self._parent_task(changes["parent_task_id"], target, errors)
        if errors:
            raise unprocessable("Validation failed", errors)
        return columns, extras
