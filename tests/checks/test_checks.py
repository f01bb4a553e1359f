"""Checks of numbers, accounts and links: counts from tips, look-alike domains, warning signs."""

from __future__ import annotations

import datetime as dt

import pytest
from citizens import Citizen, add_tip
from sqlalchemy import Engine as Database

from app.catalog.official_domains import DEFAULT_OFFICIAL_DOMAINS, OfficialDomains, matches_by_domain
from app.conversation.responder import Responder
from app.text.links import link_parts

DAY = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def official() -> OfficialDomains:
    return OfficialDomains.load()


def test_the_official_domain_list_is_valid_and_has_the_essentials(official: OfficialDomains):
    domains = [d.domain for d in official.domains]
    assert len(domains) == len(set(domains))
    for essential in ("vneid.gov.vn", "dichvucong.gov.vn", "vietcombank.com.vn", "viettel.vn", "shopee.vn"):
        assert essential in domains
    assert DEFAULT_OFFICIAL_DOMAINS.name == "official_domains.yaml"


@pytest.mark.parametrize(
    ("link", "imitates"),
    [
        ("vietcombank-hotro.top", "vietcombank.com.vn"),
        ("https://vneid-capnhat.top/tai-app", "vneid.gov.vn"),
        ("vietcornbank.com", "vietcombank.com.vn"),  # rn for m
        ("vietconbank.net", "vietcombank.com.vn"),
        ("bidv-online.top", "bidv.com.vn"),
        ("bidvonline.xyz", "bidv.com.vn"),
        ("zalo-xacminh.top", "zalo.me"),
        ("dichvucong-gov.vn", "dichvucong.gov.vn"),
        ("dichvu-cong.top", "dichvucong.gov.vn"),
        ("vneid.gov.vn.capnhat.top", "vneid.gov.vn"),  # the real name as a subdomain of another site
        ("tpbank-hotro.top", "tpb.vn"),
        ("hotrovietcombank247.com", "vietcombank.com.vn"),
        ("faceb00k-security.top", "facebook.com"),
        ("shope.vn", "shopee.vn"),
        ("baohiemxahoi-vn.com", "baohiemxahoi.gov.vn"),
    ],
)
def test_look_alike_domains_are_recognised(official: OfficialDomains, link: str, imitates: str):
    found = official.assess(link)
    assert found.official is None
    assert found.lookalike is not None and found.lookalike.domain == imitates


@pytest.mark.parametrize(
    "link",
    [
        "vnexpress.net",
        "dantri.com.vn",
        "thegioididong.com",
        "vietnamairlines.com",
        "baovietbank.vn",  # a brand inside another bank's name
        "oceanbank.vn",
        "lpbank.com.vn",
        "pvcombank.com.vn",
        "seven.com",  # "evn" inside a word
        "mobile.vn",
    ],
)
def test_ordinary_sites_are_not_called_look_alikes(official: OfficialDomains, link: str):
    assert official.assess(link).lookalike is None


@pytest.mark.parametrize(
    "link", ["vietcombank.com.vn", "https://ebank.vietcombank.com.vn/login", "www.vneid.gov.vn"]
)
def test_official_domains_and_their_subdomains_are_recognised(official: OfficialDomains, link: str):
    found = official.assess(link)
    assert found.official is not None and found.lookalike is None and found.warning_signs == 0


def test_warning_signs(official: OfficialDomains):
    assert official.assess("http://103.45.67.89/vcb").parts.is_ip
    assert official.assess("bit.ly/3xYz").shortener
    assert official.assess("phanthuong.click").risky_tld
    spoof = official.assess("https://vietcombank.com.vn@phish.example/")
    assert spoof.parts.has_userinfo and spoof.parts.host == "phish.example" and spoof.official is None
    puny = official.assess("xn--vietcmbank-s5a.com")
    assert puny.punycode and puny.unicode_host and "xn--" not in puny.unicode_host


def test_links_on_shared_sites_are_matched_whole(official: OfficialDomains):
    assert matches_by_domain(link_parts("scam-site.top/login"), official)
    assert not matches_by_domain(link_parts("bit.ly/abc"), official)
    assert not matches_by_domain(link_parts("facebook.com/some.page"), official)
    assert not matches_by_domain(link_parts("vietcombank.com.vn"), official)
    assert link_parts("https://www.Shop.blogspot.com/p/?a=1").domain == "shop.blogspot.com"


def test_an_unknown_number_is_never_called_safe(citizen: Citizen):
    said = citizen.say("số 0911222333 có phải lừa đảo không")
    assert "chưa có tố giác nào" in said
    assert "an toàn" not in said.lower()
    assert "chưa phải kết luận" not in said  # the note about reports only comes with reports
    assert "069.367.2888" in said


def test_a_reported_number_shows_count_date_and_tactic_but_not_the_reporter(
    bot_engine: Responder, db_engine: Database
):
    for days, tactic in ((0, "impersonate_authority"), (2, "impersonate_authority"), (1, "otp_theft")):
        add_tip(
            db_engine,
            when=DAY + dt.timedelta(days=days),
            reporter_id=f"650000000000000{days}",  # three people: the check counts people, not tips
            reporter_name="Phạm Văn Sơn",
            phones=["+84912345678"],
            tactics=[tactic],
            turns=["Bí mật riêng của người tố giác"],
        )
    asker = Citizen(bot_engine, db_engine, user_id="someone-else")
    said = asker.say("kiểm tra giúp số 0912.345.678")
    assert "3 người đã tố giác số này" in said
    assert "22/11/2026" in said  # the latest, in Vietnam time
    assert bot_engine.analyzer.tactics["impersonate_authority"].name in said
    assert "6500000000000001" not in said and "Phạm Văn Sơn" not in said and "Bí mật" not in said
    assert "chưa phải kết luận" in said


def test_accounts_and_links_are_checked_too(bot_engine: Responder, db_engine: Database):
    add_tip(
        db_engine,
        when=DAY,
        accounts=[("0451000123456", "Vietcombank")],
        urls=["https://login.vcb-hotro.top/x"],
    )
    asker = Citizen(bot_engine, db_engine, user_id="asker")
    said = asker.say("check stk 0451000123456 vietcombank")
    assert "Tài khoản 0451000123456" in said and "1 người đã tố giác" in said
    link = asker.say("kiểm tra link vcb-hotro.top")
    assert "1 người đã tố giác" in link and ".top" in link
    lookalike = asker.say("kiểm tra link vietcombank-hotro.top")
    assert "trông giống vietcombank.com.vn" in lookalike
    assert "chưa có tố giác" not in lookalike or "không có nghĩa" in lookalike


def test_a_check_without_anything_to_check_asks_for_it(citizen: Citizen):
    said = citizen.say(payload="ACTION:CHECK")
    assert "số điện thoại" in said and "link" in said
