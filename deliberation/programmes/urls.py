from __future__ import annotations

from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("programmes/", views.registry, name="registry"),
    path("programmes/export.<str:fmt>", views.registry_export, name="export"),
    path("programmes/import/", views.programme_import, name="import"),
    path("programmes/new/", views.programme_create, name="create"),
    path("programmes/<int:programme_id>/", views.programme_detail, name="detail"),
    path("programmes/<int:programme_id>/edit/", views.programme_edit, name="edit"),
    path("programmes/duplicates/", views.duplicates, name="duplicates"),
    path("programmes/duplicates/mark/", views.overlap_mark, name="mark"),
    path("programmes/duplicates/marks.<str:fmt>", views.marks_export, name="marks_export"),
    path("programmes/plans/", views.plans, name="plans"),
    path("programmes/plans/new/", views.plan_create, name="plan_create"),
    path("programmes/plans/<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path("programmes/plans/<int:plan_id>/edit/", views.plan_edit, name="plan_edit"),
    path("programmes/municipalities/", views.municipality_list, name="municipalities"),
    path("programmes/municipalities/<slug:slug>/", views.municipality, name="municipality"),
    path("programmes/similar-agendas/", views.similar_agendas, name="similar_agendas"),
]
