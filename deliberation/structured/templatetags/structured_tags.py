"""Template tags of the deliberation: its browser strings, and the frozen final results."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString

from deliberation.agendas.models import Session

from .. import selectors
from ..ui import ui_strings

register = template.Library()


@register.simple_tag
def structured_strings() -> SafeString:
    """``<script type="application/json" id="delib-strings">`` for deliberation.js."""
    return json_script(ui_strings(), "delib-strings")


@register.inclusion_tag("structured/final_results.html")
def structured_final_results(session: Session) -> dict[str, Any]:
    """The results frozen when the session closed (nothing before the close).

    For the session page: ``{% load structured_tags %}{% structured_final_results session %}``.
    """
    return {"session": session, "final": selectors.final_results_view(session.pk)}
