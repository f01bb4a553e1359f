"""The conversation engine shared by every channel: a message in, replies out.

Channels, the web chat and the terminal chat all call `Responder.handle`; nothing here knows which
channel a message came from. One decision per message takes every signal together: the buttons
and their typed labels, the open report, the short memory of the conversation (`memo`), the intent,
the tactic, the urgency, the entities and what the situation is about.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from app.catalog.models import Tactic
from app.catalog.official_domains import OfficialDomains
from app.checks.service import Checker
from app.contracts import IncomingMessage, Reply
from app.conversation.handoff import Gate, Handoffs
from app.conversation.memo import MAX_MEMO_TEXT, MEMO_FLOW, CaseFacts, Memo, from_picture, save_memo
from app.conversation.report_flow import DEFAULT_TIPS_PER_DAY, REPORT_FLOW, ReportFlow, has_story
from app.conversation_state.store import load_state, prefetch_states
from app.db import utcnow
from app.nlu.analyzer import MAX_ANALYSED, Analysis, Analyzer
from app.nlu.data_rights import is_forget_request
from app.nlu.language import is_english, match_english
from app.nlu.report_answers import read_control
from app.privacy.forget import forget_citizen
from app.provinces import Province, Provinces, load_provinces
from app.replies.composer import (
    MAIN_ACTIONS,
    address,
    compose,
    english_answer,
    fixed_reply,
    hotline_line,
    scam_actions,
    scam_answer,
    tactic_details,
    tactic_warning,
    to_replies,
    topic_answer,
)
from app.replies.handoff import URGENT_QUEUED
from app.replies.pictures import picture_note, picture_summary
from app.settings import Settings
from app.text.formatting import VN_TZ
from app.text.normalize import normalize
from app.tips.service import get_tip

__all__ = ["Prepared", "Responder"]


ATTACHMENT_ONLY = (
    "Tôi chưa xem được hình ảnh, âm thanh hay tệp đính kèm. "
    "Bạn mô tả lại bằng lời hoặc dán nội dung tin nhắn đáng ngờ vào đây giúp tôi nhé."
)
EMPTY = "Tôi chưa hiểu tin nhắn của bạn. Bạn kể lại tình huống bằng lời giúp tôi: ai liên hệ, họ yêu cầu gì?"
CHECK_PROMPT = (
    "Bạn gửi số điện thoại, số tài khoản (kèm tên ngân hàng) hoặc đường link cần kiểm tra, "
    "tôi xem đã có ai tố giác chưa."
)
ACK = (
    "Dạ. Khi cần, bạn cứ kể tình huống, gửi số điện thoại hoặc đường link để kiểm tra, "
    'hoặc gõ "tố giác" để báo cho công an.'
)
NO_DRAFT = 'Bạn không có tố giác nào đang soạn. Khi cần, bạn bấm "Tố giác" để bắt đầu.'

# Button labels as a Zalo user types them (Zalo shows no buttons), folded.
_TYPED_ACTIONS = {
    "to giac": "ACTION:REPORT",
    "kiem tra so link": "ACTION:CHECK",
    "kiem tra so": "ACTION:CHECK",
    "kiem tra link": "ACTION:CHECK",
    "kiem tra": "ACTION:CHECK",
    "duong day nong": "ACTION:HOTLINE",
    "huong dan": "ACTION:HELP",
    "xem them": "MORE",
    "chi tiet": "MORE",
}
_LIVES_RE = re.compile(
    r"\b(?:tôi|toi|em|mình|minh|bác|bac|nhà|nha|tui|con|cháu|chau)\s+(?:đang\s+|dang\s+|sống\s+|song\s+)?"
    r"(?:ở|o|tại|tai)\s|\bquê\s+(?:ở\s+)?|\bque\s+(?:o\s+)?"
)
_URL_RE = re.compile(r"\S*[./]\S*")  # links and numbers are no language
_ENGLISH_WORDS_RE = re.compile(r"[A-Za-z']{2,}")
_CHOICE_RE = re.compile(r"^(?:so|muc|cau|chon|y|phuong an)?\s*([1-9])(?:\s*(?:a|nhe|nha|ad))?$")


@dataclass(frozen=True, slots=True)
class Prepared:
    """The analyses of one message, computed before any transaction opens (`Responder.prepare`)."""

    analyses: dict[str, Analysis] = field(default_factory=dict)


@dataclass(slots=True)
class _Call:
    """One message being answered: its analyses (made ahead by `prepare` when it could be) and what
    answering it learns on the way. Passed down explicitly: a `Responder` is shared by threads."""

    analyze_now: Callable[[str], Analysis]
    analyses: dict[str, Analysis]
    picture: bool = False  # the text was read from a picture
    own: str = ""  # in a screenshot, the citizen's own bubbles
    seen: bool = False  # the same picture was sent before
    gate: Gate = field(default_factory=Gate)  # what the handoff gate found
    joined: int | None = None  # the handoff an urgent story just joined (the officers' queue)
    address: str | None = None  # how the citizen speaks of themselves, once known

    def analyze(self, text: str) -> Analysis:
        """Each text analysed once per message."""
        analysis = self.analyses.get(text)
        if analysis is None:
            analysis = self.analyses[text] = self.analyze_now(text)
        return analysis


class Responder:
    """Understanding plus composition, built once per process."""

    def __init__(
        self,
        analyzer: Analyzer,
        provinces: Provinces,
        *,
        official_domains: OfficialDomains | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        tips_per_reporter_per_day: int = DEFAULT_TIPS_PER_DAY,
        handoffs: Handoffs | None = None,
    ) -> None:
        self.analyzer = analyzer
        self.handoffs = handoffs or Handoffs()
        self.provinces = provinces
        self.clock = clock
        # Called after each analysis with its duration in seconds (the service's metrics hook).
        self.on_analysis: Callable[[Analysis, float], None] | None = None
        # Called with each analysed message of a conversation (the console keeps the unmatched ones).
        self.on_understood: Callable[[IncomingMessage, Analysis, Province, Session], None] | None = None
        self.reports = ReportFlow(analyzer.tactics, clock=clock, tips_per_day=tips_per_reporter_per_day)
        self.checker = Checker(official_domains or OfficialDomains.load(), analyzer.tactics)

    @classmethod
    def from_settings(cls, settings: Settings, *, analyzer: Analyzer | None = None) -> Responder:
        """The settings' catalogue, intents and provinces; `analyzer`: one already built from them
        (it is read-only once built, so apps in one process, as in the test suite, can share it)."""
        analyzer = analyzer or Analyzer.from_files(settings.catalog_path, settings.intents_dir)
        return cls(
            analyzer,
            load_provinces(settings.provinces_path, settings.default_province),
            tips_per_reporter_per_day=settings.tips_per_reporter_per_day,
            handoffs=Handoffs(timeout=dt.timedelta(minutes=settings.handoff_timeout_minutes)),
        )

    def analyze(self, text: str) -> Analysis:
        started = time.perf_counter()
        analysis = self.analyzer.analyze(text)
        if self.on_analysis is not None:
            self.on_analysis(analysis, time.perf_counter() - started)
        return analysis

    # ----------------------------------------------------------------- one message

    def prepare(self, message: IncomingMessage) -> Prepared:
        """Analyse a message ahead of `handle`, outside any transaction.

        Analysis is the costly part of answering: done here, the transaction that `handle` then runs
        in (on SQLite, under the one write lock) holds the database only for reads and writes.
        """
        raw = message.text or ""
        texts = {raw.strip(), raw} - {""}
        return Prepared({text: self.analyze(text) for text in texts})

    def prefetch(self, session: Session, messages: Sequence[IncomingMessage]) -> None:
        """Read at once, in this transaction, what answering these messages reads first (each
        citizen's conversation state and handoff): two statements for a batch instead of two per
        message. Only for citizens with one message among them (a second would need the first's
        writes); the others are read as usual."""
        citizens = Counter((m.channel, m.user_id) for m in messages)
        once = [m for m in messages if citizens[(m.channel, m.user_id)] == 1]
        if len(once) > 1:
            prefetch_states(session, [(m.channel, m.user_id) for m in once])
            self.handoffs.prefetch(session, once)

    def handle(
        self,
        message: IncomingMessage,
        *,
        province: Province,
        session: Session,
        prepared: Prepared | None = None,
    ) -> list[Reply]:
        """Answer one incoming message (quick-reply payloads, attachments and text).

        With a session, the conversation has a memory and multi-turn flows run: data-rights
        requests, an open report draft, a new report. The caller commits. `prepared` holds the
        message's analyses from `prepare`.
        """
        call = _Call(self.analyze, dict(prepared.analyses) if prepared is not None else {})
        return self._handle(message, province=province, session=session, call=call)

    def _handle(
        self, message: IncomingMessage, *, province: Province, session: Session, call: _Call
    ) -> list[Reply]:
        text = (message.text or "").strip()
        gate = Gate()
        if not (text and is_forget_request(text)):  # a data-rights request is always answered
            gate = self.handoffs.gate(message, province=province, session=session, now=self.clock())
        call.gate = gate
        if gate.silent:
            return []
        waiting = gate.handoff[0] if gate.waiting and gate.handoff is not None else None
        if gate.answer is not None:
            answer = _addressed(_simple(gate.answer), self._form(message, session, call))
            if gate.waiting:
                self.handoffs.note_replies(
                    message, answer, session=session, now=self.clock(), waiting=waiting
                )
            return answer
        replies = self._handle_picture(message, text, province=province, session=session, call=call)
        if replies and call.joined is not None:
            last = replies[-1]
            told = address(URGENT_QUEUED, self._form(message, session, call))
            replies[-1] = type(last)(f"{last.text}\n\n{told}", last.quick_replies)
        if replies and gate.notice:
            first = replies[0]
            notice = address(gate.notice, self._form(message, session, call))
            replies[0] = type(first)(f"{notice}\n\n{first.text}", first.quick_replies)
        if gate.waiting or call.joined is not None:  # only then is there a transcript to add to
            waiting = call.joined if call.joined is not None else waiting
            self.handoffs.note_replies(message, replies, session=session, now=self.clock(), waiting=waiting)
        return replies

    def _form(self, message: IncomingMessage, session: Session, call: _Call) -> str:
        """How the citizen speaks of themselves, as the conversation remembers it."""
        if call.address is not None:
            return call.address
        state = load_state(session, channel=message.channel, user_id=message.user_id)
        if state is None:
            return "bạn"
        data = state.data.get("memo") if state.flow == REPORT_FLOW else state.data
        return Memo.load(data if isinstance(data, dict) else None).address

    def _handle_picture(
        self, message: IncomingMessage, text: str, *, province: Province, session: Session, call: _Call
    ) -> list[Reply]:
        image = message.image
        if image is not None and not image.read and not text:  # nothing readable: ask for the words
            return _simple(picture_note(image.status))
        call.picture = from_picture(message)
        call.own = image.own if image is not None else ""
        replies = self._handle_text(message, province=province, session=session, call=call)
        if image is None:
            return replies
        if not image.read:
            head = picture_note(image.status)
        else:
            analysis = call.analyze(text) if text else None
            head = picture_summary(image, analysis, seen=call.seen)
        if not replies:
            return _simple(head)
        first = replies[0]
        return [type(first)(f"{head}\n\n{first.text}", first.quick_replies), *replies[1:]]

    def _note_picture(self, message: IncomingMessage, memo: Memo, call: _Call) -> None:
        image = message.image
        if image is not None and image.read and image.digest:
            call.seen = memo.saw(image.digest)

    def _handle_text(
        self, message: IncomingMessage, *, province: Province, session: Session, call: _Call
    ) -> list[Reply]:
        text = (message.text or "").strip()
        province = self._where(text) or province
        if text and is_forget_request(text):
            return self._forget(message, session)
        now = self.clock()
        state = load_state(session, channel=message.channel, user_id=message.user_id)
        if state is not None and state.flow == REPORT_FLOW:
            memo = Memo.load(state.data.get("memo"))
            self._note_picture(message, memo, call)
            result = self.reports.on_message(
                message, state, province=province, session=session, memo=memo, analyze=call.analyze
            )
            if result.replies is not None:
                call.address = memo.address
                return _addressed(result.replies, memo.address)
            replies = self._answer(message, text, province, session, memo, call) + result.after
            call.address = memo.address
            return _addressed(replies, memo.address)
        memo = Memo.load(state.data if state is not None and state.flow == MEMO_FLOW else None)
        self._note_picture(message, memo, call)
        replies = self._answer(message, text, province, session, memo, call)
        if not memo.reporting:  # a report that started keeps the memo in its draft
            save_memo(session, channel=message.channel, user_id=message.user_id, memo=memo, now=now)
        call.address = memo.address
        return _addressed(replies, memo.address)

    def _where(self, text: str) -> Province | None:
        """The province a citizen says they live in ("tôi ở Sóc Trăng", "nhà em ở Hà Giang"): its
        hotline is the one to call. A place named in a story ("công an tỉnh X gọi") routes nothing."""
        if not text or len(text) > MAX_ANALYSED or not _LIVES_RE.search(text.lower()):
            return None
        return self.provinces.find_in_text(text)

    def _answer(
        self,
        message: IncomingMessage,
        text: str,
        province: Province,
        session: Session,
        memo: Memo,
        call: _Call,
    ) -> list[Reply]:
        """The answer outside a report draft (the memo is updated in place)."""
        now = self.clock()
        command = self._command(message, text, memo)
        if command is not None:
            answer = self._on_command(command, message, province, session, memo, now)
            if answer is not None:
                return answer
        if not text:
            return _simple(ATTACHMENT_ONLY if message.attachments else EMPTY)
        if _ENGLISH_WORDS_RE.findall(_URL_RE.sub(" ", text))[2:] and is_english(text):
            tactic_id = match_english(text, self.analyzer.tactics.values())
            tactic = self.analyzer.tactics.get(tactic_id or "")
            return to_replies(english_answer(tactic, province), MAIN_ACTIONS)
        analysis = call.analyze(text)
        if not analysis.message.tokens:  # emoji only, punctuation, invisible characters
            return _simple(EMPTY)
        if not call.picture:  # in a screenshot, "anh", "chị" are the other party's words
            memo.hear(analysis.address)
        if self.on_understood is not None:
            self.on_understood(message, analysis, province, session)
        call.joined = self.handoffs.after_analysis(
            message, analysis, province=province, session=session, now=now, gate=call.gate
        )
        situation = analysis.situation
        if situation.topic == "status":
            return self._status(situation.refs, message, province, session)
        if analysis.intent == "report":
            earlier = memo.fresh_case(now)
            story = has_story(analysis)
            facts = CaseFacts.of(text, analysis, story=story, picture=from_picture(message))
            memo.last = None
            memo.reporting = True
            return self.reports.start(
                message, facts, province=province, session=session, earlier=earlier, memo=memo
            )
        if situation.topic is not None:
            return _simple(topic_answer(situation.topic, province))
        earlier = memo.fresh_case(now)
        if earlier is not None and self._follows_up(analysis, earlier):
            return self._follow_up(analysis, text, earlier, province, memo, now)
        if analysis.intent == "check":
            facts = CaseFacts.of(text, analysis, story=has_story(analysis), picture=from_picture(message))
            memo.remember(facts, now)
            return self._check(analysis, province, session)
        if analysis.intent == "scam":
            return self._scam(analysis, text, province, session, memo, now, call)
        return compose(
            analysis, province=province, tactics=self.analyzer.tactics, intents=self.analyzer.intents
        )

    # ----------------------------------------------------------------- scams

    def _scam(
        self,
        analysis: Analysis,
        text: str,
        province: Province,
        session: Session,
        memo: Memo,
        now: dt.datetime,
        call: _Call,
    ) -> list[Reply]:
        """A scam told: the answer (urgent steps first when money went out), and checks of what it names."""
        tactics = self.analyzer.tactics
        memo.remember(CaseFacts.of(text, analysis, story=True, picture=call.picture), now)
        tactic_id = analysis.tactic or analysis.match.tactic
        if tactic_id is None or tactic_id not in tactics:
            return compose(analysis, province=province, tactics=tactics, intents=self.analyzer.intents)
        tactic = tactics[tactic_id]
        others = self._alternatives(analysis, tactic_id)
        memo.choices = [tactic_id, *(t.id for t in others)]
        if call.picture:  # the other party's demands are not the citizen's losses: their own words tell
            mine = call.analyze(call.own) if call.own.strip() else None
            urgent, lost = (mine.urgent, mine.lost) if mine is not None else (False, False)
            text_out = scam_answer(analysis, tactic, province, alternatives=others, urgent=urgent, lost=lost)
        else:
            text_out = scam_answer(analysis, tactic, province, alternatives=others)
        found = self.checker.check(
            analysis.entities, session=session, brief=True, text=analysis.message.original
        )
        if found:
            text_out = f"{text_out}\n\n{found}"
        return to_replies(text_out, scam_actions(tactic))

    def _alternatives(self, analysis: Analysis, tactic_id: str) -> list[Tactic]:
        """The other tactics worth naming in one line: only when the match is truly ambiguous."""
        if not analysis.match.ambiguous:
            return []
        tactics = self.analyzer.tactics
        return [
            tactics[c.tactic]
            for c in analysis.match.candidates[:3]
            if c.tactic != tactic_id and c.tactic in tactics
        ][:2]

    def _follows_up(self, analysis: Analysis, earlier: CaseFacts) -> bool:
        """A message about the case just told ("giờ phải làm gì?", "nó đòi 300 triệu mới thả")."""
        if earlier.tactic is None or analysis.match.confident:
            return False
        if analysis.intent in ("greeting", "thanks", "hotline", "check"):
            return False
        situation = analysis.situation
        return situation.follow_up or situation.danger or analysis.urgent or analysis.intent == "scam"

    def _follow_up(
        self,
        analysis: Analysis,
        text: str,
        earlier: CaseFacts,
        province: Province,
        memo: Memo,
        now: dt.datetime,
    ) -> list[Reply]:
        tactic = self.analyzer.tactics[earlier.tactic or ""]
        urgent = analysis.urgent or earlier.urgent or analysis.situation.danger
        lost = analysis.lost or earlier.lost
        text_out = scam_answer(analysis, tactic, province, urgent=urgent, lost=lost)
        facts = CaseFacts.of(text, analysis, story=True)
        facts.tactic = tactic.id
        facts.urgent, facts.lost = urgent, lost
        facts.text = f"{earlier.text}\n{text}"[:MAX_MEMO_TEXT]
        facts.phones = [*earlier.phones, *(p for p in facts.phones if p not in earlier.phones)]
        facts.urls = [*earlier.urls, *(u for u in facts.urls if u not in earlier.urls)]
        facts.accounts = [*earlier.accounts, *facts.accounts]
        facts.paid = [*earlier.paid, *facts.paid]
        facts.amount_vnd = facts.amount_vnd or earlier.amount_vnd
        memo.remember(facts, now)
        return to_replies(text_out, scam_actions(tactic))

    # ----------------------------------------------------------------- commands

    def _command(self, message: IncomingMessage, text: str, memo: Memo) -> str | None:
        """The button this message is: its payload, or its label typed as text."""
        if message.command is not None:
            return str(message.command)
        if not text or len(text) > 40:
            return None
        folded = " ".join(normalize(text).tokens)
        if folded in _TYPED_ACTIONS:
            return _TYPED_ACTIONS[folded]
        choice = _CHOICE_RE.match(folded)
        if choice and memo.choices:
            index = int(choice.group(1)) - 1
            return f"TACTIC:{memo.choices[index]}" if index < len(memo.choices) else "CHOICES"
        if read_control(text, None) in ("yes", "no", "done"):
            return "ACK"  # "có", "ok", "không" with nothing open: acknowledged, not off-topic
        return None

    def _on_command(
        self,
        command: str,
        message: IncomingMessage,
        province: Province,
        session: Session,
        memo: Memo,
        now: dt.datetime,
    ) -> list[Reply] | None:
        kind, _, value = command.partition(":")
        intents = self.analyzer.intents
        tactics = self.analyzer.tactics
        if kind == "ACTION":
            if value in ("HELP", "HOTLINE", "GREETING"):  # GREETING: a new follower's welcome
                return _simple(fixed_reply(intents[value.lower()], province))
            if value == "CHECK":
                return _simple(CHECK_PROMPT)
            if value == "REPORT":
                earlier = memo.fresh_case(now)
                memo.last = None
                memo.reporting = True
                return self.reports.start(
                    message, None, province=province, session=session, earlier=earlier, memo=memo
                )
        if kind == "REPORT":  # a button of a report draft that is gone (sent, cancelled or deleted)
            return _simple(NO_DRAFT)
        if kind == "ACK":
            return _simple(ACK)
        if kind == "CHOICES":
            names = "; ".join(
                f'"{i}" {tactics[t].name}' for i, t in enumerate(memo.choices, start=1) if t in tactics
            )
            return _simple(f"Bạn chọn một trong các số sau: {names}.")
        if kind == "MORE":
            case = memo.fresh_case(now)
            tactic_id = value or (case.tactic if case is not None else None)
            if tactic_id in tactics:
                return to_replies(tactic_details(tactics[tactic_id or ""], province), MAIN_ACTIONS)
            return None
        if kind == "TACTIC" and value in tactics:
            case = memo.fresh_case(now)
            lost = bool(case and case.lost)
            text = tactic_warning(tactics[value], province, urgent=lost, lost=lost)
            return to_replies(text, scam_actions(tactics[value]))
        return None

    # ----------------------------------------------------------------- checks, status, rights

    def _check(self, analysis: Analysis, province: Province, session: Session) -> list[Reply]:
        """A phone number, account or link to look up: tips on file and warning signs."""
        found = self.checker.check(analysis.entities, session=session, text=analysis.message.original)
        if found is None:
            return _simple(CHECK_PROMPT)
        parts = [found]
        if analysis.tactic is not None and analysis.tactic in self.analyzer.tactics:
            tactic = self.analyzer.tactics[analysis.tactic]
            parts.insert(0, scam_answer(analysis, tactic, province))
        else:
            parts.append(hotline_line(province))
        return _simple("\n\n".join(parts))

    def _status(
        self, refs: tuple[str, ...], message: IncomingMessage, province: Province, session: Session
    ) -> list[Reply]:
        """The status of a reference code, for the citizen who filed it; nobody else learns anything."""
        lines: list[str] = []
        for ref in refs[:3]:
            tip = get_tip(session, ref_code=ref)
            if tip is not None and tip.reporter_id == message.user_id and tip.channel == message.channel:
                sent = tip.created_at.astimezone(VN_TZ).strftime("%d/%m/%Y")
                lines.append(
                    f"📋 Tố giác {tip.ref_code} (gửi ngày {sent}): trạng thái {tip.status.label.lower()}."
                )
            else:
                lines.append(
                    f"Tôi chỉ báo được trạng thái của mã {ref} cho người đã gửi tố giác đó, từ đúng tài "
                    "khoản đã gửi. Nếu mã là của bạn, bạn gọi đường dây nóng và đọc mã để cán bộ tra cứu."
                )
        lines.append(hotline_line(province))
        return _simple("\n\n".join(lines))

    def _forget(self, message: IncomingMessage, session: Session) -> list[Reply]:
        state = load_state(session, channel=message.channel, user_id=message.user_id)
        had_draft = state is not None and state.flow == REPORT_FLOW
        done = forget_citizen(session, channel=message.channel, user_id=message.user_id)
        lines = []
        if had_draft:
            lines.append("• Tố giác bạn đang soạn dở: đã xóa.")
        if done.messages or (done.draft and not had_draft):
            lines.append("• Nội dung các tin nhắn cũ giữa bạn và tôi: đã xóa.")
        if done.tips:
            refs = ", ".join(done.tips[:10])
            lines.append(
                f"• Liên kết giữa bạn và {len(done.tips)} tố giác đã gửi ({refs}), kể cả số liên hệ "
                "của bạn: đã xóa. "
                "Thông tin về kẻ gian trong các tố giác vẫn được giữ để cơ quan công an xử lý."
            )
        if not lines:
            return _simple("Tôi không còn lưu cuộc trò chuyện hay tố giác nào gắn với bạn.")
        return _simple("🗑️ Đã xóa dữ liệu của bạn:\n" + "\n".join(lines))


def _simple(text: str) -> list[Reply]:
    return to_replies(text, MAIN_ACTIONS)


def _addressed(replies: list[Reply], form: str) -> list[Reply]:
    """Every reply in the citizen's own form of address (their quoted words left as written)."""
    if form == "bạn":
        return replies
    out = []
    for reply in replies:
        lines = [
            line if line.startswith("• Sự việc") else address(line, form) for line in reply.text.split("\n")
        ]
        out.append(type(reply)("\n".join(lines), reply.quick_replies))
    return out
