"""Reference data installed by a data migration (and re-installable: demo, tests).

`install` takes an app registry so the migration can pass its historical one;
it is idempotent (matches on `code`, never overwrites an administrator's edits).
"""

from __future__ import annotations

AWARD_TYPES = [
    # code, name, recipient kind, order
    ("bang-khen-tw", "Bằng khen của Ủy ban Trung ương MTTQ Việt Nam", "both", 10),
    ("bang-khen-tp-ha-noi", "Bằng khen của Ủy ban MTTQ Việt Nam thành phố Hà Nội", "both", 20),
    ("co-thi-dua", "Cờ thi đua", "collective", 30),
    ("giay-khen", "Giấy khen", "both", 40),
]
# code -> (province code, issuing level): where each applies (issue 11); others: anywhere.
AWARD_SCOPE = {"bang-khen-tw": ("", 0), "bang-khen-tp-ha-noi": ("01", 1)}


def install(apps=None) -> None:
    if apps is None:
        from django.apps import apps
    AwardType = apps.get_model("emulation", "AwardType")
    fields = {f.name for f in AwardType._meta.get_fields()}
    for code, name, kind, order in AWARD_TYPES:
        defaults = {"name": name, "recipient_kind": kind, "order": order}
        if "province_code" in fields and code in AWARD_SCOPE:
            defaults["province_code"], defaults["issuer_level"] = AWARD_SCOPE[code]
        AwardType.objects.get_or_create(code=code, defaults=defaults)
