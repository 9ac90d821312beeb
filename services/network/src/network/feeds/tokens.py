"""Feed tokens: derived from a row's nonce with the service's feed secret, stored as a hash.

``token = base64url(HMAC-SHA256(secret, nonce))``. The database keeps the nonce and the token's
SHA-256; the token can be shown again (the feed URL in a network's record) only by the service,
which holds the secret. Changing the secret revokes every feed at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

SECRET_FILE = "calendar-feed.secret"


@dataclass(frozen=True)
class FeedSigner:
    secret: bytes

    def token(self, nonce: str) -> str:
        digest = hmac.new(self.secret, nonce.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    @staticmethod
    def new_nonce() -> str:
        return secrets.token_hex(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def matches(token: str, stored_hash: str | None) -> bool:
    """Whether ``token`` is the one whose hash is stored, in constant time."""
    return stored_hash is not None and hmac.compare_digest(token_hash(token), stored_hash)


def development_secret(var_dir: Path) -> bytes:
    """The development feed secret under ``var_dir/keys``, created on first use (only for the
    embedded default: production reads it from settings)."""
    path = var_dir / "keys" / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(secrets.token_hex(32))
        tmp.chmod(0o600)
        tmp.replace(path)
    return path.read_text().strip().encode()


def signer_for(secret: SecretStr | None, var_dir: Path) -> FeedSigner:
    if secret is not None:
        return FeedSigner(secret.get_secret_value().encode())
    return FeedSigner(development_secret(var_dir))
