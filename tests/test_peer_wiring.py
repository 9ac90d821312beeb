"""``make run`` wires the beneficiaries service's key into offers' peers by itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from beneficiaries.settings import Settings as BeneficiariesSettings
from kafaat.platform import peer_environment
from offers.settings import Settings as OffersSettings
from shared.peers import peer_signer
from shared.testing import PeerKeys
from shared.tokens import load_public_keys


def test_offers_trusts_the_development_key_beneficiaries_signs_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {"KAFAAT_BENEFICIARIES_VAR_DIR": str(tmp_path)}
    added = peer_environment(env, {"offers": 9001}, "127.0.0.1")
    assert added["KAFAAT_BENEFICIARIES_OFFERS_URL"] == "http://127.0.0.1:9001"
    monkeypatch.setenv("KAFAAT_OFFERS_PEERS", added["KAFAAT_OFFERS_PEERS"])
    trusted = OffersSettings().peers["beneficiaries"].get_secret_value().encode()
    signer = peer_signer(BeneficiariesSettings(var_dir=tmp_path), "beneficiaries")
    assert set(load_public_keys(trusted)) == {signer.kid}


def test_a_configured_key_and_explicit_settings_win(tmp_path: Path) -> None:
    keys = PeerKeys("beneficiaries")
    env = {
        "KAFAAT_BENEFICIARIES_VAR_DIR": str(tmp_path),
        "KAFAAT_BENEFICIARIES_PEER_TOKEN_PRIVATE_KEY": keys.private_pem.decode(),
        "KAFAAT_BENEFICIARIES_OFFERS_URL": "http://offers.internal:8001",
    }
    added = peer_environment(env, {"offers": 9001}, "127.0.0.1")
    assert "KAFAAT_BENEFICIARIES_OFFERS_URL" not in added
    assert keys.public_pem.decode() in added["KAFAAT_OFFERS_PEERS"].replace("\\n", "\n")
    assert not (tmp_path / "keys").exists()
