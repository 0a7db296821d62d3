"""The one place that maps the reader's patterns to figure keys.

The figures layer (issue 11, `mattran.figures`) will hold the registry of
figure keys. Until it lands, the keys are the report indicator codes of
`mattran.reports.catalogue`; a few figures offices publish that the catalogue
does not have yet are listed in EXTRA_KEYS and marked as not registered.
Switching to the figures registry is a change to `registered_keys()` here.
"""

from __future__ import annotations

import importlib.util
from functools import cache

from django.apps import apps

from mattran.reports import catalogue

# Figures Front offices publish that have no indicator yet (name, unit label).
EXTRA_KEYS: dict[str, tuple[str, str]] = {
    "quy_vi_nguoi_ngheo_van_dong": ("Vận động Quỹ “Vì người nghèo”", "đồng"),
    "nha_dai_doan_ket_xay": ("Số nhà Đại đoàn kết xây mới", "nhà"),
    "hoc_bong": ("Số suất học bổng", "suất"),
    "qua_tang_gia_tri": ("Trị giá quà tặng", "đồng"),
    "khen_thuong_tap_the": ("Số tập thể được khen thưởng", "tập thể"),
    "khen_thuong_ca_nhan": ("Số cá nhân được khen thưởng", "cá nhân"),
    "cuu_tro_van_dong": ("Vận động cứu trợ", "đồng"),
}


@cache
def registered_keys() -> dict[str, tuple[str, str]]:
    """key -> (Vietnamese name, unit label) of the keys the system can record."""
    return {code: (name, label) for code, name, _short, label, *_ in catalogue.INDICATORS}


def key_name(key: str | None) -> str:
    if not key:
        return "chưa rõ chỉ tiêu"
    if key in registered_keys():
        return registered_keys()[key][0]
    if key in EXTRA_KEYS:
        return EXTRA_KEYS[key][0]
    return key


def is_registered(key: str | None) -> bool:
    return bool(key) and key in registered_keys()


def all_keys() -> dict[str, tuple[str, str]]:
    return {**registered_keys(), **EXTRA_KEYS}


def figure_key(code: str | None) -> str | None:
    """The figures-layer key of an indicator code ("activities.count(types=toa_dam)"),
    once the catalogue stores one (issue 11, h10); None before, and for EXTRA_KEYS."""
    for entry in catalogue.INDICATORS:
        if entry[0] == code and isinstance(entry[4], str) and "." in entry[4]:
            return entry[4]
    return None


def figures_layer_ready() -> bool:
    """Has the figures layer with its entered totals landed?"""
    return apps.is_installed("mattran.figures") and bool(
        importlib.util.find_spec("mattran.figures.services")
    )
