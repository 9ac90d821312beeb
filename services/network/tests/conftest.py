from __future__ import annotations

from network.database import Base
from network.main import create_app
from network.settings import Settings
from shared.testing import service_fixture

service_under_test = service_fixture(__file__, create_app, Base.metadata, Settings)
