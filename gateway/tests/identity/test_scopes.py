"""Whom a manager may manage, as a rule table."""

from __future__ import annotations

from uuid import UUID

import pytest

from gateway.identity.scopes import UserScope, management_scope, scope_problems
from shared.principal import Principal, Role
from shared.testing import make_principal

ASSOCIATION = UUID("11111111-1111-1111-1111-111111111111")
OTHER = UUID("22222222-2222-2222-2222-222222222222")

COORDINATOR_01 = make_principal(role=Role.REGIONAL_COORDINATOR, regions=("01",))
MANAGER = make_principal(role=Role.ASSOCIATION_MANAGER, regions=("01",), association_id=ASSOCIATION)


@pytest.mark.parametrize(
    ("scope", "allowed"),
    [
        (UserScope(role=Role.VIEWER, regions=("01",)), True),
        (UserScope(role=Role.REGIONAL_COORDINATOR, regions=("01",)), True),
        (UserScope(role=Role.VIEWER), False),
        (UserScope(role=Role.VIEWER, regions=("01", "02")), False),
        (UserScope(role=Role.ADMIN), False),
    ],
)
def test_regional_coordinator(scope: UserScope, allowed: bool) -> None:
    manager = management_scope(COORDINATOR_01)
    assert manager is not None
    assert manager.covers(scope) is allowed


@pytest.mark.parametrize(
    ("scope", "allowed"),
    [
        (UserScope(role=Role.COUNSELLOR, association_id=ASSOCIATION), True),
        (UserScope(role=Role.COUNSELLOR, regions=("01",), association_id=ASSOCIATION), True),
        (UserScope(role=Role.ASSOCIATION_MANAGER, association_id=ASSOCIATION), True),
        (UserScope(role=Role.COUNSELLOR, association_id=OTHER), False),
        (UserScope(role=Role.COUNSELLOR, regions=("02",), association_id=ASSOCIATION), False),
        (UserScope(role=Role.REGIONAL_COORDINATOR, regions=("01",)), False),
    ],
)
def test_association_manager(scope: UserScope, allowed: bool) -> None:
    manager = management_scope(MANAGER)
    assert manager is not None
    assert manager.covers(scope) is allowed


@pytest.mark.parametrize(
    "principal",
    [
        make_principal(role=Role.COUNSELLOR, association_id=ASSOCIATION),
        make_principal(role=Role.VIEWER),
        make_principal(role=Role.REGIONAL_COORDINATOR),  # no region: manages nobody
        make_principal(kind="client", scopes=("offers:write",)),
        make_principal(kind="anonymous", subject="anonymous"),
    ],
)
def test_others_manage_nobody(principal: Principal) -> None:
    assert management_scope(principal) is None


def test_admin_manages_everyone() -> None:
    manager = management_scope(make_principal(role=Role.ADMIN))
    assert manager is not None
    assert manager.covers(UserScope(role=Role.ADMIN))


def test_scope_problems_name_the_fields() -> None:
    assert scope_problems(UserScope(role=Role.PROVIDER_STAFF, association_id=ASSOCIATION)) != []
    fields = [
        field for field, _ in scope_problems(UserScope(role=Role.PROVIDER_STAFF, partner_id=OTHER))
    ]
    assert fields == ["body.provider_id", "body.partner_id"]
