"""What a catalogue update changes: tactics added or removed, and per tactic the patterns,
keywords, red flags, advice and sources added or removed, so a province can review an update
before deploying it (`canhgiac catalog diff OLD NEW`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.catalog.models import Catalog, Source, Tactic

__all__ = ["CatalogDiff", "TacticDiff", "diff_catalogs"]

# (field, label shown to officers); the list fields compared item by item
_LIST_FIELDS: tuple[tuple[str, str], ...] = (
    ("patterns", "mẫu câu"),
    ("keywords", "từ khóa"),
    ("red_flags", "dấu hiệu"),
    ("advice", "lời khuyên"),
    ("urgent_advice", "lời khuyên khẩn cấp"),
)
# fields whose items are worth printing in full (patterns and keywords are only counted by default)
_SHOWN = frozenset({"red_flags", "advice", "urgent_advice"})


def _source(source: Source) -> str:
    title = f": {source.title}" if source.title else ""
    return f"{source.agency} ({source.date}){title}"


@dataclass(slots=True)
class TacticDiff:
    id: str
    name: str
    added: dict[str, list[str]] = field(default_factory=dict)
    removed: dict[str, list[str]] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)  # single fields: "summary", "name", "updated …"

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass(slots=True)
class CatalogDiff:
    old_version: str
    new_version: str
    added: list[Tactic] = field(default_factory=list)
    removed: list[Tactic] = field(default_factory=list)
    changed: list[TacticDiff] = field(default_factory=list)
    matcher: list[str] = field(default_factory=list)
    changelog: list[str] = field(default_factory=list)  # entries in NEW that OLD does not have

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.matcher or self.changelog)

    def lines(self, *, show_patterns: bool = False) -> list[str]:
        """The difference as text for officers (Vietnamese)."""
        out = [f"Danh mục {self.old_version} → {self.new_version}"]
        if self.empty:
            return [*out, "Không có thay đổi."]
        if self.changelog:
            out.append("Nhật ký thay đổi:")
            out.extend(f"  {line}" for line in self.changelog)
        out.extend(f"+ Thủ đoạn mới: {t.id} — {t.name} ({len(t.patterns)} mẫu câu)" for t in self.added)
        out.extend(f"- Bỏ thủ đoạn: {t.id} — {t.name}" for t in self.removed)
        for diff in self.changed:
            counts = [f"+{len(v)} {_label(k)}" for k, v in diff.added.items()]
            counts += [f"-{len(v)} {_label(k)}" for k, v in diff.removed.items()]
            out.append(f"~ {diff.id} — {diff.name}: {', '.join([*counts, *diff.changed])}")
            for key, items in diff.added.items():
                if key in _SHOWN or key == "sources" or show_patterns:
                    out.extend(f"    + {_label(key)}: {item}" for item in items)
            for key, items in diff.removed.items():
                if key in _SHOWN or key == "sources" or show_patterns:
                    out.extend(f"    - {_label(key)}: {item}" for item in items)
        out.extend(f"~ Ngưỡng nhận dạng: {line}" for line in self.matcher)
        return out


def _label(key: str) -> str:
    return dict(_LIST_FIELDS).get(key, "nguồn" if key == "sources" else key)


def _tactic_diff(old: Tactic, new: Tactic) -> TacticDiff:
    diff = TacticDiff(id=new.id, name=new.name)
    for key, _label_text in _LIST_FIELDS:
        before, after = getattr(old, key), getattr(new, key)
        added = [x for x in after if x not in before]
        removed = [x for x in before if x not in after]
        if added:
            diff.added[key] = added
        if removed:
            diff.removed[key] = removed
    old_sources = [_source(s) for s in old.sources]
    new_sources = [_source(s) for s in new.sources]
    if added_sources := [s for s in new_sources if s not in old_sources]:
        diff.added["sources"] = added_sources
    if removed_sources := [s for s in old_sources if s not in new_sources]:
        diff.removed["sources"] = removed_sources
    if old.name != new.name:
        diff.changed.append(f"tên cũ: {old.name}")
    if old.summary != new.summary:
        diff.changed.append("tóm tắt sửa")
    if old.updated != new.updated and not diff.empty:
        diff.changed.append(f"cập nhật {old.updated:%d/%m/%Y} → {new.updated:%d/%m/%Y}")
    elif old.updated != new.updated:
        diff.changed.append(f"chỉ đổi ngày cập nhật {old.updated:%d/%m/%Y} → {new.updated:%d/%m/%Y}")
    return diff


def diff_catalogs(old: Catalog, new: Catalog) -> CatalogDiff:
    """What `new` adds, removes and changes compared with `old`."""
    result = CatalogDiff(old_version=old.version, new_version=new.version)
    before, after = old.by_id(), new.by_id()
    result.added = [t for t in new.tactics if t.id not in before]
    result.removed = [t for t in old.tactics if t.id not in after]
    for tactic in new.tactics:
        if tactic.id in before:
            diff = _tactic_diff(before[tactic.id], tactic)
            if not diff.empty:
                result.changed.append(diff)
    if old.matcher != new.matcher:
        old_m = old.matcher.model_dump() if old.matcher else {}
        new_m = new.matcher.model_dump() if new.matcher else {}
        for key in sorted(set(old_m) | set(new_m)):
            if old_m.get(key) != new_m.get(key):
                result.matcher.append(f"{key} {old_m.get(key, '-')} → {new_m.get(key, '-')}")
    known = {(e.version, e.date) for e in old.changelog}
    for entry in new.changelog:
        if (entry.version, entry.date) not in known:
            result.changelog.append(f"{entry.version} ({entry.date:%d/%m/%Y}):")
            result.changelog.extend(f"  • {change}" for change in entry.changes)
    return result
