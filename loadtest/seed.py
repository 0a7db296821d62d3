"""Seed a database (with the demo loaded) for the load test.

    python loadtest/seed.py OUT.json [--period 2025-Q4]

The province is Hà Nội in the structure in force since 1 July 2025 (the demo's
"2025-07": the city and 126 communes/wards). For every ward: an editor account
`tai.<code>` (editor on that ward) and three activities already recorded in the
period; for the city: four approver accounts `tai.pheduyet.<n>`. All accounts
share one password (hashed once). Writes OUT.json with what the load driver
needs: the wards and their accounts, the period, donor names that the public
lookup finds, public funds. Idempotent: run it again and nothing is added twice.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

PASSWORD = "Tai-thu@2025-MTTQ"  # noqa: S105 - load-test accounts on a scratch database
APPROVERS = 4
SEED_MARK = "[seed tải]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--period", default="2025-Q4")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mattran.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from mattran.access.models import Grant, Role
    from mattran.activities import services as act
    from mattran.activities.models import ActivityRecord, ActivityType
    from mattran.core.periods import Period
    from mattran.funds.models import EntryKind, Fund, LedgerEntry
    from mattran.units.models import Level, StructureVersion, Unit

    User = get_user_model()
    period = Period.parse(args.period)
    version = StructureVersion.objects.get(code="2025-07")
    city = Unit.objects.get(version=version, parent=None)
    wards = list(Unit.objects.filter(version=version, level=Level.COMMUNE).order_by("code"))
    if len(wards) < 100:
        sys.exit(f"Chỉ có {len(wards)} phường/xã trong cấu trúc 2025-07: hãy chạy load_demo trước.")
    hashed = make_password(PASSWORD)
    kinds = {t.code: t for t in ActivityType.objects.filter(active=True)}
    days = [period.start + dt.timedelta(days=d) for d in (3, 17, 40)]

    def account(username: str, unit: Unit, role: str):
        user, created = User.objects.get_or_create(username=username, defaults={"password": hashed})
        if not created and user.password != hashed:
            user.password = hashed
            user.save(update_fields=["password"])
        Grant.objects.get_or_create(user=user, unit=unit, role=role)
        return user

    with transaction.atomic():
        rows = []
        for ward in wards:
            user = account(f"tai.{ward.code}", ward, Role.EDITOR)
            have = ActivityRecord.objects.filter(unit=ward, title__startswith=SEED_MARK).count()
            for i, day in enumerate(days[have:], start=have):
                act.activity_record_create(
                    actor=user,
                    unit=ward,
                    type=kinds["tuyen_truyen" if i != 1 else "toa_dam"],
                    date=day,
                    title=f"{SEED_MARK} Hoạt động {i + 1} của {ward.name}",
                    attendance=40 + i * 10 if i != 1 else None,
                )
            rows.append(
                {"id": ward.pk, "code": ward.code, "name": ward.name, "user": user.username}
            )
        approvers = [
            account(f"tai.pheduyet.{n}", city, Role.APPROVER).username
            for n in range(1, APPROVERS + 1)
        ]
    donors = list(
        LedgerEntry.objects.filter(kind=EntryKind.RECEIPT, fund__is_public=True)
        .exclude(party_name="")
        .values_list("party_name", flat=True)
        .distinct()
        .order_by("party_name")[:300]
    )
    seed = {
        "period": period.code,
        "city": {"id": city.pk, "name": city.name},
        "wards": rows,
        "approvers": approvers,
        "password": PASSWORD,
        "donors": donors,
        "public_funds": list(Fund.objects.filter(is_public=True).values_list("pk", flat=True)),
        "activity_type": kinds["tuyen_truyen"].pk,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(seed, ensure_ascii=False, indent=1), encoding="utf-8")
    print(
        f"Đã chuẩn bị {len(rows)} phường/xã (mỗi nơi 1 tài khoản cập nhật, 3 hoạt động), "
        f"{len(approvers)} tài khoản phê duyệt cấp thành phố, {len(donors)} tên người ủng hộ "
        f"để tra cứu; kỳ báo cáo {period.label}."
    )


if __name__ == "__main__":
    main()
