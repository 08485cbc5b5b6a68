from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Public profile", {"fields": ("display_name", "display_name_key")}),
        ("Email address", {"fields": ("email_confirmed_at",)}),
    )
    readonly_fields = ("display_name_key",)
    list_display = (
        "username",
        "display_name",
        "email",
        "email_confirmed_at",
        "is_staff",
        "is_active",
    )
    list_filter = (*DjangoUserAdmin.list_filter, "email_confirmed_at")
    search_fields = ("username", "display_name", "email")
