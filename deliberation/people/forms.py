"""Forms for quick-join, sign-in and attaching an account."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import Organisation, User
from .services import NICKNAME_MAX


class OrganisationChoiceField(forms.ModelChoiceField):
    """Organisations listed by their name in the reader's language."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


def region_choices(empty_label: str) -> list[Any]:
    """The region list: each 시·도 as a group, itself first, then its 시·군·구 by name.

    Every option names its province too, so same-named districts (중구, 고성군) differ.
    """
    provinces = list(
        Organisation.objects.filter(kind=Organisation.Kind.METROPOLITAN).order_by("name")
    )
    districts: dict[int, list[Organisation]] = {}
    for row in (
        Organisation.objects.filter(kind=Organisation.Kind.LOCAL)
        .select_related("parent")
        .order_by("name")
    ):
        districts.setdefault(row.parent_id or 0, []).append(row)
    choices: list[Any] = [("", empty_label)]
    for province in provinces:
        group = [(province.pk, _("%(name)s 전체") % {"name": province.display_name})]
        group += [(d.pk, d.full_name) for d in districts.get(province.pk, [])]
        choices.append((province.display_name, group))
    orphans = districts.get(0, [])
    if orphans:
        choices.append((_("기타"), [(d.pk, d.display_name) for d in orphans]))
    return choices


class QuickJoinForm(forms.Form):
    nickname = forms.CharField(
        label=_("닉네임"),
        max_length=60,
        help_text=_("회의에서 다른 참여자에게 보이는 이름입니다. 실명이 아니어도 됩니다."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname", "maxlength": NICKNAME_MAX}),
    )
    region = OrganisationChoiceField(
        label=_("지역"),
        queryset=Organisation.objects.filter(
            kind__in=[Organisation.Kind.METROPOLITAN, Organisation.Kind.LOCAL]
        ).order_by("kind", "name"),
        empty_label=_("지역을 골라 주세요"),
        help_text=_("사는 곳이나 활동하는 지자체를 골라 주세요."),
    )
    age_band = forms.ChoiceField(
        label=_("연령대(선택, 통계용)"),
        choices=[("", _("응답하지 않음")), *User.AgeBand.choices],
        required=False,
        help_text=_("답하지 않아도 참여할 수 있습니다. 통계에만 쓰입니다."),
    )
    venue_code = forms.CharField(
        label=_("회의장 코드"),
        required=False,
        max_length=12,
        help_text=_("회의장 화면(프로젝터)에 보이는 6자리 숫자입니다."),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 12}
        ),
    )

    def __init__(self, *args: Any, venue: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not venue:
            del self.fields["venue_code"]
        # The limit is said where the resident types (and the field stops there).
        self.fields["nickname"].help_text = _(
            "회의에서 다른 참여자에게 보이는 이름입니다. 실명이 아니어도 됩니다. "
            "%(max)d자까지 쓸 수 있습니다."
        ) % {"max": NICKNAME_MAX}
        # The field's own max_length (with room for invisible characters the service strips)
        # would otherwise set the input's maxlength above the real limit.
        self.fields["nickname"].widget.attrs["maxlength"] = str(NICKNAME_MAX)
        region = self.fields["region"]
        region.widget.choices = region_choices(str(_("지역을 골라 주세요")))
        region.widget.attrs["data-region-select"] = ""


class SignInForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("아이디")
        self.fields["password"].label = _("비밀번호")


class AttachAccountForm(forms.Form):
    username = forms.CharField(
        label=_("아이디"),
        max_length=150,
        help_text=_("영문, 숫자, @/./+/-/_ 만 쓸 수 있습니다."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password1 = forms.CharField(
        label=_("비밀번호"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("8자 이상, 흔하지 않은 비밀번호를 써 주세요."),
    )
    password2 = forms.CharField(
        label=_("비밀번호 확인"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("두 비밀번호가 다릅니다."))
        elif p1:
            try:
                password_validation.validate_password(p1, self.user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data
