"""Look-alike detection measured on our own lists: fakes as scam sites name themselves, and real
official and everyday domains (tests/data/domains_fake.txt, tests/data/domains_real.txt)."""

from __future__ import annotations

import pytest

from app.catalog.official_domains import OfficialDomains
from app.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data"


def _rows(name: str) -> list[list[str]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.split() for line in lines if line.strip() and not line.startswith("#")]


FAKES = _rows("domains_fake.txt")
REALS = [row[0] for row in _rows("domains_real.txt")]


@pytest.fixture(scope="module")
def official() -> OfficialDomains:
    return OfficialDomains.load()


def test_the_lists_are_big_enough():
    assert len(FAKES) >= 60 and len(REALS) >= 80
    assert len({f[0] for f in FAKES}) == len(FAKES) and len(set(REALS)) == len(REALS)


def test_every_fake_is_flagged_as_imitating_the_right_brand(official: OfficialDomains):
    wrong = []
    for fake, imitates in FAKES:
        found = official.assess(fake)
        if found.official is not None or found.lookalike is None or imitates not in found.lookalike.domains:
            wrong.append((fake, found.lookalike.domain if found.lookalike else None))
    assert wrong == []


def test_no_real_domain_is_called_a_fake(official: OfficialDomains):
    called_fake = [(d, f.lookalike.domain) for d in REALS if (f := official.assess(d)).lookalike is not None]
    assert called_fake == []


@pytest.mark.parametrize(
    ("domain", "owner"),
    [
        ("techcombank.com.vn", "techcombank.com"),
        ("www.techcombank.com.vn", "techcombank.com"),
        ("cskh.evnspc.vn", "evnspc.vn"),
        ("evnhanoi.com.vn", "evnhanoi.vn"),
        ("lienvietpostbank.com.vn", "lpbank.com.vn"),
        ("shopeefood.vn", "shopee.vn"),
    ],
)
def test_a_brands_other_official_domains_are_official(official: OfficialDomains, domain: str, owner: str):
    found = official.assess(domain)
    assert found.official is not None and found.official.domain == owner
    assert found.lookalike is None


def test_state_domains_are_never_look_alikes(official: OfficialDomains):
    for host in ("dichvucong.cantho.gov.vn", "vneid.tuyenquang.gov.vn", "vietcombank.gov.vn"):
        assert official.assess(host).lookalike is None


@pytest.mark.parametrize(
    "host",
    ["googleusercontent.com", "zalora.com", "pancake.vn", "viettelidc.com.vn", "xaydungchinhphu.vn"],
)
def test_names_built_on_a_brand_by_real_companies_are_left_alone(official: OfficialDomains, host: str):
    assert official.assess(host).lookalike is None


def test_official_entries_are_unique(official: OfficialDomains):
    names = [name for d in official.domains for name in d.domains]
    assert len(names) == len(set(names))
