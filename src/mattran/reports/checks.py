"""A registration point: an app above reports checks the figures of a generated text.

The report page shows the slips in its generated narrative (a rate that does not
match its counts, parts above their total, a wrong product). The checker lives in
the reading app, a layer above (it also reads old reports), so reading installs it
here when Django starts (reading/apps.py) and the page asks through `text_slips`.
Without a checker installed the page simply shows no slips.
"""

from __future__ import annotations

from collections.abc import Callable

_checkers: list[Callable[[str], list]] = []


def install_text_checker(checker: Callable[[str], list]) -> None:
    if checker not in _checkers:
        _checkers.append(checker)


def text_slips(text: str) -> list:
    """The slips every installed checker finds in `text` (each has .message)."""
    return [slip for checker in _checkers for slip in checker(text)]
