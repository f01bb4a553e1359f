"""What the bot says about handing a conversation to an officer. Pure functions."""

from __future__ import annotations

from app.provinces import Province
from app.replies.composer import hotline_line

__all__ = ["RESUMED", "URGENT_QUEUED", "officer_by_phone", "officer_coming"]

RESUMED = "Cán bộ đã kết thúc trao đổi, tôi tiếp tục hỗ trợ bạn. Bạn cần gì cứ nhắn tôi nhé."
URGENT_QUEUED = "👮 Tôi đã báo cán bộ trực; cán bộ sẽ nhắn cho bạn sớm trong cuộc trò chuyện này."


def officer_coming(province: Province) -> str:
    """The citizen asked for a person, and the conversation joined the officers' queue."""
    return (
        "Dạ, tôi đã chuyển yêu cầu của bạn cho cán bộ. Cán bộ sẽ trả lời bạn ngay trong cuộc trò "
        "chuyện này khi có thể. Bạn cứ nhắn thêm thông tin, cán bộ sẽ đọc được.\n\n"
        "Nếu việc gấp (vừa chuyển tiền, lộ mã OTP, đang bị đe dọa), bạn gọi ngay đường dây nóng:\n"
        + hotline_line(province)
    )


def officer_by_phone(province: Province) -> str:
    """Asked for a person where no officer answers in the chat (the web chat): the hotline."""
    return (
        "Để nói chuyện trực tiếp với cán bộ, bạn gọi đường dây nóng hoặc nhắn tin qua Zalo, "
        "Messenger của công an tỉnh.\n\n" + hotline_line(province)
    )
