"""Hudu v1 payloads (where vendor JSON stops) and their mapping to the normalized vocabulary.

Times are `UtcTime`: Hudu sends ISO 8601 with Z or an offset; a naive time is taken as UTC.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urljoin

from pydantic import BaseModel, BeforeValidator, ConfigDict

from syncd.connectors.common import UtcTime
from syncd.vocabulary import Article, Asset, Company


def _blank_to_none(value: Any) -> Any:
    """Hudu serves "" for unset text columns; treat it like null."""
    return None if isinstance(value, str) and not value.strip() else value


def _id_text(value: Any) -> Any:
    """Ids arrive as numbers (the spec) or numeric strings; keep them as text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(int(value))
    return _blank_to_none(value)


Text = Annotated[str | None, BeforeValidator(_blank_to_none)]
IdText = Annotated[str | None, BeforeValidator(_id_text)]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class HuduIntegration(_Payload):
    """A company's link to an outside system (`integrations[]`); `sync_id` is that system's id."""

    integrator_name: Text = None
    sync_id: IdText = None
    identifier: Text = None


class HuduCard(_Payload):
    """An integrator card on an asset (`cards[]`): the PSA/RMM record behind it."""

    integrator_name: Text = None
    sync_id: IdText = None
    sync_identifier: Text = None


def external_ids(links: list[HuduIntegration] | list[HuduCard], kinds: Mapping[str, str]) -> dict[str, str]:
    """{syncd kind: id} from integrations or cards; the first link of a kind wins."""
    found: dict[str, str] = {}
    for link in links:
        if link.integrator_name and link.sync_id:
            kind = kinds.get(link.integrator_name, link.integrator_name)
            found.setdefault(kind, link.sync_id)
    return found


class HuduCompany(_Payload):
    """`GET /api/v1/companies` row."""

    id: int
    name: str
    id_number: Text = None
    archived: bool = False
    updated_at: UtcTime | None = None
    integrations: list[HuduIntegration] = []

    def normalize(self, kinds: Mapping[str, str]) -> Company:
        """The normalized Company; an archived Hudu company counts as deleted."""
        return Company(
            id=str(self.id), name=self.name, identifier=self.id_number,
            external_ids=external_ids(self.integrations, kinds), deleted=self.archived,
            updated=self.updated_at,
        )


class HuduAsset(_Payload):
    """`GET /api/v1/assets` row."""

    id: int
    company_id: IdText = None
    name: str
    primary_serial: Text = None
    asset_type: Text = None
    archived: bool = False
    updated_at: UtcTime | None = None
    cards: list[HuduCard] = []

    def normalize(self, kinds: Mapping[str, str]) -> Asset:
        """The normalized Asset; serial is the primary serial, external ids come from the cards."""
        return Asset(
            id=str(self.id), company_id=self.company_id, name=self.name, serial=self.primary_serial,
            type=self.asset_type, external_ids=external_ids(self.cards, kinds), archived=self.archived,
            updated=self.updated_at,
        )


class HuduArticle(_Payload):
    """`GET /api/v1/articles` row (also the body of a created article)."""

    id: int
    name: str
    content: str | None = None
    company_id: IdText = None
    url: Text = None
    draft: bool = False
    updated_at: UtcTime | None = None

    def normalize(self, instance_url: str) -> Article:
        """The normalized Article; a relative url is made absolute against the instance."""
        url = urljoin(instance_url.rstrip("/") + "/", self.url) if self.url else None
        return Article(id=str(self.id), company_id=self.company_id, title=self.name, body=self.content or "",
                       url=url, updated=self.updated_at)


class HuduProcedure(_Payload):
    """A process (template) or run from `GET /api/v1/procedures`."""

    id: int
    name: str
    company_id: int | None = None
    run: bool = False


class HuduTask(_Payload):
    """A process task; Hudu serves `description` base64-encoded."""

    id: int
    name: str | None = None
    description: str | None = None
    procedure_id: int | None = None

    def decoded_description(self) -> str:
        """The description as text; text that is not base64 is returned as sent."""
        if not self.description:
            return ""
        try:
            return base64.b64decode(self.description, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            # Older instances (and other keys' writes) may send plain text; search it as is.
            return self.description
