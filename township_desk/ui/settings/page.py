"""设置: the office's settings in tabs — 基本信息, 认定政策, 巡访频次, 村（社区）, 巡访责任人, 备份与恢复, 操作日志,
台账密码.

``apply_filters({"tab": "村（社区）"})`` opens a tab by its title. Forms keep what the clerk typed until it is saved;
closing the window with unsaved changes asks first (``can_close``).
"""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from township_desk.ui.group_plans_tab import GroupPlansTab
from township_desk.ui.settings import messages
from township_desk.ui.settings.basic_info import BasicInfoTab
from township_desk.ui.settings.form import SettingsForm
from township_desk.ui.settings.password_tab import PasswordTab
from township_desk.ui.settings.policy import PolicyTab
from township_desk.ui.settings.villages_tab import VillagesTab
from township_desk.ui.settings.visit_plan import VisitPlanTab
from township_desk.ui.settings.visitors_tab import VisitorsTab
from township_desk.ui.settings_backup import AuditLogPanel, BackupPanel

TAB_TITLES = ("基本信息", "认定政策", "巡访频次", "村（社区）", "巡访责任人", "备份与恢复", "操作日志", "台账密码")


class SettingsPage(QWidget):
    """The 设置 page."""

    # The tables whose changes refresh this page (ui.pages.Page).
    SHOWS = frozenset({"settings", "villages", "visitors", "elders"})

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.basic_tab = BasicInfoTab(ctx)
        self.policy_tab = PolicyTab(ctx)
        self.plan_tab = VisitPlanTab(ctx)
        self.villages_tab = VillagesTab(ctx)
        self.visitors_tab = VisitorsTab(ctx)
        self.backup_panel = BackupPanel(ctx)
        self.audit_panel = AuditLogPanel(ctx)
        self.password_tab = PasswordTab(ctx)
        self.tabs = QTabWidget()
        for widget, title in zip((self.basic_tab, self.policy_tab, self.plan_tab, self.villages_tab,
                                  self.visitors_tab, self.backup_panel, self.audit_panel, self.password_tab),
                                 TAB_TITLES, strict=True):
            self.tabs.addTab(widget, title)
        self.tabs.addTab(GroupPlansTab(ctx), GroupPlansTab.title)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.tabs.currentChanged.connect(self._tab_shown)

    @property
    def forms(self) -> tuple[SettingsForm, ...]:
        return (self.basic_tab, self.policy_tab, self.plan_tab)

    def refresh(self) -> None:
        """Reload every tab from the database (forms keep unsaved typing); the backups list when it is shown."""
        for form in self.forms:
            form.refresh()
        self.villages_tab.refresh()
        self.visitors_tab.refresh()
        self.password_tab.refresh()
        if self.tabs.currentWidget() is self.backup_panel:
            self.backup_panel.refresh()

    def _tab_shown(self, _index: int) -> None:
        """Lists are reloaded when their tab is shown: a village added on one tab is offered on the next, and
        automatic backups appear in the folder without any data change."""
        shown = self.tabs.currentWidget()
        if shown in (self.villages_tab, self.visitors_tab, self.backup_panel, self.password_tab):
            shown.refresh()

    def select_tab(self, title: str) -> bool:
        """Show the tab with this title; False when there is none."""
        if title not in TAB_TITLES:
            return False
        self.tabs.setCurrentIndex(TAB_TITLES.index(title))
        return True

    def current_tab_title(self) -> str:
        return self.tabs.tabText(self.tabs.currentIndex())

    def apply_filters(self, filters: dict) -> None:
        """``{"tab": "村（社区）"}`` opens that tab."""
        if filters.get("tab"):
            self.select_tab(str(filters["tab"]))

    @property
    def search(self) -> QWidget | None:
        """The search box of the shown tab, for Ctrl+F (the audit log has one)."""
        return self.audit_panel.search if self.tabs.currentWidget() is self.audit_panel else None

    def can_close(self) -> bool:
        """With unsaved changes in a form, ask: save (refused values keep the window open), discard, or stay."""
        dirty = [form for form in self.forms if form.is_dirty()]
        if not dirty:
            return True
        names = "、".join(f"“{form.title}”" for form in dirty)
        answer = messages.ask_unsaved(self, f"设置中{names}有未保存的修改。关闭前保存吗？")
        if answer == "cancel":
            self.tabs.setCurrentWidget(dirty[0])
            return False
        if answer == "discard":
            for form in dirty:
                form.load()
            return True
        for form in dirty:
            if not form.save():
                self.tabs.setCurrentWidget(form)
                return False
        return True
