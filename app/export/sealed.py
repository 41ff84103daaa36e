""" "Save for the partnership": the whole record in one file only a passphrase opens.

The file holds the full record as PDF and Word, and the restore file (the full JSON export,
for `POST /api/reviews/import` on the partnership's server), zipped, then encrypted with
AES-256-GCM under a key derived from the facilitator's passphrase with scrypt. Without the
passphrase nothing in it can be read, and any change to the file is detected.

    LANTERN-SEALED-1\\n | salt (16 bytes) | nonce (12 bytes) | AES-256-GCM ciphertext and tag

`python -m app unseal FILE -o DIR` opens one (docs/venue.md).
"""

from __future__ import annotations

import io
import os
import zipfile
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC: Final = b"LANTERN-SEALED-1\n"
SALT_BYTES: Final = 16
NONCE_BYTES: Final = 12
# scrypt's cost: about 32 MiB and a fraction of a second, for each try at a passphrase.
SCRYPT_N: Final = 2**15
SCRYPT_R: Final = 8
SCRYPT_P: Final = 1
MIN_PASSPHRASE: Final = 10
# What the restore file is called inside; the rest are named by the record.
RESTORE_NAME: Final = "restore-this-review.json"
SUFFIX: Final = ".lantern"


class SealError(ValueError):
    """The file is not a sealed record, or the passphrase does not open it."""


def _key(passphrase: str, salt: bytes) -> bytes:
    kdf = Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return kdf.derive(passphrase.encode("utf-8"))


def seal(files: dict[str, bytes], passphrase: str) -> bytes:
    """These files, zipped and encrypted under the passphrase."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise SealError(f"The passphrase must be at least {MIN_PASSPHRASE} characters.")
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
    sealed = AESGCM(_key(passphrase, salt)).encrypt(nonce, packed.getvalue(), MAGIC)
    return MAGIC + salt + nonce + sealed


def unseal(blob: bytes, passphrase: str) -> dict[str, bytes]:
    """The files in a sealed record; SealError for a wrong passphrase or a changed file."""
    head = len(MAGIC) + SALT_BYTES + NONCE_BYTES
    if not blob.startswith(MAGIC) or len(blob) <= head:
        raise SealError("This is not a record saved by Lantern for the partnership.")
    salt = blob[len(MAGIC) : len(MAGIC) + SALT_BYTES]
    nonce = blob[len(MAGIC) + SALT_BYTES : head]
    try:
        packed = AESGCM(_key(passphrase, salt)).decrypt(nonce, blob[head:], MAGIC)
    except InvalidTag:
        raise SealError(
            "That passphrase does not open this file (or the file was changed since it was saved)."
        ) from None
    with zipfile.ZipFile(io.BytesIO(packed)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
