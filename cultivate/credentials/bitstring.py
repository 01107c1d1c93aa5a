"""Bitstring Status List v1.0: the list is a bitstring, GZIP-compressed and written as multibase base64url
(`u` prefix, no padding); bit 0 is the most significant bit of the first byte."""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterable


class StatusListError(ValueError):
    pass


def encode(set_bits: Iterable[int], length: int) -> str:
    data = bytearray(length // 8)
    for index in set_bits:
        if not 0 <= index < length:
            raise StatusListError("status index outside the list")
        data[index // 8] |= 0x80 >> (index % 8)
    # mtime=0 so the same list always encodes the same (a stable signature for an unchanged list).
    compressed = gzip.compress(bytes(data), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decode(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise StatusListError("the status list is not multibase base64url")
    body = encoded[1:]
    try:
        return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, OSError, EOFError) as error:
        raise StatusListError("the status list cannot be decompressed") from error


def bit(data: bytes, index: int) -> bool:
    if not 0 <= index < len(data) * 8:
        raise StatusListError("status index outside the list")
    return bool(data[index // 8] & (0x80 >> (index % 8)))
