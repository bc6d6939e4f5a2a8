"""Demo data of the opinion map for ``make run``: a live open mic where residents voted.

Safe to repeat: statements are posted once (by their client message id), votes are set
to the same values, and the map is computed again.
"""

from __future__ import annotations

from deliberation.agendas.models import Session
from deliberation.live.services import participant_for, statement_post
from deliberation.people.models import Organisation, User

from .models import OpinionRoom, StatementVote
from .services import opinion_map_refresh

SESSION_TITLE = "청년 해외 일자리 자유발언대"
# Each statement, and how each of three camps votes on it (1 agree, -1 disagree, 0 pass).
STATEMENTS = [
    ("해외 취업 전에 현지 언어 교육을 도에서 지원해 주면 좋겠습니다.", (1, 1, 1)),
    ("해외 일자리보다 지역 일자리를 먼저 늘려야 합니다.", (-1, 1, 0)),
    ("해외 인턴십 지원금을 늘려 주세요.", (1, -1, 1)),
    ("귀국한 청년이 지역 기업에 취업하도록 연결해 주세요.", (1, 1, 1)),
    ("해외 일자리 사업 예산은 줄여야 합니다.", (-1, 1, -1)),
    ("자매도시와 함께 현지 정착 지원 창구를 만들어 주세요.", (1, -1, 0)),
    ("박람회보다 온라인 상담이 더 필요합니다.", (0, -1, 1)),
    ("청년 창업을 해외 진출과 묶어 지원해 주세요.", (1, -1, -1)),
]
VOTERS = 30


def seed_opinion_demo() -> None:
    session = (
        Session.objects.filter(title=SESSION_TITLE, state=Session.State.LIVE)
        .select_related("agenda")
        .first()
    )
    if session is None:
        return
    region = Organisation.objects.filter(slug="jeonju").first()
    people = []
    for n in range(VOTERS + 2):
        user, created = User.objects.get_or_create(
            username=f"opinion_demo_{n:02d}",
            defaults={"role": User.Role.RESIDENT, "nickname": f"전북주민{n + 1:02d}"},
        )
        if created:
            user.region = region
            user.set_unusable_password()
            user.save()
        participant_for(session, user)
        people.append(user)
    authors, voters = people[:2], people[2:]
    ids = []
    for i, (text, _camps) in enumerate(STATEMENTS):
        result = statement_post(
            actor=authors[i % 2],
            session_id=session.pk,
            client_msg_id=f"opinion-demo-{i}",
            text=text,
        )
        ids.append(result.statement_id)
    OpinionRoom.objects.update_or_create(session=session, defaults={"voting": True})
    for n, voter in enumerate(voters):
        camp = n % 3
        for k, (statement_id, (_text, camps)) in enumerate(zip(ids, STATEMENTS, strict=True)):
            if (n + k) % 4 == 3:
                continue  # not everyone sees every statement
            StatementVote.objects.update_or_create(
                statement_id=statement_id,
                person=voter,
                defaults={"session": session, "value": camps[camp]},
            )
    opinion_map_refresh(session_id=session.pk, force=True)
