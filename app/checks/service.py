"""Checks of a phone number, bank account or link: tips on file and, for links, warning signs.

What a check may say: how many tips in this deployment name the item, the date of the latest, and
the tactic most named. Never who reported it, never the reports' text. An item with no tips is
never called safe: no report yet is all we know.
"""

from __future__ import annotations

from sqlmodel import Session

from app.catalog.models import Tactic
from app.checks.domains import LinkAssessment, OfficialDomains, matches_by_domain
from app.nlu.entities import BankAccount, Entities
from app.tips import service as tips
from app.tips.formatting import format_phone
from app.tips.models import VN_TZ, MentionStats

__all__ = ["MAX_ITEMS", "Checker"]

MAX_ITEMS = 5  # items checked per message; more is a list, not a question

# Not composer.general_rules(): its "tài khoản an toàn" warning would put the word "an toàn" (safe)
# next to a number we know nothing about.
_ADVICE = (
    "Lời khuyên chung:\n"
    "• Không chuyển tiền, không đưa mã OTP, mật khẩu cho người lạ, kể cả khi họ xưng là công an, ngân hàng.\n"
    "• Không bấm link, không cài ứng dụng do người lạ gửi.\n"
    "• Tự gọi lại số tổng đài chính thức (in trên thẻ, hóa đơn, trang web chính thức) để xác minh."
)
_NOTE = "Số tố giác là thông tin người dân gửi đến, chưa phải kết luận của cơ quan công an."


class Checker:
    """Answers the `check` intent. Built once per engine."""

    def __init__(self, domains: OfficialDomains, tactics: dict[str, Tactic]) -> None:
        self.domains = domains
        self.tactics = tactics

    def check(self, entities: Entities, *, session: Session | None, brief: bool = False) -> str | None:
        """The check's text for the items in `entities`, or None when the message names none.

        `brief`: only the items (under a scam answer, which already gives the advice).
        """
        blocks: list[str] = []
        reported = False
        for phone in entities.phones[:MAX_ITEMS]:
            stats = tips.phone_stats(session, phone=phone) if session is not None else None
            blocks.append(self._item(f"📞 Số {format_phone(phone)}", "số này", stats))
            reported = reported or bool(stats and stats.count)
        for account in entities.bank_accounts[: MAX_ITEMS - len(blocks)]:
            stats = tips.account_stats(session, number=account.number) if session is not None else None
            blocks.append(self._item(f"🏦 Tài khoản {_account(account)}", "tài khoản này", stats))
            reported = reported or bool(stats and stats.count)
        for url in entities.urls[: max(0, MAX_ITEMS - len(blocks))]:
            block, link_reported = self._link(self.domains.assess(url), session)
            blocks.append(block)
            reported = reported or link_reported
        if not blocks:
            return None
        if brief:
            return "\n\n".join(blocks)
        return "\n\n".join([*blocks, _ADVICE, *([_NOTE] if reported else [])])

    def _item(self, head: str, what: str, stats: MentionStats | None) -> str:
        if stats is None or stats.count == 0:
            return (
                f"{head}: chưa có tố giác nào về {what} trong hệ thống. "
                f"Chưa có tố giác không có nghĩa là {what} đáng tin: hãy cẩn thận nếu họ đòi chuyển tiền "
                "hoặc xin mã OTP."
            )
        return f"{head}: ⚠️ {self._mentions(stats, what)} Đừng chuyển tiền và đừng làm theo yêu cầu của họ."

    def _mentions(self, stats: MentionStats, what: str) -> str:
        text = f"đã có {stats.count} tố giác về {what}"
        if stats.last_at is not None:
            text += f", gần nhất ngày {stats.last_at.astimezone(VN_TZ):%d/%m/%Y}"
        names = [self.tactics[t].name for t, _ in stats.tactics if t in self.tactics][:2]
        if names:
            text += f"; thủ đoạn được nêu: {', '.join(names)}"
        return text + "."

    def _link(self, found: LinkAssessment, session: Session | None) -> tuple[str, bool]:
        """The link's block, and whether tips name it."""
        parts = found.parts
        lines = [f"🔗 {parts.url}"]
        if not parts.valid:
            lines.append(
                "Tôi không đọc được tên miền trong link này. Bạn chép lại đầy đủ địa chỉ giúp tôi nhé."
            )
            return "\n".join(lines), False
        if found.official is not None and not parts.has_userinfo:
            lines.append(
                f"Tên miền này thuộc {found.official.name} ({found.official.domain}). "
                "Dù vậy, hãy tự gõ địa chỉ hoặc dùng ứng dụng chính thức thay vì bấm link người khác gửi."
            )
        signs = _signs(found)
        lines.extend(f"⚠️ {s}" for s in signs)
        reported = False
        if session is not None:
            if matches_by_domain(parts, self.domains):
                stats = tips.domain_stats(session, domain=parts.domain)
                what = f"tên miền {parts.domain}"
            else:
                stats = tips.link_key_stats(session, url_key=parts.url_key)
                what = "link này"
            if stats.count:
                reported = True
                mentions = self._mentions(stats, what)
                lines.append(f"⚠️ {mentions[0].upper()}{mentions[1:]}")
        if not signs and not reported and found.official is None:
            lines.append(
                "Chưa có tố giác nào về link này và tôi không thấy dấu hiệu giả mạo rõ ràng trong địa chỉ. "
                "Điều đó không có nghĩa là trang đáng tin: đừng nhập mật khẩu, mã OTP hay số thẻ vào đó."
            )
        elif signs or reported:
            lines.append("Đừng mở link này, đừng nhập mật khẩu, mã OTP hay thông tin thẻ.")
        return "\n".join(lines), reported


def _signs(found: LinkAssessment) -> list[str]:
    parts = found.parts
    signs: list[str] = []
    if found.lookalike is not None:
        signs.append(
            f"{parts.host} trông giống {found.lookalike.domain} ({found.lookalike.name}) nhưng không phải "
            "trang chính thức."
        )
    if parts.has_userinfo:
        signs.append(f"Link có dấu @ để đánh lừa: trang thật sự sẽ mở là {parts.host}.")
    if parts.is_ip:
        signs.append("Link dùng địa chỉ IP thay cho tên miền: trang chính thức không làm vậy.")
    if found.punycode:
        signs.append(f"Tên miền dùng ký tự đặc biệt giả chữ cái (punycode): {found.unicode_host}.")
    if found.shortener:
        signs.append("Đây là link rút gọn: không biết trang thật phía sau là gì.")
    if found.risky_tld:
        signs.append(f'Đuôi tên miền ".{parts.tld}" hay bị dùng cho trang lừa đảo.')
    return signs


def _account(account: BankAccount) -> str:
    return f"{account.number} ({account.bank})" if account.bank else account.number
