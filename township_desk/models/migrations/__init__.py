"""Numbered schema steps. Step N brings a database from ``PRAGMA user_version`` N-1 to N.

Never edit a step that has shipped: add a new one. Each module has ``apply(db)``, run inside a transaction.
"""

from importlib import import_module
from types import ModuleType

STEPS = [
    "0001_ledger",
    "0002_visits",
    "0003_agreements",
    "0004_agreement_notice",
    "0005_identity",
    "0006_row_versions",
    "0007_visit_void",
    "0008_month_facts",
    "0009_visit_groups",
    "0010_name_pinyin",
    "0011_visitor_kinds",
    "0012_kept_last_home",
    "0013_campaign_versions",
    "0014_supporter_history",
]


def load_step(number: int) -> ModuleType:
    return import_module(f"{__name__}.{STEPS[number - 1]}")
