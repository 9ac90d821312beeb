"""Rules on people: who may see and change whom, a coherent record, identifiers encrypted and
checked for duplicates, and an audit entry for every read and change.

``new_row`` and ``check`` serve the API (one person through the ORM) and the bulk intake alike.
Other domains find a person with :func:`get_visible` (404 outside the caller's scope) and ask
``access.may_change(person)`` before changing anything of their case file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.access import Access
from beneficiaries.associations import service as associations_service
from beneficiaries.audit import service as audit_service
from beneficiaries.consents import service as consents_service
from beneficiaries.consents.models import Consent
from beneficiaries.consents.schemas import ConsentCreate, ConsentHistory
from beneficiaries.encryption import Vault
from beneficiaries.people import repository
from beneficiaries.people.models import Beneficiary
from beneficiaries.people.schemas import (
    BeneficiaryCreate,
    BeneficiaryQuery,
    BeneficiaryRead,
    BeneficiarySummary,
    BeneficiaryUpdate,
    PossibleDuplicate,
)
from beneficiaries.vocabulary import AuditAction, JourneyStage
from shared.db import utcnow
from shared.fields import province_problem
from shared.pagination import Page, PageParams
from shared.problems import (
    FieldIssue,
    ProblemError,
    not_found,
    out_of_scope,
    raise_if_invalid,
)
from shared.text import fold
from shared.writes import apply_changes, flush_insert, flush_update

KIND = "beneficiary"
TABLE = "beneficiary"
NAME_KEY_LENGTH = 201
OLDEST_BIRTH_DATE = date(1900, 1, 1)
ENCRYPTED = {"cin": "cin_encrypted", "phone": "phone_encrypted"}


def nobody_here() -> ProblemError:
    """What a caller who may see no one's personal data (coordinators, viewers) is answered on
    every person route: the 404 of a record outside one's scope."""
    return ProblemError(404, "no_record_in_scope", slug="not-found")


def name_key(first_name: str, last_name: str) -> str:
    return fold(f"{first_name} {last_name}")[:NAME_KEY_LENGTH]


def check(values: Mapping[str, Any], today: date) -> list[FieldIssue]:
    """Problems between fields of a whole person record (``vulnerabilities`` as dicts or
    models with ``since`` dates)."""
    issues: list[FieldIssue] = []
    reason = province_problem(values["region"], values.get("province"))
    if reason:
        issues.append(("province", reason))
    birth_date: date = values["birth_date"]
    if birth_date > today or birth_date < OLDEST_BIRTH_DATE:
        issues.append(("birth_date", "birth_date_range"))
    for position, vulnerability in enumerate(values.get("vulnerabilities") or []):
        since = _since(vulnerability)
        if since > today:
            issues.append((f"vulnerabilities.{position}.since", "in_the_future"))
    return issues


def _since(vulnerability: Any) -> date:
    if isinstance(vulnerability, Mapping):
        value = vulnerability["since"]
        return value if isinstance(value, date) else date.fromisoformat(value)
    since: date = vulnerability.since
    return since


def stored_vulnerabilities(vulnerabilities: Sequence[Any]) -> dict[str, Any]:
    """The ``vulnerabilities`` (JSON) and ``criteria`` (codes) columns of a list of criteria."""
    stored = [
        {"criterion": str(_criterion(v)), "since": _since(v).isoformat()} for v in vulnerabilities
    ]
    return {"vulnerabilities": stored, "criteria": [v["criterion"] for v in stored]}


def _criterion(vulnerability: Any) -> Any:
    if isinstance(vulnerability, Mapping):
        return vulnerability["criterion"]
    return vulnerability.criterion


def new_row(
    vault: Vault,
    values: Mapping[str, Any],
    *,
    beneficiary_id: UUID,
    association_id: UUID,
    created_by: str,
    possible_duplicate: bool,
    now: datetime,
) -> dict[str, Any]:
    """Every column of a new person from the checked field values (``cin`` and ``phone`` in
    clear: they are encrypted here)."""
    cin = values.get("cin")
    phone = values.get("phone")
    return {
        "id": beneficiary_id,
        "association_id": association_id,
        "first_name": values["first_name"],
        "last_name": values["last_name"],
        "name_key": name_key(values["first_name"], values["last_name"]),
        "sex": str(values["sex"]),
        "birth_date": values["birth_date"],
        "cin_encrypted": _encrypt(vault, cin, "cin", beneficiary_id),
        "cin_index": vault.cin_index(cin) if cin else None,
        "phone_encrypted": _encrypt(vault, phone, "phone", beneficiary_id),
        "email": values.get("email"),
        "commune": values.get("commune"),
        "region": values["region"],
        "province": values.get("province"),
        "education_level": _text(values.get("education_level")),
        **stored_vulnerabilities(values.get("vulnerabilities") or []),
        "journey_stage": JourneyStage.INTAKE.value,
        "counsellor_id": values.get("counsellor_id"),
        "possible_duplicate": possible_duplicate,
        "created_by": created_by,
        "erased_at": None,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _encrypt(vault: Vault, value: str | None, field: str, row_id: UUID) -> str | None:
    if value is None:
        return None
    return vault.encrypt(value, table=TABLE, column=ENCRYPTED[field], row_id=row_id)


def decrypted(vault: Vault, beneficiary: Beneficiary, field: str) -> str | None:
    """The clear value of an encrypted identifier (``cin`` or ``phone``)."""
    stored: str | None = getattr(beneficiary, ENCRYPTED[field])
    if stored is None:
        return None
    return vault.decrypt(stored, table=TABLE, column=ENCRYPTED[field], row_id=beneficiary.id)


def duplicate_cin(existing_id: UUID | None) -> ProblemError:
    return ProblemError(
        409,
        "duplicate_cin" if existing_id is None else "duplicate_cin_of",
        params={"existing_id": existing_id},
        slug="duplicate-cin",
        errors=[("body.cin", "cin_known")],
        extra={"existing_id": str(existing_id)} if existing_id is not None else None,
    )


async def duplicate_status(
    db: AsyncSession, association_id: UUID, cin_index: str | None, *, excluding: UUID | None = None
) -> bool:
    """Whether a person with this CIN index is known in another association (to flag for
    admins, telling the caller nothing); 409 when one is in ``association_id`` itself."""
    if cin_index is None:
        return False
    others = await repository.with_cin_index(db, cin_index, excluding=excluding)
    for other_id, other_association in others:
        if other_association == association_id:
            raise duplicate_cin(other_id)
    return bool(others)


async def get_visible(db: AsyncSession, access: Access, beneficiary_id: UUID) -> Beneficiary:
    """The person, when the caller may see them; 404 exactly as for a missing one otherwise.
    Not audited by itself: what is then read or changed is."""
    beneficiary = await repository.get(db, beneficiary_id)
    if beneficiary is None or not access.may_see(beneficiary.association_id):
        raise not_found(KIND, beneficiary_id)
    return beneficiary


async def get_changeable(db: AsyncSession, access: Access, beneficiary_id: UUID) -> Beneficiary:
    beneficiary = await get_visible(db, access, beneficiary_id)
    if not access.may_change(beneficiary):
        raise not_found(KIND, beneficiary_id)
    return beneficiary


async def to_read(
    db: AsyncSession, access: Access, vault: Vault, beneficiary: Beneficiary
) -> BeneficiaryRead:
    """The person's record as answered (identifiers decrypted, consents in force)."""
    return BeneficiaryRead(
        id=beneficiary.id,
        association_id=beneficiary.association_id,
        first_name=beneficiary.first_name,
        last_name=beneficiary.last_name,
        sex=beneficiary.sex,  # type: ignore[arg-type]
        birth_date=beneficiary.birth_date,
        cin=decrypted(vault, beneficiary, "cin"),
        phone=decrypted(vault, beneficiary, "phone"),
        email=beneficiary.email,
        commune=beneficiary.commune,
        region=beneficiary.region,
        province=beneficiary.province,
        education_level=beneficiary.education_level,  # type: ignore[arg-type]
        vulnerabilities=beneficiary.vulnerabilities,  # type: ignore[arg-type]
        journey_stage=beneficiary.journey_stage,  # type: ignore[arg-type]
        counsellor_id=beneficiary.counsellor_id,
        consents=await consents_service.in_force_of(db, beneficiary.id),
        possible_duplicate=beneficiary.possible_duplicate if access.everything else None,
        erased_at=beneficiary.erased_at,
        version=beneficiary.version,
        created_at=beneficiary.created_at,
        updated_at=beneficiary.updated_at,
    )


async def read(
    db: AsyncSession, access: Access, vault: Vault, beneficiary: Beneficiary
) -> BeneficiaryRead:
    """The person's record, the read audited."""
    await audit_service.record(
        db,
        access,
        action=AuditAction.READ,
        purpose=audit_service.purpose_of(access),
        records=[beneficiary.id],
    )
    return await to_read(db, access, vault, beneficiary)


async def list_beneficiaries(
    db: AsyncSession, access: Access, filters: BeneficiaryQuery, page: PageParams
) -> Page[BeneficiarySummary]:
    """A page of the people the caller may see, the list (or search) audited with the ids it
    shows."""
    if not access.sees_people:
        raise nobody_here()
    rows, next_cursor = await repository.list_page(db, access, filters, page)
    await audit_service.record(
        db,
        access,
        action=AuditAction.SEARCH if filters.q else AuditAction.LIST,
        purpose=audit_service.purpose_of(access),
        records=[row.id for row in rows],
    )
    return Page[BeneficiarySummary](
        items=[BeneficiarySummary.model_validate(row) for row in rows], next_cursor=next_cursor
    )


async def possible_duplicates(
    db: AsyncSession, access: Access, page: PageParams
) -> Page[PossibleDuplicate]:
    """For admins: people flagged at intake as known in another association too."""
    rows, next_cursor = await repository.flagged_page(db, page)
    matches = await repository.matches_of(db, rows)
    await audit_service.record(
        db,
        access,
        action=AuditAction.LIST,
        purpose=audit_service.purpose_of(access),
        records=[row.id for row in rows] + [m for found in matches.values() for m in found],
    )
    return Page[PossibleDuplicate](
        items=[
            PossibleDuplicate(
                id=row.id,
                association_id=row.association_id,
                matches=matches.get(row.id, []),
                created_at=row.created_at,
            )
            for row in rows
        ],
        next_cursor=next_cursor,
    )


async def association_for_new(db: AsyncSession, access: Access, wanted: UUID | None) -> UUID:
    """The association a new person joins: the caller's own (admins name one). One the caller
    may not write to is refused exactly like one that does not exist."""
    if not access.sees_people:
        raise nobody_here()
    chosen = wanted if access.everything else (wanted or access.association_id)
    if chosen is None:
        raise out_of_scope("association_id", "name_the_association")
    if not access.may_see(chosen) or await associations_service.get(db, chosen) is None:
        raise out_of_scope("association_id", "no_association_of_yours")
    return chosen


async def create(
    db: AsyncSession, access: Access, vault: Vault, data: BeneficiaryCreate
) -> Beneficiary:
    association_id = await association_for_new(db, access, data.association_id)
    values = data.model_dump(exclude={"association_id"})
    values["vulnerabilities"] = data.vulnerabilities
    now = utcnow()
    raise_if_invalid(check(values, now.date()))
    cin_index = vault.cin_index(data.cin) if data.cin else None
    flagged = await duplicate_status(db, association_id, cin_index)
    row = new_row(
        vault,
        values,
        beneficiary_id=uuid4(),
        association_id=association_id,
        created_by=access.subject,
        possible_duplicate=flagged,
        now=now,
    )
    beneficiary = Beneficiary(**row)
    db.add(beneficiary)
    # A twin created meanwhile with the same CIN in the same association: the unique index.
    await flush_insert(db, lambda: duplicate_cin(None))
    await audit_service.record(
        db,
        access,
        action=AuditAction.CREATE,
        purpose=audit_service.purpose_of(access),
        records=[beneficiary.id],
    )
    return beneficiary


def _refuse_erased(beneficiary: Beneficiary) -> None:
    if beneficiary.erased_at is not None:
        raise ProblemError(409, "person_erased", slug="erased")


async def update(
    db: AsyncSession,
    access: Access,
    vault: Vault,
    beneficiary: Beneficiary,
    data: BeneficiaryUpdate,
    if_match: str | None,
) -> Beneficiary:
    """Rectify the person's record (law 09-08), the change audited."""
    _refuse_erased(beneficiary)
    changes = data.model_dump(exclude_unset=True)
    if "vulnerabilities" in changes:
        changes["vulnerabilities"] = data.vulnerabilities
    current = {
        "region": beneficiary.region,
        "province": beneficiary.province,
        "birth_date": beneficiary.birth_date,
        "vulnerabilities": beneficiary.vulnerabilities,
    }
    raise_if_invalid(check(current | changes, utcnow().date()))
    columns = {
        name: value
        for name, value in changes.items()
        if name not in ("cin", "phone", "vulnerabilities")
    }
    for name in ("education_level", "sex"):
        if name in columns:
            columns[name] = _text(columns[name])
    if "vulnerabilities" in changes:
        columns.update(stored_vulnerabilities(changes["vulnerabilities"] or []))
    if "first_name" in changes or "last_name" in changes:
        columns["name_key"] = name_key(
            changes.get("first_name", beneficiary.first_name),
            changes.get("last_name", beneficiary.last_name),
        )
    # Ciphertexts differ at every encryption: compare the clear values.
    for name in ("cin", "phone"):
        if name in changes and changes[name] != decrypted(vault, beneficiary, name):
            columns[ENCRYPTED[name]] = _encrypt(vault, changes[name], name, beneficiary.id)
    if "cin_encrypted" in columns:
        cin_index = vault.cin_index(changes["cin"]) if changes["cin"] else None
        flagged = await duplicate_status(
            db, beneficiary.association_id, cin_index, excluding=beneficiary.id
        )
        columns["cin_index"] = cin_index
        columns["possible_duplicate"] = flagged
    if apply_changes(beneficiary, columns, if_match):
        await flush_update(db)
    await audit_service.record(
        db,
        access,
        action=AuditAction.UPDATE,
        purpose=audit_service.purpose_of(access),
        records=[beneficiary.id],
    )
    return beneficiary


async def consent_history(
    db: AsyncSession, access: Access, beneficiary: Beneficiary
) -> ConsentHistory:
    """The person's consents (in force and history), the read audited."""
    await audit_service.record(
        db,
        access,
        action=AuditAction.READ,
        purpose=audit_service.purpose_of(access),
        records=[beneficiary.id],
    )
    return await consents_service.history_of(db, beneficiary.id)


async def record_consent(
    db: AsyncSession, access: Access, beneficiary: Beneficiary, data: ConsentCreate
) -> Consent:
    """Add a decision of the person to their history, the change audited."""
    _refuse_erased(beneficiary)
    consent = await consents_service.record(db, access, beneficiary.id, data)
    await audit_service.record(
        db,
        access,
        action=AuditAction.UPDATE,
        purpose=audit_service.purpose_of(access),
        records=[beneficiary.id],
    )
    return consent
