"""The day plan: start times from durations, the templates, and the plan over the API.

Create from a template, edit, reorder, read back with GET, then export and import: the
plan survives, its questions still pointing at the imported review's own questions.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from app.review import rules
from app.review.agenda import (
    TEMPLATES,
    Day,
    block_times,
    clock_of,
    drift_minutes,
    minutes_of,
    planned_instants,
    zone,
)
from tests import driver
from tests.driver import bearer

# ---- start-time arithmetic --------------------------------------------------------------


def _day(start: str, *minutes: int) -> Day:
    return {
        "starts_at": start,
        "blocks": [
            {"id": n, "title": "x", "phase": None, "prompt_ids": [], "minutes": m, "mode": "cards"}
            for n, m in enumerate(minutes, start=1)
        ],
    }


def test_each_block_starts_when_the_one_before_it_ends() -> None:
    times = block_times(_day("09:30", 30, 45, 15, 60))
    assert [(clock_of(a), clock_of(b)) for a, b in times] == [
        ("09:30", "10:00"),
        ("10:00", "10:45"),
        ("10:45", "11:00"),
        ("11:00", "12:00"),
    ]
    assert block_times(_day("13:05")) == []
    assert minutes_of("09:30") == 570
    assert clock_of(570) == "09:30"
    # A plan that runs past midnight wraps round rather than reading 24:30.
    assert clock_of(minutes_of("23:45") + 45) == "00:30"


def test_how_far_behind_plan_counts_from_the_block_start_and_any_overrun() -> None:
    tz = zone("Europe/London")
    # A block planned 10:00 to 10:30 (local, winter: UTC), started at 10:10.
    started = datetime(2026, 12, 1, 10, 10, tzinfo=UTC)
    begin, end = planned_instants(started, minutes_of("10:00"), minutes_of("10:30"), tz)
    assert (begin.hour, begin.minute, end.hour, end.minute) == (10, 0, 10, 30)
    assert drift_minutes(started, 30, end, now=started) == 10  # 10 minutes behind
    # Still running at 10:55: it will end at 10:55 at the earliest, 25 minutes late.
    assert drift_minutes(started, 30, end, now=datetime(2026, 12, 1, 10, 55, tzinfo=UTC)) == 25
    early = datetime(2026, 12, 1, 9, 55, tzinfo=UTC)
    assert drift_minutes(early, 30, end, now=early) == -5  # 5 minutes ahead
    # In summer London is an hour ahead of UTC: 10:00 local is 09:00 UTC.
    june = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    begin, _end = planned_instants(june, minutes_of("10:00"), minutes_of("10:30"), tz)
    assert (begin.hour, begin.minute) == (9, 0)
    assert drift_minutes(june, 30, _end, now=june) == 0


# ---- the templates ----------------------------------------------------------------------


def test_the_templates_are_appreciative_reviews_of_two_and_three_days_with_sensible_days() -> None:
    assert {name: len(days) for name, days in TEMPLATES.items()} == {
        "two_day": 2,
        "three_day": 3,
    }
    for days in TEMPLATES.values():
        phases = [block[1] for day in days for block in day if block[1]]
        # The 4-D cycle in order: discover, dream, design, deliver.
        assert list(dict.fromkeys(phases)) == list(rules.PHASES)
        modes = {block[4] for day in days for block in day}
        assert {"pairs", "cards", "tables", "consent", "voting", "break", "plenary"} <= modes
        assert days[0][0][0] == "Welcome and ground rules"
        assert "evaluation" in days[-1][-1][0] or "how the review went" in days[-1][-1][0]
        for day in days:
            assert any(block[0] == "Lunch" for block in day)
            total = sum(block[3] for block in day)
            assert 4 * 60 <= total <= 7 * 60  # a working day from 09:30, home by 16:30
            for _title, phase, places, minutes, mode in day:
                assert mode in rules.MODES
                assert 1 <= minutes <= rules.MAX_BLOCK_MINUTES
                for place in places:
                    assert phase is not None
                    assert place < len(rules.DEFAULT_PROMPTS[phase])


def _blocks(agenda: dict[str, Any]) -> list[dict[str, Any]]:
    return [block for day in agenda["days"] for block in day["blocks"]]


def test_a_new_review_starts_from_the_template_its_facilitator_picks(
    client: TestClient, fac_headers: dict[str, str]
) -> None:
    two = driver.new_review(client, fac_headers, template="two_day")
    assert two["days"] == 2
    agenda = two["agenda"]
    assert [d["starts_at"] for d in agenda["days"]] == ["09:30", "09:30"]
    first = agenda["days"][0]["blocks"]
    assert (first[0]["title"], first[0]["starts_at"], first[0]["ends_at"]) == (
        "Welcome and ground rules",
        "09:30",
        "10:00",
    )
    assert first[1]["starts_at"] == "10:00"  # worked out from the welcome's 30 minutes
    interviews = next(b for b in first if b["mode"] == "pairs")
    story = next(p for p in two["prompts"] if p["phase"] == "discover" and p["position"] == 0)
    assert interviews["prompt_ids"] == [story["id"]]
    three = driver.new_review(client, fac_headers)  # 3 days by default: the 3-day plan
    assert len(three["agenda"]["days"]) == 3
    assert all(d["blocks"] for d in three["agenda"]["days"])
    empty = driver.new_review(client, fac_headers, template="empty", days=2)
    assert [d["blocks"] for d in empty["agenda"]["days"]] == [[], []]
    # Nothing is running yet; the room is told what comes first.
    assert empty["block"] is None
    assert empty["next_block"] is None
    assert three["block"] is None
    assert three["next_block"]["title"] == "Welcome and ground rules"
    bad = driver.create_review(client, fac_headers, template="four_day")
    assert bad.status_code == 422
    assert driver.create_review(client, fac_headers, timezone="Mars/Olympus").status_code == 422


def test_the_agenda_round_trips_create_edit_reorder_read_export_and_import(
    client: TestClient, fac_headers: dict[str, str]
) -> None:
    review = driver.new_review(
        client, fac_headers, template="empty", days=2, starts_on="2026-12-01"
    )
    code = review["code"]
    dream = [p["id"] for p in review["prompts"] if p["phase"] == "dream"]

    def send(frame: dict[str, Any]) -> None:
        driver.send(client, code, fac_headers, frame)

    send({"type": "add_block", "day": 1, "title": "Welcome", "minutes": 30, "mode": "plenary"})
    send(
        {
            "type": "add_block",
            "day": 1,
            "title": "Dream",
            "phase": "dream",
            "prompt_ids": [dream[1]],
            "minutes": 45,
            "mode": "cards",
        }
    )
    send({"type": "add_block", "day": 1, "title": "Coffee", "minutes": 15, "mode": "break"})
    send({"type": "add_block", "day": 2, "title": "Close", "minutes": 20, "mode": "plenary"})
    send({"type": "set_day_start", "day": 2, "starts_at": "10:00"})
    agenda = client.get(f"/api/reviews/{review['id']}", headers=fac_headers).json()["agenda"]
    ids = {b["title"]: b["id"] for b in _blocks(agenda)}
    # Edit: a new question written into the block, and a longer time.
    send(
        {
            "type": "edit_block",
            "block_id": ids["Dream"],
            "minutes": 60,
            "question": "What would a good day at school look like for Child A?",
        }
    )
    # Reorder: the break up before the dream; the close up from day 2 to the end of day 1,
    # and down again.
    send({"type": "move_block", "block_id": ids["Coffee"], "direction": "up"})
    send({"type": "move_block", "block_id": ids["Close"], "direction": "up"})
    send({"type": "move_block", "block_id": ids["Close"], "direction": "down"})
    gone = driver.refused(
        client,
        code,
        fac_headers,
        {"type": "move_block", "block_id": ids["Welcome"], "direction": "up"},
        "conflict",
    )
    assert "first" in gone["message"]

    state = client.get(f"/api/reviews/{review['id']}", headers=fac_headers).json()
    agenda = state["agenda"]
    day1, day2 = agenda["days"]
    assert day1["date"] == "2026-12-01"
    assert day2["date"] == "2026-12-02"
    assert [(b["title"], b["starts_at"], b["ends_at"]) for b in day1["blocks"]] == [
        ("Welcome", "09:30", "10:00"),
        ("Coffee", "10:00", "10:15"),
        ("Dream", "10:15", "11:15"),
    ]
    assert (day1["ends_at"], day2["starts_at"]) == ("11:15", "10:00")
    assert [(b["title"], b["starts_at"]) for b in day2["blocks"]] == [("Close", "10:00")]
    written = next(p for p in state["prompts"] if p["text"].startswith("What would a good day"))
    assert written["phase"] == "dream"
    dream_block = day1["blocks"][2]
    assert dream_block["prompt_ids"] == [dream[1], written["id"]]

    # Export, then import: the same plan, its questions the new review's own.
    exported = client.get(
        f"/api/reviews/{review['id']}/export?format=json&edition=full", headers=fac_headers
    )
    assert exported.status_code == 200
    made = client.post("/api/reviews/import", content=exported.content, headers=fac_headers)
    assert made.status_code == 201, made.text
    copy = client.get(f"/api/reviews/{made.json()['id']}", headers=fac_headers).json()
    assert copy["agenda"]["timezone"] == agenda["timezone"]
    plain = [
        [(b["title"], b["phase"], b["mode"], b["minutes"], b["starts_at"]) for b in d["blocks"]]
        for d in copy["agenda"]["days"]
    ]
    assert plain == [
        [(b["title"], b["phase"], b["mode"], b["minutes"], b["starts_at"]) for b in d["blocks"]]
        for d in agenda["days"]
    ]
    texts = {p["id"]: p["text"] for p in copy["prompts"]}
    copied = copy["agenda"]["days"][0]["blocks"][2]["prompt_ids"]
    assert [texts[p] for p in copied] == [
        next(p["text"] for p in state["prompts"] if p["id"] == dream[1]),
        written["text"],
    ]
    assert copy["agenda"]["days"][1]["starts_at"] == "10:00"


def test_only_a_facilitator_edits_the_plan_and_its_words_are_checked(
    client: TestClient, fac_headers: dict[str, str]
) -> None:
    review = driver.live_review(client, fac_headers)
    phone = driver.join_as(client, review["code"])
    frame = {"type": "add_block", "day": 1, "title": "Mine", "minutes": 5, "mode": "cards"}
    driver.refused(client, review["code"], phone, frame, "forbidden")
    driver.refused(client, review["code"], phone, {"type": "next_block"}, "forbidden")
    # A question in a block with no phase, a day the review does not have, a bad time.
    driver.refused(client, review["code"], fac_headers, {**frame, "question": "Why?"}, "invalid")
    driver.refused(client, review["code"], fac_headers, {**frame, "day": 4}, "not_found")
    driver.refused(
        client,
        review["code"],
        fac_headers,
        {"type": "set_day_start", "day": 1, "starts_at": "25:00"},
        "invalid",
    )
    # A title that seems to name someone is refused, saying why.
    refused = driver.refused(
        client, review["code"], fac_headers, {**frame, "title": "Call 07700 900123"}, "invalid"
    )
    assert "block title" in refused["message"]
    assert bearer  # the phone's headers came from the same helper


# ---- a facilitator's own templates ------------------------------------------------------


def test_a_review_saved_as_a_template_starts_a_new_one_with_its_settings_questions_and_plan(
    client: TestClient, fac_headers: dict[str, str], db: Any
) -> None:
    from tests.conftest import make_facilitator
    from tests.support import PASSWORD

    review = driver.new_review(
        client,
        fac_headers,
        template="empty",
        days=2,
        settings={"vote_budget": 5, "moderation": "post"},
    )
    code = review["code"]
    driver.send(
        client,
        code,
        fac_headers,
        {"type": "add_prompt", "phase": "dream", "text": "What would the family see first?"},
    )
    driver.send(
        client,
        code,
        fac_headers,
        {
            "type": "add_block",
            "day": 2,
            "title": "Dreaming with the family",
            "phase": "dream",
            "prompt_ids": [],
            "question": "What would a good week look like?",
            "minutes": 40,
            "mode": "tables",
        },
    )
    driver.send(
        client, code, fac_headers, {"type": "set_day_start", "day": 2, "starts_at": "10:15"}
    )
    saved = client.post(
        f"/api/reviews/{review['id']}/template", json={"name": "Our two days"}, headers=fac_headers
    )
    assert saved.status_code == 201, saved.text
    assert saved.json()["blocks"] == 1
    listed = client.get("/api/templates", headers=fac_headers).json()
    assert [(t["name"], t["days"]) for t in listed] == [("Our two days", 2)]

    made = driver.new_review(
        client, fac_headers, title="Next review", case_ref="Child B", template_id=listed[0]["id"]
    )
    assert made["days"] == 2
    assert (made["settings"]["vote_budget"], made["settings"]["moderation"]) == (5, "post")
    texts = {p["text"] for p in made["prompts"]}
    assert {"What would the family see first?", "What would a good week look like?"} <= texts
    (block,) = made["agenda"]["days"][1]["blocks"]
    assert (block["title"], block["starts_at"], block["mode"]) == (
        "Dreaming with the family",
        "10:15",
        "tables",
    )
    own = {p["id"]: p["text"] for p in made["prompts"]}
    assert [own[p] for p in block["prompt_ids"]] == ["What would a good week look like?"]
    # Nothing of the case travels: not its title, case reference or outcome.
    assert (made["title"], made["case_ref"], made["outcome"]) == ("Next review", "Child B", "")

    # Another facilitator neither sees nor uses it; its owner can delete it.
    make_facilitator(db, "second@example.org")
    other = bearer(driver.token(client, "second@example.org", PASSWORD))
    assert client.get("/api/templates", headers=other).json() == []
    stolen = driver.create_review(client, other, template_id=listed[0]["id"])
    assert stolen.status_code == 404
    assert client.delete(f"/api/templates/{listed[0]['id']}", headers=other).status_code == 404
    assert (
        client.delete(f"/api/templates/{listed[0]['id']}", headers=fac_headers).status_code == 204
    )
    assert client.get("/api/templates", headers=fac_headers).json() == []


def test_the_openapi_schema_describes_the_agenda(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    answer = schema["paths"]["/api/reviews/{review_id}"]["get"]["responses"]["200"]
    ref = answer["content"]["application/json"]["schema"]["$ref"]
    components = schema["components"]["schemas"]
    state = components[ref.rsplit("/", 1)[-1]]
    assert state["properties"]["agenda"]["$ref"].endswith("/AgendaOut")
    block = components["AgendaBlockOut"]["properties"]
    assert {"title", "phase", "mode", "minutes", "starts_at", "prompt_ids"} <= set(block)
    names = set(components)
    assert {"AddBlock", "EditBlock", "MoveBlock", "NextBlock", "GoToBlock"} <= names
