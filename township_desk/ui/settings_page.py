"""The 设置 page's old module name: ``from township_desk.ui.settings_page import SettingsPage`` keeps working.
The page is the package ``township_desk.ui.settings`` now.

Code written against the old module replaced its questions (``monkeypatch.setattr(settings_page, "confirm", ...)``
in a test, so a modal box does not block it); here they are properties that read and write
``settings.messages``, where the tabs ask them, so such a replacement still reaches the tabs and is undone there.
"""

from __future__ import annotations

import sys
import types

from township_desk.ui.settings import *  # noqa: F403 - every name the old module had
from township_desk.ui.settings import __all__ as _PAGE_NAMES
from township_desk.ui.settings import messages as _messages

_QUESTIONS = ("run_dialog", "confirm", "inform", "ask_unsaved")
__all__ = [*_PAGE_NAMES, *_QUESTIONS]


def _passed_on(name: str) -> property:
    return property(lambda _module: getattr(_messages, name),
                    lambda _module, value: setattr(_messages, name, value))


class _OldName(types.ModuleType):
    pass


for _name in _QUESTIONS:
    setattr(_OldName, _name, _passed_on(_name))
sys.modules[__name__].__class__ = _OldName
