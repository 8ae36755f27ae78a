from pathlib import Path

import pytest

from tandem.core.access import Matrix, Scope, _parse, matrix, render_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "access-matrix.md"


def test_docs_access_matrix_is_rendered_from_the_rules():
    assert DOC.read_text() == render_markdown(), (
        "docs/access-matrix.md is out of date: run `python manage.py access_matrix --write`"
    )


def test_unlisted_role_has_no_access():
    m = matrix()
    assert m.scopes(["mentor"], "audit_log", "view") == set()
    assert m.scopes(["coordinator"], "audit_log", "view") == {Scope.ALL}
    assert m.scopes(["mentor", "administrator"], "user_account", "change") == {Scope.ALL}


def test_matrix_refuses_unknown_roles_and_rules():
    base = {"roles": {"mentor": "Mentor"}}
    with pytest.raises(ValueError, match="unknown roles"):
        _parse({**base, "resources": {"x": {"view": {"wizard": "all"}}}})
    with pytest.raises(ValueError, match="unknown rule"):
        _parse({**base, "urls": {"a:b": "nothing.view"}})
    with pytest.raises(ValueError):
        _parse({**base, "resources": {"x": {"view": {"mentor": "everything"}}}})
    assert isinstance(_parse(base), Matrix)
