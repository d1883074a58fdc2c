"""Finland's conventions for dates, times and numbers in Finnish, Swedish and English."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import formats, translation

WHEN = dt.datetime(2026, 12, 3, 17, 0)
DAY = dt.date(2026, 12, 3)


@pytest.mark.parametrize(
    ("code", "date", "time", "short_datetime"),
    [
        ("fi", "3.12.2026", "17.00", "3.12.2026 17.00"),
        ("sv", "3.12.2026", "17:00", "3.12.2026 17:00"),
        ("en", "3 Dec 2026", "17:00", "3 Dec 2026, 17:00"),
    ],
)
def test_named_formats(code, date, time, short_datetime):
    with translation.override(code):
        assert formats.date_format(DAY, "DATE_FORMAT") == date
        assert formats.date_format(DAY, "SHORT_DATE_FORMAT") == date
        assert formats.time_format(WHEN.time(), "TIME_FORMAT") == time
        assert formats.date_format(WHEN, "SHORT_DATETIME_FORMAT") == short_datetime
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1


@pytest.mark.parametrize(
    ("code", "expected"),
    [("fi", "3.12.2026 klo 17.00"), ("sv", "3.12.2026 kl. 17:00"), ("en", "3 Dec 2026, 17:00")],
)
def test_a_datetime_without_a_filter_uses_the_format(code, expected):
    """What `{{ value }}` shows: English no longer gets "Dec. 3, 2026, 5 p.m."."""
    with translation.override(code):
        assert Template("{{ when }}").render(Context({"when": WHEN})) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [("fi", "to 3.12.2026 17.00"), ("sv", "tors 3.12.2026 17:00"), ("en", "Thu 3 Dec 2026, 17:00")],
)
def test_weekday_datetime_filter(code, expected):
    with translation.override(code):
        assert Template("{{ when|weekday_datetime }}").render(Context({"when": WHEN})) == expected
        day = Template("{{ day|weekday_date }}").render(Context({"day": DAY}))
        assert day == expected.rsplit(" ", 1)[0].rstrip(",")


@pytest.mark.parametrize(("code", "number"), [("fi", "1234,5"), ("sv", "1234,5"), ("en", "1234.5")])
def test_decimal_separator(code, number):
    with translation.override(code):
        assert formats.number_format(Decimal("1234.5")) == number
        assert formats.get_format("DECIMAL_SEPARATOR") == number[4]


@pytest.mark.parametrize("code", ["fi", "sv", "en"])
def test_date_and_datetime_input_in_finnish_style(code):
    with translation.override(code):
        assert forms.DateField().clean("3.12.2026") == DAY
        assert forms.DateField().clean("2026-12-03") == DAY
        assert forms.DateTimeField().clean("3.12.2026 17:00").replace(tzinfo=None) == WHEN


def test_date_and_time_pickers_get_the_iso_values_browsers_need():
    """An <input type=date> shows nothing for "3.12.2026": its value must be 2026-12-03 in every
    language, whatever the language's own date format."""
    import inspect

    from django import forms as django_forms

    import candidates.forms
    import clients.forms

    wrong = []
    for module in (candidates.forms, clients.forms):
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, django_forms.BaseForm) or cls.__module__ != module.__name__:
                continue
            for field_name, field in cls.base_fields.items():
                widget = field.widget
                kind = getattr(widget, "input_type", "")
                if kind == "date" and widget.format != "%Y-%m-%d":
                    wrong.append(f"{name}.{field_name}")
                if kind == "time" and widget.format not in ("%H:%M", "%H:%M:%S"):
                    wrong.append(f"{name}.{field_name}")
    assert wrong == []
