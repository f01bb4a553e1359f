"""Checks of a phone number, bank account or link: tips on file and, for links, warning signs.

What a check may say: how many people (not tips) in this deployment reported the item, how many of
them an officer has taken up, the date of the latest, and
the tactic most named; which imported warning lists hold it, and when each was updated; for numbers
written with a foreign country code, that the call comes from abroad. Never who reported it, never
the reports' text. An item with no tips and on no list is never called safe: no report yet is all
we know.
"""

from __future__ import annotations

import phonenumbers
from sqlmodel import Session

from app.blocklist import service as blocklist
from app.blocklist.models import Kind
from app.catalog.models import Tactic
from app.catalog.official_domains import LinkAssessment, OfficialDomains, matches_by_domain
from app.checks.numbers import ForeignNumber, find_foreign_numbers
from app.nlu.entities import BankAccount, Entities
from app.text.formatting import VN_TZ, format_phone
from app.text.links import SHARED_HOSTS, URL_SHORTENERS
from app.tips import service as tips
from app.tips.models import MentionStats

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

    def check(
        self, entities: Entities, *, session: Session, brief: bool = False, text: str = ""
    ) -> str | None:
        """The check's text for the items in `entities` (and the foreign numbers written in `text`),
        or None when the message names none.

        `brief`: only the items (under a scam answer, which already gives the advice).
        """
        foreign = find_foreign_numbers(text, limit=MAX_ITEMS) if text else []
        blocks: list[str] = [self._foreign(number, session) for number in foreign]
        reported = False
        for phone in entities.phones[: max(0, MAX_ITEMS - len(blocks))]:
            stats = tips.phone_stats(session, phone=phone)
            listed = blocklist.lookup(session, Kind.phone, [phone])
            blocks.append(self._item(f"📞 Số {format_phone(phone)}", "số này", stats, listed))
            reported = reported or bool(stats and stats.count)
        for account in entities.bank_accounts[: max(0, MAX_ITEMS - len(blocks))]:
            stats = tips.account_stats(session, number=account.number)
            listed = blocklist.lookup(session, Kind.account, [account.number])
            blocks.append(self._item(f"🏦 Tài khoản {_account(account)}", "tài khoản này", stats, listed))
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

    def _item(self, head: str, what: str, stats: MentionStats | None, listed: list[blocklist.Hit]) -> str:
        lines = [_listed_line(hit, what) for hit in listed]
        if stats is not None and stats.count:
            lines.append(self._mentions(stats, what))
        if not lines:
            return (
                f"{head}: chưa có tố giác nào về {what} trong hệ thống. "
                f"Chưa có tố giác không có nghĩa là {what} đáng tin: hãy cẩn thận nếu họ đòi chuyển tiền "
                "hoặc xin mã OTP."
            )
        body = " ".join(lines)
        return f"{head}: ⚠️ {body} Đừng chuyển tiền và đừng làm theo yêu cầu của họ."

    def _foreign(self, number: ForeignNumber, session: Session) -> str:
        """A number with a foreign country code: never a call from a Vietnamese agency or bank."""
        shown = _international(number.e164)
        lines = [f"📞 Số {shown}: ⚠️ số quốc tế lạ, không phải số trong nước (mã +{number.country_code})."]
        if number.global_network:
            lines.append("Đây là đầu số vệ tinh hoặc mạng quốc tế: gọi lại có thể bị tính cước rất cao.")
        if number.warned:
            lines.append("Đầu số này đã được cảnh báo là hay bị dùng để gọi lừa đảo.")
        lines.extend(
            _capital(_listed_line(hit, "số này"))
            for hit in blocklist.lookup(session, Kind.phone, [number.e164])
        )
        lines.append(
            "Công an, ngân hàng, điện lực, cơ quan thuế ở Việt Nam không gọi bạn bằng số nước ngoài. "
            "Đừng gọi lại, đừng chuyển tiền, đừng làm theo yêu cầu của họ."
        )
        return " ".join(lines)

    def _mentions(self, stats: MentionStats, what: str) -> str:
        # People, not tips: one person filing twenty tips is one reporter.
        text = f"{stats.reporters} người đã tố giác {what}"
        if stats.verified:
            text += f", {stats.verified} đã được cán bộ xác minh"
        if stats.last_at is not None:
            text += f", gần nhất ngày {stats.last_at.astimezone(VN_TZ):%d/%m/%Y}"
        names = [self.tactics[t].name for t, _ in stats.tactics if t in self.tactics][:2]
        if names:
            text += f"; thủ đoạn được nêu: {', '.join(names)}"
        return text + "."

    def _link(self, found: LinkAssessment, session: Session) -> tuple[str, bool]:
        """The link's block, and whether tips name it."""
        parts = found.parts
        lines = [f"🔗 {parts.url}"]
        if not parts.valid:
            lines.append(
                "Tôi không đọc được tên miền trong link này. Bạn chép lại đầy đủ địa chỉ giúp tôi nhé."
            )
            return "\n".join(lines), False
        listed = self._listed_link(found, session)
        if found.official is not None and not parts.has_userinfo and not listed:
            lines.append(
                f"Tên miền này thuộc {found.official.name} ({found.official.domain}). "
                "Dù vậy, hãy tự gõ địa chỉ hoặc dùng ứng dụng chính thức thay vì bấm link người khác gửi."
            )
        lines.extend(f"⚠️ {line}" for line in listed)
        signs = _signs(found)
        lines.extend(f"⚠️ {s}" for s in signs)
        reported = False
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
        if not signs and not reported and not listed and found.official is None:
            lines.append(
                "Chưa có tố giác nào về link này và tôi không thấy dấu hiệu giả mạo rõ ràng trong địa chỉ. "
                "Điều đó không có nghĩa là trang đáng tin: đừng nhập mật khẩu, mã OTP hay số thẻ vào đó."
            )
        elif signs or reported or listed:
            lines.append("Đừng mở link này, đừng nhập mật khẩu, mã OTP hay thông tin thẻ.")
        return "\n".join(lines), reported

    def _listed_link(self, found: LinkAssessment, session: Session) -> list[str]:
        """Warning-list lines for a link: its host or a parent domain listed, the exact link listed,
        or (for a host no list names) a listed site with the same name under another ending."""
        parts = found.parts
        if not parts.valid:
            return []
        on_official = found.official is not None and not parts.has_userinfo
        labels = parts.host.split(".")
        depth = len(parts.domain.split("."))
        hosts = (
            [parts.host] if parts.is_ip else [".".join(labels[i:]) for i in range(len(labels) - depth + 1)]
        )
        # an official site is never listed as a whole; one page on it may be (sites.google.com/view/…)
        hits = [] if on_official else blocklist.lookup(session, Kind.domain, hosts)
        hits += [
            h
            for h in blocklist.lookup(session, Kind.url, [parts.url_key])
            if h.source not in {x.source for x in hits}
        ]
        if hits:
            return [
                _capital(_listed_line(hit, f"tên miền {hit.value}" if "/" not in hit.value else "link này"))
                for hit in hits
            ]
        if on_official or parts.is_ip or parts.domain in SHARED_OR_SHORT:
            return []
        return [
            f"Tên miền này gần giống {hit.value.split('/', 1)[0]}, có trong danh sách cảnh báo của "
            f"{hit.source} (cập nhật ngày {_day(hit)})."
            for hit in blocklist.lookup_stem(session, parts.host)
            if hit.value.split("/", 1)[0] != parts.host
        ]


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


SHARED_OR_SHORT = SHARED_HOSTS | URL_SHORTENERS


def _day(hit: blocklist.Hit) -> str:
    return f"{hit.updated_at.astimezone(VN_TZ):%d/%m/%Y}"


def _listed_line(hit: blocklist.Hit, what: str) -> str:
    return f"{what} có trong danh sách cảnh báo của {hit.source}, cập nhật ngày {_day(hit)}."


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _international(e164: str) -> str:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return shown.replace("-", " ")  # "+375 29 123 45 67", as Vietnamese numbers are written


def _account(account: BankAccount) -> str:
    return f"{account.number} ({account.bank})" if account.bank else account.number
