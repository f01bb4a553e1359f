"""The report conversation: privacy notice and consent, up to three questions, summary, tip.

The draft (`app.conversation.report_draft`) lives in the conversation state table, so a report
survives a restart and may continue on another worker. Each citizen turn is analysed once and its
facts (`CaseFacts`) are merged: phones, accounts, links, pages, amounts paid, when. What the
citizen told just before asking to report is carried in from the conversation's memo. The
understanding of answers lives in `app.nlu.report_answers`, the wording in `app.replies.report`.

Steps: ``consent`` (notice + "Bạn có đồng ý không?"), ``question`` (what happened / contacts /
amount and when, each asked at most once, only when missing), ``confirm`` (summary + "Gửi tố
giác?"). A report complete in its first message goes straight to ``confirm_all``: notice, summary
and one question that gives consent and confirms together. Questions asked in passing (the
hotline, how long it takes) are answered and not stored; money or a code gone gets the urgent
steps first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from app.catalog.models import Tactic
from app.contracts import IncomingMessage, QuickReply, Reply
from app.conversation.memo import CaseFacts, Memo, from_picture, save_memo
from app.conversation.report_draft import (
    MAX_DRAFT_TURNS,
    QUESTIONS,
    Question,
    ReportDraft,
    merge_facts,
    ranked_tactics,
)
from app.conversation_state.store import StoredState, clear_state, save_state
from app.db import utcnow
from app.nlu.analyzer import Analysis
from app.nlu.report_answers import (
    Control,
    has_story,
    is_bare_report_request,
    is_nothing,
    read_control,
    says_no_loss,
)
from app.provinces import Province
from app.replies import report as wording
from app.replies.composer import MAIN_ACTIONS, hotline_line, to_replies, topic_answer, urgent_steps
from app.replies.report import CANCEL, CONTINUE, DONE, NO, SKIP, YES
from app.text.formatting import VN_TZ, format_phone
from app.text.normalize import normalize
from app.tips.service import NewTip, create_tip, reporter_tips_today

__all__ = [
    "DEFAULT_TIPS_PER_DAY",
    "DRAFT_IDLE",
    "MAX_DRAFT_TURNS",
    "REPORT_FLOW",
    "FlowResult",
    "ReportFlow",
    "has_story",
    "reporter_key",
]

REPORT_FLOW = "report"
DRAFT_IDLE = dt.timedelta(minutes=30)  # after this much silence the draft is paused, not lost
DEFAULT_TIPS_PER_DAY = 5  # tips one reporter may file per Vietnam day (CANHGIAC_TIPS_PER_REPORTER_PER_DAY)
TURN_LIMIT = (
    f"Tố giác đã có {MAX_DRAFT_TURNS} đoạn, tôi không ghi thêm được tin nhắn này. "
    "Những gì bạn kể trước đó vẫn được giữ; phần còn lại bạn kể với cán bộ khi được liên hệ."
)


@dataclass(frozen=True, slots=True)
class FlowResult:
    """The flow's answer; `replies is None` means "not for the report flow: answer normally"
    (a paused draft and an unrelated message), then add `after`."""

    replies: list[Reply] | None
    after: list[Reply]


class ReportFlow:
    """Runs report drafts; built once per engine."""

    def __init__(
        self,
        tactics: dict[str, Tactic],
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        tips_per_day: int = DEFAULT_TIPS_PER_DAY,
    ) -> None:
        self.tactics = tactics
        # Server time, not the platform's message timestamp: it dates the tip and its reference code.
        self.clock = clock
        self.tips_per_day = tips_per_day  # past it, a report is not stored as a new tip that day

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
            merge_facts(draft, earlier)
        if facts is not None and not _bare(facts):
            merge_facts(draft, facts)
        urgent = self._urgent_head(draft, province)
        if self._over_limit(session, message, now):  # nothing opened: told why, pointed to the hotline
            return to_replies("\n\n".join((*urgent, self._limit_text(province))), MAIN_ACTIONS)
        if draft.complete:
            draft.step = "confirm_all"
            text = "\n\n".join((*urgent, self._summary(draft), wording.notice(province), wording.CONFIRM_ALL))
            return self._save(session, message, draft, now, to_replies(text, (YES, NO)))
        draft.step = "consent"
        intro = "Cảm ơn bạn đã tố giác." if draft.turns else "Tôi sẽ giúp bạn tố giác."
        text = "\n\n".join((*urgent, intro, wording.notice(province), "Bạn có đồng ý không?"))
        return self._save(session, message, draft, now, to_replies(text, (YES, NO)))

    def on_message(
        self,
        message: IncomingMessage,
        state: StoredState,
        *,
        province: Province,
        session: Session,
        analyze: Callable[[str], Analysis],
        memo: Memo | None = None,
    ) -> FlowResult:
        """A message from a citizen who has a draft open; `analyze` analyses it (once per message)."""
        now = self.clock()
        try:
            draft = ReportDraft.model_validate(state.data)
        except ValueError:  # a draft from an incompatible version: drop it, answer normally
            clear_state(session, channel=message.channel, user_id=message.user_id)
            return FlowResult(None, [])
        text = (message.text or "").strip()
        control = read_control(text, message.command)
        if message.display_name and not draft.display_name:
            draft.display_name = message.display_name

        if not draft.paused and now - state.updated_at > DRAFT_IDLE:
            draft.paused = True
            draft.reminded_at = None
        if draft.paused:
            return self._paused(
                message, draft, control, province=province, session=session, now=now, analyze=analyze
            )
        button = _menu_button(message)
        if button == "ACTION:REPORT" or _folded(text) == "to giac":  # "Tố giác" again: where were we?
            return FlowResult(self._prompt(session, message, draft, province, now, resumed=True), [])
        if button is not None:  # another menu button: answer it, keep the draft waiting
            self._save(session, message, draft, now, [])
            text = wording.STILL_WAITING
            return FlowResult(None, to_replies(text, (CONTINUE, CANCEL)))
        if control == "continue":
            return FlowResult(self._prompt(session, message, draft, province, now, resumed=True), [])
        if not text and not message.payload:  # a photo, a sticker, a voice note: not readable yet
            return FlowResult(
                self._prompt(session, message, draft, province, now, head=wording.NO_ATTACHMENTS), []
            )
        if control == "cancel":
            return FlowResult(self._cancel(session, message), [])
        turn = Turn(message, text, control, analyze(text) if text and control is None else None)
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
        analyze: Callable[[str], Analysis],
    ) -> FlowResult:
        if control == "cancel":
            return FlowResult(self._cancel(session, message), [])
        wants_report = _menu_button(message) == "ACTION:REPORT"
        analysis = None
        if not wants_report and control is None and message.text:
            analysis = analyze(message.text)
            wants_report = analysis.intent == "report"
        if control == "continue" or wants_report:
            draft.paused = False
            draft.reminded_at = None
            kept = True
            if analysis is not None and not is_bare_report_request(analysis):
                facts = CaseFacts.of(
                    message.text or "", analysis, story=has_story(analysis), picture=from_picture(message)
                )
                kept = merge_facts(draft, facts)
            head = "" if kept else TURN_LIMIT
            return FlowResult(
                self._prompt(session, message, draft, province, now, resumed=kept, head=head), []
            )
        # Something else: the engine answers it; remind about the draft once in a while.
        if draft.reminded_at is not None and now - draft.reminded_at <= DRAFT_IDLE:
            return FlowResult(None, [])
        draft.reminded_at = now
        self._save(session, message, draft, now, [])
        text = wording.reminder(_local(draft.started_at))
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
            notice = wording.notice(province)
            text = f"Tôi cần bạn đồng ý trước khi lưu tố giác.\n\n{notice}\n\nBạn có đồng ý không?"
            return self._save(session, message, draft, now, to_replies(text, (YES, NO)))
        # More details before answering: keep them, ask again.
        head = "Tôi đã ghi thêm thông tin của bạn." if self._merge_turn(draft, turn) else TURN_LIMIT
        text = f"{head}\n\n{wording.notice(province)}\n\nBạn có đồng ý không?"
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
        kept = True
        if control in ("skip", "continue", "yes") or not text:
            pass
        elif question == "amount" and (control == "no" or says_no_loss(text) or is_nothing(text)):
            if len(draft.turns) < MAX_DRAFT_TURNS:  # a full draft takes nothing more, this included
                draft.no_loss = True
            kept = self._merge_turn(draft, turn, answering=question)
        elif control == "no" or is_nothing(text):
            pass  # "không có", "không biết": nothing to add
        else:
            kept = self._merge_turn(draft, turn, answering=question)
        return self._after_answer(session, message, draft, province, now, head="" if kept else TURN_LIMIT)

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
        if not self._merge_turn(draft, turn):
            head = f'{TURN_LIMIT} Bạn chọn "Có" để gửi những gì đã ghi.'
            return self._prompt(session, message, draft, province, now, head=head)
        return self._prompt(session, message, draft, province, now, added=True)

    # ----------------------------------------------------------------- transitions

    def _after_answer(
        self,
        session: Session,
        message: IncomingMessage,
        draft: ReportDraft,
        province: Province,
        now: dt.datetime,
        *,
        head: str = "",
    ) -> list[Reply]:
        question = draft.next_question()
        if question is None:
            return self._to_confirm(session, message, draft, now, head=head)
        draft.step = "question"
        draft.question = question
        text = f"{wording.QUESTION_TEXT[question]}\n{wording.HINT}"
        return self._save(
            session, message, draft, now, to_replies(f"{head}\n\n{text}" if head else text, (SKIP, DONE))
        )

    def _to_confirm(
        self,
        session: Session,
        message: IncomingMessage,
        draft: ReportDraft,
        now: dt.datetime,
        *,
        head: str = "",
    ) -> list[Reply]:
        if not draft.turns:  # skipped everything: nothing an officer could act on
            clear_state(session, channel=message.channel, user_id=message.user_id)
            return to_replies(wording.NOTHING_TO_FILE, MAIN_ACTIONS)
        draft.step = "confirm"
        draft.question = None
        text = f"{self._summary(draft)}\n\n{wording.CONFIRM}"
        text = f"{head}\n\n{text}" if head else text
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
            body = f"{wording.notice(province)}\n\nBạn có đồng ý không?"
            quick: tuple[QuickReply, ...] = (YES, NO)
        elif draft.step == "question" and draft.question is not None:
            body = f"{wording.QUESTION_TEXT[draft.question]}\n{wording.HINT}"
            quick = (SKIP, DONE)
        elif draft.step == "confirm_all":
            body = "\n\n".join((self._summary(draft), wording.notice(province), wording.CONFIRM_ALL))
            quick = (YES, NO)
        else:
            body = f"{self._summary(draft)}\n\n{wording.CONFIRM}"
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
        """Store the tip and give the citizen its reference code (past the day's limit: say so)."""
        if self._over_limit(session, message, now):
            self._keep_memo(session, message, draft, now)
            return to_replies(self._limit_text(province), MAIN_ACTIONS)
        tactics = ranked_tactics(draft)
        score = draft.tactic_scores.get(tactics[0], 0.0) if tactics else 0.0
        tip = create_tip(
            session,
            tip=NewTip(
                province=province.id,
                channel=message.channel,
                channel_id=draft.channel_id or message.channel_id,
                reporter_id=message.user_id,
                reporter_name=draft.display_name,
                reporter_key=reporter_key(message, now),
                reporter_contact=draft.reporter_contact,
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
        self._keep_memo(session, message, draft, now)
        return to_replies(
            wording.filed(tip.ref_code, province, lost_money=bool(draft.amount_vnd)), MAIN_ACTIONS
        )

    def _keep_memo(
        self, session: Session, message: IncomingMessage, draft: ReportDraft, now: dt.datetime
    ) -> None:
        """The conversation goes on with its memo (the form of address), without the case."""
        memo = Memo.load(draft.memo)
        memo.last = None
        save_memo(session, channel=message.channel, user_id=message.user_id, memo=memo, now=now)

    def _over_limit(self, session: Session, message: IncomingMessage, now: dt.datetime) -> bool:
        """Whether this reporter has filed the day's allowed number of tips already."""
        filed = reporter_tips_today(
            session,
            channel=message.channel,
            reporter_id=message.user_id,
            reporter_key=reporter_key(message, now),
            now=now,
        )
        return filed >= self.tips_per_day

    def _limit_text(self, province: Province) -> str:
        return (
            f"Hôm nay bạn đã gửi {self.tips_per_day} tố giác. Tố giác này không được lưu thành tố giác "
            "mới trong hôm nay. Nếu có thêm thông tin, bạn gọi đường dây nóng để báo trực tiếp nhé.\n"
            f"{hotline_line(province)}\nKhẩn cấp, gọi 113."
        )

    def _cancel(self, session: Session, message: IncomingMessage, *, declined: bool = False) -> list[Reply]:
        clear_state(session, channel=message.channel, user_id=message.user_id)
        text = wording.cancelled(declined=declined)
        return to_replies(text, MAIN_ACTIONS)

    # ----------------------------------------------------------------- drafts

    def _merge_turn(self, draft: ReportDraft, turn: Turn, *, answering: Question | None = None) -> bool:
        """Merge one turn; False when the draft is full and nothing of it was kept."""
        if turn.analysis is None or not turn.text:
            return True
        story = has_story(turn.analysis)
        facts = CaseFacts.of(turn.text, turn.analysis, story=story, picture=from_picture(turn.message))
        return merge_facts(draft, facts, answering=answering)

    def _tactic(self, draft: ReportDraft) -> Tactic | None:
        ranked = ranked_tactics(draft)
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

    def _summary(self, draft: ReportDraft) -> str:
        tactic = self._tactic(draft)
        text = wording.summary(
            turns=draft.turns,
            tactic_name=tactic.name if tactic is not None else None,
            phones=draft.phones,
            accounts=[(a.number, a.bank, a.holder) for a in draft.accounts],
            urls=draft.urls,
            pages=draft.pages,
            socials=draft.socials,
            amount_vnd=draft.amount_vnd,
            no_loss=draft.no_loss,
            when=draft.incident_when,
            day=draft.incident_date,
        )
        if draft.reporter_contact:
            text += f"\nSố liên hệ của bạn (để cán bộ gọi lại): {format_phone(draft.reporter_contact)}"
        return text


@dataclass(frozen=True, slots=True)
class Turn:
    """One citizen message inside a report, analysed once."""

    message: IncomingMessage
    text: str
    control: Control | None
    analysis: Analysis | None


def reporter_key(message: IncomingMessage, now: dt.datetime) -> str | None:
    """Who counts as one reporter on the web chat, whose session ids are anonymous: a digest of the
    client's address and the Vietnam day (no address is stored). None elsewhere, or when unknown."""
    if message.channel != "web" or not message.client_key:
        return None
    day = now.astimezone(VN_TZ).date().isoformat()
    digest = hashlib.sha256(f"web|{message.client_key}|{day}".encode()).hexdigest()
    return f"web-client:{digest[:40]}"


def _bare(facts: CaseFacts) -> bool:
    """ "tôi muốn tố giác": nothing to store yet."""
    return not (facts.story or facts.phones or facts.accounts or facts.urls or facts.amount_vnd is not None)


def _folded(text: str) -> str:
    return " ".join(normalize(text).tokens)


def _local(when: dt.datetime) -> dt.datetime:
    return when.astimezone(VN_TZ)


def _menu_button(message: IncomingMessage) -> str | None:
    """The main-menu or tactic button this message is ("ACTION:CHECK"), if it is one."""
    command = message.command
    return str(command) if command is not None and command.kind in ("ACTION", "TACTIC") else None
