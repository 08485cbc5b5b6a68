from __future__ import annotations

from django.apps import AppConfig

from broadsheet.lib.groups import grant_after_migrate

# What the Editors group may do here: read (and export) consent records, write policy
# pages (new versions; never delete one), and edit the cookie categories' texts.
EDITORS_GROUP = "Editors"
EDITOR_PERMISSIONS = [
    "view_consentrecord",
    "add_policypage",
    "change_policypage",
    "view_policypage",
    "change_cookiecategory",
]


class ConsentConfig(AppConfig):
    name = "broadsheet.consent"
    verbose_name = "Consent and policies"

    def ready(self) -> None:
        from broadsheet.pagecache import varies_with_cookie

        from .services import COOKIE_NAME, page_variant

        grant_after_migrate(self, EDITORS_GROUP, EDITOR_PERMISSIONS)
        # Each choice gets its own shared pages (the notice, embeds, analytics).
        varies_with_cookie(COOKIE_NAME, page_variant)
