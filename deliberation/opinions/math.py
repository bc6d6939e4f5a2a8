"""Opinion groups from agree / disagree / pass votes, computed the way Pol.is does.

The pipeline follows Pol.is's published method (compdemocracy/polis ``math/``:
conversation, pca, clusters, repness) step by step:

1. The vote matrix: participants x statements, +1 agree, -1 disagree, 0 pass, missing
   where a participant has not voted. Statements moderated out are left out entirely.
2. Who is grouped: participants with at least ``min(7, number of statements)`` votes
   (Pol.is's "in conversation" rule); if fewer than 15 qualify, the most active voters
   are added until 15 are grouped. The others get a dot on the map but no group.
3. Missing votes are filled with the statement's mean vote, the matrix is centred on
   those means, and its two principal components are taken (every participant with a
   vote contributes, as in Pol.is).
4. Each participant is projected using only the votes they cast, then scaled by
   ``sqrt(statements / votes cast)``: someone who voted on a tenth of the statements is
   not pulled to the centre of the map for lack of votes.
5. Base clusters: k-means with k = 100 (or fewer, when fewer participants) on the
   projections. Groups: weighted k-means over the base clusters' centres, for every k
   from 2 to 5 (at most ``2 + base clusters / 12``), keeping the k with the best
   weighted silhouette. A participant's group is the group of their base cluster.
6. Representative statements of a group: its agreement (or disagreement) against the
   rest of the participants, ``ra = pa / pa_rest`` with ``pa = (agree + 1) / (votes + 2)``,
   kept when both the one-proportion z-test (pa above one half) and the two-proportion
   z-test (group against rest) pass at 90 %, ranked by ``ra * rat * pa * pat``.
7. Group-informed consensus: the product over groups of each group's ``pa`` (and
   ``pd``); a statement is consensus when every group agrees (or disagrees) with it.
   Divisive statements: some group mostly agrees while another mostly disagrees.

Everything runs on numpy, in a canonical order (participants and statements sorted by
id) with a fixed seed, so the same votes give the same groups whatever order they came
in. Group numbers stay stable across updates: new groups are matched to the previous
run's groups by the members they share.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment
from threadpoolctl import threadpool_limits

MIN_VOTES = 7  # Pol.is: a participant is grouped after voting on min(7, statements)
MIN_GROUPED = 15  # Pol.is: at least this many participants are grouped when possible
BASE_K = 100
MAX_GROUPS = 5
Z_90 = 1.2816  # one-sided 90 % z
REPRESENTATIVE_MAX = 5
CONSENSUS_MAX = 5
DIVISIVE_MAX = 5
CENTRE_TOLERANCE = 0.01
K_KEEP_MARGIN = 0.02  # keep the previous number of groups unless another beats it by this
DEFAULT_SEED = 15

AGREE, DISAGREE, PASS = 1, -1, 0


@dataclasses.dataclass(frozen=True)
class Vote:
    participant: int
    statement: int
    value: int  # 1 agree, -1 disagree, 0 pass


@dataclasses.dataclass(frozen=True)
class StatementStat:
    """How one statement stands in a group (or against the rest, for representatives)."""

    statement: int
    direction: str  # "agree" | "disagree"
    agree: int
    disagree: int
    votes: int
    probability: float  # smoothed share agreeing (or disagreeing) in the group
    rest_probability: float  # the same among everyone else grouped
    ratio: float
    z: float
    z_rest: float

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Group:
    id: int
    size: int
    representative: list[StatementStat]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "size": self.size,
            "representative": [r.to_dict() for r in self.representative],
        }


@dataclasses.dataclass(frozen=True)
class Agreement:
    """A consensus or divisive statement, with each group's share agreeing / disagreeing."""

    statement: int
    direction: str  # consensus: agree | disagree; divisive: "split"
    score: float
    groups: dict[int, tuple[float, float]]  # group -> (share agreeing, share disagreeing)

    def to_dict(self) -> dict[str, Any]:
        return {
            "statement": self.statement,
            "direction": self.direction,
            "score": round(self.score, 4),
            "groups": {
                str(g): {"agree": round(a, 3), "disagree": round(d, 3)}
                for g, (a, d) in self.groups.items()
            },
        }


@dataclasses.dataclass(frozen=True)
class OpinionMap:
    """One computation's result: each voter's dot and group, and what the groups say."""

    participants: dict[int, tuple[float, float, int | None]]
    groups: list[Group]
    consensus: list[Agreement]
    divisive: list[Agreement]
    statements: list[int]
    votes: int
    k_scores: dict[int, float]
    ms: float

    @property
    def membership(self) -> dict[int, int]:
        return {p: g for p, (_x, _y, g) in self.participants.items() if g is not None}

    def to_dict(self) -> dict[str, Any]:
        return {
            "participants": {
                str(p): [round(x, 4), round(y, 4), g] for p, (x, y, g) in self.participants.items()
            },
            "groups": [g.to_dict() for g in self.groups],
            "consensus": [c.to_dict() for c in self.consensus],
            "divisive": [d.to_dict() for d in self.divisive],
            "statements": self.statements,
            "votes": self.votes,
            "k_scores": {str(k): round(v, 4) for k, v in self.k_scores.items()},
            "ms": round(self.ms, 1),
        }


def empty_map(ms: float = 0.0) -> OpinionMap:
    return OpinionMap({}, [], [], [], [], 0, {}, ms)


# --- the pipeline ---------------------------------------------------------------------------


def compute(
    votes: Iterable[Vote | tuple[int, int, int]],
    *,
    statements: Iterable[int] | None = None,
    excluded: Iterable[int] = (),
    previous: Mapping[int, int] | None = None,
    previous_k: int | None = None,
    seed: int = DEFAULT_SEED,
) -> OpinionMap:
    """Group the voters of ``votes`` (one vote per participant and statement; the last wins).

    ``statements``: the statements that count (default: every statement voted on);
    ``excluded``: statements moderated out; ``previous``: the last run's groups
    (participant -> group), so group numbers stay put; ``previous_k``: its number of groups.
    """
    started = time.perf_counter()
    table = _as_table(votes)
    if len(table) and not np.isin(table[:, 2], (AGREE, DISAGREE, PASS)).all():
        bad = table[~np.isin(table[:, 2], (AGREE, DISAGREE, PASS)), 2][0]
        raise ValueError(f"vote must be 1, -1 or 0, not {int(bad)}")
    out = np.array(sorted(set(excluded)), dtype=np.int64)
    # Pol.is zeroes moderated-out statements rather than dropping them: they move no one
    # on the map, but count as a pass from everyone when a projection is scaled.
    zeroed = int(np.isin(out, table[:, 1]).sum()) if len(table) else 0
    keep = ~np.isin(table[:, 1], out)
    if statements is not None:
        keep &= np.isin(table[:, 1], np.array(sorted(set(statements)), dtype=np.int64))
    table = table[keep]
    if not len(table):
        return empty_map((time.perf_counter() - started) * 1000)
    # One vote per participant and statement: the last one given wins.
    last = table[::-1]
    span = int(last[:, 1].max() - last[:, 1].min()) + 1
    pair = (last[:, 0] - last[:, 0].min()) * span + (last[:, 1] - last[:, 1].min())
    _keys, first = np.unique(pair, return_index=True)
    table = last[first]
    p_ids, rows = np.unique(table[:, 0], return_inverse=True)
    s_ids, cols = np.unique(table[:, 1], return_inverse=True)
    matrix = np.full((len(p_ids), len(s_ids)), np.nan)
    matrix[rows, cols] = table[:, 2]
    # One BLAS thread: the matrices are small, and threads fighting the server's own
    # (and each other) for two cores cost ten times the work itself.
    with threadpool_limits(limits=1, user_api="blas"):
        result = _pipeline(matrix, p_ids, s_ids, zeroed, previous or {}, previous_k, seed)
    return dataclasses.replace(result, votes=len(table), ms=(time.perf_counter() - started) * 1000)


def _as_table(votes: Iterable[Vote | tuple[int, int, int]]) -> np.ndarray:
    """The votes as an (n, 3) integer array: participant, statement, value."""
    rows = votes if isinstance(votes, list) else list(votes)
    if not rows:
        return np.zeros((0, 3), dtype=np.int64)
    if isinstance(rows[0], Vote):
        flat = (x for v in rows for x in (v.participant, v.statement, v.value))  # type: ignore[union-attr]
        return np.fromiter(flat, dtype=np.int64, count=3 * len(rows)).reshape(-1, 3)
    return np.asarray(rows, dtype=np.int64).reshape(-1, 3)


def _pipeline(
    matrix: np.ndarray,
    p_ids: np.ndarray,
    s_ids: np.ndarray,
    zeroed: int,
    previous: Mapping[int, int],
    previous_k: int | None,
    seed: int,
) -> OpinionMap:
    n_s = matrix.shape[1]
    voted = ~np.isnan(matrix)
    n_votes = voted.sum(axis=1)
    grouped = _grouped_rows(n_votes, n_s)

    coords = _project(matrix, voted, n_votes, zeroed)
    participants: dict[int, tuple[float, float, int | None]] = {
        int(p): (float(coords[i, 0]), float(coords[i, 1]), None) for i, p in enumerate(p_ids)
    }
    empty = OpinionMap(participants, [], [], [], [int(s) for s in s_ids], 0, {}, 0.0)
    rows_in = np.flatnonzero(grouped)
    if len(rows_in) < 4:
        return empty
    rng = np.random.default_rng(seed)
    points = coords[rows_in]
    distinct = len(np.unique(np.round(points, 9), axis=0))
    if distinct < 2:
        return empty
    base_labels, base_centres = _kmeans(points, min(BASE_K, distinct), rng, restarts=1)
    weights = np.bincount(base_labels, minlength=len(base_centres)).astype(np.float64)
    keep = weights > 0
    base_centres, weights = base_centres[keep], weights[keep]
    base_labels = np.cumsum(keep)[base_labels] - 1
    if len(base_centres) < 2:
        return empty
    max_k = min(MAX_GROUPS, 2 + len(base_centres) // 12, len(base_centres))
    k_scores: dict[int, float] = {}
    candidates: dict[int, np.ndarray] = {}
    for k in range(2, max_k + 1):
        labels, _c = _kmeans(base_centres, k, rng, weights=weights, restarts=8)
        if len(np.unique(labels)) < k:
            continue
        k_scores[k] = _silhouette(base_centres, labels)
        candidates[k] = labels
    if not candidates:
        return empty
    best = max(k_scores, key=lambda k: (k_scores[k], -k))
    if previous_k in k_scores and k_scores[best] - k_scores[previous_k] < K_KEEP_MARGIN:
        best = previous_k
    row_groups = candidates[best][base_labels]
    row_groups = _stable_numbers(row_groups, [int(p_ids[r]) for r in rows_in], previous, best)

    for r, g in zip(rows_in, row_groups, strict=True):
        x, y, _ = participants[int(p_ids[r])]
        participants[int(p_ids[r])] = (x, y, int(g))

    group_ids = sorted({int(g) for g in row_groups})
    sub = matrix[rows_in]
    agree = (sub == AGREE).astype(np.float64)
    disagree = (sub == DISAGREE).astype(np.float64)
    seen = (~np.isnan(sub)).astype(np.float64)
    member = np.stack([(row_groups == g).astype(np.float64) for g in group_ids])
    na, nd, ns = member @ agree, member @ disagree, member @ seen  # groups x statements
    groups = [
        Group(
            id=g,
            size=int(member[i].sum()),
            representative=_representative(i, na, nd, ns, s_ids),
        )
        for i, g in enumerate(group_ids)
    ]
    consensus, divisive = _consensus(group_ids, na, nd, ns, s_ids)
    return OpinionMap(
        participants, groups, consensus, divisive, [int(s) for s in s_ids], 0, k_scores, 0.0
    )


def _grouped_rows(n_votes: np.ndarray, n_statements: int) -> np.ndarray:
    grouped = n_votes >= min(MIN_VOTES, n_statements)
    if grouped.sum() < MIN_GROUPED:
        # Pol.is tops the grouped participants up with the most active voters.
        order = np.lexsort((np.arange(len(n_votes)), -n_votes))
        for r in order:
            if grouped.sum() >= MIN_GROUPED or n_votes[r] == 0:
                break
            grouped[r] = True
    return grouped


def _project(matrix: np.ndarray, voted: np.ndarray, n_votes: np.ndarray, zeroed: int) -> np.ndarray:
    """Two principal components of the mean-filled matrix; sparsity-aware projections."""
    n_p, n_s = matrix.shape
    counts = voted.sum(axis=0)
    means = np.where(counts > 0, np.nansum(matrix, axis=0) / np.maximum(counts, 1), 0.0)
    centred = np.where(voted, matrix - means, 0.0)  # filled with the mean = 0 once centred
    if n_p < 2 or n_s < 2:
        return np.zeros((n_p, 2))
    cov = centred.T @ centred
    eigvals, eigvecs = np.linalg.eigh(cov)
    order = np.argsort(eigvals)[::-1][:2]
    comps = eigvecs[:, order].T  # 2 x statements
    for c in comps:  # a sign fixed by the data, not by the solver
        pivot = int(np.argmax(np.abs(c)))
        if c[pivot] < 0:
            c *= -1
    if comps.shape[0] < 2:
        comps = np.vstack([comps, np.zeros(n_s)])
    scale = np.sqrt((n_s + zeroed) / np.maximum(n_votes + zeroed, 1))
    return (centred @ comps.T) * scale[:, None]


def _kmeans(
    points: np.ndarray,
    k: int,
    rng: np.random.Generator,
    *,
    weights: np.ndarray | None = None,
    restarts: int = 1,
    iterations: int = 100,
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted Lloyd's k-means with k-means++ starts; the lowest inertia wins."""
    w = np.ones(len(points)) if weights is None else weights
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for _ in range(restarts):
        centres = _plus_plus(points, k, rng, w)
        labels = np.zeros(len(points), dtype=np.int64)
        for it in range(iterations):
            new = np.argmin(_sq_dist(points, centres), axis=1)
            if it and np.array_equal(new, labels):
                break
            labels = new
            mass = np.bincount(labels, weights=w, minlength=k)
            filled = mass > 0
            before = centres.copy()
            for dim in range(points.shape[1]):
                sums = np.bincount(labels, weights=w * points[:, dim], minlength=k)
                centres[filled, dim] = sums[filled] / mass[filled]
            # Pol.is stops once no centre moves by more than 0.01.
            if np.abs(centres - before).max() < CENTRE_TOLERANCE:
                break
        d = _sq_dist(points, centres)
        labels = np.argmin(d, axis=1)
        inertia = float((d[np.arange(len(points)), labels] * w).sum())
        if best is None or inertia < best[0] - 1e-12:
            best = (inertia, labels, centres.copy())
    assert best is not None
    return best[1], best[2]


def _sq_dist(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Squared distances between points and centres: |p|^2 - 2 p.c + |c|^2 (one product)."""
    d = (points * points).sum(axis=1)[:, None] - 2.0 * (points @ centres.T)
    d += (centres * centres).sum(axis=1)[None, :]
    return np.maximum(d, 0.0, out=d)


def _plus_plus(points: np.ndarray, k: int, rng: np.random.Generator, w: np.ndarray) -> np.ndarray:
    centres = np.empty((k, points.shape[1]))
    centres[0] = points[rng.choice(len(points), p=w / w.sum())]
    closest = ((points - centres[0]) ** 2).sum(axis=1)
    for j in range(1, k):
        mass = closest * w
        total = mass.sum()
        pick = rng.choice(len(points), p=mass / total) if total > 0 else rng.integers(len(points))
        centres[j] = points[pick]
        closest = np.minimum(closest, ((points - centres[j]) ** 2).sum(axis=1))
    return centres


def _silhouette(points: np.ndarray, labels: np.ndarray) -> float:
    """Pol.is's silhouette: the plain mean over base clusters; a lone one scores 0."""
    dist = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    groups = np.unique(labels)
    n = len(points)
    sizes = np.array([(labels == g).sum() for g in groups])
    sums = np.stack([dist[:, labels == g].sum(axis=1) for g in groups], axis=1)
    own = np.searchsorted(groups, labels)
    own_others = sizes[own] - 1
    a = sums[np.arange(n), own] / np.maximum(own_others, 1)
    other = sums / sizes[None, :]
    other[np.arange(n), own] = np.inf
    b = other.min(axis=1)
    s = np.where(own_others > 0, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(s.mean())


def _stable_numbers(
    labels: np.ndarray, members: list[int], previous: Mapping[int, int], k: int
) -> np.ndarray:
    """Number the groups: matched to last run's groups by shared members, else by size."""
    found = sorted(set(labels.tolist()))
    sizes = {g: int((labels == g).sum()) for g in found}
    mapping: dict[int, int] = {}
    if previous:
        old = sorted(set(previous.values()))
        overlap = np.zeros((len(found), len(old)))
        for p, g in zip(members, labels.tolist(), strict=True):
            if p in previous:
                overlap[found.index(g), old.index(previous[p])] += 1
        r_idx, c_idx = linear_sum_assignment(-overlap)
        for r, c in zip(r_idx, c_idx, strict=True):
            if overlap[r, c] > 0:
                mapping[found[r]] = old[c]
    free = iter(n for n in range(len(found) + len(previous) + 1) if n not in mapping.values())
    # Unmatched groups: largest first, ties by their smallest member id (order-free).
    first = {
        g: min(p for p, lab in zip(members, labels.tolist(), strict=True) if lab == g)
        for g in found
    }
    for g in sorted(found, key=lambda g: (-sizes[g], first[g])):
        if g not in mapping:
            mapping[g] = next(free)
    return np.array([mapping[g] for g in labels.tolist()], dtype=np.int64)


# --- what sets groups apart, what they share ------------------------------------------------


def prop_test(successes: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Pol.is's one-proportion z-test against one half, with +1 smoothing."""
    s, t = successes + 1.0, n + 1.0
    return 2.0 * np.sqrt(t) * (s / t - 0.5)


def two_prop_test(
    succ_in: np.ndarray, succ_out: np.ndarray, n_in: np.ndarray, n_out: np.ndarray
) -> np.ndarray:
    """Pol.is's two-proportion z-test (group against the rest), with +1 smoothing."""
    s1, s2, n1, n2 = succ_in + 1.0, succ_out + 1.0, n_in + 1.0, n_out + 1.0
    p1, p2 = s1 / n1, s2 / n2
    pooled = (s1 + s2) / (n1 + n2)
    spread = np.sqrt(np.maximum(pooled * (1 - pooled) * (1 / n1 + 1 / n2), 1e-12))
    return (p1 - p2) / spread


def _representative(
    i: int, na: np.ndarray, nd: np.ndarray, ns: np.ndarray, s_ids: np.ndarray
) -> list[StatementStat]:
    """A group's representative statements, Pol.is's way (see the module's docstring)."""
    rest_a, rest_d, rest_s = na.sum(0) - na[i], nd.sum(0) - nd[i], ns.sum(0) - ns[i]
    seen = ns[i] > 0
    candidates: list[tuple[float, int, str, bool, float]] = []  # metric, j, direction, sig, z_rest
    stats: dict[tuple[int, str], tuple[float, ...]] = {}
    for direction, n_in, n_out in (("agree", na[i], rest_a), ("disagree", nd[i], rest_d)):
        p = (n_in + 1) / (ns[i] + 2)
        p_rest = (n_out + 1) / (rest_s + 2)
        ratio = p / p_rest
        z = prop_test(n_in, ns[i])
        z_rest = two_prop_test(n_in, n_out, ns[i], rest_s)
        metric = np.where((z > 0) & (z_rest > 0), ratio * z_rest * p * z, -np.inf)
        significant = (z > Z_90) & (z_rest > Z_90) & seen
        # Only the few that can be chosen become objects: the significant ones, and the
        # fallback (the most distinctive majority view) when none is.
        pool = np.flatnonzero(significant | (seen & (z_rest > 0) & (p > 0.5)))
        for j in pool.tolist():
            candidates.append(
                (float(metric[j]), int(j), direction, bool(significant[j]), float(z_rest[j]))
            )
            stats[(int(j), direction)] = (p[j], p_rest[j], ratio[j], z[j], z_rest[j])
    chosen = sorted((c for c in candidates if c[3]), key=lambda c: (-c[0], int(s_ids[c[1]])))
    if not chosen:
        # Pol.is shows a group's most distinctive statement even when none is significant.
        chosen = sorted(candidates, key=lambda c: (-c[4], int(s_ids[c[1]])))[:1]
    picked = chosen[:REPRESENTATIVE_MAX]
    # Agreements first, as Pol.is lists them.
    picked.sort(key=lambda c: (c[2] != "agree", -c[0], int(s_ids[c[1]])))
    out = []
    for _metric, j, direction, _sig, _z in picked:
        p_j, rest_j, ratio_j, z_j, zr_j = stats[(j, direction)]
        out.append(
            StatementStat(
                statement=int(s_ids[j]),
                direction=direction,
                agree=int(na[i, j]),
                disagree=int(nd[i, j]),
                votes=int(ns[i, j]),
                probability=round(float(p_j), 4),
                rest_probability=round(float(rest_j), 4),
                ratio=round(float(ratio_j), 4),
                z=round(float(z_j), 4),
                z_rest=round(float(zr_j), 4),
            )
        )
    return out


def _consensus(
    group_ids: list[int], na: np.ndarray, nd: np.ndarray, ns: np.ndarray, s_ids: np.ndarray
) -> tuple[list[Agreement], list[Agreement]]:
    pa = (na + 1) / (ns + 2)
    pd = (nd + 1) / (ns + 2)
    seen = (ns > 0).all(axis=0)
    shares = {
        int(s_ids[j]): {g: (float(pa[i, j]), float(pd[i, j])) for i, g in enumerate(group_ids)}
        for j in range(len(s_ids))
    }
    consensus: list[Agreement] = []
    for direction, p in (("agree", pa), ("disagree", pd)):
        informed = np.prod(p, axis=0)  # group-informed consensus
        everyone = seen & (p > 0.5).all(axis=0)
        for j in np.flatnonzero(everyone):
            score = float(informed[j] ** (1 / len(group_ids)))
            consensus.append(Agreement(int(s_ids[j]), direction, score, shares[int(s_ids[j])]))
    consensus.sort(key=lambda a: (-a.score, a.statement))
    consensus = consensus[:CONSENSUS_MAX]
    divisive: list[Agreement] = []
    for j in np.flatnonzero(seen):
        agreeing = pa[:, j] > 0.5
        disagreeing = pd[:, j] > 0.5
        if agreeing.any() and disagreeing.any():
            spread = float(pa[:, j].max() - pa[:, j].min())
            divisive.append(Agreement(int(s_ids[j]), "split", spread, shares[int(s_ids[j])]))
    divisive.sort(key=lambda a: (-a.score, a.statement))
    return consensus, divisive[:DIVISIVE_MAX]


# --- comparing partitions -------------------------------------------------------------------


def adjusted_rand_index(a: Mapping[Any, int], b: Mapping[Any, int]) -> float:
    """Adjusted Rand index of two groupings over the participants both assign."""
    common = sorted(set(a) & set(b), key=str)
    if len(common) < 2:
        return 1.0
    la = np.unique([a[p] for p in common], return_inverse=True)[1]
    lb = np.unique([b[p] for p in common], return_inverse=True)[1]
    table = np.zeros((la.max() + 1, lb.max() + 1))
    np.add.at(table, (la, lb), 1)

    def pairs(x: np.ndarray) -> float:
        return float((x * (x - 1) / 2).sum())

    index = pairs(table)
    rows, cols, n = pairs(table.sum(1)), pairs(table.sum(0)), pairs(np.array([len(common)]))
    expected = rows * cols / n if n else 0.0
    top = (rows + cols) / 2
    if math.isclose(top, expected):
        return 1.0
    return (index - expected) / (top - expected)
