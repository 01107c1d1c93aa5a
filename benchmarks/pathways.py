"""Readiness (cultivate/pathways/readiness.py) for one worker and for a whole organisation.

A child process (settings `local`, a fresh SQLite file database, migrated first) loads the reference pathways,
adds an organisation pathway with a competence requirement (so competence status is read through
`portfolio.status`), and builds an organisation of 3,500 people in post with spells, qualifications (confirmed
and waiting), functional skills results, managers' support and sign-offs. It then times:

    bench readiness_worker_ms        one worker against every step of every pathway, median of 25 (selector
                                     `person_readiness`, as the page and the API call it)
    bench readiness_worker_queries   queries for that
    bench readiness_org_s            every worker in post against every step, median of 3
                                     (`organisation_readiness`, as "Who is ready" calls it)
    bench readiness_org_queries      queries for that
    (each timing has a `_cpu` twin: the process's CPU time, which a busy shared machine inflates less)
    bench readiness_org_people       people in post; readiness_steps: steps evaluated per person
    bench progression_org_s          do ready people progress: readiness of everyone in post a year ago as of
                                     then, and their band and role moves since (one run; `_cpu`, `_queries`)

Run with `python -m benchmarks --only pathways`."""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._harness import django_env, run_child

GROUP = "pathways"
SEED = 20261206
PEOPLE = 3_500
WORKER_RUNS, ORG_RUNS = 25, 3


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="cultivate-bench-pathways-") as temp:
        workdir = Path(temp)
        env = django_env(workdir, workdir / "pathways.sqlite3")
        measured = run_child("benchmarks.pathways", "measure", env=env)
    for name, value in measured.items():
        print(f"bench {name} {value}")


def _build(rng: random.Random) -> dict[str, Any]:
    import datetime as dt

    from django.utils import timezone

    from cultivate.accounts.models import Membership, Role, User
    from cultivate.organisations.models import Alliance, EmploymentSpell, Organisation, Person, Team
    from cultivate.pathways import services
    from cultivate.pathways.models import (
        ManagerSupport,
        Pathway,
        Qualification,
        QualificationKind,
        QualificationStatus,
        SkillsResult,
        Step,
        StepRequirement,
    )
    from cultivate.portfolio.tests.portfolio_factories import make_assessment, make_competence, make_framework

    services.reference_load()
    alliance = Alliance.objects.create(name="Bench alliance", code="bench")
    organisation = Organisation.objects.create(
        ods_code="RBX", name="Bench trust", kind="mental_health", alliance=alliance
    )
    teams = [Team.objects.create(organisation=organisation, name=f"Ward {n}") for n in range(40)]
    people = Person.objects.bulk_create(
        Person(organisation=organisation, staff_id=f"S{n:06d}", given_name="Sam", family_name=f"Worker{n}")
        for n in range(PEOPLE)
    )
    today = timezone.localdate()
    spells = []
    for n, person in enumerate(people):
        start = today - dt.timedelta(days=rng.randint(30, 3000))
        spells.append(
            EmploymentSpell(
                person=person,
                assignment_id=f"A{n:07d}",
                team=teams[n % len(teams)],
                job_title="Healthcare assistant",
                afc_band=rng.choice(["2", "3", "3", "4"]),
                fte="1.00",
                start_date=start,
            )
        )
    EmploymentSpell.objects.bulk_create(spells)
    kinds = [
        QualificationKind.CARE_CERTIFICATE,
        QualificationKind.GCSE_ENGLISH,
        QualificationKind.FS_MATHS_L2,
        QualificationKind.DIPLOMA_L3,
    ]
    qualifications = []
    for person in people:
        for kind in rng.sample(kinds, rng.randint(0, 3)):
            confirmed = rng.random() < 0.8
            qualifications.append(
                Qualification(
                    person=person,
                    kind=kind,
                    awarded_on=dt.date(2022, 1, 1),
                    evidence="Certificate",
                    status=QualificationStatus.CONFIRMED if confirmed else QualificationStatus.RECORDED,
                    confirmed_at=timezone.now() if confirmed else None,
                )
            )
    Qualification.objects.bulk_create(qualifications)
    results = [
        SkillsResult(
            person=person,
            subject=subject,
            level=rng.choice(["E3", "L1", "L2"]),
            assessed_on=dt.date(2026, 1, 5),
            reassess_on=dt.date(2026, 7, 5),
        )
        for person in people
        for subject in ("english", "maths")
        if rng.random() < 0.5
    ]
    SkillsResult.objects.bulk_create(results)
    manager = User.objects.create_user(email="manager@bench.nhs.uk", password=None, full_name="M")
    Membership.objects.create(user=manager, role=Role.LINE_MANAGER, organisation=organisation)
    tna = Step.objects.get(code="trainee-nursing-associate", pathway__owner_organisation=None)
    ManagerSupport.objects.bulk_create(
        ManagerSupport(person=person, step=tna, given_by=manager, given_on=today)
        for person in people
        if rng.random() < 0.3
    )
    # An organisation pathway whose first step needs two competences signed off.
    framework = make_framework("Bench framework", owner_organisation=organisation)
    competences = [make_competence(framework, f"Competence {n}") for n in range(2)]
    local = Pathway.objects.create(code="local", title="Local route", owner_organisation=organisation)
    step = Step.objects.create(pathway=local, code="senior", title="Senior support worker", band="3")
    for competence in competences:
        StepRequirement.objects.create(
            step=step,
            kind="competence",
            framework=framework,
            competence_identifier=competence.identifier,
            evidenced_by="A sign-off",
        )
    for person in rng.sample(people, 300):
        make_assessment(person, competences[0])
    worker = people[0]
    return {"organisation": organisation, "worker": worker}


def _measure() -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    world = _build(random.Random(SEED))
    from cultivate.pathways import selectors

    worker, organisation = world["worker"], world["organisation"]
    timings, cpu_timings = [], []
    for _ in range(WORKER_RUNS):
        started, cpu = time.perf_counter(), time.process_time()
        found = selectors.person_readiness(worker, None)
        timings.append((time.perf_counter() - started) * 1000)
        cpu_timings.append((time.process_time() - cpu) * 1000)
    steps = sum(len(results) for _pathway, results in found)
    with CaptureQueriesContext(connection) as captured:
        selectors.person_readiness(worker, None)
    worker_queries = len(captured.captured_queries)
    org_timings, org_cpu = [], []
    for _ in range(ORG_RUNS):
        started, cpu = time.perf_counter(), time.process_time()
        org_steps, people, _found = selectors.organisation_readiness(organisation, None)
        org_timings.append(time.perf_counter() - started)
        org_cpu.append(time.process_time() - cpu)
    with CaptureQueriesContext(connection) as captured:
        selectors.organisation_readiness(organisation, None)
    org_queries = len(captured.captured_queries)
    from cultivate.pathways import progression

    started, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as captured:
        progression.organisation_progression(organisation)
    progression_s, progression_cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "readiness_worker_ms": round(statistics.median(timings), 1),
        "readiness_worker_cpu_ms": round(statistics.median(cpu_timings), 1),
        "readiness_worker_queries": worker_queries,
        "readiness_steps": steps,
        "readiness_org_s": round(statistics.median(org_timings), 2),
        "readiness_org_cpu_s": round(statistics.median(org_cpu), 2),
        "readiness_org_queries": org_queries,
        "readiness_org_people": len(people),
        "readiness_org_steps": len(org_steps),
        "progression_org_s": round(progression_s, 2),
        "progression_org_cpu_s": round(progression_cpu, 2),
        "progression_org_queries": len(captured.captured_queries),
    }


if __name__ == "__main__":
    if sys.argv[1:] == ["measure"]:
        print(json.dumps(_measure()))
    else:
        run()
