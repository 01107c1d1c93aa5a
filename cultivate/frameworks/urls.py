from django.urls import URLPattern, path  # noqa: F401 - helpers add their routes below

app_name = "frameworks"
urlpatterns: list[URLPattern] = [
    # Authoring, versions, adoption, requirements and crosswalks (views.py)
    # CASE import and export pages (case_views.py)
]
