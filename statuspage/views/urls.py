from django.urls import path

from statuspage.views import overview

urlpatterns = [
    path("", overview.overview, name="overview"),
]
