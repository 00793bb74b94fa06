"""Which simulator class serves which vendor. Adding a vendor = a folder plus one line here."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from syncd.sandbox.framework import Simulator

# An explicit map, imported lazily: a broken or half-written simulator only fails the sandboxes
# that ask for it, and nothing registers itself by import side effect.
SIMULATORS: dict[str, str] = {
    "connectwise": "syncd.sandbox.connectwise:ConnectWiseSimulator",
    "ninjaone": "syncd.sandbox.ninjaone:NinjaOneSimulator",
    "hudu": "syncd.sandbox.hudu:HuduSimulator",
}


class UnknownVendorError(ValueError):
    """Raised for a vendor name that has no simulator."""


def known_vendors() -> list[str]:
    """Return the vendor names that have a simulator, sorted."""
    return sorted(SIMULATORS)


def simulator_class(vendor: str) -> type[Simulator]:
    """Import and return the simulator class of `vendor`."""
    from syncd.sandbox.framework import Simulator

    target = SIMULATORS.get(vendor)
    if target is None:
        raise UnknownVendorError(
            f"unknown sandbox vendor {vendor!r}; known vendors: {', '.join(known_vendors())}")
    module_name, _, class_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, Simulator)):
        raise UnknownVendorError(f"{target} is not a Simulator subclass (vendor {vendor!r})")
    return cls
