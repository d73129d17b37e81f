"""A per-process cache of API-key rows, so that a busy client is not one query per request.

An entry maps a key's prefix to its row (digest, revoked or not, last use) and the account it
acts for, for `settings.HONGMIAN_API_KEY_CACHE_SECONDS` (5 by default; 0 turns it off). So a
key revoked — or an account deactivated — on another process or server stops working within
that many seconds; in the process that revoked it, at once. Unknown prefixes are never cached
(the cache cannot be filled with guesses), and it holds at most MAX_ENTRIES keys.
"""

from __future__ import annotations

import time

from django.conf import settings

from hongmian.identity.models import ApiKey

MAX_ENTRIES = 1024

_entries: dict[str, tuple[float, ApiKey]] = {}


def api_key_cached(prefix: str) -> ApiKey | None:
    """The row for `prefix` (revoked ones too, with their user), or None when no key has
    that prefix. The row is shared by the process's threads: change nothing on it but
    `last_used_at` (which `api_key_mark_used` keeps current), and copy its user before
    handing it to a request."""
    ttl = settings.HONGMIAN_API_KEY_CACHE_SECONDS
    now = time.monotonic()
    hit = _entries.get(prefix)
    if hit is None or hit[0] <= now:
        row = ApiKey.objects.select_related("user").filter(prefix=prefix).first()
        if row is None:
            _entries.pop(prefix, None)
            return None
        if ttl > 0:
            if len(_entries) >= MAX_ENTRIES:
                _entries.clear()
            _entries[prefix] = (now + ttl, row)
        return row
    return hit[1]


def api_key_cache_forget(prefix: str | None = None) -> None:
    """Drop one prefix (after a revocation), or everything."""
    if prefix is None:
        _entries.clear()
    else:
        _entries.pop(prefix, None)
