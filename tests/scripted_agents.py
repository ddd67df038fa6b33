"""Scripted stand-ins for the interviewer, candidate, grader and judge roles, driven by the real prompts.

They read only what the real models would see (the rendered messages and the output schema), so a
test that passes with them exercises the graph, the prompts and the schemas end to end.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from personas.model import Persona

INTERVIEWER_LINES = {
    "intro": "Welcome, I'm Alex. Everything we discuss stays confidential. Per story, take 1-2 minutes of setup, "
    "3-5 minutes of deep dive and 1-2 minutes on results. Please introduce yourself.",
    "ask": "Tell me about a time this mattered in your work.",
    "probe": "What concrete metrics moved, before and after?",
    "transition": "That's all from me. What questions do you have for me?",
    "answer_candidate": "Good question: the team values learning and clear metrics. Anything else?",
    "close": "Thank you for your time; the recruiter will follow up with next steps within a week.",
}
ASKED = re.compile(r"^Now answer from your notes on (.+)\.$", re.M)
LINE = re.compile(r"^(?:\[\d+\] )?(INTERVIEWER|CANDIDATE): (.*)$", re.M)


def choices(prop: dict) -> list:
    """The allowed values of a schema property, whether pydantic wrote an enum or a const."""
    if "enum" in prop:
        return list(prop["enum"])
    if "const" in prop:
        return [prop["const"]]
    for option in prop.get("anyOf", []):
        if "enum" in option or "const" in option:
            return choices(option)
    return []


def bank_question(messages: list[dict], question_id: str) -> str:
    """The text of a bank question as the interviewer prompt lists it ("- q_id: text")."""
    found = re.search(rf"^- {question_id}: (.*)$", messages[0]["content"], re.M)
    return found.group(1) if found else INTERVIEWER_LINES["ask"]


def transcript_lines(messages: list[dict]) -> list[tuple[str, str]]:
    return LINE.findall(messages[-1]["content"])


def candidate_lines(messages: list[dict]) -> list[str]:
    return [text for who, text in transcript_lines(messages) if who == "CANDIDATE"]


@dataclass
class InterviewScript:
    """A configurable fake for all four roles; `respond` is a FunctionModel function."""

    personas: dict[str, Persona] = field(default_factory=dict)  # by display name
    # thorough (follows up every answer once, again when it quotes no figure) | probing (only answers without a figure)
    # | minimal | greedy (asks whenever allowed)
    interviewer: str = "thorough"
    candidate: str = "canned"  # canned (a fixed line by level) | story (recites its notes on the asked competency)
    grader: str = (
        "oracle"  # oracle | lenient | all3 | no_flags | invented_quotes | invalid | person (no persona: see _person_grade)
    )
    judge: str = "oracle"  # oracle | silent | all1 (hears every persona as level 1, no red flags)
    interviewer_words: int = 0  # pad interviewer turns to this many words (drives the clock)
    candidate_words: int = 0
    extra_interviewer_text: str = ""
    grader_hook: Callable[[dict], dict] | None = None
    # What the judge's topic audit reports: interviewer lines containing a key, as that topic (e.g. "rubric"). A fake
    # judge sees only what a test planted; an empty map reports nothing.
    judge_flags: dict[str, str] = field(default_factory=dict)
    # The judge's reads of the conformance checks it is asked about (check -> done right); unread when absent.
    judge_reads: dict[str, bool] = field(default_factory=dict)
    fail_for: str | None = None  # the candidate raises when playing this display name
    flaky_for: str | None = None  # the grader gives every second interview of this display name all 1s
    graded: dict[str, int] = field(default_factory=dict)  # grading calls so far, by display name

    def respond(self, role: str, messages: list[dict], schema: dict | None):
        return getattr(self, f"_{role}")(messages, schema)

    # -- interviewer -------------------------------------------------------------------------
    def _interviewer(self, messages, schema):
        moves = choices(schema["properties"]["move"])
        last_answer = next((t for w, t in reversed(transcript_lines(messages)) if w == "CANDIDATE"), "")
        asks = [m for m in moves if m.startswith("ask")]
        probes = [m for m in moves if m.startswith("probe:")]
        last_asked = next((t for w, t in reversed(transcript_lines(messages)) if w == "INTERVIEWER"), "")
        # Follows up once on every answer to a question, and again whenever an answer quotes no figure.
        first_answer = self.interviewer == "thorough" and last_asked != INTERVIEWER_LINES["probe"]
        if self.interviewer in ("probing", "thorough") and probes and (first_answer or not re.search(r"\d", last_answer)):
            move = "probe:evidence" if "probe:evidence" in probes else probes[0]
        elif self.interviewer == "greedy" and asks:
            move = asks[0]
        elif "transition" in moves:
            move = "transition"
        elif asks:
            move = asks[0]
        else:
            move = moves[0]
        line = "intro" if move == "ask" else move.split(":")[0]
        said = f"{INTERVIEWER_LINES[line]} {self.extra_interviewer_text}"
        if move.startswith("ask:"):  # asks the bank question as the prompt lists it, within the turn's length limit
            said = f"{self.extra_interviewer_text} {bank_question(messages, move.split(':', 1)[1])}"
            said = said.strip()[: schema["properties"]["text"].get("maxLength")]
        return {"move": move, "text": self._pad(said.strip(), self.interviewer_words)}

    # -- candidate ---------------------------------------------------------------------------
    def _candidate(self, messages, schema):
        system = messages[0]["content"]
        name = re.match(r"You are (.+?) \(", system).group(1)
        if name == self.fail_for:
            raise RuntimeError(f"scripted candidate failure for {name}")
        asked = ASKED.search(messages[-1]["content"])
        competencies = asked.group(1).split(" and ") if asked else []
        if self.candidate == "story" and competencies:
            # Recites its own notes on the asked competency, as a candidate model would paraphrase them.
            text = " ".join(re.findall(rf"^- \[{competencies[0]}\] (.*)$", messages[-1]["content"], re.M))
        else:
            # A perfectly faithful actor: concrete at level 3 and up, vague below (levels from the labels,
            # which the prompt itself never carries).
            levels = self.personas[name].intended.competency_levels
            level = min((levels[c] for c in competencies), default=self.personas[name].intended.overall_level)
            numbers = level >= 3
            if not candidate_lines(messages):
                text = f"Hi, I'm {name} and I work on {'models' if numbers else 'stuff'}."
            elif numbers:
                text = (
                    f"I owned the launch and cut p95 latency from 900 ms to 300 ms for {name.split()[0]}'s team. "
                    "I agreed the rollout plan with the product manager first, watched the dashboards through the canary, "
                    "and wrote up what we changed afterwards so the other teams could reuse it."
                )
            else:
                text = (
                    "We kind of worked on it together and it went fine in the end. There was a lot going on at the time "
                    "and other people handled most of the details, so I mostly helped where I could and kept things moving."
                )
        text = self._pad(text, self.candidate_words)
        if schema is None:
            return text
        must = choices(schema["properties"]["asks_question"]) == [True]
        return {
            "asks_question": must,
            "text": "What does success look like on this team?" if must else "No more questions, thanks.",
        }

    # -- grader ------------------------------------------------------------------------------
    def _persona_in(self, messages) -> Persona:
        text = messages[-1]["content"]
        return next(p for name, p in self.personas.items() if f"I'm {name}" in text)

    def _grader(self, messages, schema):
        if self.grader == "invalid":
            return {"competencies": "not a grade"}
        if self.grader == "person":
            return self._person_grade(messages, schema)
        persona = self._persona_in(messages)
        quote = candidate_lines(messages)[-1][:60] if candidate_lines(messages) else ""
        scores = dict(persona.intended.competency_levels)
        self.graded[persona.display_name] = self.graded.get(persona.display_name, 0) + 1
        if persona.display_name == self.flaky_for and self.graded[persona.display_name] % 2 == 0:
            scores = {c: 1 for c in scores}
        if self.grader == "lenient":
            scores = {c: min(5, s + 1) for c, s in scores.items()}
        elif self.grader == "all3":
            scores = {c: 3 for c in scores}
        if self.grader == "invented_quotes":
            quote = "I single-handedly tripled revenue overnight"
        flags = [] if self.grader == "no_flags" else persona.intended.red_flags
        verdict = {
            "competencies": {
                c: {"score": s, "rationale": f"level {s} by the rubric", "evidence": [quote]} for c, s in scores.items()
            },
            "red_flags": [{"id": f, "evidence": [quote]} for f in flags],
            "feedback": {
                "strengths": ["clear structure"],
                "growth_areas": ["more metrics"],
                "better_story": "Lead with the result.",
            },
        }
        return self.grader_hook(verdict) if self.grader_hook else verdict

    @staticmethod
    def _person_grade(messages, schema):
        """A grade for a person practising (no persona to read labels from): 4 where an answer cites a figure, else 2,
        quoting the person's first answer that does, else their first answer."""
        said = candidate_lines(messages)
        with_figures = [line for line in said if re.search(r"\d", line)]
        quote = (with_figures or said or [""])[0][:60]
        score = 4 if with_figures else 2
        competencies = schema["properties"]["competencies"]
        ids = list(competencies.get("properties") or schema["$defs"][competencies["$ref"].split("/")[-1]]["properties"])
        return {
            "competencies": {c: {"score": score, "rationale": f"level {score} by the rubric", "evidence": [quote]} for c in ids},
            "red_flags": [] if with_figures else [{"id": "no_data_driven_decisions", "evidence": [quote]}],
            "feedback": {
                "strengths": ["clear structure"],
                "growth_areas": ["more metrics"],
                "better_story": "Lead with the result.",
            },
        }

    # -- judge -------------------------------------------------------------------------------
    def _judge(self, messages, schema):
        if "violations" in schema.get("properties", {}):
            return {"violations": self._audit(messages)}
        if "reads" in schema.get("properties", {}):
            asked = choices(schema["$defs"]["CheckRead"]["properties"]["check"]) if "$defs" in schema else []
            return {"reads": [{"check": c, "done_right": v, "turns": []} for c, v in self.judge_reads.items() if c in asked]}
        if "labels" in schema.get("properties", {}):
            return {"labels": []}  # turn annotation: leaves the rules' labels as they are
        persona = self._persona_in(messages)
        if self.judge == "silent":
            return {"competency_levels": {c: None for c in persona.intended.competency_levels}, "red_flags": []}
        if self.judge == "all1":
            return {"competency_levels": {c: 1 for c in persona.intended.competency_levels}, "red_flags": []}
        return {"competency_levels": dict(persona.intended.competency_levels), "red_flags": list(persona.intended.red_flags)}

    def _audit(self, messages) -> list[dict]:
        found = []
        for index, (who, text) in enumerate(transcript_lines(messages)):
            for phrase, topic in self.judge_flags.items():
                if who == "INTERVIEWER" and phrase in text:
                    found.append({"turn_index": index, "topic": topic, "quote": phrase[:120]})
        return found[:5]

    @staticmethod
    def _pad(text: str, words: int) -> str:
        missing = words - len(text.split())
        return text if missing <= 0 else text + " " + " ".join(["detail"] * missing)
