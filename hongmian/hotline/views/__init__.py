"""The hotline's screens, one module per audience:

- console.py   坐席工作台: intake, the caller's history, address and dispatch suggestions,
               the knowledge slot, dispatch after intake; order search
- inbox.py     承办单位待办: the unit's inbox and acts (签收, notes, reply, 退单, 延期, 下派)
- board.py     督办台: the board and the centre's acts (dispatch, reviews, callback, merge …)
- order.py     the order page the centre and the units share
- citizen.py   the public's pages: submit, track, rate, my requests
- attachments.py  附件: serving a file after the reader's check, 添加附件 on the order page,
               and `with_files`, which lets an act's form carry files (decision 0031)
- common.py    role guards, service errors on forms, navigation, timeline labels

The console's classifier slot, the board's hot spots and duplicate groups and the order's
duplicate candidates are the insights app's, reached through `hotline.insights_hook`.

Every view parses a form, builds `Actor.from_request(request)`, calls one service and
renders; the services decide what is allowed.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from hongmian.hotline.permissions import CENTRE_ROLES, UNIT_HANDLER_ROLES
from hongmian.identity.states import Role


def index(request: HttpRequest) -> HttpResponse:
    """/hotline/: each role's own screen (identity.states.ROLE_HOME_PATHS points here)."""
    role = getattr(request.user, "role", None)
    if role == Role.HOTLINE_SUPERVISOR:
        return redirect("hotline:board")
    if role in CENTRE_ROLES:
        return redirect("hotline:console")
    if role in UNIT_HANDLER_ROLES:
        return redirect("hotline:inbox")
    return redirect("hotline:submit")
