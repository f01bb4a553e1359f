"""Links and bare domains, defanged ones included."""

from __future__ import annotations

import re
from typing import Final

from app.nlu.entities.words import _wordset

# --------------------------------------------------------------------------- links

# fmt: off
_TLDS: Final = _wordset(
    # generic, and the cheap ones scam sites use
    "com net org info biz edu gov int mil pro mobi asia tel travel jobs xyz top online shop site vip "
    "click live app link store club fun icu buzz win bet tech space website press host cloud digital "
    "world today life news blog email cyou rest bar monster sbs cfd lol quest work ltd group finance "
    "money loan bid trade date racing review stream download party science men accountant cricket "
    "faith webcam kim gdn ink wiki best beauty hair skin makeup mom pics fit fyi zone center company "
    "global network solutions services support help social agency plus cash fund gold games casino "
    "poker shopping deals sale market exchange capital investments ventures trading bond credit "
    "loans insure bank vin llc inc dev page ooo one red blue pink black tips guru expert studio "
    "media video photo photos pictures web land city town vision express delivery post "
    # country codes
    "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt "
    "bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er "
    "es et eu fi fj fk fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht "
    "hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr "
    "ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng "
    "ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd "
    "se sg sh si sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw "
    "tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw"
)
# fmt: on
# Two-letter codes that are not also Vietnamese / English / teencode words. Others ("co", "me",
# "to", "la") turn up when a sentence runs into the next without a space ("xong roi.co ai"), so
# they need more evidence: a path, a hyphen or digit, a longer name, or a known host.
_STRONG_CC: Final = _wordset("vn io cc ly tk ml gq cf ws tv gg fm kr jp cn uk ru sg th kh")
_KNOWN_HOSTS: Final = _wordset(
    "bit.ly s.id t.ly cutt.ly is.gd v.gd rb.gy shorturl.at goo.gl ow.ly t.co tiny.cc rebrand.ly lnkd.in "
    "youtu.be fb.me m.me t.me zalo.me wa.me shope.ee"
)
_DOT: Final = r"(?:\.|\[\.\]|\(\.\)|\[dot\]|\(dot\))"
# What a link is made of: printable ASCII but the characters RFC 3986 leaves out of URLs and
# that wrap or quote one instead: " < > \\ ^ ` { | } (and ' , which quotes it in formulas).
# Curly quotes, non-ASCII letters and spaces end it too.
_URL_CHARS: Final = r"[!#-&(-;=?-\[\]_a-z~]"
# Run on one whitespace-delimited token at a time (see _find_urls), never the whole message.
_URL_RE: Final = re.compile(
    r"(?P<scheme>h(?:tt|xx)ps?(?::|\[:\])//" + _URL_CHARS + r"+)"
    r"|(?<![\w@.\-/])(?P<www>www" + _DOT + _URL_CHARS + r"+)"
    r"|(?<![\w@.\-/])(?P<host>(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?" + _DOT + r")+(?P<tld>[a-z]{2,24}))"
    r"(?![\w@\-])(?P<path>(?::\d{2,5})?/" + _URL_CHARS + r"*)?"
)
# A dot with a letter after it, or a defanged dot: the only places a link can be. Starts with
# literals, so ``re`` jumps between candidates in C.
_URL_HINT_RE: Final = re.compile(r"://|\[:\]//|\.(?=[a-z])|\[\.\]|\(\.\)|\[dot\]|\(dot\)")
_DEFANG_RE: Final = re.compile(r"\[\.\]|\(\.\)|\[dot\]|\(dot\)|\[:\]")
_URL_TRAIL: Final = ".,)]}>!?:;'\"`"
_PATH_START_RE: Final = re.compile(r"[/?#]")
_WS_RE: Final = re.compile(r"[ \n\t]")


def _refang(url: str) -> str:
    if "[" in url or "(" in url:
        url = _DEFANG_RE.sub(lambda m: ":" if m.group() == "[:]" else ".", url)
    return "http" + url[4:] if url.startswith("hxxp") else url


def _find_urls(text: str, low: str) -> tuple[list[str], list[tuple[int, int]]]:
    """Links, looked for only in the whitespace-delimited tokens that hold a dot before a letter."""
    urls: dict[str, None] = {}  # an ordered set
    spans: list[tuple[int, int]] = []
    done = 0  # end of the last token searched
    for hint in _URL_HINT_RE.finditer(low):
        i = hint.start()
        if i < done or i == 0:
            continue
        # the token around the hint; both searches stay between the last token and the next
        # whitespace, so the whole loop reads each character a bounded number of times
        left = max(low.rfind(" ", done, i), low.rfind("\n", done, i), low.rfind("\t", done, i), done - 1) + 1
        ws = _WS_RE.search(low, i)
        done = ws.start() if ws is not None else len(low)
        for m in _URL_RE.finditer(low, left, done):
            url = _accept_url(text, low, m)
            if url is not None:
                urls[url] = None
                spans.append(m.span())
    return list(urls), spans


def _accept_url(text: str, low: str, m: re.Match[str]) -> str | None:
    raw = m.group()
    url = raw.rstrip(_URL_TRAIL)
    if len(url) < len(raw) and raw[len(url)] == ")" and url.count("(") > url.count(")"):
        url += ")"  # "x.top/a_(b)": the bracket closes one opened in the path
    host = m.group("host")
    if host is not None:
        tld = m.group("tld")
        if tld not in _TLDS:
            return None
        if m.group("path") is None:
            host = _refang(host)
            sld = host.rsplit(".", 2)[-2]
            ts = m.start("tld")
            if text[ts].isupper() and text[ts - 2].islower():  # "roi.Co ai": a new sentence
                return None
            if (
                len(tld) == 2
                and tld not in _STRONG_CC
                and host not in _KNOWN_HOSTS
                and host.count(".") < 2
                and len(sld) < 5
                and not any(c == "-" or c.isdigit() for c in sld)
            ):
                return None
    if not url:
        return None
    # the host is case-insensitive and stored lowercased; the path keeps its case (short links
    # like bit.ly/AbC12 are case-sensitive)
    start = m.start()
    if host is not None:
        path_at = m.start("path") if m.group("path") is not None else -1
    else:
        slashes = url.find("//") + 2 if m.group("scheme") is not None else 0
        found = _PATH_START_RE.search(url, slashes)
        path_at = start + found.start() if found is not None else -1
    if 0 <= path_at < start + len(url):
        url = url[: path_at - start] + text[path_at : start + len(url)]
    return _refang(url)
