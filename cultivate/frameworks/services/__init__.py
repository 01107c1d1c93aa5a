"""Writes for frameworks: authoring drafts, versions (draft, publish, retire), adoption, local competences,
crosswalks and role requirements. Each is validated (`full_clean()`), atomic where it touches several rows,
and audited. The reads these writes share with pages (the version diff, the publish preview) are selectors
(`selectors.changes`).

Only a draft changes. A published or retired version is a record of what people were assessed against, so
every item, crosswalk and hierarchy edit checks `version.is_editable` here, whatever the caller checked.

Publishing a version is where sign-offs meet change: the preview (`selectors.version_publish_preview`) and the
record (`change_summary`) come from the same computation, so what the educator confirmed is what is kept.
Records other apps keep about a framework (sign-offs, delegation protocols) are reached through `dependents`,
never by importing those apps.

Callers import the package (`from cultivate.frameworks import services`); the modules are grouped by what they
write."""

from .adoption import adoption_create, adoption_remove
from .crosswalks import crosswalk_add, crosswalk_remove
from .frameworks import (
    LEVEL_CODE,
    extension_create,
    framework_create,
    framework_delete,
    framework_levels_set,
    framework_update,
)
from .items import (
    competence_create,
    competence_delete,
    competence_move,
    competence_shift,
    competence_update,
    domain_create,
)
from .requirements import (
    MAX_WITHIN_DAYS,
    DomainRequirements,
    RolesRequirements,
    role_requirement_create,
    role_requirement_delete,
    role_requirement_update,
    role_requirements_add,
    role_requirements_add_domain,
    role_requirements_add_framework,
)
from .versions import (
    import_discard,
    version_draft_create,
    version_draft_delete,
    version_publish,
    version_retire,
)

__all__ = [
    "LEVEL_CODE",
    "MAX_WITHIN_DAYS",
    "DomainRequirements",
    "RolesRequirements",
    "adoption_create",
    "adoption_remove",
    "competence_create",
    "competence_delete",
    "competence_move",
    "competence_shift",
    "competence_update",
    "crosswalk_add",
    "crosswalk_remove",
    "domain_create",
    "extension_create",
    "framework_create",
    "framework_delete",
    "framework_levels_set",
    "framework_update",
    "import_discard",
    "role_requirement_create",
    "role_requirement_delete",
    "role_requirement_update",
    "role_requirements_add",
    "role_requirements_add_domain",
    "role_requirements_add_framework",
    "version_draft_create",
    "version_draft_delete",
    "version_publish",
    "version_retire",
]
