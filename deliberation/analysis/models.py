"""Models of the analysis sub-app."""

from __future__ import annotations
