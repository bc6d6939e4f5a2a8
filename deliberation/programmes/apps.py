from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "deliberation.programmes"
    label = "programmes"
    verbose_name = _("국민외교 사업")

    def ready(self) -> None:
        from . import actions

        actions.register()
