"""Download my data: every row that points at the person, found by walking the models.

The walk (rather than a list) is deliberate: a model added later with a foreign key to the
candidate or their user is exported without anyone remembering to add it here.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json
import zipfile
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone
from psycopg2.extras import Range

from candidates.models import Candidate, CandidateCV
from candidates.services.cv import cv_bytes
from staffing.models import User
from staffing.services.audit import audit_record

# Fields never exported: secrets, and recruiters' internal working notes (see docs/privacy.md).
EXCLUDED_FIELDS = {
    ("staffing.user", "password"),
    ("candidates.assessment", "notes"),
    ("candidates.candidatecv", "stored_name"),
}


def relations_to_person() -> list[tuple[type[models.Model], models.Field]]:
    """Every (model, field) whose foreign key or one-to-one points at a Candidate or a User."""
    targets = {Candidate, apps.get_model(settings.AUTH_USER_MODEL)}
    found = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                field.concrete
                and (field.many_to_one or field.one_to_one)
                and field.related_model in targets
            ):
                found.append((model, field))
    return found


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, Range):
        return {"from": _value(value.lower), "to": _value(value.upper)}
    return value


def _row(obj: models.Model) -> dict[str, Any]:
    label = obj._meta.label_lower
    return {
        field.attname: _value(getattr(obj, field.attname))
        for field in obj._meta.concrete_fields
        if (label, field.name) not in EXCLUDED_FIELDS
    }


def data_export(*, candidate: Candidate) -> dict[str, Any]:
    """Everything about the person as plain JSON-able data, keyed by model label."""
    user = candidate.user
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "candidates.Candidate": [_row(candidate)],
    }
    if user is not None:
        data[User._meta.label] = [_row(user)]
    for model, field in relations_to_person():
        owner = candidate if field.related_model is Candidate else user
        if owner is None:
            continue
        rows = model._default_manager.filter(**{field.name: owner}).order_by("pk")
        key = f"{model._meta.label}.{field.name}"
        data[key] = [_row(obj) for obj in rows]
    return data


def data_export_zip(*, candidate: Candidate, by: User | None) -> bytes:
    """A zip with data.json and the CV, for the "Download my data" button."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "data.json",
            json.dumps(data_export(candidate=candidate), ensure_ascii=False, indent=2, default=str),
        )
        cv = CandidateCV.objects.filter(candidate=candidate).first()
        if cv is not None:
            zf.writestr(f"cv/{cv.original_name}", cv_bytes(cv=cv))
    audit_record(
        actor=by, action="candidate.data_exported", target=candidate, candidate_id=candidate.pk
    )
    return buffer.getvalue()
