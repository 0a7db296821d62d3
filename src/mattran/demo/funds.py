"""Demo ledger built from seed 003 (Đống Đa, 9 months of 2023) and the real VCB statement.

The ledger gives exactly the seed's figures for Quận Đống Đa (2023 structure),
Jan–Sep 2023, district and wards together (see `fund_figures`):
- "Vì biển, đảo Việt Nam" funds mobilised 2.366.435.000 đ;
- 1.413.860.796 đ spent from the "Vì người nghèo" funds on 359 gifts and the
  repair of 2 charity houses (nhà Nhân ái);
- 200.000.000 đ sent to the city's "Vì người nghèo" fund to build Great
  Solidarity houses in Điện Biên (sent and confirmed).
The individual entries are illustrative (the seed gives totals only); the last
entry of each group takes the remainder so the totals are exact.

Plus a Typhoon Yagi 2024 relief fund at the city with the real Vietcombank
statement sample imported, so the public lookup finds real donations.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import transaction

from mattran.funds import importing, services
from mattran.funds.models import AccountKind, Fund, FundKind, PartyKind, Purpose
from mattran.units.models import Unit

from .data import STATEMENTS_DIR

D = dt.date
VERSION = "2023"
SEA_TOTAL = 2_366_435_000
POOR_SPENT = 1_413_860_796
GIFTS = 359
HOUSES = 2
TO_CITY = 200_000_000

WARDS = [
    "Phường Láng Thượng",
    "Phường Thổ Quan",
    "Phường Trung Liệt",
    "Phường Nam Đồng",
    "Phường Phương Mai",
    "Phường Phương Liên",
    "Phường Văn Miếu",
    "Phường Kim Liên",
]

# district "Vì biển, đảo" receipts: (date, donor, kind, amount)
SEA_DISTRICT = [
    (
        D(2023, 3, 15),
        "Cán bộ, công chức các cơ quan quận Đống Đa",
        PartyKind.ORGANISATION,
        512_000_000,
    ),
    (
        D(2023, 5, 10),
        "Công ty Cổ phần Xây dựng và Thương mại Đống Đa",
        PartyKind.ORGANISATION,
        150_000_000,
    ),
    (D(2023, 6, 8), "Hiệp hội Doanh nghiệp quận Đống Đa", PartyKind.ORGANISATION, 200_000_000),
    (D(2023, 7, 20), "Trường THCS Láng Thượng", PartyKind.ORGANISATION, 18_500_000),
]
SEA_WARD = [86_400_000, 121_000_000, 95_250_000, 143_800_000, 77_600_000, 102_300_000, 88_900_000]
POOR_WARD_GIFTS = [
    98_500_000,
    112_000_000,
    101_250_000,
    109_000_000,
    95_750_000,
    107_300_000,
    104_200_000,
]
WARD_GIFT_COUNT = 25  # 8 wards × 25 = 200 gifts; the district gives 159

YAGI_FILE = "vcb-0011001932418-2024-09-01_part00.csv"


def statements_dir() -> Path:
    return STATEMENTS_DIR


def _lower_kind(name: str) -> str:
    """ "Phường Láng Thượng" → "phường Láng Thượng" (inside a sentence)."""
    return name[:1].lower() + name[1:]


def _unit(district: str, ward: str | None = None) -> Unit:
    unit = Unit.objects.get(version__code=VERSION, level=2, name=district)
    return Unit.objects.get(parent=unit, name=ward) if ward else unit


def _fund(unit: Unit, name: str, kind: str, opened_on: dt.date, bank=None, cash=True) -> Fund:
    fund = services.fund_create(actor=None, unit=unit, name=name, kind=kind, opened_on=opened_on)
    if bank:
        services.fund_account_create(
            actor=None,
            fund=fund,
            kind=AccountKind.BANK,
            bank_name=bank[0],
            account_number=bank[1],
            account_name=f"Ủy ban MTTQ Việt Nam {unit.name}",
        )
    if cash:
        services.fund_account_create(actor=None, fund=fund, kind=AccountKind.CASH)
    return fund


def _cash(fund: Fund):
    return fund.accounts.filter(kind=AccountKind.CASH).first()


def _receipt(fund, day, donor, amount, kind=PartyKind.ORGANISATION, memo=""):
    return services.receipt_create(
        actor=None,
        fund=fund,
        amount=amount,
        booked_on=day,
        party_name=donor,
        party_kind=kind,
        channel="cash",
        memo=memo or f"Ủng hộ {fund.name}",
        account=_cash(fund),
    )


def _gift(fund, day, quantity, amount, memo):
    return services.disbursement_create(
        actor=None,
        fund=fund,
        amount=amount,
        booked_on=day,
        purpose=Purpose.GIFTS,
        quantity=quantity,
        payee_name="Các hộ nghèo, cận nghèo, hộ có hoàn cảnh khó khăn",
        beneficiaries=f"{quantity} hộ theo danh sách kèm theo",
        channel="cash",
        memo=memo,
        account=_cash(fund),
    )


@transaction.atomic
def build_dong_da_ledger(out) -> None:
    district = _unit("Quận Đống Đa")
    if Fund.objects.filter(unit=district, kind=FundKind.POOR).exists():
        return
    city = district.parent
    # The funds' books in the system begin with the balances carried over from 2022
    # (booked on 31/12/2022): they are opened that day, so a report on a 2022 period
    # before it says "no data" ("—") for them, not "0 đ".
    opened = D(2022, 12, 31)
    city_poor = _fund(city, "Quỹ Vì người nghèo thành phố Hà Nội", FundKind.POOR, opened)
    _receipt(city_poor, D(2022, 12, 31), "Tồn quỹ năm 2022 chuyển sang", 5_000_000_000)

    # ---- "Vì biển, đảo Việt Nam": district + 8 wards = 2.366.435.000 đ in 2023
    sea = _fund(
        district,
        "Quỹ Vì biển, đảo Việt Nam quận Đống Đa",
        FundKind.SEA_ISLANDS,
        opened,
        bank=("Vietcombank", "0451000300001"),
    )
    total = 0
    for day, donor, kind, amount in SEA_DISTRICT:
        _receipt(sea, day, donor, amount, kind)
        total += amount
    ward_units = {name: _unit("Quận Đống Đa", name) for name in WARDS}
    ward_sea = {
        name: _fund(
            u, f"Quỹ Vì biển, đảo Việt Nam {_lower_kind(u.name)}", FundKind.SEA_ISLANDS, opened
        )
        for name, u in ward_units.items()
    }
    for i, name in enumerate(WARDS):
        fund = ward_sea[name]
        amount = SEA_WARD[i] if i < len(SEA_WARD) else SEA_TOTAL - total
        first = amount * 3 // 5
        _receipt(
            fund,
            D(2023, 4, 10 + i),
            f"Nhân dân các tổ dân phố {_lower_kind(name)}",
            first,
            PartyKind.ORGANISATION,
            "Nhân dân ủng hộ Quỹ Vì biển, đảo Việt Nam năm 2023",
        )
        _receipt(
            fund,
            D(2023, 8, 1 + i),
            "Các cơ quan, doanh nghiệp trên địa bàn",
            amount - first,
            PartyKind.ORGANISATION,
            "Ủng hộ Quỹ Vì biển, đảo Việt Nam năm 2023",
        )
        total += amount
    assert total == SEA_TOTAL, total

    # ---- "Vì người nghèo": district + 8 wards
    poor = _fund(
        district,
        "Quỹ Vì người nghèo quận Đống Đa",
        FundKind.POOR,
        opened,
        bank=("BIDV", "12010000456789"),
    )
    _receipt(poor, D(2022, 12, 31), "Tồn quỹ năm 2022 chuyển sang", 450_000_000)
    _receipt(
        poor, D(2023, 2, 10), "Các cơ quan, đơn vị, doanh nghiệp trên địa bàn quận", 380_000_000
    )

    # Booked in date order, so payment voucher numbers (PC) follow the dates.
    def repair(day, who, ward):
        return services.disbursement_create(
            actor=None,
            fund=poor,
            amount=100_000_000,
            booked_on=day,
            purpose=Purpose.HOUSE_REPAIR,
            quantity=1,
            payee_name=who,
            beneficiaries=f"{who}, {ward}",
            channel="cash",
            memo=f"Hỗ trợ sửa chữa nhà Nhân ái cho {who}, {ward}",
            account=_cash(poor),
        ).amount

    spent = 0
    spent += _gift(
        poor, D(2023, 1, 12), 100, 200_000_000, "Tặng quà Tết Quý Mão 2023 cho hộ nghèo, cận nghèo"
    ).amount
    spent += repair(D(2023, 4, 20), "hộ bà Nguyễn Thị Lan", "Phường Văn Chương")
    # 200.000.000 đ to the city for Great Solidarity houses in Điện Biên
    transfer = services.transfer_send(
        actor=None,
        from_fund=poor,
        to_fund=city_poor,
        amount=TO_CITY,
        sent_on=D(2023, 6, 15),
        purpose_text="Ủng hộ Thành phố xây dựng nhà Đại đoàn kết cho hộ nghèo tỉnh Điện Biên",
        # seed 003: "ủng hộ Thành phố 200.000.000 đồng xây dựng nhà Đại đoàn kết cho
        # các hộ nghèo Tỉnh Điện Biên"
        purpose="xây dựng nhà Đại đoàn kết cho các hộ nghèo Tỉnh Điện Biên",
    )
    services.transfer_confirm(actor=None, transfer=transfer, received_on=D(2023, 6, 20))
    spent += _gift(
        poor,
        D(2023, 7, 24),
        59,
        177_000_000,
        "Tặng quà nhân dịp kỷ niệm 76 năm Ngày Thương binh – Liệt sĩ",
    ).amount
    spent += repair(D(2023, 8, 25), "hộ ông Trần Văn Bình", "Phường Trung Phụng")
    gifts = 159
    for i, name in enumerate(WARDS):
        fund = _fund(
            ward_units[name], f"Quỹ Vì người nghèo {_lower_kind(name)}", FundKind.POOR, opened
        )
        _receipt(fund, D(2022, 12, 31), "Tồn quỹ năm 2022 chuyển sang", 60_000_000)
        _receipt(
            fund,
            D(2023, 3, 1 + i),
            "Nhân dân và các tổ chức trên địa bàn phường",
            70_000_000,
            memo="Ủng hộ Quỹ Vì người nghèo năm 2023",
        )
        amount = POOR_WARD_GIFTS[i] if i < len(POOR_WARD_GIFTS) else POOR_SPENT - spent
        first = amount // 2
        _gift(fund, D(2023, 1, 16 + i), 15, first, "Tặng quà Tết cho hộ nghèo, cận nghèo")
        _gift(
            fund,
            D(2023, 9, 1 + i),
            WARD_GIFT_COUNT - 15,
            amount - first,
            "Hỗ trợ hộ có hoàn cảnh khó khăn",
        )
        spent += amount
        gifts += WARD_GIFT_COUNT
    assert spent == POOR_SPENT and gifts == GIFTS, (spent, gifts)
    # outside the 9 months: must not change the 9-month figures
    _gift(poor, D(2023, 10, 10), 10, 20_000_000, "Tặng quà tháng cao điểm Vì người nghèo")

    # ---- the city's Great Solidarity houses in Điện Biên (the district's 200.000.000 đ above)
    services.disbursement_create(
        actor=None,
        fund=city_poor,
        amount=400_000_000,
        booked_on=D(2023, 8, 30),
        purpose=Purpose.HOUSE_BUILD,
        quantity=8,
        payee_name="Ủy ban MTTQ Việt Nam tỉnh Điện Biên",
        beneficiaries="8 hộ nghèo tỉnh Điện Biên",
        channel="bank",
        memo="Xây dựng nhà Đại đoàn kết cho hộ nghèo tỉnh Điện Biên",
        account=_cash(city_poor),
    )
    out.write(
        "  Sổ quỹ Đống Đa 2023: Vì biển, đảo 2.366.435.000 đ; chi Vì người nghèo "
        "1.413.860.796 đ (359 suất quà, 2 nhà Nhân ái); 200.000.000 đ ủng hộ Thành phố"
    )


def build_yagi_fund(out) -> None:
    city = Unit.objects.get(version__code=VERSION, level=1)
    name = "Quỹ Cứu trợ đồng bào bị thiệt hại do bão số 3 (Yagi) năm 2024"
    fund = Fund.objects.filter(unit=city, name=name).first()
    if fund is None:
        with transaction.atomic():
            fund = _fund(
                city,
                name,
                FundKind.RELIEF,
                D(2024, 9, 1),
                bank=("Vietcombank", "0011001932418"),
                cash=False,
            )
    account = fund.accounts.get(kind=AccountKind.BANK)
    if account.imports.exists():
        return
    path = statements_dir() / YAGI_FILE
    if not path.is_file():
        out.write(f"  (bỏ qua nhập sao kê Yagi: không có tệp {path})")
        return
    imp = importing.statement_import_run(
        actor=None, account=account, path=path, file_name=YAGI_FILE, layout_code="vcb"
    )
    counts = imp.reconciliation_counts()
    out.write(
        f"  Quỹ bão Yagi: nhập {imp.rows_read} dòng sao kê Vietcombank, {imp.receipts_created} "
        f"khoản thu ({imp.queued} chưa xác định người ủng hộ), {imp.debits} khoản chi, "
        f"{counts['reconciled']} ngày khớp số dư"
    )


def step_funds(out) -> None:
    build_dong_da_ledger(out)
    build_yagi_fund(out)
