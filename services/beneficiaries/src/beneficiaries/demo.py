"""Demo data: ``kafaat seed-demo`` (the first ``make run``) loads the programme's pilot, planned
by ``beneficiaries.demo_plan``; ``--scale national`` the whole country (``demo_national``).

The pilot is written through the domain services, as the API would (people, consents, journey
moves, diagnosis, plan, actions, referrals, outcomes, follow-ups), by the demo loader. Creating
a person is audited as its route audits it; the rest of the case files are audited as the
intake import audits what it writes in one go: one entry per association naming its people.
The services stamp what they write with the current time; the demo dates each record on the
day of its story instead (a person taken in in 2018 was created in 2018), so the figures by
year and the follow-ups' due dates read as the pilot's.

Loading it again changes nothing: the demo association is looked up first, and everything is
written in one transaction.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import event, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from beneficiaries import demo_national
from beneficiaries.access import Access
from beneficiaries.actions import service as actions_service
from beneficiaries.actions.schemas import ActionCreate
from beneficiaries.associations import service as associations_service
from beneficiaries.associations.schemas import AssociationCreate
from beneficiaries.casefile.service import audited
from beneficiaries.consents import service as consents_service
from beneficiaries.consents.schemas import ConsentCreate
from beneficiaries.demo_plan import (
    CONSTRAINTS,
    DEMO_ASSOCIATION_ID,
    NEEDS,
    OBJECTIVES,
    SKILLS,
    PilotPlan,
    PlannedPerson,
    PlannedReferral,
    plan_pilot,
)
from beneficiaries.diagnosis import service as diagnosis_service
from beneficiaries.diagnosis.schemas import DiagnosisWrite
from beneficiaries.encryption import Vault
from beneficiaries.journey import service as journey_service
from beneficiaries.journey.schemas import StageMoveCreate
from beneficiaries.outcomes import service as outcomes_service
from beneficiaries.outcomes.schemas import FollowUpUpdate, OutcomeCreate
from beneficiaries.people import service as people_service
from beneficiaries.people.models import Beneficiary
from beneficiaries.people.schemas import BeneficiaryCreate
from beneficiaries.plans import service as plans_service
from beneficiaries.plans.schemas import PlanWrite
from beneficiaries.referrals import repository as referrals_repository
from beneficiaries.referrals import service as referrals_service
from beneficiaries.referrals.models import Referral
from beneficiaries.referrals.schemas import ReferralMove, ReferralStatus, ReferralTransition
from beneficiaries.settings import Settings
from beneficiaries.vocabulary import AuditAction, JourneyStage
from shared.db import create_engine, create_sessionmaker
from shared.demo import PILOT_START, SIZES, Scale, Sizes, demo_id, rng
from shared.principal import Principal, Role
from shared.reference import Sector

__all__ = ["DEMO_ASSOCIATION_ID", "LOADER", "load_pilot", "seed"]

# Who writes the demo data: the author of its records and the actor of its audit entries.
LOADER = Access(Principal(subject="kafaat seed-demo", kind="user", role=Role.ADMIN))


def instant(day: date, hour: int = 10) -> datetime:
    """The time of day a demo record of ``day`` was written (office hours, UTC)."""
    return datetime.combine(day, time(hour), tzinfo=UTC)


# The instants the services stamp on what they write, and that the demo dates instead.
STAMPS = ("created_at", "updated_at", "moved_at", "recorded_at", "occurred_at", "exited_at")


class StoryClock:
    """The day of the story being written: each record the services add or change in the
    demo's session is stamped with it at the flush, in place of the time of the load (the
    audit entries, written apart, keep the real time of the load)."""

    def __init__(self, db: AsyncSession) -> None:
        self.now = datetime.now(UTC)
        event.listen(db.sync_session, "before_flush", self._stamp)

    def at(self, day: date, hour: int = 10) -> None:
        self.now = instant(day, hour)

    def _stamp(self, session: Session, _context: Any, _instances: Any) -> None:
        for record in (*session.new, *session.dirty):
            state = inspect(record)
            for name in STAMPS:
                if name not in state.mapper.columns or getattr(record, name) is None:
                    continue
                if state.pending or state.attrs[name].history.has_changes():
                    setattr(record, name, self.now)


async def _person(
    db: AsyncSession, clock: StoryClock, vault: Vault, planned: PlannedPerson
) -> Beneficiary:
    clock.at(planned.intake, 9)
    data = BeneficiaryCreate.model_validate(
        {"association_id": planned.association_id} | planned.record
    )
    person = await people_service.create(db, LOADER, vault, data)
    for decision in planned.consents:
        clock.at(decision.on, 9)
        await consents_service.record(
            db,
            LOADER,
            person.id,
            ConsentCreate.model_validate(
                {
                    "purpose": decision.purpose,
                    "status": decision.status,
                    "decision_date": decision.on,
                    "method": "signed_form",
                }
            ),
        )
    return person


async def _diagnosis(db: AsyncSession, person: Beneficiary, day: date, seed: int) -> None:
    draw = rng("demo-diagnosis", seed)
    data = DiagnosisWrite(
        diagnosis_date=day,
        skills=draw.sample(SKILLS, 2),
        constraints=draw.sample(CONSTRAINTS, 1 + draw.randrange(2)),
        needs=draw.sample(NEEDS, 2),
    )
    await diagnosis_service.write(db, LOADER, person, data, None)


async def _plan(db: AsyncSession, person: Beneficiary, planned: PlannedPerson) -> None:
    steps: list[dict[str, Any]] = [
        {"description": "Bilan des compétences avec la conseillère", "done": True},
    ]
    if planned.referral is not None:
        steps.append(
            {
                "description": "Suivre la formation proposée par l'organisme",
                "due_date": planned.referral.session.end.isoformat(),
                "done": planned.referral.status is ReferralStatus.COMPLETED,
            }
        )
    steps.append({"description": "Préparer un CV et des candidatures", "done": False})
    data = PlanWrite.model_validate(
        {"objectives": [OBJECTIVES[planned.sector or Sector.TOURISM]], "steps": steps}
    )
    await plans_service.write(db, LOADER, person, data, None)


async def _refer(
    db: AsyncSession, clock: StoryClock, person: Beneficiary, planned: PlannedReferral, number: int
) -> None:
    """The referral and its moves, through the referrals domain's own steps: stored pending
    with its first event, confirmed ``referred``, then each move checked by the domain's rules
    (``move_issues``) and recorded with its event.

    Without offers' seat: a referral made through the API reserves its seat in the offers
    service (a peer call), which a seed of this database alone cannot make. The demo's
    referrals keep ``reservation_id`` empty (as a rejected or dropped one ends), so a demo user
    who drops or rejects one now is not sent to offers for a seat it never held."""
    scope = referrals_service.Scope(LOADER)
    role = Role.ADMIN.value
    referred = planned.events[0]
    clock.at(referred.on)
    referral = Referral(
        id=demo_id("referral", number, planned.session.key),
        beneficiary_id=person.id,
        association_id=person.association_id,
        session_id=planned.session.id,
        provider_id=planned.provider_id,
        status=ReferralStatus.PENDING.value,
        referred_by=LOADER.subject,
        referrer_role=role,
        created_at=clock.now,
        updated_at=clock.now,
    )
    db.add(referral)  # inserted with its first event, at the event's flush

    async def event_of(status: ReferralStatus, reason: str | None) -> None:
        row = referrals_service._event(referral, status, LOADER.subject, role, reason)
        await referrals_repository.add_event(db, row)

    await event_of(ReferralStatus.PENDING, None)
    confirmed = await referrals_repository.move_if(
        db,
        referral,
        ReferralStatus.PENDING.value,
        {"status": ReferralStatus.REFERRED.value, "updated_at": clock.now},
    )
    assert confirmed
    await event_of(ReferralStatus.REFERRED, None)
    for step in planned.events[1:]:
        clock.at(step.on)
        transition = ReferralTransition(status=ReferralMove(step.status.value), reason=step.reason)
        problem = referrals_service.move_issues(scope, referral, transition)
        if problem is not None:
            raise problem
        moved = await referrals_repository.move_if(
            db,
            referral,
            referral.status,
            {"status": step.status.value, "reason": step.reason, "updated_at": clock.now},
        )
        assert moved
        await event_of(step.status, step.reason)


async def _outcome(
    db: AsyncSession, clock: StoryClock, person: Beneficiary, planned: PlannedPerson
) -> None:
    assert planned.outcome is not None
    clock.at(planned.outcome.on, 16)
    data = OutcomeCreate.model_validate(planned.outcome.fields())
    await outcomes_service.create(db, LOADER, person, data)
    scheduled = {f.month: f for f in await outcomes_service.follow_ups_of(db, person)}
    for found in planned.outcome.follow_ups:
        clock.at(found.on, 14)
        update = FollowUpUpdate.model_validate(
            {"status": found.status, "outcome_holds": found.outcome_holds}
        )
        await outcomes_service.record_follow_up(db, LOADER, scheduled[found.month], update, None)


async def _case(
    db: AsyncSession, clock: StoryClock, vault: Vault, planned: PlannedPerson, number: int
) -> UUID:
    """One person's whole story, in the order it happened (its audit: ``load_pilot``)."""
    person = await _person(db, clock, vault, planned)
    for move in planned.moves:
        if move.stage is JourneyStage.EXITED and planned.outcome is not None:
            await _outcome(db, clock, person, planned)
        clock.at(move.on, 15)
        await journey_service.move(
            db,
            LOADER,
            person,
            StageMoveCreate(stage=move.stage, exit_reason=move.exit_reason),
            None,
        )
        if move.stage is JourneyStage.DIAGNOSIS and planned.diagnosis is not None:
            clock.at(planned.diagnosis, 11)
            await _diagnosis(db, person, planned.diagnosis, number)
        if move.stage is JourneyStage.PLAN and planned.plan is not None:
            clock.at(planned.plan, 11)
            await _plan(db, person, planned)
            if planned.referral is not None:
                await _refer(db, clock, person, planned.referral, number)
    for action in planned.actions:
        clock.at(action.on, 12)
        await actions_service.create(
            db,
            LOADER,
            person,
            ActionCreate(
                kind=action.kind,
                action_date=action.on,
                duration_minutes=action.minutes,
                attended=action.attended,
            ),
        )
    return person.id


async def load_pilot(db: AsyncSession, vault: Vault, plan: PilotPlan) -> bool:
    """Write ``plan``; False when its demo association is there already (nothing written)."""
    if await associations_service.get(db, DEMO_ASSOCIATION_ID) is not None:
        return False
    clock = StoryClock(db)
    clock.at(PILOT_START - timedelta(days=30))
    for association in plan.associations:
        data = AssociationCreate.model_validate(association.fields())
        await associations_service.create(db, LOADER, data, association_id=association.id)
    written: dict[UUID, list[UUID]] = {}
    for number, person in enumerate(plan.people):
        person_id = await _case(db, clock, vault, person, number)
        written.setdefault(person.association_id, []).append(person_id)
    # Each association's case files (consents, journey, diagnosis, plan, referral, outcome,
    # follow-ups, actions), audited in one entry naming its people.
    for people in written.values():
        await audited(db, LOADER, AuditAction.UPDATE, people)
    return True


async def seed(
    database_url: str,
    scale: Scale = Scale.PILOT,
    *,
    settings: Settings | None = None,
    sizes: Sizes | None = None,
) -> bool:
    """Load the demo data of ``scale`` (``sizes``: other counts of the same shape, for tests);
    False when it was loaded already."""
    settings = settings or Settings()
    sizes = sizes or SIZES[scale]
    if scale is Scale.NATIONAL:
        return await demo_national.seed(database_url, sizes)
    vault = Vault.from_settings(settings)
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as db:
            loaded = await load_pilot(db, vault, plan_pilot(sizes))
            await db.commit()
            return loaded
    finally:
        await engine.dispose()
