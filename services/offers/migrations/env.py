from offers import models  # noqa: F401  (registers every table on the metadata)
from offers.database import Base
from offers.settings import Settings
from shared.migrations import run_env

settings = Settings()
run_env(Base.metadata, settings.database_url or settings.default_sqlite_url("offers"))
