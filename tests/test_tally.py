"""Counting a voting round: by people, each voice equally, or each voice side by side."""

from __future__ import annotations

from fractions import Fraction

from app.review.tally import Ballot, count_round, percent_text, results_view, top_entries

# Two parents and eighteen professionals, three dots each (the worked example in
# docs/protocol.md): the parents put 4 dots on card 1 and 2 on card 2; the professionals
# 36 on card 2 and 18 on card 3.
FAMILY_CARD, SHARED_CARD, PROFESSIONAL_CARD = 1, 2, 3


def _room() -> list[Ballot]:
    ballots: list[Ballot] = [
        ("family", 1, FAMILY_CARD, 3),
        ("family", 2, FAMILY_CARD, 1),
        ("family", 2, SHARED_CARD, 2),
    ]
    for person in range(100, 118):
        if person < 112:
            ballots.append(("professionals", person, SHARED_CARD, 3))
        else:
            ballots.append(("professionals", person, PROFESSIONAL_CARD, 3))
    return ballots


def _two_sides() -> list[Ballot]:
    """Two parents all on one card, eighteen professionals all on another."""
    ballots: list[Ballot] = [("family", p, FAMILY_CARD, 3) for p in (1, 2)]
    ballots += [("professionals", p, PROFESSIONAL_CARD, 3) for p in range(100, 118)]
    return ballots


def test_by_people_the_professionals_favourite_wins() -> None:
    count = count_round("people", _two_sides())
    assert [(e.target_id, e.votes) for e in count.overall] == [
        (PROFESSIONAL_CARD, 54),
        (FAMILY_CARD, 6),
    ]


def test_each_voice_equally_gives_the_family_the_weight_of_the_professionals() -> None:
    count = count_round("equal_voices", _two_sides())
    shares = {e.target_id: e.score for e in count.overall}
    assert shares == {FAMILY_CARD: Fraction(1, 2), PROFESSIONAL_CARD: Fraction(1, 2)}
    # The dots themselves are kept as cast.
    assert {e.target_id: e.votes for e in count.overall} == {FAMILY_CARD: 6, PROFESSIONAL_CARD: 54}


def test_the_worked_example_of_the_protocol() -> None:
    count = count_round("equal_voices", _room())
    view = results_view(count)
    assert [(e["target_id"], e["share"]) for e in view["overall"]] == [
        (SHARED_CARD, 50.0),
        (FAMILY_CARD, 33.3),
        (PROFESSIONAL_CARD, 16.7),
    ]
    assert [percent_text(e.score) for e in count.overall] == ["50%", "33.3%", "16.7%"]
    assert sum(e.score for e in count.overall) == 1


def test_a_group_that_did_not_vote_does_not_dilute() -> None:
    # Children present but not voting (or voting with no dots left) change nothing.
    with_silent = [*_two_sides(), ("children", 500, FAMILY_CARD, 0)]
    count = count_round("equal_voices", with_silent)
    assert {e.target_id: e.score for e in count.overall} == {
        FAMILY_CARD: Fraction(1, 2),
        PROFESSIONAL_CARD: Fraction(1, 2),
    }
    assert [g.group for g in count.groups] == ["family", "professionals"]
    # With a child who did vote, each of three groups carries a third.
    child = count_round("equal_voices", [*_two_sides(), ("children", 500, 9, 1)])
    assert {e.target_id: e.score for e in child.overall}[9] == Fraction(1, 3)


def test_ties_are_exact_and_never_broken_out_of_sight() -> None:
    # Shares of 1/3 and 1/3 built from different dots still tie exactly.
    ballots: list[Ballot] = [
        ("family", 1, 10, 1),
        ("family", 1, 11, 2),
        ("professionals", 2, 10, 3),
        ("professionals", 3, 12, 3),
    ]
    count = count_round("equal_voices", ballots)
    ranked = [(e.target_id, e.score) for e in count.overall]
    assert ranked == [(10, Fraction(5, 12)), (11, Fraction(1, 3)), (12, Fraction(1, 4))]
    tied = count_round("people", [("family", 1, 7, 2), ("family", 2, 8, 2), ("family", 3, 9, 1)])
    # The earliest target first among equals; "top 1" keeps both that share first place.
    assert [e.target_id for e in tied.overall] == [7, 8, 9]
    assert [e.target_id for e in top_entries(tied.overall, 1)] == [7, 8]
    assert [e.target_id for e in top_entries(tied.overall, 2)] == [7, 8]
    assert [e.target_id for e in top_entries(tied.overall, 3)] == [7, 8, 9]


def test_side_by_side_gives_each_voice_its_own_tally() -> None:
    count = count_round("side_by_side", _room())
    view = results_view(count, small_group=3)
    groups = {g["group"]: g for g in view["groups"]}
    assert list(groups) == ["family", "professionals"]
    assert groups["family"]["voters"] == 2
    assert groups["family"]["few"] is True
    assert groups["professionals"]["few"] is False
    assert groups["family"]["tallies"] == [
        {"target_id": FAMILY_CARD, "votes": 4},
        {"target_id": SHARED_CARD, "votes": 2},
    ]
    assert groups["professionals"]["tallies"] == [
        {"target_id": SHARED_CARD, "votes": 36},
        {"target_id": PROFESSIONAL_CARD, "votes": 18},
    ]


def test_the_room_sees_the_leaders_and_never_a_target_without_a_dot() -> None:
    ballots: list[Ballot] = [("family", 1, t, t) for t in range(1, 9)]
    ballots.append(("family", 2, 99, 0))  # a dot placed and taken back
    view = results_view(count_round("people", ballots), top=5)
    assert [e["target_id"] for e in view["overall"]] == [8, 7, 6, 5, 4]
    assert view["more"] == 3
    assert all(e["votes"] > 0 for e in view["overall"])
    full = results_view(count_round("people", ballots))
    assert 99 not in [e["target_id"] for e in full["overall"]]
