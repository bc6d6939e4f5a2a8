from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "deliberation.screening"
    label = "screening"
    verbose_name = _("혐오·모욕 표현 감지")

    def ready(self) -> None:
        from deliberation.analysis.api import register_text_hook
        from deliberation.live.services import register_statement_hold

        from . import actions, events, services

        del events  # imported for its registrations
        actions.register()
        register_text_hook(services.screen_analysed_texts)
        register_statement_hold(services.hold_if_flagged)
