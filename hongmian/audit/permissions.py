"""Who may read the audit log (等保 三员分立, decision 0046): the auditor, and no one else.

The entries record what the system and security administrators did: neither may read or
change them (the admin site has no page for them). The auditor reads and exports, and
changes nothing: there is no write in this app, and the chain (core.audit_chain) shows any
change made behind it."""

from __future__ import annotations

from typing import Any

from hongmian.identity.permissions import is_auditor


def can_read_audit_log(user: Any) -> bool:
    return is_auditor(user)
