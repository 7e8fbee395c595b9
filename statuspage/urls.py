"""URL map: the public page, its JSON API and feeds (statuspage.*), the management API
(api/v1, authenticated) and the on-call console."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from notify.email_feedback import tracking_urlpatterns
from statuspage import health, metrics

admin.site.site_header = "Noroshi — on-call console"
admin.site.site_title = "Noroshi"
admin.site.index_title = "Incidents, maintenance and components"

urlpatterns = [
    path("api/v2/", include("statuspage.api_v2.urls")),
    path("api/v1/", include("notify.api.urls")),
    path("api/v1/schema", SpectacularAPIView.as_view(), name="api_v1_schema"),
    path("", include("statuspage.feeds.urls")),
    path("", include("notify.urls")),
    path("", include("statuspage.views.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    # Bounces and complaints from an e-mail provider (404 until ANYMAIL_WEBHOOK_SECRET is set).
    path("anymail/", include((tracking_urlpatterns(), "anymail"))),
    path("admin/", admin.site.urls),
]

# Errors raised outside a view (e.g. the session saved while the database is gone) end here:
# a plain page, the 503 of statuspage.errors when the database is the cause.
handler500 = "statuspage.errors.server_error"
