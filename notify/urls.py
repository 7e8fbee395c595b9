from django.urls import include, path

from notify import views

app_name = "notify"

urlpatterns = [
    path("subscribe", views.subscribe, name="subscribe"),
    path("incidents/<slug:public_id>/subscribe", views.subscribe_to_incident, name="subscribe_to"),
    path("subscriptions/confirm/<str:token>", views.confirm, name="confirm"),
    path("subscriptions/code/<str:token>", views.code, name="code"),
    path("subscriptions/manage/<str:token>", views.manage, name="manage"),
    path("subscriptions/unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
    path("twilio/", include("notify.twilio_urls")),
]
