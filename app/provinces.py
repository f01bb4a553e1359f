"""The provinces a deployment serves (`provinces.yaml`) and how a message finds its province."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.text.normalize import fold

__all__ = ["Province", "Provinces", "load_provinces"]


class Province(BaseModel):
    """One provincial police force behind the bot."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    name: str  # "Công an thành phố Cần Thơ"
    short_name: str
    ref_prefix: str = Field(pattern=r"^[A-Z]{2,3}$")  # tip reference codes: CT-20261123-0042
    hotline: str
    website: str = ""
    fanpage: str = ""
    zalo_oa: str = ""
    messenger_page_ids: list[str] = Field(default_factory=list)
    zalo_oa_ids: list[str] = Field(default_factory=list)
    # channel id (page or OA) -> name of the environment variable holding its token
    tokens: dict[str, str] = Field(default_factory=dict)
    # Other names that route here: provinces merged into this one on 1 July 2025 ("Sóc Trăng",
    # "soc-trang"), older names. Compared folded (no diacritics, any case, "-" as a space).
    aliases: list[str] = Field(default_factory=list)

    def names(self) -> list[str]:
        """Every name this province answers to: id, short name, aliases (as written)."""
        return [self.id, self.short_name, *self.aliases]


_NON_WORD_RE = re.compile(r"[^0-9a-z]+")


def _key(text: str) -> str:
    """A name folded for comparison: "Sóc Trăng", "soc-trang", "SOC TRANG" -> "soc trang"."""
    return " ".join(_NON_WORD_RE.split(fold(text))).strip()


class Provinces(BaseModel):
    """All provinces, with the default one for messages that name none."""

    model_config = ConfigDict(extra="forbid")

    provinces: list[Province] = Field(min_length=1)
    default_id: str = ""

    @model_validator(mode="after")
    def _unique(self) -> Provinces:
        ids = [p.id for p in self.provinces]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate province ids")
        prefixes = [p.ref_prefix for p in self.provinces]
        if len(set(prefixes)) != len(prefixes):
            raise ValueError("duplicate ref_prefix")
        owners: dict[str, str] = {}
        for p in self.provinces:
            for name in p.names():
                key = _key(name)
                if not key:
                    raise ValueError(f"province {p.id}: empty alias {name!r}")
                if owners.setdefault(key, p.id) != p.id:
                    raise ValueError(f"alias {name!r} names both {owners[key]} and {p.id}")
        return self

    @cached_property
    def _by_key(self) -> dict[str, Province]:
        return {_key(name): p for p in self.provinces for name in p.names()}

    @cached_property
    def _text_re(self) -> re.Pattern[str]:
        keys = sorted(self._by_key, key=len, reverse=True)  # "can tho" before a shorter name inside it
        alternation = "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in keys)
        return re.compile(rf"(?<![0-9a-z])(?:{alternation})(?![0-9a-z])")

    def find(self, name: str | None) -> Province | None:
        """The province this id, name or alias names ("soc-trang", "Hậu Giang" -> can-tho), else None."""
        if not name:
            return None
        return self._by_key.get(_key(name))

    def find_in_text(self, text: str) -> Province | None:
        """The province the first place name in `text` belongs to ("tôi ở Sóc Trăng" -> can-tho).

        Names and aliases are compared folded (with or without diacritics) on word boundaries, so
        "hau giang" matches but "nhau giang" does not.
        """
        found = self._text_re.search(_key(text))
        return self._by_key[" ".join(found.group().split())] if found else None

    def get(self, province_id: str | None) -> Province:
        """The province with this id (or alias), or the default one."""
        return self.find(province_id) or self.default

    def has(self, province_id: str) -> bool:
        """Whether this id or alias names a province."""
        return self.find(province_id) is not None

    @property
    def default(self) -> Province:
        return self.find(self.default_id) or self.provinces[0]

    def for_channel(self, channel: str, channel_id: str) -> Province:
        """The province whose Messenger page or Zalo OA received the message (default otherwise)."""
        for p in self.provinces:
            ids = p.messenger_page_ids if channel == "messenger" else p.zalo_oa_ids
            if channel_id in ids:
                return p
        return self.default


def load_provinces(path: Path, default_id: str) -> Provinces:
    """Read `provinces.yaml`; `default_id` (CANHGIAC_DEFAULT_PROVINCE) must name one of them."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    provinces = Provinces.model_validate({**raw, "default_id": default_id})
    if not provinces.has(default_id):
        raise ValueError(f"CANHGIAC_DEFAULT_PROVINCE={default_id!r} is not in {path.name}")
    return provinces
