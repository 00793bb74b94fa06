"""Hudu API v1 simulator for `syncd sandbox`."""

from syncd.sandbox.hudu.simulator import HuduSimulator

__all__ = ["HuduSimulator"]
