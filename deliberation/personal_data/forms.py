"""The consent block (shared by quick-join and asking again) and the withdrawal forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PrivacyNotice


class ConsentForm(forms.Form):
    """Consent to the required items and, separately, to the optional ones (age band).

    Rendered by ``personal_data/_consent.html`` beside the form it belongs to, with the
    prefix ``consent``. The version shown is posted back: if the notice changed in the
    meantime, the person is asked again rather than recorded against a text they never saw.
    """

    required = forms.BooleanField(
        label=_("[필수] 개인정보 수집·이용에 동의합니다."),
        error_messages={"required": _("참여하려면 필수 항목에 동의해 주세요.")},
    )
    optional = forms.BooleanField(label=_("[선택] 연령대 수집·이용에 동의합니다."), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, notice: PrivacyNotice, age_band: str | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", "consent")
        kwargs.setdefault("initial", {"version": notice.version})
        super().__init__(*args, **kwargs)
        self.notice = notice
        self.age_band = age_band or ""

    @property
    def retention_days(self) -> int:
        """Days a quick-join identity is kept after its last session (shown beside consent)."""
        from .retention import kinds

        return next(k.days for k in kinds() if k.name == "quick_join_identities")

    def clean_version(self) -> int:
        version = self.cleaned_data["version"]
        if version != self.notice.version:
            raise forms.ValidationError(
                _("개인정보 처리방침이 바뀌었습니다. 바뀐 내용을 읽고 다시 동의해 주세요."),
                code="changed",
            )
        return int(version)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.age_band and not data.get("optional"):
            self.add_error(
                "optional",
                _("연령대를 남기려면 선택 항목에 동의하거나 '응답하지 않음'을 고르세요."),
            )
        return data


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("위 내용을 읽었고, 탈퇴하면 되돌릴 수 없다는 것을 이해했습니다."),
        error_messages={"required": _("탈퇴하려면 확인란에 표시해 주세요.")},
    )


class AdminRequestForm(forms.Form):
    """An administrator acting on a request made by phone or letter says how it came."""

    reference = forms.CharField(
        label=_("요청 경위"),
        max_length=300,
        help_text=_("예: 2026-12-01 전화 요청, 본인 확인 후 처리, 민원 접수 번호 1234"),
    )
    confirm = forms.BooleanField(
        label=_("요청한 사람이 본인임을 확인했습니다."),
        error_messages={"required": _("본인 확인 후 확인란에 표시해 주세요.")},
    )
