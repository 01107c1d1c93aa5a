from __future__ import annotations

import pytest

from cultivate.credentials import bitstring


def test_a_list_round_trips_with_bit_zero_first() -> None:
    encoded = bitstring.encode([0, 9, 131_071], 131_072)
    assert encoded.startswith("u")
    data = bitstring.decode(encoded)
    assert len(data) == 16_384 and data[0] == 0x80 and data[1] == 0x40
    assert [bitstring.bit(data, i) for i in (0, 1, 9, 131_071)] == [True, False, True, True]
    assert encoded == bitstring.encode([9, 0, 131_071], 131_072)  # the same list encodes the same


def test_bad_lists_and_indexes_are_refused() -> None:
    with pytest.raises(bitstring.StatusListError):
        bitstring.encode([131_072], 131_072)
    with pytest.raises(bitstring.StatusListError):
        bitstring.decode("zNotBase64")
    with pytest.raises(bitstring.StatusListError):
        bitstring.decode("u" + "A" * 10)
