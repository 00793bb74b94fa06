"""Loopback simulators of the vendor APIs over a generated MSP world (`syncd sandbox`)."""

from syncd.sandbox.clock import SandboxClock
from syncd.sandbox.controller import Sandbox
from syncd.sandbox.faults import FaultConfig

__all__ = ["FaultConfig", "Sandbox", "SandboxClock"]
