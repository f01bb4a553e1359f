"""Links as citizens write them: host, registrable domain, lookup key, and warning signs.

No network access: everything is decided from the link's text and `official_domains.yaml`.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import fuzz

from app.text.links import SHARED_HOSTS, URL_SHORTENERS, LinkParts, link_parts, registrable_domain

__all__ = [
    "DEFAULT_OFFICIAL_DOMAINS",
    "LinkAssessment",
    "OfficialDomain",
    "OfficialDomains",
    "matches_by_domain",
]

DEFAULT_OFFICIAL_DOMAINS = Path(__file__).with_name("official_domains.yaml")

RISKY_TLDS = frozenset(
    {
        "top",
        "xyz",
        "click",
        "online",
        "site",
        "icu",
        "vip",
        "shop",
        "club",
        "buzz",
        "cc",
        "tk",
        "ml",
        "ga",
        "cf",
        "gq",
        "live",
        "work",
        "fun",
        "monster",
        "cyou",
        "sbs",
        "rest",
        "bond",
        "cfd",
        "lol",
        "quest",
        "support",
        "help",
        "link",
        "store",
        "website",
        "space",
        "life",
        "pw",
        "win",
        "mobi",
    }
)

_LURE_WORDS = (
    "online",
    "hotro",
    "support",
    "cskh",
    "app",
    "bank",
    "ebank",
    "ibank",
    "smart",
    "digital",
    "vn",
    "viet",
    "vietnam",
    "secure",
    "login",
    "verify",
    "xacminh",
    "xacthuc",
    "capnhat",
    "update",
    "khachhang",
    "dichvu",
    "service",
    "card",
    "the",
    "pay",
    "qua",
    "tang",
    "uudai",
    "khuyenmai",
    "gov",
    "mobile",
    "web",
    "id",
    # seen around brand names in 2025-26 warning lists
    "vay",
    "vaytien",
    "vaynhanh",
    "vaytinchap",
    "tinchap",
    "tieudung",
    "vaytieudung",
    "nganhang",
    "banking",
    "ebanking",
    "ibanking",
    "digibank",
    "smartbanking",
    "khcn",
    "vip",
    "credit",
    "tindung",
    "thetindung",
    "hoantien",
    "hoanphi",
    "hoanthue",
    "thanhtoan",
    "tiendien",
    "hotrokhachhang",
    "chamsockhachhang",
    "quocgia",
    "giaohang",
    "donhang",
    "phatnguoi",
    "nhanqua",
    "quatang",
    "baomat",
    "ctv",
    "tai",
    "e",
    "i",
    "m",
    "plus",
    "pro",
    "global",
    "official",
    "center",
    "group",
)
_LABEL_SPLIT_RE = re.compile(r"[.\-_]+")
_LURES_LONGEST_FIRST = sorted(_LURE_WORDS, key=len, reverse=True)


def matches_by_domain(parts: LinkParts, official: OfficialDomains | None = None) -> bool:
    """Whether tips about this link should be counted per domain (False: per exact link)."""
    if parts.domain in URL_SHORTENERS or parts.host in URL_SHORTENERS:
        return False
    if parts.domain in SHARED_HOSTS or parts.host in SHARED_HOSTS:
        return False
    return not (official is not None and official.owner(parts.host) is not None)


# --------------------------------------------------------------------------- official domains


_DOMAIN_PATTERN = r"^[a-z0-9][a-z0-9.\-]*\.[a-z]{2,}$"


class OfficialDomain(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    domain: str = Field(pattern=_DOMAIN_PATTERN)  # the one the bot names
    name: str
    brands: tuple[str, ...] = ()
    # the brand's other official domains: older endings, regional customer-care sites, apps' sites
    also: tuple[Annotated[str, Field(pattern=_DOMAIN_PATTERN)], ...] = ()
    # whether the brand counts when glued inside a longer word ("nganhangvpbank68"); off for names
    # real companies build on ("googleusercontent", "viettelpost")
    embedded: bool = True

    @property
    def domains(self) -> tuple[str, ...]:
        return (self.domain, *self.also)

    @property
    def cores(self) -> tuple[str, ...]:
        """The brand names a scam site would borrow: "vietcombank" for vietcombank.com.vn."""
        labels = [registrable_domain(d).split(".")[0].replace("-", "") for d in self.domains]
        return tuple(dict.fromkeys([*labels, *self.brands]))


@dataclass(frozen=True, slots=True)
class LinkAssessment:
    """What the link's text says about it."""

    parts: LinkParts
    official: OfficialDomain | None  # the link is on this official domain (or a subdomain)
    lookalike: OfficialDomain | None  # the link imitates this official domain
    risky_tld: bool
    shortener: bool
    punycode: bool
    unicode_host: str | None  # the punycode name decoded, to show what it imitates

    @property
    def warning_signs(self) -> int:
        parts = self.parts
        return sum(
            (
                self.lookalike is not None,
                self.risky_tld,
                self.shortener,
                self.punycode,
                parts.is_ip,
                parts.has_userinfo,
            )
        )


class OfficialDomains:
    """The official-domain list and the look-alike test against it."""

    def __init__(self, domains: list[OfficialDomain]) -> None:
        self.domains = domains
        self._by_domain = {name: d for d in domains for name in d.domains}

    @classmethod
    def load(cls, path: Path = DEFAULT_OFFICIAL_DOMAINS) -> OfficialDomains:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls([OfficialDomain.model_validate(item) for item in raw.get("domains", [])])

    def owner(self, host: str) -> OfficialDomain | None:
        """The official domain this host is, or is a subdomain of."""
        labels = host.split(".")
        for i in range(len(labels) - 1):
            found = self._by_domain.get(".".join(labels[i:]))
            if found is not None:
                return found
        return None

    def lookalike(self, parts: LinkParts) -> OfficialDomain | None:
        """The official domain this (non-official) host imitates, if any."""
        if parts.is_ip or not parts.valid or self.owner(parts.host) is not None:
            return None
        if parts.host.endswith(_RESTRICTED_SUFFIXES):  # only the state registers these names
            return None
        host = _unicode_host(parts.host) or parts.host
        tokens = [t for t in _LABEL_SPLIT_RE.split(host) if t]
        tokens = tokens[:-1] if len(tokens) > 1 else tokens  # the TLD imitates nothing
        tokens = [t for t in tokens if t not in _SUFFIX_WORDS] or tokens  # "com" in "x.com.vn"
        glued = _ascii_fold("".join(tokens))
        best: tuple[float, OfficialDomain] | None = None
        for official in self.domains:
            score = max(_similarity(core, tokens) for core in official.cores)
            if not score and official.embedded:
                score = max(_embedded(core, glued) for core in official.cores)
            if score and (best is None or score > best[0]):
                best = (score, official)
        return best[1] if best else None

    def assess(self, url: str) -> LinkAssessment:
        parts = link_parts(url)
        official = None if parts.is_ip else self.owner(parts.host)
        unicode_host = _unicode_host(parts.host)
        return LinkAssessment(
            parts=parts,
            official=official,
            lookalike=None if official else self.lookalike(parts),
            risky_tld=parts.tld in RISKY_TLDS,
            shortener=parts.host in URL_SHORTENERS or parts.domain in URL_SHORTENERS,
            punycode=unicode_host is not None,
            unicode_host=unicode_host,
        )


def _unicode_host(host: str) -> str | None:
    """The host with punycode labels decoded, when it has any."""
    if "xn--" not in host:
        return None
    labels = []
    for label in host.split("."):
        if label.startswith("xn--"):
            with contextlib.suppress(UnicodeError):
                label = label.encode("ascii").decode("idna")
        labels.append(label)
    return ".".join(labels)


_DIGIT_LOOKALIKES = str.maketrans("01354", "olesa")


def _ascii_fold(text: str) -> str:
    """Homoglyph-ish folding for comparison: digits that pass for letters, accents dropped."""
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.translate(_DIGIT_LOOKALIKES)


def _without_lures(token: str) -> set[str]:
    """The token with lure words and digits peeled off either end, step by step.

    "hotrovietcombank247" gives "vietcombank247", "hotrovietcombank", "vietcombank", ... (every
    step is kept: "bank" is a lure word, yet "vietcornbank" must survive to be compared).
    """
    seen = {token}
    todo = [token]
    while todo and len(seen) < 64:
        current = todo.pop()
        nexts = [current.strip("0123456789")]
        for word in _LURES_LONGEST_FIRST:
            if current.startswith(word):
                nexts.append(current[len(word) :])
            if current.endswith(word):
                nexts.append(current[: -len(word)])
        for item in nexts:
            if len(item) >= 3 and item not in seen:
                seen.add(item)
                todo.append(item)
    return seen


_RESTRICTED_SUFFIXES = (".gov.vn",)
_SUFFIX_WORDS = frozenset({"com", "net", "org", "vn", "gov", "edu", "info", "biz"})
_EMBEDDED_MIN = 6  # a brand this long is specific enough to count anywhere in a name
_JUNK_MAX = 3  # letters of junk a shorter brand may carry ("vietinbankhz", "bidvqu")


def _embedded(core: str, glued: str) -> float:
    """A brand glued inside the host's name: "nganhangvpbank68", "hotrovaytinchaptpbank",
    "techcombankxq". Long brands count anywhere; brands of 4-5 letters only with up to three
    letters of junk beside them ("bidvqu"); shorter ones never (they occur inside ordinary words).
    """
    if len(core) < 4 or core not in glued:
        return 0.0
    if len(core) >= _EMBEDDED_MIN:
        return 95.0
    stripped = glued.strip("0123456789")
    start = stripped.find(core)
    before, after = stripped[:start], stripped[start + len(core) :]
    if (not before or not after) and len(before) + len(after) <= _JUNK_MAX:
        return 90.0
    return 0.0


def _similarity(core: str, tokens: list[str]) -> float:
    """How strongly the host's words imitate the brand `core` (0 for not at all).

    A brand counts when it is a whole word of the host, alone or glued to lure words
    ("vietcombank-hotro", "bidvonline", "hotrozalo"), or - for longer brands - misspelled by a
    letter or two ("vietcornbank"). A brand inside another name ("baovietbank") does not count.
    """
    words = set(tokens)  # and adjacent pairs: names split by a hyphen ("dichvu-cong")
    words.update(a + b for a, b in itertools.pairwise(tokens))
    candidates = {_ascii_fold(v) for w in words for v in _without_lures(w)}
    if core in candidates:
        return 100.0
    if len(core) < 5:
        return 0.0
    threshold = 84.0 if len(core) < 7 else 85.0
    best = max((fuzz.ratio(core, c) for c in candidates), default=0.0)
    return best if best >= threshold else 0.0
