"""``{{ form.field|described_by:"hint-id" }}``: a form field rendered with
``aria-describedby`` naming its hint and, when it has one, its error message
(``<id>-error``, written by the template next to the field), and ``aria-invalid``.
Screen readers then read the hint and the error when the field takes the focus."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


def error_id(field: BoundField) -> str:
    return f"{field.auto_id}-error"


@register.filter
def described_by(field: BoundField, hint_ids: str = "") -> SafeString:
    ids = hint_ids.split()
    attrs: dict[str, str] = {}
    if field.errors:
        ids.append(error_id(field))
        attrs["aria-invalid"] = "true"
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    return field.as_widget(attrs=attrs)
