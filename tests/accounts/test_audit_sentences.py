"""Every action Hamla audits reads as a sentence on the audit log page, not as a raw code."""

import ast

from accounts.audit_log import sentence_for
from tests.foundation.test_layers import modules


def audited_codes():
    """Codes passed literally as audit()'s second argument anywhere in the apps, and the
    bulk actions' codes (built as f"contacts.bulk_{action}")."""
    codes = {f"contacts.bulk_{action}" for action in ("tag", "add_list", "remove_list")}
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "audit"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
            ):
                codes.add(node.args[1].value)
    return codes


def test_every_audited_action_has_a_sentence():
    assert sorted(code for code in audited_codes() if sentence_for(code) is None) == []
