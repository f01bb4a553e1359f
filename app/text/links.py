"""Links taken apart: host, registrable domain, lookup key. No network access, never raises."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["SHARED_HOSTS", "URL_SHORTENERS", "LinkParts", "link_parts", "registrable_domain"]

# Suffixes under which anyone can register a name: the registrable domain is one label more.
# Free hosting platforms are listed too, so "abc.blogspot.com" is its own site, not Blogspot's.
_MULTI_SUFFIXES = frozenset(
    {
        "com.vn",
        "net.vn",
        "org.vn",
        "gov.vn",
        "edu.vn",
        "info.vn",
        "biz.vn",
        "name.vn",
        "pro.vn",
        "health.vn",
        "ac.vn",
        "int.vn",
        "co.uk",
        "com.au",
        "com.sg",
        "com.cn",
        "co.jp",
        "blogspot.com",
        "github.io",
        "web.app",
        "firebaseapp.com",
        "vercel.app",
        "netlify.app",
        "pages.dev",
        "herokuapp.com",
        "wixsite.com",
        "weebly.com",
        "wordpress.com",
        "glitch.me",
        "onrender.com",
        "ngrok-free.app",
        "ngrok.io",
        "000webhostapp.com",
        "azurewebsites.net",
        "appspot.com",
    }
)

# Top-level domains that are cheap and common on phishing pages (a warning sign, not a verdict).
URL_SHORTENERS = frozenset(
    {
        "bit.ly",
        "bitly.com",
        "tinyurl.com",
        "s.id",
        "t.ly",
        "cutt.ly",
        "goo.gl",
        "ow.ly",
        "is.gd",
        "v.gd",
        "rb.gy",
        "shorturl.at",
        "shorturl.asia",
        "rebrand.ly",
        "tiny.cc",
        "t.co",
        "buff.ly",
        "bom.so",
        "bom.to",
        "urlgo.vn",
        "short.gy",
        "tinyurl.vn",
    }
)

# Sites where many unrelated people have pages: a tip about one page says nothing about the site,
# so tips are matched on the whole link there (same for shorteners and official domains).
SHARED_HOSTS = frozenset(
    {
        "facebook.com",
        "fb.com",
        "fb.me",
        "m.me",
        "zalo.me",
        "t.me",
        "tiktok.com",
        "youtube.com",
        "youtu.be",
        "instagram.com",
        "google.com",
        "forms.gle",
        "drive.google.com",
        "docs.google.com",
        "sites.google.com",
        "play.google.com",
        "apps.apple.com",
        "github.com",
        "shopee.vn",
        "lazada.vn",
        "tiki.vn",
    }
)

# Words scam sites put beside a brand name: "bidv-online", "zalo-xacminh", "vcbhotro".
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.\-]*://", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class LinkParts:
    """A link taken apart."""

    url: str  # as written (lowercased by the extractor)
    host: str  # lowercase, punycode for non-ASCII names, no port, no "www."
    domain: str  # registrable domain ("vietcombank.com.vn"), or the IP address
    url_key: str  # host + path + query, no scheme, no trailing slash: the lookup key for shared hosts
    is_ip: bool
    has_userinfo: bool  # "https://vietcombank.com.vn@evil.top" sends you to evil.top

    @property
    def valid(self) -> bool:
        return self.is_ip or "." in self.host

    @property
    def tld(self) -> str:
        return "" if self.is_ip else self.host.rsplit(".", 1)[-1]


def _to_ascii_host(host: str) -> str:
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def registrable_domain(host: str) -> str:
    """The name someone registered, one label under the public suffix: ebank.bidv.com.vn -> bidv.com.vn."""
    labels = host.split(".")
    if len(labels) <= 2:
        return host
    take = 3 if ".".join(labels[-2:]) in _MULTI_SUFFIXES else 2
    return ".".join(labels[-take:])


def link_parts(url: str) -> LinkParts:
    """Take a link apart; never raises (a link that cannot be parsed keeps its text as host)."""
    raw = url.strip()
    candidate = raw if _SCHEME_RE.match(raw) else f"http://{raw}"
    try:
        parts = urlsplit(candidate)
        hostname = parts.hostname or ""
        has_userinfo = "@" in parts.netloc
        path = parts.path.rstrip("/")
        query = f"?{parts.query}" if parts.query else ""
    except ValueError:
        hostname, has_userinfo, path, query = raw.lower(), False, "", ""
    host = _to_ascii_host(hostname.lower().strip(".[]"))
    if host.startswith("www."):
        host = host[4:]
    is_ip = _is_ip(host)
    domain = host if is_ip else registrable_domain(host)
    key = f"{host}{path}{query}"[:512]
    return LinkParts(raw, host, domain, key, is_ip, has_userinfo)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
