"""Officer endpoints for tips (admin exports). Filled in by the tips work."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
