from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StructuredConfig(AppConfig):
    name = "deliberation.structured"
    label = "structured"
    verbose_name = _("숙의: 단계, 제안, 투표, 여론조사")

    def ready(self) -> None:
        from . import actions, events, hooks

        del events, hooks  # imported for their registrations (events, session hooks)
        actions.register()
