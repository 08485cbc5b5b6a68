from __future__ import annotations

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/sent/", views.register_sent, name="register-sent"),
    path("confirm-email/resend/", views.resend_confirmation, name="resend-confirmation"),
    path("confirm-email/<str:token>/", views.confirm_email, name="confirm-email"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("password-reset/", views.password_reset, name="password-reset"),
    path("password-reset/sent/", views.password_reset_sent, name="password-reset-sent"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password-reset-confirm",
    ),
    path("password-reset/done/", views.password_reset_complete, name="password-reset-complete"),
    path("profile/", views.profile, name="profile"),
    path("tokens/", views.create_api_token, name="create-api-token"),
    path("tokens/<int:token_id>/revoke/", views.revoke_api_token, name="revoke-api-token"),
    path("password/", views.password_change, name="password-change"),
]
