from django.urls import path

from notify.api import views

app_name = "notify_api"

urlpatterns = [
    path("sending-switch", views.SendingSwitchView.as_view(), name="sending_switch"),
]
