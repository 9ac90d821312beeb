"""Follow-up completion and retention, counted for the outcomes of a year as of a given day."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.stats import service
from shared.principal import Role
from shared.testing import make_principal

from ..cases import Api
from .world import YEAR, programme


async def test_follow_ups_and_retention(api: Api, db: AsyncSession) -> None:
    world = await programme(api, db)
    for woman in world.women[:5]:
        path = f"/v1/beneficiaries/{woman.id}/follow-ups"
        six = next(f for f in (await api.ok("GET", path))["items"] if f["month"] == 6)
        await api.ok("PATCH", f"{path}/{six['id']}", json={"status": "done", "outcome_holds": True})
    path = f"/v1/beneficiaries/{world.men[0].id}/follow-ups"
    three = next(f for f in (await api.ok("GET", path))["items"] if f["month"] == 3)
    await api.ok("PATCH", f"{path}/{three['id']}", json={"status": "missed"})

    admin = make_principal(role=Role.ADMIN)
    stats = await service.outcomes(
        db, admin, region=None, year=YEAR, association_id=None, today=date(YEAR, 12, 1)
    )
    # 7 outcomes, each with months 3 and 6 due by December: 14 due, 5 done, 1 missed.
    follow_ups = stats.follow_ups
    assert follow_ups.due.value == 14
    assert follow_ups.overdue.value == 8
    # The one missed is withheld, and the done ones with it: the rate would give them away.
    assert (follow_ups.missed.suppressed, follow_ups.done.suppressed) == (True, True)
    assert follow_ups.completion_rate.suppressed is True
    six = stats.retention_6_months
    assert (six.recorded.value, six.holding.value, six.not_holding.value) == (5, 5, 0)
    assert six.rate.value == 1.0
    twelve = stats.retention_12_months
    assert (twelve.recorded.value, twelve.rate.value, twelve.rate.suppressed) == (0, None, False)

    # In the summer only month 3 was due (and the cooperatives' not yet).
    june = await service.outcomes(
        db, admin, region=None, year=YEAR, association_id=None, today=date(YEAR, 6, 30)
    )
    assert june.follow_ups.due.value == 5


def test_whose_people_each_caller_counts() -> None:
    viewer = service.figures_scope(make_principal(role=Role.VIEWER))
    assert viewer.everything
    nobody = service.figures_scope(make_principal(role=Role.COUNSELLOR))
    assert (nobody.everything, nobody.regions, nobody.association_id) == (False, frozenset(), None)
    client = service.figures_scope(
        make_principal(kind="client", scopes=("beneficiaries:stats",), regions=("02",))
    )
    assert client.regions == {"02"}
