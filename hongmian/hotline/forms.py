"""Forms of the hotline's screens. They check the shape of the input only; every rule about
the order itself (who may, when, which transition) is the services' to enforce, and their
errors are put back on the form by the views."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import partial
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hongmian.core.errors import ValidationFailed
from hongmian.core.validators import DB_ID_MAX, validate_mobile
from hongmian.hotline.models import Category
from hongmian.hotline.services.intake_validation import IntakeRequest
from hongmian.hotline.states import (
    Channel,
    Priority,
    RequestType,
    ReturnReason,
    Satisfaction,
    SupervisionKind,
    Visibility,
)
from hongmian.identity.models import OrgUnit
from hongmian.identity.states import UnitKind

# Kinds of unit an order can be dispatched to: the ones that handle requests, not the city
# government itself, the centre or the halls.
HANDLING_UNIT_KINDS = (
    UnitKind.CITY_DEPARTMENT,
    UnitKind.PUBLIC_UTILITY,
    UnitKind.DISTRICT_GOVERNMENT,
    UnitKind.DISTRICT_DEPARTMENT,
    UnitKind.STREET,
    UnitKind.TOWN,
    UnitKind.SPECIAL_AREA,
)
# A citizen who leaves the title empty gets the start of the content as the title.
DERIVED_TITLE_LENGTH = 30

Choices = list[tuple[Any, Any]]


class Form(forms.Form):
    """No colon after labels (Chinese labels read better without one); unit pickers get
    their units when the form is made, so a unit added after start-up is offered.

    `shortcuts` maps a field to its Alt+key (hotline/shortcuts.js does the keys; the label
    shows them, and `aria-keyshortcuts` tells assistive technology)."""

    shortcuts: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for name, key in self.shortcuts.items():
            field = self.fields[name]
            field.widget.attrs.update(
                {"data-shortcut": key, "aria-keyshortcuts": f"Alt+{key.upper()}"}
            )
            field.shortcut = key  # type: ignore[attr-defined]  # read by hotline/_field.html
        for field in self.fields.values():
            if isinstance(field, _UnitsMixin):
                field.bind_units()


# --- choices ---------------------------------------------------------------------------------


def category_choices(
    categories: Iterable[Category] | None = None, *, only: set[int] | None = None
) -> Choices:
    """Active categories grouped under their top level, for one keyboard-searchable select:
    a second-level category reads "噪音污染", a third-level one "噪音污染 › 施工噪音".
    `only` narrows the options (a filter) while the labels still name the parents."""
    rows = list(categories if categories is not None else categories_active())
    by_id = {c.pk: c for c in rows}
    groups: dict[int, list[tuple[int, str]]] = {}
    tops = [c for c in rows if c.level == 1]
    has_children = {c.parent_id for c in rows if c.parent_id}
    for c in rows:
        if only is not None and c.pk not in only:
            continue
        if c.level == 1:
            if c.pk not in has_children or only is not None:
                groups.setdefault(c.pk, []).append((c.pk, c.name))
            continue
        parent = by_id.get(c.parent_id) if c.parent_id else None
        grand = by_id.get(parent.parent_id) if parent and parent.parent_id else None
        top = parent if c.level == 2 else grand
        if top is None or parent is None:
            continue  # an orphan of an inactive parent is not offered
        label = c.name if c.level == 2 else f"{parent.name} › {c.name}"
        groups.setdefault(top.pk, []).append((c.pk, label))
    choices: Choices = [("", _("（未分类）"))]
    for top in tops:
        if top.pk in groups:
            choices.append((top.name, groups[top.pk]))
    return choices


def categories_active() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("sort_order", "code")


def handling_units() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(is_active=True, kind__in=HANDLING_UNIT_KINDS).order_by("path")


def unit_choices(units: Iterable[OrgUnit], *, blank: str | None = None) -> Choices:
    """Units grouped by kind (市直部门, 区政府, 街道 …), so type-to-find works in each group."""
    groups: dict[str, list[tuple[int, str]]] = {}
    labels = dict(UnitKind.choices)
    for unit in units:
        groups.setdefault(unit.kind, []).append((unit.pk, unit.name))
    choices: Choices = [("", blank)] if blank is not None else []
    for handling_kind in HANDLING_UNIT_KINDS:
        if handling_kind in groups:
            choices.append((labels[handling_kind], groups.pop(handling_kind)))
    for other_kind, items in groups.items():
        choices.append((labels.get(other_kind, other_kind), items))
    return choices


class _UnitsMixin:
    """Units offered grouped by kind. The queryset is made per form (in `Form.__init__`), and
    the choices are read only when the select is rendered or checked: never at import."""

    units: QuerySet[OrgUnit]
    choices: Any

    def bind_units(self, units: QuerySet[OrgUnit] | None = None) -> None:
        self.units = units if units is not None else self.units_factory()  # type: ignore[attr-defined]
        self.choices = partial(unit_choices, self.units, blank=self.blank)  # type: ignore[attr-defined]
        # About 250 offices: portal/combobox.js makes every unit picker searchable by typing
        # (a plain select without JavaScript).
        self.widget.attrs.setdefault("data-combobox", "")  # type: ignore[attr-defined]


class UnitChoiceField(_UnitsMixin, forms.TypedChoiceField):
    """One unit; cleans to the OrgUnit (or None when left blank)."""

    def __init__(
        self,
        *,
        units: Callable[[], QuerySet[OrgUnit]] = handling_units,
        blank: str | Promise | None = None,
        **kw: Any,
    ) -> None:
        self.units_factory, self.blank = units, blank
        super().__init__(choices=(), coerce=int, **kw)

    def clean(self, value: Any) -> OrgUnit | None:
        pk = super().clean(value)
        if pk in ("", None):
            return None
        unit = self.units.filter(pk=pk).first()
        if unit is None:
            raise ValidationError(_("请选择有效的单位。"), code="invalid_choice")
        return unit


class UnitsChoiceField(_UnitsMixin, forms.TypedMultipleChoiceField):
    """Several units; cleans to a list of OrgUnit."""

    def __init__(
        self, *, units: Callable[[], QuerySet[OrgUnit]] = handling_units, **kw: Any
    ) -> None:
        self.units_factory, self.blank = units, None
        super().__init__(choices=(), coerce=int, **kw)

    def clean(self, value: Any) -> list[OrgUnit]:
        pks = super().clean(value) or []
        found = list(self.units.filter(pk__in=pks))
        if len(found) != len(set(pks)):
            raise ValidationError(_("请选择有效的单位。"), code="invalid_choice")
        return found


class CategoryChoiceField(forms.TypedChoiceField):
    def __init__(self, **kw: Any) -> None:
        super().__init__(choices=category_choices, coerce=int, empty_value=None, **kw)

    def clean(self, value: Any) -> Category | None:
        pk = super().clean(value)
        if pk is None:
            return None
        category = categories_active().filter(pk=pk).first()
        if category is None:
            raise ValidationError(_("请选择有效的分类。"), code="invalid_choice")
        return category


def _mobile(value: str) -> str:
    try:
        return validate_mobile(value)
    except ValidationFailed as exc:
        raise ValidationError(exc.message, code="mobile") from None


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


def _textarea(rows: int = 4, **attrs: Any) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


class VersionForm(Form):
    """Only the version the reader saw, so a change made meanwhile is refused (409)."""

    version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=DB_ID_MAX
    )


# --- attachments (附件) ---------------------------------------------------------------------

# What the file picker offers; the service judges each file by its content all the same.
ATTACHMENT_ACCEPT = (
    "image/jpeg,image/png,image/webp,application/pdf,.docx,.xlsx,video/mp4,video/quicktime,"
    ".m4a,.mp3,.amr"
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Any number of files (the picker's `multiple`), as a list; empty when none. Size and
    type are the attachment service's to check (`attachment.too_large`, `….type_mismatch`)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("附件"))
        kwargs.setdefault(
            "help_text", _("可选多个文件：照片、PDF、Word、Excel、音视频，每个不超过 20 MB。")
        )
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT, "multiple": True})
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else [data]
        return [item for item in items if item]


class CallerAttachForm(Form):
    """补充照片 — the caller adds photos to their own open order ("我的诉求")."""

    attachments = FilesField(
        label=_("补充照片或材料"),
        help_text=_("照片将随诉求公开展示，拍摄位置等信息会被去除。"),
    )


class AttachForm(Form):
    """添加附件 on the order page, outside any act."""

    attachments = FilesField(label=_("选择文件"))
    visibility = forms.ChoiceField(
        label=_("可见范围"),
        choices=[
            (Visibility.PUBLIC, _("公开（诉求人查询时可见）")),
            (Visibility.STAFF, _("仅工作人员")),
            (Visibility.INTERNAL, _("内部（仅热线中心）")),
        ],
        initial=Visibility.STAFF,
    )


# --- console (坐席工作台) ------------------------------------------------------------------


class IntakeForm(Form):
    """受理 — what the agent types while the caller speaks. The field order is the focus
    order; the shortcuts are shown next to the labels."""

    # Alt+4 goes to the category filter, which the template adds beside the select.
    shortcuts = {"caller_phone": "1", "title": "2", "address": "3"}

    caller_phone = forms.CharField(
        label=_("来电号码"),
        max_length=20,
        required=False,
        # Every call starts here, so focus waits here: the agent's own screen, used all day.
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "off", "autofocus": True}
        ),
    )
    caller_name = forms.CharField(label=_("诉求人"), max_length=50, required=False)
    confidential = forms.BooleanField(label=_("保密（不向承办单位显示诉求人）"), required=False)
    channel = forms.ChoiceField(label=_("渠道"), choices=Channel.choices, initial=Channel.PHONE)
    request_type = forms.ChoiceField(
        label=_("诉求类型"), choices=RequestType.choices, initial=RequestType.HELP
    )
    # Optional, as at every door: a blank title is derived by the intake service.
    title = forms.CharField(
        label=_("标题"),
        max_length=200,
        required=False,
        help_text=_("可不填：留空时以“分类：诉求内容第一句”作标题。"),
    )
    content = forms.CharField(label=_("诉求内容"), widget=_textarea(5))
    address = forms.CharField(
        label=_("地址"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    category = CategoryChoiceField(label=_("分类"), required=False)
    priority = forms.ChoiceField(label=_("优先级"), choices=Priority.choices, initial="normal")
    is_enterprise = forms.BooleanField(label=_("涉企诉求"), required=False)
    is_emergency = forms.BooleanField(label=_("应急（三区等应急标签）"), required=False)
    # Not part of the request: the unit the dispatch page preselects after 受理. The
    # catalogue's unit for the category and address fills it until the agent picks one.
    lead_unit = UnitChoiceField(label=_("拟派承办单位"), blank=_("（受理后再选）"), required=False)
    answer = forms.CharField(label=_("答复内容"), required=False, widget=_textarea(3))
    attachments = FilesField(
        label=_("照片或材料"), help_text=_("随工单受理保存，诉求人查询时可见。")
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)

    def to_intake(self) -> IntakeRequest:
        """The request the valid form describes (the answer and the key are not part of it)."""
        return IntakeRequest.from_values(self.cleaned_data)


class DispatchForm(Form):
    """派单 / 改派 — the catalogue's unit is preselected by the view and may be changed."""

    lead_unit = UnitChoiceField(label=_("主办单位"), blank=_("请选择"))
    co_units = UnitsChoiceField(
        label=_("协办单位"),
        required=False,
        help_text=_("按住 Ctrl 可多选；可不选。"),
    )
    note = forms.CharField(label=_("派单说明"), required=False, widget=_textarea(2))
    version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=DB_ID_MAX
    )


class DirectAnswerForm(VersionForm):
    answer = forms.CharField(label=_("答复内容"), widget=_textarea(4))


class SearchForm(Form):
    shortcuts = {"q": "f"}

    q = forms.CharField(
        label=_("工单号、来电号码、标题或地址"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )


# --- unit inbox (承办单位) -----------------------------------------------------------------


class ProgressForm(VersionForm):
    text = forms.CharField(label=_("办理进展"), widget=_textarea(3))
    visibility = forms.ChoiceField(
        label=_("可见范围"),
        choices=[
            (Visibility.PUBLIC, _("公开（诉求人查询时可见）")),
            (Visibility.STAFF, _("仅工作人员")),
        ],
        initial=Visibility.PUBLIC,
    )
    attachments = FilesField(label=_("现场照片或材料"))


class ReplyForm(VersionForm):
    reply = forms.CharField(label=_("答复意见"), widget=_textarea(5))
    # The reply's photos (e.g. the place after the fix) are shown to the caller with it.
    attachments = FilesField(
        label=_("办结照片或材料"), help_text=_("随答复向诉求人公开；照片中的位置等信息会被去除。")
    )


class ReturnForm(VersionForm):
    reason = forms.ChoiceField(label=_("退单原因"), choices=ReturnReason.choices)
    legal_basis = forms.CharField(
        label=_("法律依据"),
        max_length=300,
        help_text=_("如“三定”方案、权责清单或法规条款。"),
    )
    explanation = forms.CharField(label=_("说明"), widget=_textarea(3))
    suggested_unit = UnitChoiceField(label=_("建议承办单位"), blank=_("（不建议）"), required=False)


class ExtensionForm(VersionForm):
    amount = forms.DecimalField(
        label=_("延期时长"), min_value=Decimal("0.5"), max_digits=6, decimal_places=1
    )
    reason = forms.CharField(label=_("延期理由"), widget=_textarea(3))


class SubdispatchForm(VersionForm):
    unit = UnitChoiceField(label=_("下派至"), blank=_("请选择"))
    note = forms.CharField(label=_("下派说明"), required=False, widget=_textarea(2))

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["unit"]
        field.bind_units(units)


# --- supervisor board (督办台) -------------------------------------------------------------


class ReturnReviewForm(VersionForm):
    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[
            ("accept", _("同意退单并改派")),
            ("refuse", _("不同意，原单位继续办理")),
            ("joint_meeting", _("提交联席会商")),
        ],
        widget=forms.RadioSelect,
    )
    new_unit = UnitChoiceField(label=_("改派至"), blank=_("（按派单目录）"), required=False)
    note = forms.CharField(label=_("审核意见"), widget=_textarea(2))


class ExtensionDecideForm(Form):
    approve = forms.TypedChoiceField(
        label=_("审批结果"),
        choices=[("yes", _("批准")), ("no", _("不批准"))],
        coerce=lambda v: v == "yes",
    )
    note = forms.CharField(label=_("审批意见"), required=False, max_length=500)


_SATISFACTION_CHOICES = [("", _("请选择")), *Satisfaction.choices]
_RESOLVED_CHOICES = [("", _("请选择")), ("yes", _("已解决")), ("no", _("未解决"))]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class CallbackForm(VersionForm):
    """回访 — by the centre on the phone; a caller not reached is recorded as such."""

    reached = forms.TypedChoiceField(
        label=_("是否联系上"),
        choices=[("yes", _("已联系上")), ("no", _("未联系上"))],
        coerce=lambda v: v == "yes",
        initial="yes",
    )
    satisfaction = forms.ChoiceField(
        label=_("满意度"), choices=_SATISFACTION_CHOICES, required=False
    )
    resolved = forms.TypedChoiceField(
        label=_("是否解决"), choices=_RESOLVED_CHOICES, coerce=_yes_no, required=False
    )
    comment = forms.CharField(label=_("回访记录"), required=False, widget=_textarea(2))
    attachments = FilesField(label=_("回访材料"), help_text=_("如通话记录截图，仅工作人员可见。"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("reached") and not data.get("satisfaction"):
            self.add_error("satisfaction", _("联系上诉求人时请记录满意度。"))
        return data


class CallbackReviewForm(VersionForm):
    reopen = forms.TypedChoiceField(
        label=_("审核结果"),
        choices=[("yes", _("重办：退回承办单位")), ("no", _("办结：诉求已合理答复"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("理由"), widget=_textarea(2))


class SuperviseForm(VersionForm):
    kind = forms.ChoiceField(label=_("类型"), choices=SupervisionKind.choices)
    note = forms.CharField(label=_("督办意见"), required=False, max_length=500)


class MergeForm(Form):
    master = forms.IntegerField(label=_("主工单"), min_value=1, max_value=DB_ID_MAX)
    duplicates = forms.TypedMultipleChoiceField(label=_("并入的工单"), coerce=int, choices=())
    note = forms.CharField(label=_("并单说明"), required=False, max_length=500)

    def __init__(self, *args: Any, order_ids: Iterable[int] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [(pk, str(pk)) for pk in order_ids]
        field: Any = self.fields["duplicates"]
        field.choices = ids

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        master, duplicates = data.get("master"), data.get("duplicates") or []
        if master is not None:
            data["duplicates"] = [pk for pk in duplicates if pk != master]
            if not data["duplicates"]:
                self.add_error("duplicates", _("请至少选择一张要并入的工单。"))
        return data


class JointMeetingForm(VersionForm):
    units = UnitsChoiceField(label=_("参会单位"))
    decided_unit = UnitChoiceField(label=_("确定承办单位"), blank=_("请选择"))
    minutes = forms.CharField(label=_("会议纪要"), widget=_textarea(3))


# --- citizen pages (市民) ------------------------------------------------------------------


class CitizenSubmitForm(Form):
    """我要反映 — what a citizen fills in online. Only content, address and phone are
    needed; the rest is optional and folded away in elder mode."""

    content = forms.CharField(label=_("您要反映的问题"), widget=_textarea(6))
    address = forms.CharField(
        label=_("问题发生的地址"),
        max_length=300,
        required=False,
        help_text=_("例如：天河区石牌街道华师路1号"),
    )
    caller_phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        help_text=_("用于查询办理进度和接收答复。"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    request_type = forms.ChoiceField(
        label=_("诉求类型"), choices=RequestType.choices, initial=RequestType.HELP
    )
    title = forms.CharField(
        label=_("标题"),
        max_length=200,
        required=False,
        help_text=_("可不填，系统会用问题的开头作标题。"),
    )
    caller_name = forms.CharField(
        label=_("您的称呼"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    confidential = forms.BooleanField(label=_("保密：不向承办单位透露我的身份"), required=False)
    # Declared before the key: shown among the basic fields, after the phone.
    attachments = FilesField(
        label=_("现场照片"),
        help_text=_(
            "可选，最多 9 个，每个不超过 20 MB。照片将随诉求公开展示，拍摄位置等信息会被去除。"
        ),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)

    ADVANCED_FIELDS = ("request_type", "title", "caller_name", "confidential")

    def clean_caller_phone(self) -> str:
        return _mobile(self.cleaned_data["caller_phone"])

    def to_intake(self) -> IntakeRequest:
        """The request the valid form describes, filed online (`Channel.WEB`)."""
        return IntakeRequest.from_values(self.cleaned_data, channel=Channel.WEB)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        content = (data.get("content") or "").strip()
        if content and not (data.get("title") or "").strip():
            data["title"] = content.splitlines()[0][:DERIVED_TITLE_LENGTH]
        return data

    def advanced(self) -> list[forms.BoundField]:
        return [self[name] for name in self.ADVANCED_FIELDS]

    def basic(self) -> list[forms.BoundField]:
        return [self[n] for n in self.fields if n not in (*self.ADVANCED_FIELDS, "idempotency_key")]


class TrackForm(Form):
    number = forms.CharField(
        label=_("工单号"), max_length=32, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    phone = forms.CharField(
        label=_("提交时留的手机号码"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_number(self) -> str:
        return str(self.cleaned_data["number"]).strip().upper()

    def clean_phone(self) -> str:
        return _mobile(self.cleaned_data["phone"])


class RateForm(TrackForm):
    """The citizen's own 回访, guarded by the same number and phone as tracking."""

    satisfaction = forms.ChoiceField(
        label=_("您对答复是否满意"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    resolved = forms.TypedChoiceField(
        label=_("问题是否已解决"),
        choices=[("yes", _("已解决")), ("no", _("未解决"))],
        coerce=_yes_no,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("还想说的话"), required=False, max_length=2_000, widget=_textarea(3)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("number", "phone"):
            self.fields[name].widget = forms.HiddenInput()


# --- the unit manager's sign-off (views/approvals.py) ----------------------------------------


class SignOffDecideForm(VersionForm):
    """同意 / 退回修改 of the request the manager saw (`sign_off`); the buttons set `decision`."""

    sign_off = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=DB_ID_MAX
    )
    decision = forms.ChoiceField(
        choices=[("approve", _("同意")), ("send_back", _("退回修改"))],
        widget=forms.HiddenInput,
        initial="approve",
    )
    comment = forms.CharField(
        label=_("审批意见"),
        required=False,
        max_length=2000,
        widget=_textarea(2),
        help_text=_("退回修改时必填，经办人会看到。"),
    )


class SignOffWithdrawForm(VersionForm):
    sign_off = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=DB_ID_MAX
    )


class SignOffPolicyForm(Form):
    require_reply = forms.BooleanField(label=_("办结答复须经本单位负责人审批"), required=False)
    require_return = forms.BooleanField(label=_("退单申请须经本单位负责人审批"), required=False)
    require_extension = forms.BooleanField(label=_("延期申请须经本单位负责人审批"), required=False)
