from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "deliberation.analysis"
    label = "analysis"
    verbose_name = _("한국어 텍스트 분석")

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from deliberation.agendas.models import Session

        from .worker import forget_session_terms

        # A deleted session's analyses (deleted with it) leave the corpus's term counts.
        pre_delete.connect(forget_session_terms, sender=Session, dispatch_uid="analysis_forget")
