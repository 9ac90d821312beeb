from __future__ import annotations

from beneficiaries.database import Base
from beneficiaries.main import create_app
from beneficiaries.settings import Settings
from shared.testing import service_fixture

service_under_test = service_fixture(__file__, create_app, Base.metadata, Settings)
