"""English or Vietnamese, and which tactic an English message describes."""

from __future__ import annotations

import pytest

from app.catalog.loader import load_catalog
from app.catalog.models import Tactic
from app.nlu.language import is_english, match_english
from app.settings import PROJECT_ROOT

ENGLISH = [
    "Hi, I'm a foreigner living in Can Tho. Which number should I call to report a scam?",
    "Someone called saying he is police, is this a scam?",
    "Is this a scam?",
    "Thank you so much",
    "help me please",
    "police called me",
    "I got a text from my bank saying my account is locked",
    "A man on Zalo wants me to pay a customs fee for a gift",
    "my friend on facebook asked to borrow money",
    "Can you help me? I think I was scammed",
    "What should I do if I already transferred money?",
    "They told me to install an app to get a tax refund",
    "Where can I report a fraud in Da Nang?",
    "I received money by mistake and now someone wants it back",
    "How do I know if this website is real?",
    "Hello, do you speak English?",
    "My daughter is studying in Hanoi and someone says she was kidnapped",
    "there is a delivery driver asking me to transfer money before I get the parcel",
    "the electricity company called and said they will cut off power today",
    "Got a message that I won an iPhone, need to pay shipping",
    "I\u2019m not sure whether this job offer is legit",
    "who do I call",
    "is it safe to give my OTP to the bank staff?",
    "Can I get my money back?",
    "Vietnam police number please",
]

VIETNAMESE = [
    "co nguoi goi xung cong an bao chuyen tien",
    "ck em 500k di cho",
    "hi ad",
    "ok",
    "alo",
    "check giúp e stk",
    "link này có phải scam ko",
    "Có người gọi xưng công an bảo tôi chuyển tiền",
    "ad oi cho e hoi",
    "thanks ad",
    "hello ad, e bi lua roi",
    "scam",
    "shopee goi bao hoan tien",
    "toi bi hack facebook roi",
    "con toi bi bat coc",
    "check link nay giup minh",
    "e dc goi la trung thuong iphone",
    "bank goi bao khoa the",
    "sdt nay co phai lua dao khong",
    "tk ngân hàng bị khóa",
    "so tai khoan nay co an toan khong",
    "the tin dung bi tru tien",
    "he thong bao loi",
    "video call xong bi mat tien",
    "nap tien ko rut dc",
    "lam nhiem vu online co that khong",
    "hi",
    "help",
    "",
    "0912345678",
]


@pytest.mark.parametrize("text", ENGLISH)
def test_english_messages(text):
    assert is_english(text)


@pytest.mark.parametrize("text", VIETNAMESE)
def test_vietnamese_messages_with_or_without_diacritics(text):
    assert not is_english(text)


@pytest.fixture(scope="module")
def tactics() -> list[Tactic]:
    return load_catalog(PROJECT_ROOT / "scam_catalog.yaml").tactics


MATCHES = [
    ("Someone called saying he is police, is this a scam?", "impersonate_authority"),
    ("A police officer on video says I must move money to a safe account", "impersonate_authority"),
    ("My daughter was kidnapped, they want a ransom", "online_kidnapping"),
    ("I got a link to update VNeID to level 2", "fake_vneid_app"),
    ("A Telegram group pays commission for liking videos, now wants a task deposit", "task_job_scam"),
    ("The crypto trading platform wants a withdrawal fee", "investment_scam"),
    ("My boyfriend sent a gift parcel and I have to pay a customs fee", "romance_gift_scam"),
    ("My friend's hacked Facebook asks to borrow money", "account_takeover_borrow"),
    ("SMS from my bank says account locked, update biometrics", "bank_phishing"),
    ("Someone wants the verification code sent to my phone", "otp_theft"),
    ("A courier says the parcel is with the security guard", "fake_shipper"),
    ("EVN says they will cut off electricity over an unpaid bill", "utility_bill"),
    ("A tax officer says I get a tax refund if I install the eTax app", "tax_refund"),
    ("Social insurance refund through VssID", "insurance_refund"),
    ("The loan app asks for a disbursement fee", "loan_app"),
    ("Teacher called, my son is hurt and needs emergency surgery", "family_emergency"),
    ("Someone sent money by mistake and wants me to send it back", "wrong_transfer"),
    ("A lawyer can recover my money for a recovery fee", "scam_recovery"),
    ("Cheap resort, room deposit paid to a page", "travel_booking"),
    ("I won a prize in a lucky draw but must pay tax", "prize_giveaway"),
    ("Viettel says my SIM card will be blocked unless I do a 4G upgrade", "telecom_sim"),
    ("Bank staff offer to raise my credit limit and want the CVV", "credit_card"),
    ("I paid a deposit to an online shop and the seller blocked me", "online_shopping"),
    ("Shopee customer service says my faulty order gets a refund", "ecommerce_refund"),
    ("The online casino won't pay out, I joined a betting tips group", "gambling"),
    ("A job in Cambodia, they pay the visa fee and keep my passport", "overseas_job"),
    ("A scholarship to study abroad needs proof of funds", "scholarship_study"),
    ("Flood relief donation page using the Red Cross name", "fake_charity"),
    ("They recorded a video sex call and now blackmail me", "sextortion"),
    ("Someone wants to rent my bank account for 500k", "account_rental"),
    ("They sent NUDE PHOTOS and want money", "sextortion"),
    ("Two prizes and lottery tickets", "prize_giveaway"),
]


@pytest.mark.parametrize(("text", "expected"), MATCHES)
def test_match_english_picks_the_tactic(tactics, text, expected):
    assert match_english(text, tactics) == expected


@pytest.mark.parametrize(
    "text",
    [
        "hello",
        "is this a scam",
        "what number should I call",
        "I need help",
        "",
        "police and ransom",  # one keyword each for two tactics: a tie
        "courtesy call about a better offer",  # "court" and "bet" only inside other words
        "they said it's about my sims",  # near misses are not keywords
    ],
)
def test_match_english_gives_no_answer_without_a_clear_winner(tactics, text):
    assert match_english(text, tactics) is None


def test_match_english_on_whole_words_and_plurals(tactics):
    assert match_english("I was asked to pay a bet", tactics) == "gambling"
    assert match_english("the better offer", tactics) is None
    assert match_english("two arrest warrants", tactics) == "impersonate_authority"


def test_every_tactic_can_be_matched_by_its_own_keywords(tactics):
    for tactic in tactics:
        assert match_english(" / ".join(tactic.en.keywords), tactics) == tactic.id
