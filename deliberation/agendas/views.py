"""Pages for agendas and sessions."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors


def home(request: HttpRequest) -> HttpResponse:
    """Live and upcoming sessions, filterable by municipality and topic."""
    sessions = selectors.home_sessions(request.user)
    return render(request, "agendas/home.html", {"sessions": sessions})
