from __future__ import annotations

import pytest

from cultivate.credentials import multibase


def test_an_ed25519_key_is_a_z6mk_multikey_and_its_own_did() -> None:
    key = multibase.public_key_multibase(bytes(32))
    assert key.startswith("z6Mk")
    assert multibase.public_key_bytes(key) == bytes(32)
    method = multibase.verification_method_id(key)
    assert method == f"did:key:{key}#{key}"
    assert multibase.key_of_verification_method(method) == key
    assert multibase.did_document(f"did:key:{key}")["assertionMethod"] == [method]
    assert multibase.b58decode(multibase.b58encode(b"\0\0abc")) == b"\0\0abc"


def test_other_keys_and_methods_are_refused() -> None:
    key = multibase.public_key_multibase(bytes(32))
    for bad in ("did:web:example.org#key-1", f"did:key:{key}#other", "did:key:zNotAKey#zNotAKey"):
        with pytest.raises(multibase.MultibaseError):
            multibase.key_of_verification_method(bad)
