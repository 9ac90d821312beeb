"""A retry of a referral with its ``Idempotency-Key`` gets what the first request answered: 409
while that request is still under way, then its answer (here the problem it ended with), without
the service calling offers again. (Referrals with offers itself: tests/referrals at the root.)"""

from __future__ import annotations

from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.database import idempotency
from beneficiaries.referrals.router import IN_PROGRESS
from shared.idempotency import fingerprint
from shared.principal import Role
from shared.testing import make_principal

from ..helpers import Api

PATH = "/v1/referrals"


async def test_a_retry_waits_for_the_first_request_then_gets_its_answer(
    api: Api, db: AsyncSession
) -> None:
    counsellor = make_principal(role=Role.COUNSELLOR, association_id=uuid4(), regions=("01",))
    body = {"beneficiary_id": str(uuid4()), "session_id": str(uuid4())}
    key, referral_id = "referral-twin", str(uuid4())
    stored = fingerprint("POST", PATH, body)
    await idempotency.remember(
        db, counsellor.subject, key, stored, IN_PROGRESS, {"id": referral_id}
    )
    await db.commit()
    headers = {"Idempotency-Key": key}

    twin = await api.request("POST", PATH, counsellor, headers=headers, json=body)
    assert twin.status_code == 409, twin.text
    assert twin.json()["type"].endswith("/idempotency-key-in-use")

    # Kept as its code and parameters: the retry reads it in its own language.
    problem = {
        "code": "offers_down_referral_pending",
        "params": {"service": "offers"},
        "slug": "peer-unavailable",
        "extra": {"referral_id": referral_id},
    }
    await idempotency.settle(
        db, counsellor.subject, key, 503, {"id": referral_id, "problem": problem}
    )
    await db.commit()
    retry = await api.request("POST", PATH, counsellor, headers=headers, json=body)
    assert retry.status_code == 503, retry.text
    assert retry.json()["detail"].startswith("The offers service did not confirm the seat.")
    assert retry.json()["code"] == "offers_down_referral_pending"
    assert retry.json()["referral_id"] == referral_id
    # Another body with the same key is refused, whatever was stored.
    other = await api.request(
        "POST", PATH, counsellor, headers=headers, json={**body, "session_id": str(uuid4())}
    )
    assert other.status_code == 422, other.text
