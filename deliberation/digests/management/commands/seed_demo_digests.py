"""Demo data for the digest workflow: one finished session, published, with an answer.

Runs after ``seed_demo`` (same demo users). Idempotent: a session that already has its
digest is left alone. Never fails ``make run``: trouble is reported and skipped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from deliberation.agendas.models import Agenda, Session
from deliberation.digests import jobs, services
from deliberation.digests.models import Digest
from deliberation.people.models import Organisation, User

SESSION_TITLE = "지난 회의: 청년 해외 일자리 1차 자유발언대"
STATEMENTS = [
    ("for", "도 차원에서 청년 해외 일자리 박람회를 매년 열어 주면 좋겠습니다."),
    ("for", "자매도시 기업과 연계한 해외 인턴십이 있으면 지방 청년도 도전할 수 있습니다."),
    ("question", "해외 취업 후 귀국한 청년을 위한 지역 일자리 연계 프로그램이 있나요?"),
    ("against", "박람회보다 어학과 직무 교육 지원이 먼저라고 생각합니다."),
    ("for", "지방대학 국제교류처와 함께 해외 인턴십 설명회를 열어 주세요."),
    ("neutral", "해외 일자리 정보가 흩어져 있어 한곳에서 볼 수 있으면 좋겠습니다."),
    ("for", "청년 해외 인턴십 지원금이 생기면 참여하고 싶습니다."),
    ("against", "예산이 한정되어 있으니 성과를 점검한 뒤 확대해야 합니다."),
]


class Command(BaseCommand):
    help = "요약 보고 데모 데이터를 만듭니다 (여러 번 실행해도 안전합니다)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self._seed()
        except Exception as exc:  # noqa: BLE001 - demo data must never stop the server
            self.stderr.write(f"seed_demo_digests: skipped ({exc})")

    def _seed(self) -> None:
        facilitator = User.objects.filter(username="jeonbuk_facilitator").first()
        staff = User.objects.filter(username="mofa_staff").first()
        resident = User.objects.filter(username="resident_demo").first()
        jeonbuk = Organisation.objects.filter(slug="jeonbuk").first()
        if not (facilitator and staff and resident and jeonbuk):
            self.stderr.write("seed_demo_digests: run seed_demo first")
            return
        agenda = Agenda.objects.filter(organisation=jeonbuk).order_by("pk").first()
        if agenda is None:
            return
        session = self._session(agenda, facilitator, resident)
        if Digest.objects.filter(session=session).exists():
            return
        self._analyse(session)
        with jobs.immediately():  # build inline, here
            digest = services.digest_generate(actor=facilitator, session=session)
        digest.refresh_from_db()
        if digest.generation == Digest.Generation.RUNNING:
            # Inside an outer transaction (tests) the on-commit start has not run yet.
            services.digest_build(digest_id=digest.pk)
            digest.refresh_from_db()
        if digest.generation != Digest.Generation.DONE:
            self.stderr.write(f"seed_demo_digests: build failed ({digest.generation_error})")
            return
        services.digest_approve(actor=facilitator, digest=digest)
        services.digest_publish(actor=facilitator, digest=digest)
        services.response_post(
            actor=staff,
            digest=digest,
            status="reviewing",
            text="전라북도와 함께 해외 인턴십 연계 방안을 검토하고 있습니다.",
        )
        services.digest_assign(
            actor=staff,
            digest=digest,
            assignee=staff,
            due_date=timezone.localdate() + dt.timedelta(days=7),
        )
        self.stdout.write(f"seed_demo_digests: published digest {digest.pk}")

    @transaction.atomic
    def _session(self, agenda: Agenda, facilitator: User, resident: User) -> Session:
        from deliberation.live.models import Participant, Statement

        start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(days=7)
        session, created = Session.objects.get_or_create(
            agenda=agenda,
            title=SESSION_TITLE,
            defaults={
                "kind": Session.Kind.OPEN_MIC,
                "state": Session.State.CLOSED,
                "starts_at": start,
                "ends_at": start + dt.timedelta(hours=1),
                "created_by": facilitator,
            },
        )
        if not created:
            return session
        speakers = [resident]
        for n in (1, 2):
            user, _ = User.objects.get_or_create(
                username=f"resident_demo_{n}",
                defaults={
                    "role": User.Role.RESIDENT,
                    "nickname": f"전주청년{n}",
                    "region": resident.region,
                },
            )
            speakers.append(user)
        for person in speakers:
            Participant.objects.get_or_create(session=session, person=person)
        for i, (stance, text) in enumerate(STATEMENTS):
            Statement.objects.create(
                session=session,
                author=speakers[i % len(speakers)],
                client_msg_id=f"demo-{i}",
                text=text,
                stance=stance,
                seq=i + 1,
            )
        return session

    def _analyse(self, session: Session) -> None:
        from deliberation.analysis import api as analysis
        from deliberation.live.models import Statement

        for pk in Statement.objects.filter(session=session).values_list("pk", flat=True):
            analysis._record_pending("statement", pk)
        analysis.analysis_drain()
