"""The shared bounds on uploads: a problem list that keeps the first few and counts them all, and an unzip that
stops at a size whatever the zip declares."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from cultivate.core.bounds import BoundedList, TooLarge, unzip_bounded


def test_a_bounded_list_keeps_the_first_items_and_counts_them_all() -> None:
    kept: BoundedList[int] = BoundedList(3)
    kept.append(1)
    assert not kept.full
    kept.extend(range(2, 11))
    assert list(kept) == [1, 2, 3] and len(kept) == 3
    assert kept.count == 10 and kept.full


def zip_of(tmp_path: Path, **members: bytes) -> zipfile.ZipFile:
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return zipfile.ZipFile(path)


def test_a_zip_declaring_more_than_the_limit_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    archive = zip_of(tmp_path, a=b"0" * 600, b=b"0" * 600)
    targets = [(info, tmp_path / info.filename) for info in archive.infolist()]
    with pytest.raises(TooLarge):
        unzip_bounded(archive, targets, limit=1000)
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    assert unzip_bounded(archive, targets, limit=1200) == 1200


class _LyingArchive:
    """A zip reader whose members hold more than their headers declare (the header is not to be trusted)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def open(self, info: zipfile.ZipInfo) -> io.BytesIO:
        return io.BytesIO(self.data)


def test_the_bytes_read_are_counted_not_only_the_sizes_declared(tmp_path: Path) -> None:
    info = zipfile.ZipInfo("people.csv")
    info.file_size = 10
    lying = _LyingArchive(b"x" * (3 << 20))
    with pytest.raises(TooLarge):
        unzip_bounded(lying, [(info, tmp_path / "people.csv")], limit=1 << 20)  # type: ignore[arg-type]
    # Writing stopped at the limit, not at the end of the member.
    assert (tmp_path / "people.csv").stat().st_size <= 1 << 20
