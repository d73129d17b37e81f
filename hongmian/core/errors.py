"""Errors that services raise. Each carries a stable code that clients can rely on.

Views and the API turn an ApplicationError into a 4xx response `{code, message, fields}`;
nothing that a caller can cause should ever surface as a 500.
"""

from __future__ import annotations

from collections.abc import Mapping


class ApplicationError(Exception):
    """A failure the caller can understand and act on. Subclasses fix the HTTP status."""

    status_code = 400
    default_code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: Mapping[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.fields: dict[str, list[str]] = {k: list(v) for k, v in (fields or {}).items()}

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "fields": self.fields}


class ValidationFailed(ApplicationError):
    """Input is malformed or breaks a rule; `fields` names what is wrong where."""

    status_code = 422
    default_code = "validation_failed"


class NotFound(ApplicationError):
    """Missing — or not visible to this user: the two must look the same (STYLE habit 3)."""

    status_code = 404
    default_code = "not_found"


class PermissionDenied(ApplicationError):
    """The user may see the object but not do this to it."""

    status_code = 403
    default_code = "permission_denied"


class NotAuthenticated(ApplicationError):
    status_code = 401
    default_code = "not_authenticated"


class Conflict(ApplicationError):
    """The object's state does not allow this now (illegal transition, stale update, duplicate)."""

    status_code = 409
    default_code = "conflict"


class IllegalTransition(Conflict):
    default_code = "illegal_transition"


class PayloadTooLarge(ApplicationError):
    """What was sent is over a size limit (a file, a request body)."""

    status_code = 413
    default_code = "payload_too_large"


class RateLimited(ApplicationError):
    """Too many requests or failures from this client (hongmian.core.ratelimit); the client
    may try again after `retry_after` seconds (0: not known), sent as Retry-After."""

    status_code = 429
    default_code = "rate_limited"

    def __init__(self, message: str, *, code: str | None = None, retry_after: int = 0) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after
