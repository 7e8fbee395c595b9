"""URL map: the public page, its JSON API and feeds (statuspage.*), the management API
(api/v1, authenticated) and the on-call console."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from incidents.admin import home
from notify.email_feedback import tracking_urlpatterns
from statuspage import health, metrics, second_factor
from statuspage.api_v1.errors import no_such_endpoint

admin.site.site_header = "Noroshi — on-call console"
admin.site.site_title = "Noroshi"
admin.site.index_title = "Incidents, maintenance and components"
admin.site.index_template = home.HOME_TEMPLATE

PUBLIC_SCHEMA = SpectacularAPIView.as_view(permission_classes=[AllowAny], authentication_classes=[])

urlpatterns = [
    path("api/v2/", include("statuspage.api_v2.urls")),
    path("api/v1/", include("statuspage.api_v1.urls")),
    # The management API's OpenAPI document and its browsable docs (assets served here, no
    # CDN): public, like Statuspage's; they describe the API, never any data.
    path("api/v1/schema/", PUBLIC_SCHEMA, name="api_v1_schema"),
    path("api/v1/schema", PUBLIC_SCHEMA),
    path(
        "api/v1/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api_v1_schema",
            permission_classes=[AllowAny],
            template_name="statuspage/api_docs.html",
        ),
        name="api_v1_docs",
    ),
    re_path(r"^api/v1/", no_such_endpoint),
    path("", include("statuspage.feeds.urls")),
    path("", include("notify.urls")),
    path("", include("statuspage.views.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    # Bounces and complaints from an e-mail provider (404 until ANYMAIL_WEBHOOK_SECRET is set).
    path("anymail/", include((tracking_urlpatterns(), "anymail"))),
    # The console's second factor (statuspage.second_factor), before the console itself.
    path("admin/second-factor/", second_factor.setup, name="second_factor_setup"),
    path("admin/second-factor/verify/", second_factor.verify, name="second_factor_verify"),
    path("admin/second-factor/qr.svg", second_factor.qr_code, name="second_factor_qr"),
    path(
        "admin/second-factor/recovery-codes/",
        second_factor.replace_recovery_codes,
        name="second_factor_recovery_codes",
    ),
    # The console's home (incidents.admin.home) answers the admin index's address, before it.
    path("admin/", admin.site.admin_view(home.console_home), name="console_home"),
    path("admin/", admin.site.urls),
]

# Errors raised outside a view (e.g. the session saved while the database is gone) end here:
# a plain page, the 503 of statuspage.errors when the database is the cause.
handler500 = "statuspage.errors.server_error"
