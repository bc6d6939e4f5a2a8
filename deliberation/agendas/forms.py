"""Forms of the facilitator pages and the home page's filter."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deliberation.people.forms import OrganisationChoiceField
from deliberation.people.models import Organisation

from .models import Agenda, Disclosure, JoinMode, Session, Topic


class HomeFilterForm(forms.Form):
    """GET form on the home page: municipality and topic."""

    organisation = OrganisationChoiceField(
        label=_("지역"),
        queryset=Organisation.objects.filter(
            kind__in=[Organisation.Kind.METROPOLITAN, Organisation.Kind.LOCAL]
        ).order_by("kind", "name"),
        required=False,
        empty_label=_("모든 지역"),
    )
    topic = forms.ChoiceField(
        label=_("주제"), choices=[("", _("모든 주제")), *Topic.choices], required=False
    )


class AgendaForm(forms.Form):
    organisation = OrganisationChoiceField(
        label=_("주관 기관"), queryset=Organisation.objects.none()
    )
    title = forms.CharField(label=_("제목"), max_length=200)
    description = forms.CharField(
        label=_("설명"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "문단, 굵게, 기울임, 목록, 인용, 링크를 쓸 수 있습니다. 그 밖의 HTML은 지워집니다."
        ),
    )
    topic = forms.ChoiceField(label=_("주제"), choices=Topic.choices)
    disclosure = forms.ChoiceField(
        label=_("공개 수준"),
        choices=Disclosure.choices,
        initial=Disclosure.PUBLIC,
        help_text=_("공개: 누구나 / 내부: 진행자·해당 지역 주민·외교부 / 비공개: 초대된 사람만"),
    )
    status = forms.ChoiceField(
        label=_("상태"), choices=Agenda.Status.choices, initial=Agenda.Status.OPEN
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        choices = list(organisations[:2])
        if len(choices) == 1:
            # One organisation to choose from: choose it, and skip the empty choice.
            field.empty_label = None
            self.initial.setdefault("organisation", choices[0])


class SessionForm(forms.Form):
    title = forms.CharField(label=_("회의 제목"), max_length=200)
    kind = forms.ChoiceField(label=_("형식"), choices=Session.Kind.choices)
    starts_at = forms.DateTimeField(
        label=_("시작 시각"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("한국 시간(KST) 기준"),
    )
    ends_at = forms.DateTimeField(
        label=_("종료 예정 시각"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    venue = forms.CharField(label=_("오프라인 장소"), max_length=200, required=False)
    turn_seconds = forms.IntegerField(
        label=_("발언 시간(초)"), min_value=15, max_value=3600, initial=120
    )
    join_mode = forms.ChoiceField(
        label=_("발언·반응 참여 방식"),
        choices=JoinMode.choices,
        initial=JoinMode.OPEN,
        required=False,
        help_text=_(
            "누가 발언하고 반응하고 발언 신청을 할 수 있는지. 지켜보기는 누구나 할 수 있습니다."
        ),
    )
    vote_mode = forms.ChoiceField(
        label=_("투표 참여 방식"),
        choices=JoinMode.choices,
        initial=JoinMode.OPEN,
        required=False,
        help_text=_("투표·순위 투표·여론조사 응답·제안 지지를 누가 할 수 있는지."),
    )
    venue_code_minutes = forms.IntegerField(
        label=_("회의장 코드 교체 주기(분)"),
        min_value=1,
        max_value=240,
        initial=10,
        required=False,
        help_text=_("회의장 코드는 프로젝터 화면에 보이고 이 주기마다 바뀝니다."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("starts_at", "ends_at"):
            value = data.get(name)
            if isinstance(value, dt.datetime) and timezone.is_naive(value):
                data[name] = timezone.make_aware(value)
        return data


class InviteForm(forms.Form):
    username = forms.CharField(
        label=_("초대할 사람의 아이디"),
        max_length=150,
        help_text=_("계정을 연결한 주민이나 진행자·외교부 담당자의 아이디"),
    )
