"""The opinion map's pipeline: planted groups, a hand-checked example, order, stability."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deliberation.opinions.math import Vote, adjusted_rand_index, compute


def planted(
    *, people: int, statements: int, groups: int, seen: tuple[int, int], seed: int, loyal=0.85
) -> tuple[list[Vote], dict[int, int]]:
    """Sparse votes from planted groups: each group leans its own way on every statement."""
    rng = np.random.default_rng(seed)
    lean = rng.choice([-1, 1], size=(groups, statements))
    truth = {p: int(p % groups) for p in range(people)}
    votes = []
    for p, g in truth.items():
        for s in rng.choice(statements, size=rng.integers(*seen), replace=False):
            r = rng.random()
            v = int(lean[g, s]) if r < loyal else (0 if r < loyal + 0.05 else -int(lean[g, s]))
            votes.append(Vote(p, int(s), v))
    return votes, truth


def test_planted_groups_in_sparse_votes_are_recovered() -> None:
    votes, truth = planted(people=600, statements=120, groups=3, seen=(8, 25), seed=3)
    result = compute(votes)
    assert len(result.groups) == 3
    assert adjusted_rand_index(result.membership, truth) >= 0.9
    assert all(170 <= g.size <= 230 for g in result.groups)


def test_two_planted_groups_even_when_most_statements_are_unseen() -> None:
    # Each person sees 5-15 % of the statements: zero-filled votes would pull the
    # sparse voters to the middle; the sparsity-aware projection keeps them apart.
    votes, truth = planted(people=1000, statements=200, groups=2, seen=(10, 30), seed=8)
    result = compute(votes)
    assert len(result.groups) == 2
    assert adjusted_rand_index(result.membership, truth) >= 0.9


def hand_checked() -> list[Vote]:
    """Ten people (1-10) and ten people (11-20) on four statements, everyone voting:
    100 everyone agrees with; 200 splits them (first agree, second disagree);
    300 the first agree with and the second pass; 400 everyone disagrees with."""
    votes = []
    for p in range(1, 21):
        first = p <= 10
        votes += [
            Vote(p, 100, 1),
            Vote(p, 200, 1 if first else -1),
            Vote(p, 300, 1 if first else 0),
            Vote(p, 400, -1),
        ]
    return votes


def test_hand_checked_consensus_representatives_and_divisive() -> None:
    result = compute(hand_checked())
    assert len(result.groups) == 2
    first = result.membership[1]
    second = result.membership[11]
    assert {p for p, g in result.membership.items() if g == first} == set(range(1, 11))
    assert {p for p, g in result.membership.items() if g == second} == set(range(11, 21))
    # Everyone agrees with 100 and disagrees with 400: (10 + 1) / (10 + 2) in each group.
    consensus = {(c.statement, c.direction): c for c in result.consensus}
    assert set(consensus) == {(100, "agree"), (400, "disagree")}
    assert consensus[(100, "agree")].groups[first] == pytest.approx((11 / 12, 1 / 12))
    assert consensus[(100, "agree")].score == pytest.approx(11 / 12)
    # What sets the first group apart: agreeing with 200 and 300 (the rest do not).
    groups = {g.id: g for g in result.groups}
    first_rep = [(r.statement, r.direction) for r in groups[first].representative]
    assert first_rep[:2] == [(200, "agree"), (300, "agree")]
    top = groups[first].representative[0]
    assert top.probability == pytest.approx(11 / 12, abs=1e-4)
    assert top.rest_probability == pytest.approx(1 / 12, abs=1e-4)
    assert top.ratio == pytest.approx(11, abs=1e-3)
    # The second group: disagreeing with 200.
    assert (200, "disagree") in [(r.statement, r.direction) for r in groups[second].representative]
    # 200 divides them; 300 does not (the second group passes, it does not disagree).
    assert [d.statement for d in result.divisive] == [200]


def test_moderated_out_statements_are_left_out() -> None:
    result = compute(hand_checked(), excluded=[200])
    assert 200 not in result.statements
    assert all(r.statement != 200 for g in result.groups for r in g.representative)
    assert all(d.statement != 200 for d in result.divisive)


def test_people_with_too_few_votes_get_a_dot_but_no_group() -> None:
    votes, _truth = planted(people=100, statements=40, groups=2, seen=(8, 20), seed=1)
    votes += [Vote(999, 0, 1), Vote(999, 1, -1)]
    result = compute(votes)
    assert 999 in result.participants
    assert result.participants[999][2] is None
    assert 999 not in result.membership


def test_a_vote_that_is_not_agree_disagree_or_pass_is_refused() -> None:
    with pytest.raises(ValueError, match="1, -1 or 0"):
        compute([Vote(1, 1, 2)])


def test_the_same_votes_give_the_same_map() -> None:
    votes, _ = planted(people=300, statements=60, groups=3, seen=(7, 20), seed=5)
    assert compute(votes).to_dict() | {"ms": 0} == compute(votes).to_dict() | {"ms": 0}


def test_a_few_new_votes_do_not_renumber_the_groups() -> None:
    votes, _ = planted(people=500, statements=80, groups=3, seen=(8, 20), seed=11)
    before = compute(votes)
    rng = random.Random(4)
    more = [Vote(rng.randrange(500), rng.randrange(80), rng.choice([1, -1, 0])) for _ in range(40)]
    after = compute(votes + more, previous=before.membership, previous_k=len(before.groups))
    same = sum(1 for p, g in before.membership.items() if after.membership.get(p) == g)
    assert same / len(before.membership) >= 0.95


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    people=st.integers(5, 60),
    statements=st.integers(2, 15),
    order=st.randoms(use_true_random=False),
)
def test_the_order_votes_arrive_in_does_not_matter(
    seed: int, people: int, statements: int, order: random.Random
) -> None:
    votes, _ = planted(
        people=people, statements=statements, groups=2, seen=(1, statements + 1), seed=seed
    )
    shuffled = list(votes)
    order.shuffle(shuffled)
    a, b = compute(votes).to_dict(), compute(shuffled).to_dict()
    a["ms"] = b["ms"] = 0
    assert a == b
