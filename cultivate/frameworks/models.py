"""Competency frameworks: versions, their items (domains and competences), associations (hierarchy and
crosswalks), adoption by organisations, and role requirements.

Each version holds its own copy of the items, so an old version stays readable exactly as it was published.
An item keeps the same `identifier` (a UUID, the CASE identifier) from version to version; `content_hash`
tells whether its assessable content changed, which decides whether a sign-off carries over (ADR 0010)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cultivate.core.models import TimeStampedModel
from cultivate.core.scopes import ScopedQuerySet

if TYPE_CHECKING:
    from cultivate.organisations.models import Organisation

DEFAULT_LEVELS: list[dict[str, str]] = [
    {"code": "observed", "label": "Observed"},
    {"code": "supervised", "label": "Supervised"},
    {"code": "independent", "label": "Independent"},
]


class FrameworkSource(models.TextChoices):
    AUTHORED = "authored", "Written in Cultivate"
    CASE = "case", "Imported from CASE"
    REFERENCE = "reference", "Reference framework shipped with Cultivate"


class Framework(TimeStampedModel):
    """A framework as a whole, across its versions. Owned by an alliance (shared with its members), by an
    organisation, or by nobody (a reference framework every organisation can map to)."""

    objects = ScopedQuerySet["Framework"].as_manager()

    identifier = models.UUIDField(
        default=uuid.uuid4, unique=True, help_text="The CASE CFDocument identifier."
    )
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owner_alliance = models.ForeignKey(
        "organisations.Alliance", null=True, blank=True, on_delete=models.PROTECT, related_name="frameworks"
    )
    owner_organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="frameworks",
    )
    # An organisation's local competences added to a shared framework without forking it.
    extends = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="extensions"
    )
    source = models.CharField(
        max_length=10, choices=FrameworkSource.choices, default=FrameworkSource.AUTHORED
    )
    is_reference = models.BooleanField(
        default=False,
        help_text="A target for crosswalks (Care Certificate, Code of Conduct, NOS, standards).",
    )
    # Ordered proficiency levels, lowest first: [{"code": "observed", "label": "Observed"}, ...].
    levels = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_alliance__isnull=True) | Q(owner_organisation__isnull=True),
                name="framework_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(extends__isnull=True) | Q(owner_organisation__isnull=False),
                name="framework_extension_owned_by_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.levels:
            codes = [level.get("code") for level in self.levels if isinstance(level, dict)]
            if len(codes) != len(self.levels) or len(set(codes)) != len(codes) or not all(codes):
                raise ValidationError({"levels": "Each level needs a code, and codes must differ."})

    @property
    def organisation(self) -> Organisation | None:
        """The owning organisation, if any: read by the audit log and by `deny()` to file events under it."""
        return self.owner_organisation

    @property
    def level_list(self) -> list[dict[str, str]]:
        return self.levels or DEFAULT_LEVELS

    def level_rank(self, code: str) -> int:
        """1 for the lowest level; 0 for a code the framework does not have."""
        for rank, level in enumerate(self.level_list, start=1):
            if level["code"] == code:
                return rank
        return 0

    def level_label(self, code: str) -> str:
        for level in self.level_list:
            if level["code"] == code:
                return level["label"]
        return code


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class FrameworkVersion(TimeStampedModel):
    """One version of a framework. Only drafts change; at most one version is published at a time."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=50, blank=True, help_text="The CASE version string, e.g. 2025.1.")
    status = models.CharField(max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    retired_at = models.DateTimeField(null=True, blank=True)
    # What changed from the previous published version, recorded when this one was published.
    change_summary = models.JSONField(default=dict, blank=True)
    # CASE document fields we keep for a faithful export (creator, publisher, language, subject, licence...),
    # the CFDefinitions and CFRubrics, and unknown keys (extensions).
    case_document = models.JSONField(default=dict, blank=True)
    case_definitions = models.JSONField(default=dict, blank=True)
    case_rubrics = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["framework", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="framework_version_unique_number"),
            models.UniqueConstraint(
                fields=["framework"],
                condition=Q(status="published"),
                name="framework_one_published_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.framework} v{self.number} ({self.get_status_display()})"

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT


class NodeType(models.TextChoices):
    DOMAIN = "domain", "Domain"
    COMPETENCE = "competence", "Competence"


class CompetenceKind(models.TextChoices):
    KNOWLEDGE = "knowledge", "Knowledge"
    SKILL = "skill", "Skill"
    BEHAVIOUR = "behaviour", "Behaviour"
    VALUE = "value", "Value"


class EvidenceKind(models.TextChoices):
    OBSERVATION = "observation", "Observation in practice"
    REFLECTION = "reflection", "Reflective account"
    WITNESS = "witness", "Witness testimony"
    CERTIFICATE = "certificate", "Certificate"
    QUESTION = "question", "Question and answer"
    WORK_PRODUCT = "work_product", "Work product"


class Competence(models.Model):
    """A domain or a competence in one framework version (a CASE CFItem)."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="items")
    # Denormalised from the version so that status queries across versions stay one join short.
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="items")
    identifier = models.UUIDField(
        default=uuid.uuid4, help_text="Stable across versions; the CASE identifier."
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    sequence = models.PositiveIntegerField(default=0)
    node_type = models.CharField(max_length=12, choices=NodeType.choices, default=NodeType.COMPETENCE)
    code = models.CharField(max_length=60, blank=True, help_text="CASE humanCodingScheme, e.g. MH2.3")
    title = models.TextField(help_text="CASE fullStatement")
    short_title = models.CharField(max_length=300, blank=True, help_text="CASE abbreviatedStatement")
    description = models.TextField(blank=True, help_text="CASE notes")
    kind = models.CharField(max_length=12, choices=CompetenceKind.choices, blank=True)
    # Level codes from the framework's levels this competence can be signed off at; empty means all of them.
    levels = models.JSONField(default=list, blank=True)
    assessed_in_practice = models.BooleanField(default=False)
    evidence_kinds = models.JSONField(default=list, blank=True)
    reassess_months = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    content_hash = models.CharField(max_length=64, editable=False)
    # The CASE CFItemType as written in the source, language, dates and unknown keys, kept for export.
    case_item_type = models.CharField(max_length=200, blank=True)
    case_fields = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["version", "parent_id", "sequence", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "identifier"], name="competence_unique_in_version"),
        ]
        indexes = [
            models.Index(fields=["framework", "identifier"]),
            models.Index(fields=["version", "parent", "sequence"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.content_hash = self.compute_content_hash()
        if self.framework_id is None and self.version_id is not None:
            self.framework_id = self.version.framework_id
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        return self.short_title or self.title

    def compute_content_hash(self) -> str:
        """What a sign-off was given against: a change here needs reassessment; a change elsewhere (order,
        place in the hierarchy, code) does not."""
        return content_hash(
            title=self.title,
            description=self.description,
            kind=self.kind,
            levels=self.levels,
            in_practice=self.assessed_in_practice,
        )


def content_hash(
    *, title: str, description: str, kind: str, levels: list[str] | None, in_practice: bool
) -> str:
    """The content hash of a competence, as a function so that data migrations (whose historical models have
    no methods) compute exactly what `Competence.save()` does."""
    content: dict[str, Any] = {
        "title": title.strip(),
        "description": description.strip(),
        "kind": kind,
        "levels": sorted(levels or []),
        "in_practice": in_practice,
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


class AssociationType(models.TextChoices):
    """The CASE 1.1 association types. Crosswalks use exactMatchOf, isRelatedTo and isPartOf."""

    IS_CHILD_OF = "isChildOf", "is child of"
    IS_PEER_OF = "isPeerOf", "is peer of"
    IS_PART_OF = "isPartOf", "is part of"
    EXACT_MATCH_OF = "exactMatchOf", "exact match of"
    PRECEDES = "precedes", "precedes"
    IS_RELATED_TO = "isRelatedTo", "is related to"
    REPLACED_BY = "replacedBy", "replaced by"
    EXEMPLAR = "exemplar", "exemplar"
    HAS_SKILL_LEVEL = "hasSkillLevel", "has skill level"
    IS_TRANSLATION_OF = "isTranslationOf", "is translation of"


CROSSWALK_TYPES = (AssociationType.EXACT_MATCH_OF, AssociationType.IS_RELATED_TO, AssociationType.IS_PART_OF)


class Association(models.Model):
    """A CASE CFAssociation of a version: the hierarchy (isChildOf, mirrored in Competence.parent/sequence)
    and crosswalks to items of other frameworks. An end outside Cultivate is kept as an external reference
    (URI, identifier and title) rather than dropped."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="associations")
    identifier = models.UUIDField(default=uuid.uuid4)
    association_type = models.CharField(max_length=40)
    origin = models.ForeignKey(
        Competence, null=True, blank=True, on_delete=models.CASCADE, related_name="outgoing"
    )
    destination = models.ForeignKey(
        Competence, null=True, blank=True, on_delete=models.CASCADE, related_name="incoming"
    )
    # The destination may be the framework (CFDocument) itself for top-level isChildOf.
    destination_is_document = models.BooleanField(default=False)
    origin_ref = models.JSONField(
        default=dict, blank=True, help_text="External origin: identifier, uri, title."
    )
    destination_ref = models.JSONField(default=dict, blank=True, help_text="External destination.")
    sequence_number = models.IntegerField(null=True, blank=True)
    case_fields = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["version", "association_type", "sequence_number", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "identifier"], name="association_unique_in_version"),
        ]
        indexes = [models.Index(fields=["association_type", "destination"])]

    def __str__(self) -> str:
        return f"{self.origin or self.origin_ref} {self.association_type} {self.destination or self.destination_ref}"


class Adoption(TimeStampedModel):
    """An organisation uses a shared framework (its alliance's, or a reference one) for its roles."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="adoptions")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="adoptions"
    )
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["framework", "organisation"], name="adoption_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} uses {self.framework}"


class RoleRequirement(TimeStampedModel):
    """For a role (and optionally a band) in an organisation: which competence, at which level, by when.
    Points at the competence in the published version; publishing a new version moves it along (services)."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="role_requirements"
    )
    role = models.ForeignKey(
        "organisations.SupportRole", on_delete=models.CASCADE, related_name="requirements"
    )
    afc_band = models.CharField("AfC band", max_length=2, blank=True, help_text="Empty: every band.")
    competence = models.ForeignKey(Competence, on_delete=models.CASCADE, related_name="requirements")
    min_level = models.CharField(max_length=40)
    within_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Days from starting in the role, e.g. 84 for 12 weeks."
    )
    # A requirement added for a role people already hold: those in post before it began are due by its start
    # plus the grace period, not by their own start in the role (which may be years ago).
    starts_on = models.DateField(
        null=True, blank=True, help_text="When the requirement began. Empty: the day it was added."
    )
    grace_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Days given to people already in post when the requirement began. Empty: no grace period.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["organisation", "role", "afc_band", "competence__sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "role", "afc_band", "competence"], name="role_requirement_unique"
            ),
        ]

    def __str__(self) -> str:
        band = f" band {self.afc_band}" if self.afc_band else ""
        return f"{self.role}{band}: {self.competence} ({self.min_level})"

    @property
    def effective_start(self) -> dt.date:
        """The day the requirement began: `starts_on`, or the day it was added."""
        if self.starts_on is not None:
            return self.starts_on
        return timezone.localdate(self.created_at) if self.created_at else timezone.localdate()
