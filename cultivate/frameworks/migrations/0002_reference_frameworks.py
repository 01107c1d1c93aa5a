"""Load the reference frameworks (Care Certificate 2025, Code of Conduct 2013) from reference/*.csv.

Each becomes a framework with no owner, one published version and one item per standard or theme, with the
fixed identifiers of cultivate/frameworks/reference.py. Running it again updates the rows in place."""

from django.db import migrations


def load(apps, schema_editor):
    from cultivate.frameworks import reference

    reference.install(apps)


class Migration(migrations.Migration):
    dependencies = [("frameworks", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
