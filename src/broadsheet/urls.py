from __future__ import annotations

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from broadsheet.accounts.forms import AdminLoginForm
from broadsheet.accounts.views import refusing_with_429
from broadsheet.lib.health import healthz
from broadsheet.publishing.sitemaps import SITEMAPS
from broadsheet.publishing.views import robots_txt

admin.site.site_header = "Broadsheet"
admin.site.site_title = "Broadsheet admin"
# The admin's login counts against the same sign-in rate limits as the readers' login.
admin.site.login_form = AdminLoginForm

urlpatterns = [
    # Ahead of the admin's own URLs, so its login page answers a refused sign-in with 429.
    path("admin/login/", refusing_with_429(admin.site.login)),
    path("admin/", admin.site.urls),
    path("accounts/", include("broadsheet.accounts.urls")),
    path("moderation/", include("broadsheet.moderation.urls")),
    # /your-data/… and the moderators' erasure under /moderation/ (full paths in the app).
    path("", include("broadsheet.rights.urls")),
    path("api/v1/", include("broadsheet.api.urls")),
    path("healthz", healthz, name="healthz"),
    path("robots.txt", robots_txt, name="robots"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("", include("broadsheet.consent.urls")),
    path("", include("broadsheet.discussion.urls")),
    path("", include("broadsheet.publishing.urls")),
]

# A database or cache outage gets a 503 page with Retry-After, anything else the 500 page.
handler500 = "broadsheet.lib.outage.server_error"
