"""The applicant's 跨域通办 act: submit the draft to a partner city (the panel on the
application page, crosscity/_panel.html, posts the application's form here)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hongmian.applications import permissions as application_permissions
from hongmian.applications import selectors as application_selectors
from hongmian.applications.services import drafts
from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError, NotFound
from hongmian.crosscity.models import Partner
from hongmian.crosscity.services.sending import package_send


@login_required
@require_POST
def send(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the answers as the page shows them, then submit to the chosen partner city."""
    if not application_permissions.can_apply(request.user):
        raise DjangoPermissionDenied
    try:
        application = application_selectors.access_application(request.user, pk)
    except NotFound:
        raise Http404 from None
    if application.applicant_id != request.user.pk:
        raise Http404
    back = HttpResponseRedirect(reverse("applications:detail", args=[application.pk]))
    partner = Partner.objects.filter(code=request.POST.get("partner", ""), active=True).first()
    if partner is None:
        messages.error(request, _("请选择办理城市"))
        return back
    definition, _rev = application_selectors.item_form(application.item)
    answers = {f.key: request.POST.get(f.key, "") for f in definition.fields}
    actor = Actor.from_request(request)
    try:
        application = drafts.application_answers_update(
            actor=actor, application=application, answers=answers
        )
        package_send(actor=actor, application=application, partner=partner)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return back
    messages.success(
        request, _("申请已签名发往%(city)s，对方签收后会显示在这里。") % {"city": partner.name}
    )
    return back
