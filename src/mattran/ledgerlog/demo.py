"""Demo: a signing key under var/ (created once, kept across demo reloads) and a signed head."""

from __future__ import annotations

from django.db import transaction

from .keys import key_create, key_path, public_key_b64, signing_key
from .services import head_sign, log_catch_up


def step_ledger_log(out) -> None:
    if not key_path().exists():
        key_create()
    with transaction.atomic():
        _, key = signing_key()
        added = log_catch_up()
        head = head_sign()
    if added:
        out.write(f"  {added} dòng sổ thêm vào sổ cái công khai")
    out.write(f"  Khóa ký {key.key_id} ({key_path()}): {public_key_b64(key)}")
    out.write(f"  Đầu cây đã ký: {head.size} lá, gốc {bytes(head.root).hex()}")
