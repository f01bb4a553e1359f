"""The words about a picture a citizen sent: what was read in it, or why it could not be read."""

from __future__ import annotations

from app.contracts import ImageText
from app.nlu.analyzer import Analysis
from app.text.formatting import format_phone, format_vnd

__all__ = ["picture_note", "picture_summary"]

_TYPE_IT = "Bạn gõ hoặc dán nội dung tin nhắn đáng ngờ vào đây giúp tôi nhé."
_NOTES = {
    "little": "📷 Tôi chưa đọc được đủ chữ trong ảnh này. " + _TYPE_IT,
    "too_large": "📷 Ảnh bạn gửi quá lớn nên tôi chưa mở được. Bạn chụp riêng phần tin nhắn, "
    "hoặc gõ nội dung vào đây giúp tôi nhé.",
    "refused": "📷 Tệp này không phải ảnh tôi đọc được. Bạn gửi ảnh chụp màn hình (PNG, JPG), "
    "hoặc gõ nội dung vào đây giúp tôi nhé.",
}
_DEFAULT = (
    "📷 Tôi chưa xem được ảnh này. "
    "Bạn mô tả lại bằng lời hoặc dán nội dung tin nhắn đáng ngờ vào đây giúp tôi nhé."
)
_SNIPPET = 90


def picture_note(status: str) -> str:
    """Why a picture gave no text, with the request to type it instead."""
    return _NOTES.get(status, _DEFAULT)


def picture_summary(image: ImageText, analysis: Analysis | None, *, seen: bool = False) -> str:
    """One short paragraph: what was read ("Trong ảnh có số 09…, đường link …"), what to confirm."""
    parts: list[str] = []
    if analysis is not None:
        entities = analysis.entities
        parts += [f"số {format_phone(p)}" for p in entities.phones[:3]]
        parts += [f"tài khoản {a.number}" for a in entities.bank_accounts[:2]]
        parts += [f"đường link {u}" for u in entities.urls[:2]]
        if entities.amount_vnd:
            parts.append(f"số tiền {format_vnd(entities.amount_vnd)}")
    lines = ["📷 Ảnh này bạn đã gửi trước đó. Tôi nhắc lại:" if seen else ""]
    if parts:
        lines.append("📷 Trong ảnh có " + ", ".join(parts) + ".")
    else:
        first = " ".join(image.text.split())
        snippet = first if len(first) <= _SNIPPET else first[:_SNIPPET].rsplit(" ", 1)[0] + "…"
        lines.append(f"📷 Tôi đọc được trong ảnh: “{snippet}”")
    if image.uncertain:
        unsure = ", ".join(image.uncertain[:3])
        lines.append(
            f"Tôi đọc chưa chắc: {unsure}. Bạn gõ lại chính xác giúp tôi, "
            "tôi sẽ kiểm tra sau khi bạn xác nhận."
        )
    return "\n".join(line for line in lines if line)
