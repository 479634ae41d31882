"""Fair review without a database: assignment by flow, ranking with per-reviewer z-scores."""

from __future__ import annotations

import itertools
import random
import time
from decimal import Decimal
from fractions import Fraction

import pytest

from opc.funds.fairness import (
    AssignmentImpossible,
    Id,
    Proposal,
    ReviewScores,
    propose_assignment,
    rank,
    weighted_score,
)

# --- Assignment ----------------------------------------------------------------------------


def check_valid(
    proposal: Proposal,
    apps: list[Id],
    pool: list[Id],
    per_application: int,
    conflicts: set[tuple[Id, Id]],
    existing: set[tuple[Id, Id]] = frozenset(),  # type: ignore[assignment]
) -> None:
    """The proposal covers every application exactly, without conflicts or repeats, keeps
    the existing pairs and reports loads that match its pairs."""
    assert sorted(proposal.reviewers) == sorted(apps)
    for a, reviewers in proposal.reviewers.items():
        assert len(reviewers) == len(set(reviewers))
        kept = {r for x, r in existing if x == a}
        assert kept <= set(reviewers)
        assert len(reviewers) == max(per_application, len(kept))
        assert not any((a, r) in conflicts for r in reviewers)
    counted = {r: sum(r in rs for rs in proposal.reviewers.values()) for r in pool}
    assert proposal.loads == counted
    assert set(proposal.added) == {
        (a, r) for a, rs in proposal.reviewers.items() for r in rs
    } - set(existing)


def brute_force_spread(
    apps: list[Id], pool: list[Id], k: int, conflicts: set[tuple[Id, Id]], existing: set
) -> int | None:
    """The smallest load spread over every valid assignment, or None when there is none."""
    options = []
    for a in apps:
        kept = {r for x, r in existing if x == a}
        free = [r for r in pool if (a, r) not in conflicts and r not in kept]
        options.append([kept | set(c) for c in itertools.combinations(free, max(0, k - len(kept)))])
    best = None
    for choice in itertools.product(*options):
        loads = [sum(r in rs for rs in choice) for r in pool]
        spread = max(loads) - min(loads)
        best = spread if best is None else min(best, spread)
    return best


def test_every_application_gets_its_reviewers_with_even_loads() -> None:
    apps, pool = [1, 2, 3, 4, 5], [10, 11, 12]
    proposal = propose_assignment(apps, pool, 2, set())
    check_valid(proposal, apps, pool, 2, set())
    assert sorted(proposal.loads.values()) == [3, 3, 4]


def test_the_flow_balances_where_least_loaded_first_does_not() -> None:
    # Least loaded first, by id, gives application 1 reviewer 10; then application 2, which
    # conflicts with 11, must take 10 again: loads 2 and 0. The flow gives 1 to 11.
    proposal = propose_assignment([1, 2], [10, 11], 1, {(2, 11)})
    assert proposal.reviewers == {1: [11], 2: [10]}
    assert proposal.loads == {10: 1, 11: 1}


def test_existing_assignments_are_kept_and_counted() -> None:
    existing = {(1, 10), (2, 10), (3, 10)}
    proposal = propose_assignment([1, 2, 3, 4], [10, 11, 12], 2, set(), existing)
    check_valid(proposal, [1, 2, 3, 4], [10, 11, 12], 2, set(), existing)
    assert proposal.loads == {10: 3, 11: 3, 12: 2}
    assert (4, 10) not in proposal.added  # 10 already carries its share


def test_pairs_beyond_the_need_or_outside_the_list_are_kept_and_counted() -> None:
    # Application 1 already has three reviewers (more than two); application 9 is not being
    # assigned now, but its reviewer 12 still carries it.
    existing = {(1, 10), (1, 11), (1, 12), (9, 12)}
    proposal = propose_assignment([1, 2, 3], [10, 11, 12], 2, set(), existing)
    assert proposal.reviewers[1] == [10, 11, 12]
    assert not any(a == 1 for a, _r in proposal.added)
    assert proposal.loads == {10: 3, 11: 3, 12: 2}  # 12 already carries two
    assert proposal.reviewers[2] == proposal.reviewers[3] == [10, 11]


def test_a_reviewer_who_left_the_pool_stays_on_their_application() -> None:
    proposal = propose_assignment([1, 2], [10, 11], 2, set(), {(1, 99)})
    assert proposal.reviewers[1] == [10, 99] or proposal.reviewers[1] == [11, 99]
    assert proposal.reviewers[2] == [10, 11]
    assert 99 not in proposal.loads
    assert proposal.loads == {10: 2, 11: 1} or proposal.loads == {10: 1, 11: 2}


def test_loads_widen_only_as_far_as_conflicts_force() -> None:
    # Reviewer 12 conflicts with everything but application 1: it can carry at most one,
    # so [2, 3] is infeasible; the best is 12 with 1 and the others with 3 or 4.
    apps, pool = [1, 2, 3, 4, 5], [10, 11, 12]
    conflicts = {(a, 12) for a in apps if a != 1}
    proposal = propose_assignment(apps, pool, 2, conflicts)
    check_valid(proposal, apps, pool, 2, conflicts)
    assert proposal.loads == {10: 5, 11: 4, 12: 1} or proposal.loads == {10: 4, 11: 5, 12: 1}
    assert proposal.spread == brute_force_spread(apps, pool, 2, conflicts, set())


def test_impossible_applications_are_named_with_the_reason() -> None:
    conflicts = {(2, 10), (2, 11), (5, 10)}
    with pytest.raises(AssignmentImpossible) as caught:
        propose_assignment([1, 2, 3, 4, 5], [10, 11, 12], 2, conflicts, {(5, 12)})
    error = caught.value
    assert error.status == 409 and error.code == "assignment_impossible"
    assert error.to_dict()["applications"] == [
        {"id": 2, "reason": "too_few_reviewers", "needed": 2, "eligible": 1, "conflicted": 2}
    ]
    assert "2" in error.message

    with pytest.raises(AssignmentImpossible) as caught:
        propose_assignment([1, 2, 3], [10, 11], 2, {(1, 10), (3, 11)}, {(3, 10)})
    assert [(s.application_id, s.needed, s.eligible) for s in caught.value.shortfalls] == [
        (1, 2, 1),
        (3, 1, 0),
    ]


def test_an_assigned_reviewer_in_conflict_must_be_replaced_first() -> None:
    with pytest.raises(AssignmentImpossible) as caught:
        propose_assignment([1, 2], [10, 11, 12], 2, {(2, 11)}, {(2, 11)})
    assert [(s.application_id, s.reason) for s in caught.value.shortfalls] == [
        (2, "existing_conflict")
    ]


def test_an_empty_pool_with_nothing_to_do_is_fine_but_with_work_is_not() -> None:
    assert propose_assignment([1], [], 0, set()).reviewers == {1: []}
    assert propose_assignment([1], [], 1, set(), {(1, 7)}).reviewers == {1: [7]}
    with pytest.raises(AssignmentImpossible):
        propose_assignment([1], [], 1, set())
    with pytest.raises(ValueError):
        propose_assignment([1], [10], -1, set())


def test_the_proposal_is_deterministic() -> None:
    rnd = random.Random(7)
    apps, pool = list(range(30)), list(range(100, 110))
    conflicts = {(a, r) for a in apps for r in pool if rnd.random() < 0.3}
    first = propose_assignment(apps, pool, 3, conflicts)
    again = propose_assignment(reversed(apps), sorted(pool, reverse=True), 3, list(conflicts))
    assert first == again


@pytest.mark.parametrize("seed", range(300))
def test_small_random_instances_match_brute_force(seed: int) -> None:
    rnd = random.Random(seed)
    apps = list(range(1, rnd.randint(1, 4) + 1))
    pool = list(range(10, 10 + rnd.randint(1, 4)))
    k = rnd.randint(1, 2)
    conflicts = {(a, r) for a in apps for r in pool if rnd.random() < 0.3}
    existing = {(a, r) for a in apps for r in pool if (a, r) not in conflicts}
    existing = {pair for pair in existing if rnd.random() < 0.15}
    best = brute_force_spread(apps, pool, k, conflicts, existing)
    if best is None:
        with pytest.raises(AssignmentImpossible) as caught:
            propose_assignment(apps, pool, k, conflicts, existing)
        blocked = [
            a
            for a in apps
            if sum((a, r) not in conflicts for r in pool)
            < max(k, len({r for x, r in existing if x == a}))
        ]
        assert [s.application_id for s in caught.value.shortfalls] == blocked
        return
    proposal = propose_assignment(apps, pool, k, conflicts, existing)
    check_valid(proposal, apps, pool, k, conflicts, existing)
    assert proposal.spread == best  # so ≤ 1 whenever a balanced assignment exists


@pytest.mark.parametrize("seed", range(3))
def test_a_large_call_is_balanced_well_under_a_second(seed: int) -> None:
    rnd = random.Random(seed)
    apps, pool = list(range(200)), list(range(1000, 1050))
    conflicts = {(a, r) for a in apps for r in pool if rnd.random() < 0.25}
    existing = {(a, rnd.choice(pool)) for a in apps[:40]} - conflicts
    started = time.perf_counter()
    proposal = propose_assignment(apps, pool, 3, conflicts, existing)
    assert time.perf_counter() - started < 1
    check_valid(proposal, apps, pool, 3, conflicts, existing)
    assert proposal.spread <= 1


# --- Ranking -------------------------------------------------------------------------------

WEIGHTS = {"impact": 60, "team": 40}


def review(reviewer: Id, impact: int, team: int | None = None) -> ReviewScores:
    return ReviewScores(reviewer, {"impact": impact, "team": impact if team is None else team})


def by_id(rows: list) -> dict:
    return {row.application_id: row for row in rows}


def test_weighted_score_is_exact() -> None:
    assert weighted_score(review(1, 7, 8), WEIGHTS) == Fraction(74, 10)
    thirds = {"a": 33, "b": 33, "c": 34}
    rows = rank(
        {1: [ReviewScores(1, {"a": 1, "b": 0, "c": 0}), ReviewScores(2, {"a": 0, "b": 0, "c": 1})]},
        thirds,
        5,
    )
    assert rows[0].weighted_mean == Decimal("0.34")  # 0.335 exactly, rounded half up


def test_a_strict_and_a_lenient_reviewer_weigh_the_same() -> None:
    # The strict reviewer reads applications 1 and 2, the lenient one 3 and 4, each liking
    # the second better by two points. Raw means put both lenient ones first.
    scores = {
        1: [review("strict", 3)],
        2: [review("strict", 5)],
        3: [review("lenient", 7)],
        4: [review("lenient", 9)],
    }
    rows = by_id(rank(scores, WEIGHTS, 3))
    assert [rows[a].weighted_mean for a in (1, 2, 3, 4)] == [
        Decimal("3.00"),
        Decimal("5.00"),
        Decimal("7.00"),
        Decimal("9.00"),
    ]
    assert rows[2].normalised == rows[4].normalised == 1.0
    assert rows[1].normalised == rows[3].normalised == -1.0
    # Equal normalised scores: the weighted mean orders them.
    assert [row.application_id for row in rank(scores, WEIGHTS, 3)] == [4, 2, 3, 1]


def test_both_reviewers_on_the_same_two_applications_agree_after_normalising() -> None:
    scores = {
        1: [review("strict", 2), review("lenient", 8)],
        2: [review("strict", 4), review("lenient", 10)],
    }
    rows = by_id(rank(scores, WEIGHTS, 10))
    assert rows[1].weighted_mean == Decimal("5.00") and rows[2].weighted_mean == Decimal("7.00")
    assert (rows[1].normalised, rows[2].normalised) == (-1.0, 1.0)
    assert (rows[2].rank, rows[1].rank) == (1, 2)


def test_z_scores_use_all_of_a_reviewers_reviews_in_the_call() -> None:
    scores = {1: [review("x", 5)], 2: [review("x", 7)], 3: [review("x", 9), review("y", 1)]}
    rows = by_id(rank(scores, WEIGHTS, 10))
    # x's mean is 7 and population deviation √(8/3); y has a single review, so 0.
    assert rows[1].normalised == pytest.approx(-1.224744871)
    assert rows[2].normalised == 0.0
    assert rows[3].normalised == pytest.approx(1.224744871 / 2)


def test_a_reviewer_who_scores_everything_alike_counts_as_zero() -> None:
    scores = {1: [review("flat", 6), review("y", 2)], 2: [review("flat", 6), review("y", 8)]}
    rows = by_id(rank(scores, WEIGHTS, 10))
    assert (rows[1].normalised, rows[2].normalised) == (-0.5, 0.5)


def test_median_of_an_even_and_an_odd_number_of_reviews() -> None:
    even = [review("a", 6), review("b", 7), review("c", 8), review("d", 10)]
    rows = by_id(rank({1: even, 2: even[:3]}, WEIGHTS, 10))
    assert (rows[1].median, rows[1].weighted_mean) == (Decimal("7.50"), Decimal("7.75"))
    assert (rows[2].median, rows[2].weighted_mean) == (Decimal("7.00"), Decimal("7.00"))
    assert rows[1].spread == Decimal("4.00") and rows[1].reviews == 4


def test_disagreement_is_flagged_above_the_threshold_not_at_it() -> None:
    weights = {"q": 90, "r": 10}
    base = ReviewScores("a", {"q": 5, "r": 5})
    at = ReviewScores("b", {"q": 6, "r": 6})  # 6.0: spread exactly 1
    above = ReviewScores("c", {"q": 6, "r": 7})  # 6.1: spread 1.1
    rows = by_id(rank({1: [base, at], 2: [base, above]}, weights, Decimal("1")))
    assert (rows[1].spread, rows[1].disagreement) == (Decimal("1.00"), False)
    assert (rows[2].spread, rows[2].disagreement) == (Decimal("1.10"), True)


def test_exact_ties_share_a_rank_and_unreviewed_come_last() -> None:
    scores = {
        9: [],
        3: [review("a", 8)],
        4: [review("b", 8)],
        5: [review("a", 2)],
        6: [review("b", 2)],
        1: [],
    }
    rows = rank(scores, WEIGHTS, 10)
    assert [(r.application_id, r.rank, r.reviewed) for r in rows] == [
        (3, 1, True),
        (4, 1, True),
        (5, 3, True),
        (6, 3, True),
        (1, None, False),
        (9, None, False),
    ]
    assert rows[-1].weighted_mean is None and rows[-1].normalised is None


@pytest.mark.parametrize(
    ("weights", "scores"),
    [
        ({"impact": 60, "team": 50}, {"impact": 5, "team": 5}),
        (WEIGHTS, {"impact": 11, "team": 5}),
        (WEIGHTS, {"impact": -1, "team": 5}),
        (WEIGHTS, {"impact": 5}),
        (WEIGHTS, {"impact": 5, "team": 5, "other": 5}),
    ],
)
def test_inconsistent_scores_are_refused(weights: dict, scores: dict) -> None:
    with pytest.raises(ValueError):
        rank({1: [ReviewScores("a", scores)]}, weights, 2)
