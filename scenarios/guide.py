"""The labelling guide's anchors, rendered from the scenario: raters and the grader read one source.

    python -m scenarios.guide     # rewrites the rendered blocks of personas/LABELING.md from the scenario file

A test holds the guide's blocks equal to this rendering, so the two cannot drift.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import yaml

from scenarios.model import Scenario

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "personas" / "LABELING.md"
SCENARIO_FILE = ROOT / "scenarios" / "microsoft-ai-engineer-behavioral.yaml"


def render_levels(scenario: Scenario) -> str:
    """What each level looks like, per competency."""
    lines: list[str] = []
    for c in scenario.competencies:
        lines += ["", f"**{c.title}** (`{c.id}`)", *(f"- {n}: {c.anchors[n]}" for n in range(1, 6))]
    return "\n".join(lines[1:])


def render_flags(scenario: Scenario) -> str:
    """When each red flag applies, when it does not, and what it does to a level."""
    rows = [
        f"| `{f.id}` | {f.applies} | {f.not_a_flag} | {' or '.join(scenario.flag_shown_in(f.id))} | {f.level_there} |"
        for f in scenario.red_flags
    ]
    return "\n".join(["| flag | recognise it by | not a flag | must show in | level there |", "|---|---|---|---|---|", *rows])


BLOCKS: dict[str, Callable[[Scenario], str]] = {"levels": render_levels, "red flags": render_flags}


def markers(name: str) -> tuple[str, str]:
    begin = f"<!-- {name}: rendered from the scenario file by `python -m scenarios.guide`; edit the scenario, not here -->"
    return begin, f"<!-- /{name} -->"


def current_block(guide_text: str, name: str) -> str | None:
    """A rendered block as it stands in the guide, markers included; None when its markers are missing."""
    begin, end = markers(name)
    start, stop = guide_text.find(begin), guide_text.find(end)
    return None if start < 0 or stop < start else guide_text[start : stop + len(end)]


def block(scenario: Scenario, name: str) -> str:
    begin, end = markers(name)
    return f"{begin}\n{BLOCKS[name](scenario)}\n{end}"


def main() -> int:
    scenario = Scenario.model_validate(yaml.safe_load(SCENARIO_FILE.read_text(encoding="utf-8")))
    text = GUIDE.read_text(encoding="utf-8")
    for name in BLOCKS:
        old = current_block(text, name)
        if old is None:
            print(f"{GUIDE}: no '{name}' block between its markers {markers(name)}", file=sys.stderr)
            return 1
        text = text.replace(old, block(scenario, name))
    GUIDE.write_text(text, encoding="utf-8")
    print(f"{GUIDE}: rendered from {SCENARIO_FILE.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
