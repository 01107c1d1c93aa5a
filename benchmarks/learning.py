"""Learning (issue 12): the organisation's gap analysis and one person's gaps, on a fresh SQLite file database.

A child process (settings `local`, migrated first) builds an organisation of 3,500 workers in 50 teams, in four
support roles whose requirements name 150 competences of one framework, 300 offers developing them (with
sessions in the next six months for most, none for some, and completions), the eleven mandatory subjects, and a
second organisation of 350 workers with the same requirements (so that its rows are in the tables); it then
times:

    bench gap_analysis_org_ms        gaps.organisation_gaps(organisation), median of 7
    bench gap_analysis_org_queries   queries for it, for 3,500 people and for its 500 inpatient staff (equal)
    bench person_gaps_ms             gaps.person_gaps(person), one worker with about 110 requirements, some held
                                     and some expiring, and 11 mandatory subjects, median of 31
    bench training_import_100k_s     a training.csv of 100,000 completions checked and written (the job's work,
                                     in the process: services.training_import_execute)

Run with `python -m benchmarks --only learning`."""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._harness import django_env, run_child

GROUP = "learning"
SEED = 20261206
WORKERS, SMALL_WORKERS, TEAMS = 3500, 350, 50
COMPETENCES, OFFERS = 150, 300
ORG_RUNS, PERSON_RUNS = 7, 31
IMPORT_ROWS = 100_000


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="cultivate-bench-learning-") as temp:
        workdir = Path(temp)
        env = django_env(workdir, workdir / "learning.sqlite3")
        measured = run_child("benchmarks.learning", "measure", env=env)
        print(f"bench learning_workers: {measured['workers']} people in post", flush=True)
        print(f"bench learning_competences: {measured['competences']} required competences", flush=True)
        print(f"bench learning_offers: {measured['offers']} offers", flush=True)
        print(f"bench machine_load_average: {measured['load']:.1f} (on {os.cpu_count()} cores)", flush=True)
        print(f"bench gap_analysis_org_ms: {measured['org_median_ms']:.1f} ms", flush=True)
        print(f"bench gap_analysis_org_cpu_ms: {measured['org_cpu_median_ms']:.1f} ms", flush=True)
        print(
            f"bench gap_analysis_org_queries: {measured['org_queries']} queries "
            f"({measured['small_queries']} for its {measured['small_people']} inpatient staff)",
            flush=True,
        )
        print(f"bench person_gaps_requirements: {measured['person_requirements']} requirements", flush=True)
        print(f"bench person_gaps_ms: {measured['person_median_ms']:.2f} ms", flush=True)
        print(f"bench person_gaps_cpu_ms: {measured['person_cpu_median_ms']:.2f} ms", flush=True)
        print(f"bench person_gaps_queries: {measured['person_queries']} queries", flush=True)
        report = measured["import_report"]
        print(
            f"bench training_import_rows: {report['rows']} rows ({report['written']} written, "
            f"{report['already']} repeated in the file)",
            flush=True,
        )
        print(f"bench training_import_100k_s: {measured['import_seconds']:.1f} s", flush=True)
        print(f"bench training_import_100k_cpu_s: {report['cpu_seconds']:.1f} s", flush=True)
        if measured["org_queries"] != measured["small_queries"]:
            raise RuntimeError("The gap analysis' query count grows with the number of people.")


# Below runs in the child process, with Django set up on the benchmark's own database.


def _build() -> dict[str, Any]:
    import datetime as dt
    import random
    from decimal import Decimal

    from django.utils import timezone

    from cultivate.frameworks.models import Competence, Framework, FrameworkVersion, RoleRequirement
    from cultivate.learning.models import (
        Completion,
        MandatoryRequirement,
        MandatorySubject,
        Offer,
        OfferCompetence,
        Session,
    )
    from cultivate.learning.reference import cstf_subjects
    from cultivate.organisations.models import (
        EmploymentSpell,
        Organisation,
        Person,
        Site,
        SupportRole,
        Team,
        TeamSetting,
    )
    from cultivate.portfolio.models import Assessment

    rng = random.Random(SEED)
    today = timezone.localdate()
    framework = Framework.objects.create(title="Benchmark framework")
    version = FrameworkVersion.objects.create(
        framework=framework, number=1, status="published", published_at=timezone.now()
    )
    competences = [
        Competence.objects.create(
            version=version, framework=framework, code=f"B{n}", title=f"Competence {n}", sequence=n
        )
        for n in range(COMPETENCES)
    ]
    roles = [SupportRole.objects.create(name=f"Bench role {n}", category="HCA and similar") for n in range(4)]

    def organisation(code: str, workers: int) -> tuple[Organisation, list[int]]:
        org = Organisation.objects.create(ods_code=code, name=f"Trust {code}", kind="mental_health")
        site = Site.objects.create(organisation=org, name="Main")
        settings = list(TeamSetting.values)
        teams = Team.objects.bulk_create(
            [
                Team(organisation=org, site=site, name=f"Team {n}", setting=settings[n % len(settings)])
                for n in range(TEAMS)
            ]
        )
        people = Person.objects.bulk_create(
            [Person(organisation=org, staff_id=f"{code}{n:05d}", family_name=f"P{n}") for n in range(workers)]
        )
        EmploymentSpell.objects.bulk_create(
            [
                EmploymentSpell(
                    person=person,
                    assignment_id=f"A{person.pk}",
                    team=teams[n % TEAMS],
                    role=roles[n % 4],
                    afc_band=rng.choice("234"),
                    fte=Decimal("1"),
                    start_date=today - dt.timedelta(days=rng.randrange(30, 2000)),
                )
                for n, person in enumerate(people)
            ]
        )
        RoleRequirement.objects.bulk_create(
            [
                RoleRequirement(
                    organisation=org,
                    role=role,
                    competence=competence,
                    min_level="independent" if n % 3 else "supervised",
                    within_days=365 if n % 2 else None,
                )
                for r, role in enumerate(roles)
                for n, competence in enumerate(competences)
                if (n + r) % 4 != 0
            ]
        )
        subjects = MandatorySubject.objects.bulk_create(
            [
                MandatorySubject(
                    organisation=org, code=s.code, name=s.name, renewal_months=s.suggested_renewal_months
                )
                for s in cstf_subjects()
            ]
        )
        MandatoryRequirement.objects.bulk_create([MandatoryRequirement(subject=s) for s in subjects])
        return org, [p.pk for p in people]

    org, people = organisation("RBN", WORKERS)
    small, _small_people = organisation("RBS", SMALL_WORKERS)
    offers = Offer.objects.bulk_create(
        [
            Offer(
                organisation=org,
                code=f"offer-{n}",
                title=f"Offer {n}",
                kind="internal_course",
                provider="L&D",
                mode="classroom",
                hours=Decimal("3"),
                cost_per_place=Decimal("50"),
                capacity=None if n % 10 == 0 else 12,
            )
            for n in range(OFFERS)
        ]
    )
    # Most competences have one or two offers; 15 have none (gaps).
    OfferCompetence.objects.bulk_create(
        [
            OfferCompetence(offer=offer, competence=competences[(n * 7 + k) % (COMPETENCES - 15)])
            for n, offer in enumerate(offers)
            for k in range(rng.randint(1, 3))
        ],
        ignore_conflicts=True,
    )
    now = timezone.now()
    Session.objects.bulk_create(
        [
            Session(
                offer=offer,
                starts_at=now + dt.timedelta(days=rng.randrange(3, 170)),
                ends_at=now + dt.timedelta(days=200),
                capacity=12,
            )
            for n, offer in enumerate(offers)
            if n % 4
        ]
    )
    Completion.objects.bulk_create(
        [
            Completion(
                person_id=rng.choice(people),
                offer=offer,
                completed_on=today - dt.timedelta(days=rng.randrange(1, 700)),
                hours=Decimal("3"),
            )
            for offer in offers
            for _ in range(rng.randrange(0, 4))
        ]
    )
    # The person whose gaps are timed: some competences held, some expiring, some mandatory subjects done.
    person = people[1]
    subjects = list(MandatorySubject.objects.filter(organisation=org))
    Completion.objects.bulk_create(
        [
            Completion(
                person_id=person,
                subject=s,
                completed_on=today - dt.timedelta(days=rng.randrange(1, 900)),
                hours=Decimal("1"),
            )
            for s in subjects
        ]
    )
    for n, competence in enumerate(competences[:60]):
        Assessment.objects.create(
            person_id=person,
            competence=competence,
            framework=framework,
            competence_identifier=competence.identifier,
            content_hash=competence.content_hash,
            level="independent" if n % 2 else "supervised",
            level_rank=2 if n % 2 else 1,
            assessed_on=today - dt.timedelta(days=300),
            expires_on=today + dt.timedelta(days=rng.randrange(10, 400)),
            assessor_name="Bench Assessor",
            registration_body="NMC",
            registration_pin="12A3456E",
        )
    return {"org": org.pk, "small": small.pk, "person": person, "workers": len(people)}


def _median_ms(fn: Any, runs: int) -> tuple[float, float]:
    """Median wall-clock and CPU milliseconds: on a busy shared machine the wall time includes waiting for a
    core, which the process's CPU time leaves out."""
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def _import_100k(org: Any) -> tuple[float, dict[str, Any]]:
    """Write a training.csv of IMPORT_ROWS completions and time its import (check every row, then write)."""
    import csv
    import datetime as dt
    import random

    from django.conf import settings
    from django.utils import timezone

    from cultivate.learning import services
    from cultivate.learning.models import TrainingImport

    rng = random.Random(SEED + 1)
    staff = list(org.people.values_list("staff_id", flat=True))
    codes = list(org.offers.values_list("code", flat=True))
    today = timezone.localdate()
    folder = Path(settings.MEDIA_ROOT) / "training-imports"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "bench.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["person_id", "course_code", "course_title", "completed_on", "mandatory", "hours", "cost_gbp"]
        )
        for _ in range(IMPORT_ROWS):
            day = today - dt.timedelta(days=rng.randrange(1, 3 * 365))
            writer.writerow(
                [rng.choice(staff), rng.choice(codes), "A course", day.isoformat(), "N", "3", "50.00"]
            )
    record = TrainingImport.objects.create(
        organisation=org, path="training-imports/bench.csv", file_name="bench.csv"
    )
    started, started_cpu = time.perf_counter(), time.process_time()
    done = services.training_import_execute(record_id=record.pk)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - started_cpu
    if done.status != "succeeded":
        raise RuntimeError(f"the import did not succeed: {done.status} {done.problems[:3]}")
    return seconds, {**done.report, "cpu_seconds": cpu_seconds}


def _measure() -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cultivate.learning import gaps, selectors
    from cultivate.organisations.models import Organisation, Person
    from cultivate.portfolio import status

    built = _build()
    org = Organisation.objects.get(pk=built["org"])
    person = Person.objects.select_related("organisation").get(pk=built["person"])
    lines = gaps.organisation_gaps(org)  # warm up
    with CaptureQueriesContext(connection) as big:
        gaps.organisation_gaps(org)
    with CaptureQueriesContext(connection) as few:
        # The same organisation's inpatient teams: a seventh of the people, the same offers.
        gaps.organisation_gaps(org, setting="inpatient")
    org_ms, org_cpu_ms = _median_ms(lambda: gaps.organisation_gaps(org), ORG_RUNS)
    gaps.person_gaps(person)
    with CaptureQueriesContext(connection) as one:
        gaps.person_gaps(person)
    person_ms, person_cpu_ms = _median_ms(lambda: gaps.person_gaps(person), PERSON_RUNS)
    import_seconds, import_report = _import_100k(org)
    return {
        "import_seconds": import_seconds,
        "import_report": import_report,
        "workers": built["workers"],
        "competences": len(lines),
        "offers": org.offers.count(),
        "org_median_ms": org_ms,
        "org_cpu_median_ms": org_cpu_ms,
        "load": os.getloadavg()[0],
        "org_queries": len(big.captured_queries),
        "small_queries": len(few.captured_queries),
        "small_people": len(selectors.people_in_organisation(org, setting="inpatient")),
        "person_requirements": len(status.requirements_for([person.pk])[person.pk]),
        "person_median_ms": person_ms,
        "person_cpu_median_ms": person_cpu_ms,
        "person_queries": len(one.captured_queries),
    }


if __name__ == "__main__":
    if sys.argv[1:] == ["measure"]:
        print(json.dumps(_measure()), flush=True)
    else:
        raise SystemExit(
            "usage: python -m benchmarks.learning measure (or python -m benchmarks --only learning)"
        )
