"""Rules on partnership conventions: two parties or more among the partners, an end after the
start, a signed date once signed, commitments quantified and held by a party, and progress
reported to date against each commitment (the latest report is the progress).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from network.access import Access
from network.agreements import repository
from network.agreements.models import Agreement, Commitment, ProgressReport
from network.agreements.schemas import (
    AgreementCreate,
    AgreementQuery,
    AgreementRead,
    AgreementUpdate,
    CommitmentCreate,
    CommitmentRead,
    CommitmentUpdate,
    ProgressCreate,
    ProgressRead,
)
from network.events import recurrence
from network.networks import service as networks_service
from network.partners import service as partners_service
from network.vocabulary import AgreementStatus
from shared.db import utcnow
from shared.pagination import Page, PageParams
from shared.problems import FieldIssue, invalid, msg, not_found, out_of_scope, raise_if_invalid
from shared.writes import apply_changes, flush_update

KIND = "agreement"
_SIGNED = frozenset(
    {AgreementStatus.SIGNED.value, AgreementStatus.COMPLETED.value, AgreementStatus.TERMINATED}
)


def check(values: Mapping[str, Any]) -> list[FieldIssue]:
    """Problems between fields of a whole agreement."""
    problems: list[FieldIssue] = []
    start, end = values["start_date"], values.get("end_date")
    if end is not None and end < start:
        problems.append(("end_date", msg("agreement_ends_before_start", end=end, start=start)))
    signed = values.get("signed_date")
    if values["status"] in _SIGNED and signed is None:
        problems.append(("signed_date", msg("signed_date_needed", status=values["status"])))
    if values["status"] == AgreementStatus.DRAFT and signed is not None:
        problems.append(("signed_date", "draft_not_signed"))
    return problems


async def party_issues(db: AsyncSession, party_ids: Sequence[UUID]) -> list[FieldIssue]:
    unknown = {
        partner_id for partner_id in party_ids if await partners_service.get(db, partner_id) is None
    }
    if unknown:
        names = ", ".join(sorted(str(partner_id) for partner_id in unknown))
        return [("party_ids", msg("no_partner_with_ids", ids=names))]
    return []


def commitment_issues(
    commitments: Sequence[CommitmentCreate], party_ids: Sequence[UUID], prefix: str
) -> list[FieldIssue]:
    return [
        (f"{prefix}{index}.partner_id", "committer_must_be_party")
        for index, commitment in enumerate(commitments)
        if commitment.partner_id is not None and commitment.partner_id not in party_ids
    ]


def _commitment_read(commitment: Commitment, reports: list[ProgressReport]) -> CommitmentRead:
    latest = reports[-1] if reports else None
    achieved = latest.achieved if latest else 0
    return CommitmentRead(
        id=commitment.id,
        agreement_id=commitment.agreement_id,
        description=commitment.description,
        quantity=commitment.quantity,
        unit=commitment.unit,  # type: ignore[arg-type]
        sector=commitment.sector,  # type: ignore[arg-type]
        partner_id=commitment.partner_id,
        achieved=achieved,
        progress_percent=round(100 * achieved / commitment.quantity, 1),
        last_reported_on=latest.reported_on if latest else None,
        reports=[ProgressRead.model_validate(report) for report in reports],
        version=commitment.version,
    )


async def to_reads(db: AsyncSession, agreements: Sequence[Agreement]) -> list[AgreementRead]:
    """The agreements with their parties, commitments and progress, in four queries."""
    ids = [agreement.id for agreement in agreements]
    parties = await repository.parties(db, ids)
    commitments = await repository.commitments(db, ids)
    reports: dict[UUID, list[ProgressReport]] = {commitment.id: [] for commitment in commitments}
    for report in await repository.reports(db, list(reports)):
        reports[report.commitment_id].append(report)
    by_agreement: dict[UUID, list[CommitmentRead]] = {agreement_id: [] for agreement_id in ids}
    for commitment in commitments:
        by_agreement[commitment.agreement_id].append(
            _commitment_read(commitment, reports[commitment.id])
        )
    return [
        AgreementRead(
            id=agreement.id,
            region=agreement.region,
            network_id=agreement.network_id,
            title=agreement.title,
            kind=agreement.kind,  # type: ignore[arg-type]
            objectives=agreement.objectives,
            party_ids=parties[agreement.id],
            start_date=agreement.start_date,
            end_date=agreement.end_date,
            status=agreement.status,  # type: ignore[arg-type]
            signed_date=agreement.signed_date,
            commitments=by_agreement[agreement.id],
            version=agreement.version,
            created_at=agreement.created_at,
            updated_at=agreement.updated_at,
        )
        for agreement in agreements
    ]


async def to_read(db: AsyncSession, agreement: Agreement) -> AgreementRead:
    return (await to_reads(db, [agreement]))[0]


async def get_visible(db: AsyncSession, access: Access, agreement_id: UUID) -> Agreement:
    agreement = await repository.get_visible(db, access, agreement_id)
    if agreement is None:
        raise not_found(KIND, agreement_id)
    return agreement


async def get_manageable(db: AsyncSession, access: Access, agreement_id: UUID) -> Agreement:
    agreement = await repository.get(db, agreement_id)
    if agreement is None or not access.may_manage_region(agreement.region):
        raise not_found(KIND, agreement_id)
    return agreement


def _new_commitment(agreement_id: UUID, data: CommitmentCreate) -> Commitment:
    now = utcnow()
    return Commitment(
        **data.model_dump(),
        id=uuid4(),
        agreement_id=agreement_id,
        version=1,
        created_at=now,
        updated_at=now,
    )


async def create(db: AsyncSession, access: Access, data: AgreementCreate) -> Agreement:
    if not access.may_manage_region(data.region):
        raise out_of_scope("region", "region_not_managed")
    values = data.model_dump(exclude={"party_ids", "commitments"})
    issues = check(values)
    if data.network_id is not None:
        network = await networks_service.get_network(db, data.network_id)
        if network is None or network.region != data.region:
            issues.append(("network_id", "no_network_in_agreement_region"))
    issues += await party_issues(db, data.party_ids)
    issues += commitment_issues(data.commitments, data.party_ids, "commitments.")
    raise_if_invalid(issues)
    now = utcnow()
    agreement = Agreement(**values, id=uuid4(), version=1, created_at=now, updated_at=now)
    db.add(agreement)
    await db.flush()
    await repository.set_parties(db, agreement.id, data.party_ids)
    for commitment in data.commitments:
        db.add(_new_commitment(agreement.id, commitment))
    await db.flush()
    return agreement


async def update(
    db: AsyncSession, agreement: Agreement, data: AgreementUpdate, if_match: str | None
) -> Agreement:
    changes = data.model_dump(exclude_unset=True)
    party_ids = changes.pop("party_ids", None)
    fields = [name for name in AgreementUpdate.model_fields if name != "party_ids"]
    merged = {name: getattr(agreement, name) for name in fields} | changes
    issues = check(merged)
    if party_ids is not None:
        issues += await party_issues(db, party_ids)
        committing = {c.partner_id for c in await repository.commitments(db, [agreement.id])}
        if committing - {None} - set(party_ids):
            issues.append(("party_ids", "committer_stays_party"))
    raise_if_invalid(issues)
    current_parties = (await repository.parties(db, [agreement.id]))[agreement.id]
    parties_change = party_ids is not None and sorted(party_ids) != sorted(current_parties)
    if parties_change:
        # The parties are part of the record: their change moves its version on.
        changes["updated_at"] = utcnow()
    if apply_changes(agreement, changes, if_match):
        await flush_update(db)
    if parties_change and party_ids is not None:
        await repository.set_parties(db, agreement.id, party_ids)
    return agreement


async def list_agreements(
    db: AsyncSession, access: Access, filters: AgreementQuery, page: PageParams
) -> Page[AgreementRead]:
    rows, next_cursor = await repository.list_page(db, access, filters, page)
    return Page[AgreementRead](items=await to_reads(db, rows), next_cursor=next_cursor)


async def add_commitment(
    db: AsyncSession, agreement: Agreement, data: CommitmentCreate
) -> Commitment:
    parties = (await repository.parties(db, [agreement.id]))[agreement.id]
    raise_if_invalid(commitment_issues([data], parties, ""))
    commitment = _new_commitment(agreement.id, data)
    db.add(commitment)
    await db.flush()
    return commitment


async def get_commitment(db: AsyncSession, agreement: Agreement, commitment_id: UUID) -> Commitment:
    commitment = await repository.commitment(db, agreement.id, commitment_id)
    if commitment is None:
        raise not_found("commitment", commitment_id)
    return commitment


async def update_commitment(
    db: AsyncSession, commitment: Commitment, data: CommitmentUpdate, if_match: str | None
) -> Commitment:
    if apply_changes(commitment, data.model_dump(exclude_unset=True), if_match):
        await flush_update(db)
    return commitment


async def commitment_read(db: AsyncSession, commitment: Commitment) -> CommitmentRead:
    return _commitment_read(commitment, await repository.reports(db, [commitment.id]))


async def report_progress(
    db: AsyncSession, agreement: Agreement, commitment: Commitment, data: ProgressCreate
) -> Commitment:
    """Record what is achieved to date; a second report of the same day corrects the first."""
    issues: list[FieldIssue] = []
    if agreement.status not in _SIGNED:
        issues.append(("reported_on", "report_once_signed"))
    if data.reported_on < agreement.start_date:
        issues.append(("reported_on", "before_agreement_start"))
    if data.reported_on > recurrence.today():
        issues.append(("reported_on", "report_in_future"))
    if issues:
        raise invalid(issues)
    now = utcnow()
    existing = await repository.report_on(db, commitment.id, data.reported_on)
    if existing is not None:
        existing.achieved = data.achieved
        existing.note = data.note
    else:
        db.add(
            ProgressReport(
                id=uuid4(),
                commitment_id=commitment.id,
                reported_on=data.reported_on,
                achieved=data.achieved,
                note=data.note,
                created_at=now,
            )
        )
    # A report changes the commitment's progress: its version moves on.
    commitment.updated_at = now
    await flush_update(db)
    return commitment
