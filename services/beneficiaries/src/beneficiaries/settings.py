from __future__ import annotations

from typing import Self

from pydantic import AnyHttpUrl, Field, SecretStr, model_validator

from shared.settings import JobWorkerSettings, PeerCallerSettings, service_config


class Settings(PeerCallerSettings, JobWorkerSettings):
    """Settings of the beneficiaries service, from ``KAFAAT_BENEFICIARIES_*`` variables."""

    model_config = service_config("KAFAAT_BENEFICIARIES_")

    # The offers service, where a referral reserves a seat for its counsellor (with this
    # service's own key, PEER_TOKEN_PRIVATE_KEY; offers lists its public key in its PEERS).
    offers_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8001")
    # Pending referrals (stored, their seat not yet confirmed) are settled by a worker: once
    # older than ``referral_settle_after_seconds`` (longer than a request waits for offers),
    # retried every ``referral_retry_seconds`` while offers is away, and given up (their seat
    # released) after ``referral_give_up_seconds``.
    referral_settle_after_seconds: float = Field(default=15.0, ge=0, le=600)
    referral_retry_seconds: float = Field(default=5.0, gt=0, le=600)
    referral_give_up_seconds: float = Field(default=3600.0, gt=0, le=7 * 86_400)
    # Referrals this process settles at once (0: it leaves them to the other replicas).
    referral_workers: int = Field(default=4, ge=0, le=64)
    # Intake jobs (bulk files of people) this process runs at once (0: it queues them but
    # leaves them to the other replicas).
    intake_workers: int = Field(default=1, ge=0, le=16)
    # How often the statistics' rollup is brought up to date between reads (0: only by the
    # reads themselves, which always build what a write left stale first).
    stats_refresh_seconds: float = Field(default=5.0, ge=0, le=3600)

    # The AES-256-GCM keys of personal identifiers (cin, phone): ``id:base64`` items separated
    # by commas, e.g. ``2026b:…,2026a:…``. The active key encrypts; every listed key decrypts,
    # so a rotation adds a key, makes it active, runs ``kafaat-beneficiaries rotate-keys``,
    # then drops the old one. Generated under ``var_dir/keys`` outside production.
    data_keys: SecretStr | None = None
    # The id of the key that encrypts (default: the first of ``data_keys``).
    active_key_id: str | None = None
    # The HMAC-SHA256 key (base64, 32 bytes or more) of the CIN blind index. Never rotated by
    # rotate-keys: changing it means recomputing every index from the decrypted CINs.
    blind_index_key: SecretStr | None = None

    @model_validator(mode="after")
    def _require_data_keys_in_production(self) -> Self:
        if self.is_production:
            missing = [
                name
                for name, value in (
                    ("DATA_KEYS", self.data_keys),
                    ("BLIND_INDEX_KEY", self.blind_index_key),
                )
                if value is None
            ]
            if missing:
                names = " and ".join(f"KAFAAT_BENEFICIARIES_{name}" for name in missing)
                raise ValueError(
                    f"{names} required in production: personal identifiers are stored "
                    "encrypted (see README, beneficiaries keys)"
                )
        return self
