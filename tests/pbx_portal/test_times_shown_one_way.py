"""Pages show every time one way: {% when %} ("2026-12-02 08:02 CET", UTC on hover). A template that formats a time
with |date must name the zone (format character T), so no local time ever reads as UTC or the other way round."""

import re

from tests.helpers.paths import ROOT

DATE_FILTER = re.compile(r"""\|date:(["'])(.*?)\1""")


def test_no_template_formats_a_time_without_its_zone():
    offenders = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(template.read_text().splitlines(), 1):
            for match in DATE_FILTER.finditer(line):
                fmt = match.group(2)
                if any(c in fmt for c in "HGhgi") and "T" not in fmt:
                    offenders.append(f"{template.relative_to(ROOT)}:{number}: |date:{match.group(0)[6:]}")
            if re.search(r"\}\}\s*UTC", line):
                offenders.append(f"{template.relative_to(ROOT)}:{number}: a value followed by a literal UTC")
    assert offenders == [], "Use {% when value %}:\n" + "\n".join(offenders)
