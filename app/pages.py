"""The HTML pages of the contract, rendered with Jinja2 (autoescaped)."""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import segno
from anyio import to_thread
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from app import i18n
from app.api.deps import MAX_TOKEN, SESSION_COOKIE, RowId, get_runtime
from app.api.errors import ApiError
from app.api.throttle import code_attempt
from app.easy_read import (
    READ_COOKIE,
    READ_COOKIE_SECONDS,
    READ_MODES,
    icon,
    icon_templates,
    read_mode,
    say,
    script_easy,
)
from app.models import VotingRound
from app.review import results, rules
from app.review.appreciation_notes import AGENCIES
from app.review.balance import MEASURES, chart_measures, chart_summary, voices_view
from app.review.errors import CommandError
from app.review.evaluation import (
    ACTION_STATE_LABELS,
    ACTION_STATES,
    evaluation_panels,
    evaluation_rows,
)
from app.review.fields import DEFAULT_SETTINGS
from app.review.ground_rules import RULES, default_rules, words
from app.review.pulse_results import EVERYONE, MOMENTS, chart_panels, min_answers, pulses_view
from app.review.pulse_results import chart_summary as pulse_summary
from app.review.rooms import NO_SUCH_CODE, find_review, normalise_code, room_identity
from app.review.rules import ROLE_LABELS
from app.review.tally import CHOSE_LABELS
from app.review.voices import VOICE_GROUP_LABELS, VOICE_GROUPS
from app.security import facilitator_for_token

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
TEMPLATES.env.add_extension("jinja2.ext.i18n")
# Jinja fills %(name)s placeholders itself (newstyle), escaping what it fills in.
TEMPLATES.env.install_gettext_callables(  # type: ignore[attr-defined]
    i18n.gettext, i18n.ngettext, newstyle=True
)
router = APIRouter(include_in_schema=False)

# Pages answer HEAD as they answer GET, without the body (uvicorn drops it for HEAD).
PAGE_METHODS = ["GET", "HEAD"]
STATIC_DIR = Path(__file__).parent / "static"


def _render(
    request: Request,
    name: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(
        request,
        name,
        {
            "role_labels": {role: i18n.gettext(label) for role, label in ROLE_LABELS.items()},
            "voice_labels": {
                group: i18n.gettext(label) for group, label in VOICE_GROUP_LABELS.items()
            },
            "phases": rules.PHASES,
            "phase_labels": {
                phase: i18n.gettext(label) for phase, label in rules.PHASE_LABELS.items()
            },
            "max_card": rules.MAX_CARD_TEXT,
            "max_name": rules.MAX_NAME,
            "html_lang": i18n.html_lang(),
            "other_language": _other_language(request),
            "script_messages": i18n.script_catalog(scripts=_page_scripts(name)),
            **context,
        },
        status_code=status_code,
        headers=headers,
    )


_MODULE_SCRIPT = re.compile(r'<script type="module" src="/static/([^"]+\.js)"')


@lru_cache(maxsize=32)
def _page_scripts(name: str) -> frozenset[str]:
    """The scripts a page's template runs, and all they import (their words are the ones
    the page carries to its browser)."""
    template = Path(__file__).parent / "templates" / name
    entries = _MODULE_SCRIPT.findall(template.read_text(encoding="utf-8"))
    return i18n.page_scripts(*entries)


def _other_language(request: Request) -> dict[str, str] | None:
    """The link that switches the page to Lantern's other language (Welsh, or back to
    English), named in that language; the choice is then remembered (`?lang=`)."""
    current = i18n.language()
    other = i18n.SOURCE if current != i18n.SOURCE else "cy"
    if other not in i18n.languages() or other == current:
        return None
    url = request.url.include_query_params(lang=other)
    # A language is named in its own words, whatever the page's language.
    label = {"cy": "Cymraeg", "en": "English"}[other]
    return {"href": f"{url.path}?{url.query}", "lang": i18n.html_lang(other), "label": label}


def _base_url(request: Request) -> str:
    """Where people reach Lantern: the configured public URL, else this request's."""
    public = get_runtime(request).settings.public_url
    return (public or str(request.base_url)).rstrip("/")


def grouped_code(code: str) -> str:
    """ABCDEFGH as 'ABCD EFGH': easier to read off a wall and type."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def qr_svg(url: str) -> str:
    """The join address as an inline SVG QR code (no script, no external image)."""
    qr = segno.make(url, error="m")
    svg: str = qr.svg_inline(scale=1, border=2, omitsize=True)
    # segno writes a viewBox when the size is omitted; the stylesheet sizes it.
    label = escape(i18n._("QR code for the join address"))
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


@router.api_route("/favicon.ico", methods=PAGE_METHODS)
async def favicon() -> FileResponse:
    """The lantern icon, where browsers look for it unasked."""
    return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")


@router.api_route("/", methods=PAGE_METHODS, response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    """Join by code, or sign in to facilitate."""
    return _render(request, "home.html")


@router.api_route("/j", methods=PAGE_METHODS, response_class=HTMLResponse, response_model=None)
async def join_by_code(request: Request, code: str = "") -> Response:
    """A box for the join code; the home page's join form lands here and goes on to the room."""
    if not code.strip():
        return _remember_read(request, _render(request, "join.html", **_reading(request)))
    clean = normalise_code(code)
    if not clean:
        return _remember_read(
            request,
            _render(
                request,
                "join.html",
                status_code=400,
                problem="unknown",
                typed=_typed(code),
                **_reading(request),
            ),
        )
    return RedirectResponse(f"/j/{clean}", status_code=303)


@router.api_route("/j/{code}", methods=PAGE_METHODS, response_class=HTMLResponse)
async def phone(request: Request, code: str) -> HTMLResponse:
    """A participant's phone; an unknown code first, with a box to type it again."""
    clean = normalise_code(code)[:32]
    problem = await _code_problem(request, clean)
    if problem is not None:
        status, reason = problem
        return _render(
            request,
            "join.html",
            status_code=status,
            headers={"Retry-After": "60"} if status == 429 else None,
            problem=reason,
            typed=_typed(code),
            **_reading(request),
        )
    # The promise before the review's own setting is read: the default threshold.
    small_group = DEFAULT_SETTINGS["small_group"]
    return _remember_read(
        request,
        _render(
            request,
            "phone.html",
            code=clean,
            small_group=small_group,
            ground_rules=_phone_rules(),
            agencies=AGENCIES,
            **_reading(request),
        ),
    )


def _reading(request: Request) -> dict[str, Any]:
    """How this phone reads (standard or Easy Read) and what an Easy Read page needs."""
    mode = read_mode(request.query_params.get("read"), request.cookies.get(READ_COOKIE))
    easy = mode == "easy"
    return {
        "read": mode,
        "easy": easy,
        "say": say,
        "icon": icon,
        "easy_script": script_easy() if easy else None,
        "easy_icons": icon_templates() if easy else "",
    }


def _remember_read(request: Request, response: HTMLResponse) -> HTMLResponse:
    """A `?read=` choice is remembered on this phone, as its language is."""
    asked = request.query_params.get("read")
    if asked in READ_MODES and asked != request.cookies.get(READ_COOKIE):
        response.set_cookie(
            READ_COOKIE, asked, max_age=READ_COOKIE_SECONDS, path="/", samesite="lax"
        )
    return response


def _phone_rules() -> list[dict[str, Any]]:
    """Every ground rule for the phone's page, those that hold by default shown; the phone
    shows the ones its review holds once it has asked (`ground_rules` in /public)."""
    shown = {rule.key for rule in default_rules()}
    small_group = int(DEFAULT_SETTINGS["small_group"])  # type: ignore[call-overload]
    return [
        {"key": r.key, "text": words(r, small_group), "strong": r.strong, "shown": r.key in shown}
        for r in RULES
    ]


def _typed(raw: str) -> str:
    """What someone typed as a code, as the code box shows it back: letters and numbers only."""
    return "".join(ch for ch in raw.upper() if ch.isascii() and ch.isalnum())[:16]


async def _code_problem(request: Request, clean: str) -> tuple[int, str] | None:
    """None when a review has this code; else the page's status and what went wrong.

    Counted like a wrong code at the API (a page must not be a way round the throttle).
    """
    runtime = get_runtime(request)

    def _known() -> bool:
        with runtime.db.read() as session:
            return find_review(session, clean) is not None

    try:
        async with code_attempt(request):
            if not clean or not await to_thread.run_sync(_known):
                raise ApiError(404, "not_found", NO_SUCH_CODE)
    except ApiError as exc:
        return (429, "busy") if exc.status == 429 else (404, "unknown")
    return None


@router.api_route("/screen/{code}", methods=PAGE_METHODS, response_class=HTMLResponse)
async def screen(request: Request, code: str) -> HTMLResponse:
    """The projector."""
    clean = normalise_code(code)[:32]
    base = _base_url(request)
    join_url = f"{base}/j/{clean}"
    parts = urlsplit(base)
    short = (parts.netloc + parts.path).rstrip("/") + "/j"
    return _render(
        request,
        "screen.html",
        code=clean,
        code_grouped=grouped_code(clean),
        join_url=join_url,
        join_short=short,
        qr=qr_svg(join_url),
    )


@router.api_route(
    "/screen/{code}/results/{round_id}", methods=PAGE_METHODS, response_class=HTMLResponse
)
async def round_chart(
    request: Request, code: str, round_id: RowId, token: str = "", compact: bool = False
) -> HTMLResponse:
    """A voting round's results as the shared SVG bar chart, for the screen and console."""
    runtime = get_runtime(request)
    token = (token or request.cookies.get(SESSION_COOKIE, ""))[:MAX_TOKEN]

    def _chart() -> results.RoundChart | None:
        with runtime.db.read() as session:
            try:
                review, identity = room_identity(session, code, token, runtime.secret_key)
            except CommandError:
                return None
            voting = session.get(VotingRound, round_id)
            if voting is None or voting.review_id != review.id:
                return None
            return results.round_chart(session, review, voting, audience=identity.audience)

    chart = await to_thread.run_sync(_chart)
    if chart is None:
        return HTMLResponse("", status_code=404)
    # Worded here, in the request's language, not in the worker thread.
    phase_label = i18n.gettext(rules.PHASE_LABELS.get(chart.phase, chart.phase))
    title = i18n._("Votes in round %(round)s, %(phase)s", round=chart.number, phase=phase_label)
    columns = [
        {
            "title": i18n.gettext(CHOSE_LABELS[c.group]) if c.group else title,
            "voters": c.voters,
            "items": c.items,
            "more": c.more,
            "few": c.few,
            "group": c.group or "",
        }
        for c in chart.columns
    ]
    return _render(
        request,
        "results.html",
        title=title,
        columns=columns,
        counting=chart.counting,
        voices=[
            {"label": i18n.gettext(VOICE_GROUP_LABELS[g]), "voters": n} for g, n in chart.voices
        ],
        top=chart.top,
        compact=compact,
    )


@router.api_route("/screen/{code}/voices", methods=PAGE_METHODS, response_class=HTMLResponse)
async def voices_chart(request: Request, code: str, token: str = "") -> HTMLResponse:
    """The balance of voice groups as the shared SVG chart: for the projector only while the
    facilitator shows it, and never by role (a role held by one person would name them)."""
    runtime = get_runtime(request)
    token = (token or request.cookies.get(SESSION_COOKIE, ""))[:MAX_TOKEN]

    def _groups() -> list[dict[str, Any]] | None:
        with runtime.db.read() as session:
            try:
                review, identity = room_identity(session, code, token, runtime.secret_key)
            except CommandError:
                return None
            shown = identity.audience == "screen" and review.show_voices
            if not (shown or identity.audience == "facilitator"):
                return None
            groups: list[dict[str, Any]] = voices_view(session, review, roles=False)["groups"]
            return groups

    groups = await to_thread.run_sync(_groups)
    if groups is None:
        return HTMLResponse("", status_code=404)
    # Worded here, in the request's language, not in the worker thread.
    named = [(i18n.gettext(VOICE_GROUP_LABELS[g["group"]]), g) for g in groups]
    return _render(
        request,
        "voices.html",
        measures=chart_measures(named),
        summary=chart_summary(named),
    )


@router.api_route("/screen/{code}/pulse", methods=PAGE_METHODS, response_class=HTMLResponse)
async def pulse_results(
    request: Request, code: str, token: str = "", size: str = "screen"
) -> HTMLResponse:
    """The check-ins' results as the shared SVG chart, start against close by voice group:
    for the projector only while the facilitator shows them; always for a facilitator."""
    runtime = get_runtime(request)
    token = (token or request.cookies.get(SESSION_COOKIE, ""))[:MAX_TOKEN]

    def _pulses() -> tuple[list[dict[str, Any]], int] | None:
        with runtime.db.read() as session:
            try:
                review, identity = room_identity(session, code, token, runtime.secret_key)
            except CommandError:
                return None
            audience = "facilitator" if identity.audience == "facilitator" else "room"
            if identity.audience not in ("screen", "facilitator"):
                return None
            views = pulses_view(session, review, audience=audience)
            if audience == "room" and not any(p["shown"] for p in views):
                return None
            return views, min_answers(review)

    found = await to_thread.run_sync(_pulses)
    if found is None:
        return HTMLResponse("", status_code=404)
    views, least = found
    return _render(request, "pulse.html", **pulse_chart_context(views, least, size=size))


def pulse_chart_context(
    views: list[dict[str, Any]], least: int, *, size: str = "screen"
) -> dict[str, Any]:
    """What pulse.html draws, worded in the request's language: panels, summary, words."""
    labels = {g: i18n.gettext(label) for g, label in VOICE_GROUP_LABELS.items()}
    labels[EVERYONE] = i18n.gettext("Everyone")
    panels = chart_panels(views, labels)
    close = next((p["results"] for p in views if p["moment"] == "close" and p["results"]), None)
    start = next((p["results"] for p in views if p["moment"] == "start" and p["results"]), None)
    big = size == "screen"
    asked = tuple(p["moment"] for p in views if p["results"])
    return {
        "moments": asked or ("start", "close"),
        "panels": panels,
        "summary": pulse_summary(panels),
        "word_list": ((close or start) or {}).get("words", [])[:30],
        "least": least,
        "chart_id": "pulse-chart-" + size,
        # The projector: three panels a row, read from the back of a hall; the console's
        # panel is narrow, so its chart is drawn narrow rather than shrunk.
        "columns": 3 if big else 1,
        "width": 1800 if big else 420,
        "bar_height": 30 if big else 14,
        "label_width": 300 if big else 165,
        "font_size": 22 if big else 12,
        "words": {"start": i18n.gettext("Start"), "close": i18n.gettext("Close")},
    }


@router.api_route("/facilitate/evaluation", methods=PAGE_METHODS, response_class=HTMLResponse)
async def evaluation_page(request: Request) -> HTMLResponse:
    """The partnership's view across the reviews you run, as server-drawn SVG charts: the
    same figures as GET /api/evaluation. Signed in by the session cookie."""
    runtime = get_runtime(request)
    token = request.cookies.get(SESSION_COOKIE, "")[:MAX_TOKEN]

    def _rows() -> list[dict[str, Any]] | None:
        with runtime.db.read() as session:
            me = facilitator_for_token(session, token) if token else None
            if me is None or me.id is None:
                return None
            return evaluation_rows(session, me.id)

    rows = await to_thread.run_sync(_rows)
    if rows is None:
        return _render(request, "evaluation.html", signed_in=False, reviews=[], status_code=401)
    return _render(request, "evaluation.html", signed_in=True, reviews=evaluation_view(rows))


def evaluation_view(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each review's row as the evaluation page's charts, worded in the request's language,
    newest first."""
    labels = {g: i18n.gettext(label) for g, label in VOICE_GROUP_LABELS.items()}
    labels[EVERYONE] = i18n.gettext("Everyone")
    words = {"start": i18n.gettext("Start"), "close": i18n.gettext("Close")}
    found = []
    for row in reversed(rows):
        groups = [
            (labels[g], {m: row.get(f"{m}_{g}") or 0 for m in MEASURES}) for g in VOICE_GROUPS
        ]
        measures = chart_measures(groups)[:3]
        panels = evaluation_panels(row, labels)
        checks = []
        for when, label in (
            ("3m", i18n.gettext("At 3 months")),
            ("6m", i18n.gettext("At 6 months")),
        ):
            counts = [row[f"actions_{when}_{s}"] for s in ACTION_STATES]
            if counts[0] is None:
                continue
            checks.append(
                {
                    "label": label,
                    "items": [
                        {"label": i18n.gettext(ACTION_STATE_LABELS[s]), "value": n}
                        for s, n in zip(ACTION_STATES, counts, strict=True)
                    ],
                }
            )
        found.append(
            {
                "row": row,
                "measures": measures,
                "measures_summary": chart_summary(groups),
                "panels": panels,
                "panels_summary": pulse_summary(panels),
                "words": words,
                "moments": tuple(m for m in MOMENTS if row[f"pulse_{m}_answered"] is not None)
                or MOMENTS,
                "checks": checks,
            }
        )
    return found


@router.api_route("/facilitate", methods=PAGE_METHODS, response_class=HTMLResponse)
async def console_home(request: Request) -> HTMLResponse:
    """Sign in, list reviews, create one."""
    return _render(request, "facilitate_home.html")


@router.api_route("/facilitate/{review_id}", methods=PAGE_METHODS, response_class=HTMLResponse)
async def console(request: Request, review_id: int) -> HTMLResponse:
    """The facilitator's console for one review."""
    return _render(request, "console.html", review_id=review_id)
