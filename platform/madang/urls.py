"""HTTP routing."""

from __future__ import annotations

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("deliberation.people.urls")),
    path("", include("deliberation.agendas.urls")),
    path("", include("deliberation.live.urls")),
    path("", include("deliberation.structured.urls")),
    path("", include("deliberation.analysis.urls")),
    path("", include("deliberation.digests.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.STATIC_URL, document_root=settings.STATICFILES_DIRS[0])
