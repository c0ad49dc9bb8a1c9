"""Dates written as text: a quoted '2025-01-01' is a date, and an impossible one is named as such.

YAML reads `date: 2025-01-01` as a date but `date: '2025-01-01'` as text, and an impossible
`2025-02-30` as text too (yamlio.py keeps it so); authors mean a date in every case.
"""
from __future__ import annotations

import calendar
import re
from datetime import date, datetime

ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?=$|[T ])")
EXAMPLE = "write it as YYYY-MM-DD, e.g. 2025-01-31, or with a time: 2025-01-31T09:30:00+01:00"


def parse(text: str) -> date | datetime:
    """`text` as a date, or a date and time (with or without an offset); ValueError says why not."""
    value = text.strip()
    m = ISO_DAY.match(value)
    if not m:
        raise ValueError(f"'{value}' is not a date")
    _check_day(value[:m.end()], int(m[1]), int(m[2]), int(m[3]))
    try:
        if len(value) == m.end():
            return date(int(m[1]), int(m[2]), int(m[3]))
        return datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        raise ValueError(f"'{value}' is not a date and time") from None


def _check_day(day: str, year: int, month: int, dom: int) -> None:
    if not 1 <= month <= 12:
        raise ValueError(f"{day} is not a date: there is no month {month}")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= dom <= last:
        raise ValueError(f"{day} is not a date: {calendar.month_name[month]} {year} has {last} days")
