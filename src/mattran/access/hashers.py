"""Password hashing that does not depend on the keyboard's Unicode form.

A Vietnamese passphrase ("Mặt trận quê tôi") can reach the server precomposed
(NFC, most keyboards) or decomposed (NFD: some macOS/iOS input methods, text
pasted from some editors). Without normalisation the same password typed on two
devices gives two different hashes and the user is locked out on one of them.
The hasher normalises to NFC before hashing and when checking.

It keeps Django's algorithm name, so hashes made before it was installed still
verify: if the NFC form does not match, the password exactly as typed is tried
(a hash created from decomposed input before normalisation existed).
"""

from __future__ import annotations

import unicodedata

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.utils.crypto import constant_time_compare


def nfc(password: str) -> str:
    """Only the Unicode form changes: spaces in a password are part of it."""
    return unicodedata.normalize("NFC", password)


class NFCPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    def encode(self, password, salt, iterations=None):
        return super().encode(nfc(password), salt, iterations)

    def verify(self, password, encoded):
        decoded = self.decode(encoded)
        # NFC first; then the password as typed, hashed without normalising.
        candidates = [nfc(password)] + ([password] if password != nfc(password) else [])
        return any(
            constant_time_compare(
                encoded,
                PBKDF2PasswordHasher.encode(self, c, decoded["salt"], decoded["iterations"]),
            )
            for c in candidates
        )
