"""Bounds on what an upload can make the service do, for every import to share: a list of problems that keeps
the first few and counts the rest, and a zip reader that stops at a size however small the zip claims to be."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")

CHUNK = 1 << 20


class BoundedList(Generic[T]):
    """Keeps the first `keep` items added and counts them all; `full` says when to stop looking for more."""

    def __init__(self, keep: int) -> None:
        self.keep = max(keep, 0)
        self.items: list[T] = []
        self.count = 0

    def append(self, item: T) -> None:
        self.count += 1
        if len(self.items) < self.keep:
            self.items.append(item)

    def extend(self, items: Iterable[T]) -> None:
        for item in items:
            self.append(item)

    @property
    def full(self) -> bool:
        return self.count >= self.keep

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


class TooLarge(Exception):
    """The archive unpacks to more than the limit; nothing more was written."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"unpacks to more than {limit} bytes")
        self.limit = limit


def declared_size(members: Iterable[zipfile.ZipInfo]) -> int:
    return sum(info.file_size for info in members)


def unzip_bounded(
    archive: zipfile.ZipFile, members: list[tuple[zipfile.ZipInfo, Path]], *, limit: int
) -> int:
    """Write each member to its target, refusing (TooLarge) once more than `limit` bytes in all would be
    written. The sizes the zip declares are checked first, and then the bytes actually read, since a crafted
    zip can declare less than it holds. Returns the bytes written; a refused unpack leaves partial files
    for the caller to remove with its folder."""
    if declared_size(info for info, _ in members) > limit:
        raise TooLarge(limit)
    written = 0
    for info, target in members:
        with archive.open(info) as source, target.open("wb") as out:
            while chunk := source.read(CHUNK):
                written += len(chunk)
                if written > limit:
                    raise TooLarge(limit)
                out.write(chunk)
    return written
