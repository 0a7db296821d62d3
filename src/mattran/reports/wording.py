"""How reports name offices and groups of units, per unit type (data, one place).

A ward's report is sent to "Đảng ủy phường", a district's to "Quận ủy", a
town's to "Thị ủy"; a district speaks of "các phường", a rural district of
"các xã, thị trấn". Sentences use these words through ``{unit.party_committee}``,
``{parent.party_committee}`` and ``{child.kind_plural}``.
"""

from __future__ import annotations

from collections.abc import Iterable

# unit kind -> the Party committee of that level, as offices write it
PARTY_COMMITTEE = {
    "Phường": "Đảng ủy phường",
    "Xã": "Đảng ủy xã",
    "Thị trấn": "Đảng ủy thị trấn",
    "Đặc khu": "Đảng ủy đặc khu",
    "Quận": "Quận ủy",
    "Huyện": "Huyện ủy",
    "Thị xã": "Thị ủy",
    "Thành phố": "Thành ủy",
    "Tỉnh": "Tỉnh ủy",
}
# the order kinds are named in when a group mixes them ("các xã, thị trấn")
KIND_ORDER = ["Quận", "Huyện", "Thị xã", "Thành phố", "Phường", "Xã", "Thị trấn", "Đặc khu"]


def party_committee(kind: str) -> str:
    return PARTY_COMMITTEE.get(kind, f"Đảng ủy {kind.lower()}".strip() if kind else "")


def kinds_plural(kinds: Iterable[str]) -> str:
    """ "các phường"; "các xã, thị trấn"; "" when there are none. Residential areas and
    unknown kinds follow the known ones in the order met."""
    seen: list[str] = []
    for k in kinds:
        if k and k not in seen:
            seen.append(k)
    if not seen:
        return ""
    ordered = sorted(seen, key=lambda k: KIND_ORDER.index(k) if k in KIND_ORDER else 99)
    return "các " + ", ".join(k.lower() for k in ordered)
