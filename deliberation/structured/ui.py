"""Words the deliberation pages use in the browser (Korean msgids, translated by gettext)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import PhaseKind


def ui_strings() -> dict[str, Any]:
    """Every string deliberation.js shows, in the request's language (a count's string is
    {"one", "other"}, picked in the page with Intl.PluralRules)."""
    return {
        "phases": {k: str(PhaseKind(k).label) for k in PhaseKind.values},
        "phase_help": {
            "briefing": _("안내 자료를 읽고 궁금한 점을 질문으로 남겨 주세요."),
            "discussion": _("찬성·반대·중립 입장을 밝히고 의견을 나눠 주세요."),
            "proposals": _("해결 방안을 제안하고, 좋은 제안을 지지해 주세요."),
            "vote": _("제안에 투표해 주세요. 마감 전에는 다시 투표할 수 있습니다."),
            "wrap_up": _("진행자가 결론을 정리합니다."),
            "none": _("진행자가 단계를 시작하면 여기에 표시됩니다."),
        },
        "stances": {
            "for": _("찬성"),
            "against": _("반대"),
            "neutral": _("중립"),
            "question": _("질문"),
        },
        "status": {
            "pending": _("대기"),
            "running": _("진행 중"),
            "done": _("끝남"),
            "skipped": _("건너뜀"),
        },
        "now_phase": _("지금 단계"),
        "no_phase": _("단계 시작 전"),
        "remaining": _("남은 시간"),
        "overtime": _("시간이 지났습니다"),
        "minutes": _("분"),
        "supporters": {
            "one": ngettext("지지 %(n)s명", "지지 %(n)s명", 1),
            "other": ngettext("지지 %(n)s명", "지지 %(n)s명", 2),
        },
        "support": _("지지하기"),
        "unsupport": _("지지 취소"),
        "supported": _("지지함"),
        "edited": _("다듬어짐"),
        "no_proposals": _("아직 제안이 없습니다."),
        "proposal_sent": _("제안을 올렸습니다."),
        "ballot_sent": _("투표했습니다. 마감 전에는 다시 투표할 수 있습니다."),
        "ballot_none": _("제안을 하나 이상 고르세요."),
        "ballot_rank_dup": _("같은 순위를 두 제안에 줄 수 없습니다."),
        "rank_none": _("순위 없음"),
        "rank_n": _("%(n)s위"),
        "approval_hint": _("찬성하는 제안을 모두 고르세요."),
        "ranking_hint": _("좋은 제안부터 %(k)s위까지 순위를 정해 주세요."),
        "vote_submit": _("투표하기"),
        "vote_change": _("다시 투표하기"),
        "vote_closed": _("투표가 마감되었습니다."),
        "vote_hidden": _("결과는 투표가 마감된 뒤 공개됩니다."),
        "ballots": {
            "one": ngettext("투표 %(n)s명", "투표 %(n)s명", 1),
            "other": ngettext("투표 %(n)s명", "투표 %(n)s명", 2),
        },
        "results": _("투표 결과"),
        "place": _("%(n)s위"),
        "score": _("%(n)s점"),
        "votes": {
            "one": ngettext("%(n)s표", "%(n)s표", 1),
            "other": ngettext("%(n)s표", "%(n)s표", 2),
        },
        "poll": _("실시간 여론조사"),
        "poll_answer": _("응답하기"),
        "poll_change": _("응답 바꾸기"),
        "poll_closed": _("마감됨"),
        "poll_open": _("진행 중"),
        "poll_voters": {
            "one": ngettext("응답 %(n)s명", "응답 %(n)s명", 1),
            "other": ngettext("응답 %(n)s명", "응답 %(n)s명", 2),
        },
        "poll_sent": _("응답했습니다."),
        "poll_close": _("여론조사 마감"),
        "questions": _("질문과 답변"),
        "no_questions": _("아직 질문이 없습니다."),
        "answered": _("답변 완료"),
        "mark_answered": _("답변 완료로 표시"),
        "answer_with": _("답변으로 연결할 발언"),
        "answer_none": _("연결하지 않음"),
        "reply": _("답글"),
        "reply_send": _("답글 보내기"),
        "reply_label": _("답글 쓰기"),
        "replies": {
            "one": ngettext("답글 %(n)s개", "답글 %(n)s개", 1),
            "other": ngettext("답글 %(n)s개", "답글 %(n)s개", 2),
        },
        "stance_counts": _("입장 현황"),
        "sent": _("보냈습니다."),
        "conclusion": _("결론"),
        "no_conclusion": _("아직 결론이 없습니다."),
        "final": _("최종 결과"),
        "merge_done": _("제안을 합쳤습니다."),
        "merge_pick": _("합칠 제안을 두 개 이상 고르세요."),
        "merge_into": _("남길 제안"),
        "merge_select": _("합치기 선택"),
        "edit": _("다듬기"),
        "save": _("저장"),
        "cancel": _("취소"),
        "remove": _("빼기"),
        "move_up": _("위로"),
        "move_down": _("아래로"),
        "start_this": _("이 단계 시작"),
        "saved": _("저장했습니다."),
        "error": _("처리하지 못했습니다."),
        "closed_session": _("회의가 끝났습니다. 최종 결과입니다."),
        "poll_new": _("새 여론조사"),
        "poll_answer_now": _("지금 답하기"),
        "merge_confirm": _(
            "'%(from)s' 제안을 '%(into)s' 제안에 합칠까요? 합친 제안의 내용은 남길 제안 아래에 "
            "그대로 보이고, 작성자에게 알립니다."
        ),
        "merged_from": {
            "one": ngettext("합쳐진 제안 %(n)s개", "합쳐진 제안 %(n)s개", 1),
            "other": ngettext("합쳐진 제안 %(n)s개", "합쳐진 제안 %(n)s개", 2),
        },
    }
