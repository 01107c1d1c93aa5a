"""Users, the roles they hold (memberships) and their API tokens."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cultivate.core import periods
from cultivate.core.models import TimeStampedModel


class Role(models.TextChoices):
    SUPPORT_WORKER = "support_worker", "Support worker"
    ASSESSOR = "assessor", "Assessor"
    LINE_MANAGER = "line_manager", "Line manager"
    EDUCATOR = "educator", "Educator or programme lead"
    ANALYST = "analyst", "Workforce analyst"
    ORG_ADMIN = "org_admin", "Organisation admin"
    ALLIANCE_ADMIN = "alliance_admin", "Alliance admin"


# Roles whose scope is a set of teams rather than the whole organisation.
TEAM_ROLES = frozenset({Role.ASSESSOR, Role.LINE_MANAGER})


class RegistrationBody(models.TextChoices):
    NMC = "NMC", "Nursing and Midwifery Council"
    HCPC = "HCPC", "Health and Care Professions Council"
    GMC = "GMC", "General Medical Council"
    GPHC = "GPhC", "General Pharmaceutical Council"
    SWE = "SWE", "Social Work England"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    # The staff record this account belongs to, where the user is (also) a member of staff.
    person = models.OneToOneField(
        "organisations.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="user"
    )
    # Whose admins look after this account (an organisation's, or an alliance's), so that an account with no
    # role yet stays in someone's care.
    home_organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    home_alliance = models.ForeignKey(
        "organisations.Alliance", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    registration_body = models.CharField(max_length=10, choices=RegistrationBody.choices, blank=True)
    registration_pin = models.CharField(max_length=20, blank=True, verbose_name="registration PIN")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_registered_professional(self) -> bool:
        return bool(self.registration_body and self.registration_pin)


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self, on: Any = None) -> MembershipQuerySet:
        today = on or timezone.localdate()
        return self.filter(
            periods.active_on(today, start="starts_on", end="ends_on"), revoked_at__isnull=True
        )


class Membership(TimeStampedModel):
    """A role held by a user in an alliance, an organisation, or a team of an organisation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    alliance = models.ForeignKey(
        "organisations.Alliance", null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    teams = models.ManyToManyField("organisations.Team", blank=True, related_name="memberships")
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField(null=True, blank=True)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Set when an admin ends the role; the row stays so the history of who could do what is kept.
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            # An alliance admin acts for an alliance; every other role acts within one organisation.
            models.CheckConstraint(
                condition=(
                    Q(role=Role.ALLIANCE_ADMIN, alliance__isnull=False, organisation__isnull=True)
                    | (~Q(role=Role.ALLIANCE_ADMIN) & Q(alliance__isnull=True, organisation__isnull=False))
                ),
                name="membership_scope_matches_role",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="membership_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} — {self.scope_label}"

    @property
    def scope_label(self) -> str:
        if self.alliance_id:
            return str(self.alliance)
        return str(self.organisation)

    @property
    def is_current(self) -> bool:
        return self.revoked_at is None and periods.is_active_on(
            self.starts_on, self.ends_on, timezone.localdate()
        )


class ApiToken(models.Model):
    """A personal access token. Only a SHA-256 hash is kept; the secret is shown once, when created."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    # Requests with this token act in this role, so the API applies exactly the page's scope.
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class SignInThrottle(models.Model):
    """Failed sign-ins counted for one email address or one client, whether or not an account has that
    address, so that throttling says nothing about which addresses exist. The key is a keyed hash (of the
    normalised address, or of the client's IP address), never the address itself."""

    key = models.CharField(max_length=80, unique=True)
    failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)
    # When the row stops mattering (the window has passed and any lock has ended), so old rows can go.
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key[:20]}… ({self.failures} failures)"
