"""The session record: export a review in seven formats and two editions; restore one."""

from __future__ import annotations

import json
import tempfile
import time
from concurrent.futures.process import BrokenProcessPool
from typing import IO, Any, Literal

from anyio import to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from app import metrics
from app.api.deps import FacilitatorDep, RowId, RuntimeDep, load_review_for
from app.api.errors import ApiError
from app.api.reviews import base_url, review_out
from app.api.schemas import ERROR_RESPONSES, ErrorOut
from app.export import DOCUMENTS, MEDIA_TYPES, render_from, sealed
from app.export.check import check_public_record
from app.export.data import ExportData
from app.export.record import load_source
from app.export.restore import RestoreError, parse_export, restore_review
from app.i18n import _
from app.middleware import MAX_IMPORT_BODY
from app.models import KeepOut, Review
from app.review import audit
from app.review.audit import Action
from app.runtime import Runtime

router = APIRouter(prefix="/api/reviews", tags=["exports"], responses=ERROR_RESPONSES)

Format = Literal["md", "html", "pdf", "docx", "json", "csv", "xlsx"]
Edition = Literal["full", "public"]
RecordLanguage = Literal["en", "cy"]
# The record, or another document of the review (app/export/__init__.py DOCUMENTS).
# An import's body is kept in memory up to this size, and on disk beyond it.
SPOOL_IN_MEMORY = 1024 * 1024


def _address(request: Request) -> str:
    return request.client.host if request.client else ""


@router.get("/{review_id}/export/check")
async def export_check(review_id: int, runtime: RuntimeDep, me: FacilitatorDep) -> dict[str, Any]:
    """Before a public export: every place in the public edition holding a first name a
    participant gave or a term on the names list, to redact or hide before sharing it."""

    def _check() -> dict[str, Any]:
        load_review_for(runtime, me, review_id)
        with runtime.db.read() as session:
            source = load_source(session, review_id)
            terms = list(
                session.exec(select(KeepOut.term).where(KeepOut.review_id == review_id)).all()
            )
        findings = check_public_record(source, terms)
        return {"review_id": review_id, "edition": "public", "findings": findings}

    return await to_thread.run_sync(_check)


@router.get(
    "/{review_id}/export",
    response_class=Response,
    responses={
        200: {
            "description": "The record as a file.",
            "content": {media: {} for media in MEDIA_TYPES.values()},
        },
        503: {
            "model": ErrorOut,
            "description": "The export process died twice running it (`unavailable`): "
            "try again shortly.",
        },
    },
)
async def export(
    review_id: RowId,
    request: Request,
    runtime: RuntimeDep,
    me: FacilitatorDep,
    format: Format = Query(description="md, html, pdf, docx, json, csv or xlsx"),
    edition: Edition = Query("full", description="full (OFFICIAL-SENSITIVE) or public"),
    document: str = Query(
        "record",
        description="record (the session record, every format), briefing (the 7-minute "
        "briefing: md, html, pdf or docx), progress (where each action stands, every format) "
        "or letters (the letters of appreciation: md, html, pdf or docx)",
        max_length=40,
    ),
    lang: RecordLanguage = Query(
        "en", description="the document's language: en (British English) or cy (Welsh)"
    ),
) -> Response:
    """A review you run as a document (the session record by default), at any time (DRAFT
    until it closes), in the language asked for (`lang`), whatever the console's language."""
    address = _address(request)
    kind = DOCUMENTS.get(document)
    if kind is None:
        raise ApiError(
            422,
            "invalid",
            _(
                "There is no document called that. Choose one of: %(documents)s.",
                documents=", ".join(DOCUMENTS),
            ),
        )
    if format not in kind.formats:
        raise ApiError(
            422,
            "invalid",
            _("This document comes as %(formats)s.", formats=", ".join(kind.formats)),
        )

    await to_thread.run_sync(load_review_for, runtime, me, review_id)
    started = time.monotonic()
    try:
        rendered = await runtime.export(
            render_from, runtime.db.url, review_id, format, edition, document, lang
        )
    except LookupError:  # deleted (purged) since the check above
        raise ApiError(404, "not_found", _("No such review.")) from None
    except BrokenProcessPool:  # the export process died twice running it: out of memory?
        metrics.count("lantern_exports_total", format=format, outcome="failed")
        raise ApiError(
            503, "unavailable", _("The export stopped before it finished. Try again shortly.")
        ) from None
    metrics.count("lantern_exports_total", format=format, outcome="done")
    metrics.count("lantern_export_seconds_total", time.monotonic() - started, format=format)

    await to_thread.run_sync(
        _record_export, runtime, me.id, review_id, address, format, edition, document
    )
    return Response(
        rendered.content,
        media_type=rendered.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{rendered.filename}"',
            # The full edition is OFFICIAL-SENSITIVE: no shared or browser cache keeps it.
            "Cache-Control": "no-store",
        },
    )


class SaveIn(BaseModel):
    """The passphrase that will open the saved file (the partnership needs it too)."""

    passphrase: str = Field(min_length=sealed.MIN_PASSPHRASE, max_length=1024)


@router.post(
    "/{review_id}/save",
    response_class=Response,
    responses={
        200: {
            "description": "One encrypted file: the full record (PDF, Word) and the "
            "restore file, AES-256-GCM under the passphrase (docs/venue.md).",
            "content": {"application/octet-stream": {}},
        },
        503: {"model": ErrorOut, "description": "The export process died twice: try again."},
    },
)
async def save_for_partnership(
    review_id: RowId, body: SaveIn, request: Request, runtime: RuntimeDep, me: FacilitatorDep
) -> Response:
    """ "Save for the partnership": the full record and its restore file in one file that
    only the passphrase opens, to carry from the laptop to the partnership's server."""
    address = _address(request)
    await to_thread.run_sync(load_review_for, runtime, me, review_id)
    files: dict[str, bytes] = {}
    try:
        for fmt in ("pdf", "docx", "json"):
            rendered = await runtime.export(render_from, runtime.db.url, review_id, fmt, "full")
            name = sealed.RESTORE_NAME if fmt == "json" else rendered.filename
            files[name] = rendered.content
    except LookupError:
        raise ApiError(404, "not_found", _("No such review.")) from None
    except BrokenProcessPool:
        raise ApiError(
            503, "unavailable", _("The export stopped before it finished. Try again shortly.")
        ) from None
    blob = await to_thread.run_sync(sealed.seal, files, body.passphrase)

    await to_thread.run_sync(_record_export, runtime, me.id, review_id, address, "sealed", "full")
    stem = files and next(n for n in files if n.endswith(".pdf")).removesuffix(".pdf")
    return Response(
        blob,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{stem}{sealed.SUFFIX}"',
            "Cache-Control": "no-store",
        },
    )


@router.post(
    "/import",
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "A review's export with format=json&edition=full, as downloaded.",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
async def import_review(
    request: Request, runtime: RuntimeDep, me: FacilitatorDep
) -> dict[str, Any]:
    """Restore a review from its full JSON export, as a new review that you run.

    You are signed in before a byte of the body is read; the body is spooled to disk as it
    arrives (at most MAX_IMPORT_BODY), checked whole, then written in short transactions.
    """
    assert me.id is not None
    facilitator_id = me.id
    address = _address(request)
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_IMPORT_BODY:
                raise ApiError(
                    413,
                    "too_large",
                    _("The body may be at most %(most)s bytes.", most=MAX_IMPORT_BODY),
                )
            spool.write(chunk)
        spool.seek(0)
        data = await to_thread.run_sync(_parse, spool)

    def _audit(session: Session, review_id: int) -> None:
        audit.record(
            session,
            Action.IMPORT,
            review_id=review_id,
            facilitator_id=facilitator_id,
            address=address,
            cards=len(data.cards),
            participants=len(data.participants),
        )

    def _restore() -> dict[str, Any]:
        try:
            review_id = restore_review(runtime.db, data, facilitator_id, _audit)
        except RestoreError as exc:
            raise ApiError(422, "invalid", exc.translated()) from None
        except SQLAlchemyError:
            # Rows that each passed the checks but that the database refuses: the file was
            # not written by an export.
            raise ApiError(
                422,
                "invalid",
                _("The export's data does not hold together, so it was not restored."),
            ) from None
        with runtime.db.read() as session:
            review = session.get(Review, review_id)
            assert review is not None
            return review_out(session, runtime, review, base_url(runtime, request))

    return await to_thread.run_sync(_restore)


def _parse(spool: IO[bytes]) -> ExportData:
    """The checked export in the spooled body; 400 or 422 saying what is wrong."""
    try:
        document = json.load(spool)
    except (ValueError, RecursionError):
        raise ApiError(400, "invalid", _("The body is not valid JSON.")) from None
    try:
        return parse_export(document)
    except RestoreError as exc:
        raise ApiError(422, "invalid", exc.translated()) from None


def _record_export(
    runtime: Runtime,
    facilitator_id: int | None,
    review_id: int,
    address: str,
    fmt: str,
    edition: str,
    document: str = "record",
) -> None:
    """Audit one export: who took which document and edition, in which format, from where."""
    # The record is the document an entry names by default (and every older entry meant).
    named = {} if document == "record" else {"document": document}
    with runtime.db.write() as session:
        audit.record(
            session,
            Action.EXPORT,
            review_id=review_id,
            facilitator_id=facilitator_id,
            address=address,
            format=fmt,
            edition=edition,
            **named,
        )
