"""The OpenAPI schema, completed with what FastAPI cannot see: the command frames."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import TypeAdapter

from app.review.commands import Command

DESCRIPTION = """\
A live room for appreciative case reviews in children's safeguarding.

The websocket at `/ws/rooms/{code}` speaks the same commands as
`POST /api/rooms/{code}/commands` (schema `Command` below); its frames, event kinds,
error codes and limits are described in `docs/protocol.md`.
"""


def install(app: FastAPI) -> None:
    """Serve a schema whose commands endpoint documents every command frame."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=DESCRIPTION,
            routes=app.routes,
        )
        command_schema = TypeAdapter(Command).json_schema(  # type: ignore[arg-type, unused-ignore]
            ref_template="#/components/schemas/{model}"
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(command_schema.pop("$defs", {}))
        components["Command"] = command_schema
        operation = schema["paths"]["/api/rooms/{code}/commands"]["post"]
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Command"}}},
        }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
