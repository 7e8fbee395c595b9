"""URL map: the public page (statuspage.views) and the on-call console (Django admin)."""

from django.contrib import admin
from django.urls import path

from statuspage import views

admin.site.site_header = "Noroshi — on-call console"
admin.site.site_title = "Noroshi"
admin.site.index_title = "Incidents, maintenance and components"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
