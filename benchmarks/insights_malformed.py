"""An insights extract made of mistakes: how long it keeps the worker busy and how much it writes.

A zip of about 170 KB that unpacks to 50 MB of people.csv rows, every one of them broken, was found to keep
the only worker busy for minutes and to write 80 MB of problems. Two such extracts are generated (rows with the
wrong number of values, and rows of the right shape whose every value breaks a rule) and imported with the
problem bound the web uses (`CULTIVATE_IMPORT_MAX_PROBLEMS`, 1,000 by default); for comparison, the first kind
is imported without the bound (as the command line does) at a fiftieth of the size (1 MB).

    bench malformed_zip_kb                      the zip's size
    bench malformed_unpacked_mb                 what it unpacks to
    bench malformed_wrong_width_bounded_s       import time, wrong number of values, bounded
    bench malformed_bad_values_bounded_s        import time, bad values, bounded
    bench malformed_problems_file_kb            the problems CSV written (bounded, bad values)
    bench malformed_wrong_width_1mb_unbounded_s import time of a 1 MB file of wrong-width rows, unbounded
    bench malformed_problems_file_1mb_unbounded_kb
"""

from __future__ import annotations

import tempfile
import time
import zipfile
from pathlib import Path

from cultivate.insights.extract import import_extract

GROUP = "insights_malformed"
MAX_PROBLEMS = 1000
UNPACKED_MB = 50
PEOPLE = "person_id,birth_date,birth_year,sex,ethnic_category,disability\n"
WRONG_WIDTH = b"qqq,qqq\n"
BAD_VALUES = b"qqq,qqq,qqq,qqq,qqq,qqq\n"
OTHER_FILES = {
    "assignments.csv": "assignment_id,person_id,organisation_code,start_date\n",
}


def _extract(folder: Path, row: bytes, megabytes: float) -> Path:
    folder.mkdir(parents=True)
    with (folder / "people.csv").open("wb") as handle:
        handle.write(PEOPLE.encode())
        block = row * (1 << 16)
        for _ in range(int(megabytes * (1 << 20) / len(block))):
            handle.write(block)
    for name, text in OTHER_FILES.items():
        (folder / name).write_text(text)
    return folder


def _zip(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    return target


def _import(folder: Path, work: Path, max_problems: int | None) -> tuple[float, int]:
    problems = work / f"problems-{folder.name}.csv"
    started = time.perf_counter()
    import_extract(folder, work / f"store-{folder.name}", problems_file=problems, max_problems=max_problems)
    return time.perf_counter() - started, problems.stat().st_size if problems.exists() else 0


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="cultivate-bench-malformed-") as name:
        work = Path(name)
        wrong = _extract(work / "wrong-width", WRONG_WIDTH, UNPACKED_MB)
        archive = _zip(wrong, work / "wrong-width.zip")
        unpacked = sum(p.stat().st_size for p in wrong.iterdir())
        print(f"bench malformed_zip_kb: {archive.stat().st_size / 1024:.0f} KB", flush=True)
        print(f"bench malformed_unpacked_mb: {unpacked / (1 << 20):.0f} MB", flush=True)
        seconds, _size = _import(wrong, work, MAX_PROBLEMS)
        print(f"bench malformed_wrong_width_bounded_s: {seconds:.2f} s", flush=True)
        bad = _extract(work / "bad-values", BAD_VALUES, UNPACKED_MB)
        seconds, size = _import(bad, work, MAX_PROBLEMS)
        print(f"bench malformed_bad_values_bounded_s: {seconds:.2f} s", flush=True)
        print(f"bench malformed_problems_file_kb: {size / 1024:.0f} KB", flush=True)
        small = _extract(work / "wrong-width-small", WRONG_WIDTH, 1)
        seconds, size = _import(small, work, None)
        print(f"bench malformed_wrong_width_1mb_unbounded_s: {seconds:.2f} s", flush=True)
        print(f"bench malformed_problems_file_1mb_unbounded_kb: {size / 1024:.0f} KB", flush=True)
