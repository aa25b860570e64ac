"""Form fields for table parameters that visitors type by hand: "7B" parameters, "2024-06" dates."""

import calendar
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms

SCALES = {"": 1, "k": 10**3, "m": 10**6, "b": 10**9, "t": 10**12}


class ParameterCountField(forms.CharField):
    """A parameter count: 7000000000, 7e9, 7B, 1.5B or 400M."""

    default_error_messages = {"invalid": "Enter a parameter count such as 7B, 1.5B, 400M or 7000000000."}

    def to_python(self, value):
        value = super().to_python(value).strip().lower().replace("_", "").replace(",", "")
        if not value:
            return None
        match = re.fullmatch(r"(\d+(?:\.\d+)?(?:e\d+)?)\s*([kmbt]?)", value)
        if not match:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            count = Decimal(match.group(1)) * SCALES[match.group(2)]
        except InvalidOperation as error:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from error
        if count > 10**15:
            raise forms.ValidationError("That is more parameters than any model has; use at most 1000T.")
        return int(count)


class PartialDateField(forms.CharField):
    """YYYY-MM or YYYY-MM-DD, cleaned to (first day, last day) of the period."""

    default_error_messages = {"invalid": "Enter a month as YYYY-MM or a day as YYYY-MM-DD."}

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        match = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", value)
        if not match:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        year, month, day = int(match.group(1)), int(match.group(2)), match.group(3)
        try:
            if day:
                start = end = date(year, month, int(day))
            else:
                start = date(year, month, 1)
                end = date(year, month, calendar.monthrange(year, month)[1])
        except ValueError as error:
            raise forms.ValidationError(f"{value} is not a real date.", code="invalid") from error
        return start, end
