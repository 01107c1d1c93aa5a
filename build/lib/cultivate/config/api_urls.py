from django.urls import path

from cultivate.config.api import api

urlpatterns = [path("", api.urls)]
