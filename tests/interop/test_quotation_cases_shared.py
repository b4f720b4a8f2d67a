"""The workspace pre-fills a new Quote's quote_type in the browser (static/js/quotations.js)
with the rule the import uses here; its node test reads static/js/tests/quotation_cases.json,
which must stay the server's own table of cases, so that the two rules are checked alike."""

import json
from pathlib import Path

from tests.interop.test_quotations import DIRECT, INDIRECT, MIXED

CASES = Path(__file__).resolve().parents[2] / "static" / "js" / "tests" / "quotation_cases.json"


def test_the_browser_rule_is_tested_on_the_servers_table_of_cases():
    cases = json.loads(CASES.read_text(encoding="utf-8"))
    assert cases == {"direct": DIRECT, "mixed": MIXED, "indirect": INDIRECT}
