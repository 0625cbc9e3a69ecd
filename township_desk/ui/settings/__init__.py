"""设置: the office's settings page, one module per tab (like Picard's ``ui/options`` pages).

- ``page``: ``SettingsPage``, the tabs in order (``TAB_TITLES``), unsaved changes asked about on closing;
- ``form``: ``SettingsForm``, the base of the tabs holding values — ``basic_info`` (基本信息), ``policy``
  (认定政策), ``visit_plan`` (巡访频次);
- ``list_tab``: ``ListTab``, the one list tab — ``villages_tab`` (村（社区）), ``visitors_tab`` (巡访责任人,
  with the batch assignment);
- ``dialogs``: ``VillageDialog`` and ``VisitorDialog`` over one ``RecordDialog``;
- ``password_tab`` (台账密码); 备份与恢复 and 操作日志 are in ``ui/settings_backup.py``;
- ``messages``: the questions and message lines (tests replace ``messages.confirm`` etc.).
"""

from __future__ import annotations

from township_desk.ui.settings.basic_info import BasicInfoTab
from township_desk.ui.settings.dialogs import RecordDialog, VillageDialog, VisitorDialog
from township_desk.ui.settings.form import SettingsForm
from township_desk.ui.settings.list_tab import ListTab
from township_desk.ui.settings.page import TAB_TITLES, SettingsPage
from township_desk.ui.settings.password_tab import LOCK_NOTE, PasswordTab
from township_desk.ui.settings.policy import PolicyTab, rule_text
from township_desk.ui.settings.villages_tab import VillagesTab
from township_desk.ui.settings.visit_plan import VisitPlanTab
from township_desk.ui.settings.visitors_tab import VisitorsTab

__all__ = ["LOCK_NOTE", "TAB_TITLES", "BasicInfoTab", "ListTab", "PasswordTab", "PolicyTab", "RecordDialog",
           "SettingsForm", "SettingsPage", "VillageDialog", "VillagesTab", "VisitPlanTab", "VisitorDialog",
           "VisitorsTab", "rule_text"]
