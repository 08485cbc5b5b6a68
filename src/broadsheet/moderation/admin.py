"""Bans, blocked terms and the moderation log in the Django admin, to look at only.

Changes go through the moderation pages (/moderation/), which write every one of them to
the audit log; an admin form would change a ban or remove a term without a log entry.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Ban, BlockedTerm, ModerationLogEntry


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Ban)
class BanAdmin(ReadOnlyAdmin):
    list_display = ["kind", "value", "created_by", "created_at", "expires_at"]
    list_filter = ["kind"]
    search_fields = ["value", "reason"]
    date_hierarchy = "created_at"


@admin.register(BlockedTerm)
class BlockedTermAdmin(ReadOnlyAdmin):
    list_display = ["kind", "value", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["value"]


@admin.register(ModerationLogEntry)
class ModerationLogEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "comment_ref", "reason"]
    list_filter = ["action"]
    search_fields = ["reason", "actor__username"]
    date_hierarchy = "created_at"
