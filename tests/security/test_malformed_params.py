"""No malformed parameter reaches a 5xx: every URL, every role, every parameter.

The class test behind the probe's `/bao-cao/?don-vi=abc`, `/thi-dua/ke-hoach/97/0/`
and `/cong-khai/?so_tien=²`. For every GET row of the access matrix (the world of
tests/security/test_access_matrix.py: one object of each kind per unit) and every
role, the page is first requested as is while recording which query parameters
the view reads; then each of them, and each path parameter, is sent with malformed
values: letters, a huge number, 0, negative, unicode digits, empty. Each answer
must be below 500 (a Vietnamese message, a 404, a redirect): an exception or a 5xx
fails the test.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.http import QueryDict
from django.urls import resolve, reverse

from tests.security.test_access_matrix import (  # noqa: F401 - fixtures
    ROLES,
    ROWS,
    _generous_public_rate,
    _patterns,
    _quiet_expected_refusals,
    _relations,
    build_url,
    client_for,
    world,
)

pytestmark = pytest.mark.slow

BAD_VALUES = ["abc", "99999999999999999999999", "0", "-1", "²", "１２３", "1.5", ""]


class ReadKeys:
    """Records the query parameters a view reads (get, [], getlist, in)."""

    def __init__(self, monkeypatch):
        self.keys: set[str] = set()
        for method in ("get", "__getitem__", "getlist", "__contains__"):
            original = getattr(QueryDict, method)

            def spy(qd, key, *args, _original=original, **kwargs):
                if isinstance(key, str):
                    self.keys.add(key)
                return _original(qd, key, *args, **kwargs)

            monkeypatch.setattr(QueryDict, method, spy)


def _get(client, url, data=None) -> tuple[int | None, str]:
    try:
        response = client.get(url, data or {})
    except Exception as exc:  # noqa: BLE001 - the failure being looked for
        return None, f"{type(exc).__name__}: {exc}"[:200]
    if response.streaming:
        b"".join(response.streaming_content)
    return response.status_code, ""


GET_ROWS = sorted(n for n, r in ROWS.items() if not r.api and not n.startswith("admin:"))


@pytest.mark.parametrize("name", GET_ROWS)
def test_malformed_values_never_give_5xx(name, world, db, monkeypatch, _generous_public_rate):  # noqa: F811
    row = ROWS[name]
    converters = _patterns()[name].pattern.converters
    failures = []
    for role in ROLES:
        client = client_for(role, world)
        for rel in _relations(row)[:1]:
            url = build_url(name, row, world, rel)
            with monkeypatch.context() as m:
                spy = ReadKeys(m)
                status, error = _get(client, url)
            if status is None or status >= 500:
                failures.append(f"{role} GET {url}: {status or error}")
                continue
            for key in sorted(spy.keys):
                for value in BAD_VALUES:
                    status, error = _get(client, url, {key: value})
                    if status is None or status >= 500:
                        failures.append(f"{role} GET {url}?{key}={value!r}: {status or error}")
            if role not in ("anonymous", "superuser", "editor"):
                continue  # path values are parsed before any permission check
            kwargs = resolve(urlsplit(url).path).kwargs
            for arg, converter in converters.items():
                for value in BAD_VALUES:
                    if not re.fullmatch(converter.regex, value):
                        continue  # the resolver answers 404 without calling the view
                    bad_url = reverse(name, kwargs={**kwargs, arg: value})
                    status, error = _get(client, bad_url)
                    if status is None or status >= 500:
                        failures.append(f"{role} GET {bad_url}: {status or error}")
    assert not failures, "\n".join(failures)
