"""Generate a synthetic organisation's OKRs for benchmarks.

Usage::

    python bench/synth.py --units 1000 --out /tmp/org [--seed 1] [--cycles 2]

writes ``/tmp/org/content/`` (``company.yaml``, ``org.yaml`` and one folder per
cycle with ``company.yaml`` plus one ``<unit>.yaml`` per unit) and
``/tmp/org/mkdocs.yml`` (the demo's Material settings with the okrsite
plugin), so ``mkdocs build -f /tmp/org/mkdocs.yml`` builds the site.

The shape is meant to look like a real company at scale:

- ``--units`` counts every unit in ``org.yaml``: about N/20 departments (at
  least 3) under the company, a few service units (Engineering, Legal…) and
  teams under the departments (unevenly: some departments are much larger);
- the company sets 3 objectives with 3–4 KRs; every unit has 2–4
  objectives with 2–5 KRs (service units: health metrics and at most one
  objective);
- objectives ``aligns_to`` an objective or KR of their parent (a few align to
  nothing), KRs ``contributes_to`` a parent KR (several teams often support the
  same KR: overlaps), some ``related`` lateral links to earlier units;
- weekly check-ins up to an "as of" date in the last cycle, a few milestone
  and threshold KRs, earlier cycles graded with scores, ~1 % private
  objectives (never the target of a link).

Every link points to a unit generated *earlier* (parents come first, lateral
links only go backwards), so alignment never has a cycle; every reference
names an objective or KR that exists in the same cycle.

The output is a pure function of the arguments (same seed → same bytes) and
is fast: the YAML is written by a small emitter, not ``yaml.dump``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# ---------------------------------------------------------------------------
# Word pools (ASCII and accented names; nothing here is a reserved unit id)

DEPARTMENTS = [
    "Sales", "Marketing", "Product", "Customer Success", "Operations",
    "Partnerships", "Growth", "Research", "Platform", "Analytics",
    "Commerce", "Payments", "Mobile", "Enterprise", "Self Serve",
    "Trust", "Logistics", "Content", "Community", "Ecosystem",
]
REGIONS = [
    "EMEA", "APAC", "Americas", "North", "South", "East", "West", "Central",
    "Nordics", "DACH", "Iberia", "Benelux", "Japan", "India", "Brazil", "Canada",
]
SERVICES = [
    "Engineering Platform", "Design", "Legal", "Finance", "Support", "Security",
    "IT", "People Ops", "Data Platform", "Facilities", "Procurement", "Compliance",
]
TEAM_AREAS = [
    "Onboarding", "Billing", "Checkout", "Search", "Notifications", "Pricing",
    "Reporting", "Integrations", "Identity", "Permissions", "Dashboards",
    "Alerts", "Imports", "Exports", "Scheduling", "Messaging", "Insights",
    "Forecasting", "Catalog", "Inventory", "Fulfilment", "Returns", "Trials",
    "Renewals", "Upsell", "Webinars", "Events", "Docs", "Localization",
    "Accessibility", "Performance", "Reliability", "Storage", "Sync",
    "Editor", "Templates", "Workflows", "Automation", "Audit", "Ledger",
    "Invoicing", "Tax", "Fraud", "Risk", "Referrals", "Loyalty", "Campaigns",
    "Brand", "SEO", "Ads", "Lifecycle", "Activation", "Retention", "Feedback",
    "Surveys", "Benchmarks", "Connectors", "Partners API", "Marketplace", "Apps",
]
AUDIENCES = [
    "mid-market customers", "new trial users", "enterprise admins", "partners",
    "self-serve teams", "finance buyers", "power users", "field sales",
    "support agents", "developers",
]
OBJECTIVE_TEMPLATES = [
    ("simplify", "Make {area} effortless for {audience}"),
    ("win", "Win {audience} with a faster {area}"),
    ("grow", "Turn {area} into a growth engine"),
    ("trust", "Build a {area} that {audience} trust"),
    ("delight", "Delight {audience} at every step of {area}"),
    ("scale", "Scale {area} without scaling the team"),
    ("fix", "Fix the basics of {area} for {audience}"),
    ("lead", "Lead the market on {area}"),
]
# (id, title, unit, start, target): increasing and decreasing targets.
METRICS = [
    ("time-to-value", "Cut time to first value", "days", 14, 5),
    ("weekly-active", "Grow weekly active accounts", "accounts", 1200, 1800),
    ("nps", "Raise NPS", "points", 28, 42),
    ("churn", "Reduce monthly logo churn", "%", 3.2, 2.0),
    ("conversion", "Lift trial-to-paid conversion", "%", 7.5, 11),
    ("p95-latency", "Cut p95 page latency", "ms", 900, 350),
    ("pipeline", "Build qualified pipeline", "k EUR", 800, 1400),
    ("tickets", "Reduce tickets per 100 accounts", "tickets", 18, 10),
    ("adoption", "Grow feature adoption", "%", 22, 40),
    ("expansion", "Grow net revenue retention", "%", 104, 112),
    ("activation", "Raise day-7 activation", "%", 31, 45),
    ("errors", "Cut error rate", "%", 1.8, 0.5),
    ("coverage", "Raise automated test coverage", "%", 55, 75),
    ("cycle-time", "Shorten lead time for changes", "days", 9, 4),
    ("csat", "Raise support CSAT", "%", 86, 93),
    ("leads", "Grow marketing qualified leads", "leads", 450, 700),
    ("win-rate", "Improve win rate", "%", 18, 25),
    ("cost", "Reduce cost to serve", "EUR/account", 41, 30),
]
MILESTONES = [
    ("launch", "Launch the new {area} experience"),
    ("migrate", "Migrate every customer to the new {area}"),
    ("pilot", "Pilot the new {area} with five design partners"),
    ("certify", "Pass the {area} security review"),
]
THRESHOLDS = [
    ("uptime", "Keep {area} uptime above target", "%", 99.9, "above"),
    ("backlog", "Keep the {area} backlog below target", "items", 50, "below"),
    ("response", "Keep first response time below target", "h", 4, "below"),
]
HEALTH = [
    ("Ticket first response", "< 4h", ["3.1h", "3.8h", "4.6h", "2.7h"]),
    ("Open escalations", "0", ["0", "1", "2", "4"]),
    ("Monthly close", "5 days", ["4 days", "5 days", "7 days"]),
    ("Contract turnaround", "< 3 days", ["2 days", "3 days", "6 days"]),
    ("Deploys per week", "> 20", ["34", "22", "15"]),
    ("Laptop delivery", "< 2 days", ["1 day", "2 days", "4 days"]),
    ("Critical vulnerabilities open", "0", ["0", "1", "3"]),
    ("Time to hire", "< 45 days", ["38 days", "47 days", "60 days"]),
]
FIRST = [
    "Priya", "Tom", "Aisha", "Lars", "Mei", "Diego", "Sofia", "Kwame", "Ana",
    "Jonas", "Fatima", "Hiro", "Chloé", "José", "Ingrid", "Omar", "Léa",
    "Nikolai", "Zanele", "Björn", "Ravi", "Emma", "Mateo", "Yuki",
]
LAST = [
    "Shah", "Becker", "Okafor", "Nilsson", "Chen", "Álvarez", "Rossi", "Mensah",
    "Silva", "Weber", "Haddad", "Tanaka", "Dubois", "Pérez", "Larsen", "Farouk",
    "Moreau", "Ivanov", "Dlamini", "Sørensen", "Iyer", "Brown", "García", "Sato",
]
NOTES = [
    "On track", "Blocked on a dependency", "New data from the pilot",
    "Slower than planned", "Ahead of plan after the release", "Re-baselined",
    "Waiting for the quarterly survey", "Experiment shipped",
]


# ---------------------------------------------------------------------------
# A tiny YAML emitter (block style; flat mappings inside lists in flow style)

_PLAIN_RE = re.compile(r"[A-Za-z][A-Za-z0-9 _./-]*")
_YAML_WORDS = frozenset(
    {"y", "n", "yes", "no", "true", "false", "on", "off", "null", "nan", "inf"}
)


def _scalar(value: Any) -> str:
    """One YAML scalar. Strings are plain when unambiguous, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if (
        _PLAIN_RE.fullmatch(text)
        and text.lower() not in _YAML_WORDS
        and not text.endswith((" ", "-"))
    ):
        return text
    return json.dumps(text, ensure_ascii=False)


def _is_flat(mapping: dict[str, Any]) -> bool:
    return all(not isinstance(v, dict | list) for v in mapping.values())


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items()) + "}"
    return "[" + ", ".join(_scalar(v) for v in value) + "]"


def _emit(value: Any, indent: str, out: list[str]) -> None:
    """Append the block-style lines of mapping ``value`` at ``indent``."""
    for key, item in value.items():
        if item is None:
            continue
        if isinstance(item, dict):
            out.append(f"{indent}{key}:")
            _emit(item, indent + "  ", out)
        elif isinstance(item, list):
            if not item:
                continue
            if all(not isinstance(v, dict | list) for v in item):
                out.append(f"{indent}{key}: {_flow(item)}")
                continue
            out.append(f"{indent}{key}:")
            for element in item:
                if _is_flat(element):
                    out.append(f"{indent}  - {_flow(element)}")
                else:
                    lines: list[str] = []
                    _emit(element, indent + "    ", lines)
                    lines[0] = f"{indent}  - {lines[0].lstrip()}"
                    out.extend(lines)
        else:
            out.append(f"{indent}{key}: {_scalar(item)}")


def to_yaml(data: dict[str, Any]) -> str:
    """``data`` (mappings, lists, str, numbers, bools, dates) as YAML text."""
    out: list[str] = []
    _emit(data, "", out)
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------
# Organisation


@dataclass
class UnitSpec:
    """One unit of the synthetic org."""

    id: str
    name: str
    kind: str
    parent: str
    lead: str
    handle: str
    children: list[str] = field(default_factory=list)

    def as_yaml(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "parent": self.parent,
            "lead": self.lead,
            "maintainers": [self.handle],
        }


def slugify(text: str) -> str:
    """Lowercase slug of ``text``, accents folded (``Léa Pérez`` → ``lea-perez``)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def _unique(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def plan_org(units: int, rng: random.Random) -> list[UnitSpec]:
    """The org chart: departments, then service units, then teams (parents
    always before their children). Returns exactly ``units`` units."""
    if units < 5:
        raise ValueError("--units must be at least 5 (3 departments, a service, a team)")
    n_departments = max(3, round(units / 20))
    n_services = max(1, min(len(SERVICES), round(units / 100)))
    n_teams = units - n_departments - n_services
    if n_teams < 1:
        raise ValueError(f"--units {units} leaves no room for teams")
    taken: set[str] = set()
    handles: set[str] = set()

    def handle_for(name: str) -> str:
        return "@" + _unique(slugify(name).replace("-", ""), handles)

    departments: list[UnitSpec] = []
    for i in range(n_departments):
        base = DEPARTMENTS[i % len(DEPARTMENTS)]
        round_ = i // len(DEPARTMENTS)
        if round_:
            region = REGIONS[(round_ - 1) % len(REGIONS)]
            extra = (round_ - 1) // len(REGIONS)
            base = f"{base} {region}" + (f" {extra + 1}" if extra else "")
        lead = _person(rng)
        departments.append(
            UnitSpec(_unique(slugify(base), taken), base, "department", "company",
                     lead, handle_for(lead))
        )
    services: list[UnitSpec] = []
    for i in range(n_services):
        name = SERVICES[i]
        lead = _person(rng)
        services.append(
            UnitSpec(_unique(slugify(name), taken), name, "service", "company",
                     lead, handle_for(lead))
        )
    # Uneven department sizes: a few big ones, many small ones.
    weights = [rng.paretovariate(1.5) for _ in departments]
    teams: list[UnitSpec] = []
    # Every department gets one team first (when there are enough teams).
    owners = [*departments[: min(n_teams, n_departments)]]
    owners += rng.choices(departments, weights=weights, k=n_teams - len(owners))
    for dept in owners:
        area = rng.choice(TEAM_AREAS)
        lead = _person(rng)
        team = UnitSpec(
            _unique(f"{dept.id}-{slugify(area)}", taken), area, "team", dept.id,
            lead, handle_for(lead),
        )
        dept.children.append(team.id)
        teams.append(team)
    return [*departments, *services, *teams]


def org_order(plan: list[UnitSpec]) -> list[UnitSpec]:
    """Units in ``org.yaml`` order: each department followed by its teams."""
    by_id = {u.id: u for u in plan}
    out: list[UnitSpec] = []
    for unit in plan:
        if unit.kind == "department":
            out.append(unit)
            out.extend(by_id[c] for c in unit.children)
        elif unit.kind == "service":
            out.append(unit)
    return out


# ---------------------------------------------------------------------------
# Cycles


def parse_quarter(cycle_id: str) -> tuple[int, int]:
    """``2026-Q4`` → (2026, 4)."""
    match = re.fullmatch(r"(\d{4})-Q([1-4])", cycle_id)
    if not match:
        raise ValueError(f"cycle id '{cycle_id}' is not like 2026-Q4")
    return int(match.group(1)), int(match.group(2))


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    end_next = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return start, end_next - dt.timedelta(days=1)


@dataclass
class CycleSpec:
    id: str
    start: dt.date
    end: dt.date
    as_of: dt.date
    graded: bool


def plan_cycles(last: str, count: int, as_of: dt.date | None) -> list[CycleSpec]:
    """``count`` consecutive quarters ending with ``last``; all but the last
    are graded; check-ins in the last run up to ``as_of`` (default: week 8)."""
    year, quarter = parse_quarter(last)
    quarters: list[tuple[int, int]] = []
    for _ in range(count):
        quarters.append((year, quarter))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    cycles: list[CycleSpec] = []
    for i, (y, q) in enumerate(reversed(quarters)):
        start, end = quarter_bounds(y, q)
        is_last = i == count - 1
        stop = (as_of or start + dt.timedelta(days=53)) if is_last else end
        cycles.append(CycleSpec(f"{y}-Q{q}", start, end, min(stop, end), not is_last))
    return cycles


# ---------------------------------------------------------------------------
# OKRs


@dataclass
class Published:
    """A unit's public objectives in one cycle: [(objective id, [kr ids])]."""

    objectives: list[tuple[str, list[str]]] = field(default_factory=list)

    def refs(self, unit_id: str) -> list[str]:
        return [f"{unit_id}/{o}" for o, _ in self.objectives]

    def kr_refs(self, unit_id: str) -> list[str]:
        return [f"{unit_id}/{o}/{k}" for o, krs in self.objectives for k in krs]


class CycleWriter:
    """Generates every unit's OKRs for one cycle."""

    def __init__(self, rng: random.Random, cycle: CycleSpec, org: list[UnitSpec]) -> None:
        self.rng = rng
        self.cycle = cycle
        self.org = {u.id: u for u in org}
        self.published: dict[str, Published] = {}
        self.lateral_pool: list[tuple[str, str]] = []  # (unit, public objective id)
        self.weeks = [
            cycle.start + dt.timedelta(days=7 * w)
            for w in range(1, 14)
            if cycle.start + dt.timedelta(days=7 * w) <= cycle.as_of
        ]

    # -- key results -------------------------------------------------------

    def _checkins(self, start: float, current: float, done: bool | None) -> list[dict[str, Any]]:
        rng, out = self.rng, []
        n = len(self.weeks)
        for w, day in enumerate(self.weeks, 1):
            if rng.random() > 0.85 and w != n:
                continue  # a missed week
            entry: dict[str, Any] = {"date": day}
            if done is None:
                delta = current - start
                value = start + delta * w / n + delta * rng.uniform(-0.08, 0.08)
                entry["value"] = round(value, 2) if abs(value) < 100 else round(value)
            else:
                entry["done"] = bool(done and w == n)
            entry["confidence"] = round(rng.uniform(0.3, 0.95), 1)
            if rng.random() < 0.2:
                entry["note"] = rng.choice(NOTES)
            out.append(entry)
        return out

    def key_result(self, taken: set[str], area: str, owner: str) -> dict[str, Any]:
        """One KR: mostly numeric, ~8 % milestones, ~7 % thresholds; its id is
        unique in ``taken`` (the objective's KR ids)."""
        rng = self.rng
        roll = rng.random()
        kr: dict[str, Any] = {}
        progress = min(1.1, max(0.0, rng.gauss(0.55, 0.3)))
        if roll < 0.08:
            kr_id, title = rng.choice(MILESTONES)
            done = progress >= 0.8
            kr.update(id=_unique(kr_id, taken), title=title.format(area=area.lower()),
                      kind="milestone", done=done, owner=owner)
            kr["checkins"] = self._checkins(0, 0, done)
        elif roll < 0.15:
            kr_id, title, unit, target, direction = rng.choice(THRESHOLDS)
            slack = abs(target) * rng.uniform(-0.05, 0.05)
            current = round(target + slack, 2)
            kr.update(id=_unique(kr_id, taken), title=title.format(area=area.lower()),
                      kind="threshold", target=target, current=current, unit=unit,
                      direction=direction, owner=owner)
        else:
            kr_id, title, unit, start, target = rng.choice(METRICS)
            kr["id"] = _unique(kr_id, taken)
            scale = rng.choice([1, 1, 1, 2, 5, 10]) if unit not in ("%", "points") else 1
            start, target = start * scale, target * scale
            current = start + (target - start) * progress
            current = round(current, 2) if abs(current) < 100 else round(current)
            kr.update(title=title, start=start, target=target)
            if rng.random() < 0.6:
                kr["current"] = current
            kr["unit"] = unit
            kr["owner"] = owner
            kr["checkins"] = self._checkins(start, current, None)
        if self.cycle.graded:
            kr["score"] = round(min(1.0, max(0.0, progress + rng.uniform(-0.1, 0.1))), 1)
        if rng.random() < 0.05:
            kr["weight"] = rng.choice([2, 0.5])
        # ``current`` is optional only when a check-in carries the value.
        if "current" not in kr and "start" in kr and not kr.get("checkins"):
            kr["current"] = kr["start"]
        return kr

    # -- objectives --------------------------------------------------------

    def objective(
        self, unit: UnitSpec | None, taken: set[str], n_krs: int, parent_refs: list[str]
    ) -> dict[str, Any]:
        rng = self.rng
        area = unit.name if unit and unit.kind == "team" else rng.choice(TEAM_AREAS)
        verb, template = rng.choice(OBJECTIVE_TEMPLATES)
        obj_id = _unique(f"{verb}-{slugify(area)}", taken)
        owner = unit.lead if unit and rng.random() < 0.6 else _person(rng)
        obj: dict[str, Any] = {
            "id": obj_id,
            "title": template.format(area=area.lower(), audience=rng.choice(AUDIENCES)),
            "owner": owner,
        }
        # Upward alignment: an objective or a KR of the parent (cascade).
        aligned_obj: str | None = None
        if parent_refs:
            target = rng.choice(parent_refs)
            obj["aligns_to"] = [target]
            aligned_obj = "/".join(target.split("/")[:2])
            if rng.random() < 0.08:
                second = rng.choice(parent_refs)
                if second != target:
                    obj["aligns_to"].append(second)
        # Lateral links to earlier units' public objectives.
        if unit is not None and self.lateral_pool and rng.random() < 0.06:
            peer_unit, peer_obj = rng.choice(self.lateral_pool)
            if peer_unit != unit.id and peer_unit != unit.parent:
                obj["related"] = [f"{peer_unit}/{peer_obj}"]
        kr_ids: set[str] = set()
        krs = []
        parent_krs = self._krs_of(aligned_obj) if aligned_obj else []
        for _ in range(n_krs):
            kr = self.key_result(kr_ids, area, owner)
            # Ladder up to a KR of the objective we align to (overlaps happen).
            if parent_krs and rng.random() < 0.35:
                kr["contributes_to"] = [rng.choice(parent_krs)]
            krs.append(kr)
        obj["key_results"] = krs
        if self.cycle.graded:
            scores = [k["score"] for k in krs]
            mean = sum(scores) / len(scores)
            obj["outcome"] = "achieved" if mean >= 0.7 else "missed"
            if rng.random() < 0.3:
                obj["learnings"] = "We learned where the funnel leaks; next cycle starts there."
        return obj

    def _krs_of(self, obj_ref: str) -> list[str]:
        unit_id, obj_id = obj_ref.split("/")
        for o, krs in self.published[unit_id].objectives:
            if o == obj_id:
                return [f"{unit_id}/{o}/{k}" for k in krs]
        return []

    def _publish(self, unit_id: str, objectives: list[dict[str, Any]]) -> None:
        pub = Published(
            [
                (o["id"], [k["id"] for k in o["key_results"]])
                for o in objectives
                if o.get("visibility") != "private"
            ]
        )
        self.published[unit_id] = pub
        if unit_id != "company":
            self.lateral_pool.extend((unit_id, o) for o, _ in pub.objectives)

    def _parent_refs(self, parent: str) -> list[str]:
        pub = self.published.get(parent)
        if not pub:
            return []
        refs = pub.refs(parent)
        # A cascade turns parent KRs into objectives: offer them too.
        return refs + refs + pub.kr_refs(parent)

    # -- files -------------------------------------------------------------

    def _status(self) -> dict[str, Any]:
        if self.cycle.graded:
            return {"status": "graded", "locked_on": self.cycle.start + dt.timedelta(days=10)}
        roll = self.rng.random()
        if roll < 0.05:
            return {"status": "draft"}
        if roll < 0.1:
            return {"status": "review"}
        return {"status": "locked", "locked_on": self.cycle.start + dt.timedelta(days=10)}

    def company(self) -> dict[str, Any]:
        taken: set[str] = set()
        objectives = [
            self.objective(None, taken, self.rng.randint(3, 4), []) for _ in range(3)
        ]
        self._publish("company", objectives)
        return {**self._status(), "objectives": objectives}

    def unit(self, unit: UnitSpec) -> dict[str, Any]:
        rng = self.rng
        data = self._status()
        taken: set[str] = set()
        parent_refs = self._parent_refs(unit.parent)
        objectives: list[dict[str, Any]] = []
        if unit.kind == "service":
            n_objectives = 1 if rng.random() < 0.4 else 0
            company_objs = self.published["company"].refs("company")
            for _ in range(n_objectives):
                objectives.append(self.objective(unit, taken, rng.randint(2, 3), company_objs))
            data["objectives"] = objectives
            picks = rng.sample(HEALTH, k=rng.randint(3, 5))
            metrics = []
            for title, target, values in picks:
                current = rng.choice(values)
                status = ("ok", "ok", "at-risk", "off-track")[values.index(current) % 4]
                metrics.append(
                    {"title": title, "target": target, "current": current, "status": status}
                )
            data["health_metrics"] = metrics
        else:
            for _ in range(rng.randint(2, 4)):
                refs = parent_refs if rng.random() > 0.07 else []
                objectives.append(self.objective(unit, taken, rng.randint(2, 5), refs))
            if unit.kind == "team" and rng.random() < 0.01 * len(objectives):
                objectives[-1]["visibility"] = "private"
            data["objectives"] = objectives
        self._publish(unit.id, objectives)
        return data


# ---------------------------------------------------------------------------
# The whole org


MKDOCS_YML = """\
# A synthetic organisation for okrsite's benchmarks (bench/synth.py).
site_name: {name}
docs_dir: docs
theme:
  name: material
  font: false
  features:
    - navigation.tabs
    - navigation.sections
    - navigation.prune
    - navigation.instant
    - search.highlight
markdown_extensions:
  - attr_list
  - tables
  - admonition
  - md_in_html
  - toc:
      permalink: true
plugins:
  - search
  - okrsite:
      content_dir: content
      today: "{today}"
"""


def generate(
    units: int,
    seed: int = 1,
    cycles: int = 2,
    last_cycle: str = "2026-Q4",
    as_of: dt.date | None = None,
    stats: dict[str, int] | None = None,
) -> Iterator[tuple[str, str]]:
    """Yield ``(relative path, text)`` for every file of the synthetic org.

    When given, ``stats`` receives counts: units, objectives, key_results,
    checkins and private objectives (over all cycles)."""
    if cycles < 1:
        raise ValueError("--cycles must be at least 1")
    rng = random.Random(seed)
    plan = plan_org(units, rng)
    cycle_specs = plan_cycles(last_cycle, cycles, as_of)
    name = f"Synthetic Org {units}"
    next_year, next_q = parse_quarter(cycle_specs[-1].id)
    next_year, next_q = (next_year + 1, 1) if next_q == 4 else (next_year, next_q + 1)
    company = {
        "name": name,
        "mission": "Make every mid-market team data-driven.",
        "method": "hybrid",
        "scoring": {"green": 0.7, "yellow": 0.4},
        "cycles": [{"id": c.id, "start": c.start, "end": c.end} for c in cycle_specs],
        "annual": [{"year": cycle_specs[-1].start.year, "objective": "Win the mid-market"}],
        "candidates": [
            {"cycle": f"{next_year}-Q{next_q}", "objective": "Expand to Europe"}
        ],
    }
    yield "content/company.yaml", to_yaml(company)
    yield "content/org.yaml", to_yaml({"units": [u.as_yaml() for u in org_order(plan)]})
    for cycle in cycle_specs:
        writer = CycleWriter(rng, cycle, plan)
        files = [(f"content/{cycle.id}/company.yaml", writer.company())]
        files += [(f"content/{cycle.id}/{u.id}.yaml", writer.unit(u)) for u in plan]
        _ensure_private(files)
        if stats is not None:
            _count(files, stats)
        for path, data in files:
            yield path, to_yaml(data)
    yield "mkdocs.yml", MKDOCS_YML.format(name=name, today=cycle_specs[-1].as_of.isoformat())


def _ensure_private(files: list[tuple[str, dict[str, Any]]]) -> None:
    """At least one private objective per cycle (on the last team, which no
    unit links to), so every benchmark exercises redaction."""
    for _, data in files:
        if any(o.get("visibility") == "private" for o in data.get("objectives", [])):
            return
    _, data = files[-1]
    if len(data.get("objectives", [])) > 1:
        data["objectives"][-1]["visibility"] = "private"


def _count(files: list[tuple[str, dict[str, Any]]], stats: dict[str, int]) -> None:
    for _, data in files:
        for objective in data.get("objectives", []):
            stats["objectives"] = stats.get("objectives", 0) + 1
            if objective.get("visibility") == "private":
                stats["private"] = stats.get("private", 0) + 1
            for kr in objective["key_results"]:
                stats["key_results"] = stats.get("key_results", 0) + 1
                stats["checkins"] = stats.get("checkins", 0) + len(kr.get("checkins", ()))


def write(out: Path, **kwargs: Any) -> dict[str, int]:
    """Write the synthetic org under ``out``; return counts of files, bytes,
    units, objectives, key results, check-ins and private objectives."""
    stats = {"files": 0, "bytes": 0, "units": kwargs.get("units", 0)}
    kwargs["stats"] = stats
    (out / "docs").mkdir(parents=True, exist_ok=True)
    made: set[Path] = set()
    for rel, text in generate(**kwargs):
        path = out / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        data = text.encode("utf-8")
        path.write_bytes(data)
        stats["files"] += 1
        stats["bytes"] += len(data)
    return stats


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, required=True, help="units in org.yaml (>= 5)")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--cycles", type=int, default=2, help="quarters (default 2)")
    parser.add_argument("--last-cycle", default="2026-Q4", help="id of the last quarter")
    parser.add_argument(
        "--as-of", type=dt.date.fromisoformat, default=None,
        help="last check-in date in the last cycle (default: its day 54)",
    )
    args = parser.parse_args(argv)
    try:
        stats = write(
            args.out, units=args.units, seed=args.seed, cycles=args.cycles,
            last_cycle=args.last_cycle, as_of=args.as_of,
        )
    except ValueError as exc:
        parser.error(str(exc))
    mb = stats["bytes"] / 1e6
    print(f"wrote {stats['files']} files ({mb:.1f} MB) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

