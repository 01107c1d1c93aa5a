"""Local job titles → the support-role catalogue (docs/job-titles.md).

A title is normalised (case, punctuation, band and shift noise, bracketed ward or team names, abbreviations),
then looked up, most specific first: the organisation's own aliases (`organisations.JobTitle`), the canonical role
names, the shared aliases. What is left is matched with rapidfuzz, but only when every word of the title is a word
the catalogue knows (a typo of one is corrected) and the title carries the same qualifiers (trainee, assistant,
associate, peer, …) as the candidate: the matcher mends spelling, word order and missing words, it never
guesses that an unknown word means a known role. Titles it cannot place go to a review queue; a reviewer's decision
becomes an alias, so the next extract maps the title at once.

`map_titles` is the batch entry point (a national extract has about 100,000 distinct titles); normalisation and
matches are cached per title."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from django.db import transaction
from django.utils import timezone
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from cultivate.core.audit import AuditContext, audit
from cultivate.insights.audit_actions import InsightsAction
from cultivate.organisations import reference
from cultivate.organisations.models import JobTitle, Organisation, SupportRole

from .models import JobTitleReview, JobTitleReviewStatus

if TYPE_CHECKING:
    import duckdb

    from cultivate.accounts.models import User

Method = Literal["alias", "exact", "fuzzy", "unmatched"]

# Tuned on job_title_data/ (docs/job-titles.md gives the figures; 80-94 measure alike): the fuzzy score
# (rapidfuzz ratio of the normalised title to the candidate, 0-100) a title needs to be mapped without review.
FUZZY_THRESHOLD = 86.0
# Suggestions below this score are not worth showing a reviewer.
SUGGESTION_FLOOR = 50.0

# Role names the rules below refer to (organisations/reference/support_roles.csv).
SENIOR_ROLE = "Senior healthcare support worker"
HCA_FAMILY = frozenset(
    {"Health care assistant", "Healthcare support worker", "Mental health support worker", SENIOR_ROLE}
)
NURSING_ASSOCIATE = "Nursing associate"
TRAINEE_NURSING_ASSOCIATE = "Trainee nursing associate"

# Words that make one role a different role: a fuzzy candidate must carry exactly the title's.
QUALIFIERS = frozenset(
    {"trainee", "apprentice", "assistant", "associate", "peer", "registered", "student", "senior"}
)
STOPWORDS = frozenset({"and", "of", "the", "in", "for", "to", "with", "a", "an", "at", "on", "s"})

# Token → expansion. Abbreviations seen in ESR titles, and spellings folded to one form.
EXPANSIONS: dict[str, str] = {
    "hca": "healthcare assistant",
    "hcsw": "healthcare support worker",
    "csw": "clinical support worker",
    "mhsw": "mental health support worker",
    "psw": "peer support worker",
    "str": "support time and recovery worker",
    "tna": "trainee nursing associate",
    "tpwp": "trainee psychological wellbeing practitioner",
    "pwp": "psychological wellbeing practitioner",
    "ap": "assistant practitioner",
    "ota": "occupational therapy assistant",
    "ot": "occupational therapy",
    "occ": "occupational",
    "slt": "speech and language therapy",
    "salt": "speech and language therapy",
    "lang": "language",
    "mh": "mental health",
    "ld": "learning disability",
    "snr": "senior",
    "sr": "senior",
    "asst": "assistant",
    "assoc": "associate",
    "sup": "support",
    "supp": "support",
    "wkr": "worker",
    "wrkr": "worker",
    "nsg": "nursing",
    "clin": "clinical",
    "rehab": "rehabilitation",
    "tech": "technician",
    "coord": "coordinator",
    "advisor": "adviser",
    "apprenticeship": "apprentice",
    # Registered titles: expanded so that they read as what they are, never as a support role.
    "rmn": "registered mental health nurse",
    "rnmh": "registered mental health nurse",
    "rgn": "registered general nurse",
    "rnld": "registered learning disability nurse",
    "rnda": "registered nurse degree apprentice",
    "nda": "nurse degree apprentice",
    "cpn": "community psychiatric nurse",
    # Plurals that titles use interchangeably with the singular.
    "activities": "activity",
    "therapies": "therapy",
    "assistants": "assistant",
    "workers": "worker",
    "inpatients": "inpatient",
    "outpatients": "outpatient",
    "adults": "adult",
    "disabilities": "disability",
    "services": "service",
}

# Phrases folded after expansion (whole words).
PHRASES: dict[str, str] = {
    "health care": "healthcare",
    "well being": "wellbeing",
    "co ordinator": "coordinator",
    "co ord": "coordinator",
    "trainee na": "trainee nursing associate",
    "nurse associate": "nursing associate",
    # ESR's job role is "Assistant/Associate Practitioner": one band 4 role with two names.
    "associate practitioner": "assistant practitioner",
    # The catalogue's notes: an OT support worker is an OT assistant; the same holds for the other therapies.
    "therapy support worker": "therapy assistant",
    "nursing degree apprentice": "nurse degree apprentice",
    "degree apprentice nurse": "nurse degree apprentice",
}
_PHRASE = re.compile(
    r"\b(?:" + "|".join(re.escape(p) for p in sorted(PHRASES, key=len, reverse=True)) + r")\b"
)

# Noise inside a title: bands, grades, levels and years, shifts and contracts, ward and unit numbers.
_NOISE = re.compile(
    r"\b(?:(?:band|bnd|grade|level|year|yr) ?\d+[a-d]?|[by]\d[a-d]?|afc|agenda for change"
    r"|nights?|bank|relief|temp|temporary|fixed term|ftc|permanent|perm|locum|agency|part time|full time"
    r"|pt|ft|secondment|seconded|(?:maternity|mat) (?:leave )?cover|rotational|nhs|trust)\b ?"
)
_WARD = re.compile(r"\b(?:ward|unit)\s+\d+[a-z]?\b|\b[a-z]+\s+(?:ward|unit)$")
_NUMBER = re.compile(r"\b\d+\b")
# Settings and specialties: kept in the first reading of a title ("mental health support worker" is a role),
# dropped in the second ("healthcare assistant mental health" is a healthcare assistant).
_SETTING = re.compile(
    r"\b(?:mental health|community|inpatient|outpatient|acute|forensic|low secure|medium secure|secure"
    r"|older adult|older people|old age|adult|crisis|home treatment|early intervention|assertive outreach|cmht"
    r"|picu|camhs|iapt|talking therapy|learning disability|district nursing|perinatal|liaison|service|team"
    r"|hospital|ward|unit|ips)\b"
)
_CARRIED = frozenset({"trainee", "senior", "snr", "apprentice"})
_DOTTED = re.compile(r"\b(?:[a-z]\.){2,}")
_BRACKETS = re.compile(r"[(\[{]([^)\]}]*)[)\]}]?")
_SEGMENTS = re.compile(r"\s+[-/]\s+|\s*[|;:]\s*|\s+-$")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")
_PUNCTUATION = str.maketrans({"–": " - ", "—": " - ", "‐": "-", "’": "'", "`": "'", "\u00a0": " "})


# Words a misspelling may be corrected to besides the catalogue's: abbreviations, phrases, noise and settings,
# which the corrected title is then read for again.
_EXTRA_WORDS = frozenset(
    {
        word
        for text in (*EXPANSIONS, *EXPANSIONS.values(), *PHRASES.values())
        for word in text.split()
        if len(word) > 4
    }
    | {word for pattern in (_NOISE, _SETTING) for word in re.findall(r"[a-z]{5,}", pattern.pattern)}
)


def simple_key(title: str) -> str:
    """The normal form stored in `JobTitle.normalised` (migration organisations 0002): lower case, runs of
    anything but letters and digits as one space."""
    return _NON_ALNUM.sub(" ", title.lower()).strip()


@dataclass(frozen=True)
class Reading:
    """The ways a title can be read, most specific first, and whether it named an apprenticeship."""

    variants: tuple[str, ...]
    apprentice: bool

    @property
    def key(self) -> str:
        return self.variants[0] if self.variants else ""


def _words(text: str) -> str:
    words = []
    for word in _NON_ALNUM.sub(" ", text).split():
        words.append(EXPANSIONS.get(word, word))
    return _PHRASE.sub(lambda m: PHRASES[m.group()], " ".join(words))


@lru_cache(maxsize=1 << 16)
def _clean(segment: str) -> tuple[str, bool]:
    """One segment of a title → its words without noise, and whether it named an apprenticeship."""
    text = _words(segment)
    text = _WARD.sub(" ", _NOISE.sub(" ", text).strip())
    text = _NUMBER.sub(" ", text)
    tokens = [t for t in text.split() if t not in STOPWORDS]
    apprentice = False
    if "apprentice" in tokens and "nurse degree apprentice" not in " ".join(tokens):
        apprentice = True
        tokens = [t for t in tokens if t != "apprentice"]
    # "Senior" and "trainee" are read wherever they stand ("PWP Trainee").
    front = [t for t in ("senior", "trainee") if t in tokens]
    tokens = front + [t for t in tokens if t not in front]
    deduped: list[str] = []
    for token in tokens:
        if not deduped or deduped[-1] != token:
            deduped.append(token)
    return " ".join(deduped), apprentice


@lru_cache(maxsize=1 << 16)
def _without_settings(key: str) -> str:
    return _SPACES.sub(" ", _SETTING.sub(" ", key)).strip()


@lru_cache(maxsize=1 << 18)
def read_title(title: str) -> Reading:
    """Normalise a free-text job title into the readings the matcher tries, most specific first: the whole
    title, its first part (before a spaced dash or slash), and both again without setting words. Bracketed text
    (ward names, "(MH)", "(Bank)") is dropped, but for a trainee, senior or apprentice in it, unless nothing else
    is left."""
    text = title.lower().translate(_PUNCTUATION)
    if "." in text:
        text = _DOTTED.sub(lambda m: m.group().replace(".", ""), text)
    text = text.replace("&", " and ").replace("+", " and ")
    bracketed = ""
    if "(" in text or "[" in text or "{" in text:
        bracketed = " ".join(_BRACKETS.findall(text))
        text = _BRACKETS.sub(" - ", text)
        # "PWP (Trainee)": a bracketed trainee, senior or apprentice still qualifies the title.
        carried = [w for w in _NON_ALNUM.sub(" ", bracketed).split() if w in _CARRIED]
        if carried:
            text = " ".join(carried) + " " + text
    apprentice = False
    cleaned = []
    for segment in _SEGMENTS.split(f" {text} "):
        words, flag = _clean(segment)
        apprentice |= flag
        if words:
            cleaned.append(words)
    if not cleaned and bracketed:
        words, flag = _clean(bracketed)
        apprentice |= flag
        cleaned = [words] if words else []
    if not cleaned:
        return Reading((), apprentice)
    full, head = " ".join(cleaned), cleaned[0]
    variants: list[str] = []
    for variant in (full, head, _without_settings(full), _without_settings(head)):
        if variant and variant not in variants:
            variants.append(variant)
    return Reading(tuple(variants), apprentice)


def title_key(title: str) -> str:
    """The normalised form reviews are grouped by: the whole title, without noise."""
    return (read_title(title).key or simple_key(title))[:200]


@dataclass(frozen=True)
class Match:
    role: SupportRole | None
    method: Method
    score: float
    # For unmatched titles: the closest role, to suggest to a reviewer (None when nothing is close).
    suggestion: SupportRole | None = None

    @property
    def role_name(self) -> str | None:
        return self.role.name if self.role is not None else None


@dataclass(frozen=True)
class Alias:
    title: str
    role: str
    local: bool = False


def _max_typos(token: str) -> int:
    # Short words are abbreviations more often than typos; two edits only in long words, so that a real word
    # ("therapist") is not read as a near one ("therapies").
    if len(token) < 5:
        return 0
    return 1 if len(token) < 10 else 2


class TitleMatcher:
    """Maps titles for one organisation (or none): its aliases, the shared ones, and the catalogue. Cheap to
    build; build one per extract and call `map` with every distinct title."""

    def __init__(
        self,
        roles: Iterable[SupportRole],
        aliases: Iterable[Alias],
        *,
        rejected: Iterable[str] = (),
        threshold: float = FUZZY_THRESHOLD,
    ) -> None:
        self.roles: dict[str, SupportRole] = {role.name: role for role in roles}
        self.threshold = threshold
        self._simple: tuple[dict[str, str], dict[str, str]] = ({}, {})
        rich: tuple[dict[str, set[str]], dict[str, set[str]]] = (defaultdict(set), defaultdict(set))
        for alias in aliases:
            if alias.role not in self.roles:
                continue
            scope = 0 if alias.local else 1
            self._simple[scope][simple_key(alias.title)] = alias.role
            for variant in read_title(alias.title).variants[:1]:
                rich[scope][variant].add(alias.role)
        # A normalised form two aliases give different roles is no evidence either way.
        self._local = {key: next(iter(names)) for key, names in rich[0].items() if len(names) == 1}
        self._shared = {key: next(iter(names)) for key, names in rich[1].items() if len(names) == 1}
        self._exact = {read_title(name).key: name for name in self.roles}
        self._exact_simple = {simple_key(name): name for name in self.roles}
        self._rejected = set(rejected)
        choices: dict[str, str] = {**self._shared, **self._exact, **self._local}
        self._choice_keys = list(choices)
        self._choice_roles = [choices[key] for key in self._choice_keys]
        self._choice_tokens = [frozenset(key.split()) for key in self._choice_keys]
        self._vocabulary = sorted(
            {token for key in self._choice_keys for token in key.split()} | _EXTRA_WORDS
        )
        self._known = frozenset(self._vocabulary)
        # Per matcher, so that a matcher and what it learnt go together.
        self._cache: dict[str, Match] = {}
        self._fuzzy_cache: dict[str, tuple[float, str, bool] | None] = {}
        self._correct_cache: dict[str, str | None] = {}
        self._unmatched_cache: dict[str, Match] = {}

    # Building ------------------------------------------------------------------------------------------------

    @classmethod
    def for_organisation(
        cls, organisation: Organisation | None = None, *, threshold: float = FUZZY_THRESHOLD
    ) -> TitleMatcher:
        """From the database: the catalogue, shared aliases, the organisation's aliases, and titles reviewers
        said are not support roles."""
        roles = list(SupportRole.objects.all())
        names = {role.pk: role.name for role in roles}
        rows = JobTitle.objects.filter(organisation__isnull=True).values_list("title", "role_id")
        aliases = [Alias(title, names[role_id]) for title, role_id in rows]
        rejected = JobTitleReview.objects.filter(
            status=JobTitleReviewStatus.REJECTED, organisation__isnull=True
        )
        if organisation is not None:
            local = JobTitle.objects.filter(organisation=organisation).values_list("title", "role_id")
            aliases += [Alias(title, names[role_id], local=True) for title, role_id in local]
            rejected = rejected | JobTitleReview.objects.filter(
                status=JobTitleReviewStatus.REJECTED, organisation=organisation
            )
        return cls(
            roles, aliases, rejected=rejected.values_list("normalised", flat=True), threshold=threshold
        )

    @classmethod
    def from_reference(cls, *, threshold: float = FUZZY_THRESHOLD) -> TitleMatcher:
        """From the reference files alone (unsaved roles): for benchmarks and analyses without a database."""
        roles = [
            SupportRole(name=row["role"], category=row["category"], typical_bands=row["typical_bands"])
            for row in reference.support_roles()
        ]
        aliases = [Alias(row["title"], row["role"]) for row in reference.job_title_aliases()]
        return cls(roles, aliases, threshold=threshold)

    # Matching ------------------------------------------------------------------------------------------------

    def map(self, titles: Iterable[str]) -> dict[str, Match]:
        return {title: self.match(title) for title in titles}

    def match(self, title: str) -> Match:
        found = self._cache.get(title)
        if found is None:
            found = self._cache[title] = self._match(title)
        return found

    def _match(self, title: str) -> Match:
        # The organisation's aliases first, then the catalogue's names, then the shared aliases: the same keys
        # the staff import uses (JobTitle.normalised), then this module's readings.
        simple = simple_key(title)
        local, shared = self._simple
        if simple in local:
            return Match(self.roles[local[simple]], "alias", 100.0)
        if simple in self._exact_simple:
            return Match(self.roles[self._exact_simple[simple]], "exact", 100.0)
        if simple in shared:
            return Match(self.roles[shared[simple]], "alias", 100.0)
        reading = read_title(title)
        if not reading.variants or reading.key[:200] in self._rejected:
            return Match(None, "unmatched", 0.0)
        for variant in reading.variants:
            hit = self._lookup(variant)
            if hit is not None:
                return self._found(hit[0], hit[1], 100.0, reading)
        best: tuple[float, str, bool] | None = None
        for variant in reading.variants:
            fuzzy = self._fuzzy(variant)
            if fuzzy is not None and (best is None or fuzzy[0] > best[0]):
                best = fuzzy
        if best is not None and best[0] >= self.threshold:
            return self._found(best[1], "fuzzy", best[0], reading, apprentice=best[2])
        return self._unmatched(reading)

    def _found(
        self, name: str, method: Method, score: float, reading: Reading, *, apprentice: bool = False
    ) -> Match:
        # An apprentice nursing associate is a trainee until registered.
        if (
            (reading.apprentice or apprentice)
            and name == NURSING_ASSOCIATE
            and TRAINEE_NURSING_ASSOCIATE in self.roles
        ):
            name = TRAINEE_NURSING_ASSOCIATE
        return Match(self.roles[name], method, round(score, 1))

    def _lookup(self, key: str) -> tuple[str, Method] | None:
        if key in self._local:
            return self._local[key], "alias"
        if key in self._exact:
            return self._exact[key], "exact"
        if key in self._shared:
            return self._shared[key], "alias"
        if key.startswith("senior "):
            # The catalogue's one senior role is the senior healthcare support worker; "senior" on another
            # role (a senior peer support worker) does not change the role.
            hit = self._lookup(key.removeprefix("senior "))
            if hit is not None:
                name, method = hit
                if name in HCA_FAMILY and SENIOR_ROLE in self.roles:
                    name = SENIOR_ROLE
                return name, method
        return None

    def _fuzzy(self, variant: str) -> tuple[float, str, bool] | None:
        if variant not in self._fuzzy_cache:
            self._fuzzy_cache[variant] = self._fuzzy_uncached(variant)
        return self._fuzzy_cache[variant]

    def _fuzzy_uncached(self, variant: str) -> tuple[float, str, bool] | None:
        """(score, role name, apprentice) of the best candidate the guards allow, or None. Misspelt words are
        corrected first (the score is then scaled by how close the correction was), and the corrected text is
        read again, since the word may be an abbreviation, part of a phrase, or noise."""
        corrected = []
        for token in variant.split():
            fixed = token if token in self._known else self._correct(token)
            if fixed is None:
                return None  # a word the catalogue does not know: a reviewer decides
            corrected.append(fixed)
        text = " ".join(corrected)
        spelling, apprentice = 100.0, False
        if text != variant:
            spelling = fuzz.ratio(variant, text)
            text, apprentice = _clean(text)
        best: tuple[float, str] | None = None
        for candidate in dict.fromkeys((text, _without_settings(text))):
            found = self._closest(candidate) if candidate else None
            if found is not None and (best is None or found[0] > best[0]):
                best = found
        if best is None:
            return None
        return best[0] * spelling / 100.0, best[1], apprentice

    def _closest(self, text: str) -> tuple[float, str] | None:
        hit = self._lookup(text)
        if hit is not None:
            return 100.0, hit[0]
        words = frozenset(text.split())
        qualifiers = words & QUALIFIERS
        scored = process.extract(
            text, self._choice_keys, scorer=fuzz.ratio, limit=8, score_cutoff=SUGGESTION_FLOOR
        )
        for _key, score, index in scored:
            # Only missing words and word order: every word of the title is in the candidate, with the same
            # qualifiers.
            choice_tokens = self._choice_tokens[index]
            if words <= choice_tokens and choice_tokens & QUALIFIERS == qualifiers:
                return score, self._choice_roles[index]
        return None

    def _correct(self, token: str) -> str | None:
        if token not in self._correct_cache:
            self._correct_cache[token] = self._correct_uncached(token)
        return self._correct_cache[token]

    def _correct_uncached(self, token: str) -> str | None:
        limit = _max_typos(token)
        if not limit:
            return None
        found = process.extract(token, self._vocabulary, scorer=OSA.distance, score_cutoff=limit, limit=3)
        if not found:
            return None
        # Two words equally close are no evidence either way, unless they are spellings of one word.
        closest = {EXPANSIONS.get(word, word) for word, distance, _index in found if distance == found[0][1]}
        return str(found[0][0]) if len(closest) == 1 else None

    def _unmatched(self, reading: Reading) -> Match:
        if reading.key in self._unmatched_cache:
            return self._unmatched_cache[reading.key]
        found = self._unmatched_cache[reading.key] = self._suggest(reading.key)
        return found

    def _suggest(self, key: str) -> Match:
        suggestion = process.extractOne(
            key, self._choice_keys, scorer=fuzz.token_set_ratio, score_cutoff=SUGGESTION_FLOOR
        )
        if suggestion is None:
            return Match(None, "unmatched", 0.0)
        _key, score, index = suggestion
        return Match(None, "unmatched", round(score, 1), self.roles[self._choice_roles[index]])


def map_titles(titles: Iterable[str], organisation: Organisation | None = None) -> dict[str, Match]:
    """Each distinct title → Match(role, method alias|exact|fuzzy|unmatched, score 0-100)."""
    return TitleMatcher.for_organisation(organisation).map(dict.fromkeys(titles))


# Reports ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleTitles:
    role: SupportRole | None  # None: the titles that did not map
    distinct_titles: int  # distinct titles as written
    distinct_normalised: int  # distinct after normalisation (case, bands, wards, abbreviations)
    occurrences: int
    by_method: dict[str, int]


def titles_by_role(
    title_counts: Mapping[str, int], organisation: Organisation | None = None
) -> list[RoleTitles]:
    """How many distinct titles map to each role (the Nuffield Trust counted 96 among mental health clinical
    support staff), with how many people hold them; the unmatched titles last."""
    matches = map_titles(title_counts, organisation)
    titles: dict[str | None, list[str]] = defaultdict(list)
    for title, found in matches.items():
        titles[found.role.name if found.role else None].append(title)
    rows = []
    for members in titles.values():
        rows.append(
            RoleTitles(
                role=matches[members[0]].role,
                distinct_titles=len(members),
                distinct_normalised=len({title_key(t) for t in members}),
                occurrences=sum(title_counts[t] for t in members),
                by_method=dict(Counter(matches[t].method for t in members)),
            )
        )
    rows.sort(key=lambda row: (row.role is None, -row.distinct_titles, row.role.name if row.role else ""))
    return rows


def title_counts_from_store(
    con: duckdb.DuckDBPyConnection,
    *,
    staff_groups: Iterable[str] = (),
    areas_of_work: Iterable[str] = (),
    organisation_code: str | None = None,
) -> dict[str, int]:
    """Distinct people per job title in a store's assignments (see `store.connect`), optionally within staff
    groups, areas of work and one organisation. Bank spells are left out, as in every measure."""
    where = ["job_title IS NOT NULL", "trim(job_title) <> ''", "coalesce(contract_type, '') <> 'Bank'"]
    params: list[Any] = []
    groups, areas = list(staff_groups), list(areas_of_work)
    if groups:
        where.append(f"staff_group IN ({', '.join('?' for _ in groups)})")
        params += groups
    if areas:
        where.append(f"area_of_work IN ({', '.join('?' for _ in areas)})")
        params += areas
    if organisation_code:
        where.append("organisation_code = ?")
        params.append(organisation_code)
    rows = con.execute(
        f"SELECT job_title, count(DISTINCT person_id) FROM assignments WHERE {' AND '.join(where)} "  # noqa: S608 (conditions of constant text with ? placeholders)
        "GROUP BY job_title",
        params,
    ).fetchall()
    return {str(title): int(count) for title, count in rows}


# The review queue -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueResult:
    created: int
    updated: int
    mapped: int  # titles that needed no review


def job_title_reviews_queue(
    *, title_counts: Mapping[str, int], organisation: Organisation | None = None
) -> QueueResult:
    """Queue the titles of an extract that did not map. Titles that normalise alike share one review, which keeps
    the most common spelling and the number of people holding any of them in this extract. A title already
    decided is not queued again."""
    matcher = TitleMatcher.for_organisation(organisation)
    groups: dict[str, list[tuple[str, int, Match]]] = defaultdict(list)
    mapped = 0
    for title, count in title_counts.items():
        if not title.strip():
            continue
        found = matcher.match(title)
        if found.role is not None:
            mapped += 1
            continue
        groups[title_key(title)].append((title, count, found))
    existing = {
        review.normalised: review
        for review in JobTitleReview.objects.filter(organisation=organisation, normalised__in=list(groups))
    }
    created = updated = 0
    with transaction.atomic():
        for key, members in groups.items():
            title, _count, found = max(members, key=lambda member: (member[1], member[0]))
            occurrences = sum(count for _title, count, _found in members)
            review = existing.get(key)
            if review is None:
                review = JobTitleReview(
                    title=title[:200],
                    normalised=key,
                    organisation=organisation,
                    suggested_role=found.suggestion,
                    suggested_score=found.score if found.suggestion else None,
                    occurrences=occurrences,
                )
                review.full_clean()
                review.save()
                created += 1
            elif review.is_open:
                review.occurrences = occurrences
                review.suggested_role = found.suggestion
                review.suggested_score = found.score if found.suggestion else None
                review.save(update_fields=["occurrences", "suggested_role", "suggested_score", "updated_at"])
                updated += 1
    return QueueResult(created=created, updated=updated, mapped=mapped)


def job_title_review_decide(
    *,
    review: JobTitleReview,
    role: SupportRole | None,
    user: User,
    ctx: AuditContext | None = None,
) -> JobTitleReview:
    """Record a reviewer's decision: a role maps the title (an alias for the review's organisation, or a shared
    one); no role says it is not a support role. A decision can be changed by deciding again."""
    with transaction.atomic():
        review = JobTitleReview.objects.select_for_update().get(pk=review.pk)
        previous = review.status
        review.status = JobTitleReviewStatus.ACCEPTED if role is not None else JobTitleReviewStatus.REJECTED
        review.role = role
        review.decided_by = user
        review.decided_at = timezone.now()
        review.full_clean()
        review.save()
        alias = None
        key = simple_key(review.title)[:200]
        existing = JobTitle.objects.filter(organisation=review.organisation, normalised=key).first()
        if role is not None:
            alias = existing or JobTitle(title=review.title, normalised=key, organisation=review.organisation)
            alias.role = role
            alias.full_clean()
            alias.save()
        elif existing is not None and previous == JobTitleReviewStatus.ACCEPTED:
            # Rejected after an earlier acceptance: the alias it made goes too.
            existing.delete()
        audit(
            InsightsAction.JOB_TITLE_MAPPED,
            actor=user,
            ctx=ctx,
            obj=alias or review,
            organisation=review.organisation,
            title=review.title,
            normalised=review.normalised,
            role=role.name if role else None,
            status=review.status,
        )
    return review


# Measuring the matcher --------------------------------------------------------------------------------------

DATA_DIR = Path(__file__).parent / "job_title_data"
LABELLED_TITLES = DATA_DIR / "labelled_titles.csv"
HOLDOUT_TITLES = DATA_DIR / "labelled_titles_holdout.csv"
UNMATCHED = "UNMATCHED"


@dataclass(frozen=True)
class Evaluation:
    titles: int
    positives: int  # titles labelled with a role
    mapped: int  # titles the matcher gave a role
    correct: int  # ... the labelled one
    wrong: list[tuple[str, str, str]]  # (title, expected, got) for every wrong role given
    missed: list[tuple[str, str]]  # (title, expected) for labelled titles left unmatched

    @property
    def precision(self) -> float:
        return self.correct / self.mapped if self.mapped else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.positives if self.positives else 1.0


def evaluate(matcher: TitleMatcher, path: Path = LABELLED_TITLES) -> Evaluation:
    """Precision and recall of a matcher on a labelled file (title, expected role name or UNMATCHED)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [(row["title"], row["expected"]) for row in csv.DictReader(handle)]
    mapped = correct = 0
    wrong, missed = [], []
    for title, expected in rows:
        found = matcher.match(title)
        got = found.role.name if found.role is not None else UNMATCHED
        if got != UNMATCHED:
            mapped += 1
            if got == expected:
                correct += 1
            else:
                wrong.append((title, expected, got))
        elif expected != UNMATCHED:
            missed.append((title, expected))
    positives = sum(expected != UNMATCHED for _title, expected in rows)
    return Evaluation(len(rows), positives, mapped, correct, wrong, missed)
