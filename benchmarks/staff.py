"""Staff import and staff list.

The parent generates a deterministic ESR-style extract (100,000 spells, 30,000 people), then runs each measurement
in a child process on a fresh SQLite file database (settings `local`, migrated first), so every run starts cold and
the child's peak resident memory is its own.

    bench staff_import_100k_spells_s    median of 3 imports (check + write), each on a fresh database
    bench staff_import_peak_rss_mb      the largest ru_maxrss of those children
    bench staff_import_longest_write_transaction_ms
                                        the longest the write transaction was open in those imports: on SQLite
                                        every other writer waits that long (ADR 0017)
    bench staff_import_write_transaction_cpu_ms
                                        the processor time spent in it: on a busy machine, wall time is longer
    bench staff_list_median_ms          GET /organisations/<ODS>/staff/?band=3&status=current, 3,500 people
    bench staff_list_queries            queries for that page; the same for page sizes 25 and 100
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks._harness import django_env, run_child

GROUP = "staff"
SEED = 20260401
ODS_CODE = "RXB"
IMPORT_PEOPLE, IMPORT_SPELLS, IMPORT_RUNS = 30_000, 100_000, 3
LIST_PEOPLE, LIST_SPELLS, LIST_REQUESTS = 3_500, 11_700, 25
# The extract's "today": spells are laid out before it, so who is in post does not depend on the day it runs.
EXTRACT_DAY = dt.date(2025, 3, 31)

GIVEN = [
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Ewa",
    "Femi",
    "Grace",
    "Hamza",
    "Isla",
    "Jon",
    "Kofi",
    "Lena",
    "Mo",
    "Nia",
    "Owen",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Vik",
    "Wren",
    "Yusuf",
    "Zara",
]
FAMILY = [
    "Adeyemi",
    "Brown",
    "Chen",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Murphy",
    "Nowak",
    "Okafor",
    "Patel",
    "Roberts",
    "Singh",
    "Taylor",
    "Walsh",
    "Williams",
    "Wood",
]
TITLES = [
    "Healthcare Assistant",
    "Health Care Assistant",
    "Nursing Assistant",
    "Healthcare Support Worker",
    "Senior Healthcare Support Worker",
    "Mental Health Support Worker",
    "Support Worker",
    "Recovery Worker",
    "Occupational Therapy Assistant",
    "Activity Coordinator",
    "Peer Support Worker",
    "Assistant Practitioner",
    "Nursing Associate",
    "Trainee Nursing Associate",
    "Assistant Psychologist",
    "Ward Clerk",
    "Housekeeper",
]
BANDS = (["2", "3", "4", "5", "6", "7", "8a", "NA"], [28, 36, 18, 8, 4, 2, 1, 3])
CONTRACTS = (["Permanent", "Fixed Term Temp", "Bank", "Locum"], [80, 8, 10, 2])
FTES = (["1.0", "0.8", "0.6", "0.5", "0.4", "0.2667"], [55, 15, 10, 10, 7, 3])
REASONS = [
    "Voluntary Resignation - Work Life Balance",
    "Voluntary Resignation - Promotion",
    "Retirement Age",
    "End of Fixed Term Contract",
    "Voluntary Resignation - Relocation",
    "Dismissal - Capability",
]
PEOPLE_HEADER = [
    "person_id",
    "birth_year",
    "sex",
    "ethnic_category",
    "disability",
    "religion",
    "sexual_orientation",
    "nationality",
    "given_name",
    "family_name",
    "email",
]
ASSIGNMENTS_HEADER = [
    "assignment_id",
    "person_id",
    "organisation_code",
    "team",
    "occupation_code",
    "job_role",
    "job_title",
    "afc_band",
    "staff_group",
    "area_of_work",
    "contract_type",
    "fte",
    "start_date",
    "end_date",
    "leaving_reason",
    "line_manager_person_id",
]


def generate(folder: Path, *, people: int, spells: int, seed: int) -> None:
    """people.csv and assignments.csv: every person has at least one spell, the rest are shared out at random;
    a person's spells follow one another without overlap, and the last is current or ends with a reason."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    per_person = [1] * people
    for _ in range(spells - people):
        per_person[rng.randrange(people)] += 1
    teams = (
        [f"Ward {n}" for n in range(1, 61)]
        + [f"Community Team {n}" for n in range(1, 41)]
        + [f"Crisis Team {n}" for n in range(1, 21)]
    )
    ids = [f"P{n:06d}" for n in range(people)]
    with (folder / "people.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(PEOPLE_HEADER)
        for n, person_id in enumerate(ids):
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            writer.writerow(
                [
                    person_id,
                    rng.randint(1958, 2005),
                    rng.choice("FFFMMXU"),
                    rng.choice("AAAAABCDGHJKLMNPRSZ") if rng.random() < 0.95 else "99",
                    rng.choice("NNNNYU"),
                    rng.choice(["", "Christian", "None", "Muslim"]),
                    rng.choice(["", "Heterosexual", "Gay or Lesbian", "Bisexual"]),
                    rng.choice(["", "British", "Irish"]),
                    given,
                    family,
                    f"{given}.{family}.{n}@example.nhs.uk".lower(),
                ]
            )
    earliest = dt.date(2006, 1, 1)
    with (folder / "assignments.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ASSIGNMENTS_HEADER)
        for n, person_id in enumerate(ids):
            count = per_person[n]
            start = earliest + dt.timedelta(days=rng.randrange(0, 5500))
            span = (EXTRACT_DAY - start).days
            cuts = sorted(rng.sample(range(1, span), count - 1))
            starts = [start] + [start + dt.timedelta(days=c) for c in cuts]
            leaves = rng.random() < 0.3
            team, title = rng.choice(teams), rng.choice(TITLES)
            for j, begins in enumerate(starts):
                last = j == count - 1
                if not last:
                    ends: dt.date | None = starts[j + 1] - dt.timedelta(days=1)
                elif leaves:
                    ends = begins + dt.timedelta(days=rng.randrange(0, (EXTRACT_DAY - begins).days + 1))
                else:
                    ends = None
                if rng.random() < 0.3:
                    team, title = rng.choice(teams), rng.choice(TITLES)
                manager = ids[rng.randrange(people)] if rng.random() < 0.3 else ""
                writer.writerow(
                    [
                        f"AS{n:06d}{j:02d}",
                        person_id,
                        ODS_CODE,
                        team,
                        "H1D",
                        "Healthcare Assistant",
                        title,
                        rng.choices(*BANDS)[0],
                        "Support to doctors, nurses & midwives",
                        "Mental Health",
                        rng.choices(*CONTRACTS)[0],
                        rng.choices(*FTES)[0],
                        begins.isoformat(),
                        ends.isoformat() if ends else "",
                        rng.choice(REASONS) if last and ends else "",
                        manager if manager != person_id else "",
                    ]
                )


def _child(command: str, workdir: Path, *args: str) -> dict[str, Any]:
    database = workdir / f"{command}-{len(list(workdir.glob('*.sqlite3')))}.sqlite3"
    return run_child("benchmarks.staff", command, *args, env=django_env(workdir, database))


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="cultivate-bench-") as temp:
        workdir = Path(temp)
        extract = workdir / "extract"
        generate(extract, people=IMPORT_PEOPLE, spells=IMPORT_SPELLS, seed=SEED)
        print(f"bench staff_import_rows: {IMPORT_SPELLS} spells", flush=True)
        print(f"bench staff_import_people: {IMPORT_PEOPLE} people", flush=True)
        runs = [_child("import", workdir, str(extract)) for _ in range(IMPORT_RUNS)]
        seconds = [r["seconds"] for r in runs]
        print(f"bench staff_import_runs_s: {' '.join(f'{s:.1f}' for s in seconds)} s", flush=True)
        print(f"bench staff_import_100k_spells_s: {statistics.median(seconds):.1f} s", flush=True)
        print(f"bench staff_import_peak_rss_mb: {max(r['rss_mb'] for r in runs):.0f} MB", flush=True)
        longest = max(r["write_ms"] for r in runs)
        print(f"bench staff_import_longest_write_transaction_ms: {longest:.0f} ms", flush=True)
        cpu = max(r["write_cpu_ms"] for r in runs)
        print(f"bench staff_import_write_transaction_cpu_ms: {cpu:.0f} ms", flush=True)
        print(f"bench staff_import_queries: {max(r['queries'] for r in runs)} queries", flush=True)
        listing = _child("staff-list", workdir)
        print(f"bench staff_list_people: {listing['people']} people", flush=True)
        print(f"bench staff_list_matches: {listing['matches']} people", flush=True)
        print(f"bench staff_list_median_ms: {listing['median_ms']:.1f} ms", flush=True)
        print(f"bench staff_list_page2_median_ms: {listing['page2_median_ms']:.1f} ms", flush=True)
        print(f"bench staff_list_queries: {listing['queries']} queries", flush=True)
        print(f"bench staff_list_queries_page2: {listing['queries_page2']} queries", flush=True)
        print(f"bench staff_list_queries_page25: {listing['queries_page25']} queries", flush=True)
        print(f"bench staff_list_queries_page100: {listing['queries_page100']} queries", flush=True)
        if len({listing["queries"], listing["queries_page25"], listing["queries_page100"]}) != 1:
            raise RuntimeError("The staff list's query count changes with the page size: a query per row.")


# Below runs in the child process, with Django set up on its own fresh database.


def _setup() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _import_child(extract: str) -> dict[str, Any]:
    import resource
    import time

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cultivate.core.audit import AuditContext
    from cultivate.organisations.models import Organisation
    from cultivate.organisations.staff_import import staff_import_run

    organisation = Organisation.objects.create(
        ods_code=ODS_CODE, name="Benchmark Trust", kind="mental_health"
    )
    folder = Path(extract)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        outcome = staff_import_run(
            organisation=organisation,
            people_path=folder / "people.csv",
            assignments_path=folder / "assignments.csv",
            ctx=AuditContext.system("benchmark"),
            source="benchmark",
        )
    seconds = time.perf_counter() - started
    if not outcome.ok:
        raise SystemExit("\n".join(str(p) for p in outcome.problems[:20]))
    return {
        "seconds": seconds,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # kilobytes on Linux
        "queries": len(queries.captured_queries),
        "write_ms": outcome.write_ms,
        "write_cpu_ms": outcome.write_cpu_ms,
        "counts": outcome.counts,
    }


def _staff_list_child() -> dict[str, Any]:
    import time

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cultivate.accounts.models import Membership, Role, User
    from cultivate.core.audit import AuditContext
    from cultivate.organisations import selectors
    from cultivate.organisations.models import Organisation, Person
    from cultivate.organisations.staff_import import staff_import_run

    organisation = Organisation.objects.create(
        ods_code=ODS_CODE, name="Benchmark Trust", kind="mental_health"
    )
    with tempfile.TemporaryDirectory(prefix="cultivate-bench-list-") as temp:
        folder = Path(temp)
        generate(folder, people=LIST_PEOPLE, spells=LIST_SPELLS, seed=SEED + 1)
        outcome = staff_import_run(
            organisation=organisation,
            people_path=folder / "people.csv",
            assignments_path=folder / "assignments.csv",
            ctx=AuditContext.system("benchmark"),
            source="benchmark",
        )
    if not outcome.ok:
        raise SystemExit("\n".join(str(p) for p in outcome.problems[:20]))
    admin = User.objects.create_user(
        email="bench-admin@example.nhs.uk", password=None, full_name="Bench Admin"
    )
    Membership.objects.create(user=admin, role=Role.ORG_ADMIN, organisation=organisation)
    client = Client()
    client.force_login(admin)
    url = f"/organisations/{ODS_CODE}/staff/?band=3&status=current"
    page2 = url + "&page=2"

    def timed(path: str) -> list[float]:
        for _ in range(2):  # warm the template cache and the connection
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"GET {path} answered {response.status_code}")
        times = []
        for _ in range(LIST_REQUESTS):
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        return times

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        return len(captured.captured_queries)

    first, second = timed(url), timed(page2)
    counts = {"queries": queries(url), "queries_page2": queries(page2)}
    default_size = selectors.STAFF_PAGE_SIZE
    for size in (25, 100):
        selectors.STAFF_PAGE_SIZE = size  # the view reads the module's constant on each request
        counts[f"queries_page{size}"] = queries(url)
    selectors.STAFF_PAGE_SIZE = default_size
    return {
        "people": Person.objects.filter(organisation=organisation).count(),
        "matches": _matches(organisation),
        "median_ms": statistics.median(first),
        "page2_median_ms": statistics.median(second),
        **counts,
    }


def _matches(organisation: Any) -> int:
    from django.utils import timezone

    from cultivate.organisations.models import EmploymentSpell

    return (
        EmploymentSpell.objects.active_on(timezone.localdate())
        .filter(person__organisation=organisation, afc_band="3")
        .values("person")
        .distinct()
        .count()
    )


def _child_main(argv: list[str]) -> None:
    command, *args = argv
    _setup()  # before any model is imported
    if command == "import":
        result = _import_child(*args)
    elif command == "staff-list":
        result = _staff_list_child()
    else:
        raise SystemExit(f"unknown benchmark child command {command!r}")
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    _child_main(sys.argv[1:])
