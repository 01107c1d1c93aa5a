"""Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite (W3C "Data Integrity EdDSA Cryptosuites v1.0").

Signing, as the specification's algorithms say:
1. proof configuration: the proof's options without `proofValue`, given the document's `@context`;
2. transformation: the document without `proof`, canonicalised with RDFC-1.0; the configuration likewise;
3. hashing: SHA-256 of the canonical configuration, then SHA-256 of the canonical document, concatenated;
4. the Ed25519 signature of those 64 bytes, written as multibase base58btc in `proofValue`.
Verification repeats 1–3 from the document as received and checks the signature with the key the
`verificationMethod` (a did:key, resolved from itself) names."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from . import jsonld, multibase

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"


class ProofError(ValueError):
    """Why a proof does not verify, in words for the person checking."""


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def hash_data(document: dict[str, Any], proof_options: dict[str, Any]) -> bytes:
    """The 64 bytes that are signed: hash(canonical proof configuration) + hash(canonical document)."""
    data, _undefined = _hash_data(document, proof_options)
    return data


def _hash_data(document: dict[str, Any], proof_options: dict[str, Any]) -> tuple[bytes, list[str]]:
    """The signed bytes, and the document's properties its contexts do not define (outside the signature)."""
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    config = {key: value for key, value in proof_options.items() if key != "proofValue"}
    config["@context"] = copy.deepcopy(unsecured["@context"])
    config_canonical, config_undefined = jsonld.canonical_and_undefined(config)
    canonical, undefined = jsonld.canonical_and_undefined(unsecured)
    config_hash = hashlib.sha256(config_canonical.encode()).digest()
    document_hash = hashlib.sha256(canonical.encode()).digest()
    return config_hash + document_hash, undefined + [f"proof.{path}" for path in config_undefined]


def sign(
    document: dict[str, Any],
    *,
    private_key: Ed25519PrivateKey,
    created: dt.datetime,
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """A copy of the document with a DataIntegrityProof. Refuses properties its contexts do not define (they
    would be outside the signature)."""
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    public = private_key.public_key().public_bytes_raw()
    options: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": _iso(created),
        "verificationMethod": multibase.verification_method_id(multibase.public_key_multibase(public)),
        "proofPurpose": proof_purpose,
    }
    data, undefined = _hash_data(unsecured, options)
    if undefined:
        raise ProofError(f"Not defined by the credential's contexts: {', '.join(undefined)}")
    signature = private_key.sign(data)
    return {**unsecured, "proof": {**options, "proofValue": multibase.multibase_encode(signature)}}


@dataclass(frozen=True)
class Verified:
    """A proof that verifies: the key (Multikey) that made it and when it says it was made."""

    key: str
    created: str


def verify(document: dict[str, Any], *, proof_purpose: str = "assertionMethod") -> Verified:
    """Check the document's proof; raise ProofError saying why not."""
    proof = document.get("proof")
    if isinstance(proof, list):
        if len(proof) != 1:
            raise ProofError("It has more than one proof, which this service does not check")
        proof = proof[0]
    if not isinstance(proof, dict):
        raise ProofError("It has no proof, so nothing shows who issued it")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError("Its proof is not an eddsa-rdfc-2022 Data Integrity proof")
    if proof.get("proofPurpose") != proof_purpose:
        raise ProofError("Its proof was not made for issuing credentials")
    if "@context" in proof and proof["@context"] != document.get("@context"):
        raise ProofError("Its proof names different contexts from the credential")
    method = proof.get("verificationMethod")
    value = proof.get("proofValue")
    if not isinstance(method, str) or not isinstance(value, str):
        raise ProofError("Its proof does not name a key and a signature")
    try:
        key = multibase.key_of_verification_method(method)
        signature = multibase.multibase_decode(value)
        public = Ed25519PublicKey.from_public_bytes(multibase.public_key_bytes(key))
    except (multibase.MultibaseError, ValueError) as error:
        raise ProofError(f"Its proof cannot be read ({error})") from error
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    context = unsecured.get("@context")
    if not isinstance(context, list) or not all(isinstance(c, str) for c in context):
        raise ProofError("It has no JSON-LD context this service reads (a list of context addresses)")
    unknown = [c for c in context if c not in jsonld.contexts()]
    if unknown:
        raise ProofError(f"The context {unknown[0]} is not one this service knows (nothing is fetched)")
    try:
        data, undefined = _hash_data(unsecured, {k: v for k, v in proof.items() if k != "@context"})
    except jsonld.ContextNotAvailable as error:
        raise ProofError(str(error)) from error
    except Exception as error:  # pyld raises its own errors for malformed JSON-LD
        raise ProofError("It is not well-formed JSON-LD") from error
    if undefined:
        raise ProofError(f"It contains properties no context defines: {', '.join(undefined[:5])}")
    try:
        public.verify(signature, data)
    except InvalidSignature as error:
        raise ProofError(
            "Its signature does not match its contents: it has been changed since it was issued"
        ) from error
    return Verified(key=key, created=str(proof.get("created", "")))
