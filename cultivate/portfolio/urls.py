from django.urls import URLPattern, path  # noqa: F401 - helpers add their routes below

app_name = "portfolio"
urlpatterns: list[URLPattern] = [
    # Portfolio, evidence, sign-off requests, assessments, notifications (views.py)
    # Team competence matrix and delegation register (team_views.py, delegation_views.py)
]
