"""NinjaOne's error bodies, as seen in public client code and issue threads.

Two families exist. The OAuth endpoint answers RFC 6749 bodies (`{"error", "error_description"}`,
status 400 per NinjaOne's authorization spec). The `/v2` API answers a bearer problem with
`{"error": "not_authenticated", "error_description": "Invalid credentials", "error_code": 10}`
(homotechsual/NinjaOne#59) and everything else with its envelope
`{"resultCode": "FAILURE", "errorMessage": ...}` (a generic 404 reads "HTTP 404 Not Found").
Bodies for bad filters, expired cursors and missing scopes are not documented anywhere public;
they reuse the envelope.
"""

from __future__ import annotations

from syncd.sandbox.framework import HttpError, Response

NOT_AUTHENTICATED = {
    "error": "not_authenticated",
    "error_description": "Invalid credentials",
    "error_code": 10,
}


def envelope(message: str, result_code: str = "FAILURE") -> dict[str, str]:
    """Return NinjaOne's generic error envelope."""
    return {"resultCode": result_code, "errorMessage": message}


def failure(status: int, message: str) -> HttpError:
    """Build an HttpError carrying the `/v2` error envelope."""
    return HttpError(status, envelope(message))


def bad_request(message: str) -> HttpError:
    """A 400 with the `/v2` error envelope."""
    return failure(400, message)


def not_found(message: str = "HTTP 404 Not Found") -> HttpError:
    """A 404 with the `/v2` error envelope."""
    return failure(404, message)


def oauth_error(error: str, description: str, status: int = 400) -> Response:
    """An RFC 6749 token-endpoint error as NinjaOne's authorization spec documents it."""
    return Response(status, {"error": error, "error_description": description},
                    headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
