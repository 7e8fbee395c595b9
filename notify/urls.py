from django.urls import path

from notify import views

app_name = "notify"

urlpatterns = [
    path("subscriptions/confirm/<str:token>", views.confirm, name="confirm"),
    path("subscriptions/unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
]
