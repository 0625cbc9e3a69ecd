"""The first start of a new ledger: what is set up and what is still to do, in the order the clerk does it.

The steps are the 首次使用向导's pages: 乡镇名称, 认定政策, 村（社区）, 巡访责任人, 导入台账. Each step's state is read
from the ledger itself (a setting stored, a village on the list …), so the walkthrough can be left at any step and
resumed later from where it stopped, and the same state is true whether a step was done in the walkthrough or in
设置. Nothing is written here: each step saves through its own model (``settings``, ``villages``, ``visitors``,
``ledger_import``/``elders``).
"""

from __future__ import annotations

from dataclasses import dataclass

STEPS = ("township", "policy", "villages", "visitors", "ledger")
TITLES = {"township": "乡镇名称", "policy": "认定政策", "villages": "村（社区）", "visitors": "巡访责任人",
          "ledger": "导入台账"}


@dataclass(frozen=True)
class SetupStep:
    """One step: ``done`` when the ledger already has it, ``detail`` what it has (or what is missing)."""

    key: str
    title: str
    done: bool
    detail: str


def _count(db, table: str, where: str = "") -> int:
    return db.execute(f"SELECT COUNT(*) FROM {table}{where}").fetchone()[0]


def policy_chosen(db) -> bool:
    """Whether the 认定政策 was chosen for this ledger (stored), without settling it as ``profile_needs_choice``
    does for a ledger that holds data."""
    return db.execute("SELECT 1 FROM settings WHERE key = 'policy_profile'").fetchone() is not None


def setup_steps(db) -> list[SetupStep]:
    """The five steps of the first start, each with whether it is done and what the ledger has for it."""
    from township_desk.models import settings

    township = (settings.get(db, "township_name") or "").strip()
    villages = _count(db, "villages")
    visitors = _count(db, "visitors", " WHERE active = 1")
    elders = _count(db, "elders")
    chosen = policy_chosen(db)
    return [
        SetupStep("township", TITLES["township"], bool(township), township or "尚未填写"),
        SetupStep("policy", TITLES["policy"], chosen,
                  str(settings.get(db, "policy_profile")) if chosen else "尚未选择"),
        SetupStep("villages", TITLES["villages"], villages > 0, f"已有 {villages} 个" if villages else "尚未添加"),
        SetupStep("visitors", TITLES["visitors"], visitors > 0, f"已有 {visitors} 人" if visitors else "尚未添加"),
        SetupStep("ledger", TITLES["ledger"], elders > 0, f"台账中已有 {elders} 人" if elders else "台账为空"),
    ]


def first_step_to_do(db) -> str | None:
    """The key of the first step not done yet (where the walkthrough resumes), or None when all are done."""
    return next((step.key for step in setup_steps(db) if not step.done), None)


def needs_walkthrough(db) -> bool:
    """True for a new ledger: nobody on it yet and a step still to do. A ledger that holds elders is past its first
    start, whatever it lacks (the walkthrough stays in the 帮助 menu)."""
    if _count(db, "elders"):
        return False
    return first_step_to_do(db) is not None
