"""Venue mode's one route: where phones reach the laptop now (app/venue.py).

Included only by `python -m app venue`; the console polls it and shows a banner when the
address changed (phones need the new QR code), the network vanished, or the Wi-Fi looks open.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from app.api.deps import FacilitatorDep
from app.api.schemas import ERROR_RESPONSES

router = APIRouter(prefix="/api/venue", tags=["venue"], responses=ERROR_RESPONSES)


@router.get("")
async def venue_address(request: Request, _me: FacilitatorDep) -> dict[str, object]:
    """The address phones use now (`url`), the one Lantern started with, whether it
    `changed`, whether the network is `lost`, and `open_network` (true: the Wi-Fi has no
    password; null: Lantern cannot tell). Facilitators only."""
    view: dict[str, object] = request.app.state.venue.view()
    return view
