"""The cases app's tests exercise the app as it stands alone: the lifecycle
requirements that apps above it register (an assessment before a match, say) are set
aside here and tested with those apps; the requirements cases registers still apply."""

from __future__ import annotations

import pytest

from tandem.cases import lifecycle


@pytest.fixture(autouse=True)
def own_lifecycle_requirements_only(monkeypatch):
    own = {
        action: [check for check in checks if check.__module__.startswith("tandem.cases.")]
        for action, checks in lifecycle._REQUIREMENTS.items()
    }
    monkeypatch.setattr(lifecycle, "_REQUIREMENTS", own)
