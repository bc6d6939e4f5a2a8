from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StructuredConfig(AppConfig):
    name = "deliberation.structured"
    label = "structured"
    verbose_name = _("숙의: 단계, 제안, 투표, 여론조사")

    def ready(self) -> None:
        from . import events, hooks  # noqa: F401 - registers events and session hooks
