"""Comments in the Django admin, for staff who have the permission; moderators get their
own queue in the moderation app."""

from __future__ import annotations

from django.contrib import admin

from .models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["name", "article", "status", "created_at", "email_confirmed"]
    list_filter = ["status", "email_confirmed"]
    search_fields = ["name", "email", "body_source"]
    raw_id_fields = ["article", "parent", "thread", "user"]
    readonly_fields = ["body_html", "address_hash", "created_at", "edited_at"]
    date_hierarchy = "created_at"
