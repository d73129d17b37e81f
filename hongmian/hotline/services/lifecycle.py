"""Every transition of a work order, one service each (docs/hotline.md is the contract).

Each service takes the acting `Actor` first and keyword arguments only, locks the order
(`select_for_update`), refuses an order the actor cannot see as NotFound and an act it may
not do as PermissionDenied, checks `expected_version` (409 `work_order.stale`) and the
transition table (409 `work_order.illegal_transition`), saves with `version += 1`, writes
the audit and timeline entries in the same transaction and notifies the caller on commit.
Each returns the updated order (the extension request returns the request). The caller's
own rating (`work_order_caller_rate`) is the one act not tied to an account: the phone left
on the order proves who acts, and a wrong one is NotFound.

The services live in three modules by stage; import them from here:

- lifecycle_dispatch  direct answer, dispatch / re-dispatch, 下派, 签收, 退单 and its review,
                      joint meeting
- lifecycle_handling  notes, reply, co-handler's reply, extension request and decision,
                      urging and supervision
- lifecycle_closing   callback (the centre's, and the caller's own rating), callback review
                      (reopen), merge, archive
"""

from hongmian.hotline.services.lifecycle_closing import (
    CALLER_RATING_NOTE,
    UNREACHABLE_TRIES,
    work_order_archive,
    work_order_callback,
    work_order_callback_review,
    work_order_caller_rate,
    work_order_merge,
)
from hongmian.hotline.services.lifecycle_dispatch import (
    return_deadline,
    work_order_acknowledge,
    work_order_direct_answer,
    work_order_dispatch,
    work_order_joint_meeting,
    work_order_return_request,
    work_order_return_review,
    work_order_subdispatch,
)
from hongmian.hotline.services.lifecycle_handling import (
    work_order_co_reply,
    work_order_extension_decide,
    work_order_extension_request,
    work_order_progress,
    work_order_reply,
    work_order_supervise,
)

__all__ = [
    "CALLER_RATING_NOTE",
    "UNREACHABLE_TRIES",
    "return_deadline",
    "work_order_acknowledge",
    "work_order_archive",
    "work_order_callback",
    "work_order_callback_review",
    "work_order_caller_rate",
    "work_order_co_reply",
    "work_order_direct_answer",
    "work_order_dispatch",
    "work_order_extension_decide",
    "work_order_extension_request",
    "work_order_joint_meeting",
    "work_order_merge",
    "work_order_progress",
    "work_order_reply",
    "work_order_return_request",
    "work_order_return_review",
    "work_order_subdispatch",
    "work_order_supervise",
]
