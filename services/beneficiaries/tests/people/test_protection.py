"""Identifiers at rest: neither the SQLite file nor a PostgreSQL dump holds a CIN or a phone
in clear, a ciphertext does not decrypt in another row, keys rotate by a command, and no log
line of a whole scenario names a person."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from beneficiaries.cli import run
from beneficiaries.encryption import UndecryptableValue, Vault, new_key_text, parse_keys
from beneficiaries.people.models import Beneficiary
from beneficiaries.settings import Settings
from shared.principal import Role
from shared.settings import Environment
from shared.testing.terminal import Terminal

from ..factories import PERSON
from ..helpers import Api, staff

SECRETS = (PERSON["cin"], PERSON["phone"], PERSON["phone"].replace(" ", ""), "661 48 27 93")


async def scenario(api: Api) -> dict[str, str]:
    """Intake, reads, a search, a rectification, consents, refusals: what a day brings."""
    association = await api.association()
    counsellor = staff(Role.COUNSELLOR, association["id"])
    person = await api.person(association["id"], counsellor)
    url = f"/v1/beneficiaries/{person['id']}"
    await api.request("GET", url, counsellor)
    await api.request("GET", "/v1/beneficiaries", counsellor, params={"q": "khadija ouaz"})
    await api.request("PATCH", url, counsellor, json={"phone": PERSON["phone"] + "4"})
    await api.request("PATCH", url, counsellor, json={"phone": PERSON["phone"]})
    await api.request(
        "POST",
        url + "/consents",
        counsellor,
        json={
            "purpose": "support",
            "status": "given",
            "decision_date": "2026-11-01",
            "method": "oral",
        },
        headers={"Idempotency-Key": "consent-1"},
    )
    # A duplicate, an invalid intake, a stale rectification.
    await api.request("POST", "/v1/beneficiaries", counsellor, json=PERSON)
    await api.request("POST", "/v1/beneficiaries", counsellor, json=PERSON | {"cin": "??"})
    await api.request("PATCH", url, counsellor, json={"commune": "X"}, headers={"If-Match": '"99"'})
    await api.request(
        "POST",
        "/v1/beneficiaries",
        counsellor,
        json=PERSON | {"cin": "ZZ998877"},
        headers={"Idempotency-Key": "intake-2"},
    )
    return person


async def test_no_identifier_in_clear_in_the_database(
    api: Api, clean_tables: AsyncEngine, database_url: str, backend: str
) -> None:
    person = await scenario(api)
    read = await api.request("GET", f"/v1/beneficiaries/{person['id']}")
    assert read.json()["cin"] == PERSON["cin"]
    if backend == "sqlite":
        async with clean_tables.connect() as connection:
            await connection.execute(text("PRAGMA wal_checkpoint(FULL)"))
        path = Path(str(make_url(database_url).database))
        files = [p for p in (path, Path(f"{path}-wal")) if p.exists()]
        raw = b"".join(p.read_bytes() for p in files)
        # The check would find them if they were there: the names are stored in clear.
        assert PERSON["last_name"].encode() in raw
    else:
        url = make_url(database_url)
        dump = await asyncio.to_thread(
            subprocess.run,
            [
                "pg_dump",
                "--no-owner",
                "-h",
                str(url.host),
                "-p",
                str(url.port or 5432),
                "-U",
                str(url.username),
                str(url.database),
            ],
            capture_output=True,
            check=True,
            env={**os.environ, "PGPASSWORD": url.password or ""},
        )
        raw = dump.stdout
        assert PERSON["last_name"].encode() in raw
    for secret in SECRETS:
        assert secret.encode() not in raw, secret
        assert secret.upper().encode() not in raw
    assert b"ZZ998877" not in raw


async def test_no_log_line_names_a_person(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    # Everything the service logs at its level (INFO; the database driver's DEBUG lines
    # carry statement parameters, see README).
    caplog.set_level(logging.INFO)
    await scenario(api)
    # The test client's own log of the URLs it asks (``httpx2``) is not the service's.
    lines = [
        record.getMessage() + str(getattr(record, "fields", ""))
        for record in caplog.records
        if not record.name.startswith("httpx")
    ]
    assert any("/v1/beneficiaries" in line for line in lines)
    logged = "\n".join(lines).lower()
    for value in (*SECRETS, PERSON["first_name"], PERSON["last_name"], "ZZ998877"):
        assert value.lower() not in logged, value


async def test_a_ciphertext_does_not_decrypt_in_another_row_or_column(
    api: Api, clean_tables: AsyncEngine
) -> None:
    association = await api.association()
    first = await api.person(association["id"])
    second = await api.person(association["id"], cin="AB123456")
    async with AsyncSession(clean_tables) as db:
        rows = {str(row.id): row for row in (await db.scalars(select(Beneficiary))).all()}
    vault = Vault.from_settings(Settings(environment=Environment.TEST))
    stolen = rows[first["id"]].cin_encrypted
    assert stolen is not None
    assert stolen.startswith(vault.active_key_id + ":")
    with pytest.raises(UndecryptableValue):
        vault.decrypt(
            stolen, table="beneficiary", column="cin_encrypted", row_id=rows[second["id"]].id
        )
    with pytest.raises(UndecryptableValue):
        vault.decrypt(
            stolen, table="beneficiary", column="phone_encrypted", row_id=rows[first["id"]].id
        )


async def test_rotate_keys_reencrypts_everything_under_the_active_key(
    open_app: object,
    clean_tables: AsyncEngine,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    keys: object,
) -> None:
    old, new, index = new_key_text("2026a"), new_key_text("2026b"), new_key_text("i")
    index_key = index.partition(":")[2]
    settings = {"data_keys": old, "blind_index_key": index_key}
    async with open_app(**settings) as (_app, client):  # type: ignore[operator]
        api = Api(client, keys)  # type: ignore[arg-type]
        association = await api.association()
        people = [
            await api.person(association["id"], cin=f"AB{n:06d}", phone=f"+212 600 00 {n:02d}")
            for n in range(7)
        ]
    monkeypatch.setenv("KAFAAT_BENEFICIARIES_DATABASE_URL", database_url)
    monkeypatch.setenv("KAFAAT_BENEFICIARIES_DATA_KEYS", f"{new},{old}")
    monkeypatch.setenv("KAFAAT_BENEFICIARIES_BLIND_INDEX_KEY", index_key)
    # On a terminal, the rotation shows how far it is (7 people, batches of 3).
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    assert await asyncio.to_thread(run, ["rotate-keys", "--batch", "3"]) == 0
    monkeypatch.undo()
    assert "re-encrypting identifiers" in screen.text
    assert "7/7 people" in screen.text
    monkeypatch.setenv("KAFAAT_BENEFICIARIES_DATABASE_URL", database_url)
    monkeypatch.setenv("KAFAAT_BENEFICIARIES_DATA_KEYS", f"{new},{old}")
    monkeypatch.setenv("KAFAAT_BENEFICIARIES_BLIND_INDEX_KEY", index_key)
    async with AsyncSession(clean_tables) as db:
        stored = (await db.scalars(select(Beneficiary))).all()
        assert all(row.cin_encrypted and row.cin_encrypted.startswith("2026b:") for row in stored)
        assert all(
            row.phone_encrypted and row.phone_encrypted.startswith("2026b:") for row in stored
        )
        versions = {row.version for row in stored}
    # Rotation is not a change of content: versions (and ETags) stay.
    assert versions == {1}
    # Again: nothing left to do.
    assert await asyncio.to_thread(run, ["rotate-keys"]) == 0
    # The old key can go: everything reads with the new one alone, and duplicates are still
    # found (the blind index has its own key).
    async with open_app(data_keys=new, blind_index_key=index_key) as (_app, client):  # type: ignore[operator]
        api = Api(client, keys)  # type: ignore[arg-type]
        for person, n in zip(people, range(7), strict=True):
            read = await api.request("GET", f"/v1/beneficiaries/{person['id']}")
            assert read.json()["cin"] == f"AB{n:06d}"
        twin = await api.request(
            "POST",
            "/v1/beneficiaries",
            json=PERSON | {"association_id": association["id"], "cin": "AB000003"},
        )
        assert twin.status_code == 409
        assert twin.json()["existing_id"] == people[3]["id"]


def test_keys_are_required_in_production_and_checked() -> None:
    with pytest.raises(ValueError, match="DATA_KEYS"):
        Settings(
            environment=Environment.PRODUCTION,
            service_token_public_keys=SecretStr("x"),
            peer_token_private_key=SecretStr("x"),
        )
    with pytest.raises(ValueError, match="32 bytes"):
        parse_keys("k1:c2hvcnQ")
    key = new_key_text("k1")
    with pytest.raises(ValueError, match="twice"):
        parse_keys(f"{key},{key}")
