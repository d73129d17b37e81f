"""Who does a thing, passed explicitly to every service (no thread-locals).

An Actor bundles the user (None for the system itself), where the request came from and
through which door (web, api, cli, system) — the facts that an audit entry records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from hongmian.identity.models import User


@dataclass(frozen=True, slots=True)
class Actor:
    user: User | None
    client_address: str | None = None
    via: str = "system"
    # For the system actor: which job acted ("sla-sweep", "seed_demo", …).
    label: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest, *, via: str = "web") -> Actor:
        user: Any = getattr(request, "user", None)
        if user is not None and not user.is_authenticated:
            user = None
        return cls(user=user, client_address=client_address(request), via=via)

    @classmethod
    def system(cls, label: str) -> Actor:
        return cls(user=None, via="system", label=label)

    @classmethod
    def cli(cls, user: User | None, label: str = "") -> Actor:
        return cls(user=user, via="cli", label=label)

    def __str__(self) -> str:
        if self.user is not None:
            return self.user.get_username()
        # A visitor without an account (a caller rating their order on the web or through
        # the API) is not the platform: the audit trail must not say "system" for them.
        kind = "system" if self.via in ("system", "cli") else "anonymous"
        return f"{kind}:{self.label}" if self.label else kind


def client_address(request: HttpRequest) -> str | None:
    """The caller's address. Behind a proxy, set HONGMIAN_TRUSTED_PROXY_COUNT so that the
    right hop of X-Forwarded-For is used; by default the header is ignored (it is forgeable)."""
    from django.conf import settings

    hops = int(getattr(settings, "HONGMIAN_TRUSTED_PROXY_COUNT", 0))
    if hops > 0:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    addr = request.META.get("REMOTE_ADDR")
    return str(addr) if addr else None
