"""The conversation engine shared by every channel: a message in, replies out.

Channels, the web chat and the terminal chat all call `Engine.handle`; nothing here knows which
channel a message came from.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlmodel import Session

from app.checks.domains import OfficialDomains
from app.checks.service import Checker
from app.conversation.messages import IncomingMessage
from app.conversation.report_flow import REPORT_FLOW, ReportFlow
from app.conversation.state import load_state
from app.nlu.analyzer import Analysis, Analyzer
from app.provinces import Province, Provinces, load_provinces
from app.replies.composer import (
    MAIN_ACTIONS,
    Reply,
    compose,
    fixed_reply,
    hotline_line,
    tactic_warning,
    to_replies,
)
from app.settings import Settings
from app.tips.rights import forget_citizen, is_forget_request

__all__ = ["Engine"]

MAX_TEXT = 2000  # longer messages are cut before analysis: the bot reads the first 2,000 characters

ATTACHMENT_ONLY = (
    "Tôi chưa xem được hình ảnh, âm thanh hay tệp đính kèm. "
    "Bạn mô tả lại bằng lời hoặc dán nội dung tin nhắn đáng ngờ vào đây giúp tôi nhé."
)
EMPTY = "Tôi chưa hiểu tin nhắn của bạn. Bạn kể lại tình huống bằng lời giúp tôi: ai liên hệ, họ yêu cầu gì?"
CHECK_PROMPT = "Bạn gửi số điện thoại, số tài khoản (kèm tên ngân hàng) hoặc đường link cần kiểm tra nhé."
NO_DRAFT = 'Bạn không có tố giác nào đang soạn. Khi cần, bạn bấm "Tố giác" để bắt đầu.'
REPORT_PROMPT = (
    "Bạn kể lại sự việc giúp tôi: ai liên hệ, số điện thoại hoặc số tài khoản của họ, "
    "số tiền đã mất (nếu có) và thời gian."
)


class Engine:
    """Understanding plus composition, built once per process."""

    def __init__(
        self, analyzer: Analyzer, provinces: Provinces, *, official_domains: OfficialDomains | None = None
    ) -> None:
        self.analyzer = analyzer
        self.provinces = provinces
        # Called after each analysis with its duration in seconds (the service's metrics hook).
        self.on_analysis: Callable[[Analysis, float], None] | None = None
        self.reports = ReportFlow(
            self.analyze, analyzer.tactics, analyze_draft=lambda text: analyzer.analyze(text[:MAX_TEXT])
        )
        self.checker = Checker(official_domains or OfficialDomains.load(), analyzer.tactics)

    @classmethod
    def from_settings(cls, settings: Settings) -> Engine:
        analyzer = Analyzer.from_files(settings.catalog_path, settings.intents_dir)
        return cls(analyzer, load_provinces(settings.provinces_path, settings.default_province))

    def analyze(self, text: str) -> Analysis:
        started = time.perf_counter()
        analysis = self.analyzer.analyze(text[:MAX_TEXT])
        if self.on_analysis is not None:
            self.on_analysis(analysis, time.perf_counter() - started)
        return analysis

    def reply(self, text: str, *, province: Province) -> list[Reply]:
        """Answer one text message without conversation state."""
        analysis = self.analyze(text)
        return compose(
            analysis, province=province, tactics=self.analyzer.tactics, intents=self.analyzer.intents
        )

    def _payload(self, payload: str, province: Province) -> list[Reply] | None:
        kind, _, value = payload.partition(":")
        intents = self.analyzer.intents
        if kind == "ACTION":
            if value in ("HELP", "HOTLINE", "GREETING"):  # GREETING: a new follower's welcome
                return _simple(fixed_reply(intents[value.lower()], province))
            if value == "CHECK":
                return _simple(CHECK_PROMPT)
            if value == "REPORT":
                return _simple(REPORT_PROMPT)
        if kind == "REPORT":  # a button of a report draft that is gone (sent, cancelled or deleted)
            return _simple(NO_DRAFT)
        if kind == "TACTIC" and value in self.analyzer.tactics:
            return _simple(tactic_warning(self.analyzer.tactics[value], province, urgent=False))
        return None

    def handle(
        self, message: IncomingMessage, *, province: Province, session: Session | None = None
    ) -> list[Reply]:
        """Answer one incoming message (quick-reply payloads, attachments and text).

        With a session, multi-turn flows run too: data-rights requests, an open report draft,
        and a new report (a report message or the "Tố giác" button). The caller commits.
        """
        text = (message.text or "").strip()
        analysis: Analysis | None = None
        if session is not None:
            if text and is_forget_request(text):
                return self._forget(message, session)
            state = load_state(session, channel=message.channel, user_id=message.user_id)
            if state is not None and state.flow == REPORT_FLOW:
                result = self.reports.on_message(message, state, province=province, session=session)
                if result.replies is not None:
                    return result.replies
                return self._stateless(message, text, province, session, None) + result.after
            if "ACTION:REPORT" in ((message.payload or "").strip(), text):
                return self.reports.start(message, None, province=province, session=session)
            if text and not _is_payload(message.payload) and not _is_payload(text):
                analysis = self.analyze(text)
                if analysis.intent == "report":
                    return self.reports.start(message, analysis, province=province, session=session)
        return self._stateless(message, text, province, session, analysis)

    def _stateless(
        self,
        message: IncomingMessage,
        text: str,
        province: Province,
        session: Session | None,
        analysis: Analysis | None,
    ) -> list[Reply]:
        """Answers that need no conversation state (checks read the tips when a session is given)."""
        for payload in (message.payload, message.text):
            if payload and _is_payload(payload):
                answer = self._payload(payload.strip(), province)
                if answer is not None:
                    return answer
        if not text:
            return _simple(ATTACHMENT_ONLY if message.attachments else EMPTY)
        analysis = analysis or self.analyze(text)
        if not analysis.message.tokens:  # emoji only, punctuation, invisible characters
            return _simple(EMPTY)
        if analysis.intent == "check":
            return self._check(analysis, province, session)
        if analysis.intent == "report" and analysis.tactic is None:  # no database here to hold a draft
            return _simple(f"{REPORT_PROMPT}\n\n{hotline_line(province)}")
        return compose(
            analysis, province=province, tactics=self.analyzer.tactics, intents=self.analyzer.intents
        )

    def _check(self, analysis: Analysis, province: Province, session: Session | None) -> list[Reply]:
        """A phone number, account or link to look up: tips on file and warning signs."""
        found = self.checker.check(analysis.entities, session=session)
        if found is None:
            return _simple(CHECK_PROMPT)
        parts = [found]
        if analysis.tactic is not None and analysis.tactic in self.analyzer.tactics:
            parts.insert(
                0, tactic_warning(self.analyzer.tactics[analysis.tactic], province, urgent=analysis.urgent)
            )
        else:
            parts.append(hotline_line(province))
        return _simple("\n\n".join(parts))

    def _forget(self, message: IncomingMessage, session: Session) -> list[Reply]:
        done = forget_citizen(session, channel=message.channel, user_id=message.user_id)
        lines = []
        if done.draft:
            lines.append("• Tố giác bạn đang soạn dở: đã xóa.")
        if done.messages:
            lines.append("• Nội dung các tin nhắn cũ giữa bạn và tôi: đã xóa.")
        if done.tips:
            refs = ", ".join(done.tips[:10])
            lines.append(
                f"• Liên kết giữa bạn và {len(done.tips)} tố giác đã gửi ({refs}): đã xóa. "
                "Thông tin về kẻ gian trong các tố giác vẫn được giữ để cơ quan công an xử lý."
            )
        if not lines:
            return _simple("Tôi không còn lưu cuộc trò chuyện hay tố giác nào gắn với bạn.")
        return _simple("🗑️ Đã xóa dữ liệu của bạn:\n" + "\n".join(lines))


def _is_payload(value: str | None) -> bool:
    """A quick-reply or postback payload ("ACTION:HELP", "TACTIC:otp_theft"), not typed text."""
    if not value:
        return False
    return value.isascii() and value.split(":", 1)[0] in ("ACTION", "TACTIC", "REPORT")


def _simple(text: str) -> list[Reply]:
    return to_replies(text, MAIN_ACTIONS)
