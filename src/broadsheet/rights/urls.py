"""The data rights URLs, included at the site's root so each keeps its full path: the
commenters' pages under /your-data/ and the moderators' erasure beside the other
moderation actions under /moderation/."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "rights"

urlpatterns = [
    path("your-data/", views.request_data, name="request"),
    path("your-data/export/<str:token>/", views.export, name="export"),
    path("your-data/erase/<str:token>/", views.erase, name="erase"),
    path("moderation/erase/<int:comment_id>/", views.moderator_erase, name="moderator-erase"),
]
