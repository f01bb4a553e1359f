"""The web chat's picture upload: `POST /api/chat/image` (multipart `user_id`, `province`, `file`,
optional `text` as a caption), answered like `POST /api/chat`.

The body is read with a bound (the picture limit plus room for the fields) before it is parsed, the
picture is read in the OCR pool, and the answer comes from the same engine as typed text. A picture
that is too large or not a picture gets a polite reply, not an error.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from app.channels.web.router import (
    TOO_MANY,
    UNKNOWN_PROVINCE,
    ChatResponse,
    _error,
    _session,
    answer,
    conversation_key,
    over_limit,
    start_session,
)
from app.contracts import ImageText, IncomingMessage
from app.contracts.channel import clean_text
from app.http.security import client_host
from app.http.state import AppState, State
from app.http.webhooks import BodyTooLarge, read_body
from app.runtime.pictures import message_with_image

__all__ = ["router"]

router = APIRouter(tags=["web chat"])

_FIELDS_ROOM = 64 * 1024  # the text fields and the multipart framing around the picture
BAD_FORM = "Yêu cầu cần gửi dạng multipart với user_id và file ảnh."


async def _once(raw: bytes) -> AsyncGenerator[bytes, None]:
    yield raw


async def _picture(state: AppState, data: bytes) -> ImageText:
    if len(data) > state.settings.media_max_bytes:
        return ImageText("too_large")
    return await state.pictures.read(data)


@router.post("/api/chat/image", response_model=ChatResponse)
async def chat_image(request: Request, state: State) -> Response:
    """A screenshot from the web chat: read, then answered like typed text."""
    address = client_host(request)
    session, new_session = start_session(_session(request))
    if await over_limit(state, address, session):
        return _error(TOO_MANY, 429, {"retry-after": "60"})
    too_large = False
    try:
        raw = await read_body(request, state.settings.media_max_bytes + _FIELDS_ROOM)
    except BodyTooLarge:
        too_large, raw = True, b""
    if not (request.headers.get("content-type") or "").startswith("multipart/form-data"):
        return _error(BAD_FORM, 400)
    user_id: str | None = request.query_params.get("user_id")
    province_name: str | None = request.query_params.get("province")
    caption: str | None = None
    data: bytes | None = None
    if not too_large:
        try:
            form = await MultiPartParser(request.headers, _once(raw), max_files=1, max_fields=5).parse()
        except (MultiPartException, ValueError, UnicodeError):
            return _error(BAD_FORM, 400)
        fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        user_id = fields.get("user_id") or user_id
        province_name = fields.get("province") or province_name
        caption = clean_text(fields.get("text"), limit=10_000)
        found = form.get("file")
        upload = found if isinstance(found, UploadFile) else None
        if upload is None:
            await form.close()
            return _error(BAD_FORM, 400)
        try:
            data = await upload.read(state.settings.media_max_bytes + 1)
        finally:
            await form.close()
    if not user_id or len(user_id) > 128:
        return _error(BAD_FORM, 422)
    province = state.provinces.find(province_name) if province_name else state.provinces.default
    if province is None:
        return _error(UNKNOWN_PROVINCE, 422)
    image = ImageText("too_large") if too_large or data is None else await _picture(state, data)
    message = IncomingMessage(
        channel="web",
        channel_id=province.id,
        user_id=conversation_key(session, clean_text(user_id) or "web"),
        message_id=uuid.uuid4().hex,
        text=caption or None,
        attachments=("image",),
        client_key=address,
    )
    message = message_with_image(message, image)
    return await answer(state, message, address=address, started=session if new_session else None)
