"""Every table of the network service: imported so Alembic and the tests see the whole schema."""

from network.agreements.models import Agreement, AgreementParty, Commitment, ProgressReport
from network.announcements.models import Announcement
from network.attendance.models import Attendance
from network.database import Base
from network.decisions.models import ActionItem, Decision
from network.events.models import Event
from network.feeds.models import CalendarFeed
from network.institution_models.models import InstitutionModel
from network.labour_needs.models import LabourNeed
from network.memberships.models import Membership
from network.networks.models import Network, WorkingGroup
from network.partners.models import Partner

__all__ = [
    "ActionItem",
    "Agreement",
    "AgreementParty",
    "Announcement",
    "Attendance",
    "Base",
    "CalendarFeed",
    "Commitment",
    "Decision",
    "Event",
    "InstitutionModel",
    "LabourNeed",
    "Membership",
    "Network",
    "Partner",
    "ProgressReport",
    "WorkingGroup",
]
