"""Support-at-work pages, included in the learning app's URLs (the `learning` namespace)."""

from django.urls import URLPattern, path

from . import support_views as views

urlpatterns: list[URLPattern] = [
    path("support/", views.hub, name="support"),
    path("support/flexible/new/", views.flexible_new, name="flexible_new"),
    path("support/flexible/<int:pk>/", views.flexible_detail, name="flexible"),
    path("support/flexible/<int:pk>/decide/", views.flexible_decide, name="flexible_decide"),
    path("support/flexible/<int:pk>/withdraw/", views.flexible_withdraw, name="flexible_withdraw"),
    path("support/incidents/new/", views.support_new, name="support_new"),
    path("support/incidents/<int:pk>/", views.support_detail, name="support_record"),
    path("organisations/<str:ods_code>/support/", views.figures, name="support_figures"),
    path(
        "organisations/<str:ods_code>/support.<str:file_format>",
        views.figures_export,
        name="support_export",
    ),
]
