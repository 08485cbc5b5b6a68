"""Declare the read-replica cookie (broadsheet/db/replicas.py) as strictly necessary.

Appended to the necessary category's list unless an editor already lists it; a site that
deleted that category keeps it deleted (the code knows the name anyway).
"""

from django.db import migrations

NAME = "broadsheet_primary_until"
LINE = (
    f"{NAME}: set only on sites that read from database copies, for a few seconds after "
    "you post or save something, so that you see the result at once"
)


def _listed(cookies):
    return any(line.partition(":")[0].strip() == NAME for line in cookies.splitlines())


def add_cookie(apps, schema_editor):
    CookieCategory = apps.get_model("consent", "CookieCategory")
    category = CookieCategory.objects.filter(key="necessary").first()
    if category is not None and not _listed(category.cookies):
        category.cookies = f"{category.cookies.rstrip()}\n{LINE}".lstrip()
        category.save(update_fields=["cookies"])


def remove_cookie(apps, schema_editor):
    CookieCategory = apps.get_model("consent", "CookieCategory")
    category = CookieCategory.objects.filter(key="necessary").first()
    if category is not None and _listed(category.cookies):
        lines = category.cookies.splitlines()
        category.cookies = "\n".join(
            line for line in lines if line.partition(":")[0].strip() != NAME
        )
        category.save(update_fields=["cookies"])


class Migration(migrations.Migration):
    dependencies = [("consent", "0002_cookie_categories")]

    operations = [migrations.RunPython(add_cookie, remove_cookie)]
