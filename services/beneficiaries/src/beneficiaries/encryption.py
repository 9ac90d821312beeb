"""Encryption at rest of personal identifiers, and the blind index that finds duplicates.

A stored value is ``key_id:base64url(nonce || ciphertext+tag)``, AES-256-GCM with a random
96-bit nonce. The associated data is ``table/column/row id``: a ciphertext copied into another
row or column does not decrypt there. The key id travels with each value, so several keys
decrypt during a rotation while only the active one encrypts.

The blind index is HMAC-SHA256, under a key of its own, of the normalised CIN (upper case, no
spaces or dashes): equal CINs give equal indexes, and nothing about a CIN can be learnt from
it without the key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from beneficiaries.settings import Settings

NONCE_BYTES = 12
KEY_BYTES = 32
_KEY_ID = re.compile(r"^[A-Za-z0-9._-]{1,32}$")
_NOT_CIN = re.compile(r"[\s-]+")


class KeysError(ValueError):
    """Keys in the settings that cannot be used (the message names the setting)."""


class UndecryptableValue(Exception):
    """A stored value no listed key decrypts (its key was dropped, or it was tampered with)."""


@lru_cache(maxsize=16)
def _cipher(key: bytes) -> AESGCM:
    """One AESGCM per key (its key schedule is computed once, not for every value)."""
    return AESGCM(key)


def _b64decode(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def parse_keys(text: str) -> dict[str, bytes]:
    """``id:base64,id:base64`` → ``{id: key}``, in the order given."""
    keys: dict[str, bytes] = {}
    for item in (part.strip() for part in text.replace("\n", ",").split(",")):
        if not item:
            continue
        key_id, _, encoded = item.partition(":")
        if not _KEY_ID.match(key_id):
            raise KeysError(f"DATA_KEYS: key id {key_id!r}: 1-32 of A-Z a-z 0-9 . _ -")
        try:
            key = _b64decode(encoded)
        except (binascii.Error, ValueError) as exc:
            raise KeysError(f"DATA_KEYS: key '{key_id}' is not base64") from exc
        if len(key) != KEY_BYTES:
            raise KeysError(f"DATA_KEYS: key '{key_id}' must be {KEY_BYTES} bytes (AES-256)")
        if key_id in keys:
            raise KeysError(f"DATA_KEYS: key id '{key_id}' is listed twice")
        keys[key_id] = key
    if not keys:
        raise KeysError("DATA_KEYS lists no key")
    return keys


def normalised_cin(cin: str) -> str:
    return _NOT_CIN.sub("", cin).upper()


def new_key_text(key_id: str) -> str:
    """A fresh ``id:base64`` key item, for the settings."""
    return f"{key_id}:{_b64encode(os.urandom(KEY_BYTES))}"


def _development_secret(path: Path, make: str) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(make)
        tmp.chmod(0o600)
        tmp.replace(path)
    return path.read_text().strip()


@dataclass(frozen=True)
class Vault:
    """The keys of one process: encrypts, decrypts and indexes personal identifiers."""

    keys: dict[str, bytes]
    active_key_id: str
    index_key: bytes

    @classmethod
    def from_settings(cls, settings: Settings) -> Vault:
        key_dir = settings.var_dir / "keys"
        if settings.data_keys is not None:
            key_text = settings.data_keys.get_secret_value()
        elif settings.is_production:
            raise KeysError("KAFAAT_BENEFICIARIES_DATA_KEYS is required in production")
        else:
            key_text = _development_secret(
                key_dir / "beneficiaries-data.keys", new_key_text("dev1")
            )
        keys = parse_keys(key_text)
        active = settings.active_key_id or next(iter(keys))
        if active not in keys:
            raise KeysError(f"ACTIVE_KEY_ID '{active}' is not among DATA_KEYS")
        if settings.blind_index_key is not None:
            index_text = settings.blind_index_key.get_secret_value()
        elif settings.is_production:
            raise KeysError("KAFAAT_BENEFICIARIES_BLIND_INDEX_KEY is required in production")
        else:
            index_text = _development_secret(
                key_dir / "beneficiaries-blind-index.key", _b64encode(os.urandom(KEY_BYTES))
            )
        try:
            index_key = _b64decode(index_text.strip())
        except (binascii.Error, ValueError) as exc:
            raise KeysError("BLIND_INDEX_KEY is not base64") from exc
        if len(index_key) < KEY_BYTES:
            raise KeysError(f"BLIND_INDEX_KEY must be at least {KEY_BYTES} bytes")
        if any(hmac.compare_digest(index_key, key) for key in keys.values()):
            raise KeysError("BLIND_INDEX_KEY must differ from every data key")
        return cls(keys=keys, active_key_id=active, index_key=index_key)

    @staticmethod
    def _associated_data(table: str, column: str, row_id: UUID) -> bytes:
        return f"{table}/{column}/{row_id}".encode()

    def encrypt(self, value: str, *, table: str, column: str, row_id: UUID) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = _cipher(self.keys[self.active_key_id]).encrypt(
            nonce, value.encode(), self._associated_data(table, column, row_id)
        )
        return f"{self.active_key_id}:{_b64encode(nonce + sealed)}"

    def decrypt(self, stored: str, *, table: str, column: str, row_id: UUID) -> str:
        key_id, _, encoded = stored.partition(":")
        key = self.keys.get(key_id)
        if key is None:
            raise UndecryptableValue(f"no key '{key_id}' in DATA_KEYS")
        try:
            data = _b64decode(encoded)
            plain = _cipher(key).decrypt(
                data[:NONCE_BYTES],
                data[NONCE_BYTES:],
                self._associated_data(table, column, row_id),
            )
        except (InvalidTag, ValueError, binascii.Error) as exc:
            raise UndecryptableValue("value does not decrypt for its row and column") from exc
        return plain.decode()

    def seal(self, data: bytes, context: str) -> bytes:
        """Bytes encrypted under the active key for ``context`` (an upload in the database)."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = _cipher(self.keys[self.active_key_id]).encrypt(nonce, data, context.encode())
        return f"{self.active_key_id}:".encode() + nonce + sealed

    def unseal(self, data: bytes, context: str) -> bytes:
        key_id, _, rest = data.partition(b":")
        key = self.keys.get(key_id.decode(errors="replace"))
        if key is None:
            raise UndecryptableValue("no key for this value in DATA_KEYS")
        try:
            return _cipher(key).decrypt(rest[:NONCE_BYTES], rest[NONCE_BYTES:], context.encode())
        except InvalidTag as exc:
            raise UndecryptableValue("value does not decrypt for its context") from exc

    def is_current(self, stored: str) -> bool:
        """Whether ``stored`` is encrypted under the active key."""
        return stored.startswith(self.active_key_id + ":")

    def cin_index(self, cin: str) -> str:
        return hmac.new(self.index_key, normalised_cin(cin).encode(), hashlib.sha256).hexdigest()
