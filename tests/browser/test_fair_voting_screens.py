"""Fair voting in Chromium: the console chooses how a round counts, warns before a
side-by-side reveal shows a small group's own choices, and the projector shows each voice's
column, the leaders only."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PROJECTOR, Contexts, assert_accessible
from tests.browser.test_changes_noticed import open_console, shot
from tests.support import Api

pytestmark = [pytest.mark.browser, pytest.mark.live]

STORIES = [
    "The nurse rang back the same day.",
    "Police and social care visited together.",
    "One shared plan for every agency.",
    "A quiet place at lunchtime.",
    "The social worker came back as promised.",
]


def test_a_side_by_side_round_from_the_console_to_the_projector(
    contexts: Contexts, live_api: Api, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    code = review["code"]
    prompt = next(p["id"] for p in review["prompts"] if p["phase"] == "discover")
    for n, text in enumerate(STORIES):
        live_api.send(
            token, code, {"type": "contribute", "cid": f"s{n}", "prompt_id": prompt, "text": text}
        )
    roles = ["parent_carer", "family", "social_care", "police", "health"]
    people = [live_api.join(code, role)["token"] for role in roles]
    console = open_console(contexts, review)
    projector = contexts.page(PROJECTOR)
    projector.goto(review["screen_url"])

    # Each counting is offered with one plain sentence on what it means.
    choices = console.locator("#vote-counting")
    expect(choices).to_contain_text("Everyone's dots add up together")
    expect(choices).to_contain_text("get an equal share, however many people")
    expect(choices).to_contain_text("what the family chose beside what professionals chose")
    console.get_by_role("radio", name="Each voice side by side").check(force=True)
    console.get_by_label("Results shown").fill("2")
    assert_accessible(console, "console choosing how to count")
    shot(console, artifacts, "fair-console-open-voting", LAPTOP)
    console.get_by_role("button", name="Open voting").click()
    expect(console.locator("#round-status")).to_contain_text("Counting: Each voice side by side")

    cards = _card_ids(live_api, token, review["id"])
    # The family: 5 dots on the first story, 1 on the second. The professionals: 5, 3, 1.
    votes = {0: [0, 0, 1], 1: [0, 0, 0], 2: [2, 2, 3], 3: [2, 3, 4], 4: [2, 2, 3]}
    for who, targets in votes.items():
        for n, target in enumerate(targets):
            live_api.send(
                people[who],
                code,
                {"type": "vote", "cid": f"v{who}-{n}", "target_id": cards[target]},
            )
    # Before the reveal: the family's column would show two people's own choices.
    few = console.locator("#round-few")
    expect(few).to_contain_text("Family: only 2 people voted")
    console.get_by_role("button", name="Reveal results").click()
    confirm = console.locator("#round-confirm")
    expect(confirm).to_contain_text("Some columns show the choices of very few people")
    assert_accessible(console, "console warning before a side-by-side reveal")
    console.get_by_role("button", name="Not yet").click()
    expect(projector.locator("#results")).to_be_hidden()
    console.get_by_role("button", name="Reveal results").click()
    console.get_by_role("button", name="Yes, reveal now").click()

    results = projector.locator("#results")
    expect(results).to_contain_text("What the family chose")
    expect(results).to_contain_text("What professionals chose")
    # Two results a column, as chosen; the professionals' third card and the card nobody
    # chose stay off the projector.
    expect(projector.locator("#results svg.bar-chart rect")).to_have_count(2 + 2)
    expect(results).not_to_contain_text(STORIES[4][:20])
    expect(results).to_contain_text("and 1 more with votes")
    assert_accessible(projector, "projector results side by side")
    shot(projector, artifacts, "fair-projector-side-by-side", PROJECTOR)


def _card_ids(api: Api, token: str, review_id: int) -> list[int]:
    with api.http as http:
        answer = http.get(f"/api/reviews/{review_id}", headers={"Authorization": f"Bearer {token}"})
    answer.raise_for_status()
    return [c["id"] for c in answer.json()["cards"]]
