"""The declarative form of a service item (申请表单): which fields its application asks for,
checked by a typed schema before it is stored (models.ItemForm.fields) and used to check
every answer. A field may name a field of the person or enterprise file (`file_field`, a key
of identity.file_fields): the form then opens with that value and shows where it came from
(decision 0053)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, Literal

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from hongmian.core.errors import ValidationFailed
from hongmian.identity import file_fields

KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
MAX_FIELDS = 40
MAX_TEXT = 500
MAX_TEXTAREA = 2000
MAX_INT = 1_000_000_000
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


class FormField(BaseModel):
    """One field of an application form."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=KEY_PATTERN)
    label: str = Field(min_length=1, max_length=60)
    kind: Literal["text", "textarea", "date", "int", "choice", "phone"] = "text"
    required: bool = True
    choices: tuple[str, ...] = ()
    # A key of identity.file_fields: the value the form opens with, and its source.
    file_field: str = ""
    help: str = Field(default="", max_length=200)

    @field_validator("file_field")
    @classmethod
    def _known_file_field(cls, value: str) -> str:
        if value and value not in file_fields.FIELDS:
            raise ValueError(f"unknown file field {value!r}")
        if value and file_fields.FIELDS[value].kind == "list":
            raise ValueError(f"a list field ({value}) cannot fill one form field")
        return value

    @model_validator(mode="after")
    def _choices_match_kind(self) -> FormField:
        if (self.kind == "choice") != bool(self.choices):
            raise ValueError("choices are given for a choice field, and only for one")
        return self


class FormDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    fields: tuple[FormField, ...] = Field(max_length=MAX_FIELDS)

    @model_validator(mode="after")
    def _unique_keys(self) -> FormDefinition:
        keys = [f.key for f in self.fields]
        if len(keys) != len(set(keys)):
            raise ValueError("field keys must be unique")
        return self

    def field(self, key: str) -> FormField | None:
        return next((f for f in self.fields if f.key == key), None)

    def file_keys(self, subject: file_fields.Subject) -> list[str]:
        """The file fields this form fills, of the applicant's kind of file."""
        return [
            f.file_field
            for f in self.fields
            if f.file_field and file_fields.FIELDS[f.file_field].subject == subject
        ]


def definition_parse(raw: Any) -> FormDefinition:
    """A stored or submitted definition, checked; 422 `item_form.invalid` naming the problem."""
    try:
        return FormDefinition.model_validate({"fields": raw})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        message = f"表单定义无效：{where} {first['msg']}"
        raise ValidationFailed(
            message, code="item_form.invalid", fields={"fields": [message]}
        ) from None


def answer_clean(spec: FormField, value: Any, *, complete: bool = True) -> str:
    """One answer as stored (text), or ValueError with the reason in the reader's language.
    An empty answer to a required field is refused only when `complete` (at submission)."""
    if value is None:
        value = ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(_("应为文本"))
    text = str(value).strip()
    if not text:
        if spec.required and complete:
            raise ValueError(_("必填"))
        return ""
    limit = MAX_TEXTAREA if spec.kind == "textarea" else MAX_TEXT
    if len(text) > limit:
        raise ValueError(_("不能超过 %(n)d 字") % {"n": limit})
    if spec.kind == "date":
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError(_("应为日期，格式 YYYY-MM-DD")) from None
    if spec.kind == "int":
        if not re.fullmatch(r"\d{1,10}", text) or int(text) > MAX_INT:
            raise ValueError(_("应为非负整数"))
        return str(int(text))
    if spec.kind == "choice" and text not in spec.choices:
        raise ValueError(_("应为以下之一：%(c)s") % {"c": "、".join(spec.choices)})
    if spec.kind == "phone" and not _MOBILE.match(text):
        raise ValueError(_("应为 11 位手机号码"))
    return text


def answers_check(
    definition: FormDefinition, answers: Mapping[str, Any], *, complete: bool
) -> dict[str, str]:
    """`answers` checked against the form: a key the form does not have is 422
    `application.field_unknown`; a bad value 422 `application.field_invalid` with every bad
    field named. `complete` (at submission) also requires every required field."""
    unknown = sorted(k for k in answers if definition.field(k) is None)
    if unknown:
        message = _("表单中没有这些字段：%(keys)s") % {"keys": "、".join(unknown)}
        raise ValidationFailed(
            message,
            code="application.field_unknown",
            fields={k: [_("该事项的表单没有这个字段")] for k in unknown},
        )
    cleaned: dict[str, str] = {}
    problems: dict[str, list[str]] = {}
    for spec in definition.fields:
        if spec.key not in answers and not complete:
            continue
        try:
            cleaned[spec.key] = answer_clean(spec, answers.get(spec.key), complete=complete)
        except ValueError as exc:
            problems[spec.key] = [str(exc)]
    if problems:
        raise ValidationFailed(
            _("表单填写有误：%(keys)s") % {"keys": "、".join(problems)},
            code="application.field_invalid",
            fields=problems,
        )
    return cleaned
