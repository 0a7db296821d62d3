"""Figure keys: a family and its parameters, as one canonical string stored as data.

    activities.count(types=tuyen_truyen)
    funds.spent(fund=poor, purpose=gifts, measure=quantity)
    mediation.rate
    commendations.count(recipient=collective, award=bang_khen_tw)

Parameters are ``name=value`` separated by commas; a parameter with several
values separates them with ``|`` (``types=tuyen_truyen|toa_dam``). The
canonical form sorts parameters and values and has no spaces, so two spellings
of the same figure compare equal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_FAMILY = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_VALUE = re.compile(r"^[a-z0-9_\-]+$")


class KeySyntaxError(ValueError):
    """A key that cannot be read; the message is Vietnamese and says where."""


@dataclass(frozen=True, order=True)
class FigureKey:
    family: str
    params: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def __str__(self) -> str:
        if not self.params:
            return self.family
        inner = ",".join(f"{n}={'|'.join(vs)}" for n, vs in self.params)
        return f"{self.family}({inner})"

    def get(self, name: str, default: str = "") -> str:
        for n, vs in self.params:
            if n == name:
                return vs[0]
        return default

    def get_all(self, name: str) -> tuple[str, ...]:
        for n, vs in self.params:
            if n == name:
                return vs
        return ()

    def with_params(self, **params: str | tuple[str, ...]) -> FigureKey:
        merged = dict(self.params)
        for n, v in params.items():
            merged[n] = (v,) if isinstance(v, str) else tuple(v)
        return key_make(self.family, merged)


def key_make(family: str, params: dict[str, tuple[str, ...] | str] | None = None) -> FigureKey:
    items = []
    for name, values in sorted((params or {}).items()):
        vs = (values,) if isinstance(values, str) else tuple(values)
        items.append((name, tuple(sorted(set(vs)))))
    return FigureKey(family, tuple(items))


@lru_cache(maxsize=4096)
def key_parse(text: str) -> FigureKey:
    """Read a key; raises `KeySyntaxError` naming what is wrong (registry not consulted).
    Kept per text (a pure function; a key is immutable): a province report reads its
    ~40 keys several times, ~0.05 ms of parsing each."""
    raw = (text or "").strip()
    if not raw:
        raise KeySyntaxError("Mã số liệu trống.")
    family, params = raw, ""
    if "(" in raw:
        if not raw.endswith(")"):
            raise KeySyntaxError(f"Mã số liệu “{raw}”: thiếu dấu “)” ở cuối.")
        family, params = raw[:-1].split("(", 1)
        family = family.strip()
    if not _FAMILY.match(family):
        raise KeySyntaxError(
            f"Mã số liệu “{raw}”: tên nhóm “{family}” không hợp lệ "
            "(dạng “phân_hệ.số_liệu”, chữ thường không dấu)."
        )
    parsed: dict[str, tuple[str, ...]] = {}
    for part in (p.strip() for p in params.split(",")) if params.strip() else ():
        if "=" not in part:
            raise KeySyntaxError(f"Mã số liệu “{raw}”: tham số “{part}” thiếu dấu “=”.")
        name, value = (s.strip() for s in part.split("=", 1))
        if not _NAME.match(name):
            raise KeySyntaxError(f"Mã số liệu “{raw}”: tên tham số “{name}” không hợp lệ.")
        if name in parsed:
            raise KeySyntaxError(f"Mã số liệu “{raw}”: tham số “{name}” ghi hai lần.")
        values = tuple(v.strip() for v in value.split("|"))
        bad = [v for v in values if not _VALUE.match(v)]
        if bad:
            raise KeySyntaxError(
                f"Mã số liệu “{raw}”: giá trị “{bad[0]}” của tham số “{name}” không hợp lệ."
            )
        parsed[name] = values
    return key_make(family, parsed)
