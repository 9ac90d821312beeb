"""Moves along the journey: intake → diagnosis → plan → training → job search → exited, checked
against ``vocabulary.STAGE_MOVES`` (forward, back to re-plan or retrain, out at any stage), each
stored with its author and time. Leaving needs an outcome on file or an exit reason."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.access import Access
from beneficiaries.journey import repository
from beneficiaries.journey.models import StageMove
from beneficiaries.journey.schemas import JourneyRead, StageMoveCreate, StageMoveRead
from beneficiaries.outcomes import service as outcomes_service
from beneficiaries.people.models import Beneficiary
from beneficiaries.vocabulary import STAGE_MOVES, JourneyStage
from shared.concurrency import check_if_match
from shared.db import utcnow
from shared.problems import ProblemError, invalid
from shared.writes import flush_update


def may_move(current: JourneyStage, target: JourneyStage) -> bool:
    return target in STAGE_MOVES[current]


async def journey(db: AsyncSession, person: Beneficiary) -> JourneyRead:
    moves = await repository.history(db, person.id)
    return JourneyRead(
        beneficiary_id=person.id,
        stage=JourneyStage(person.journey_stage),
        version=person.version,
        history=[StageMoveRead.model_validate(move) for move in moves],
    )


async def move(
    db: AsyncSession,
    access: Access,
    person: Beneficiary,
    data: StageMoveCreate,
    if_match: str | None,
) -> StageMove | None:
    """Move ``person`` to ``data.stage``; the move stored, or None when already there."""
    check_if_match(if_match, person.version)
    current, target = JourneyStage(person.journey_stage), data.stage
    if data.exit_reason is not None and target is not JourneyStage.EXITED:
        raise invalid([("exit_reason", "only_when_exiting")])
    if current is target:
        return None
    if not may_move(current, target):
        allowed = ", ".join(sorted(STAGE_MOVES[current])) or "-"
        raise ProblemError(
            409,
            "stage_transition",
            params={"current": current.value, "target": target.value, "allowed": allowed},
            slug="invalid-transition",
            extra={"current_stage": current.value, "requested_stage": target.value},
        )
    if (
        target is JourneyStage.EXITED
        and data.exit_reason is None
        and not await outcomes_service.has_outcome(db, person)
    ):
        raise invalid(
            [("exit_reason", "exit_reason_required")],
        )
    now = utcnow()
    stage_move = StageMove(
        beneficiary_id=person.id,
        from_stage=current.value,
        to_stage=target.value,
        exit_reason=None if data.exit_reason is None else data.exit_reason.value,
        moved_by=access.subject,
        moved_at=now,
    )
    person.journey_stage = target.value
    if target is JourneyStage.EXITED:
        person.exited_at = now
    person.updated_at = now
    db.add(stage_move)
    await flush_update(db)
    return stage_move
