"""Load the role catalogue and the shared job-title aliases from the reference files."""

import re

from django.db import migrations


def normalise(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


def load(apps, schema_editor):
    from cultivate.organisations import reference

    SupportRole = apps.get_model("organisations", "SupportRole")
    JobTitle = apps.get_model("organisations", "JobTitle")
    roles = {}
    for row in reference.support_roles():
        role, _ = SupportRole.objects.update_or_create(
            name=row["role"],
            defaults={
                "category": row["category"],
                "typical_bands": row["typical_bands"],
                "notes": row["notes"],
            },
        )
        roles[role.name] = role
    for row in reference.job_title_aliases():
        JobTitle.objects.update_or_create(
            organisation=None,
            normalised=normalise(row["title"]),
            defaults={"title": row["title"], "role": roles[row["role"]]},
        )


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
