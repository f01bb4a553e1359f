"""What the bot says, in Vietnamese. Pure functions: no channel, no database, no I/O.

Every message is at most `MAX_CHARS` characters (Messenger's limit is 2,000; Zalo's too), split on
line boundaries when longer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from app.catalog.models import Tactic
from app.contracts import QuickReply, Reply
from app.nlu.analyzer import Analysis
from app.nlu.intents import IntentSpec
from app.nlu.situation import Topic
from app.provinces import Province

__all__ = [
    "MAIN_ACTIONS",
    "MAX_CHARS",
    "SHORT_ANSWER",
    "address",
    "compose",
    "english_answer",
    "general_rules",
    "hotline_line",
    "other_reply",
    "scam_actions",
    "scam_answer",
    "split_text",
    "tactic_details",
    "tactic_warning",
    "to_replies",
    "topic_answer",
    "urgent_steps",
]

MAX_CHARS = 1999  # Messenger wants fewer than 2,000 characters
MAX_QUICK_TITLE = 20
SHORT_ANSWER = 700  # a scam answer fits a phone screen
LONG_ANSWER = 1200  # nothing the bot says on its own is longer


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


# "bạn" as a pronoun; not "bạn bè", "bạn trai", "người bạn"...
_BAN_RE = re.compile(
    r"(?<![\w])(?<!người )(?<!các )(?<!những )(B|b)ạn(?![\w])(?! (?:bè|trai|gái|học|thân|quen|cùng|đời))"
)


def address(text: str, form: str) -> str:
    """The text with the pronoun "bạn" replaced by the citizen's own form of address."""
    if form == "bạn" or "ạn" not in text:
        return text
    return _BAN_RE.sub(lambda m: form.capitalize() if m.group(1) == "B" else form, text)


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


def why(tactic: Tactic) -> str:
    """One line on why this is a scam."""
    return tactic.why


def steps(tactic: Tactic) -> list[str]:
    """The three things to do now for someone who has not paid."""
    return list(tactic.steps)


def urgent_steps(tactic: Tactic | None, province: Province, *, danger: bool = False) -> str:
    """The immediate steps when money, an OTP or a password already went out (first lines)."""
    lines: list[str] = []
    if danger:
        lines.append("Gọi ngay 113 nếu có người đang bị giữ hoặc bị đe dọa.")
    if tactic is not None:
        lines.extend(tactic.urgent_advice[:2])
    else:
        lines.append(
            "Gọi ngay tổng đài chính thức của ngân hàng để khóa tài khoản, đề nghị tra soát và "
            "phong tỏa giao dịch."
        )
        lines.append("Đổi mật khẩu ngân hàng, email, Zalo, Facebook bằng một máy khác.")
    lines.append(f"Gọi đường dây nóng {province.short_name}: {province.hotline}.")
    return "🚨 Bạn làm ngay:\n" + _bullets(lines)


def pressure_steps(province: Province, *, danger: bool) -> str:
    """The first lines while the pressure is on but nothing is lost yet."""
    if danger:
        return (
            "🚨 Gọi ngay 113 nếu có người đang bị giữ hoặc bị đe dọa. "
            f"Không chuyển tiền chuộc; gọi đường dây nóng {province.hotline}."
        )
    return "🚨 Dừng lại: cúp máy, không chuyển tiền, không đọc mã OTP, không cài ứng dụng họ gửi."


def tactic_warning(
    tactic: Tactic,
    province: Province,
    *,
    urgent: bool,
    lost: bool = False,
    danger: bool = False,
    verdict: str = "",
    alternative: str = "",
) -> str:
    """The answer for one recognised tactic, short enough for a phone screen.

    Money or credentials gone: the immediate steps first, then the tactic. Otherwise the verdict
    ("Không." to "có nên nạp không?"), the tactic's name and why, three steps and the hotline.
    """
    head = f"Đây là thủ đoạn lừa đảo: {tactic.name}."
    if lost:
        parts = [urgent_steps(tactic, province, danger=danger), f"⚠️ {head} {why(tactic)}"]
        if alternative:
            parts.append(alternative)
        return "\n\n".join(parts)
    first = f"{verdict} {head}" if verdict else f"⚠️ Dấu hiệu lừa đảo: {tactic.name}."
    parts = []
    if urgent:
        parts.append(pressure_steps(province, danger=danger))
    parts.append(f"{first}\n{why(tactic)}")
    parts.append("Bạn nên:\n" + _bullets(steps(tactic)))
    if alternative:
        parts.append(alternative)
    parts.append(hotline_line(province))
    text = "\n\n".join(parts)
    if len(text) > SHORT_ANSWER and alternative:
        return tactic_warning(tactic, province, urgent=urgent, lost=lost, danger=danger, verdict=verdict)
    return text


def tactic_details(tactic: Tactic, province: Province) -> str:
    """ "Xem thêm": the longer description, red flags and more advice, within 1,200 characters."""
    for n in (3, 2, 1):
        text = "\n\n".join(
            (
                f"ℹ️ {tactic.name}\n{tactic.summary}",
                "Dấu hiệu nhận biết:\n" + _bullets(tactic.red_flags[:n]),
                "Bạn nên:\n" + _bullets(tactic.advice[:n]),
                "Nếu đã chuyển tiền hoặc lộ mã OTP:\n" + _bullets(tactic.urgent_advice[:2]),
                hotline_line(province),
            )
        )
        if len(text) <= LONG_ANSWER:
            break
    return text


def verdict_for(analysis: Analysis) -> str:
    """The first word of a scam answer: "Đừng chuyển tiền.", "Không.", "Đúng vậy." or nothing."""
    situation = analysis.situation
    if analysis.urgency.not_paid and not analysis.lost:
        return "Đừng chuyển tiền."
    if situation.asks_scam:
        return "Đúng vậy."
    if situation.asks_verdict:
        return "Không."
    return ""


def alternative_line(options: Sequence[Tactic]) -> str:
    """One line naming the other possible tactics, numbered as the citizen may type them."""
    if not options:
        return ""
    named = "; ".join(f'"{i}" {t.name}' for i, t in enumerate(options, start=2))
    return f"Nếu không đúng, có thể là: {named} (nhắn số để xem)."


def _no_match(analysis: Analysis, province: Province) -> list[Reply]:
    if analysis.lost:
        text = (
            f"{urgent_steps(None, province, danger=analysis.situation.danger)}\n\n"
            "Bạn kể thêm giúp tôi: ai liên hệ, qua kênh nào, họ yêu cầu bạn làm gì?"
        )
        return to_replies(text, MAIN_ACTIONS)
    head = "Tôi chưa nhận ra kiểu lừa đảo cụ thể trong tin nhắn của bạn."
    if analysis.urgent:
        head = pressure_steps(province, danger=analysis.situation.danger)
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


def scam_answer(
    analysis: Analysis,
    tactic: Tactic,
    province: Province,
    *,
    alternatives: Sequence[Tactic] = (),
    urgent: bool | None = None,
    lost: bool | None = None,
) -> str:
    """The answer to a recognised scam (urgency may come from the conversation, not only this message)."""
    return tactic_warning(
        tactic,
        province,
        urgent=analysis.urgent if urgent is None else urgent,
        lost=analysis.lost if lost is None else lost,
        danger=analysis.situation.danger,
        verdict=verdict_for(analysis),
        alternative=alternative_line(alternatives),
    )


def english_answer(tactic: Tactic | None, province: Province) -> str:
    """A short answer in English for a message written in English (foreign residents are targeted too)."""
    hotline = f"☎️ Police hotline ({province.short_name}): {province.hotline}. Emergency: 113."
    if tactic is None:
        return (
            f"This is the anti-fraud assistant of the police of {province.short_name}. To report a scam "
            f"or ask for help, call the police hotline {province.hotline}; in an emergency call 113. "
            "You can also describe what happened here: who contacted you, what they asked for, and the "
            "phone numbers, bank accounts or links they used.\n\n"
            "Never transfer money, share an OTP or install an app because a caller tells you to.\n\n"
            f"{hotline}"
        )
    en = tactic.en
    return (
        f'⚠️ This looks like a scam (fraud): "{tactic.name}" ({en.name}). {en.why}\n\n'
        "What to do:\n" + _bullets(en.steps) + f"\n\n{hotline}"
    )


def other_reply(province: Province) -> str:
    return (
        "Tôi là trợ lý phòng chống lừa đảo, chỉ trả lời được các câu hỏi về lừa đảo qua mạng. "
        f"Với thủ tục hành chính, bạn liên hệ công an xã, phường nơi cư trú hoặc {province.name}; "
        "khẩn cấp (tai nạn, cháy, có người bị đe dọa) gọi 113, 114, 115.\n\n"
        f"{hotline_line(province)}"
    )


def compose(
    analysis: Analysis,
    *,
    province: Province,
    tactics: dict[str, Tactic],
    intents: dict[str, IntentSpec],
) -> list[Reply]:
    """The bot's answer to an analysed message (reports and checks are completed by the engine)."""
    intent = analysis.intent
    if analysis.situation.topic is not None:
        return to_replies(topic_answer(analysis.situation.topic, province), MAIN_ACTIONS)
    if intent in ("greeting", "help", "thanks", "hotline"):
        return to_replies(fixed_reply(intents[intent], province), MAIN_ACTIONS)
    if intent == "other":
        return to_replies(other_reply(province), MAIN_ACTIONS)
    if analysis.tactic is not None and analysis.tactic in tactics:
        tactic = tactics[analysis.tactic]
        others = [
            tactics[c.tactic]
            for c in analysis.match.candidates[1:3]
            if c.tactic in tactics and analysis.match.ambiguous
        ]
        text = scam_answer(analysis, tactic, province, alternatives=others)
        return to_replies(text, scam_actions(tactic))
    return _no_match(analysis, province)


def scam_actions(tactic: Tactic) -> tuple[QuickReply, ...]:
    """Buttons under a scam answer: more on this tactic, then the main actions."""
    return (QuickReply("Xem thêm", f"MORE:{tactic.id}"), *MAIN_ACTIONS)


def topic_answer(topic: Topic, province: Province) -> str:
    """The answer to a message that is not a scam being told (see `app.nlu.situation`)."""
    hotline = hotline_line(province)
    texts: dict[str, str] = {
        "family": (
            "Đây là việc chuyển tiền bình thường trong gia đình, tôi không thấy dấu hiệu lừa đảo. "
            "Bạn chỉ chuyển vào số tài khoản đã biết chắc (của trường, của người nhà). Nếu tin nhắn "
            "đến từ số lạ, đòi gấp hoặc nhờ chuyển vào tài khoản khác, hãy gọi lại người thân "
            "bằng số quen để xác minh trước."
        ),
        "self": (
            "Chính bạn thao tác trên ứng dụng chính thức (tự nhập mã OTP khi tự đăng nhập, tự gia hạn "
            "gói cước) là bình thường. Chỉ cần nhớ: không đọc, không gửi mã OTP, mật khẩu cho bất kỳ ai, "
            "kể cả người xưng ngân hàng, nhà mạng hay công an. Thấy giao dịch lạ, gọi ngay tổng đài "
            f"chính thức của ngân hàng.\n\n{hotline}"
        ),
        "warning": (
            "Cảm ơn bạn đã chia sẻ cảnh báo. Điểm chính cần nhớ:\n"
            f'{general_rules()}\n\nGặp trường hợp như vậy, bạn có thể kể lại hoặc gõ "tố giác" '
            f"để báo cho công an.\n\n{hotline}"
        ),
        "emergency": (
            "🚨 Gọi ngay 115 để cấp cứu người bị thương, 113 để báo công an, 114 nếu có cháy. "
            "Đọc rõ địa chỉ, mốc gần nhất và tình trạng người bị nạn. Không di chuyển người bị thương "
            f"nặng nếu không cần thiết.\n\n{hotline}"
        ),
        "procedure": (
            "Khi đến công an xã, phường trình báo, bạn mang theo:\n"
            + _bullets(
                (
                    "Căn cước (hoặc giấy tờ tùy thân khác).",
                    "Ảnh chụp tin nhắn, cuộc gọi, trang web của kẻ gian.",
                    "Sao kê hoặc biên lai chuyển tiền (nếu đã chuyển).",
                    "Số điện thoại, số tài khoản, đường link của kẻ gian.",
                )
            )
            + "\nKhông cần viết đơn sẵn: cán bộ sẽ hướng dẫn ghi lời trình báo. Bạn cũng có thể gõ "
            f'"tố giác" để gửi trước thông tin cho {province.name}.\n\n{hotline}'
        ),
        "lost_documents": (
            "Bạn làm ngay:\n"
            + _bullets(
                (
                    "Gọi tổng đài chính thức của ngân hàng để khóa thẻ ATM, thẻ tín dụng.",
                    "Trình báo công an xã, phường nơi mất giấy tờ, rồi làm thủ tục cấp lại căn cước.",
                    "Cảnh giác với người gọi báo nhặt được ví rồi đòi tiền hay mã OTP.",
                )
            )
            + f"\n\n{hotline}"
        ),
        "vneid": (
            "Chỉ tải ứng dụng VNeID của Bộ Công an từ App Store hoặc CH Play (Google Play), không tải "
            "qua đường link hay file người khác gửi. Định danh mức 2 làm trực tiếp tại công an xã, "
            f"phường, không qua điện thoại.\n\n{hotline}"
        ),
        "bot": (
            "Tôi là trợ lý ảo (chatbot) trả lời tự động của "
            f"{province.name}, không phải người thật. Việc gấp, bạn gọi đường dây nóng "
            f"{province.hotline} hoặc 113.\n\n{hotline}"
        ),
        "privacy": (
            "Thông tin của bạn được giữ bí mật: tôi chỉ chuyển tố giác cho cán bộ công an xử lý, "
            "không tiết lộ tên hay số điện thoại của bạn cho ai khác; pháp luật bảo vệ người tố giác "
            "tội phạm. Kẻ gian không biết ai đã tố giác.\n"
            "Tin nhắn của bạn được lưu để trả lời và để cán bộ xác minh; bạn nhắn "
            '"xóa dữ liệu của tôi" để xóa bất cứ lúc nào.\n\n'
            f'Khi sẵn sàng, bạn gõ "tố giác" để bắt đầu.\n\n{hotline}'
        ),
        "status": (
            "Bạn gửi mã tố giác (ví dụ CT-20261123-0042) từ đúng tài khoản đã gửi tố giác, tôi sẽ cho "
            f"biết trạng thái.\n\n{hotline}"
        ),
        "wait": f"Chỉ mất vài phút, vài câu hỏi ngắn.\n\n{hotline}",
        "thanks": (
            "Cảm ơn bạn đã liên hệ. Hãy chia sẻ cảnh báo với người thân, nhất là người lớn tuổi. "
            f"Cần hỗ trợ, bạn gọi {province.hotline}."
        ),
    }
    return texts[topic]
