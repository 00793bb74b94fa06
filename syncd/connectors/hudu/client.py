"""HuduClient: one method per Hudu v1 endpoint syncd uses; Hudu's quirks live here.

Quirks handled here:
* Lists are paged with `page` + `page_size` and carry NO metadata: the last page is the first
  short (or empty) one. Rows sit in an envelope named after the resource; a body without it
  raises EnvelopeError, never "no records".
* `procedure_tasks` documents no `page_size`; it pages 25 rows at a time with `page` only (the spec's
  info text), so `page` is sent only when a full first page asks for more.
* Write answers come wrapped (`{"article": {...}}`) or bare (the spec's schemas); both are read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from syncd.errors import EnvelopeError
from syncd.http import ApiClient
from syncd.pagination import Page, PageNumber, PageRequest, Params, envelope

DEFAULT_PAGE = 25   # "All responses are paginated with 25 results per page" (spec info text)


@dataclass(frozen=True)
class PageOnly:
    """Hudu's fixed-size pages: `page` only, first request without it, a short page is the last."""

    page_size: int = DEFAULT_PAGE

    def first(self, params: Params) -> PageRequest:
        """Ask for the first page with the filters only."""
        return PageRequest(dict(params))

    def next(self, page: Page) -> PageRequest | None:
        """Ask for the next page number unless this one was short."""
        if len(page.rows) < self.page_size:
            return None
        current = int(page.request_params.get("page", 1))
        return PageRequest({**page.request_params, "page": current + 1})


def _unwrap(body: Any, key: str, where: str) -> dict[str, Any]:
    """The object of a write answer, wrapped in `key` or bare; EnvelopeError when neither."""
    if isinstance(body, dict) and isinstance(body.get(key), dict):
        return body[key]
    if isinstance(body, dict) and "id" in body:
        return body
    raise EnvelopeError(f"hudu: {where}: answer has neither {key!r} nor an id", connector="hudu")


class HuduClient:
    """Plain-dict access to Hudu v1 over an ApiClient whose base URL ends in /api/v1."""

    def __init__(self, api: ApiClient, page_size: int) -> None:
        self.api = api
        self.page_size = page_size

    def _pages(self) -> PageNumber:
        return PageNumber(page_param="page", size_param="page_size", page_size=self.page_size)

    def list(self, resource: str, params: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every row of `GET /<resource>` with `params`, to the last (short) page."""
        return self.api.paginate(f"/{resource}", self._pages(), extract=envelope(resource), params=params)

    def api_info(self) -> dict[str, Any]:
        """`GET /api_info`: `{version, date}`; one cheap authenticated call."""
        body = self.api.get_json("/api_info")
        if not isinstance(body, dict) or "version" not in body:
            raise EnvelopeError("hudu: GET /api_info: answer has no 'version'", connector="hudu")
        return body

    # --- writes and the look-ups before them ------------------------------------------------

    def find_procedures(self, name: str, company_id: int | None) -> list[dict[str, Any]]:
        """Process templates named `name` (exact, case-insensitive) of a company, or global ones."""
        params: dict[str, Any] = {"name": name, "type": "process"}
        if company_id is None:
            params["process_scope"] = "global"
        else:
            params["company_id"] = company_id
        return list(self.list("procedures", params))

    def create_procedure(self, name: str, description: str, company_id: int | None) -> dict[str, Any]:
        """`POST /procedures`: a process template (company_id None = global template)."""
        body = self.api.post_json("/procedures", {"name": name, "description": description,
                                                  "company_id": company_id})
        return _unwrap(body, "procedure", "POST /procedures")

    def find_tasks(self, procedure_id: int, name: str) -> list[dict[str, Any]]:
        """Tasks of one process with exactly this name."""
        params = {"procedure_id": procedure_id, "name": name}
        return list(self.api.paginate("/procedure_tasks", PageOnly(), extract=envelope("procedure_tasks"),
                                      params=params))

    def create_task(self, procedure_id: int, name: str, description: str) -> dict[str, Any]:
        """`POST /procedure_tasks` on a process template (runs refuse new tasks)."""
        task = {"name": name, "description": description, "procedure_id": procedure_id}
        body = self.api.post_json("/procedure_tasks", {"procedure_task": task})
        return _unwrap(body, "procedure_task", "POST /procedure_tasks")

    def find_articles(self, name: str, company_id: int | None) -> list[dict[str, Any]]:
        """Articles with exactly this name (of one company when given; Hudu lists no archived ones)."""
        params: dict[str, Any] = {"name": name}
        if company_id is not None:
            params["company_id"] = company_id
        return list(self.list("articles", params))

    def create_article(self, name: str, content: str, company_id: int | None,
                       folder_id: int | None) -> dict[str, Any]:
        """`POST /articles`; sharing off, since a KB update is internal work."""
        article: dict[str, Any] = {"name": name, "content": content, "enable_sharing": False}
        if company_id is not None:
            article["company_id"] = company_id
        if folder_id is not None:
            article["folder_id"] = folder_id
        body = self.api.post_json("/articles", {"article": article})
        return _unwrap(body, "article", "POST /articles")
