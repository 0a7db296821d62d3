"""A model field holding one figure key, validated against the registry where it is entered."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from .registry import key_validate


def validate_figure_key(value: str) -> None:
    key_validate(value)  # raises ValidationError listing the valid families


class FigureKeyField(models.CharField):
    """Stores the canonical form of a figure key; `full_clean` refuses unknown or malformed keys."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)
        self.validators.append(validate_figure_key)

    def clean(self, value, model_instance):
        value = super().clean(value, model_instance)
        if value:
            try:
                value = str(key_validate(value))
            except ValidationError:
                raise
        return value
