"""The test kit every suite shares; installed with the ``testing`` extra
(``kafaat-shared[testing]``), never by a runtime image, and never imported by ``shared``'s
runtime modules.

- ``plugin``: the pytest plugin (``-p shared.testing`` loads it): backends, scratch databases,
  ``app``/``client``/``open_app``/``db_session`` fixtures and ``service_fixture`` for a conftest.
- ``databases``: scratch SQLite and PostgreSQL databases, migrations, emptying tables.
- ``servers``: an in-process client (``asgi_client``) and a loopback server (``serve``).
- ``principals``: throw-away key pairs (``Keys``, ``PeerKeys``) and principals for tokens.
- ``echo``: an upstream that answers what it received, for proxy tests.
- ``records``: every record of a list (page after page) and a digest of records, to compare
  two runs of a generator.
- ``windows``: starting a count against a tight rate limit inside one window.
"""

from __future__ import annotations

from shared.testing.databases import (
    backends,
    create_postgres_database,
    drop_postgres_database,
    empty_tables,
    migrated_engine,
    postgres_admin_url,
    scratch_database,
)
from shared.testing.plugin import (
    OpenApp,
    ServiceUnderTest,
    service_fixture,
    settings_for_test,
    verifier_settings,
)
from shared.testing.principals import Keys, PeerKeys, make_principal
from shared.testing.problems import english, english_issue
from shared.testing.records import SecondDatabase, digest, every_item, two_runs
from shared.testing.servers import TEST_LANGUAGE_HEADERS, asgi_client, free_port, serve

# Loading this package as a plugin loads the fixtures.
pytest_plugins = ["shared.testing.plugin"]

__all__ = [
    "Keys",
    "OpenApp",
    "PeerKeys",
    "SecondDatabase",
    "TEST_LANGUAGE_HEADERS",
    "ServiceUnderTest",
    "asgi_client",
    "backends",
    "create_postgres_database",
    "digest",
    "drop_postgres_database",
    "empty_tables",
    "english",
    "english_issue",
    "every_item",
    "free_port",
    "make_principal",
    "migrated_engine",
    "postgres_admin_url",
    "scratch_database",
    "serve",
    "service_fixture",
    "settings_for_test",
    "two_runs",
    "verifier_settings",
]
