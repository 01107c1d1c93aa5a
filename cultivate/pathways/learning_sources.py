"""Readiness's learning-backed facts, read from the learning app: mandatory training compliance
(`learning.compliance.mandatory_status_for_people`) and the learning offers that would meet a qualification
requirement (functional skills courses, the bridging programme, the Care Certificate), each with its next session.
Registered from `PathwaysConfig.ready()`; readiness itself names no learning module."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from cultivate.core.formatting import uk_date
from cultivate.learning import compliance
from cultivate.learning import selectors as learning_selectors
from cultivate.learning.models import Completion, Offer, OfferKind
from cultivate.organisations.models import Organisation

from .models import QualificationKind
from .readiness import Met, Training

# Which offers give which qualification: a functional skills course in the subject, and the bridging programme
# (which covers functional skills English and maths) for either; the Care Certificate and the diploma by title.
SUBJECT_WORDS: dict[str, str] = {
    QualificationKind.FS_ENGLISH_L2.value: "english",
    QualificationKind.GCSE_ENGLISH.value: "english",
    QualificationKind.FS_MATHS_L2.value: "math",
    QualificationKind.GCSE_MATHS.value: "math",
    QualificationKind.FS_DIGITAL.value: "digital",
}
TITLE_WORDS: dict[str, str] = {
    QualificationKind.CARE_CERTIFICATE.value: "care certificate",
    QualificationKind.DIPLOMA_L3.value: "diploma",
}
# Planning figure for catching up mandatory training: the next session, or about a month for e-learning.
MONTH = dt.timedelta(days=30)


def _named(offer: Offer, sessions: dict[int, object]) -> str:
    session = sessions.get(offer.pk)
    starts = getattr(session, "starts_at", None)
    return f"{offer.title} (next session {uk_date(starts.date())})" if starts else offer.title


def offers_for_kinds(organisation_id: int | None, kinds: set[str], on: dt.date) -> dict[str, tuple[str, ...]]:
    if organisation_id is None:
        return {}
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return {}
    offers = list(
        Offer.objects.filter(learning_selectors.offers_for(organisation), is_active=True).order_by(
            "title", "pk"
        )
    )
    sessions: dict[int, object] = dict(learning_selectors.next_sessions([o.pk for o in offers]))
    found: dict[str, list[str]] = defaultdict(list)
    for kind in kinds:
        word = SUBJECT_WORDS.get(kind)
        for offer in offers:
            title = offer.title.lower()
            if (
                word is not None
                and (
                    (offer.kind == OfferKind.FUNCTIONAL_SKILLS and word in title)
                    or (offer.kind == OfferKind.BRIDGING and word in ("english", "math"))
                )
            ) or (kind in TITLE_WORDS and TITLE_WORDS[kind] in title):
                found[kind].append(_named(offer, sessions))
    return {kind: tuple(names) for kind, names in found.items()}


def mandatory_training(
    person_ids: Sequence[int], topics: set[str], on: dt.date
) -> dict[tuple[int, str], Training]:
    """Met when every mandatory subject the person must hold is up to date (a topic names one subject by its
    code or name; "" is all of them); otherwise what has lapsed or is not done, with the offers that satisfy
    those subjects and their next session. Five queries whatever the number of people."""
    statuses = compliance.mandatory_status_for_people(list(person_ids), on=on)
    lapsed_subjects = {s.subject.pk for subjects in statuses.values() for s in subjects if not s.is_compliant}
    offers = list(
        Offer.objects.filter(subject_id__in=lapsed_subjects, is_active=True).order_by("title", "pk")
    )
    sessions: dict[int, object] = dict(learning_selectors.next_sessions([o.pk for o in offers]))
    by_subject: dict[int, list[Offer]] = defaultdict(list)
    for offer in offers:
        if offer.subject_id is not None:
            by_subject[offer.subject_id].append(offer)
    result: dict[tuple[int, str], Training] = {}
    for person_id in person_ids:
        subjects = statuses.get(person_id, [])
        for topic in topics:
            wanted = topic.lower()
            relevant = [
                s
                for s in subjects
                if not wanted or wanted in (s.subject.code.lower(), s.subject.name.lower())
            ]
            missing = [s for s in relevant if not s.is_compliant]
            if not missing:
                result[(person_id, topic)] = Training(Met.MET)
                continue
            words = "; ".join(f"{s.subject.name}: {s.label.lower()}" for s in missing)
            named = tuple(_named(o, sessions) for s in missing for o in by_subject.get(s.subject.pk, []))
            result[(person_id, topic)] = Training(
                Met.NOT_MET, f"Bring your mandatory training up to date ({words}).", named, on + MONTH
            )
    return result


# The functional skills level 2 qualifications a completed level 2 course in the subject gives.
LEVEL_2_KINDS = {
    "english": QualificationKind.FS_ENGLISH_L2.value,
    "math": QualificationKind.FS_MATHS_L2.value,
}


def learned_qualifications(person_ids: Sequence[int], kinds: set[str]) -> dict[int, set[str]]:
    """A completed functional skills course at level 2 (the offer's academic level names level 2) in English
    or maths counts as that functional skills qualification: the course ends with the exam, and the
    completion is the learning record. One query whatever the number of people."""
    if not kinds & set(LEVEL_2_KINDS.values()):
        return {}
    rows = (
        Completion.objects.filter(
            person_id__in=list(person_ids),
            offer__kind=OfferKind.FUNCTIONAL_SKILLS,
            offer__academic_level__icontains="2",
        )
        .order_by()
        .values_list("person_id", "offer__title")
    )
    found: dict[int, set[str]] = defaultdict(set)
    for person_id, title in rows:
        for word, kind in LEVEL_2_KINDS.items():
            if word in title.lower():
                found[person_id].add(kind)
    return dict(found)
