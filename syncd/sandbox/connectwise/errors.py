"""ConnectWise error bodies (`ErrorResponseMessage {code, message, errors[]}`)."""

from __future__ import annotations

from syncd.sandbox.framework import HttpError

ROUTING_ERROR = b"Cannot route. Codebase/company is invalid"


def invalid(resource: str, field: str, code: str, message: str) -> HttpError:
    """400 `InvalidObject` naming the offending field, as CW answers validation failures."""
    return HttpError(400, {
        "code": "InvalidObject",
        "message": f"{resource} object is invalid",
        "errors": [{"code": code, "message": message, "resource": resource, "field": field}],
    })


def bad_condition(detail: str) -> HttpError:
    """400 for a conditions/orderBy/fields expression CW cannot run."""
    return HttpError(400, {
        "code": "InvalidObject",
        "message": "conditions object is invalid",
        "errors": [{"code": "ApiFindCondition", "message": detail, "resource": "conditions",
                    "field": "conditions"}],
    })


def not_found(model: str, ident: object) -> HttpError:
    """404 for a record that does not exist (or was deleted)."""
    return HttpError(404, {"code": "NotFound", "message": f"{model} with id {ident} not found",
                           "errors": None})


def routing_error() -> HttpError:
    """CW's plain-text answer to a wrong codebase or company."""
    error = HttpError(404, raw=ROUTING_ERROR)
    error.response.content_type = "text/plain; charset=utf-8"
    return error


def malformed_body(detail: str) -> HttpError:
    """400 for a request body that is not JSON."""
    return HttpError(400, {"code": "InvalidObject", "message": "The request body is not valid JSON.",
                           "errors": [{"code": "InvalidJson", "message": detail, "resource": "body",
                                       "field": "body"}]})
