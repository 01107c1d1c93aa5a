from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from cultivate.core import views as core_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("cultivate.site.urls")),
    path("", include("cultivate.core.urls")),
    path("accounts/", include("cultivate.accounts.urls")),
    path("", include("cultivate.organisations.urls")),
    path("frameworks/", include("cultivate.frameworks.urls")),
    path("", include("cultivate.portfolio.urls")),
    path("insights/", include("cultivate.insights.urls")),
    path("pathways/", include("cultivate.pathways.urls")),
    path("learning/", include("cultivate.learning.urls")),
    path("programmes/", include("cultivate.programmes.urls")),
    path("credentials/", include("cultivate.credentials.urls")),
    path("api/", include("cultivate.config.api_urls")),
    path("django-admin/", admin.site.urls),
]

handler403 = core_views.permission_denied
handler404 = core_views.page_not_found
handler500 = core_views.server_error

if settings.DEBUG:
    urlpatterns.append(path("__error__/500", core_views.raise_error))
