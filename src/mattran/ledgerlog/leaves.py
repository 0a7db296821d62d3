"""The canonical leaf of each public ledger line (documented in docs/ledger-log.md).

A leaf holds the line's public fields only: no account number, no raw bank
reference (its SHA-256 instead), the memo masked with core.vietnamese
mask_personal. The bytes are verifier.canonical_bytes(leaf): sorted keys,
no whitespace, UTF-8 (RFC 8785 for these value types).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring
from typing import Any

from mattran.core.vietnamese import mask_personal
from mattran.funds.models import LedgerEntry

from .models import LeafSource

LEAF_VERSION = 1

ENTRY_FIELDS = (
    "id",
    "fund_id",
    "booked_on",
    "amount",
    "sign",
    "kind",
    "purpose",
    "party_name",
    "memo",
    "reference",
    "reverses_id",
    "voucher_series",
    "voucher_year",
    "voucher_number",
)


def reference_hash(reference: str) -> str:
    return hashlib.sha256(reference.encode()).hexdigest() if reference else ""


def entry_leaf(row: dict[str, Any], memo: str | None = None) -> dict[str, Any]:
    """The leaf of one ledger entry, from a dict of ENTRY_FIELDS.

    `memo`: the masked memo committed when the entry was logged (LogLeaf.memo);
    None when logging it now (masked with today's rules).
    """
    number = row["voucher_number"]
    return {
        "v": LEAF_VERSION,
        "type": "entry",
        "id": row["id"],
        "fund": row["fund_id"],
        "date": row["booked_on"].isoformat(),
        "amount": row["amount"],
        "sign": row["sign"],
        "kind": row["kind"],
        "purpose": row["purpose"],
        "party": row["party_name"],
        "memo": mask_personal(row["memo"]) if memo is None else memo,
        "ref_sha256": reference_hash(row["reference"]),
        "reverses": row["reverses_id"],
        "voucher": (
            f"{row['voucher_series']}-{row['voucher_year']}-{number:04d}" if number else ""
        ),
    }


def entry_leaf_bytes(leaf: dict[str, Any]) -> bytes:
    """verifier.canonical_bytes(leaf) for an entry leaf, several times faster (the import's path).

    The same string escaping as json.dumps(ensure_ascii=False) (the same
    function), the keys written in sorted order; tests check equality.
    """
    s = encode_basestring
    reverses = "null" if leaf["reverses"] is None else int(leaf["reverses"])
    return (
        f'{{"amount":{int(leaf["amount"])},"date":{s(leaf["date"])},"fund":{int(leaf["fund"])},'
        f'"id":{int(leaf["id"])},"kind":{s(leaf["kind"])},"memo":{s(leaf["memo"])},'
        f'"party":{s(leaf["party"])},"purpose":{s(leaf["purpose"])},'
        f'"ref_sha256":{s(leaf["ref_sha256"])},"reverses":{reverses},"sign":{int(leaf["sign"])},'
        f'"type":"entry","v":{int(leaf["v"])},"voucher":{s(leaf["voucher"])}}}'
    ).encode()


def entry_rows(ids: Iterable[int]) -> Iterator[dict[str, Any]]:
    ids = list(ids)
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        yield from LedgerEntry.objects.filter(pk__in=chunk).order_by("pk").values(*ENTRY_FIELDS)


def annotation_leaf(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "v": LEAF_VERSION,
        "type": "annotation",
        "id": row["id"],
        "annotates": row["entry_id"],
        "kind": row["kind"],
        "donor": row["donor_name"],
        "purpose": row["purpose"],
    }


def annotation_model():
    """funds.LedgerAnnotation (issue 9), or None while it does not exist."""
    from django.apps import apps

    try:
        return apps.get_model("funds", "LedgerAnnotation")
    except LookupError:
        return None


ANNOTATION_FIELDS = ("id", "entry_id", "kind", "donor_name", "purpose")


def leaves_for(
    sources: list[tuple[int, int]], memos: dict[int, str] | None = None
) -> dict[tuple[int, int], dict[str, Any] | None]:
    """The current leaf of each logged (source, source_id); None when its row is gone.

    `memos`: the committed memos of the entries by id (LogLeaf.memo), read here
    when not given.
    """
    from .models import LogLeaf

    out: dict[tuple[int, int], dict[str, Any] | None] = dict.fromkeys(sources)
    entry_ids = [i for s, i in sources if s == LeafSource.ENTRY]
    if memos is None:
        memos = dict(
            LogLeaf.objects.filter(source=LeafSource.ENTRY, source_id__in=entry_ids).values_list(
                "source_id", "memo"
            )
        )
    for row in LedgerEntry.objects.filter(pk__in=entry_ids).values(*ENTRY_FIELDS):
        out[(LeafSource.ENTRY, row["id"])] = entry_leaf(row, memos.get(row["id"], ""))
    annotation_ids = [i for s, i in sources if s == LeafSource.ANNOTATION]
    model = annotation_model()
    if annotation_ids and model is not None:
        for row in model.objects.filter(pk__in=annotation_ids).values(*ANNOTATION_FIELDS):
            out[(LeafSource.ANNOTATION, row["id"])] = annotation_leaf(row)
    return out


def entry_leaf_hash_sql(entry: str, memo: str) -> str:
    """SQL (PostgreSQL) of an entry leaf's hash, SHA-256(0x00 || canonical bytes).

    `entry` is the alias of a funds_ledgerentry row, `memo` an SQL expression
    of its masked memo. Builds the same bytes as entry_leaf_bytes(entry_leaf(row,
    memo)): to_json(text) escapes exactly as json's encode_basestring with
    ensure_ascii=False (quote, backslash, \\b \\f \\n \\r \\t by name, other
    characters below U+0020 as \\u00xx, everything else as is); tests compare
    both on the samples and on generated text. Used for a whole import at
    once (ledgerlog.services.log_staged).
    """

    def text(expr: str) -> str:
        return f"to_json({expr}::text)::text"

    e = entry
    number = f"{e}.voucher_number"
    voucher = (
        f"CASE WHEN coalesce({number}, 0) = 0 THEN '' ELSE {e}.voucher_series || '-' || "
        f"{e}.voucher_year || '-' || CASE WHEN {number} >= 10000 THEN {number}::text "
        f"ELSE lpad({number}::text, 4, '0') END END"
    )
    ref = (
        f"CASE WHEN {e}.reference = '' THEN '' "
        f"ELSE encode(sha256(convert_to({e}.reference, 'UTF8')), 'hex') END"
    )
    parts = [
        f"""'{{"amount":' || {e}.amount""",
        f"""',"date":"' || to_char({e}.booked_on, 'YYYY-MM-DD')""",
        f"""'","fund":' || {e}.fund_id""",
        f"""',"id":' || {e}.id""",
        f"""',"kind":' || {text(f"{e}.kind")}""",
        f"""',"memo":' || {text(memo)}""",
        f"""',"party":' || {text(f"{e}.party_name")}""",
        f"""',"purpose":' || {text(f"{e}.purpose")}""",
        f"""',"ref_sha256":"' || {ref}""",
        f"""'","reverses":' || coalesce({e}.reverses_id::text, 'null')""",
        f"""',"sign":' || {e}.sign""",
        f"""',"type":"entry","v":{LEAF_VERSION},"voucher":' || {text(voucher)}""",
        "'}'",
    ]
    return f"sha256('\\x00'::bytea || convert_to({' || '.join(parts)}, 'UTF8'))"
