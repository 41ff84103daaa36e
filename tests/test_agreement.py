"""Agreement in the room: the outcome checked, propositions agreed, the day's opening."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.review.consent import count_answers, results_view
from tests.driver import Headers, join_as, live_review, refused, room, send

REASON = "It leaves out the school nurse, who saw her every week"


def _room_with_theme(client: TestClient, fac: Headers) -> tuple[dict[str, Any], int]:
    review = live_review(client, fac, moderation="post")
    code = review["code"]
    send(client, code, fac, {"type": "add_theme", "name": "Listening to the child"})
    theme = room(client, code, fac)["state"]["themes"][-1]["id"]
    return review, int(theme)


def _proposition(client: TestClient, code: str, fac: Headers, theme: int) -> int:
    send(
        client,
        code,
        fac,
        {
            "type": "add_proposition",
            "text": "Children remain safe when someone asks them what they think",
            "theme_ids": [theme],
        },
    )
    return int(room(client, code, fac)["state"]["propositions"][-1]["id"])


def test_a_proposition_without_a_discover_theme_is_refused_in_plain_words(
    client: TestClient, fac_headers: Headers
) -> None:
    review, theme = _room_with_theme(client, fac_headers)
    code = review["code"]
    frame = {"type": "add_proposition", "text": "Children remain safe when we listen"}
    refused_ = refused(client, code, fac_headers, frame, "invalid")
    assert "at least one discover theme" in refused_["message"]
    # A dream theme is not what worked: refused too.
    send(client, code, fac_headers, {"type": "add_theme", "name": "More time", "phase": "dream"})
    dream = room(client, code, fac_headers)["state"]["themes"][-1]["id"]
    refused(client, code, fac_headers, {**frame, "theme_ids": [dream]}, "invalid")
    assert room(client, code, fac_headers)["state"]["propositions"] == []
    # With a discover theme it is a draft the room sees, linked to its theme.
    send(client, code, fac_headers, {**frame, "theme_ids": [theme]})
    phone = join_as(client, code, "parent_carer")
    [seen] = room(client, code, phone)["state"]["propositions"]
    assert seen["text"] == "Children remain safe when we listen"
    assert (seen["status"], seen["theme_ids"]) == ("draft", [theme])
    # Taking every theme away is refused as well.
    edit = {"type": "edit_proposition", "proposition_id": seen["id"], "theme_ids": []}
    refused(client, code, fac_headers, edit, "invalid")
    # Only a facilitator drafts one.
    refused(client, code, phone, {**frame, "theme_ids": [theme]}, "forbidden")


def test_a_tables_shared_card_can_be_promoted_to_a_proposition(
    client: TestClient, fac_headers: Headers
) -> None:
    review, theme = _room_with_theme(client, fac_headers)
    code = review["code"]
    send(client, code, fac_headers, {"type": "set_phase", "phase": "design"})
    prompt = next(p["id"] for p in review["prompts"] if p["phase"] == "design")
    phone = join_as(client, code, "health")
    send(client, code, fac_headers, {"type": "move_to_table", "participant_id": 1, "table": "A"})
    shared = "Children remain safe when the nurse and the school talk each week"
    send(
        client,
        code,
        phone,
        {"type": "contribute", "prompt_id": prompt, "text": shared, "for_table": True},
    )
    card = room(client, code, fac_headers)["state"]["cards"][-1]
    frame = {"type": "add_proposition", "card_id": card["id"], "theme_ids": [theme]}
    send(client, code, fac_headers, frame)
    [proposition] = room(client, code, phone)["state"]["propositions"]
    assert proposition["text"] == shared
    assert proposition["card_id"] == card["id"]


def test_one_answer_a_phone_and_changing_it_replaces_it(
    client: TestClient, fac_headers: Headers
) -> None:
    review, theme = _room_with_theme(client, fac_headers)
    code = review["code"]
    proposition = _proposition(client, code, fac_headers, theme)
    phone = join_as(client, code, "health")
    send(
        client,
        code,
        fac_headers,
        {"type": "open_consent", "subject": "proposition", "proposition_id": proposition},
    )
    round_id = room(client, code, fac_headers)["state"]["consent_rounds"][-1]["id"]
    answer = {"type": "answer_consent", "round_id": round_id}
    send(client, code, phone, {**answer, "value": 5, "reason": REASON})
    send(client, code, phone, {**answer, "value": 5, "reason": REASON})
    send(client, code, phone, {**answer, "value": 2})
    results = room(client, code, fac_headers)["state"]["consent_rounds"][-1]["results"]
    assert results["answered"] == 1
    assert results["counts"] == [0, 1, 0, 0, 0]
    # The reason went with the answer it was given for.
    assert results["reasons"] == []
    assert room(client, code, phone)["you"]["consent"] == {
        str(round_id): {"value": 2, "reason": ""}
    }
    # Closed: no more answers, and the room accepted it.
    send(client, code, fac_headers, {"type": "close_consent"})
    refused(client, code, phone, {**answer, "value": 1}, "conflict")
    [agreed] = room(client, code, phone)["state"]["propositions"]
    assert agreed["status"] == "agreed"


def test_cant_live_with_this_is_not_agreed_and_its_reason_stays_with_the_facilitator(
    client: TestClient, fac_headers: Headers
) -> None:
    review, theme = _room_with_theme(client, fac_headers)
    code = review["code"]
    proposition = _proposition(client, code, fac_headers, theme)
    phones = [
        join_as(client, code, role) for role in ("health", "health", "police", "parent_carer")
    ]
    send(
        client,
        code,
        fac_headers,
        {"type": "open_consent", "subject": "proposition", "proposition_id": proposition},
    )
    round_id = room(client, code, fac_headers)["state"]["consent_rounds"][-1]["id"]
    for phone, value in zip(phones, (1, 2, 1, 5), strict=True):
        reason = REASON if value == 5 else ""
        send(
            client,
            code,
            phone,
            {"type": "answer_consent", "round_id": round_id, "value": value, "reason": reason},
        )
    send(client, code, fac_headers, {"type": "show_consent", "round_id": round_id, "on": True})
    send(client, code, fac_headers, {"type": "close_consent"})
    fac_view = room(client, code, fac_headers)
    assert fac_view["state"]["propositions"][0]["status"] == "not_agreed"
    [reason] = fac_view["state"]["consent_rounds"][-1]["results"]["reasons"]
    assert (reason["reason"], reason["value"], reason["group"]) == (REASON, 5, "family")
    for phone in phones[:3]:
        assert REASON not in str(room(client, code, phone))
    # Rewording puts it again as a draft.
    send(
        client,
        code,
        fac_headers,
        {
            "type": "edit_proposition",
            "proposition_id": proposition,
            "text": "Children remain safe when the nurse is asked too",
        },
    )
    assert room(client, code, fac_headers)["state"]["propositions"][0]["status"] == "draft"


def test_results_by_voice_group_in_public_keep_the_small_group_rule() -> None:
    settings: dict[str, Any] = {}
    answers = [
        (1, "health", 1, ""),
        (2, "police", 1, ""),
        (3, "social_care", 2, ""),
        (4, "parent_carer", 5, REASON),
    ]
    counted = count_answers("agree", answers, settings)
    full = results_view(counted, public=False)
    assert [g["group"] for g in full["groups"]] == ["family", "professionals"]
    public = results_view(counted, public=True, small_group=3)
    # One parent's answer is never shown on its own, nor can it be worked out: no split.
    assert public["groups"] == []
    assert public["withheld"] is True
    assert public["counts"] == [2, 1, 0, 0, 1]
    assert "reasons" not in public
    assert REASON not in str(public)
    # Two family voices and a child: pooled as other voices, three together.
    more = [*answers, (5, "family", 1, ""), (6, "child", 1, "")]
    pooled = results_view(count_answers("agree", more, settings), public=True, small_group=3)
    assert [(g["group"], g["answered"]) for g in pooled["groups"]] == [
        ("professionals", 3),
        ("others", 3),
    ]
    # Under three answers in all, only how many answered.
    two = results_view(count_answers("agree", answers[:2], settings), public=True)
    assert (two["answered"], two["counts"], two["groups"]) == (2, None, [])


def test_the_outcome_check_and_the_days_opening(client: TestClient, fac_headers: Headers) -> None:
    review, theme = _room_with_theme(client, fac_headers)
    code = review["code"]
    refused(client, code, fac_headers, {"type": "open_consent", "subject": "outcome"}, "invalid")
    outcome = "Every child at risk of harm is seen and heard by someone they trust"
    send(client, code, fac_headers, {"type": "update_review", "outcome": outcome})
    phone = join_as(client, code, "health")
    assert room(client, code, phone)["state"]["review"]["outcome"] == outcome
    send(client, code, fac_headers, {"type": "open_consent", "subject": "outcome"})
    round_ = room(client, code, phone)["state"]["consent_rounds"][-1]
    assert (round_["scale"], round_["wording"], round_["results"]) == ("check", outcome, None)
    answer = {"type": "answer_consent", "round_id": round_["id"]}
    refused(client, code, phone, {**answer, "value": 4}, "invalid")
    send(client, code, phone, {**answer, "value": 2, "reason": "What does seen mean?"})
    send(client, code, fac_headers, {"type": "close_consent"})
    _proposition(client, code, fac_headers, theme)
    send(client, code, fac_headers, {"type": "show_opening", "on": True})
    opening = room(client, code, phone)["state"]["opening"]
    assert opening["outcome"] == outcome
    assert [p["text"] for p in opening["propositions"]] == [
        "Children remain safe when someone asks them what they think"
    ]
    assert "What does seen mean?" not in str(opening)
    send(client, code, fac_headers, {"type": "show_opening", "on": False})
    assert room(client, code, phone)["state"]["opening"] is None
