"""The department's instant-approval pages (秒批规则): the share of instant approvals per item
of its unit, and one item's rule — the JSON editor with its coded errors by path, the test
against a sample applicant (each condition passed or failed), the review workflow and the
versions (decision 0066). Thin: the services and selectors decide."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hongmian.applications import rules as rule_defs
from hongmian.applications import selectors, selectors_rules
from hongmian.applications.rule_samples import SAMPLES
from hongmian.applications.services import rules as rule_services
from hongmian.catalog import permissions as catalog_permissions
from hongmian.catalog.models import ServiceItem
from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError, ValidationFailed

PAGE_SIZE = 20
RULES_MAX = 20_000  # characters of JSON a rule may take
SAMPLE_MAX = 5_000


def _keeper(request: HttpRequest) -> Any:
    """The rules' keepers: the units' item editors and the city's catalogue keepers."""
    if not selectors_rules.can_keep_rules(request.user):
        raise DjangoPermissionDenied
    return request.user


@login_required
def rules_index(request: HttpRequest) -> HttpResponse:
    """秒批规则: the unit's items with a rule or a submission in the last 30 days — submitted,
    approved at once, the share — and a way to open any of its items' rules by code."""
    user = _keeper(request)
    items = selectors_rules.rule_items_for(user)
    code = request.GET.get("code", "").strip()[:64]
    if code:
        if items.filter(code=code).exists():
            return HttpResponseRedirect(reverse("applications:rule", args=[code]))
        messages.error(request, _("没有该事项，或不由本单位维护：%(code)s") % {"code": code})
    rows = selectors_rules.instant_share(items)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    totals = (sum(r.submitted for r in rows), sum(r.instant for r in rows))
    context = {
        "page": page,
        "rows": page.object_list,
        "days": selectors_rules.SHARE_DAYS,
        "totals": totals,
        "query": "",
    }
    return render(request, "applications/rules_index.html", context, status=400 if code else 200)


def _text(request: HttpRequest, name: str, limit: int) -> str:
    text = request.POST.get(name, "")
    if len(text) > limit:
        raise ValidationFailed(
            _("内容过长（最多 %(n)d 字符）") % {"n": limit},
            code="rule.too_long",
            fields={name: [_("过长")]},
        )
    return text


def _json(text: str, name: str, code: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        message = _("不是有效的 JSON：第 %(line)d 行第 %(col)d 列") % {
            "line": getattr(exc, "lineno", 0),
            "col": getattr(exc, "colno", 0),
        }
        raise ValidationFailed(message, code=code, fields={"$": [f"{code}：{message}"]}) from None


def _effective(request: HttpRequest) -> dt.date | None:
    text = request.POST.get("effective_from", "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ValidationFailed(
            _("生效日期格式应为 YYYY-MM-DD"),
            code="rule.effective_invalid",
            fields={"effective_from": [_("格式有误")]},
        ) from None


def _test(item: ServiceItem, rules_text: str, sample_text: str) -> rule_defs.Outcome:
    subject = selectors_rules.rule_subject(item)
    checked = rule_defs.rules_check(_json(rules_text, "rules", "rule.json_invalid"), subject)
    facts = rule_defs.sample_facts(_json(sample_text, "sample", "rule_sample.json_invalid"))
    kinds = {key: kind for key, (kind, _c) in subject.answers.items()}
    return rule_defs.rules_evaluate_facts(
        checked, facts, today=timezone.localdate(), answer_kinds=kinds
    )


def _act(request: HttpRequest, item: ServiceItem, action: str) -> str:
    """One write of the workflow; returns the message of its success."""
    actor = Actor.from_request(request)
    if action == "save":
        rules = _json(_text(request, "rules", RULES_MAX), "rules", "rule.json_invalid")
        rule_services.rule_draft_save(
            actor=actor, item=item, rules=rules, effective_from=_effective(request)
        )
        return _("草稿已保存。")
    if action == "submit":
        rule_services.rule_submit(actor=actor, item=item)
        return _("已提交审核。")
    if action == "approve":
        rule_services.rule_approve(actor=actor, item=item, note=request.POST.get("note", ""))
        return _("规则已发布。")
    if action == "reject":
        rule_services.rule_reject(actor=actor, item=item, note=request.POST.get("note", ""))
        return _("已退回修改。")
    raise ValidationFailed(_("未知的操作"), code="rule.action_unknown")


@login_required
def rule_page(request: HttpRequest, code: str) -> HttpResponse:
    """One item's rule: edit (the owning unit), test, submit, review (not one's own)."""
    user = _keeper(request)
    item = selectors_rules.rule_item_for(user, code)
    if item is None:
        raise Http404
    pending = selectors_rules.rule_pending(item)
    in_force = selectors_rules.rule_in_force(item)
    shown = pending or in_force
    rules_text = json.dumps(shown.rules, ensure_ascii=False, indent=2) if shown else ""
    sample_key = next(iter(SAMPLES))
    sample_text = json.dumps(SAMPLES[sample_key][1], ensure_ascii=False, indent=2)
    errors: dict[str, list[str]] = {}
    outcome = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("test", "test_preset"):
                rules_text = _text(request, "rules", RULES_MAX)
                sample_key = request.POST.get("preset", "")[:32]
                if action == "test_preset" and sample_key in SAMPLES:
                    sample_text = json.dumps(SAMPLES[sample_key][1], ensure_ascii=False, indent=2)
                else:
                    sample_text = _text(request, "sample", SAMPLE_MAX)
                outcome = _test(item, rules_text, sample_text)
            else:
                rules_text = request.POST.get("rules", rules_text)
                messages.success(request, _act(request, item, action))
                return HttpResponseRedirect(reverse("applications:rule", args=[item.code]))
        except ApplicationError as exc:
            messages.error(request, exc.message)
            errors = exc.fields
            status = exc.status_code
    definition, _revision = selectors.item_form(item)
    context = {
        "item": item,
        "pending": pending,
        "in_force": in_force,
        "versions": selectors_rules.rule_versions(item)[:50],
        "rules_text": rules_text,
        "sample_text": sample_text,
        "samples": [(k, label) for k, (label, _facts) in SAMPLES.items()],
        "sample_key": sample_key,
        "errors": sorted(errors.items()),
        "outcome": outcome,
        "share": selectors_rules.instant_share(ServiceItem.objects.filter(pk=item.pk)),
        "days": selectors_rules.SHARE_DAYS,
        "can_edit": catalog_permissions.can_update_item(user, item),
        "can_review": catalog_permissions.can_review_item(user, item)
        and (pending is None or pending.submitted_by_id != user.pk),
        "form_fields": definition.fields,
        "operators": rule_defs.OPERATORS,
    }
    return render(request, "applications/rule.html", context, status=status)
