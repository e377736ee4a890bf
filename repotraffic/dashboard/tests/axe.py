"""axe-core in a Playwright page: the accessibility rules the pages are held to.

The script is the npm package that `make setup` installs (package.json's devDependencies),
never a download. It goes in through the DevTools protocol (`page.evaluate`), which the
pages' Content-Security-Policy does not govern, so the policy stays as users get it.
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0 and 2.1 at levels A and AA, and Deque's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

_INJECT = """() => {{
{source}
;
return typeof window.axe;
}}"""

_RUN = """async ([include, tags]) => {
  const context = include === null ? document : { include };
  const results = await window.axe.run(context, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return results.violations.map((rule) => ({
    rule: rule.id,
    impact: rule.impact || "",
    help: rule.help,
    targets: rule.nodes.map((node) => node.target.join(" ")),
  }));
}"""


@dataclass(frozen=True)
class AxeViolation:
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.rule} ({self.impact}): {self.help} at {', '.join(self.targets)}"


def axe_script() -> str:
    if not AXE_SCRIPT.exists():
        raise FileNotFoundError(f"{AXE_SCRIPT} is missing: run `make setup` (npm ci)")
    return AXE_SCRIPT.read_text(encoding="utf-8")


def axe_violations(page, *, include: list[str] | None = None) -> list[AxeViolation]:
    """axe's violations of AXE_TAGS on the page as it is now, or within the elements
    that the CSS selectors in `include` match."""
    if page.evaluate("typeof window.axe") != "object":
        assert page.evaluate(_INJECT.format(source=axe_script())) == "object"
    found = page.evaluate(_RUN, [include, AXE_TAGS])
    return [
        AxeViolation(
            rule=each["rule"],
            impact=each["impact"],
            help=each["help"],
            targets=tuple(each["targets"]),
        )
        for each in found
    ]


def axe_report(violations: list[AxeViolation]) -> str:
    """One line per rule, for an assertion's message."""
    return "\n".join(str(each) for each in violations) or "no violations"
