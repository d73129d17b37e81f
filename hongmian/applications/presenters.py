"""An application as the pages and the API show it: each form field with its value, its
source and the applicant's statement; each material the item asks for with how it is
provided. One shape for both doors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from hongmian.applications import selectors
from hongmian.applications.models import Application
from hongmian.applications.states import Status


def form_rows(application: Application) -> list[dict[str, Any]]:
    definition, _revision = selectors.item_form(application.item)
    rows = []
    for spec in definition.fields:
        filled = application.prefill.get(spec.key)
        statement = application.statements.get(spec.key)
        rows.append(
            {
                "key": spec.key,
                "label": spec.label,
                "kind": spec.kind,
                "required": spec.required,
                "choices": list(spec.choices),
                "help": spec.help,
                "value": application.answers.get(spec.key, ""),
                "source": filled["source"] if filled else None,
                "source_as_of": dt.datetime.fromisoformat(filled["as_of"]) if filled else None,
                "corrected": statement is not None,
                "file_value": statement["file_value"] if statement else None,
            }
        )
    return rows


def material_rows(application: Application) -> list[dict[str, Any]]:
    provided = {
        m.material_id: m for m in application.materials.select_related("source_application")
    }
    rows = []
    for material in application.item.materials.all():
        row = provided.get(material.pk)
        rows.append(
            {
                "material_id": material.pk,
                "name": material.name,
                "required": material.required,
                "mode": row.mode if row else None,
                "file_name": row.file_name if row else "",
                "content_type": row.content_type if row else "",
                "size": row.size if row else 0,
                "sha256": row.sha256 if row else "",
                "source_application": row.source_application.number
                if row and row.source_application
                else None,
                "certificate_ref": row.certificate_ref if row else "",
            }
        )
    return rows


def summary(application: Application, now: dt.datetime | None = None) -> dict[str, Any]:
    return {
        "id": application.pk,
        "number": application.number,
        "item_code": application.item.code,
        "item_name": application.item.name,
        "status": application.status,
        "status_label": str(Status(application.status).label),
        "created_at": application.created_at,
        "submitted_at": application.submitted_at,
        "due_at": application.due_at,
        "light": selectors.application_light(application, now or timezone.now()),
    }


def detail(application: Application) -> dict[str, Any]:
    return {
        **summary(application),
        "department": application.department.name,
        "fields": form_rows(application),
        "materials": material_rows(application),
        "accepted_at": application.accepted_at,
        "decided_at": application.decided_at,
        "corrections": list(application.corrections),
        "reason": application.reason,
    }
