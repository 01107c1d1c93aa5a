"""API endpoints of this app; mounted on the one NinjaAPI in config/api.py."""

from __future__ import annotations

from ninja import Router

router = Router()
