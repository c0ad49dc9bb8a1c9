"""CSL data: items citeproc can digest, from whatever a bibliography file gave."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

import citeproc

NAME_VARIABLES = frozenset(n.replace("_", "-") for n in citeproc.NAMES)
DATE_VARIABLES = frozenset(d.replace("_", "-") for d in citeproc.DATES)


def normalize_item(raw: dict, key: str) -> dict:
    """A CSL item citeproc can digest: string ids, date-parts dates, structured names."""
    item: dict[str, Any] = {"id": key, "type": str(raw.get("type") or "document")}
    for name, value in raw.items():
        if name in ("id", "type") or value is None:
            continue
        if name in NAME_VARIABLES:
            item[name] = [csl_name(n) for n in (value if isinstance(value, list) else [value])]
        elif name in DATE_VARIABLES:
            date = csl_date(value)
            if date:
                item[name] = date
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            item[name] = str(value) if not isinstance(value, str) else value
    return item


def csl_name(value: Any) -> dict:
    if isinstance(value, dict):
        return {k: str(v) for k, v in value.items() if v is not None}
    text = str(value).strip()
    if "," in text:  # "Family, Given"
        family, given = (part.strip() for part in text.split(",", 1))
        return {"family": family, "given": given}
    return {"literal": text}


DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")


def csl_date(value: Any) -> dict | None:
    """Dates as {"date-parts": [[y, m, d]]}; ISO strings, YAML dates and literals accepted."""
    if isinstance(value, (dt.date, dt.datetime)):
        return {"date-parts": [[value.year, value.month, value.day]]}
    if isinstance(value, dict):
        if "date-parts" in value:
            parts = [[int(p) for p in dp if str(p).lstrip("-").isdigit()] for dp in value["date-parts"] or []]
            parts = [p for p in parts if p]
            return {"date-parts": parts} if parts else None
        for k in ("raw", "literal"):
            if value.get(k):
                return csl_date(str(value[k]))
        return None
    if isinstance(value, list):  # CSL-YAML: [{year: 2020, month: 5}]
        parts = [[int(d[k]) for k in ("year", "month", "day") if isinstance(d, dict) and k in d] for d in value]
        parts = [p for p in parts if p]
        return {"date-parts": parts} if parts else None
    text = str(value).strip()
    ranges = [DATE_RE.match(part.strip()) for part in text.split("/")]
    if ranges and all(ranges):
        return {"date-parts": [[int(g) for g in m.groups() if g] for m in ranges]}
    return {"literal": text} if text else None
