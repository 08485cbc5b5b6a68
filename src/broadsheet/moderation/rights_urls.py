"""The commenters' data rights pages, mounted at /your-data/."""

from __future__ import annotations

from django.urls import path

from . import rights_views

app_name = "rights"

urlpatterns = [
    path("", rights_views.request_data, name="request"),
    path("export/<str:token>/", rights_views.export, name="export"),
    path("erase/<str:token>/", rights_views.erase, name="erase"),
]
