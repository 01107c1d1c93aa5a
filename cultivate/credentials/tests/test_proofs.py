from __future__ import annotations

import copy
import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cultivate.credentials import documents, multibase, proofs

FIXED = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
CREATED = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)


def _document() -> dict:
    key = multibase.public_key_multibase(FIXED.public_key().public_bytes_raw())
    award = documents.Award(
        name="Developing Healthcare Talent",
        description="A development programme",
        criteria="Attended 80% of sessions",
        achievement_id="urn:cultivate:programme:1",
        achievement_type="Certificate",
        holder_name="Sam Patel",
        valid_from="2026-03-01T00:00:00Z",
        alignments=(
            documents.Alignment(
                "1b7c1e0e-2f4e-4f59-8e57-0b1f2a3c4d5e", "Communication", "Care", "https://x.example/CFItems/1"
            ),
        ),
    )
    return documents.credential(
        identifier=__import__("uuid").UUID("2f1c5a0e-7c1a-4b3a-9f39-1f3f1d6b8a10"),
        issuer_did=multibase.did_key(key),
        issuer_name="Test Trust",
        status_list="https://cultivate.example/credentials/status/x/",
        index=7,
        award=award,
    )


def test_a_fixed_key_gives_a_stable_proof() -> None:
    first = proofs.sign(_document(), private_key=FIXED, created=CREATED)
    second = proofs.sign(_document(), private_key=FIXED, created=CREATED)
    assert first["proof"] == second["proof"]
    assert first["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert first["proof"]["verificationMethod"].startswith("did:key:z6Mk")
    assert first["proof"]["proofValue"].startswith("z")
    assert "issuanceDate" not in first and first["validFrom"] == "2026-03-01T00:00:00Z"
    assert proofs.verify(first).key == multibase.public_key_multibase(FIXED.public_key().public_bytes_raw())


def test_a_changed_document_or_proof_fails() -> None:
    signed = proofs.sign(_document(), private_key=FIXED, created=CREATED)
    changed = copy.deepcopy(signed)
    changed["credentialSubject"]["name"] = "Someone Else"
    with pytest.raises(proofs.ProofError, match="changed since it was issued"):
        proofs.verify(changed)
    later = copy.deepcopy(signed)
    later["proof"]["created"] = "2027-01-01T00:00:00Z"
    with pytest.raises(proofs.ProofError):
        proofs.verify(later)


def test_properties_no_context_defines_are_refused_both_ways() -> None:
    document = _document()
    document["credentialSubject"]["favouriteColour"] = "green"
    with pytest.raises(proofs.ProofError, match="favouriteColour"):
        proofs.sign(document, private_key=FIXED, created=CREATED)
    signed = proofs.sign(_document(), private_key=FIXED, created=CREATED)
    signed["credentialSubject"]["note"] = "added after signing"
    with pytest.raises(proofs.ProofError, match="no context defines"):
        proofs.verify(signed)


def test_an_unknown_context_is_not_fetched() -> None:
    signed = proofs.sign(_document(), private_key=FIXED, created=CREATED)
    signed["@context"] = [*signed["@context"], "https://evil.example/context.json"]
    with pytest.raises(proofs.ProofError, match="not one this service knows"):
        proofs.verify(signed)
