"""A generated company that looks like two years of real OKRs written by busy people.

Why generated: the quality coach must stay useful at ~600 findings, and its
rules must be fair on content nobody tidied up. A hand-written fixture of that
size would be unreadable; this generator writes one, deterministically from a
seed, and records what it planted (:class:`Truth`) so tests can measure a
rule's precision instead of eyeballing it.

Shape (``variant="tuning"``, the one rules were tuned on): a ``cascade``
company, 8 departments of 6 teams plus 2 service units (58 units), eight
quarters 2025-Q1…2026-Q4 judged on 2026-11-27 (2026-Q4 current). Teams come
and go, so not every team has a file every quarter. Past quarters are graded,
mostly with scores; 2026-Q3 ended in September and is still ``locked``.
Planted problems: key results without scores in graded files, done milestones
(which need no score), activity-worded key results (with and without ``kind:
milestone``, some reviewed with ``allow: [OKR001]``), qualitative key results
without numbers, objectives without owners, unaligned objectives, objectives
that copy their parent (exactly, truncated, with a prefix or suffix, words
reordered) beside objectives that share words with their parent but say
something more specific, stale check-ins in the current quarter, Markdown
links in descriptions, status notes such as "BLOCKED" and "Deferred to Q2".

``variant="heldout"`` uses another seed, other parent titles and other
phrasings for the near-copies and the hard negatives; it is only used to
evaluate, never to tune.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

import yaml

TODAY = dt.date(2026, 11, 27)
QUARTERS = [(y, q) for y in (2025, 2026) for q in (1, 2, 3, 4)]
CURRENT = "2026-Q4"
UNGRADED_PAST = "2026-Q3"
"""The quarter that ended but was never graded (files still ``locked``)."""

DEPARTMENTS = {
    "sales": ("Sales", ["emea", "na", "apac", "enterprise", "smb", "sales-ops"]),
    "marketing": ("Marketing", ["brand", "demand-gen", "content", "events", "pmm", "web"]),
    "product": ("Product", ["onboarding", "billing", "discovery", "mobile", "insights", "platform"]),
    "engineering": ("Engineering", ["infra", "sre", "data", "security", "devex", "qa"]),
    "success": ("Customer Success", ["support", "renewals", "cs-onboarding", "community",
                                     "training", "cs-ops"]),
    "people": ("People", ["recruiting", "learning", "people-ops", "comp", "dei", "workplace"]),
    "finance": ("Finance", ["fpa", "accounting", "procurement", "tax", "treasury", "revops"]),
    "operations": ("Operations", ["it", "legal-ops", "facilities", "vendor", "bizops", "pmo"]),
}
SERVICES = {"legal": "Legal", "design": "Design"}

# Company objective → its key results (title, start, target, unit), per variant.
COMPANY_BANK = {
    "tuning": [
        ("Win the mid-market", [
            ("Grow mid-market ARR from $12M to $18M", 12, 18, "$M"),
            ("Raise net revenue retention from 104% to 112%", 104, 112, "%"),
            ("Cut median sales cycle from 62 to 45 days", 62, 45, "days"),
        ]),
        ("Make the product effortless to adopt", [
            ("Raise week-4 activation from 31% to 45%", 31, 45, "%"),
            ("Reduce time to first dashboard from 9 to 3 days", 9, 3, "days"),
        ]),
        ("Build a company people want to join and stay in", [
            ("Raise engagement score from 68 to 75", 68, 75, "pts"),
            ("Cut regretted attrition from 9% to 6%", 9, 6, "%"),
        ]),
    ],
    "heldout": [
        ("Become the default choice for regional banks", [
            ("Sign 40 new regional bank logos", 12, 40, "logos"),
            ("Lift gross retention from 88% to 94%", 88, 94, "%"),
        ]),
        ("Ship a platform customers can trust", [
            ("Reach 99.95% monthly availability", 99.8, 99.95, "%"),
            ("Cut P1 incidents from 14 to 4 per quarter", 14, 4, "incidents"),
            ("Raise security review pass rate from 70% to 95%", 70, 95, "%"),
        ]),
        ("Grow a high-trust, high-performance culture", [
            ("Raise manager effectiveness score from 71 to 80", 71, 80, "pts"),
            ("Fill 90% of senior roles within 60 days", 55, 90, "%"),
        ]),
    ],
}

# Ways a busy author copies the parent instead of cascading it. Each makes an
# objective title from the parent title; the held-out variant phrases them
# differently from the tuning one.
COPY_STYLES = {
    "tuning": [
        lambda p, r: p,
        lambda p, r: f"{p} (team contribution)",
        lambda p, r: f"Q{r.randint(1, 4)}: {p}",
        lambda p, r: " ".join(p.split()[: max(3, len(p.split()) - 3)]),
        lambda p, r: p.replace("from", "up from"),
        lambda p, r: f"Help {p[0].lower()}{p[1:]}",
    ],
    "heldout": [
        lambda p, r: f"{p}!",
        lambda p, r: f"{p} — our part",
        lambda p, r: f"Support the goal: {p}",
        lambda p, r: " ".join(p.split()[: max(3, len(p.split()) - 2)]),
        lambda p, r: p.lower(),
        lambda p, r: f"{p} across all regions",
    ],
}

# Objectives that start like their parent, then say how this unit moves it:
# the hardest good cascades for OKR005 (most of the parent's words, in order).
DERIVED_SPECIFIC = {
    "tuning": [
        lambda p: f"{' '.join(p.split()[:3])} for self-serve trials by fixing the empty first "
                  "dashboard",
        lambda p: f"{' '.join(p.split()[:4])} through partner-sourced deals in the Nordics",
    ],
    "heldout": [
        lambda p: f"{' '.join(p.split()[:3])} by cutting manual review from every loan file",
        lambda p: f"Own the {' '.join(p.split()[1:3])} work for credit unions with a "
                  "dedicated onboarding pod",
    ],
}

# Objectives that share the parent's domain words but are genuinely more
# specific: a good cascade, which OKR005 must not flag.
SPECIFIC = {
    "tuning": [
        "Make trials convert for mid-market finance teams",
        "Turn renewals into expansion conversations before day 60",
        "Give new admins a working dashboard on day one",
        "Make every hiring manager's interview loop take under two weeks",
        "Keep enterprise deals moving without legal bottlenecks",
        "Make our pricing page answer the top five sales questions",
        "Let customers fix billing problems without a ticket",
        "Make search results good enough that nobody exports to Excel",
    ],
    "heldout": [
        "Make onboarding for regional banks take one call, not five",
        "Give every on-call engineer a runbook they trust at 3am",
        "Let auditors self-serve the evidence they ask for most",
        "Make our culture visible in the first week of every new hire",
        "Turn bank pilots into signed contracts within a quarter",
        "Remove the manual steps from the monthly close",
        "Make incident reviews produce fixes, not documents",
        "Keep senior candidates warm between interview rounds",
    ],
}

NUMERIC_KRS = [
    ("Raise trial-to-paid conversion from {a}% to {b}%", "%"),
    ("Cut first response time from {a} to {b} hours", "hours"),
    ("Grow qualified pipeline from ${a}M to ${b}M", "$M"),
    ("Reduce churned accounts from {a} to {b}", "accounts"),
    ("Increase weekly active admins from {a} to {b}", "admins"),
    ("Lower cost per lead from ${a} to ${b}", "$"),
    ("Raise CSAT from {a} to {b}", "pts"),
    ("Cut deploy lead time from {a} to {b} days", "days"),
]
ACTIVITY_KRS = [
    "Launch the partner portal",
    "Implement SSO for enterprise accounts",
    "Hire 3 senior account executives",
    "Roll out the new pricing page",
    "Migrate billing to Stripe",
    "Ship the mobile offline mode",
    "Run a pricing experiment with 20 accounts",
    "Set up the customer advisory board",
]
OUTCOME_MILESTONES = [
    "SOC 2 Type II report issued",
    "Data processing agreement signed by all EU customers",
    "Board approves the FY27 plan",
    "EU data residency available to every customer",
]
QUALITATIVE_KRS = [
    "Customers describe onboarding as easy",
    "Sales trusts the forecast",
    "Happier on-call rotation",
    "Better collaboration with Product",
]
NOTES = ["BLOCKED on legal review", "Deferred to Q2", "On track", "Waiting on data team",
         "See [EPIC-231](https://jira.example.com/browse/EPIC-231)"]
PEOPLE = ["Priya Shah", "Tom Berg", "Ana Lima", "Kofi Mensah", "Mei Chen", "Lars Olsen",
          "Sara Haddad", "Diego Ruiz", "Ivy Park", "Noor Aziz"]


@dataclass
class Truth:
    """What the generator planted, for measuring rules."""

    near_copies: set[tuple[str, str, str]] = field(default_factory=set)
    """(cycle, unit, objective id) of objectives that copy their parent."""
    specific_children: set[tuple[str, str, str]] = field(default_factory=set)
    """Objectives sharing words with their parent but more specific (must not fire)."""
    done_milestones: set[tuple[str, str, str, str]] = field(default_factory=set)
    """(cycle, unit, objective, kr) of done milestones without a score in graded files."""
    activity_milestones: set[tuple[str, str, str, str]] = field(default_factory=set)
    """Activity-worded ``kind: milestone`` KRs without ``allow: [OKR001]``."""
    allowed_activity_milestones: set[tuple[str, str, str, str]] = field(default_factory=set)
    unit_count: int = 0
    files: int = 0


def cycle_id(year: int, quarter: int) -> str:
    return f"{year}-Q{quarter}"


def cycle_dates(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = (dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)) - dt.timedelta(days=1)
    return start, end


def _dump(data: object) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


class _Writer:
    def __init__(self, root: Path, variant: str, seed: int, score_rate: float) -> None:
        self.root = root
        self.variant = variant
        self.score_rate = score_rate
        self.extra_objectives = 0
        self.rng = random.Random(seed)
        self.truth = Truth()

    def write(self, rel: str, data: object) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_dump(data), encoding="utf-8")

    # -- organisation ------------------------------------------------------

    def org(self) -> list[dict[str, object]]:
        units: list[dict[str, object]] = []
        for dept, (name, teams) in DEPARTMENTS.items():
            units.append({"id": dept, "name": name, "kind": "department",
                          "lead": self.rng.choice(PEOPLE)})
            for team in teams:
                units.append({"id": team, "name": team.replace("-", " ").title(),
                              "kind": "team", "parent": dept})
        for unit_id, name in SERVICES.items():
            units.append({"id": unit_id, "name": name, "kind": "service"})
        self.truth.unit_count = len(units)
        return units

    # -- one cycle ---------------------------------------------------------

    def status(self, cid: str) -> str:
        if cid in (CURRENT, UNGRADED_PAST):
            return "locked"
        return "graded"

    def company_okrs(self, cid: str) -> tuple[dict[str, object], list[tuple[str, str]]]:
        """The company file and its (ref, title) parents for departments."""
        objectives = []
        parents: list[tuple[str, str]] = []
        graded = self.status(cid) == "graded"
        for n, (title, krs) in enumerate(COMPANY_BANK[self.variant]):
            oid = f"c{n + 1}"
            kr_items = []
            for m, (kr_title, start, target, unit) in enumerate(krs):
                kid = f"k{m + 1}"
                item: dict[str, object] = {"id": kid, "title": kr_title, "start": start,
                                           "target": target, "current": target, "unit": unit,
                                           "owner": self.rng.choice(PEOPLE)}
                if graded:
                    item["score"] = round(self.rng.uniform(0.3, 1.0), 2)
                kr_items.append(item)
                parents.append((f"company/{oid}/{kid}", kr_title))
            objectives.append({"id": oid, "title": title, "owner": "CEO",
                               "key_results": kr_items})
            parents.append((f"company/{oid}", title))
        return {"status": self.status(cid), "objectives": objectives}, parents

    def key_results(self, cid: str, unit: str, oid: str, graded: bool,
                    current: bool, start: dt.date) -> list[dict[str, object]]:
        rng = self.rng
        out: list[dict[str, object]] = []
        for m in range(rng.choice([1, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 4])):
            kid = f"kr{m + 1}"
            roll = rng.random()
            kr: dict[str, object]
            if roll < 0.76:
                template, unit_name = rng.choice(NUMERIC_KRS)
                a = rng.randint(10, 60)
                b = a + rng.randint(5, 40)
                if "Cut" in template or "Reduce" in template or "Lower" in template:
                    a, b = b, a
                kr = {"id": kid, "title": template.format(a=a, b=b), "start": a, "target": b,
                      "current": round(a + (b - a) * rng.random()), "unit": unit_name}
            elif roll < 0.82:
                kr = {"id": kid, "title": rng.choice(ACTIVITY_KRS)}
            elif roll < 0.88:
                done = rng.random() < 0.7
                kr = {"id": kid, "title": rng.choice(ACTIVITY_KRS), "kind": "milestone",
                      "done": done}
                key = (cid, unit, oid, kid)
                if rng.random() < 0.2:
                    kr["allow"] = ["OKR001"]
                    self.truth.allowed_activity_milestones.add(key)
                else:
                    self.truth.activity_milestones.add(key)
                if graded and done:
                    self.truth.done_milestones.add(key)
            elif roll < 0.93:
                done = rng.random() < 0.7
                kr = {"id": kid, "title": rng.choice(OUTCOME_MILESTONES), "kind": "milestone",
                      "done": done}
                if graded and done:
                    self.truth.done_milestones.add((cid, unit, oid, kid))
            else:
                kr = {"id": kid, "title": rng.choice(QUALITATIVE_KRS)}
            if rng.random() < 0.3:
                kr["owner"] = rng.choice(PEOPLE)
            is_done_milestone = kr.get("kind") == "milestone" and kr.get("done") is True
            if graded and not is_done_milestone and rng.random() < self.score_rate:
                kr["score"] = round(rng.uniform(0.0, 1.0), 2)
            if current and "start" in kr and rng.random() < 0.8:
                # weekly check-ins that stop at some point (some go stale)
                weeks = rng.randint(1, 12)
                kr["checkins"] = [
                    {"date": start + dt.timedelta(days=7 * w + 3), "value": kr["current"],
                     "confidence": round(rng.uniform(0.3, 0.9), 1),
                     **({"note": rng.choice(NOTES)} if rng.random() < 0.3 else {})}
                    for w in range(weeks)
                    if start + dt.timedelta(days=7 * w + 3) <= TODAY
                ]
            out.append(kr)
        return out

    def objective_title(self, cid: str, unit: str, oid: str, parent: str,
                        specific_pool: list[str]) -> str:
        """A child's title: a copy of the parent (planted), a specific one
        sharing words (hard negative), or its own."""
        roll = self.rng.random()
        if roll < 0.12:
            self.truth.near_copies.add((cid, unit, oid))
            return self.rng.choice(COPY_STYLES[self.variant])(parent, self.rng)
        # A team's own title drawn from a shared pool must not be its
        # parent's (that would be an unplanted copy).
        # Derived titles only under company key results: a team deriving from
        # a department's derived title would really copy it.
        if roll < 0.20 and unit in DEPARTMENTS:
            self.truth.specific_children.add((cid, unit, oid))
            return self.rng.choice(DERIVED_SPECIFIC[self.variant])(parent)
        if roll < 0.30:
            self.truth.specific_children.add((cid, unit, oid))
            return self.rng.choice([t for t in specific_pool if t != parent])
        return self.rng.choice([t for t in OWN_TITLES if t != parent])

    def unit_okrs(self, cid: str, unit: str, parents: list[tuple[str, str]],
                  start: dt.date) -> tuple[dict[str, object], list[tuple[str, str]]]:
        rng = self.rng
        status = self.status(cid)
        graded, current = status == "graded", cid == CURRENT
        objectives = []
        mine: list[tuple[str, str]] = []
        count = rng.choice([1, 2, 2, 2, 3, 3, 4]) if rng.random() > 0.03 else 6
        count += self.extra_objectives
        for n in range(count):
            oid = f"o{n + 1}"
            parent_ref, parent_title = rng.choice(parents)
            title = self.objective_title(cid, unit, oid, parent_title, SPECIFIC[self.variant])
            objective: dict[str, object] = {"id": oid, "title": title}
            if rng.random() > 0.06:
                objective["owner"] = rng.choice(PEOPLE)
            if rng.random() < 0.25:
                objective["description"] = (
                    f"Tracks [EPIC-{rng.randint(100, 999)}]"
                    f"(https://jira.example.com/browse/EPIC-{rng.randint(100, 999)}); "
                    "see https://wiki.example.com/okrs for context."
                )
            if (cid, unit, oid) in self.truth.near_copies or rng.random() > 0.07:
                objective["aligns_to"] = [parent_ref]
            else:
                self.truth.near_copies.discard((cid, unit, oid))
                self.truth.specific_children.discard((cid, unit, oid))
            objective["key_results"] = self.key_results(cid, unit, oid, graded, current, start)
            objectives.append(objective)
            mine.append((f"{unit}/{oid}", title))
        return {"status": status, "objectives": objectives}, mine


OWN_TITLES = [
    "Make our forecasts something leadership can plan on",
    "Turn the support queue into a source of product insight",
    "Stop losing deals to slow security questionnaires",
    "Make every release boring",
    "Give managers the data to coach their teams",
    "Make the first week of a new hire productive",
    "Close the books in five days without heroics",
    "Make partners a real channel",
]


def generate(
    root: Path,
    *,
    variant: str = "tuning",
    seed: int | None = None,
    quarters: list[tuple[int, int]] | None = None,
    score_rate: float = 0.9,
    presence: float = 0.55,
    extra_objectives: int = 0,
) -> Truth:
    """Write the company's ``content/`` under ``root``; return what was planted.

    ``quarters`` limits the cycles written (default: all eight);
    ``score_rate`` is how often a key result of a graded file has its score
    (``0.0`` makes the "nobody scored" quarter of a company new to grading);
    ``presence`` is the chance a living team has a file in a quarter;
    ``extra_objectives`` adds objectives to every unit file (a busier company).
    """
    if variant not in COMPANY_BANK:
        raise ValueError(f"unknown variant {variant!r}")
    writer = _Writer(root / "content", variant, seed if seed is not None else
                     (1 if variant == "tuning" else 7), score_rate)
    writer.extra_objectives = extra_objectives
    chosen = QUARTERS if quarters is None else quarters
    rng = writer.rng
    cycles = []
    for year, quarter in chosen:
        start, end = cycle_dates(year, quarter)
        cycles.append({"id": cycle_id(year, quarter), "start": start, "end": end})
    writer.write("company.yaml", {
        "name": "Northwind" if variant == "tuning" else "Ledgerline",
        "method": "cascade", "cycles": cycles,
        "checks": {"OKR013": "off"},
    })
    units = writer.org()
    writer.write("org.yaml", {"units": units})
    teams = [u for u in units if u["kind"] == "team"]
    # Teams come and go: each team exists from a first to a last quarter.
    lifespan = {t["id"]: (rng.randint(0, 3), rng.randint(5, 8)) for t in teams}
    for year, quarter in chosen:
        index = QUARTERS.index((year, quarter))
        cid = cycle_id(year, quarter)
        start, _ = cycle_dates(year, quarter)
        company, parents = writer.company_okrs(cid)
        writer.write(f"{cid}/company.yaml", company)
        writer.truth.files += 1
        dept_parents: dict[str, list[tuple[str, str]]] = {}
        for dept in DEPARTMENTS:
            data, mine = writer.unit_okrs(cid, dept, parents, start)
            writer.write(f"{cid}/{dept}.yaml", data)
            writer.truth.files += 1
            dept_parents[dept] = mine
        for team in teams:
            first, last = lifespan[str(team["id"])]
            if not first <= index < last or rng.random() > presence:
                continue
            data, _ = writer.unit_okrs(cid, str(team["id"]),
                                       dept_parents[str(team["parent"])], start)
            writer.write(f"{cid}/{team['id']}.yaml", data)
            writer.truth.files += 1
        if cid == CURRENT:
            writer.write(f"{cid}/legal.yaml", {"status": "locked", "objectives": [],
                                               "health_metrics": [
                                                   {"title": "Contracts reviewed in 5 days",
                                                    "target": "90%", "current": "84%",
                                                    "status": "at-risk"}]})
    return writer.truth
