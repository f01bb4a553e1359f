"""The report conversation: privacy notice and consent, up to three questions, summary, tip.

The draft lives in the conversation state table (`app.conversation.state`), so a report survives a
restart and may continue on another worker. Every citizen turn that carries content is kept as
written (NFC); phones, accounts, links and the amount are merged across turns.

Steps: ``consent`` (notice + "Bạn có đồng ý không?"), ``question`` (what happened / contacts /
amount and when, each asked at most once, only when missing), ``confirm`` (summary + "Gửi tố
giác?"). A report complete in its first message goes straight to ``confirm_all``: notice, summary
and one question that gives consent and confirms together.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlmodel import Session

from app.catalog.models import Tactic
from app.conversation.memo import MEMO_FLOW, CaseFacts, Memo
from app.conversation.messages import IncomingMessage
from app.conversation.state import StoredState, clear_state, save_state
from app.nlu.analyzer import Analysis
from app.nlu.banks import BANKS
from app.provinces import Province
from app.replies.composer import (
    MAIN_ACTIONS,
    QuickReply,
    Reply,
    hotline_line,
    to_replies,  # split at 2,000 characters, quick replies on the last
    topic_answer,
    urgent_steps,
)
from app.storage import utcnow
from app.text.normalize import fold, normalize
from app.tips.formatting import format_phone, format_vnd
from app.tips.models import VN_TZ, TipRead
from app.tips.service import NewTip, create_tip

__all__ = [
    "DRAFT_IDLE",
    "REPORT_FLOW",
    "FlowResult",
    "ReportDraft",
    "ReportFlow",
    "has_story",
    "is_bare_report_request",
]

REPORT_FLOW = "report"
DRAFT_IDLE = dt.timedelta(minutes=30)  # after this much silence the draft is paused, not lost
MAX_DRAFT_TURNS = 20

Step = Literal["consent", "question", "confirm", "confirm_all"]
Question = Literal["what", "contacts", "amount"]
QUESTIONS: tuple[Question, ...] = ("what", "contacts", "amount")

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


class AccountDraft(BaseModel):
    number: str
    bank: str | None = None
    holder: str | None = None


class ReportDraft(BaseModel):
    """What the conversation has gathered so far (stored as JSON in the state row)."""

    step: Step = "consent"
    question: Question | None = None
    asked: list[Question] = Field(default_factory=list)
    turns: list[str] = Field(default_factory=list)
    story: bool = False
    phones: list[str] = Field(default_factory=list)
    accounts: list[AccountDraft] = Field(default_factory=list)
    urls: list[str] = Field(default_factory=list)
    socials: list[str] = Field(default_factory=list)
    pages: list[str] = Field(default_factory=list)
    amount_vnd: int | None = None
    paid: list[int] = Field(default_factory=list)  # distinct amounts paid, across turns
    no_loss: bool = False
    incident_when: str | None = None
    incident_date: dt.date | None = None
    urgent: bool = False
    lost: bool = False
    tactic_scores: dict[str, float] = Field(default_factory=dict)
    memo: dict[str, Any] = Field(default_factory=dict)  # the conversation's memo, kept with the draft
    channel_id: str = ""
    province: str = ""
    display_name: str | None = None
    started_at: dt.datetime
    paused: bool = False
    reminded_at: dt.datetime | None = None

    @property
    def has_contacts(self) -> bool:
        return bool(self.phones or self.accounts or self.urls or self.socials)

    @property
    def has_amount(self) -> bool:
        return self.amount_vnd is not None or self.no_loss

    @property
    def complete(self) -> bool:
        return self.story and self.has_contacts and self.has_amount

    def missing(self, question: Question) -> bool:
        if question == "what":
            return not self.story
        if question == "contacts":
            return not self.has_contacts
        return not self.has_amount

    def next_question(self) -> Question | None:
        for question in QUESTIONS:
            if question not in self.asked and self.missing(question):
                return question
        return None


@dataclass(frozen=True, slots=True)
class FlowResult:
    """The flow's answer; `replies is None` means "not for the report flow: answer normally"
    (a paused draft and an unrelated message), then add `after`."""

    replies: list[Reply] | None
    after: list[Reply]


# --------------------------------------------------------------------------- reading citizens' answers

Control = Literal["yes", "no", "skip", "done", "continue", "cancel"]

_PAYLOADS: dict[str, Control] = {
    "REPORT:YES": "yes",
    "REPORT:NO": "no",
    "REPORT:SKIP": "skip",
    "REPORT:DONE": "done",
    "REPORT:CONTINUE": "continue",
    "REPORT:CANCEL": "cancel",
}
_PARTICLES = frozenset(
    {"da", "a", "nhe", "nha", "roi", "di", "ad", "oi", "ban", "em", "anh", "chi", "ak", "ah", "thi"}
)
_YES_WORDS = frozenset(
    {
        "co",
        "dong",
        "y",
        "ok",
        "oke",
        "okay",
        "okie",
        "vang",
        "u",
        "uh",
        "um",
        "uhm",
        "yes",
        "dung",
        "gui",
        "luon",
    }
)
_YES_PHRASES = frozenset({"xac nhan", "chac chan", "dong y", "gui di", "co gui"})
_NO_WORDS = frozenset({"khong", "no", "thoi", "chua"})
_PHRASES: dict[str, Control] = {
    "bo qua": "skip",
    "skip": "skip",
    "qua cau khac": "skip",
    "cau khac": "skip",
    "xong": "done",
    "xong roi": "done",
    "het": "done",
    "du": "done",
    "vay thoi": "done",
    "the thoi": "done",
    "khong con gi": "done",
    "tiep tuc": "continue",
    "tiep": "continue",
    "lam tiep": "continue",
    "tiep tuc to giac": "continue",
    "huy": "cancel",
    "huy bo": "cancel",
    "huy to giac": "cancel",
    "thoi huy": "cancel",
    "khong gui nua": "cancel",
    "dung lai": "cancel",
}


def _words(text: str) -> tuple[str, ...]:
    return normalize(text).tokens


def read_control(text: str, payload: str | None) -> Control | None:
    """A control answer (yes/no/skip/done/continue/cancel) in a short message, else None."""
    if payload and payload.strip() in _PAYLOADS:
        return _PAYLOADS[payload.strip()]
    if text.strip() in _PAYLOADS:
        return _PAYLOADS[text.strip()]
    words = _words(text)
    if not words or len(words) > 6:
        return None
    core = [w for w in words if w not in _PARTICLES]
    phrase = " ".join(core)
    if phrase in _PHRASES:
        return _PHRASES[phrase]
    if not core:
        return "yes" if "da" in words else None  # "dạ", "dạ ạ"
    if any(w in _NO_WORDS for w in core) and all(w in _NO_WORDS | _YES_WORDS | {"muon"} for w in core):
        return "no"  # "không", "không gửi", "không đồng ý", "thôi", "chưa"
    if all(w in _YES_WORDS for w in core) or phrase in _YES_PHRASES:
        return "yes"
    return None


_NO_LOSS_RE = re.compile(
    r"(?<![a-z])(?P<pre>\w+\s+)?(?:chua|khong|may|kip)\s+(?:bi\s+|co\s+)?"
    r"(?:mat|chuyen|chuyen khoan|dong|nop|thiet hai|dung lai|mat dong nao)(?![a-z])"
)
_CONDITIONAL = frozenset({"neu", "bat", "bao", "phai", "ma", "de"})


def says_no_loss(text: str) -> bool:
    """ "chưa mất tiền", "không bị mất", "may mà chưa chuyển" - not "nếu không chuyển thì ..." """
    folded = normalize(text).folded
    for m in _NO_LOSS_RE.finditer(folded):
        pre = (m.group("pre") or "").strip()
        if pre not in _CONDITIONAL:
            return True
    return False


_WHEN_RE = re.compile(
    r"(?<![\w/])(?:"
    r"(?:ngay\s+)?\d{1,2}\s*[/\-]\s*\d{1,2}(?:\s*[/\-]\s*\d{2,4})?"
    r"|ngay\s+\d{1,2}\s+thang\s+\d{1,2}(?:\s+nam\s+\d{4})?"
    r"|(?:sang|trua|chieu|toi|dem)\s+(?:nay|qua|hom qua|hom kia)"
    r"|hom\s+(?:nay|qua|kia)"
    r"|(?:tuan|thang)\s+(?:truoc|nay|roi)"
    r"|nam\s+ngoai"
    r"|\d{1,2}\s+(?:ngay|hom|tuan|thang)\s+(?:truoc|nay)"
    r"|luc\s+nay|vua\s+xong|moi\s+day"
    r")(?!\w)"
)


def find_when(text: str) -> str | None:
    """When it happened, as the citizen wrote it ("hôm qua", "20/11")."""
    nfc = unicodedata.normalize("NFC", text)
    folded = fold(nfc)
    m = _WHEN_RE.search(folded)
    if m is None:
        return None
    if len(folded) == len(nfc):
        return nfc[m.start() : m.end()].strip()[:128]
    return m.group().strip()[:128]


def resolve_date(text: str, today: dt.date) -> dt.date | None:
    """The calendar day the citizen's words name (never in the future)."""
    try:
        from app.nlu.entities import find_incident_date  # type: ignore[attr-defined]
    except ImportError:
        return None
    found: dt.date | None = find_incident_date(text, today)[0]
    return found


_SOCIAL_RE = re.compile(
    r"(?<!\w)(?P<app>facebook|fb|face|zalo|zl|telegram|tele|tiktok|instagram|ig|messenger|viber|whatsapp)"
    r"(?:\s+(?:tên|ten|nick|id|acc|là|la))?\s*[:\-]?\s*"
    r"(?P<name>@[\w.]{3,32}|(?:[A-ZĐ][^\W\d_]*)(?:\s+[A-ZĐ][^\W\d_]*){0,4})",
    re.IGNORECASE,
)


def find_socials(text: str) -> list[str]:
    """Social accounts named with their app: "Telegram @abc", "Facebook Nguyễn Văn B"."""
    out: list[str] = []
    for m in _SOCIAL_RE.finditer(unicodedata.normalize("NFC", text)):
        name = m.group("name").strip()
        if not name.startswith("@") and not name[:1].isupper():
            continue  # "zalo mình" is not an account name
        out.append(f"{m.group('app').capitalize()} {name}")
    return out


# Words of a bare wish to report ("tôi muốn tố giác số này"): no story in them.
def _bank_patterns() -> list[tuple[re.Pattern[str], str]]:
    patterns = []
    for bank in BANKS:
        if bank.weak:
            continue
        for alias in bank.aliases:
            folded = " ".join(fold(alias).split())
            patterns.append((re.compile(rf"(?<![a-z0-9]){re.escape(folded)}(?![a-z0-9])"), bank.canonical))
    return sorted(patterns, key=lambda p: -len(p[0].pattern))


_BANK_PATTERNS = _bank_patterns()


def bank_named(text: str) -> str | None:
    """The bank a message names without an account number ("tài khoản đó là Techcombank")."""
    folded = " ".join(fold(text).split())
    for pattern, name in _BANK_PATTERNS:
        if pattern.search(folded):
            return name
    return None


_REPORT_WORDS = (
    frozenset({"toi", "em", "minh", "muon", "can", "xin", "to", "giac", "cao", "trinh", "bao", "cong", "an"})
    | {"so", "dien", "thoai", "tai", "khoan", "stk", "link", "nay", "voi", "giup", "ad", "admin", "a", "oi"}
    | {"cho", "ve", "vu", "viec", "lam", "don", "di", "nhe", "nha", "nhu", "vua", "ke", "tren", "noi"}
)


def is_bare_report_request(analysis: Analysis) -> bool:
    """ "tôi muốn tố giác": a wish to report with nothing to store yet."""
    e = analysis.entities
    if e.phones or e.bank_accounts or e.urls or e.amount_vnd is not None:
        return False
    return not has_story(analysis)


def has_story(analysis: Analysis) -> bool:
    """The message tells what happened (a tactic, fraud words, or enough words of its own)."""
    if analysis.match.tactic is not None or "scam" in analysis.cues:
        return True
    words = [t for t in analysis.message.tokens if t.isalpha() and t not in _REPORT_WORDS]
    return len(words) >= 6


# --------------------------------------------------------------------------- formatting


def _local(when: dt.datetime) -> dt.datetime:
    return when.astimezone(VN_TZ)


def _excerpt(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --------------------------------------------------------------------------- the flow


class ReportFlow:
    """Runs report drafts; built once per engine."""

    def __init__(
        self,
        analyze: Callable[[str], Analysis],
        tactics: dict[str, Tactic],
        *,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.analyze = analyze  # a citizen's message, analysed once (counted in the service metrics)
        self.tactics = tactics
        # Server time, not the platform's message timestamp: it dates the tip and its reference code.
        self.clock = clock

    # ----------------------------------------------------------------- entry points

    def start(
        self,
        message: IncomingMessage,
        facts: CaseFacts | None,
        *,
        province: Province,
        session: Session,
        earlier: CaseFacts | None = None,
        memo: Memo | None = None,
    ) -> list[Reply]:
        """A citizen wants to report (a report message, the "Tố giác" button).

        What they told just before (`earlier`, from the conversation's memo) is carried into the
        draft: "tố giác" after a description, or "tố giác như tôi vừa kể".
        """
        now = self.clock()
        draft = ReportDraft(
            started_at=now,
            channel_id=message.channel_id,
            province=province.id,
            display_name=message.display_name,
        )
        if memo is not None:
            draft.memo = memo.model_dump(mode="json")
        if earlier is not None and earlier.story and (facts is None or earlier.text != facts.text):
            self._merge(draft, earlier)
        if facts is not None and not _bare(facts):
            self._merge(draft, facts)
        urgent = self._urgent_head(draft, province)
        if draft.complete:
            draft.step = "confirm_all"
            text = "\n\n".join((*urgent, self._summary(draft), self._notice(province), _CONFIRM_ALL))
            return self._save(session, message, draft, now, to_replies(text, (YES, NO)))
        draft.step = "consent"
        intro = "Cảm ơn bạn đã tố giác." if draft.turns else "Tôi sẽ giúp bạn tố giác."
        text = "\n\n".join((*urgent, intro, self._notice(province), "Bạn có đồng ý không?"))
        return self._save(session, message, draft, now, to_replies(text, (YES, NO)))

    def on_message(
        self,
        message: IncomingMessage,
        state: StoredState,
        *,
        province: Province,
        session: Session,
        memo: Memo | None = None,
    ) -> FlowResult:
        """A message from a citizen who has a draft open."""
        now = self.clock()
        try:
            draft = ReportDraft.model_validate(state.data)
        except ValueError:  # a draft from an incompatible version: drop it, answer normally
            clear_state(session, channel=message.channel, user_id=message.user_id)
            return FlowResult(None, [])
        text = (message.text or "").strip()
        control = read_control(text, message.payload)
        if message.display_name and not draft.display_name:
            draft.display_name = message.display_name

        if not draft.paused and now - state.updated_at > DRAFT_IDLE:
            draft.paused = True
            draft.reminded_at = None
        if draft.paused:
            return self._paused(message, draft, control, province=province, session=session, now=now)
        button = _menu_button(message)
        if button == "ACTION:REPORT" or _folded(text) == "to giac":  # "Tố giác" again: where were we?
            return FlowResult(self._prompt(session, message, draft, province, now, resumed=True), [])
        if button is not None:  # another menu button: answer it, keep the draft waiting
            self._save(session, message, draft, now, [])
            text = 'Tố giác của bạn vẫn đang chờ. Nhắn "tiếp tục" để làm tiếp, hoặc "hủy" để bỏ.'
            return FlowResult(None, to_replies(text, (CONTINUE, CANCEL)))
        if control == "continue":
            return FlowResult(self._prompt(session, message, draft, province, now, resumed=True), [])
        if not text and not message.payload:  # a photo, a sticker, a voice note: not readable yet
            return FlowResult(self._prompt(session, message, draft, province, now, head=_NO_ATTACHMENTS), [])
        if control == "cancel":
            return FlowResult(self._cancel(session, message), [])
        turn = Turn(message, text, control, self.analyze(text) if text and control is None else None)
        aside = self._aside(turn, draft, province)
        if aside is not None:  # a question asked in passing: answered, not stored
            return FlowResult(self._prompt(session, message, draft, province, now, head=aside), [])
        if draft.step == "consent":
            replies = self._on_consent(turn, draft, province, session, now)
        elif draft.step == "question":
            replies = self._on_answer(turn, draft, province, session, now)
        else:
            replies = self._on_confirm(turn, draft, province, session, now)
        if turn.analysis is not None and turn.analysis.lost and replies:
            # Money or a code just went out: the immediate steps come first, whatever the step.
            head = urgent_steps(self._tactic(draft), province, danger=turn.analysis.situation.danger)
            replies = to_replies(
                f"{head}\n\n" + "\n\n".join(r.text for r in replies), replies[-1].quick_replies
            )
        return FlowResult(replies, [])

    # ----------------------------------------------------------------- steps

    def _paused(
        self,
        message: IncomingMessage,
        draft: ReportDraft,
        control: Control | None,
        *,
        province: Province,
        session: Session,
        now: dt.datetime,
    ) -> FlowResult:
        if control == "cancel":
            return FlowResult(self._cancel(session, message), [])
        wants_report = (message.payload or message.text or "").strip() == "ACTION:REPORT"
        analysis = None
        if not wants_report and control is None and message.text:
            analysis = self.analyze(message.text)
            wants_report = analysis.intent == "report"
        if control == "continue" or wants_report:
            draft.paused = False
            draft.reminded_at = None
            if analysis is not None and not is_bare_report_request(analysis):
                self._merge(draft, CaseFacts.of(message.text or "", analysis, story=has_story(analysis)))
            return FlowResult(self._prompt(session, message, draft, province, now, resumed=True), [])
        # Something else: the engine answers it; remind about the draft once in a while.
        if draft.reminded_at is not None and now - draft.reminded_at <= DRAFT_IDLE:
            return FlowResult(None, [])
        draft.reminded_at = now
        self._save(session, message, draft, now, [])
        started = _local(draft.started_at).strftime("%H:%M ngày %d/%m")
        text = (
            f"📝 Bạn còn một tố giác chưa hoàn tất (bắt đầu lúc {started}). "
            'Nhắn "tiếp tục" để làm tiếp, hoặc "hủy" để bỏ.'
        )
        return FlowResult(None, to_replies(text, (CONTINUE, CANCEL)))

    def _aside(self, turn: Turn, draft: ReportDraft, province: Province) -> str | None:
        """The answer to a question asked mid-report (hotline, how long, privacy), if it is one."""
        analysis = turn.analysis
        if analysis is None or analysis.entities.amount_vnd is not None or analysis.lost:
            return None
        topic = analysis.situation.topic
        if topic == "wait":
            left = len([q for q in QUESTIONS if q not in draft.asked and draft.missing(q)])
            return (
                f"Chỉ còn {left + 1} bước ngắn nữa là xong."
                if left
                else "Sắp xong rồi, chỉ còn bước xác nhận."
            )
        if topic in ("bot", "privacy", "procedure", "emergency"):
            return topic_answer(topic, province)
        if analysis.intent == "hotline" and len(analysis.message.tokens) <= 16:
            return f"{hotline_line(province)}\nKhẩn cấp, gọi 113."
        return None

    def _on_consent(
        self, turn: Turn, draft: ReportDraft, province: Province, session: Session, now: dt.datetime
    ) -> list[Reply]:
        message, control = turn.message, turn.control
        if control == "no":
            return self._cancel(session, message, declined=True)
        if control in ("yes", "continue"):
            return self._after_answer(session, message, draft, province, now)
        if control in ("skip", "done"):
            notice = self._notice(province)
            text = f"Tôi cần bạn đồng ý trước khi lưu tố giác.\n\n{notice}\n\nBạn có đồng ý không?"
            return self._save(session, message, draft, now, to_replies(text, (YES, NO)))
        # More details before answering: keep them, ask again.
        self._merge_turn(draft, turn)
        text = f"Tôi đã ghi thêm thông tin của bạn.\n\n{self._notice(province)}\n\nBạn có đồng ý không?"
        return self._save(session, message, draft, now, to_replies(text, (YES, NO)))

    def _on_answer(
        self, turn: Turn, draft: ReportDraft, province: Province, session: Session, now: dt.datetime
    ) -> list[Reply]:
        message, control, text = turn.message, turn.control, turn.text
        question = draft.question
        if control == "done":
            return self._to_confirm(session, message, draft, now)
        if question is not None and question not in draft.asked:
            draft.asked.append(question)
        folded = _folded(text)
        if control in ("skip", "continue", "yes") or not text:
            pass
        elif question == "amount" and (control == "no" or says_no_loss(text) or folded in _NOTHING):
            draft.no_loss = True
            self._merge_turn(draft, turn, answering=question)
        elif control == "no" or folded in _NOTHING:
            pass  # "không có", "không biết": nothing to add
        else:
            self._merge_turn(draft, turn, answering=question)
        return self._after_answer(session, message, draft, province, now)

    def _on_confirm(
        self, turn: Turn, draft: ReportDraft, province: Province, session: Session, now: dt.datetime
    ) -> list[Reply]:
        message, control = turn.message, turn.control
        if control == "yes":
            return self._file(session, message, draft, province, now)
        if control == "no":
            return self._cancel(session, message)
        if control in ("skip", "done", "continue") or not turn.text:
            return self._prompt(session, message, draft, province, now)
        if len(draft.turns) >= MAX_DRAFT_TURNS:
            head = (
                f"Tố giác đã có {MAX_DRAFT_TURNS} đoạn, tôi không ghi thêm được. "
                'Bạn chọn "Có" để gửi những gì đã ghi; phần còn lại bạn kể với cán bộ khi được liên hệ.'
            )
            return self._prompt(session, message, draft, province, now, head=head)
        self._merge_turn(draft, turn)
        return self._prompt(session, message, draft, province, now, added=True)

    # ----------------------------------------------------------------- transitions

    def _after_answer(
        self,
        session: Session,
        message: IncomingMessage,
        draft: ReportDraft,
        province: Province,
        now: dt.datetime,
    ) -> list[Reply]:
        question = draft.next_question()
        if question is None:
            return self._to_confirm(session, message, draft, now)
        draft.step = "question"
        draft.question = question
        return self._save(
            session, message, draft, now, to_replies(f"{QUESTION_TEXT[question]}\n{HINT}", (SKIP, DONE))
        )

    def _to_confirm(
        self, session: Session, message: IncomingMessage, draft: ReportDraft, now: dt.datetime
    ) -> list[Reply]:
        if not draft.turns:  # skipped everything: nothing an officer could act on
            clear_state(session, channel=message.channel, user_id=message.user_id)
            return to_replies(_NOTHING_TO_FILE, MAIN_ACTIONS)
        draft.step = "confirm"
        draft.question = None
        text = f"{self._summary(draft)}\n\n{_CONFIRM}"
        return self._save(session, message, draft, now, to_replies(text, (YES, NO)))

    def _prompt(
        self,
        session: Session,
        message: IncomingMessage,
        draft: ReportDraft,
        province: Province,
        now: dt.datetime,
        *,
        resumed: bool = False,
        added: bool = False,
        head: str = "",
    ) -> list[Reply]:
        """Ask again where the draft stands (after a pause, an aside, an attachment, more details)."""
        if resumed:
            head = "Mình tiếp tục tố giác của bạn nhé."
        elif added:
            head = "Tôi đã ghi thêm thông tin."
        if draft.step == "consent":
            body = f"{self._notice(province)}\n\nBạn có đồng ý không?"
            quick: tuple[QuickReply, ...] = (YES, NO)
        elif draft.step == "question" and draft.question is not None:
            body = f"{QUESTION_TEXT[draft.question]}\n{HINT}"
            quick = (SKIP, DONE)
        elif draft.step == "confirm_all":
            body = "\n\n".join((self._summary(draft), self._notice(province), _CONFIRM_ALL))
            quick = (YES, NO)
        else:
            body = f"{self._summary(draft)}\n\n{_CONFIRM}"
            quick = (YES, NO)
        text = f"{head}\n\n{body}" if head else body
        return self._save(session, message, draft, now, to_replies(text, quick))

    def _file(
        self,
        session: Session,
        message: IncomingMessage,
        draft: ReportDraft,
        province: Province,
        now: dt.datetime,
    ) -> list[Reply]:
        """Store the tip and give the citizen its reference code."""
        tactics = _ranked(draft)
        score = draft.tactic_scores.get(tactics[0], 0.0) if tactics else 0.0
        tip = create_tip(
            session,
            tip=NewTip(
                province=province.id,
                channel=message.channel,
                channel_id=draft.channel_id or message.channel_id,
                reporter_id=message.user_id,
                reporter_name=draft.display_name,
                tactics=tactics,
                score=min(score, 100.0),
                turns=draft.turns,
                phones=draft.phones,
                accounts=[(a.number, a.bank, a.holder) for a in draft.accounts],
                urls=draft.urls,
                socials=draft.socials,
                pages=draft.pages,
                amount_vnd=0 if draft.no_loss and draft.amount_vnd is None else draft.amount_vnd,
                incident_when=draft.incident_when,
                incident_date=draft.incident_date,
                urgent=draft.urgent,
            ),
            ref_prefix=province.ref_prefix,
            now=now,
        )
        # The conversation goes on with its memo (the form of address), without the filed case.
        memo = Memo.load(draft.memo)
        memo.last = None
        save_state(
            session,
            channel=message.channel,
            user_id=message.user_id,
            flow=MEMO_FLOW,
            data=memo.model_dump(mode="json"),
            now=now,
        )
        return to_replies(self._filed_text(tip, province, lost_money=bool(draft.amount_vnd)), MAIN_ACTIONS)

    def _cancel(self, session: Session, message: IncomingMessage, *, declined: bool = False) -> list[Reply]:
        clear_state(session, channel=message.channel, user_id=message.user_id)
        head = "Tôi không lưu gì cả." if declined else "Tôi đã hủy tố giác đang soạn và không lưu gì cả."
        text = (
            f'{head} Khi cần, bạn bấm "Tố giác" để bắt đầu lại.\n\n'
            'Để tố giác chính thức, bạn có thể dùng ứng dụng VNeID, mục "Tố giác tội phạm", '
            "hoặc đến công an xã, phường gần nhất."
        )
        return to_replies(text, MAIN_ACTIONS)

    # ----------------------------------------------------------------- drafts

    def _merge_turn(self, draft: ReportDraft, turn: Turn, *, answering: Question | None = None) -> None:
        if turn.analysis is None or not turn.text:
            return
        facts = CaseFacts.of(turn.text, turn.analysis, story=has_story(turn.analysis))
        self._merge(draft, facts, answering=answering)

    def _merge(self, draft: ReportDraft, facts: CaseFacts, *, answering: Question | None = None) -> None:
        """Add one turn's facts to the draft; each fact goes where it belongs, whatever was asked."""
        original = unicodedata.normalize("NFC", facts.text).strip()
        if not original:
            return
        if len(draft.turns) < MAX_DRAFT_TURNS:
            draft.turns.append(original)
        for phone in facts.phones:
            if phone not in draft.phones:
                draft.phones.append(phone)
        for account in facts.accounts:
            known = next((a for a in draft.accounts if a.number == account.number), None)
            if known is None:
                draft.accounts.append(
                    AccountDraft(number=account.number, bank=account.bank, holder=account.holder)
                )
            else:
                known.bank = known.bank or account.bank
                known.holder = known.holder or account.holder
        unnamed = [a for a in draft.accounts if not a.bank]
        if not facts.accounts and len(unnamed) == 1:
            unnamed[0].bank = bank_named(original)  # "tài khoản đó là Techcombank"
        for url in facts.urls:
            if url not in draft.urls:
                draft.urls.append(url)
        for page in facts.pages:
            if page not in draft.pages:
                draft.pages.append(page)
        socials = find_socials(original)
        words = len(original.split())
        if (
            answering == "contacts"
            and not (facts.phones or facts.accounts or facts.urls or socials or facts.pages)
            and words <= 12
            and facts.amount_vnd is None
            and not facts.lost
        ):
            socials = [_excerpt(original, 200)]  # "nick Lan Anh bán hàng": keep their words as the contact
        for social in socials:
            if social not in draft.socials:
                draft.socials.append(social)
        for amount in facts.paid:
            if amount not in draft.paid:
                draft.paid.append(amount)
        if facts.amount_vnd is not None:
            if draft.amount_vnd is None or not draft.paid:
                draft.amount_vnd = facts.amount_vnd
            draft.no_loss = False
        elif says_no_loss(original) and draft.amount_vnd is None:
            draft.no_loss = True
        if draft.paid:
            draft.amount_vnd = sum(draft.paid)  # the total lost across transfers
        when = find_when(original)
        if when and not draft.incident_when:
            draft.incident_when = when
            draft.incident_date = resolve_date(original, _local(draft.started_at).date())
        if facts.story:
            for tactic, score in facts.candidates:
                draft.tactic_scores[tactic] = draft.tactic_scores.get(tactic, 0.0) + score
        if answering == "what" or facts.story:
            draft.story = True
        draft.urgent = draft.urgent or facts.urgent
        draft.lost = draft.lost or facts.lost

    def _tactic(self, draft: ReportDraft) -> Tactic | None:
        ranked = _ranked(draft)
        return self.tactics.get(ranked[0]) if ranked else None

    def _urgent_head(self, draft: ReportDraft, province: Province) -> tuple[str, ...]:
        if not draft.lost:
            return ()
        return (urgent_steps(self._tactic(draft), province),)

    def _save(
        self,
        session: Session,
        message: IncomingMessage,
        draft: ReportDraft,
        now: dt.datetime,
        replies: list[Reply],
    ) -> list[Reply]:
        save_state(
            session,
            channel=message.channel,
            user_id=message.user_id,
            flow=REPORT_FLOW,
            data=draft.model_dump(mode="json"),
            now=now,
        )
        return replies

    # ----------------------------------------------------------------- wording

    @staticmethod
    def _notice(province: Province) -> str:
        return (
            "🔒 Về thông tin của bạn: tôi lưu nội dung bạn kể, các số điện thoại, số tài khoản, đường link "
            "bạn cung cấp, kèm mã người dùng và tên hiển thị của bạn, "
            f"để chuyển cho {province.name} xác minh. "
            'Bạn có thể nhắn "xóa dữ liệu của tôi" bất cứ lúc nào để xóa liên kết giữa bạn và tố giác.'
        )

    def _summary(self, draft: ReportDraft) -> str:
        lines = ["📋 Tóm tắt tố giác:"]
        story = " / ".join(" ".join(t.split()) for t in draft.turns if t)
        if story:
            lines.append(f"• Sự việc: {_excerpt(story, 600)}")
        tactic = self._tactic(draft)
        if tactic is not None:
            lines.append(f"• Dấu hiệu: {tactic.name}")
        if draft.phones:
            lines.append("• Số điện thoại: " + "; ".join(format_phone(p) for p in draft.phones))
        if draft.accounts:
            accounts = []
            for a in draft.accounts:
                details = ", ".join(d for d in (a.bank, a.holder) if d)
                accounts.append(f"{a.number} ({details})" if details else a.number)
            lines.append("• Số tài khoản: " + "; ".join(accounts))
        if draft.urls:
            lines.append("• Đường link: " + "; ".join(draft.urls))
        if draft.pages:
            lines.append("• Trang, cửa hàng, nhóm: " + "; ".join(draft.pages))
        if draft.socials:
            lines.append("• Tài khoản mạng xã hội: " + "; ".join(draft.socials))
        if draft.amount_vnd is not None:
            lines.append(f"• Số tiền: {format_vnd(draft.amount_vnd)}")
        elif draft.no_loss:
            lines.append("• Số tiền: chưa mất tiền")
        if draft.incident_when:
            day = f" ({draft.incident_date:%d/%m/%Y})" if draft.incident_date else ""
            lines.append(f"• Thời gian: {draft.incident_when}{day}")
        if len(lines) == 1:
            lines.append("• (chưa có thông tin)")
        return "\n".join(lines)

    @staticmethod
    def _filed_text(tip: TipRead, province: Province, *, lost_money: bool) -> str:
        parts = [
            f"✅ Đã ghi nhận tố giác. Mã tố giác của bạn: {tip.ref_code}\n"
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


@dataclass(frozen=True, slots=True)
class Turn:
    """One citizen message inside a report, analysed once."""

    message: IncomingMessage
    text: str
    control: Control | None
    analysis: Analysis | None


def _bare(facts: CaseFacts) -> bool:
    """ "tôi muốn tố giác": nothing to store yet."""
    return not (facts.story or facts.phones or facts.accounts or facts.urls or facts.amount_vnd is not None)


def _ranked(draft: ReportDraft) -> list[str]:
    """The tactics the conversation supports: the best, and a second only when nearly as strong."""
    ranked = sorted(draft.tactic_scores.items(), key=lambda kv: -kv[1])
    if not ranked:
        return []
    best = [ranked[0][0]]
    if len(ranked) > 1 and ranked[1][1] >= 0.9 * ranked[0][1]:
        best.append(ranked[1][0])
    return best


def _folded(text: str) -> str:
    return " ".join(normalize(text).tokens)


_CONFIRM = 'Gửi tố giác? Chọn "Có" để gửi, "Không" để hủy, hoặc nhắn thêm thông tin.'
_CONFIRM_ALL = (
    'Gửi tố giác? Chọn "Có" nghĩa là bạn đồng ý để lưu và chuyển thông tin như trên; "Không" để hủy.'
)
_NO_ATTACHMENTS = (
    "Tôi chưa xem được hình ảnh, âm thanh hay tệp đính kèm. Bạn gõ lại nội dung bằng chữ giúp tôi nhé "
    "(số điện thoại, số tài khoản, đường link trong ảnh)."
)
_NOTHING_TO_FILE = (
    'Bạn chưa kể sự việc nên tôi chưa lưu tố giác nào. Khi sẵn sàng, bạn bấm "Tố giác" hoặc kể lại '
    "chuyện đã xảy ra, tôi sẽ ghi nhận."
)
_NOTHING = frozenset(
    {
        "khong co",
        "khong biet",
        "khong nho",
        "chua biet",
        "khong ro",
        "ko co",
        "khong",
        "khong co gi",
        "khong mat",
        "chua mat",
        "khong mat tien",
        "chua mat tien",
        "khong mat gi",
        "chua",
    }
)


def _menu_button(message: IncomingMessage) -> str | None:
    """The main-menu or tactic button this message is ("ACTION:CHECK"), if it is one."""
    for value in (message.payload, message.text):
        value = (value or "").strip()
        if value.isascii() and value.split(":", 1)[0] in ("ACTION", "TACTIC"):
            return value
    return None
