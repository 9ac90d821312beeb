from beneficiaries import models  # noqa: F401  (registers every table on the metadata)
from beneficiaries.database import Base
from beneficiaries.settings import Settings
from shared.migrations import run_env

settings = Settings()
run_env(Base.metadata, settings.database_url or settings.default_sqlite_url("beneficiaries"))
