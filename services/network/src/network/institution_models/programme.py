"""The programme's two institutionalisation models, inserted by migration 0002 with these ids.

The migration holds its own frozen copy (a revision never imports code that may change);
``tests/institution_models/test_service.py`` holds the two to the same values.
"""

from __future__ import annotations

from typing import Any, Final
from uuid import UUID

PUBLIC_MANDATE_MODEL_ID: Final = UUID("5b2f7c1e-6a0d-4e3b-8f41-2d9c0a6e0001")
CHARTER_MODEL_ID: Final = UUID("5b2f7c1e-6a0d-4e3b-8f41-2d9c0a6e0002")

PROGRAMME_MODELS: Final[tuple[dict[str, Any], ...]] = (
    {
        "id": PUBLIC_MANDATE_MODEL_ID,
        "name": "Working group attached to a regional public body with a formal mandate",
        "description": (
            "The group is set up by a decision of a regional public body (the Regional Council "
            "or a regional directorate), which gives it a written mandate, hosts its secretariat "
            "and receives its reports. It outlives the programme as part of that body."
        ),
        "governance": {
            "chair": {
                "who": "the representative designated by the host public body",
                "term_months": 36,
                "rotating": False,
            },
            "meeting_frequency": "quarterly",
            "quorum": {"share_of_members": 0.5},
            "decision_rule": {"kind": "simple_majority", "chair_casting_vote": True},
            "decision_record": (
                "minutes signed by the chair, filed in the register of the host public body"
            ),
            "reporting": {"to": "the host public body's board", "frequency": "yearly"},
        },
    },
    {
        "id": CHARTER_MODEL_ID,
        "name": "Autonomous multi-stakeholder group under a charter with a rotating chair",
        "description": (
            "The members sign a charter that sets the group's purpose and rules; the group "
            "depends on no single body, and its chair rotates among the kinds of partners "
            "(public, private, training, civil society)."
        ),
        "governance": {
            "chair": {
                "who": "a member elected by the plenary, from another kind of partner each term",
                "term_months": 12,
                "rotating": True,
            },
            "meeting_frequency": "monthly",
            "quorum": {"share_of_members": 0.67},
            "decision_rule": {"kind": "consensus", "fallback": "two_thirds_majority"},
            "decision_record": (
                "decision register kept by the secretariat, sent to every member within 15 days"
            ),
            "reporting": {
                "to": "the plenary of the charter's signatories",
                "frequency": "half_yearly",
            },
        },
    },
)
