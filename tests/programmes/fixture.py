"""A hand-made Korean fixture of programmes with known duplicates.

Each ``(a, b)`` in ``DUPLICATES`` is one programme written twice by different offices:
reworded, in another word order, or with spelling and spacing variants. The rest are
distinct programmes that share only the field's generic words (지역, 사업, 지원 ...).
"""

from __future__ import annotations

from deliberation.programmes.overlap import Document

PROGRAMMES: list[tuple[str, str, str, str]] = [
    # (key, organisation, title, description)
    (
        "busan-youth-jobs",
        "부산광역시",
        "지역 청년 해외 일자리 연계 지원 사업",
        "부산 청년에게 해외 현지 기업 인턴십과 취업 연계를 지원하고 어학 연수를 제공하는 사업",
    ),
    (
        "jeonbuk-youth-jobs",
        "전북특별자치도",
        "청년 해외취업 인턴십 지원",
        "도내 청년들이 해외 기업 인턴십으로 현지 취업에 이르도록 어학 연수와 연계를 돕는 사업",
    ),
    (
        "mofa-festival",
        "외교부",
        "국민외교 K-컬처 페스티벌",
        "주한 외국인과 시민이 함께하는 케이컬처 페스티벌로 공공외교 공연과 체험 부스를 운영",
    ),
    (
        "gyeongbuk-festival",
        "경상북도",
        "K-컬처 페스티발 개최 사업",
        "외국인 주민과 시민이 함께 즐기는 케이컬처 페스티발, 공연과 체험 부스 운영",
    ),
    (
        "mofa-holiday",
        "외교부",
        "워킹홀리데이 안전 설명회",
        "워킹홀리데이 참가 예정 청년을 위한 해외 안전 교육과 영사 조력 안내",
    ),
    (
        "busan-holiday",
        "부산광역시",
        "청년 워킹 홀리데이 출국 전 안전교육",
        "출국을 앞둔 청년에게 해외 안전 수칙과 영사 조력 제도를 안내하는 설명회",
    ),
    (
        "jeonbuk-contest",
        "전북특별자치도",
        "국민외교 정책 제안 공모전",
        "도민이 지역의 국제교류와 외교 정책 아이디어를 제안하고 우수 제안을 시상하는 공모전",
    ),
    (
        "gyeongbuk-contest",
        "경상북도",
        "도민 외교 정책 아이디어 공모전",
        "외교 정책에 관한 도민 아이디어 제안을 받아 우수작을 시상하는 정책 제안 공모",
    ),
    # Distinct programmes with the same generic words.
    (
        "busan-farm",
        "부산광역시",
        "지역 농가 판로 지원 사업",
        "지역 농산물 직거래 장터를 열어 농가 소득을 지원하는 사업",
    ),
    (
        "jeonbuk-welfare",
        "전북특별자치도",
        "지역 어르신 돌봄 지원 사업",
        "홀로 사는 어르신에게 방문 돌봄과 식사 지원을 제공하는 지역 사업",
    ),
    (
        "gyeongbuk-heritage",
        "경상북도",
        "세계유산 해설사 양성 사업",
        "지역 세계유산을 외국인 방문객에게 소개할 해설사를 양성하고 활동을 지원",
    ),
    (
        "mofa-campus",
        "외교부",
        "국민외교 열린캠퍼스",
        "대학생이 외교관 강연과 모의 협상으로 외교 실무를 배우는 국민외교 교육 과정",
    ),
]

DUPLICATES = [
    ("busan-youth-jobs", "jeonbuk-youth-jobs"),
    ("mofa-festival", "gyeongbuk-festival"),
    ("mofa-holiday", "busan-holiday"),
    ("jeonbuk-contest", "gyeongbuk-contest"),
]
GENERIC_ONLY = ["busan-farm", "jeonbuk-welfare", "gyeongbuk-heritage", "mofa-campus"]


def documents() -> list[Document]:
    return [Document(key=k, title=t, body=d, group=o) for k, o, t, d in PROGRAMMES]
