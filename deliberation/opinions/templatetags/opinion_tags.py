"""Template tags of the opinion map: its browser strings, and the digest's figure."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

register = template.Library()


def ui_strings() -> dict[str, Any]:
    return {
        "agree": pgettext("vote", "동의"),
        "disagree": pgettext("vote", "비동의"),
        "pass": pgettext("vote", "패스"),
        "voting_off": _("지금은 발언 투표가 없습니다."),
        "all_done": _("투표할 발언을 모두 보셨습니다. 새 발언이 오면 여기에 나타납니다."),
        "up_for_vote": _("진행자가 투표를 요청한 발언"),
        "left": _("남은 발언 %(n)s개"),
        "voted": _("투표했습니다: %(v)s"),
        "group": _("그룹 %(g)s"),
        "my_group": _("나는 그룹 %(g)s에 속해 있습니다."),
        "no_group": _("몇 개 더 투표하면 비슷한 생각을 가진 그룹이 보입니다."),
        "people": _("인원 %(n)s명"),
        "consensus": _("대부분의 그룹이 공감하는 발언"),
        "divisive": _("그룹 간 의견이 갈리는 발언"),
        "representative": _("그룹 %(g)s를 특징짓는 발언"),
        "nothing_yet": _("아직 그룹을 나눌 만큼 투표가 모이지 않았습니다."),
        "voting_off_button": _("발언 투표 끄기"),
        "voting_on_button": _("발언 투표 켜기"),
        "feature": _("투표 올리기"),
        "unfeature": _("투표 내리기"),
        "agree_share": _("동의 %(p)s%%"),
        "disagree_share": _("비동의 %(p)s%%"),
        "map_label": _("의견 지도: 참여자 %(n)s명, 그룹 %(k)s개"),
        "counts": _("동의 %(a)s · 비동의 %(d)s · 패스 %(p)s"),
        "error": _("처리하지 못했습니다."),
        "in_group": _("그룹 안 %(a)s%% · 나머지 %(b)s%%"),
    }


@register.simple_tag
def opinion_strings() -> SafeString:
    """``<script type="application/json" id="opinion-strings">`` for opinions.js."""
    return json_script(ui_strings(), "opinion-strings")


@register.simple_tag
def group_label(group: Any) -> str:
    """그룹 A, 그룹 B, ... (the letters Pol.is uses)."""
    from ..digest import group_label as label

    return label(group)


@register.simple_tag
def group_width(size: Any, total: Any) -> str:
    """A group's share of ``total`` as a bar length out of 100 (at least 1, to be seen)."""
    try:
        share = float(size) / max(float(total), 1.0)
    except (TypeError, ValueError):
        share = 0.0
    return f"{max(1.0, 100 * share):.1f}"
