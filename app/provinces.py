"""The provinces a deployment serves (`provinces.yaml`) and how a message finds its province."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

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
        return self

    def get(self, province_id: str | None) -> Province:
        """The province with this id, or the default one."""
        for p in self.provinces:
            if p.id == province_id:
                return p
        return self.default

    def has(self, province_id: str) -> bool:
        return any(p.id == province_id for p in self.provinces)

    @property
    def default(self) -> Province:
        for p in self.provinces:
            if p.id == self.default_id:
                return p
        return self.provinces[0]

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
