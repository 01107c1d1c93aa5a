from django.urls import path

from cultivate.config.api import api
from cultivate.config.api_docs import api_docs

# Our accessible documentation page answers /api/docs before ninja's Swagger UI can (the first match wins).
urlpatterns = [path("docs", api_docs, name="api_docs"), path("", api.urls)]
