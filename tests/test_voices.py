"""Voice groups: every role falls in one, and `other` where the review says."""

from __future__ import annotations

import pytest

from app.review.fields import ReviewSettings
from app.review.rules import ROLES
from app.review.voices import VOICE_GROUP_LABELS, VOICE_GROUPS, review_voice_group, voice_group


def test_children_and_the_family_are_their_own_voices() -> None:
    assert voice_group("child") == "children"
    assert voice_group("parent_carer") == "family"
    assert voice_group("family") == "family"
    agencies = [r for r in ROLES if r not in ("child", "parent_carer", "family", "other")]
    assert len(agencies) == 8
    assert {voice_group(r) for r in agencies} == {"professionals"}
    assert set(VOICE_GROUP_LABELS) == set(VOICE_GROUPS)


@pytest.mark.parametrize("group", VOICE_GROUPS)
def test_other_counts_where_the_facilitator_says(group: str) -> None:
    assert voice_group("other") == "professionals"
    settings = ReviewSettings(other_voice=group).model_dump()  # type: ignore[arg-type]
    assert review_voice_group(settings, "other") == group
    # Only `other` moves: a police officer is a professional whatever the setting.
    assert review_voice_group(settings, "police") == "professionals"
    assert review_voice_group(settings, "child") == "children"


def test_the_small_group_threshold_is_bounded() -> None:
    assert ReviewSettings().small_group == 3
    with pytest.raises(ValueError, match="small_group"):
        ReviewSettings(small_group=0)
    with pytest.raises(ValueError, match="small_group"):
        ReviewSettings(small_group=11)
