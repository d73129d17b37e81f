"""`{% sign_offs_waiting as pending %}`: the reader's 待审批 for a page the hotline does not
render itself (the unit manager's home page includes hotline/approvals/_home.html)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from hongmian.hotline import selectors
from hongmian.hotline.models import SignOffRequest

register = template.Library()

# How many requests the home page lists; the count and the link cover the rest.
HOME_ROWS = 5


@dataclass(frozen=True, slots=True)
class Waiting:
    total: int
    rows: list[SignOffRequest]


@register.simple_tag(takes_context=True)
def sign_offs_waiting(context: dict[str, Any]) -> Waiting:
    request = context.get("request")
    user = getattr(request, "user", None)
    pending = selectors.sign_offs_pending_for(user)
    return Waiting(total=pending.count(), rows=list(pending[:HOME_ROWS]))
