"""Credentials: issuing certificates and verifying one (issue 11's figures).

One child process (settings `local`, a fresh SQLite file database, migrated first) makes an organisation with
1,000 people and issues each a programme certificate the way closing cohorts does: the programmes app's completion
hook calls the credentials listener with 1,000 completions inside the closing's transaction (each certificate
signed with eddsa-rdfc-2022, given a status-list bit, stored and audited). Three runs, each on a fresh issuer key.
Then it verifies one credential as the public page does (proof, issuer, status list, dates) 50 times.

    bench credentials_issued               certificates per run
    bench credentials_issue_1000_s         median wall time of the 3 runs
    bench credentials_issue_1000_cpu_s     the same in processor time (the host is shared)
    bench credential_verify_runs           verifications timed
    bench credential_verify_median_ms      median time of one verification
    bench credential_verify_cpu_median_ms  the median in processor time
    bench credential_verify_p90_ms         90th percentile

The programmes group prints the same figures (`make bench ONLY=programmes`) by calling `run()` here.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._harness import django_env, run_child

GROUP = "credentials"
PEOPLE, RUNS, VERIFY_RUNS = 1_000, 3, 50


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="cultivate-bench-credentials-") as temp:
        workdir = Path(temp)
        env = django_env(workdir, workdir / "credentials.sqlite3")
        measured = run_child("benchmarks.credentials", "measure", env=env)
    print(f"bench credentials_issued: {PEOPLE} certificates per run, {RUNS} runs", flush=True)
    print(f"bench credentials_issue_1000_s: {measured['issue_s']:.1f} s", flush=True)
    print(f"bench credentials_issue_1000_cpu_s: {measured['issue_cpu_s']:.1f} s", flush=True)
    print(f"bench credential_verify_runs: {VERIFY_RUNS}", flush=True)
    print(f"bench credential_verify_median_ms: {measured['verify_median_ms']:.1f} ms", flush=True)
    print(f"bench credential_verify_cpu_median_ms: {measured['verify_cpu_median_ms']:.1f} ms", flush=True)
    print(f"bench credential_verify_p90_ms: {measured['verify_p90_ms']:.1f} ms", flush=True)


def _measure() -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from django.db import transaction

    from cultivate.core.audit import AuditContext
    from cultivate.credentials import completion, verification
    from cultivate.credentials.models import IssuedCredential, IssuerKey
    from cultivate.organisations.models import Organisation, Person
    from cultivate.programmes.completion import ProgrammeCompletion

    organisation = Organisation.objects.create(ods_code="RBN", name="Bench Trust")
    people = Person.objects.bulk_create(
        Person(organisation=organisation, staff_id=f"B{n:06d}", given_name="Worker", family_name=f"{n}")
        for n in range(PEOPLE)
    )
    ctx = AuditContext.system("benchmark")
    times, cpu_times = [], []
    for run_number in range(RUNS):
        # Each run on a fresh issuer key, so every run allocates the same bits.
        IssuerKey.objects.filter(retired_at__isnull=True).update(retired_at=timezone.now())
        completions = [
            ProgrammeCompletion(
                participant_id=run_number * PEOPLE + number,
                person_id=person.pk,
                programme_id=1,
                cohort_id=number // 20,
                issuer_organisation_id=organisation.pk,
                issuer_alliance_id=None,
                title="Developing Healthcare Talent",
                description="A 14-week development programme for clinical support workers.",
                criteria="Attended at least 80% of sessions and completed both self-assessments.",
                completed_on=timezone.localdate(),
                hours=42.0,
                competence_identifiers=(),
            )
            for number, person in enumerate(people)
        ]
        started, cpu_started = time.perf_counter(), time.process_time()
        with transaction.atomic():
            completion.issue_certificates(ctx, completions)
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu_started)
    credential = IssuedCredential.objects.order_by("pk").first()
    assert credential is not None
    verify_times, verify_cpu = [], []
    for _ in range(VERIFY_RUNS):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = verification.verify(credential.document, now=timezone.now())
        verify_times.append((time.perf_counter() - started) * 1000)
        verify_cpu.append((time.process_time() - cpu_started) * 1000)
        assert result.is_valid, result
    verify_times.sort()
    return {
        "issue_s": statistics.median(times),
        "issue_cpu_s": statistics.median(cpu_times),
        "verify_median_ms": statistics.median(verify_times),
        "verify_cpu_median_ms": statistics.median(verify_cpu),
        "verify_p90_ms": verify_times[int(len(verify_times) * 0.9) - 1],
    }


if __name__ == "__main__":
    if sys.argv[1:] == ["measure"]:
        print(json.dumps(_measure()))
