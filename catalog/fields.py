"""A set of modalities stored as one canonical, comma-separated column.

Empty means unknown. Stored in the order of `Modality`, so equal sets store equal strings and
`__contains="image"` filters work on SQLite and PostgreSQL alike (no modality name is a
substring of another).
"""

from django import forms
from django.core import checks
from django.core.exceptions import ValidationError
from django.db import models


class Modality(models.TextChoices):
    TEXT = "text", "Text"
    IMAGE = "image", "Image"
    AUDIO = "audio", "Audio"
    VIDEO = "video", "Video"
    PDF = "pdf", "PDF"


MODALITY_ORDER = [choice.value for choice in Modality]


def canonical_modalities(values) -> list[str]:
    """Deduplicate and order modality names; raise ValueError naming an unknown one."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [part for part in values.split(",") if part.strip()]
    cleaned = {str(value).strip().lower() for value in values}
    unknown = sorted(cleaned - set(MODALITY_ORDER))
    if unknown:
        raise ValueError(f"unknown modality {', '.join(unknown)!s}; expected one of {', '.join(MODALITY_ORDER)}")
    return [name for name in MODALITY_ORDER if name in cleaned]


class ModalitySetField(models.CharField):
    description = "A set of modalities (text, image, audio, video, pdf)"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def check(self, **kwargs):
        return [*super().check(**kwargs), *self._check_not_null()]

    def _check_not_null(self):
        if self.null:
            return [checks.Error("ModalitySetField stores unknown as an empty string; null is not allowed.", obj=self)]
        return []

    def from_db_value(self, value, expression, connection):
        # Stored canonical (get_prep_value), so reading needs no validation: a split, on hot paths.
        return value.split(",") if value else []

    def to_python(self, value):
        try:
            return canonical_modalities(value)
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from error

    def get_prep_value(self, value):
        if isinstance(value, str) and "," not in value and value in MODALITY_ORDER:
            return value  # a single name, as in `__contains="image"` lookups
        return ",".join(self.to_python(value))

    def value_to_string(self, obj):
        return ",".join(self.value_from_object(obj))

    def validate(self, value, model_instance):
        # Choices are validated in to_python; CharField's own choice check does not apply to a set.
        if not self.blank and not value:
            raise ValidationError(self.error_messages["blank"], code="blank")

    def formfield(self, **kwargs):
        defaults = {
            "form_class": forms.TypedMultipleChoiceField,
            "choices": Modality.choices,
            "widget": forms.CheckboxSelectMultiple,
            "required": not self.blank,
        }
        widget = kwargs.pop("widget", None)
        # The admin hands every CharField a text input; a set needs a widget that holds several values.
        if getattr(widget, "allow_multiple_selected", False):
            defaults["widget"] = widget
        defaults.update(kwargs)
        # CharField.formfield would add max_length, which a multiple choice field does not take.
        return models.Field.formfield(self, **defaults)
