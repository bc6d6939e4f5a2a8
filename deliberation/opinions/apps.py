from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpinionsConfig(AppConfig):
    name = "deliberation.opinions"
    label = "opinions"
    verbose_name = _("의견 지도: 발언 투표와 의견 그룹")

    def ready(self) -> None:
        from . import actions, events, hooks

        del events, hooks  # imported for their registrations (events, session hooks)
        actions.register()
