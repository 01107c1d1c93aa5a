from django.urls import path

from . import notification_views, views

app_name = "core"
urlpatterns = [
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("notifications/", notification_views.notifications, name="notifications"),
    path("notifications/settings/", notification_views.notification_settings, name="notification_settings"),
    path("notifications/read/", notification_views.notifications_read, name="notifications_read"),
    path("notifications/<int:pk>/", notification_views.notification_open, name="notification_open"),
]
