"""Fair review: proposing who reviews what, and ranking applications from their scores.

Pure functions over ids and numbers, no database: the operations load the call's pool, the
conflicts and the submitted reviews, call these, and write (or show) what comes back.

Assignment is a flow problem, not a greedy one. "Least loaded first" can paint itself into a
corner: it gives an early application the reviewer a later, heavily conflicted application
needed, and the loads end up two or more apart although a balanced assignment existed. A flow
network (source → application → reviewer → sink, with a lower and an upper bound on each
reviewer's total load) decides exactly whether an assignment within given load bounds
exists, and if so yields one. The only band in which loads differ by at most one is
[⌊T/n⌋, ⌊T/n⌋ + 1] (T assignments over n reviewers), so one flow settles the common case.
When conflicts or earlier assignments make that band infeasible, we search the smallest
feasible maximum load, then the largest feasible minimum under it. Reviewer load vectors of a
bipartite flow form an M-convex set, in which the smallest maximum and the largest minimum
are reached together (Frank and Murota, "Discrete decreasing minimization"), so this gives
the smallest possible spread.

Ranking normalises per reviewer with z-scores: a strict reviewer's 5 and a lenient one's 8
may mean the same "better than my average". Measuring each review against its own reviewer's
mean and standard deviation over the call makes both weigh the same, which raw means do not.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, TypeAlias

from flask_babel import gettext as _

from opc.core.errors import RuleViolation

Id: TypeAlias = int | str
Score: TypeAlias = int | Decimal | Fraction

CENT = Decimal("0.01")


# --- Assignment ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Shortfall:
    """Why an application cannot get its reviewers: how many it still needs, how many of the
    pool could take it, and how many are excluded by a conflict."""

    application_id: Id
    reason: str  # "too_few_reviewers", or "existing_conflict" (an assigned reviewer conflicts)
    needed: int
    eligible: int
    conflicted: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.application_id,
            "reason": self.reason,
            "needed": self.needed,
            "eligible": self.eligible,
            "conflicted": self.conflicted,
        }


class AssignmentImpossible(RuleViolation):
    """No assignment covers these applications; the error body lists each one and why: 409."""

    def __init__(self, shortfalls: Sequence[Shortfall]) -> None:
        self.shortfalls = list(shortfalls)
        ids = ", ".join(str(s.application_id) for s in self.shortfalls)
        super().__init__(
            "assignment_impossible",
            _(
                "These applications cannot get enough reviewers free of conflicts: %(ids)s. "
                "Replace any assigned reviewer who has a conflict, add reviewers to the pool "
                "or lower the number of reviewers per application.",
                ids=ids,
            ),
        )
        self.extra["applications"] = [s.to_dict() for s in self.shortfalls]


@dataclass(frozen=True)
class Proposal:
    """A proposed assignment: every application's reviewers (kept and new, sorted), the new
    pairs to create, and each pool reviewer's resulting load."""

    reviewers: dict[Id, list[Id]]
    added: list[tuple[Id, Id]]
    loads: dict[Id, int]

    @property
    def spread(self) -> int:
        """Largest minus smallest load across the pool."""
        return max(self.loads.values()) - min(self.loads.values()) if self.loads else 0


class _Flow:
    """Dinic's maximum flow on a small graph, with integer capacities."""

    def __init__(self, size: int) -> None:
        self.adj: list[list[int]] = [[] for _ in range(size)]
        self.to: list[int] = []
        self.cap: list[int] = []

    def add(self, u: int, v: int, cap: int) -> int:
        """Add an edge u → v and its residual twin; return the edge's index."""
        self.adj[u].append(len(self.to))
        self.to.append(v)
        self.cap.append(cap)
        self.adj[v].append(len(self.to))
        self.to.append(u)
        self.cap.append(0)
        return len(self.to) - 2

    def run(self, s: int, t: int) -> int:
        total = 0
        while True:
            level = [-1] * len(self.adj)
            level[s] = 0
            queue = [s]
            for u in queue:
                for e in self.adj[u]:
                    if self.cap[e] > 0 and level[self.to[e]] < 0:
                        level[self.to[e]] = level[u] + 1
                        queue.append(self.to[e])
            if level[t] < 0:
                return total
            nxt = [0] * len(self.adj)
            while pushed := self._push(s, t, math.inf, level, nxt):
                total += pushed

    def _push(self, u: int, t: int, limit: float, level: list[int], nxt: list[int]) -> int:
        if u == t:
            return int(limit)
        while nxt[u] < len(self.adj[u]):
            e = self.adj[u][nxt[u]]
            v = self.to[e]
            if self.cap[e] > 0 and level[v] == level[u] + 1:
                pushed = self._push(v, t, min(limit, self.cap[e]), level, nxt)
                if pushed:
                    self.cap[e] -= pushed
                    self.cap[e ^ 1] += pushed
                    return pushed
            nxt[u] += 1
        return 0


def _solve(
    apps: list[Id],
    pool: list[Id],
    need: dict[Id, int],
    eligible: dict[Id, list[Id]],
    held: dict[Id, int],
    low: int,
    high: int,
) -> list[tuple[Id, Id]] | None:
    """New (application, reviewer) pairs giving every application its need and every pool
    reviewer a total load in [low, high], or None when no such assignment exists.

    A flow with lower bounds, turned into a plain max flow the textbook way: a reviewer's
    lower bound goes straight from it to the super sink T*, and the super source S* feeds the
    same amount into the ordinary sink T, which passes on at most the total need. Every bound
    holds exactly when the maximum flow saturates the edges out of S*."""
    if any(held[r] > high for r in pool):
        return None
    star_s, star_t, sink = 0, 1, 2
    a_node = {a: 3 + i for i, a in enumerate(apps)}
    r_node = {r: 3 + len(apps) + i for i, r in enumerate(pool)}
    flow = _Flow(3 + len(apps) + len(pool))
    total_need = sum(need.values())
    lows = {r: max(0, low - held[r]) for r in pool}
    flow.add(star_s, sink, sum(lows.values()))
    flow.add(sink, star_t, total_need)
    pairs: list[tuple[int, Id, Id]] = []
    for a in apps:
        flow.add(star_s, a_node[a], need[a])
        pairs += [(flow.add(a_node[a], r_node[r], 1), a, r) for r in eligible[a]]
    for r in pool:
        flow.add(r_node[r], star_t, lows[r])
        flow.add(r_node[r], sink, high - held[r] - lows[r])
    if flow.run(star_s, star_t) != total_need + sum(lows.values()):
        return None
    return [(a, r) for e, a, r in pairs if flow.cap[e] == 0]


def propose_assignment(
    applications: Iterable[Id],
    reviewers: Iterable[Id],
    per_application: int,
    conflicts: Iterable[tuple[Id, Id]],
    existing: Iterable[tuple[Id, Id]] = (),
) -> Proposal:
    """Give each application `per_application` distinct reviewers from the pool, none with a
    conflict, keeping the `existing` (application, reviewer) pairs and counting them, with
    loads as even as the conflicts allow: within one of each other whenever that is possible.

    Deterministic: ids are sorted before the network is built. Existing pairs of applications
    not listed still count in their reviewer's load; an existing reviewer who has left the
    pool stays on their application but outside the balance. Raises
    AssignmentImpossible naming every application that has too few eligible reviewers, or an
    assigned reviewer in conflict (replace them first)."""
    if per_application < 0:
        raise ValueError("per_application must not be negative")
    apps = sorted(set(applications))
    pool = sorted(set(reviewers))
    conflicted = set(conflicts)
    kept: dict[Id, set[Id]] = defaultdict(set)
    for a, r in set(existing):
        kept[a].add(r)
    held = {r: 0 for r in pool}
    for a in kept:
        for r in kept[a] & held.keys():
            held[r] += 1
    need = {a: max(0, per_application - len(kept[a])) for a in apps}
    eligible = {a: [r for r in pool if (a, r) not in conflicted and r not in kept[a]] for a in apps}
    shortfalls = []
    for a in apps:
        n_conflicted = sum((a, r) in conflicted for r in pool)
        if any((a, r) in conflicted for r in kept[a]):
            shortfalls.append(
                Shortfall(a, "existing_conflict", need[a], len(eligible[a]), n_conflicted)
            )
        elif len(eligible[a]) < need[a]:
            shortfalls.append(
                Shortfall(a, "too_few_reviewers", need[a], len(eligible[a]), n_conflicted)
            )
    if shortfalls:
        raise AssignmentImpossible(shortfalls)

    def solve(low: int, high: int) -> list[tuple[Id, Id]] | None:
        return _solve(apps, pool, need, eligible, held, low, high)

    added = []
    if pool:
        total = sum(held.values()) + sum(need.values())
        even = total // len(pool)
        found = solve(even, even + 1)
        if found is None:
            # Widen: the smallest feasible maximum, then the largest minimum under it.
            top = max(held[r] + sum(r in eligible[a] for a in apps) for r in pool)
            least = max(max(held.values()), -(-total // len(pool)))
            high = _search(least, top, lambda h: solve(0, h) is not None, smallest=True)
            low = _search(
                0, min(high, even), lambda lo: solve(lo, high) is not None, smallest=False
            )
            found = solve(low, high)
        assert found is not None  # the bounds searched for are feasible by construction
        added = sorted(found)
    chosen = {a: set(kept[a]) for a in apps}
    for a, r in added:
        chosen[a].add(r)
        held[r] += 1
    return Proposal({a: sorted(chosen[a]) for a in apps}, added, held)


def _search(lo: int, hi: int, ok: Callable[[int], bool], *, smallest: bool) -> int:
    """The smallest (or largest) value in [lo, hi] where the monotone predicate `ok` holds;
    the far end (hi when smallest, lo when largest) is known to hold."""
    while lo < hi:
        if smallest:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if ok(mid) else (mid + 1, hi)
        else:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if ok(mid) else (lo, mid - 1)
    return lo


# --- Ranking -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewScores:
    """One submitted review: its reviewer and a score from 0 to 10 for each criterion."""

    reviewer_id: Id
    scores: Mapping[str, Score]


@dataclass(frozen=True)
class RankedApplication:
    """An application's place in the ranking. Figures for display are Decimals rounded to
    two places (half up); `normalised` is the mean z-score of its reviews. An application
    without submitted reviews has rank None, `reviewed` False and no figures."""

    application_id: Id
    rank: int | None
    reviews: int
    weighted_mean: Decimal | None = None
    median: Decimal | None = None
    spread: Decimal | None = None
    disagreement: bool = False
    normalised: float | None = None
    weighted_scores: tuple[Fraction, ...] = ()

    @property
    def reviewed(self) -> bool:
        return self.reviews > 0


def weighted_score(review: ReviewScores, weights: Mapping[str, int]) -> Fraction:
    """Σ score × weight / 100 over the criteria, exactly."""
    if set(review.scores) != set(weights):
        raise ValueError(f"review by {review.reviewer_id} does not score exactly the criteria")
    for criterion, score in review.scores.items():
        if not 0 <= score <= 10:
            raise ValueError(f"score {score} for {criterion} is outside 0-10")
    return sum((Fraction(review.scores[c]) * w for c, w in weights.items()), Fraction(0)) / 100


def _display(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(CENT, ROUND_HALF_UP)


def _z_scores(weighted: Mapping[Id, list[tuple[Id, Fraction]]]) -> dict[Id, list[float]]:
    """Each review's z-score against its own reviewer's mean and population standard
    deviation over all their reviews in the call. The population, not a sample: these are all
    the reviews the reviewer gave, not a draw from them. Mean and variance are exact, so two
    reviewers whose scores differ by a constant get identical z-scores. A reviewer with a
    single review, or who gave every application the same score, tells us nothing about
    relative merit, so their reviews count as 0 (their own average) rather than dividing by
    zero."""
    by_reviewer: dict[Id, list[Fraction]] = defaultdict(list)
    for reviews in weighted.values():
        for reviewer, score in reviews:
            by_reviewer[reviewer].append(score)
    moments = {r: (statistics.mean(s), statistics.pvariance(s)) for r, s in by_reviewer.items()}
    return {
        app: [
            float(score - moments[r][0]) / math.sqrt(moments[r][1]) if moments[r][1] else 0.0
            for r, score in reviews
        ]
        for app, reviews in weighted.items()
    }


def rank(
    applications_scores: Mapping[Id, Sequence[ReviewScores]],
    criteria_weights: Mapping[str, int],
    disagreement_threshold: Score,
) -> list[RankedApplication]:
    """Rank a call's applications by their reviews: best first by normalised score, then
    weighted mean, then id; applications without reviews last, unranked.

    Per application: the mean and median of its reviews' weighted scores, their spread (max −
    min), flagged as a disagreement when it exceeds the threshold (equal is not a
    disagreement), and the mean of its reviews' z-scores. Applications equal on both scores
    share a rank (1, 1, 3); the id only fixes the order in which they are listed. The
    normalised score is rounded to 9 places before comparing, so that float noise cannot
    split a tie. Raises ValueError when the weights do not sum to 100 or a review does not
    score each criterion once within 0–10: those are refused when written, not here."""
    if sum(criteria_weights.values()) != 100:
        raise ValueError("criteria weights must sum to 100")
    threshold = Fraction(disagreement_threshold)
    weighted = {
        app: [(r.reviewer_id, weighted_score(r, criteria_weights)) for r in reviews]
        for app, reviews in applications_scores.items()
        if reviews
    }
    z = _z_scores(weighted)
    rows = []
    for app, reviews in weighted.items():
        scores = [score for _reviewer, score in reviews]
        spread = max(scores) - min(scores)
        normalised = round(statistics.fmean(z[app]), 9)
        rows.append((app, scores, spread, sum(scores) / len(scores), normalised))
    rows.sort(key=lambda row: (-row[4], -row[3], row[0]))
    ranked: list[RankedApplication] = []
    for position, (app, scores, spread, mean, normalised) in enumerate(rows, start=1):
        tied = position > 1 and rows[position - 2][3:] == (mean, normalised)
        ranked.append(
            RankedApplication(
                application_id=app,
                rank=ranked[-1].rank if tied else position,
                reviews=len(scores),
                weighted_mean=_display(mean),
                median=_display(Fraction(statistics.median(scores))),
                spread=_display(spread),
                disagreement=spread > threshold,
                normalised=normalised,
                weighted_scores=tuple(sorted(scores)),
            )
        )
    unreviewed = sorted(app for app in applications_scores if app not in weighted)
    return ranked + [RankedApplication(app, None, 0) for app in unreviewed]
