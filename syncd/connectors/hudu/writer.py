"""HuduWriter: KB update tasks (a process task, or an article) written at most once per key.

Every create is preceded by a look-up for syncd's own earlier write, recognised by
`marker(key)`: in a process task's description (which Hudu serves base64-encoded) or in an
HTML comment at the end of an article. A create that fails ambiguously (timeout, reset after
sending, 5xx, unreadable answer) may still have landed, so the look-up runs once more before
the error is re-raised. Hudu cannot add tasks to runs, so tasks go on a process template
named `kb_process_name`: the company's own, or a global template when there is no company.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any, TypeVar

import structlog
from pydantic import BaseModel, ValidationError

from syncd.connectors.base import WriteResult
from syncd.connectors.common import find_marker, marker
from syncd.connectors.hudu.client import HuduClient
from syncd.connectors.hudu.models import HuduArticle, HuduProcedure, HuduTask
from syncd.connectors.hudu.settings import HuduSettings
from syncd.errors import ApiError, AuthError, BadRequestError, MalformedResponseError, NotFoundError

log = structlog.get_logger(__name__)
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
# Refusals the server made before doing anything: nothing can have been created.
DEFINITE_FAILURES = (AuthError, BadRequestError, NotFoundError)
PROCESS_DESCRIPTION = "Knowledge-base follow-ups opened by syncd (recurring symptoms without a KB article)."


def _company(company_id: str | None) -> int | None:
    if company_id is None:
        return None
    try:
        return int(company_id)
    except ValueError:
        raise BadRequestError(f"hudu: company id {company_id!r} is not a Hudu company id",
                              connector="hudu") from None


def _carries(text: str | None, key: str) -> bool:
    return find_marker(text) == key


def _parse(model: type[M], row: Any, what: str) -> M:
    """Validate one Hudu object; junk is a MalformedResponseError like any unreadable answer."""
    try:
        return model.model_validate(row)
    except ValidationError as exc:
        raise MalformedResponseError(f"hudu: unreadable {what} ({exc.error_count()} errors)",
                                     connector="hudu") from None


class HuduWriter:
    """DocsWriter for Hudu: `open_task` per `kb_task_mode`, and `create_article`."""

    def __init__(self, client: HuduClient, settings: HuduSettings) -> None:
        self.client, self.settings = client, settings
        # company id (None = global) -> process template id; saves a look-up per task.
        self._processes: dict[int | None, int] = {}

    def open_task(self, *, company_id: str | None, title: str, description: str, key: str) -> WriteResult:
        """Open a KB update task: a process task (default) or a new KB article."""
        if self.settings.kb_task_mode == "article":
            body = "<p>" + html.escape(description).replace("\n", "<br>") + "</p>"
            return self.create_article(company_id, self.settings.kb_article_prefix + title, body, key=key)
        company = _company(company_id)
        try:
            return self._add_task(company, title.strip(), description, key)
        except NotFoundError:
            if company not in self._processes:
                raise
            # The cached process was deleted in Hudu since: find or create it again, once.
            del self._processes[company]
            return self._add_task(company, title.strip(), description, key)

    def create_article(self, company_id: str | None, title: str, content_html: str, key: str) -> WriteResult:
        """Create a KB article unless one with this name already carries the key's marker."""
        company, name = _company(company_id), title.strip()

        def find() -> HuduArticle | None:
            for row in self.client.find_articles(name, company):
                article = _parse(HuduArticle, row, "article")
                same_place = (article.company_id or None) == (str(company) if company is not None else None)
                if same_place and article.name == name and _carries(article.content, key):
                    return article
            return None

        def create() -> HuduArticle:
            # The marker sits in an HTML comment: invisible to readers, kept in `content`.
            content = f"{content_html}\n<!-- {marker(key)} -->"
            created = self.client.create_article(name, content, company, self.settings.kb_article_folder_id)
            return _parse(HuduArticle, created, "article")

        article, created = self._create_once(find, create, "article", key)
        return WriteResult(str(article.id), created)

    # --- process tasks ------------------------------------------------------------------------

    def _add_task(self, company: int | None, title: str, description: str, key: str) -> WriteResult:
        procedure_id = self._process_id(company)

        def find() -> HuduTask | None:
            for row in self.client.find_tasks(procedure_id, title):
                task = _parse(HuduTask, row, "process task")
                # Hudu serves descriptions base64-encoded; plain text is searched as a fallback.
                if _carries(task.decoded_description(), key) or _carries(task.description, key):
                    return task
            return None

        def create() -> HuduTask:
            text = f"{description.rstrip()}\n\n{marker(key)}"
            return _parse(HuduTask, self.client.create_task(procedure_id, title, text), "process task")

        task, created = self._create_once(find, create, "process_task", key)
        return WriteResult(str(task.id), created)

    def _process_id(self, company: int | None) -> int:
        """The id of the KB process template of a company (or the global one), created if missing."""
        if company in self._processes:
            return self._processes[company]
        name = self.settings.kb_process_name

        def find() -> HuduProcedure | None:
            rows = [_parse(HuduProcedure, r, "process") for r in self.client.find_procedures(name, company)]
            mine = [p for p in rows if not p.run and p.company_id == company and p.name.casefold() == name.casefold()]
            # Two replicas racing may both create one; the oldest is the one everybody picks.
            return min(mine, key=lambda p: p.id) if mine else None

        def create() -> HuduProcedure:
            created = self.client.create_procedure(name, PROCESS_DESCRIPTION, company)
            return _parse(HuduProcedure, created, "process")

        procedure, _ = self._create_once(find, create, "process", name)
        self._processes[company] = procedure.id
        return procedure.id

    @staticmethod
    def _create_once(find: Callable[[], T | None], create: Callable[[], Any], what: str,
                     key: str) -> tuple[T, bool]:
        """Return (found, False), or (created, True); after an ambiguous failure look once more."""
        found = find()
        if found is not None:
            log.info("write_found_existing", connector="hudu", what=what, key=key)
            return found, False
        try:
            return create(), True
        except DEFINITE_FAILURES:
            raise
        except ApiError as exc:
            try:
                again = find()
            except ApiError:
                raise exc from None  # the create's own error says what went wrong
            if again is None:
                raise
            # Our POST landed before the failure; the object is ours, created by this call.
            log.warning("write_recovered", connector="hudu", what=what, key=key, error=type(exc).__name__)
            return again, True
