from __future__ import annotations

from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("act/", views.act, name="act"),
    path("comments/<int:comment_id>/ban/", views.ban, name="ban"),
    path("bans/", views.bans, name="bans"),
    path("bans/<int:ban_id>/lift/", views.lift_ban, name="lift-ban"),
    path("blocked-terms/", views.blocked_terms, name="blocked-terms"),
    path("blocked-terms/add/", views.add_blocked_term, name="add-blocked-term"),
    path(
        "blocked-terms/<int:term_id>/remove/",
        views.remove_blocked_term,
        name="remove-blocked-term",
    ),
    path("log/", views.log, name="log"),
]
