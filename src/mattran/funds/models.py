"""Funds, their accounts, the append-only ledger, transfers, vouchers and bank statements.

The ledger (`LedgerEntry`) is append-only: the database itself refuses UPDATE
and DELETE on its rows (triggers created in migration 0002 for PostgreSQL and
SQLite). A mistake is corrected with a reversing entry that names the entry it
reverses (at most one reversal per entry, enforced by a one-to-one column).
Amounts are whole đồng, always positive; the entry kind gives the direction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class FundKind(models.TextChoices):
    POOR = "poor", "Quỹ Vì người nghèo"
    SEA_ISLANDS = "sea_islands", "Quỹ Vì biển, đảo Việt Nam"
    RELIEF = "relief", "Quỹ Cứu trợ"
    CAMPAIGN = "campaign", "Quỹ vận động theo đợt"


class Fund(models.Model):
    unit = models.ForeignKey(
        "units.Unit", verbose_name="đơn vị", on_delete=models.PROTECT, related_name="funds"
    )
    name = models.CharField("tên quỹ", max_length=200)
    kind = models.CharField("loại quỹ", max_length=20, choices=FundKind.choices)
    opened_on = models.DateField("ngày mở")
    closed_on = models.DateField("ngày đóng", null=True, blank=True)
    description = models.TextField("mô tả", blank=True)
    is_public = models.BooleanField(
        "công khai", default=True, help_text="Hiện trên trang tra cứu và công khai quỹ."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "quỹ"
        verbose_name_plural = "quỹ"
        ordering = ["unit__path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="fund_name_unique_in_unit"),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="fund_closed_after_opened",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} – {self.unit.name}" if self.unit_id else self.name


class AccountKind(models.TextChoices):
    BANK = "bank", "Tài khoản ngân hàng"
    CASH = "cash", "Tiền mặt"


class FundAccount(models.Model):
    fund = models.ForeignKey(
        Fund, verbose_name="quỹ", on_delete=models.PROTECT, related_name="accounts"
    )
    kind = models.CharField("loại", max_length=10, choices=AccountKind.choices)
    bank_name = models.CharField("ngân hàng", max_length=100, blank=True)
    account_number = models.CharField("số tài khoản", max_length=40, blank=True)
    account_name = models.CharField("tên tài khoản", max_length=200, blank=True)

    class Meta:
        verbose_name = "tài khoản quỹ"
        verbose_name_plural = "tài khoản quỹ"
        ordering = ["fund", "kind", "bank_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["bank_name", "account_number"],
                condition=Q(kind="bank"),
                name="fund_account_bank_number_unique",
            ),
            models.UniqueConstraint(
                fields=["fund"], condition=Q(kind="cash"), name="fund_account_one_cash"
            ),
            models.CheckConstraint(
                condition=Q(kind="cash") | ~Q(account_number=""),
                name="fund_account_bank_has_number",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == AccountKind.CASH:
            return "Tiền mặt"
        return f"{self.bank_name} {self.account_number}"


class EntryKind(models.TextChoices):
    RECEIPT = "receipt", "Thu"
    DISBURSEMENT = "disbursement", "Chi"
    TRANSFER_OUT = "transfer_out", "Chuyển đi"
    TRANSFER_IN = "transfer_in", "Nhận chuyển đến"
    REVERSAL = "reversal", "Bút toán đảo"
    # the bank account's balance when the fund started keeping its book (at most one per
    # account): part of the balance, never money received in a period
    OPENING = "opening", "Số dư đầu kỳ"


# Sign of each kind in a fund's balance; a reversal takes the opposite sign of
# the entry it reverses (stored on the row as `sign`, so balances are one SUM).
INFLOW_KINDS = (EntryKind.RECEIPT, EntryKind.TRANSFER_IN)
OUTFLOW_KINDS = (EntryKind.DISBURSEMENT, EntryKind.TRANSFER_OUT)


class Purpose(models.TextChoices):
    GIFTS = "gifts", "Tặng quà (suất quà)"
    HOUSE_BUILD = "house_build", "Xây nhà Đại đoàn kết"
    HOUSE_REPAIR = "house_repair", "Sửa chữa nhà Nhân ái / Đại đoàn kết"
    SCHOLARSHIPS = "scholarships", "Học bổng"
    MEDICAL = "medical", "Hỗ trợ khám chữa bệnh"
    ZERO_MARKET = "zero_market", "Phiên chợ 0 đồng"
    RELIEF = "relief", "Cứu trợ"
    BANK_FEE = "bank_fee", "Phí ngân hàng"
    OTHER = "other", "Chi khác"
    # a bank debit booked at import until an accountant classifies it (LedgerAnnotation)
    UNCLASSIFIED = "unclassified", "Chưa phân loại"


UNKNOWN_DONOR = "người ủng hộ chưa xác định"


class PartyKind(models.TextChoices):
    PERSON = "person", "Cá nhân"
    ORGANISATION = "organisation", "Tổ chức"
    UNKNOWN = "unknown", "Không rõ"


class Channel(models.TextChoices):
    BANK = "bank", "Chuyển khoản"
    CASH = "cash", "Tiền mặt"
    OTHER = "other", "Khác"


class VoucherSeries(models.TextChoices):
    RECEIPT = "PT", "Phiếu thu"
    PAYMENT = "PC", "Phiếu chi"


class LedgerEntry(models.Model):
    """One immutable movement of money in a fund."""

    # The references of a statement import's rows (fund, account, statement line) are
    # checked by statement-level triggers, one set-based check per INSERT, not by
    # foreign keys (a check per row): migration 0015, funds.db.reference_checks_sql.
    # indexed by ledger_fund_day (fund_id is its first column)
    fund = models.ForeignKey(
        Fund,
        verbose_name="quỹ",
        on_delete=models.PROTECT,
        related_name="entries",
        db_index=False,
        db_constraint=False,
    )
    account = models.ForeignKey(
        FundAccount,
        verbose_name="tài khoản",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        db_constraint=False,
    )
    kind = models.CharField("loại", max_length=20, choices=EntryKind.choices)
    sign = models.SmallIntegerField("chiều", editable=False)  # +1 in, -1 out
    amount = models.BigIntegerField("số tiền (đồng)")
    booked_on = models.DateField("ngày ghi sổ")
    party_name = models.CharField("người nộp / người nhận", max_length=200, blank=True)
    party_kind = models.CharField(
        "cá nhân / tổ chức", max_length=20, choices=PartyKind.choices, default=PartyKind.UNKNOWN
    )
    channel = models.CharField(
        "hình thức", max_length=10, choices=Channel.choices, default=Channel.BANK
    )
    reference = models.CharField("số tham chiếu", max_length=100, blank=True)
    memo = models.TextField("nội dung", blank=True)
    # fold(party name + masked memo + reference): what the public lookup searches.
    search_key = models.TextField(editable=False, blank=True)
    party_key = models.CharField(max_length=200, editable=False, blank=True)
    purpose = models.CharField("mục đích chi", max_length=20, choices=Purpose.choices, blank=True)
    beneficiaries = models.TextField("người / hộ được hỗ trợ", blank=True)
    quantity = models.PositiveIntegerField("số lượng (suất, nhà, …)", null=True, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name="đảo bút toán",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )
    transfer = models.ForeignKey(
        "Transfer",
        verbose_name="điều chuyển",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        db_index=False,  # ledger_transfer: only the rows that have one
    )
    statement_line = models.OneToOneField(
        "StatementLine",
        verbose_name="dòng sao kê",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entry",
        db_constraint=False,
    )
    voucher_series = models.CharField(
        "loại chứng từ", max_length=2, choices=VoucherSeries.choices, blank=True
    )
    voucher_year = models.PositiveSmallIntegerField("năm chứng từ", null=True, blank=True)
    voucher_number = models.PositiveIntegerField("số chứng từ", null=True, blank=True)
    # not indexed: nothing looks entries up by their author (a user is deactivated,
    # not deleted; deleting one scans the ledger once)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người ghi",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField("thời điểm ghi", auto_now_add=True)

    class Meta:
        verbose_name = "bút toán quỹ"
        verbose_name_plural = "sổ quỹ"
        ordering = ["booked_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_amount_positive"),
            models.CheckConstraint(condition=Q(sign__in=[1, -1]), name="ledger_sign_valid"),
            models.CheckConstraint(
                condition=Q(kind="reversal", reverses__isnull=False)
                | (~Q(kind="reversal") & Q(reverses__isnull=True)),
                name="ledger_reversal_names_entry",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["receipt", "transfer_in", "opening"], sign=1)
                    | Q(kind__in=["disbursement", "transfer_out"], sign=-1)
                    | Q(kind="reversal")
                ),
                name="ledger_sign_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind="disbursement") | Q(purpose=""),
                name="ledger_purpose_only_on_disbursement",
            ),
            models.CheckConstraint(
                condition=~Q(kind="disbursement") | ~Q(purpose=""),
                name="ledger_disbursement_has_purpose",
            ),
            models.UniqueConstraint(
                fields=["account"], condition=Q(kind="opening"), name="ledger_one_opening"
            ),
            models.UniqueConstraint(
                fields=["fund", "voucher_series", "voucher_year", "voucher_number"],
                condition=Q(voucher_number__isnull=False),
                name="ledger_voucher_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["fund", "booked_on"], name="ledger_fund_day"),
            models.Index(fields=["booked_on"], name="ledger_day"),
            # amount (and date) lookups newest first: one index range, no sort
            models.Index(fields=["amount", "-booked_on", "-id"], name="ledger_amount_day"),
            models.Index(fields=["reference"], name="ledger_reference"),
            # one b-tree (no LIKE twin): equality only (benchmarks/funds_lookup.py)
            models.Index(fields=["party_key"], name="ledger_party_key"),
            # the few entries of transfers; an import writes none of these index rows
            models.Index(
                fields=["transfer"], name="ledger_transfer", condition=Q(transfer__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        label = self.voucher_code or f"#{self.pk}"
        return f"{label} {self.get_kind_display()} {self.amount:,} đ".replace(",", ".")

    @property
    def voucher_code(self) -> str:
        """ "PT-2023-0001" / "PC-2023-0012", or "" for entries without a voucher."""
        if not self.voucher_number:
            return ""
        return f"{self.voucher_series}-{self.voucher_year}-{self.voucher_number:04d}"

    @property
    def signed_amount(self) -> int:
        return self.sign * self.amount


class VoucherCounter(models.Model):
    """The last voucher number used per fund, series and year (locked to allocate)."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    series = models.CharField(max_length=2, choices=VoucherSeries.choices)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "series", "year"], name="voucher_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.series}-{self.year}: {self.last_number}"


class TransferStatus(models.TextChoices):
    PENDING = "pending", "Chờ bên nhận xác nhận"
    CONFIRMED = "confirmed", "Đã nhận"
    CANCELLED = "cancelled", "Bên chuyển đã hủy"


class Transfer(models.Model):
    """Money sent from one unit's fund to another's; the receiving unit confirms it.

    Sending books a transfer_out in the sender's fund at once; confirming books
    the transfer_in in the receiver's fund. Until then the receiver's balance
    does not include it. The sender may cancel a pending transfer (a reversal
    of its transfer_out, audited); a confirmed one that was a mistake is undone
    by a return transfer the other way, linked to it by `returns`.
    """

    from_fund = models.ForeignKey(
        Fund, verbose_name="quỹ chuyển", on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_fund = models.ForeignKey(
        Fund, verbose_name="quỹ nhận", on_delete=models.PROTECT, related_name="transfers_in"
    )
    amount = models.BigIntegerField("số tiền (đồng)")
    sent_on = models.DateField("ngày chuyển")
    purpose_text = models.CharField("nội dung", max_length=300)
    # What the money is for, as the report sentence says it after the amount:
    # "ủng hộ Thành phố 200.000.000 đồng {purpose}".
    purpose = models.CharField("mục đích (ghi trong báo cáo)", max_length=300, blank=True)
    returns = models.ForeignKey(
        "self",
        verbose_name="chuyển trả cho khoản",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="returned_by",
    )
    status = models.CharField(
        "trạng thái", max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    received_on = models.DateField("ngày nhận", null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_on = models.DateField("ngày hủy", null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField("lý do hủy", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "điều chuyển quỹ"
        verbose_name_plural = "điều chuyển quỹ"
        ordering = ["-sent_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="transfer_amount_positive"),
            models.CheckConstraint(
                condition=~Q(from_fund=models.F("to_fund")), name="transfer_not_same_fund"
            ),
        ]

    def __str__(self) -> str:
        return f"Điều chuyển {self.amount:,} đ".replace(",", ".")


# --------------------------------------------------------------------- statements


class ImportStatus(models.TextChoices):
    RUNNING = "running", "Đang nhập"
    DONE = "done", "Hoàn thành"
    FAILED = "failed", "Lỗi, không ghi dữ liệu"


class StatementImport(models.Model):
    """One statement file imported into a fund's bank account, with its reconciliation."""

    account = models.ForeignKey(
        FundAccount, verbose_name="tài khoản", on_delete=models.PROTECT, related_name="imports"
    )
    layout = models.CharField("mẫu sao kê", max_length=40)
    mapping = models.JSONField("ánh xạ cột", null=True, blank=True)
    file_name = models.CharField("tệp", max_length=255)
    file_sha256 = models.CharField(max_length=64)
    stored_path = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        "trạng thái", max_length=10, choices=ImportStatus.choices, default=ImportStatus.RUNNING
    )
    rows_read = models.PositiveIntegerField("số dòng đọc", default=0)
    lines_created = models.PositiveIntegerField("dòng mới", default=0)
    duplicates_skipped = models.PositiveIntegerField("dòng trùng bỏ qua", default=0)
    receipts_created = models.PositiveIntegerField("khoản thu đã ghi", default=0)
    receipts_amount = models.BigIntegerField("tổng thu đã ghi", default=0)
    # receipts booked without a donor name (người ủng hộ chưa xác định)
    queued = models.PositiveIntegerField("chưa xác định người ủng hộ", default=0)
    queued_amount = models.BigIntegerField(default=0)
    debits = models.PositiveIntegerField("khoản chi đã ghi (dòng ghi nợ)", default=0)
    debits_amount = models.BigIntegerField(default=0)
    reconciliation = models.JSONField("đối chiếu số dư", default=list)
    error = models.TextField("lỗi", blank=True)
    job = models.ForeignKey(
        "core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "lần nhập sao kê"
        verbose_name_plural = "nhập sao kê"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%d/%m/%Y})"

    def reconciliation_counts(self) -> dict[str, int]:
        counts = {"reconciled": 0, "gap": 0, "unverifiable": 0}
        for day in self.reconciliation or []:
            counts[day["status"]] = counts.get(day["status"], 0) + 1
        return counts


class LineStatus(models.TextChoices):
    """Every line is booked at import (a credit as a receipt, a debit as a payment).

    QUEUED and DEBIT are the states of lines imported before that rule (kept
    unbooked); migration 0005 booked them.
    """

    RECEIPT = "receipt", "Đã ghi thu"
    QUEUED = "queued", "Chờ xác định người ủng hộ (cũ)"
    DEBIT = "debit", "Ghi nợ chưa ghi chi (cũ)"
    BOOKED_DEBIT = "booked_debit", "Ghi nợ đã ghi chi"


class StatementLine(models.Model):
    """A bank statement row, kept once per account (dedup by fingerprint + occurrence)."""

    # no index of its own: the (account, ...) indexes below start with it. Both
    # references checked set-based by triggers, as the ledger's (migration 0015).
    account = models.ForeignKey(
        FundAccount,
        on_delete=models.PROTECT,
        related_name="statement_lines",
        db_index=False,
        db_constraint=False,
    )
    statement_import = models.ForeignKey(
        StatementImport, on_delete=models.PROTECT, related_name="lines", db_constraint=False
    )
    fingerprint = models.CharField(max_length=80)
    row_number = models.PositiveIntegerField("dòng trong tệp")
    booked_on = models.DateField("ngày giao dịch")
    booked_at = models.TimeField("giờ", null=True, blank=True)
    doc_no = models.CharField("số chứng từ", max_length=100, blank=True)
    reference = models.CharField("số tham chiếu", max_length=100, blank=True)
    debit = models.BigIntegerField("ghi nợ", default=0)
    credit = models.BigIntegerField("ghi có", default=0)
    balance = models.BigIntegerField("số dư", null=True, blank=True)
    memo = models.TextField("nội dung")
    counterparty = models.CharField("đối ứng", max_length=300, blank=True)
    donor_guess = models.CharField("tên người chuyển (đọc từ nội dung)", max_length=200, blank=True)
    status = models.CharField("xử lý", max_length=20, choices=LineStatus.choices)

    class Meta:
        verbose_name = "dòng sao kê"
        verbose_name_plural = "dòng sao kê"
        ordering = ["booked_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "fingerprint"], name="statement_line_unique_fingerprint"
            ),
            models.CheckConstraint(
                condition=Q(debit__gte=0, credit__gte=0), name="statement_line_amounts_not_negative"
            ),
        ]
        indexes = [
            # the days an account has lines on (the import looks for duplicates on those only)
            models.Index(fields=["account", "booked_on"], name="statement_line_day"),
        ]

    def __str__(self) -> str:
        return f"{self.booked_on:%d/%m/%Y} dòng {self.row_number}"


# ------------------------------------------------------------------- annotations


class AnnotationKind(models.TextChoices):
    IDENTIFY = "identify", "Xác định người ủng hộ"
    CLASSIFY = "classify", "Phân loại khoản chi"


class LedgerAnnotation(models.Model):
    """What a person learned later about a ledger entry: who the donor was, what a payment was for.

    Append-only like the ledger (the database refuses UPDATE and DELETE, migration
    0005): it never changes an amount and is never a reversal. An entry may carry
    several annotations of a kind; the newest one counts (a correction is a new
    annotation). `identify` names the donor of a receipt; `classify` gives the
    purpose of a payment booked "chưa phân loại".
    """

    entry = models.ForeignKey(
        LedgerEntry, verbose_name="bút toán", on_delete=models.PROTECT, related_name="annotations"
    )
    kind = models.CharField("loại ghi chú", max_length=10, choices=AnnotationKind.choices)
    donor_name = models.CharField("người ủng hộ", max_length=200, blank=True)
    donor_kind = models.CharField(
        "cá nhân / tổ chức", max_length=20, choices=PartyKind.choices, blank=True
    )
    purpose = models.CharField("mục đích chi", max_length=20, choices=Purpose.choices, blank=True)
    note = models.TextField("ghi chú", blank=True)
    # fold(donor name) padded with spaces, as LedgerEntry.search_key: the lookup searches it
    name_key = models.CharField(max_length=220, editable=False, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người ghi",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("thời điểm ghi", auto_now_add=True)

    class Meta:
        verbose_name = "ghi chú bút toán"
        verbose_name_plural = "ghi chú bút toán"
        ordering = ["entry", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="identify", purpose="") & ~Q(donor_name="")
                | Q(kind="classify", donor_name="") & ~Q(purpose=""),
                name="ledger_annotation_kind_fields",
            ),
        ]
        indexes = [models.Index(fields=["entry", "kind"], name="ledger_annotation_entry")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.entry_id}"


class LookupTerm(models.Model):
    """A posting list of the public lookup: the receipts of one day having one word.

    One word (3+ characters, folded) of the donor name or memo of receipts
    (or of a donor name given later by an annotation), the day, and the ids
    of that day's receipts having it, newest first, with their number `n`.
    Written by database triggers on PostgreSQL (migration 0011: a
    statement-level trigger on each insert into the ledger and into the
    annotations): one row per (term, day) of each insert statement, so a bulk
    import of a million lines writes a few thousand rows, and a receipt entered
    by hand one row per word. The index (term COLLATE "C", booked_on DESC)
    INCLUDE (n) hands the lookup a word's newest days first: "nguyen" over 20
    million receipts reads one or two rows for its first page.
    Adjacent word pairs of the same keys are terms too ("~pham thi", migration
    0013; `~` sorts after every word): a phrase's rarest pairs drive the lookup
    of a full name made of common words.

    Derived search machinery, never read by Django's ORM: the table's shape is
    PostgreSQL's (entry_ids is bigint[]); SQLite keeps the older, empty table
    and searches `search_key` with LIKE. Not managed by Django (migration 0011).
    """

    term = models.CharField(max_length=100)
    booked_on = models.DateField()
    n = models.IntegerField()  # len(entry_ids)
    # entry_ids bigint[] (PostgreSQL only; see the docstring)

    class Meta:
        managed = False

    def __str__(self) -> str:
        return f"{self.term} {self.booked_on} ({self.n})"
