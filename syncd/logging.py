"""structlog setup: JSON lines for the daemon, console for a terminal, secrets always redacted.

Standard-library loggers (APScheduler, urllib3) are routed through the same processors, so
their lines are JSON too and pass the same redaction.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any, TextIO

import structlog

from syncd.redact import REDACTOR, redact_url

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


def scrub_value(value: Any) -> Any:
    """Redact secrets from one event value (strings, and strings inside lists and dicts)."""
    if isinstance(value, str):
        return REDACTOR.scrub(redact_url(value) if "://" in value else value)
    if isinstance(value, Mapping):
        return {k: scrub_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_value(v) for v in value]
    return value


def redact_event(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: scrub every value, including a rendered exception."""
    for key, value in list(event.items()):
        event[key] = scrub_value(value)
    return event


def _shared_processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]


def configure_logging(fmt: str = "auto", level: str = "info", stream: TextIO | None = None) -> None:
    """Configure structlog and the stdlib root logger once for the process."""
    stream = stream or sys.stderr
    use_json = fmt == "json" or (fmt == "auto" and not stream.isatty())
    renderer: Any = (
        structlog.processors.JSONRenderer() if use_json else structlog.dev.ConsoleRenderer(colors=False)
    )
    # format_exc_info renders tracebacks to text first, so redaction sees them as strings.
    final = [structlog.processors.format_exc_info, redact_event, renderer]
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(),
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *final],
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(_LEVELS[level])
    # APScheduler's own INFO lines ("Added job", "Running job") repeat what syncd logs itself.
    logging.getLogger("apscheduler").setLevel(max(_LEVELS[level], logging.WARNING))
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    structlog.configure(
        processors=[
            *_shared_processors(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
