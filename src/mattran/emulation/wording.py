"""How Front documents name committees and places ("Ủy ban MTTQ Việt Nam quận Thanh Xuân")."""

from __future__ import annotations

from mattran.units.models import Unit

KINDS = ["Thành phố", "Tỉnh", "Thị xã", "Quận", "Huyện", "Phường", "Xã", "Thị trấn", "Đặc khu"]


def split_kind(name: str) -> tuple[str, str]:
    """("Quận", "Thanh Xuân") from "Quận Thanh Xuân"; ("", name) if no known kind."""
    for kind in KINDS:
        if name.startswith(kind + " "):
            return kind, name[len(kind) + 1 :]
    return "", name


def place_name(unit: Unit) -> str:
    """The bare place name for the date line: "Thanh Xuân"."""
    return split_kind(unit.name)[1]


def unit_phrase(unit: Unit) -> str:
    """The unit as written inside a sentence: "quận Thanh Xuân", "phường Phương Liệt"."""
    kind, rest = split_kind(unit.name)
    return f"{kind.lower()} {rest}" if kind else unit.name


def committee_name(unit: Unit) -> str:
    """ "Ủy ban MTTQ Việt Nam quận Thanh Xuân"."""
    return f"Ủy ban MTTQ Việt Nam {unit_phrase(unit)}"


def header_lines(unit: Unit) -> tuple[str, str]:
    """The two header lines of a Decree 30 document issued by the unit's committee."""
    return "ỦY BAN MTTQ VIỆT NAM", unit.name.upper()
