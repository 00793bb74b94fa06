"""Hudu v1 read endpoints: companies, assets, articles, procedures and procedure tasks."""

from __future__ import annotations

from syncd.sandbox.framework import Request, Response, route
from syncd.sandbox.hudu import render
from syncd.sandbox.hudu.base import ASSET_SELECT, HuduBase, not_found
from syncd.sandbox.hudu.params import Where, page_of, parse_bool

# Query parameters each list route honours; every name is one the v2.44.0 spec lists for the
# operation (the contract tests check this). Unknown parameters are ignored, as Rails does.
ACCEPTED_QUERY = {
    ("GET", "/api/v1/companies"): {"page", "page_size", "name", "phone_number", "website", "city",
                                   "id_number", "state", "slug", "search", "id_in_integration",
                                   "updated_at"},
    ("GET", "/api/v1/assets"): {"company_id", "id", "name", "primary_serial", "asset_layout_id", "page",
                                "archived", "page_size", "slug", "search", "updated_at"},
    ("GET", "/api/v1/companies/{company_id}/assets"): {"page", "archived", "page_size"},
    ("GET", "/api/v1/articles"): {"name", "company_id", "page", "draft", "enable_sharing", "page_size",
                                  "slug", "search", "updated_at"},
    ("GET", "/api/v1/procedures"): {"type", "process_scope", "parent_process_id", "name", "company_id",
                                    "slug", "created_at", "updated_at", "archived", "page", "page_size",
                                    "global_template", "company_template", "parent_procedure_id"},
    # The spec lists no paging parameters here, but its info text says every response is paginated
    # 25 per page and navigated with ?page=X, so `page` is honoured and `page_size` is not.
    ("GET", "/api/v1/procedure_tasks"): {"procedure_id", "name", "company_id", "page"},
}


def _slug_filter(where: Where, kind: str, column: str, raw: str | None) -> None:
    """Slugs encode the row id, so a slug filter is an indexed id lookup (then checked exactly)."""
    if not raw:
        return
    row_id = render.slug_id(kind, raw)
    if row_id is None:
        where.never()
    else:
        where.add(f"{column} = ?", row_id)


def _archived(where: Where, column: str, raw: str | None) -> None:
    """Archived rows are hidden unless `archived=true`, which shows only archived ones."""
    where.add(f"{column} = ?", 1 if parse_bool(raw) else 0)


class ReadRoutes(HuduBase):
    """GET routes."""

    # ---- companies -------------------------------------------------------------------------
    @route("GET", "/api/v1/companies")
    def list_companies(self, request: Request) -> Response:
        """GET /api/v1/companies with the spec's filters."""
        w = Where("hudu_id IS NOT NULL")
        w.eq_text("hudu_name", request.arg("name"))
        w.like_any(["hudu_name"], request.arg("search"))
        ext = request.arg("id_in_integration")
        if ext:
            # "id/identifier in PSA/RMM/outside integration": the CW company id or its identifier.
            w.add("hudu_psa_sync_id IS NOT NULL AND (hudu_psa_sync_id = ? OR cw_identifier = ?)", ext, ext)
        for blank_column in ("phone_number", "website", "city", "state", "id_number"):
            if request.arg(blank_column):
                w.never()           # the world has none of these, so any value matches nothing
        _slug_filter(w, "company", "hudu_id", request.arg("slug"))
        w.time_range("updated_at", request.arg("updated_at"))
        base = self.base_url(request)
        slug = request.arg("slug")
        companies = self.serve_page(
            "companies", w.around("SELECT * FROM companies", "hudu_id"), w.params, page_of(request),
            render_rows=lambda rows: [render.company(r, base) for r in rows], id_column="world_id")
        if slug:
            companies = [c for c in companies if c["slug"] == slug]
        return Response(200, {"companies": companies})

    @route("GET", "/api/v1/companies/{id}")
    def get_company(self, request: Request) -> Response:
        """GET /api/v1/companies/{id}."""
        row = self.company_row(request.path_params["id"])
        if row is None:
            raise not_found("Company")
        return Response(200, {"company": render.company(row, self.base_url(request))})

    # ---- assets ----------------------------------------------------------------------------
    def _assets(self, request: Request, w: Where) -> Response:
        _archived(w, "a.archived", request.arg("archived"))
        base = self.base_url(request)
        assets = self.serve_page("hudu_assets", w.around(ASSET_SELECT, "a.id"), w.params, page_of(request),
                                 render_rows=lambda rows: [render.asset(r, base) for r in rows])
        return Response(200, {"assets": assets})

    @route("GET", "/api/v1/assets")
    def list_assets(self, request: Request) -> Response:
        """GET /api/v1/assets; a half-open `updated_at` range is ignored here, as clients observed."""
        w = Where()
        w.eq_int("a.company_id", request.arg("company_id"))
        w.eq_int("a.id", request.arg("id"))
        w.eq_int("a.asset_layout_id", request.arg("asset_layout_id"))
        w.eq_text("a.name", request.arg("name"))
        w.eq_text("a.primary_serial", request.arg("primary_serial"))
        w.like_any(["a.name", "a.primary_serial"], request.arg("search"))
        _slug_filter(w, "asset", "a.id", request.arg("slug"))
        w.time_range("a.updated_at", request.arg("updated_at"), closed_only=True)
        return self._assets(request, w)

    @route("GET", "/api/v1/companies/{company_id}/assets")
    def list_company_assets(self, request: Request) -> Response:
        """GET /api/v1/companies/{company_id}/assets."""
        company_id = request.path_params["company_id"]
        if self.company_row(company_id) is None:
            raise not_found("Company")
        w = Where()
        w.add("a.company_id = ?", int(company_id))
        return self._assets(request, w)

    # ---- articles --------------------------------------------------------------------------
    @route("GET", "/api/v1/articles")
    def list_articles(self, request: Request) -> Response:
        """GET /api/v1/articles; archived articles are not listed."""
        w = Where("archived = 0")
        w.eq_text("name", request.arg("name"))
        w.eq_int("company_id", request.arg("company_id"))
        w.eq_text("slug", request.arg("slug"))
        for flag in ("draft", "enable_sharing"):
            value = parse_bool(request.arg(flag))
            if value is not None:
                w.add(f"{flag} = ?", int(value))
        w.like_any(["name", "content"], request.arg("search"))
        w.time_range("updated_at", request.arg("updated_at"))
        base = self.base_url(request)
        articles = self.serve_page("articles", w.around("SELECT * FROM articles", "id"), w.params,
                                   page_of(request),
                                   render_rows=lambda rows: [render.article(r, base) for r in rows])
        return Response(200, {"articles": articles})

    @route("GET", "/api/v1/articles/{id}")
    def get_article(self, request: Request) -> Response:
        """GET /api/v1/articles/{id}."""
        row = self.world.query_one("SELECT * FROM articles WHERE id = ?", (request.path_params["id"],))
        if row is None:
            raise not_found("Article")
        return Response(200, {"article": render.article(row, self.base_url(request))})

    # ---- procedures ------------------------------------------------------------------------
    @staticmethod
    def _procedure_filters(request: Request) -> Where:
        w = Where()
        kind = (request.arg("type") or "all").lower()
        if kind in ("process", "run"):
            w.add("run = ?", int(kind == "run"))
        scope = request.arg("process_scope") or (
            "global" if parse_bool(request.arg("global_template")) else None)
        if scope in ("global", "company"):
            w.add(f"run = 0 AND company_id IS {'' if scope == 'global' else 'NOT '}NULL")
        if request.arg("company_template"):
            w.add("run = 0")
            w.eq_int("company_id", request.arg("company_template"))
        w.eq_int("parent_process_id",
                 request.arg("parent_process_id") or request.arg("parent_procedure_id"))
        w.eq_text("name", request.arg("name"), nocase=True)
        w.eq_int("company_id", request.arg("company_id"))
        _slug_filter(w, "procedure", "id", request.arg("slug"))
        w.time_range("created_at", request.arg("created_at"))
        w.time_range("updated_at", request.arg("updated_at"))
        _archived(w, "archived", request.arg("archived"))
        return w

    @route("GET", "/api/v1/procedures")
    def list_procedures(self, request: Request) -> Response:
        """GET /api/v1/procedures: processes (templates) and runs."""
        w = self._procedure_filters(request)
        base = self.base_url(request)
        body = self.serve_page("procedures", w.around("SELECT * FROM procedures", "id"), w.params,
                               page_of(request), render_rows=lambda rows: self.render_procedures(rows, base))
        slug = request.arg("slug")
        if slug:
            body = [p for p in body if p["slug"] == slug]
        return Response(200, {"procedures": body})

    @route("GET", "/api/v1/procedures/{id}")
    def get_procedure(self, request: Request) -> Response:
        """GET /api/v1/procedures/{id}."""
        row = self.procedure_row(request.path_params["id"])
        return Response(200, {"procedure": self.render_procedures([row], self.base_url(request))[0]})

    # ---- procedure tasks -------------------------------------------------------------------
    @route("GET", "/api/v1/procedure_tasks")
    def list_procedure_tasks(self, request: Request) -> Response:
        """GET /api/v1/procedure_tasks filtered by process/run, name or company."""
        w = Where()
        w.eq_int("t.procedure_id", request.arg("procedure_id"))
        w.eq_text("t.name", request.arg("name"))
        w.eq_int("p.company_id", request.arg("company_id"))
        sql = w.around("SELECT t.* FROM procedure_tasks t JOIN procedures p ON p.id = t.procedure_id",
                       "t.procedure_id, t.position, t.id")
        tasks = self.serve_page(
            "procedure_tasks", sql, w.params, page_of(request, sized=False),
            render_rows=lambda rows: [render.task(r, self.task_extras.get(r["id"], {})) for r in rows])
        return Response(200, {"procedure_tasks": tasks})

    @route("GET", "/api/v1/procedure_tasks/{id}")
    def get_procedure_task(self, request: Request) -> Response:
        """GET /api/v1/procedure_tasks/{id}."""
        row = self.task_row(request.path_params["id"])
        return Response(200, {"procedure_task": render.task(row, self.task_extras.get(row["id"], {}))})
