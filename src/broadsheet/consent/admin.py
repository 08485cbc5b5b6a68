"""Policy pages and cookie categories for editors; consent records read-only, with a CSV
export (linked from the records' list, template admin/consent/consentrecord/change_list.html).

A published policy version is what readers agreed to, and consent records name it: its
text can no longer be changed here. A correction is a new version (which, for the cookie
policy, asks every reader again). Only the "needs review" flag stays editable.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Max, QuerySet
from django.http import HttpRequest

from .models import ConsentRecord, CookieCategory, PolicyPage, forget_policy_version


@admin.register(CookieCategory)
class CookieCategoryAdmin(admin.ModelAdmin[CookieCategory]):
    list_display = ["name", "key", "always_on", "position"]
    prepopulated_fields = {"key": ["name"]}

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Readers' choices are stored by key: renaming one would silently drop it from
        # every choice already made.
        return ["key"] if obj is not None else []

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return {} if obj is not None else self.prepopulated_fields


@admin.register(PolicyPage)
class PolicyPageAdmin(admin.ModelAdmin[PolicyPage]):
    list_display = ["title", "kind", "version", "published_at", "needs_review"]
    list_filter = ["kind", "needs_review"]
    fields = ["kind", "version", "title", "body_source", "published_at", "needs_review"]
    ordering = ["kind", "-version"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.is_published:
            return ["kind", "version", "title", "body_source", "published_at"]
        return []

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        # A new page is the next version of its kind, so earlier versions stay as they were.
        initial: dict[str, Any] = dict(super().get_changeform_initial_data(request))
        kind = str(initial.get("kind") or PolicyPage.Kind.PRIVACY)
        latest = PolicyPage.objects.filter(kind=kind).aggregate(Max("version"))["version__max"]
        initial.setdefault("kind", kind)
        initial.setdefault("version", (latest or 0) + 1)
        return initial

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[PolicyPage]) -> None:
        super().delete_queryset(request, queryset)
        forget_policy_version()  # a bulk delete does not go through PolicyPage.delete()


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin[ConsentRecord]):
    list_display = ["consent_id", "action", "categories", "policy_version", "created_at"]
    list_filter = ["action", "policy_version"]
    search_fields = ["consent_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
