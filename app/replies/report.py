"""What the bot says during a report: the privacy notice, the questions, the summary, the receipt.

Pure functions over plain values (the draft itself belongs to the conversation layer).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from app.contracts import QuickReply
from app.provinces import Province
from app.replies.composer import hotline_line
from app.text.formatting import format_phone, format_vnd

__all__ = [
    "CANCEL",
    "CONFIRM",
    "CONFIRM_ALL",
    "CONTINUE",
    "DONE",
    "HINT",
    "NO",
    "NOTHING_TO_FILE",
    "NO_ATTACHMENTS",
    "QUESTION_TEXT",
    "SKIP",
    "STILL_WAITING",
    "YES",
    "cancelled",
    "excerpt",
    "filed",
    "notice",
    "reminder",
    "summary",
]

Question = Literal["what", "contacts", "amount"]

YES = QuickReply("Có", "REPORT:YES")
NO = QuickReply("Không", "REPORT:NO")
SKIP = QuickReply("Bỏ qua", "REPORT:SKIP")
DONE = QuickReply("Xong", "REPORT:DONE")
CONTINUE = QuickReply("Tiếp tục", "REPORT:CONTINUE")
CANCEL = QuickReply("Hủy", "REPORT:CANCEL")

QUESTION_TEXT: dict[Question, str] = {
    "what": "Bạn kể ngắn gọn chuyện gì đã xảy ra: ai liên hệ, qua kênh nào, họ yêu cầu bạn làm gì?",
    "contacts": (
        "Kẻ gian dùng số điện thoại, số tài khoản (kèm tên ngân hàng), đường link hay tài khoản "
        "Facebook, Zalo, Telegram nào?"
    ),
    "amount": 'Bạn đã mất bao nhiêu tiền, vào ngày nào? Nếu chưa mất tiền, bạn nhắn "không mất".',
}
HINT = '(Nhắn "bỏ qua" để sang câu khác, "xong" nếu đã đủ, "hủy" để dừng.)'
CONFIRM = 'Gửi tố giác? Chọn "Có" để gửi, "Không" để hủy, hoặc nhắn thêm thông tin.'
CONFIRM_ALL = (
    'Gửi tố giác? Chọn "Có" nghĩa là bạn đồng ý để lưu và chuyển thông tin như trên; "Không" để hủy.'
)
NO_ATTACHMENTS = (
    "Tôi chưa xem được hình ảnh, âm thanh hay tệp đính kèm. Bạn gõ lại nội dung bằng chữ giúp tôi nhé "
    "(số điện thoại, số tài khoản, đường link trong ảnh)."
)
NOTHING_TO_FILE = (
    'Bạn chưa kể sự việc nên tôi chưa lưu tố giác nào. Khi sẵn sàng, bạn bấm "Tố giác" hoặc kể lại '
    "chuyện đã xảy ra, tôi sẽ ghi nhận."
)
STILL_WAITING = 'Tố giác của bạn vẫn đang chờ. Nhắn "tiếp tục" để làm tiếp, hoặc "hủy" để bỏ.'


def excerpt(text: str, limit: int = 300) -> str:
    """The text on one line, cut at `limit` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def notice(province: Province) -> str:
    return (
        "🔒 Về thông tin của bạn: tôi lưu nội dung bạn kể, các số điện thoại, số tài khoản, đường link "
        "bạn cung cấp, kèm mã người dùng và tên hiển thị của bạn, "
        f"để chuyển cho {province.name} xác minh. "
        'Bạn có thể nhắn "xóa dữ liệu của tôi" bất cứ lúc nào để xóa liên kết giữa bạn và tố giác.'
    )


def summary(
    *,
    turns: Sequence[str],
    tactic_name: str | None,
    phones: Sequence[str],
    accounts: Sequence[tuple[str, str | None, str | None]],
    urls: Sequence[str],
    pages: Sequence[str],
    socials: Sequence[str],
    amount_vnd: int | None,
    no_loss: bool,
    when: str | None,
    day: dt.date | None,
) -> str:
    """The draft as the citizen checks it before sending: the whole story (trimmed), then the facts."""
    lines = ["📋 Tóm tắt tố giác:"]
    story = " / ".join(" ".join(t.split()) for t in turns if t)
    if story:
        lines.append(f"• Sự việc: {excerpt(story, 600)}")
    if tactic_name:
        lines.append(f"• Dấu hiệu: {tactic_name}")
    if phones:
        lines.append("• Số điện thoại: " + "; ".join(format_phone(p) for p in phones))
    if accounts:
        shown = []
        for number, bank, holder in accounts:
            details = ", ".join(d for d in (bank, holder) if d)
            shown.append(f"{number} ({details})" if details else number)
        lines.append("• Số tài khoản: " + "; ".join(shown))
    if urls:
        lines.append("• Đường link: " + "; ".join(urls))
    if pages:
        lines.append("• Trang, cửa hàng, nhóm: " + "; ".join(pages))
    if socials:
        lines.append("• Tài khoản mạng xã hội: " + "; ".join(socials))
    if amount_vnd is not None:
        lines.append(f"• Số tiền: {format_vnd(amount_vnd)}")
    elif no_loss:
        lines.append("• Số tiền: chưa mất tiền")
    if when:
        shown_day = f" ({day:%d/%m/%Y})" if day else ""
        lines.append(f"• Thời gian: {when}{shown_day}")
    if len(lines) == 1:
        lines.append("• (chưa có thông tin)")
    return "\n".join(lines)


def filed(ref_code: str, province: Province, *, lost_money: bool) -> str:
    """The receipt: the reference code, the hotline and the official way to report."""
    parts = [
        f"✅ Đã ghi nhận tố giác. Mã tố giác của bạn: {ref_code}\n"
        f"Bạn ghi lại mã này để trao đổi với {province.name} khi cần.",
        hotline_line(province),
        '📱 Để tố giác chính thức, bạn mở ứng dụng VNeID, chọn mục "Tố giác tội phạm" '
        "(cần tài khoản định danh mức 2), hoặc đến công an xã, phường gần nhất.",
    ]
    if lost_money:
        parts.insert(
            1,
            "🚨 Nếu vừa chuyển tiền: gọi ngay tổng đài chính thức của ngân hàng để đề nghị phong tỏa "
            "giao dịch, giữ lại tin nhắn, biên lai chuyển tiền.",
        )
    return "\n\n".join(parts)


def cancelled(*, declined: bool) -> str:
    head = "Tôi không lưu gì cả." if declined else "Tôi đã hủy tố giác đang soạn và không lưu gì cả."
    return (
        f'{head} Khi cần, bạn bấm "Tố giác" để bắt đầu lại.\n\n'
        'Để tố giác chính thức, bạn có thể dùng ứng dụng VNeID, mục "Tố giác tội phạm", '
        "hoặc đến công an xã, phường gần nhất."
    )


def reminder(started: dt.datetime) -> str:
    """A paused draft, reminded once in a while (`started` in local time)."""
    return (
        f"📝 Bạn còn một tố giác chưa hoàn tất (bắt đầu lúc {started:%H:%M ngày %d/%m}). "
        'Nhắn "tiếp tục" để làm tiếp, hoặc "hủy" để bỏ.'
    )
