from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured

from cultivate.credentials import keystore


def test_a_key_opens_only_with_its_public_key_and_the_same_secret(settings) -> None:
    private = Ed25519PrivateKey.generate()
    sealed = keystore.seal(private, "z6MkOne")
    assert private.private_bytes_raw() not in sealed
    assert keystore.open_sealed(sealed, "z6MkOne").private_bytes_raw() == private.private_bytes_raw()
    with pytest.raises(InvalidTag):
        keystore.open_sealed(sealed, "z6MkTwo")
    settings.CREDENTIALS_KEY = "another secret"
    with pytest.raises(InvalidTag):
        keystore.open_sealed(sealed, "z6MkOne")
    settings.CREDENTIALS_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        keystore.seal(private, "z6MkOne")
