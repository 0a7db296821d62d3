"""Path converters that refuse, at the resolver, what no view can use: a database id
beyond what a BIGINT holds or below 1, a year outside the calendar the data uses.
A refused value answers 404 like any unknown path (`ValueError` in `to_python`),
never an overflow deep in a query (registered in core/apps.py)."""

import re


class IdConverter:
    regex = "[0-9]{1,18}"  # below 2**63: every BIGINT primary key

    def to_python(self, value: str) -> int:
        number = int(value)
        if number < 1:
            raise ValueError("ids start at 1")
        return number

    def to_url(self, value) -> str:
        return str(int(value))


class YearConverter:
    regex = "[0-9]{4}"
    FIRST, LAST = 1900, 2199

    def to_python(self, value: str) -> int:
        year = int(value)
        if not self.FIRST <= year <= self.LAST:
            raise ValueError("year out of range")
        return year

    def to_url(self, value) -> str:
        return f"{int(value):04d}"


def is_id(text: str) -> bool:
    """Whether a query value is an id the way `<id:...>` accepts one (ASCII digits,
    1 to 2**63-1), so int() and the database both take it."""
    return bool(re.fullmatch(IdConverter.regex, text or "")) and int(text) >= 1
