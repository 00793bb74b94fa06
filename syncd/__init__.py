"""syncd: keeps an MSP's service desk honest."""

__version__ = "0.1.0"
