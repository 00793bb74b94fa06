"""The explicit connector registry: kind -> factory(section settings, http settings, state store)."""

from __future__ import annotations

from collections.abc import Callable

from syncd.connectors.base import Connector, Stream
from syncd.errors import ConfigError

# Filled as connectors land (one line per vendor); no discovery by import side effect.
REGISTRY: dict[str, Callable[..., Connector]] = {}


def connector_factory(kind: str) -> Callable[..., Connector]:
    """Return the factory for a connector kind, or raise ConfigError naming the known kinds."""
    try:
        return REGISTRY[kind]
    except KeyError:
        known = ", ".join(sorted(REGISTRY)) or "none yet"
        raise ConfigError(f"connector {kind!r} is not available in this version; available: {known}") from None


__all__ = ["REGISTRY", "Connector", "Stream", "connector_factory"]
