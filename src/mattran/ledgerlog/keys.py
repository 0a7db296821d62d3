"""The Ed25519 key that signs tree heads: a file outside the database, its public half in it.

The private key lives in settings.LEDGER_KEY_FILE (MATTRAN_LEDGER_KEY_FILE;
default $MATTRAN_DATA_DIR/ledger-signing-key.pem), PKCS#8 PEM, mode 0600.
Rotation writes a new key, keeps the old file beside it (renamed
*.retired-<key id>.pem) and stores the new public key with an endorsement:
the old key's signature over the new public key, so a verifier that trusted
the old key can follow the change.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from mattran.core.errors import UserFacingError

from .models import SigningKey
from .verifier import key_endorsement_message, key_id


def key_path() -> Path:
    return Path(settings.LEDGER_KEY_FILE)


def public_bytes(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def _read(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise UserFacingError(f"Không đọc được tệp khóa ký sổ {path}: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise UserFacingError(f"Tệp {path} không phải khóa Ed25519.")
    return key


def _write(path: Path, key: Ed25519PrivateKey) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def signing_key() -> tuple[Ed25519PrivateKey, SigningKey]:
    """The private key from its file and its row (registered on first use of a new log)."""
    path = key_path()
    if not path.exists():
        raise UserFacingError(
            f"Chưa có khóa ký sổ ({path}); tạo bằng lệnh: mattran ledger_key --create"
        )
    private = _read(path)
    pub = public_bytes(private)
    row = SigningKey.objects.filter(key_id=key_id(pub)).first()
    if row is None:
        if SigningKey.objects.exists():
            raise UserFacingError(
                f"Khóa trong {path} không phải khóa đã công bố của sổ; "
                "hãy dùng lại khóa cũ hoặc đổi khóa bằng mattran ledger_key --rotate."
            )
        row = SigningKey.objects.create(key_id=key_id(pub), public_key=pub)
    if row.retired_at is not None:
        raise UserFacingError(f"Khóa {row.key_id} đã thôi dùng; tệp {path} là khóa cũ.")
    return private, row


@transaction.atomic
def key_create(*, rotate: bool = False) -> SigningKey:
    path = key_path()
    previous: tuple[Ed25519PrivateKey, SigningKey] | None = None
    if path.exists():
        if not rotate:
            raise UserFacingError(f"Đã có khóa ký sổ {path}; muốn đổi khóa hãy dùng --rotate.")
        previous = signing_key()
    elif rotate and SigningKey.objects.exists():
        raise UserFacingError(f"Không thấy khóa hiện tại {path} để xác nhận khóa mới.")
    new = Ed25519PrivateKey.generate()
    pub = public_bytes(new)
    endorsement = b""
    if previous is not None:
        old_private, old_row = previous
        endorsement = old_private.sign(key_endorsement_message(pub))
        old_row.retired_at = timezone.now()
        old_row.save(update_fields=["retired_at"])
        os.replace(path, path.with_name(f"{path.stem}.retired-{old_row.key_id}{path.suffix}"))
    row = SigningKey.objects.create(key_id=key_id(pub), public_key=pub, endorsement=endorsement)
    _write(path, new)
    return row


def public_key_b64(row: SigningKey) -> str:
    return base64.b64encode(bytes(row.public_key)).decode()
