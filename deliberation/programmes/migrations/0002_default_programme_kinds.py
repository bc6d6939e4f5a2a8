from django.db import migrations

KINDS = [
    ("policy-contest", "국민외교 정책 제안 공모전", "Policy proposal contest"),
    ("participation", "국민참여사업", "Public participation project"),
    ("open-mic", "국민외교 자유발언대", "Open mic"),
    ("empathy-factory", "공감 팩토리", "Empathy Factory"),
    ("open-campus", "열린캠퍼스", "Open Campus"),
    ("design-team", "국민외교 디자인단", "Design team"),
    ("sister-cities", "자매·우호도시 교류", "Sister and friendship cities"),
    ("youth-jobs", "청년 해외 일자리", "Youth jobs abroad"),
    ("university-exchange", "대학 국제교류", "University exchange"),
    ("other", "기타", "Other"),
]


def add_kinds(apps, schema_editor):
    ProgrammeKind = apps.get_model("programmes", "ProgrammeKind")
    for order, (slug, name, name_en) in enumerate(KINDS, start=1):
        ProgrammeKind.objects.update_or_create(
            slug=slug, defaults={"name": name, "name_en": name_en, "order": order * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_programmes_plans_designations")]

    operations = [migrations.RunPython(add_kinds, migrations.RunPython.noop)]
