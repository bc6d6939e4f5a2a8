"""Models of the structured sub-app."""

from __future__ import annotations
