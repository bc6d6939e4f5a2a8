"""Models of the digests sub-app."""

from __future__ import annotations
