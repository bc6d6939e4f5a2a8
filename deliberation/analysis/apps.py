from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "deliberation.analysis"
    label = "analysis"
    verbose_name = _("한국어 텍스트 분석")
