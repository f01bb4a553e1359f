"""The conversation engine shared by every channel: a message in, replies out.

Channels, the web chat and the terminal chat all call `Engine.handle`; nothing here knows which
channel a message came from.
"""

from __future__ import annotations

from sqlmodel import Session

from app.conversation.messages import IncomingMessage
from app.nlu.analyzer import Analysis, Analyzer
from app.provinces import Province, Provinces, load_provinces
from app.replies.composer import MAIN_ACTIONS, Reply, compose, fixed_reply, split_text, tactic_warning
from app.settings import Settings

__all__ = ["Engine"]

MAX_TEXT = 2000  # longer messages are cut before analysis: the bot reads the first 2,000 characters

ATTACHMENT_ONLY = (
    "Tôi chưa xem được hình ảnh, âm thanh hay tệp đính kèm. "
    "Bạn mô tả lại bằng lời hoặc dán nội dung tin nhắn đáng ngờ vào đây giúp tôi nhé."
)
EMPTY = "Tôi chưa hiểu tin nhắn của bạn. Bạn kể lại tình huống bằng lời giúp tôi: ai liên hệ, họ yêu cầu gì?"
CHECK_PROMPT = "Bạn gửi số điện thoại, số tài khoản (kèm tên ngân hàng) hoặc đường link cần kiểm tra nhé."
REPORT_PROMPT = (
    "Bạn kể lại sự việc giúp tôi: ai liên hệ, số điện thoại hoặc số tài khoản của họ, "
    "số tiền đã mất (nếu có) và thời gian."
)


class Engine:
    """Understanding plus composition, built once per process."""

    def __init__(self, analyzer: Analyzer, provinces: Provinces) -> None:
        self.analyzer = analyzer
        self.provinces = provinces

    @classmethod
    def from_settings(cls, settings: Settings) -> Engine:
        analyzer = Analyzer.from_files(settings.catalog_path, settings.intents_dir)
        return cls(analyzer, load_provinces(settings.provinces_path, settings.default_province))

    def analyze(self, text: str) -> Analysis:
        return self.analyzer.analyze(text[:MAX_TEXT])

    def reply(self, text: str, *, province: Province) -> list[Reply]:
        """Answer one text message without conversation state."""
        analysis = self.analyze(text)
        return compose(analysis, province=province, tactics=self.analyzer.tactics, intents=self.analyzer.intents)

    def _payload(self, payload: str, province: Province) -> list[Reply] | None:
        kind, _, value = payload.partition(":")
        intents = self.analyzer.intents
        if kind == "ACTION":
            if value in ("HELP", "HOTLINE"):
                return _simple(fixed_reply(intents[value.lower()], province))
            if value == "CHECK":
                return _simple(CHECK_PROMPT)
            if value == "REPORT":
                return _simple(REPORT_PROMPT)
        if kind == "TACTIC" and value in self.analyzer.tactics:
            return _simple(tactic_warning(self.analyzer.tactics[value], province, urgent=False))
        return None

    def handle(self, message: IncomingMessage, *, province: Province, session: Session | None = None) -> list[Reply]:
        """Answer one incoming message (quick-reply payloads, attachments and text)."""
        del session  # the stateless engine does not need it
        for payload in (message.payload, message.text):
            if payload and payload.isascii() and payload.split(":", 1)[0] in ("ACTION", "TACTIC"):
                answer = self._payload(payload.strip(), province)
                if answer is not None:
                    return answer
        text = (message.text or "").strip()
        if not text:
            return _simple(ATTACHMENT_ONLY if message.attachments else EMPTY)
        analysis = self.analyze(text)
        if not analysis.message.tokens:  # emoji only, punctuation, invisible characters
            return _simple(EMPTY)
        return compose(analysis, province=province, tactics=self.analyzer.tactics, intents=self.analyzer.intents)


def _simple(text: str) -> list[Reply]:
    parts = split_text(text)
    return [Reply(p, MAIN_ACTIONS if i == len(parts) - 1 else ()) for i, p in enumerate(parts)]
