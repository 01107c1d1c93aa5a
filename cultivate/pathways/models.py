"""Career pathways as data (pathways, steps, entry requirements), a worker's qualifications and functional skills
assessment results, apprenticeships with their off-the-job training, and the off-the-job rules by start date.

A pathway belongs to nobody (reference data shipped in `reference/`), to an alliance (shared by its members) or to
one organisation. A step may follow a step of any pathway its owner can see; a circle of steps is refused by the
service (`step_save`), which walks the chain before saving."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from cultivate.core.models import TimeStampedModel
from cultivate.core.scopes import ScopedQuerySet
from cultivate.organisations.models import AfcBand, Alliance, Organisation, Person

# Bands in order, for "band 3 or above".
BAND_ORDER = [b.value for b in AfcBand if b != AfcBand.NA]


def band_rank(band: str) -> int:
    return BAND_ORDER.index(band) + 1 if band in BAND_ORDER else 0


class ApprenticeshipStandard(models.Model):
    """An apprenticeship standard and version as the Institute for Apprenticeships and Technical Education
    publishes it; `minimum_off_the_job_hours` is the published minimum for starts from 1 August 2025."""

    code = models.CharField(max_length=10)
    version = models.CharField(max_length=10, default="1.0")
    title = models.CharField(max_length=200)
    level = models.PositiveSmallIntegerField(validators=[MinValueValidator(2), MaxValueValidator(7)])
    typical_months = models.PositiveSmallIntegerField(null=True, blank=True)
    minimum_off_the_job_hours = models.PositiveIntegerField(null=True, blank=True)
    ksbs = models.JSONField(
        default=list, blank=True, help_text="[{code, text}] knowledge, skills, behaviours"
    )
    source = models.URLField(blank=True)

    class Meta:
        ordering = ["code", "version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="standard_code_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.code} v{self.version}, level {self.level})"


class PathwayQuerySet(ScopedQuerySet["Pathway"]):
    pass


class Pathway(TimeStampedModel):
    code = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner_alliance = models.ForeignKey(
        Alliance, null=True, blank=True, on_delete=models.CASCADE, related_name="pathways"
    )
    owner_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="pathways"
    )
    source = models.TextField(blank=True, help_text="Where the pathway and its requirements come from.")

    objects = PathwayQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_alliance__isnull=True) | Q(owner_organisation__isnull=True),
                name="pathway_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_reference(self) -> bool:
        return self.owner_alliance_id is None and self.owner_organisation_id is None


class StepQuerySet(ScopedQuerySet["Step"]):
    pass


class Step(models.Model):
    """A role on a pathway. `previous` is the step it follows (on this pathway or another)."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="steps")
    code = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    band = models.CharField(max_length=2, choices=AfcBand.choices, blank=True)
    standard = models.ForeignKey(
        ApprenticeshipStandard, null=True, blank=True, on_delete=models.SET_NULL, related_name="steps"
    )
    registered_with = models.CharField(max_length=40, blank=True, help_text="e.g. the NMC")
    sequence = models.PositiveSmallIntegerField(default=0)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_steps"
    )

    objects = StepQuerySet.as_manager()

    class Meta:
        ordering = ["pathway", "sequence", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["pathway", "code"], name="step_code_unique_in_pathway"),
            models.CheckConstraint(condition=~Q(previous=F("pk")), name="step_not_its_own_previous"),
        ]

    def __str__(self) -> str:
        return self.title


class QualificationKind(models.TextChoices):
    FS_ENGLISH_L2 = "fs_english_l2", "Functional skills English level 2"
    FS_MATHS_L2 = "fs_maths_l2", "Functional skills maths level 2"
    FS_DIGITAL = "fs_digital", "Essential digital skills"
    GCSE_ENGLISH = "gcse_english", "GCSE English grade 4 (C) or above"
    GCSE_MATHS = "gcse_maths", "GCSE maths grade 4 (C) or above"
    CARE_CERTIFICATE = "care_certificate", "Care Certificate"
    DIPLOMA_L3 = "diploma_l3", "Level 3 diploma in healthcare support"
    APPRENTICESHIP = "apprenticeship", "Apprenticeship completed"
    FOUNDATION_DEGREE = "foundation_degree", "Foundation degree"
    DEGREE = "degree", "Degree"
    OTHER = "other", "Other qualification"


class RequirementKind(models.TextChoices):
    QUALIFICATION = "qualification", "Qualification"
    EXPERIENCE = "experience", "Experience"
    BAND = "band", "Band"
    COMPETENCE = "competence", "Competence"
    MANDATORY_TRAINING = "mandatory_training", "Mandatory training"
    MANAGER_SUPPORT = "manager_support", "Manager's support"


class StepRequirement(models.Model):
    """One entry requirement of a step. Only the fields of its kind are used: `qualifications` (any one of the
    kinds listed), `months` (of employment, at `band` or above when given), `band` (the worker's band today at
    least), a competence (framework and identifier, at `level` or above), `training` (a mandatory training
    topic), or nothing more (manager's support). `evidenced_by` says how it is shown."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="requirements")
    kind = models.CharField(max_length=20, choices=RequirementKind.choices)
    qualifications = models.JSONField(default=list, blank=True)
    months = models.PositiveSmallIntegerField(null=True, blank=True)
    band = models.CharField(max_length=2, choices=AfcBand.choices, blank=True)
    framework = models.ForeignKey(
        "frameworks.Framework", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    competence_identifier = models.UUIDField(null=True, blank=True)
    level = models.CharField(max_length=60, blank=True)
    training = models.CharField(max_length=100, blank=True)
    evidenced_by = models.CharField(max_length=300)
    sequence = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["step", "sequence", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="experience") | Q(months__isnull=False), name="experience_has_months"
            ),
            models.CheckConstraint(condition=~Q(kind="band") | ~Q(band=""), name="band_requirement_has_band"),
        ]

    def __str__(self) -> str:
        return f"{self.step}: {self.get_kind_display()}"


class QualificationStatus(models.TextChoices):
    RECORDED = "recorded", "Waiting for confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    SUPERSEDED = "superseded", "Superseded"


class QualificationQuerySet(ScopedQuerySet["Qualification"]):
    pass


class Qualification(TimeStampedModel):
    """A worker's qualification with its evidence. Once an admin confirms it, it is never edited: a correction
    is a new record that supersedes it (the service refuses changes to a confirmed one)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="qualifications")
    kind = models.CharField(max_length=20, choices=QualificationKind.choices)
    title = models.CharField(max_length=200, blank=True)
    awarding_body = models.CharField(max_length=200, blank=True)
    awarded_on = models.DateField()
    evidence = models.CharField(max_length=300, help_text="Certificate number or where the evidence is held")
    status = models.CharField(
        max_length=12, choices=QualificationStatus.choices, default=QualificationStatus.RECORDED
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="superseded_by"
    )

    objects = QualificationQuerySet.as_manager()

    class Meta:
        ordering = ["person", "-awarded_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="confirmed_qualification_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()

    @property
    def label(self) -> str:
        return self.title or str(self.get_kind_display())


class SkillsSubject(models.TextChoices):
    ENGLISH = "english", "English"
    MATHS = "maths", "Maths"
    DIGITAL = "digital", "Digital"


class SkillsLevel(models.TextChoices):
    ENTRY_1 = "E1", "Entry level 1"
    ENTRY_2 = "E2", "Entry level 2"
    ENTRY_3 = "E3", "Entry level 3"
    LEVEL_1 = "L1", "Level 1"
    LEVEL_2 = "L2", "Level 2"


SKILLS_ORDER = [level.value for level in SkillsLevel]


class ResultSource(models.TextChoices):
    EDUCATOR = "educator", "Entered by an educator"
    IMPORT = "import", "Imported"


class SkillsResultQuerySet(ScopedQuerySet["SkillsResult"]):
    pass


class SkillsResult(TimeStampedModel):
    """A functional skills initial assessment result for one subject."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="skills_results")
    subject = models.CharField(max_length=10, choices=SkillsSubject.choices)
    level = models.CharField(max_length=2, choices=SkillsLevel.choices)
    assessed_on = models.DateField()
    reassess_on = models.DateField()
    source = models.CharField(max_length=10, choices=ResultSource.choices, default=ResultSource.EDUCATOR)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SkillsResultQuerySet.as_manager()

    class Meta:
        ordering = ["person", "subject", "-assessed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reassess_on__gt=F("assessed_on")), name="reassessment_after_assessment"
            ),
        ]


class ManagerSupport(TimeStampedModel):
    """A line manager's support for a worker to go for a step."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="step_support")
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="support")
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    given_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "step"], name="support_once_per_step")]


class OffTheJobBasis(models.TextChoices):
    PERCENT_OF_HOURS = "percent", "A share of working hours"
    WEEKLY_OR_PERCENT = "weekly", "Hours a week, or a share of hours below the full-time threshold"
    PUBLISHED_MINIMUM = "published", "The standard's published minimum hours"


class OffTheJobRule(models.Model):
    """The off-the-job training rule for apprenticeships starting on or after `starts_from`: the next change is a
    row here (or in `reference/off_the_job_rules.csv`, read when this table is empty), not a release."""

    starts_from = models.DateField(unique=True)
    basis = models.CharField(max_length=10, choices=OffTheJobBasis.choices)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    weekly_hours = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    threshold_hours = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    floor_hours = models.PositiveIntegerField(null=True, blank=True)
    minimum_months = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["starts_from"]

    def __str__(self) -> str:
        return f"Starts from {self.starts_from}: {self.get_basis_display()}"


class EpaGrade(models.TextChoices):
    FAIL = "fail", "Fail"
    PASS = "pass", "Pass"
    MERIT = "merit", "Merit"
    DISTINCTION = "distinction", "Distinction"


class Outcome(models.TextChoices):
    KEPT_ON = "kept_on", "Kept on"
    PROGRESSED = "progressed", "Progressed"
    LEFT = "left", "Left"


class ApprenticeshipQuerySet(ScopedQuerySet["Apprenticeship"]):
    pass


class Apprenticeship(TimeStampedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="apprenticeships")
    standard = models.ForeignKey(ApprenticeshipStandard, on_delete=models.PROTECT, related_name="+")
    provider = models.CharField(max_length=200)
    start_date = models.DateField()
    planned_end_date = models.DateField()
    contracted_hours = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("48"))],
        help_text="Contracted hours a week",
    )
    days_per_week = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    gateway_on = models.DateField(null=True, blank=True)
    epa_on = models.DateField(null=True, blank=True)
    epa_grade = models.CharField(max_length=12, choices=EpaGrade.choices, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    # The educator who recorded it: told, with the apprentice and their manager, when off-the-job hours fall
    # behind (the organisation's educators when empty).
    educator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The day the daily check first found it behind on off-the-job hours (empty while on track): people are
    # told once per fall behind, not every day.
    behind_since = models.DateField(null=True, blank=True)

    objects = ApprenticeshipQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end_date__gt=F("start_date")), name="apprenticeship_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(gateway_on__isnull=True) | Q(gateway_on__gte=F("start_date")),
                name="gateway_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard.title} from {self.start_date}"

    @property
    def daily_hours(self) -> Decimal:
        return (self.contracted_hours / self.days_per_week).quantize(Decimal("0.01"))


class OffTheJobEntry(TimeStampedModel):
    apprenticeship = models.ForeignKey(Apprenticeship, on_delete=models.CASCADE, related_name="entries")
    on = models.DateField()
    hours = models.DecimalField(
        max_digits=4, decimal_places=2, validators=[MinValueValidator(Decimal("0.25"))]
    )
    activity = models.CharField(max_length=300)
    ksbs = models.JSONField(default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="off_the_job_hours_positive")]
