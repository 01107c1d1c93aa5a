from django.urls import path

from cultivate.config.api import api
from cultivate.config.api_docs import api_docs

# Our accessible documentation page; ninja's Swagger UI is switched off (docs_url=None in config/api.py).
urlpatterns = [path("docs", api_docs, name="api_docs"), path("", api.urls)]
