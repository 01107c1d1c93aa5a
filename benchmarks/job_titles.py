"""Job titles → role catalogue (cultivate/insights/job_titles.py) at the size of a national extract.

Generates 100,000 distinct free-text titles the way ESR holds them (bands, shifts, ward and team names, case,
abbreviations, one typo in about a third of them, and registered and non-support titles), then maps them all with a
fresh matcher built from the reference files, so normalisation and fuzzy caches start cold.

    bench job_titles_distinct             the number of distinct titles mapped
    bench job_titles_map_100k_s           median of 3 cold runs (wall clock)
    bench job_titles_map_100k_cpu_s       the same in CPU time
    bench job_titles_mapped_share         share of titles mapped to a role (alias, exact or fuzzy)
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections import Counter

GROUP = "job_titles"
SEED = 20260402
DISTINCT = 100_000
RUNS = 3

OTHER_TITLES = (
    "Staff Nurse",
    "Registered Mental Health Nurse",
    "Charge Nurse",
    "Ward Manager",
    "Occupational Therapist",
    "Clinical Psychologist",
    "Psychological Wellbeing Practitioner",
    "Consultant Psychiatrist",
    "Ward Clerk",
    "Administrator",
    "Domestic Assistant",
    "Porter",
    "Pharmacy Technician",
    "Social Worker",
    "Care Coordinator",
)
PREFIXES = ("", "", "", "Band 2 ", "Band 3 ", "Band 4 ", "B3 ", "Snr ", "Senior ", "Trainee ", "Apprentice ")
SUFFIXES = (
    "",
    " - Nights",
    " (Bank)",
    " - CMHT",
    " (MH)",
    " - Older Adults",
    " - Crisis Team",
    " (Fixed Term)",
    " - Inpatients",
    " PICU",
)
WARDS = (
    "Ash",
    "Beech",
    "Birch",
    "Cedar",
    "Elm",
    "Hazel",
    "Holly",
    "Juniper",
    "Larch",
    "Maple",
    "Oak",
    "Rowan",
    "Willow",
    "Yew",
    "Lavender",
    "Heather",
    "Bluebell",
    "Foxglove",
    "Primrose",
    "Daisy",
)


def _typo(rng: random.Random, title: str) -> str:
    words = title.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 6]
    if not long_words:
        return title
    i = rng.choice(long_words)
    word = words[i]
    at = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        word = word[:at] + word[at + 1 :]
    elif kind == 1:
        word = word[:at] + word[at] + word[at:]
    else:
        word = word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]
    words[i] = word
    return " ".join(words)


def generate(n: int = DISTINCT, seed: int = SEED) -> list[str]:
    from cultivate.organisations import reference

    rng = random.Random(seed)
    bases = [row["title"] for row in reference.job_title_aliases()]
    bases += [row["role"] for row in reference.support_roles()]
    bases += list(OTHER_TITLES)
    titles: dict[str, None] = {}
    while len(titles) < n:
        title = rng.choice(PREFIXES) + rng.choice(bases) + rng.choice(SUFFIXES)
        where = rng.random()
        if where < 0.4:
            title += f" - Ward {rng.randint(1, 60)}"
        elif where < 0.7:
            title += f" ({rng.choice(WARDS)} Ward)"
        elif where < 0.8:
            title += f" - {rng.choice(WARDS)} Unit {rng.randint(1, 9)}"
        if rng.random() < 0.3:
            title = _typo(rng, title)
        case = rng.random()
        if case < 0.1:
            title = title.upper()
        elif case < 0.2:
            title = title.lower()
        titles[title] = None
    return list(titles)


def run() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cultivate.config.settings.local")
    import django

    django.setup()
    from cultivate.insights import job_titles

    titles = generate()
    print(f"bench job_titles_distinct: {len(titles)} titles", flush=True)
    seconds, cpu = [], []
    methods: Counter[str] = Counter()
    for _ in range(RUNS):
        job_titles.read_title.cache_clear()
        started, started_cpu = time.perf_counter(), time.process_time()
        matcher = job_titles.TitleMatcher.from_reference()
        matches = matcher.map(titles)
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        methods = Counter(match.method for match in matches.values())
    print(f"bench job_titles_runs_s: {' '.join(f'{s:.2f}' for s in seconds)} s", flush=True)
    print(f"bench job_titles_map_100k_s: {statistics.median(seconds):.2f} s", flush=True)
    # CPU time as well: on a shared machine the wall-clock figure mostly measures the neighbours.
    print(f"bench job_titles_map_100k_cpu_s: {statistics.median(cpu):.2f} s", flush=True)
    for method in ("alias", "exact", "fuzzy", "unmatched"):
        print(f"bench job_titles_{method}: {methods[method]} titles", flush=True)
    mapped = len(titles) - methods["unmatched"]
    print(f"bench job_titles_mapped_share: {mapped / len(titles):.3f}", flush=True)


if __name__ == "__main__":
    run()
