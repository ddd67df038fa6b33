"""Rebuild the corpus's labels from its three independent label sets, and print how far the raters agreed.

    python corpus/adjudicate.py            # writes corpus/dev.jsonl and corpus/test.jsonl, prints agreement (markdown)

Inputs (see README.md): `transcripts.jsonl` (the interviews as written), `ratings/author.jsonl` (the writers' own
labels), `ratings/rater_a.jsonl` and `ratings/rater_b.jsonl` (two blind raters), `split.json`. Each label is
settled by the three: the majority for every yes/no or categorical label (a finding stands when two of three name
it), the median for a competency level (null when two of three leave it null); hire follows the scenario's hire
bar from the settled levels and flags. The outputs are in the import format (`evals/runs/recording.schema.json`),
with the interviewer truth that `interview-harness meta` scores the checks against.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evals.loading import load_shipped  # noqa: E402
from evals.metrics.agreement import cohen_kappa, quadratic_weighted_kappa  # noqa: E402

HERE = Path(__file__).resolve().parent
RATERS = ("author", "rater_a", "rater_b")


def _jsonl(path: Path) -> dict[str, dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {row["id"]: row for row in rows}


def _majority(values: list[Hashable]) -> Hashable:
    """The value two of three give; with three different values, the first rater's (the writer's)."""
    value, count = Counter(values).most_common(1)[0]
    return value if count >= 2 else values[0]


def _level(values: list[int | None]) -> int | None:
    given = [v for v in values if v is not None]
    return None if len(given) < 2 else int(statistics.median_low(given))


def _finding_key(finding: dict) -> tuple[int, str]:
    return (int(finding["turn"]), finding["kind"])


def _turn(labels: list[dict]) -> dict:
    """One interviewer turn's label: the majority action and segment; the question and probe kind among the raters
    who read the turn as that kind of move."""
    action = _majority([x["action"] for x in labels])
    question = _majority([x["question_id"] for x in labels if x["action"] in ("ask", "probe")] or [None])
    probe = _majority([x["probe_category"] for x in labels if x["action"] == "probe"] or [None])
    return {
        "segment": _majority([x["segment"] for x in labels]),
        "action": action,
        "question_id": question if action in ("ask", "probe") else None,
        "probe_category": probe if action == "probe" else None,
    }


def settle(ratings: list[dict], scenario) -> dict:
    """The labels and interviewer truth of one interview from its three ratings."""
    competencies = scenario.competency_ids
    levels = {c: _level([r["labels"]["competency_levels"][c] for r in ratings]) for c in competencies}
    flags = [f for f in scenario.red_flag_ids if sum(f in r["labels"]["red_flags"] for r in ratings) >= 2]
    turns = {index: _turn([r["turns"][index] for r in ratings]) for index in ratings[0]["turns"]}
    checks = {name: bool(_majority([r["checks"][name] for r in ratings])) for name in ratings[0]["checks"]}
    named = Counter(_finding_key(f) for r in ratings for f in {_finding_key(x): x for x in r["findings"]}.values())
    findings = []
    for key, count in sorted(named.items()):
        if count >= 2:
            topics = [f.get("topic") for r in ratings for f in r["findings"] if _finding_key(f) == key]
            finding = {"turn": key[0], "kind": key[1]}
            if key[1] == "prohibited_topic":
                finding["topic"] = _majority(topics)
            findings.append(finding)
    hire = scenario.hire_bar.decide(levels, flags)
    return {
        "labels": {"competency_levels": levels, "red_flags": flags, "hire": hire},
        "truth": {"turns": turns, "checks": checks, "findings": findings},
    }


def _pct(hits: Iterable[bool]) -> str:
    hits = list(hits)
    return f"{sum(hits) / len(hits):.2f}" if hits else "n/a"


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def agreement_rows(sets: dict[str, dict[str, dict]], scenario) -> list[tuple[str, Callable[[dict, dict], str]]]:
    """What is compared between two label sets, as (name, function of the two sets' ratings by id)."""
    competencies = scenario.competency_ids

    def levels(a: dict, b: dict) -> str:
        pairs = [
            (a[i]["labels"]["competency_levels"][c], b[i]["labels"]["competency_levels"][c]) for i in a for c in competencies
        ]
        both = [(x, y) for x, y in pairs if x is not None and y is not None]
        qwk = quadratic_weighted_kappa([x for x, _ in both], [y for _, y in both])
        exact = _pct(x == y for x, y in both)
        near = _pct(abs(x - y) <= 1 for x, y in both)
        nulls = _pct((x is None) == (y is None) for x, y in pairs)
        return f"QWK {_fmt(qwk)}, exact {exact}, within one {near}, null alike {nulls} ({len(both)} cells)"

    def flags(a: dict, b: dict) -> str:
        cells = [(f in a[i]["labels"]["red_flags"], f in b[i]["labels"]["red_flags"]) for i in a for f in scenario.red_flag_ids]
        return f"kappa {_fmt(cohen_kappa(*zip(*cells)))}, agree {_pct(x == y for x, y in cells)} ({len(cells)} cells)"

    def hire(a: dict, b: dict) -> str:
        x = [a[i]["labels"]["hire"] for i in a]
        y = [b[i]["labels"]["hire"] for i in a]
        return f"kappa {_fmt(cohen_kappa(x, y))}, agree {_pct(p == q for p, q in zip(x, y))}"

    def turn_field(field: str, when: Callable[[dict, dict], bool]) -> Callable[[dict, dict], str]:
        def compare(a: dict, b: dict) -> str:
            pairs = [
                (a[i]["turns"][t][field], b[i]["turns"][t][field])
                for i in a
                for t in a[i]["turns"]
                if when(a[i]["turns"][t], b[i]["turns"][t])
            ]
            kappa = cohen_kappa([x for x, _ in pairs], [y for _, y in pairs])
            return f"kappa {_fmt(kappa)}, agree {_pct(x == y for x, y in pairs)} ({len(pairs)} turns)"

        return compare

    def checks(a: dict, b: dict) -> str:
        names = list(next(iter(a.values()))["checks"])
        cells = [(n, a[i]["checks"][n], b[i]["checks"][n]) for i in a for n in names]
        apart = Counter(n for n, x, y in cells if x != y)
        differ = ", ".join(f"{n} {k}" for n, k in sorted(apart.items())) or "none"
        return f"agree {_pct(x == y for _, x, y in cells)} ({len(cells)} cells); disagreements: {differ}"

    def findings(a: dict, b: dict) -> str:
        x = {(i, *_finding_key(f)) for i in a for f in a[i]["findings"]}
        y = {(i, *_finding_key(f)) for i in b for f in b[i]["findings"]}
        return f"{len(x & y)} named by both, {len(x - y)} by the first only, {len(y - x)} by the second only"

    every = lambda p, q: True  # noqa: E731
    asks_or_probes = lambda p, q: p["action"] in ("ask", "probe") and q["action"] in ("ask", "probe")  # noqa: E731
    both_probe = lambda p, q: p["action"] == "probe" and q["action"] == "probe"  # noqa: E731
    return [
        ("competency levels", levels),
        ("red flags", flags),
        ("hire", hire),
        ("turn segment", turn_field("segment", every)),
        ("turn action", turn_field("action", every)),
        ("bank question (both ask or probe)", turn_field("question_id", asks_or_probes)),
        ("probe kind (both probe)", turn_field("probe_category", both_probe)),
        ("conformance checks", checks),
        ("findings (prohibited topic, rubric leak, leading question)", findings),
    ]


def main() -> None:
    lib = load_shipped()
    transcripts = _jsonl(HERE / "transcripts.jsonl")
    sets = {name: _jsonl(HERE / "ratings" / f"{name}.jsonl") for name in RATERS}
    for name, rows in sets.items():
        if set(rows) != set(transcripts):
            raise SystemExit(f"ratings/{name}.jsonl does not rate exactly the transcripts")
    split = json.loads((HERE / "split.json").read_text(encoding="utf-8"))
    for half in ("dev", "test"):
        lines = []
        for interview_id in split[half]:
            record = transcripts[interview_id]
            scenario = lib.scenario(record["scenario"])
            settled = settle([sets[name][interview_id] for name in RATERS], scenario)
            line = {k: record[k] for k in ("id", "scenario", "candidate", "ended_at", "turns")}
            line["labels"] = settled["labels"]
            line["truth"] = settled["truth"] | {"planted": record["planted"]}
            lines.append(json.dumps(line, ensure_ascii=False))
        (HERE / f"{half}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    scenario = lib.scenario(next(iter(transcripts.values()))["scenario"])
    pairs = [("author", "rater_a"), ("author", "rater_b"), ("rater_a", "rater_b")]
    print("| label | " + " | ".join(f"{a} vs {b}" for a, b in pairs) + " |")
    print("| --- |" + " --- |" * len(pairs))
    for name, compare in agreement_rows(sets, scenario):
        print(f"| {name} | " + " | ".join(compare(sets[a], sets[b]) for a, b in pairs) + " |")


if __name__ == "__main__":
    main()
