"""Forms of the registry: a programme, an import file, a mark, a plan, a designation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from deliberation.agendas.models import Disclosure
from deliberation.people.forms import OrganisationChoiceField
from deliberation.people.models import Organisation

from .models import AnnualPlan, Funding, OverlapMark, Programme, ProgrammeKind, TargetGroup


def _lines(value: str) -> list[str]:
    return [v.strip() for v in value.replace(";", "\n").splitlines() if v.strip()]


class ProgrammeForm(forms.Form):
    organisation = OrganisationChoiceField(
        label=_("주관 기관"), queryset=Organisation.objects.none()
    )
    kind = forms.ModelChoiceField(label=_("사업 유형"), queryset=ProgrammeKind.objects.all())
    title = forms.CharField(label=_("사업명"), max_length=200)
    description = forms.CharField(
        label=_("사업 내용"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    goals = forms.CharField(
        label=_("목표"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    target_groups = forms.MultipleChoiceField(
        label=_("대상"),
        choices=TargetGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    partners_domestic = forms.CharField(
        label=_("국내 협력 기관"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("한 줄에 하나씩"),
    )
    partners_abroad = forms.CharField(
        label=_("해외 협력 기관"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("한 줄에 하나씩"),
    )
    starts_on = forms.DateField(
        label=_("시작일"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("종료일"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    budget_krw = forms.IntegerField(label=_("예산(원)"), required=False, min_value=0)
    funding = forms.ChoiceField(label=_("재원"), choices=Funding.choices)
    stage = forms.ChoiceField(label=_("협력 단계"), choices=Programme.Stage.choices)
    status = forms.ChoiceField(label=_("상태"), choices=Programme.Status.choices)
    disclosure = forms.ChoiceField(
        label=_("공개 수준"),
        choices=Disclosure.choices,
        initial=Disclosure.INTERNAL,
        help_text=_(
            "공개·내부: 모든 진행자와 외교부 / 비공개: 이 기관과 비공개 등급 외교부 담당자"
        ),
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        if len(organisations) == 1:
            field.initial = organisations[0]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("종료일이 시작일보다 빠릅니다."))
        return data

    def apply(self, programme: Programme) -> Programme:
        data = self.cleaned_data
        for name in (
            "organisation",
            "kind",
            "title",
            "description",
            "goals",
            "target_groups",
            "starts_on",
            "ends_on",
            "budget_krw",
            "funding",
            "stage",
            "status",
            "disclosure",
        ):
            setattr(programme, name, data[name])
        programme.partners_domestic = _lines(data["partners_domestic"])
        programme.partners_abroad = _lines(data["partners_abroad"])
        return programme

    @staticmethod
    def initial_for(programme: Programme) -> dict[str, Any]:
        return {
            "organisation": programme.organisation,
            "kind": programme.kind,
            "title": programme.title,
            "description": programme.description,
            "goals": programme.goals,
            "target_groups": programme.target_groups,
            "partners_domestic": "\n".join(programme.partners_domestic),
            "partners_abroad": "\n".join(programme.partners_abroad),
            "starts_on": programme.starts_on,
            "ends_on": programme.ends_on,
            "budget_krw": programme.budget_krw,
            "funding": programme.funding,
            "stage": programme.stage,
            "status": programme.status,
            "disclosure": programme.disclosure,
        }


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV 또는 XLSX 파일"),
        help_text=_(
            "내보낸 파일과 같은 열을 씁니다. 번호가 있는 행은 고치고, 없는 행은 새로 등록합니다."
        ),
    )


class MarkForm(forms.Form):
    first = forms.IntegerField(widget=forms.HiddenInput)
    second = forms.IntegerField(widget=forms.HiddenInput)
    score = forms.FloatField(widget=forms.HiddenInput, required=False)
    verdict = forms.ChoiceField(label=_("판정"), choices=OverlapMark.Verdict.choices)
    note = forms.CharField(label=_("메모"), max_length=300, required=False)


class PlanForm(forms.Form):
    organisation = OrganisationChoiceField(
        label=_("수립 기관"), queryset=Organisation.objects.none()
    )
    year = forms.IntegerField(label=_("연도"), min_value=2020, max_value=2100)
    title = forms.CharField(label=_("계획명"), max_length=200)
    summary = forms.CharField(
        label=_("요약"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    disclosure = forms.ChoiceField(
        label=_("공개 수준"), choices=Disclosure.choices, initial=Disclosure.INTERNAL
    )
    programmes = forms.ModelMultipleChoiceField(
        label=_("포함 사업"),
        queryset=Programme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        planners = [
            o
            for o in organisations
            if o.kind in (Organisation.Kind.MINISTRY, Organisation.Kind.METROPOLITAN)
        ]
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in planners])
        if len(planners) == 1:
            field.initial = planners[0]

    def set_programmes(self, queryset: Any) -> None:
        field = self.fields["programmes"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = queryset

    def kind_for(self, organisation: Organisation) -> str:
        return (
            AnnualPlan.Kind.COMPREHENSIVE
            if organisation.kind == Organisation.Kind.MINISTRY
            else AnnualPlan.Kind.IMPLEMENTATION
        )


class DesignationForm(forms.Form):
    designated_on = forms.DateField(
        label=_("지정일"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("유효 기간"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    criteria = forms.CharField(
        label=_("지정 기준"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("충족한 기준을 한 줄에 하나씩"),
    )
    consulting = forms.CharField(
        label=_("제공된 컨설팅"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    note = forms.CharField(label=_("비고"), required=False, max_length=300)

    def criteria_list(self) -> list[str]:
        return _lines(self.cleaned_data["criteria"])
