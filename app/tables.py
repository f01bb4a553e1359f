"""Imports every module that defines tables, so SQLModel.metadata (and Alembic) sees them all."""

from __future__ import annotations
