"""WTForms (via Flask-WTF, which adds CSRF to every form)."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import DecimalField
from wtforms.validators import ValidationError


def strip(value: str | None) -> str | None:
    """WTForms filter: surrounding spaces never count."""
    return value.strip() if isinstance(value, str) else value


class ActionForm(FlaskForm):
    """A bare form for POST buttons (log out, mark as read, start quiz): only the CSRF token."""


class FiniteDecimalField(DecimalField):
    """A DecimalField that refuses NaN, sNaN and infinities (WTForms accepts them, then comparisons
    with them raise instead of failing validation)."""

    def process_formdata(self, valuelist) -> None:
        """Parse as usual, then turn a non-finite number into an ordinary validation error."""
        super().process_formdata(valuelist)
        if isinstance(self.data, Decimal) and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))


class DateWithin:
    """WTForms validator: a date and time between two years, so conversions to UTC and deadline
    arithmetic (± hours, ± days) never leave Python's datetime range."""

    def __init__(self, first_year: int = 2000, last_year: int = 2199) -> None:
        self.first, self.last = first_year, last_year

    def __call__(self, form, field) -> None:
        """Refuse dates outside the years."""
        if field.data is not None and not self.first <= field.data.year <= self.last:
            raise ValidationError(f"Choose a date between {self.first} and {self.last}.")


def ascii_int(value: str | None, maximum: int = 2**31 - 1) -> int | None:
    """A non-negative whole number written in ASCII digits and at most `maximum`, else None.

    `str.isdigit()` accepts '²' or '٣', which `int()` then refuses or reads unexpectedly."""
    if not value or len(value) > 10 or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if number <= maximum else None
