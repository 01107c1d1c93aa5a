"""What refers to a framework from outside it: the records that stop it being deleted.

Found from the models' own foreign keys (every app's, through Django's model metadata), so a new app whose
records name a competence, a version or a framework is counted without a change here and without frameworks
importing that app (ADR 0026). A framework's own versions, items and associations are its parts, not references
to it; an association of another framework that points at one of its items (a crosswalk) is a reference."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Q

from ..models import Association, Competence, Framework, FrameworkVersion

# The parts of a framework: rows of these models that belong to it are deleted with it.
PARTS = frozenset({"frameworks.FrameworkVersion", "frameworks.Competence"})

# What each kind of referring record is called on the page (singular, plural); other models use their
# verbose names.
NAMES: dict[str, tuple[str, str]] = {
    "frameworks.RoleRequirement": ("role requirement", "role requirements"),
    "frameworks.Adoption": ("organisation using it", "organisations using it"),
    "frameworks.Framework": ("set of local competences added to it", "sets of local competences added to it"),
    "frameworks.Association": ("crosswalk from another framework", "crosswalks from other frameworks"),
    "portfolio.Assessment": ("sign-off", "sign-offs"),
    "portfolio.Evidence": ("piece of portfolio evidence", "pieces of portfolio evidence"),
    "portfolio.EvidenceLink": ("portfolio evidence link", "portfolio evidence links"),
    "portfolio.SignOffRequest": ("sign-off request", "sign-off requests"),
    "portfolio.ReminderSent": ("reminder sent", "reminders sent"),
    "portfolio.ProtocolRequirement": ("delegation protocol requirement", "delegation protocol requirements"),
    "learning.OfferCompetence": ("learning offer competence", "learning offer competences"),
    "programmes.Programme": ("programme aligned to it", "programmes aligned to it"),
    "credentials.RecognisedAssessment": ("recognised assessment", "recognised assessments"),
    "pathways.StepRequirement": ("pathway step requirement", "pathway step requirements"),
}


@dataclass(frozen=True)
class Reference:
    label: str  # the model's app label and name, e.g. "portfolio.Assessment"
    count: int

    @property
    def words(self) -> str:
        singular, plural = NAMES.get(self.label, ("", ""))
        if not singular:
            model = _model(self.label)
            singular, plural = str(model._meta.verbose_name), str(model._meta.verbose_name_plural)
        return f"{self.count:,} {singular if self.count == 1 else plural}"


def _model(label: str) -> type[models.Model]:
    from django.apps import apps

    return apps.get_model(label)


def _conditions(framework: Framework) -> dict[type[models.Model], Q]:
    """For each model with a key to a framework, a version or an item: which of its rows point at this one."""
    targets = {
        Framework: ("", framework),
        FrameworkVersion: ("__framework", framework),
        Competence: ("__framework", framework),
    }
    found: dict[type[models.Model], Q] = {}
    for target, (suffix, value) in targets.items():
        for relation in target._meta.get_fields(include_hidden=True):
            if not (relation.is_relation and relation.auto_created and not relation.concrete):
                continue
            model = relation.related_model
            if not (isinstance(model, type) and issubclass(model, models.Model)) or model._meta.auto_created:
                continue  # a many-to-many table of its own: counted through the model that declares it
            if model._meta.label in PARTS:
                continue
            field = relation.field  # type: ignore[union-attr]
            condition = Q(**{f"{field.name}{suffix}": value})
            found[model] = found[model] | condition if model in found else condition
    return found


def framework_references(framework: Framework) -> list[Reference]:
    """Every kind of record outside the framework that refers to it, framework or items, with how many; empty
    when the framework can be deleted."""
    references = []
    for model, condition in _conditions(framework).items():
        rows = model._base_manager.filter(condition)
        if model is Association:
            rows = rows.exclude(version__framework=framework)
        count = rows.distinct().count()
        if count:
            references.append(Reference(label=model._meta.label, count=count))
    return sorted(references, key=lambda r: r.words)


def references_sentence(references: list[Reference]) -> str:
    """ "2 role requirements and 1 sign-off" for the refusal."""
    words = [r.words for r in references]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
