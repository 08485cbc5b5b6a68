from __future__ import annotations

from django.urls import path

from . import views

app_name = "consent"

urlpatterns = [
    path("cookies/", views.preferences, name="preferences"),
    path("cookies/accept-all/", views.accept_all, name="accept-all"),
    path("cookies/reject-all/", views.reject_all, name="reject-all"),
    path("cookies/records.csv", views.export_records, name="export"),
    path("privacy/", views.policy, {"kind": "privacy"}, name="privacy"),
    path("terms/", views.policy, {"kind": "terms"}, name="terms"),
    path("cookie-policy/", views.policy, {"kind": "cookies"}, name="cookie-policy"),
    path("policies/<str:kind>/<int:version>/", views.policy, name="policy-version"),
]
