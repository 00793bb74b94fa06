"""NinjaOne Public API v2 simulator for `syncd sandbox`."""

from syncd.sandbox.ninjaone.simulator import NinjaOneSimulator

__all__ = ["NinjaOneSimulator"]
