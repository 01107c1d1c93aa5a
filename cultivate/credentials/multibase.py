"""Multibase (base58btc), Multikey and `did:key` for Ed25519 public keys, as the Data Integrity and DID
specifications write them: a public key is `z` + base58btc(0xed 0x01 + 32 bytes), so it starts `z6Mk`, and an
issuer's `did:key` is `did:key:` + that, with its one verification method `did:key:<key>#<key>`."""

from __future__ import annotations

from typing import Any

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {char: number for number, char in enumerate(_ALPHABET)}
_ED25519_PUB = b"\xed\x01"  # the multicodec prefix of an Ed25519 public key

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"


class MultibaseError(ValueError):
    """A value that is not what it claims to be (not base58btc, not an Ed25519 Multikey, not a did:key)."""


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(_ALPHABET[remainder])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        if char not in _INDEX:
            raise MultibaseError("not base58btc")
        number = number * 58 + _INDEX[char]
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_encode(data: bytes) -> str:
    """base58btc with its multibase prefix `z`."""
    return "z" + b58encode(data)


def multibase_decode(text: str) -> bytes:
    if not text.startswith("z"):
        raise MultibaseError("not a base58btc multibase value")
    return b58decode(text[1:])


def public_key_multibase(raw: bytes) -> str:
    if len(raw) != 32:
        raise MultibaseError("an Ed25519 public key is 32 bytes")
    return multibase_encode(_ED25519_PUB + raw)


def public_key_bytes(multibase: str) -> bytes:
    data = multibase_decode(multibase)
    if len(data) != 34 or not data.startswith(_ED25519_PUB):
        raise MultibaseError("not an Ed25519 Multikey")
    return data[2:]


def did_key(multibase: str) -> str:
    return f"did:key:{multibase}"


def verification_method_id(multibase: str) -> str:
    return f"{did_key(multibase)}#{multibase}"


def key_of_verification_method(method: str) -> str:
    """The Multikey a `did:key` verification method names; the fragment must repeat the DID's key."""
    if not method.startswith("did:key:"):
        raise MultibaseError("the verification method is not a did:key")
    did, _, fragment = method.partition("#")
    key = did.removeprefix("did:key:")
    if fragment != key:
        raise MultibaseError("the did:key verification method's fragment is not its key")
    public_key_bytes(key)
    return key


def did_document(did: str) -> dict[str, Any]:
    """The DID document of a did:key, made from the key itself (did:key resolves without a network)."""
    key = did.removeprefix("did:key:")
    method = verification_method(key)
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": [method],
        "assertionMethod": [method["id"]],
        "authentication": [method["id"]],
    }


def verification_method(key: str) -> dict[str, Any]:
    public_key_bytes(key)
    return {
        "id": verification_method_id(key),
        "type": "Multikey",
        "controller": did_key(key),
        "publicKeyMultibase": key,
    }
