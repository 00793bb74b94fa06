"""The explicit connector registry: kind -> factory(section settings, http settings, state store).

One line per vendor, imported only when that connector is configured, so loading settings never
imports every vendor's client (and no registration happens by import side effect).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from syncd.connectors.base import Connector, Stream
from syncd.errors import ConfigError

REGISTRY: dict[str, str] = {
    "connectwise": "syncd.connectors.connectwise",
    "hudu": "syncd.connectors.hudu",
    "ninjaone": "syncd.connectors.ninjaone",
}


def connector_factory(kind: str) -> Callable[..., Connector]:
    """Return the factory for a connector kind, or raise ConfigError naming the known kinds."""
    try:
        module = REGISTRY[kind]
    except KeyError:
        known = ", ".join(sorted(REGISTRY)) or "none yet"
        raise ConfigError(f"connector {kind!r} is not available in this version; available: {known}") from None
    return import_module(module).factory


__all__ = ["REGISTRY", "Connector", "Stream", "connector_factory"]
