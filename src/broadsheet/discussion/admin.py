"""Comments in the Django admin, for staff who have the permission; moderators get their
own queue in the moderation app."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from . import services
from .models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin[Comment]):
    list_display = ["name", "article", "status", "created_at", "email_confirmed"]
    list_filter = ["status", "email_confirmed"]
    search_fields = ["name", "email", "body_source"]
    raw_id_fields = ["article", "parent", "thread", "user"]
    readonly_fields = ["body_html", "address_hash", "created_at", "edited_at"]
    date_hierarchy = "created_at"
    # A homepage typed without a scheme is taken as https, as the comment form takes it.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request: HttpRequest, obj: Comment, form: Any, change: bool) -> None:
        if not change or "status" not in form.changed_data:
            super().save_model(request, obj, form, change)
            return
        # A new status goes through set_status(), as the moderation queue's does, so the
        # article's count, reply notices and webhooks follow; a plain save would leave the
        # count wrong. The other fields are saved first with the status as stored, which
        # set_status() compares with. The admin's view runs in one transaction: both
        # writes commit together. (Not in the moderation log: that is moderation's, which
        # builds on discussion; staff who should be accountable use the queue.)
        status = obj.status
        obj.status = form.initial["status"]
        super().save_model(request, obj, form, change)
        services.set_status(obj, status)
