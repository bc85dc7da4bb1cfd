"""The dashboard's per-process helpers in eligibility.ui.state."""

from __future__ import annotations

import sys
import threading

from eligibility.ui import state


def test_warm_imports_load_modules_once_in_the_background(monkeypatch) -> None:
    monkeypatch.setattr(state, "_warm_started", threading.Event())
    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    assert state.warm_imports_once(("colorsys",)) is True
    assert state.warm_imports_once(("colorsys",)) is False
    for thread in threading.enumerate():
        if thread.name == "warm-imports":
            thread.join(timeout=30)
    assert "colorsys" in sys.modules
