"""The live digest: a cheap, incremental view of a running session for the console.

Each server process keeps, per session, what it has already aggregated (the ids of
analysed statements, their nouns and stances). A refresh reads only analysis rows
stored since the last refresh plus the (small) list of statements hidden since, so
refreshing every few seconds during a session costs little whatever its size.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter, OrderedDict
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils import timezone

from . import records
from .cleaning import clean_for_digest
from .content import Citation, CountRow, Keyword, Participation, StanceGroup, SummaryLine
from .keywords import subject_keywords
from .models import CorpusTerm, TextAnalysis, TextKind
from .normalise import is_keyword
from .summarise import select_key_rows, tfidf_matrix

RECENT_FOR_SUMMARY = 300
KEYWORDS = 10
LINES_PER_STANCE = 2
CANDIDATE_TERMS = 200
MAX_SESSIONS = 64


@dataclass
class LiveDigest:
    """The console's live panel: the same shapes as ``DigestContent``, fewer of them."""

    session_id: int
    participation: Participation
    pending_analysis: int
    stances: list[CountRow] = field(default_factory=list)
    keywords: list[Keyword] = field(default_factory=list)
    key_statements: list[StanceGroup] = field(default_factory=list)
    updated_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _State:
    cursor: dt.datetime | None = None
    nouns: dict[int, list[str]] = field(default_factory=dict)
    stance: dict[int, str] = field(default_factory=dict)
    seq: dict[int, int | None] = field(default_factory=dict)
    text: dict[int, str] = field(default_factory=dict)
    author: dict[int, int | None] = field(default_factory=dict)
    postings: dict[str, list[int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


_states: OrderedDict[int, _State] = OrderedDict()
_states_lock = threading.Lock()


def _state(session_id: int) -> _State:
    with _states_lock:
        state = _states.pop(session_id, None) or _State()
        _states[session_id] = state
        while len(_states) > MAX_SESSIONS:
            _states.popitem(last=False)
        return state


def forget_live_digest(session_id: int | None = None) -> None:
    """Drop cached aggregates (all of them, or one session's)."""
    with _states_lock:
        if session_id is None:
            _states.clear()
        else:
            _states.pop(session_id, None)


def _absorb_new(session_id: int, state: _State) -> None:
    rows = TextAnalysis.objects.filter(
        session_id=session_id, kind=TextKind.STATEMENT, state=TextAnalysis.State.DONE
    )
    if state.cursor is not None:
        rows = rows.filter(analysed_at__gte=state.cursor)
    fresh = {
        object_id: (nouns, at)
        for object_id, nouns, at in rows.values_list("object_id", "nouns", "analysed_at")
    }
    if not fresh:
        return
    new_ids = [i for i in fresh if i not in state.nouns]
    for statement in records.load_statements_by_id(new_ids):
        state.stance[statement.id] = statement.stance
        state.seq[statement.id] = statement.seq
        state.text[statement.id] = statement.text
        state.author[statement.id] = statement.author_id
    for object_id, (nouns, _at) in fresh.items():
        if object_id in state.stance and object_id not in state.nouns:
            state.nouns[object_id] = nouns
            for term in set(nouns):
                if is_keyword(term):
                    state.postings.setdefault(term, []).append(object_id)
    state.cursor = max(at for _n, at in fresh.values() if at is not None)


def build_live_digest(session_id: int) -> LiveDigest:
    """Counts, stances, keywords and a few key statements per stance, refreshed cheaply."""

    state = _state(session_id)
    with state.lock:
        _absorb_new(session_id, state)
        hidden = records.invisible_statement_ids(session_id)
        ids = [i for i in state.nouns if i not in hidden]
        stances = Counter(state.stance[i] for i in ids)
        # Rank terms by their stored postings; only the candidates are filtered for
        # statements hidden since (usually none), so a refresh never rescans every text.
        by_size = sorted(state.postings, key=lambda t: -len(state.postings[t]))
        postings = {
            t: [i for i in state.postings[t] if i not in hidden] if hidden else state.postings[t]
            for t in by_size[:CANDIDATE_TERMS]
        }
        recent = sorted(ids)[-RECENT_FOR_SUMMARY:]
        recent_nouns = [state.nouns[i] for i in recent]
        recent_meta = [
            (i, state.stance[i], state.seq[i], state.text[i], n) for n, i in enumerate(recent)
        ]
        authors = {state.author[i] for i in ids if state.author.get(i) is not None}

    candidates = [t for t in postings if postings[t]]
    df = dict(CorpusTerm.objects.filter(term__in=candidates).values_list("term", "document_count"))
    # Statements and proposals: the texts CorpusTerm counts (report reasons are only screened).
    total = (
        TextAnalysis.objects.filter(state=TextAnalysis.State.DONE)
        .exclude(kind=TextKind.REPORT)
        .count()
    )
    # The digest's weighting (general Korean, then the installation), over the candidates.
    by_statement: dict[int, list[str]] = {}
    for term in candidates:
        for statement_id in postings[term]:
            by_statement.setdefault(statement_id, []).append(term)
    scored = subject_keywords(
        list(by_statement.items()), document_frequency=df, total_documents=total, limit=KEYWORDS
    )
    keywords = [
        Keyword(
            term=clean_for_digest(k.term),
            score=k.score,
            count=k.count,
            statement_ids=postings[k.term][-10:],
        )
        for k in scored
    ]

    labels = {**_default_labels(), **records.stance_labels()}
    groups = []
    for stance, _n in stances.most_common():
        members = [m for m in recent_meta if m[1] == stance]
        matrix = tfidf_matrix(
            [recent_nouns[m[4]] for m in members], document_frequency=df, total_documents=total
        )
        lines = []
        for chosen in select_key_rows(matrix, count=LINES_PER_STANCE):
            sid, _stance, seq, text, _index = members[chosen.index]
            lines.append(
                SummaryLine(
                    text=clean_for_digest(text, limit=160),
                    stance=stance,
                    statement_id=sid,
                    seq=seq,
                    score=round(chosen.score, 6),
                    citations=[Citation(sid, seq)]
                    + [Citation(members[j][0], members[j][2]) for j in chosen.similar],
                )
            )
        groups.append(
            StanceGroup(
                stance=stance,
                label=str(labels.get(stance, stance)),
                count=stances[stance],
                lines=lines,
            )
        )
    pending = records.pending_statement_count(session_id)
    return LiveDigest(
        session_id=session_id,
        participation=Participation(
            people=len(authors),
            statements=len(ids),
            proposals=records.proposal_count([session_id]),
            reactions=records.reaction_count([session_id]),
        ),
        pending_analysis=pending,
        stances=[
            CountRow(key=k, label=str(labels.get(k, k)), count=n) for k, n in stances.most_common()
        ],
        keywords=keywords,
        key_statements=groups,
        updated_at=timezone.localtime().isoformat(),
    )


def _default_labels() -> dict[str, str]:
    from .digest import default_stance_labels

    return default_stance_labels()
