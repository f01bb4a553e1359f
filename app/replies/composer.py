"""What the bot says, in Vietnamese. Pure functions: no channel, no database, no I/O.

Every message is at most `MAX_CHARS` characters (Messenger's limit is 2,000; Zalo's too), split on
line boundaries when longer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from app.catalog.models import Tactic
from app.nlu.analyzer import Analysis
from app.nlu.intents import IntentSpec
from app.provinces import Province

__all__ = [
    "MAIN_ACTIONS",
    "MAX_CHARS",
    "QuickReply",
    "Reply",
    "compose",
    "general_rules",
    "hotline_line",
    "split_text",
    "tactic_warning",
    "to_replies",
]

MAX_CHARS = 1999  # Messenger wants fewer than 2,000 characters
MAX_QUICK_TITLE = 20


@dataclass(frozen=True, slots=True)
class QuickReply:
    """A button the citizen can tap instead of typing; `payload` comes back as their message."""

    title: str
    payload: str


@dataclass(frozen=True, slots=True)
class Reply:
    """One outgoing message."""

    text: str
    quick_replies: tuple[QuickReply, ...] = field(default=())


MAIN_ACTIONS: tuple[QuickReply, ...] = (
    QuickReply("Tố giác", "ACTION:REPORT"),
    QuickReply("Kiểm tra số/link", "ACTION:CHECK"),
    QuickReply("Đường dây nóng", "ACTION:HOTLINE"),
    QuickReply("Hướng dẫn", "ACTION:HELP"),
)


def split_text(text: str, limit: int = MAX_CHARS) -> list[str]:
    """Cut a long text into pieces of at most `limit` characters, at line or word boundaries."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # one very long line: cut at the last space that fits
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        pieces.append(current)
    return [p.strip() for p in pieces if p.strip()]


def to_replies(text: str, quick_replies: Sequence[QuickReply] = ()) -> list[Reply]:
    """A text as messages within the platform limit, quick replies on the last one."""
    parts = split_text(text)
    # Quick replies go on the last message: that is the one the citizen answers.
    return [Reply(p, tuple(quick_replies) if i == len(parts) - 1 else ()) for i, p in enumerate(parts)]


def _bullets(lines: Iterable[str]) -> str:
    return "\n".join(f"• {line}" for line in lines)


def quick_title(text: str) -> str:
    """A quick-reply title within the platform limit, cut at a word boundary."""
    if len(text) <= MAX_QUICK_TITLE:
        return text
    cut = text.rfind(" ", 0, MAX_QUICK_TITLE - 1)
    return text[: cut if cut > 0 else MAX_QUICK_TITLE - 1].rstrip(" ,") + "…"


def hotline_line(province: Province) -> str:
    return f"☎️ Đường dây nóng {province.name}: {province.hotline}"


def general_rules() -> str:
    return _bullets(
        (
            "Công an không giải quyết vụ việc qua điện thoại hay gọi video, không yêu cầu chuyển tiền.",
            "Không đưa mã OTP, mật khẩu, ảnh căn cước cho bất kỳ ai.",
            'Không chuyển tiền vào "tài khoản an toàn" hay "tài khoản tạm giữ".',
            "Không bấm link, không cài ứng dụng do người lạ gửi.",
        )
    )


def tactic_warning(tactic: Tactic, province: Province, *, urgent: bool) -> str:
    """The warning for one recognised tactic: name, why, what to do, and the hotline."""
    parts = [f"⚠️ Dấu hiệu lừa đảo: {tactic.name}", tactic.summary]
    if urgent:
        parts.append(
            "🚨 Nếu bạn đã chuyển tiền, đưa mã OTP hoặc mật khẩu, làm ngay:\n"
            + _bullets(tactic.urgent_advice)
        )
    parts.append("Bạn nên:\n" + _bullets(tactic.advice[:4]))
    parts.append(hotline_line(province))
    return "\n\n".join(parts)


def _ambiguous(analysis: Analysis, tactics: dict[str, Tactic], province: Province) -> list[Reply]:
    options = [tactics[c.tactic] for c in analysis.match.candidates if c.tactic in tactics][:3]
    lines = [f"{i}. {t.name}" for i, t in enumerate(options, start=1)]
    text = (
        "Tình huống của bạn có thể là một trong các kiểu lừa đảo sau:\n"
        + "\n".join(lines)
        + "\n\nBạn chọn một mục, hoặc kể thêm: ai liên hệ, họ yêu cầu bạn làm gì?"
    )
    if analysis.urgent:
        text += (
            "\n\n🚨 Nếu đã chuyển tiền hoặc lộ mã OTP: gọi ngay ngân hàng để khóa tài khoản, rồi báo công an."
        )
    text += "\n\n" + hotline_line(province)
    quick = [
        QuickReply(quick_title(f"{i}. {t.name}"), f"TACTIC:{t.id}") for i, t in enumerate(options, start=1)
    ]
    return to_replies(text, quick)


def _no_match(analysis: Analysis, province: Province) -> list[Reply]:
    head = "Tôi chưa nhận ra kiểu lừa đảo cụ thể trong tin nhắn của bạn."
    if analysis.urgent:
        head = (
            "🚨 Nếu bạn đã chuyển tiền hoặc lộ mã OTP, mật khẩu: gọi ngay tổng đài chính thức của ngân hàng "
            "để khóa tài khoản và đề nghị phong tỏa giao dịch, giữ lại tin nhắn, biên lai, rồi báo công an."
        )
    text = (
        f"{head}\nBạn kể rõ hơn giúp tôi: ai liên hệ, qua kênh nào, họ yêu cầu bạn làm gì?\n\n"
        f"Hãy nhớ:\n{general_rules()}\n\n{hotline_line(province)}"
    )
    return to_replies(text, MAIN_ACTIONS)


def fixed_reply(spec: IntentSpec, province: Province) -> str:
    """An intent's fixed answer, filled in for the province."""
    contacts = [
        line
        for label, value in (
            ("Website", province.website),
            ("Fanpage", province.fanpage),
            ("Zalo OA", province.zalo_oa),
        )
        if value
        for line in (f"• {label}: {value}",)
    ]
    if not contacts:
        contacts = ["• Website, fanpage và Zalo OA chính thức: tìm theo tên " + province.name + "."]
    return (spec.reply or "").format(
        province_name=province.name,
        province_police=province.name,
        hotline=province.hotline,
        contacts="\n".join(contacts),
    )


def compose(
    analysis: Analysis, *, province: Province, tactics: dict[str, Tactic], intents: dict[str, IntentSpec]
) -> list[Reply]:
    """The bot's answer to an analysed message (reports and checks are completed by the engine)."""
    intent = analysis.intent
    if intent in ("greeting", "help", "thanks", "hotline"):
        return to_replies(fixed_reply(intents[intent], province), MAIN_ACTIONS)
    if intent == "other":
        text = (
            "Tôi là trợ lý phòng chống lừa đảo, chỉ trả lời được các câu hỏi về lừa đảo qua mạng. "
            f"Với thủ tục hành chính, bạn liên hệ công an xã, phường nơi cư trú hoặc {province.name}.\n\n"
            f"{hotline_line(province)}"
        )
        return to_replies(text, MAIN_ACTIONS)
    if analysis.match.ambiguous:
        return _ambiguous(analysis, tactics, province)
    if analysis.tactic is not None and analysis.tactic in tactics:
        text = tactic_warning(tactics[analysis.tactic], province, urgent=analysis.urgent)
        return to_replies(text, MAIN_ACTIONS)
    return _no_match(analysis, province)
