from django.urls import URLPattern, path

from . import case_views, views

app_name = "frameworks"

VERSION = "<uuid:identifier>/versions/<int:number>/"
REQUIREMENTS = "organisations/<str:ods_code>/requirements/"

urlpatterns: list[URLPattern] = [
    # Authoring, versions, adoption, requirements and crosswalks (views.py)
    path("", views.framework_list, name="list"),
    path("new/", views.framework_create, name="create"),
    path("<uuid:identifier>/", views.framework_detail, name="detail"),
    path("<uuid:identifier>/edit/", views.framework_edit, name="edit"),
    path("<uuid:identifier>/delete/", views.framework_delete, name="delete"),
    path("<uuid:identifier>/levels/", views.framework_levels, name="levels"),
    path("<uuid:identifier>/adopt/", views.adopt, name="adopt"),
    path("<uuid:identifier>/stop-using/", views.adoption_remove, name="adoption_remove"),
    path("<uuid:identifier>/local/", views.extend, name="extend"),
    path("<uuid:identifier>/versions/new/", views.draft_create, name="draft_create"),
    path(VERSION, views.version_detail, name="version"),
    path(VERSION + "publish/", views.version_publish, name="publish"),
    path(VERSION + "retire/", views.version_retire, name="retire"),
    path(VERSION + "discard/", views.draft_discard, name="discard"),
    path(VERSION + "imported/", case_views.import_review, name="import_review"),
    path(VERSION + "items/new/", views.item_create, name="item_create"),
    path(VERSION + "items/<int:pk>/", views.item_edit, name="item_edit"),
    path(VERSION + "items/<int:pk>/move/", views.item_move, name="item_move"),
    path(VERSION + "items/<int:pk>/delete/", views.item_delete, name="item_delete"),
    path(VERSION + "items/<int:pk>/crosswalks/", views.item_crosswalks, name="item_crosswalks"),
    path(VERSION + "crosswalks/<int:pk>/remove/", views.crosswalk_remove, name="crosswalk_remove"),
    path(REQUIREMENTS, views.requirements, name="requirements"),
    path(REQUIREMENTS + "new/", views.requirement_create, name="requirement_create"),
    path(REQUIREMENTS + "<int:pk>/", views.requirement_edit, name="requirement_edit"),
    path(REQUIREMENTS + "<int:pk>/delete/", views.requirement_delete, name="requirement_delete"),
    # CASE import and export pages (case_views.py)
    path("case/import/", case_views.case_import, name="case_import"),
    path("case/CFPackages/<uuid:identifier>", case_views.case_export, name="case_export"),
]
