from django.urls import path

from . import health, notifications, views

app_name = "core"

urlpatterns = [
    path("health/", views.health, name="health"),
    path("healthz", health.healthz, name="healthz"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("notifications/", notifications.notification_list, name="notifications"),
]
