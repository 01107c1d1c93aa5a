"""Issuer private keys at rest: AES-GCM under a key derived (HKDF-SHA256) from settings.CREDENTIALS_KEY, which
comes from the environment. The public key is the associated data, so a ciphertext moved to another key's row
does not decrypt."""

from __future__ import annotations

import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _aead() -> AESGCM:
    secret = getattr(settings, "CREDENTIALS_KEY", "")
    if not secret:
        raise ImproperlyConfigured("CREDENTIALS_KEY is not set, so issuer keys cannot be used.")
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"cultivate issuer keys v1").derive(
        secret.encode()
    )
    return AESGCM(derived)


def seal(private_key: Ed25519PrivateKey, public_key: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + _aead().encrypt(nonce, private_key.private_bytes_raw(), public_key.encode())


def open_sealed(sealed: bytes, public_key: str) -> Ed25519PrivateKey:
    data = bytes(sealed)
    raw = _aead().decrypt(data[:12], data[12:], public_key.encode())
    return Ed25519PrivateKey.from_private_bytes(raw)
