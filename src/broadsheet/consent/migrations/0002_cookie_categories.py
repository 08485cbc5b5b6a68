"""The four cookie categories every site starts with; sites may edit them or add more."""

from django.db import migrations

CATEGORIES = [
    {
        "key": "necessary",
        "name": "Strictly necessary",
        "always_on": True,
        "position": 0,
        "description": "Keep you signed in, protect forms against forgery, show you your "
        "own comment while it waits for a moderator, and remember your cookie choice. "
        "The site cannot work without them, so they cannot be switched off.",
        "cookies": "sessionid: keeps you signed in, and shows you your own comment while it "
        "waits for review\n"
        "csrftoken: protects forms against cross-site forgery\n"
        "messages: carries a one-off notice to the next page you see\n"
        "broadsheet_consent: remembers the choice you make here\n"
        "broadsheet_commenter: set only after you confirm your e-mail address from a "
        "comment, so your later comments from this browser show as verified",
    },
    {
        "key": "preferences",
        "name": "Preferences",
        "always_on": False,
        "position": 10,
        "description": "Remember things you chose, such as your name and e-mail address in "
        "the comment form.",
        "cookies": "broadsheet_commenter_details: your name, e-mail and homepage for the "
        "comment form, if you tick 'Remember me'",
    },
    {
        "key": "statistics",
        "name": "Statistics",
        "always_on": False,
        "position": 20,
        "description": "Count visits and see which articles are read, so we can report on "
        "our work. Nothing is shared with advertisers.",
        "cookies": "",
    },
    {
        "key": "external-media",
        "name": "External media",
        "always_on": False,
        "position": 30,
        "description": "Show videos and posts from other sites inside articles. Those sites "
        "can see that you visited and may set their own cookies.",
        "cookies": "",
    },
]


def add_categories(apps, schema_editor):
    CookieCategory = apps.get_model("consent", "CookieCategory")
    for data in CATEGORIES:
        CookieCategory.objects.update_or_create(key=data["key"], defaults=data)


def remove_categories(apps, schema_editor):
    CookieCategory = apps.get_model("consent", "CookieCategory")
    CookieCategory.objects.filter(key__in=[data["key"] for data in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]

    operations = [migrations.RunPython(add_categories, remove_categories)]
