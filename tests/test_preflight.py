"""Preflight: a run whose models cannot be called is refused before its first interview, one line per problem."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from typer.testing import CliRunner

from agents.models.config import ModelsConfig, RoleModel
from agents.prompting import PromptSet
from agents.roles.preflight import credential_problems, longest_prompt_chars, provider_problems
from evals.cli import app
from tests.conftest_helpers import SCENARIO

runner = CliRunner()


@pytest.fixture
def no_keys(monkeypatch):
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "AZURE_API_KEY", "AZURE_API_BASE", "AZURE_API_VERSION"):
        monkeypatch.delenv(name, raising=False)


def test_a_missing_key_is_refused_before_anything_slow_naming_the_variable(tmp_path, no_keys):
    # A fresh process, to see what it imported: the refusal comes before litellm, the library or the store.
    script = textwrap.dedent(
        f"""
        import sys
        from evals.cli import app
        try:
            app(["run", "--interviewer-model", "openai/gpt-4o-mini", "--db", {str(tmp_path / "h.duckdb")!r}])
        except SystemExit as exc:
            print("exit", exc.code)
        print("imported:", sorted(m for m in ("litellm", "duckdb", "langgraph", "evals.runs.harness") if m in sys.modules))
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert "exit 2" in out.stdout and "imported: []" in out.stdout, out.stdout + out.stderr
    assert "interviewer model openai/gpt-4o-mini: OPENAI_API_KEY is not set; export OPENAI_API_KEY" in out.stderr
    assert not (tmp_path / "h.duckdb").exists()


def test_every_role_without_its_key_is_one_line(no_keys):
    models = ModelsConfig.for_all("openai/gpt-4o-mini").model_copy(
        update={"grader": RoleModel(model="anthropic/claude-3-5-haiku-latest", temperature=0, max_tokens=100)}
    )
    lines = [p.line() for p in credential_problems(models)]
    assert lines == [
        "interviewer, candidate and judge model openai/gpt-4o-mini: OPENAI_API_KEY is not set; export OPENAI_API_KEY (or set api_key_env)",
        "grader model anthropic/claude-3-5-haiku-latest: ANTHROPIC_API_KEY is not set; export ANTHROPIC_API_KEY (or set api_key_env)",
    ]


def test_a_named_key_variable_and_a_key_free_endpoint(monkeypatch, no_keys):
    named = ModelsConfig.for_all("openai/gpt-4o-mini", api_key_env="MY_GATEWAY_KEY")
    monkeypatch.delenv("MY_GATEWAY_KEY", raising=False)
    assert [p.message for p in credential_problems(named)] == ["MY_GATEWAY_KEY is not set"]
    monkeypatch.setenv("MY_GATEWAY_KEY", "k")
    assert credential_problems(named) == []
    assert credential_problems(ModelsConfig.for_all("openai/served", api_base="http://127.0.0.1:8000/v1")) == []
    assert credential_problems(ModelsConfig.for_all("scripted/x")) == []


def test_litellm_knows_what_the_table_does_not(no_keys):
    longest = longest_prompt_chars(SCENARIO, PromptSet(), ModelsConfig(), 60)
    assert [p.message for p in provider_problems(ModelsConfig.for_all("nosuch/model"), longest)][0] == (
        "litellm does not know this model"
    )
    azure = provider_problems(ModelsConfig.for_all("azure/my-deployment"), longest)
    assert azure and all(name in azure[0].message for name in ("AZURE_API_KEY", "AZURE_API_BASE", "AZURE_API_VERSION"))


def test_an_endpoint_that_does_not_answer_is_named(no_keys):
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    problems = provider_problems(ModelsConfig.for_all("openai/served", api_base=f"http://127.0.0.1:{port}/v1"), 1000)
    assert len(problems) == 1 and problems[0].message.startswith(f"the endpoint http://127.0.0.1:{port}/v1 does not answer")


def test_the_longest_prompt_must_fit_the_context_window(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-never-sent")
    models = ModelsConfig.for_all("openai/gpt-3.5-turbo")  # 16,385 tokens in litellm's price map
    longest = longest_prompt_chars(SCENARIO, PromptSet(), models, 60)
    assert provider_problems(models, longest) == []
    problems = provider_problems(models, longest_prompt_chars(SCENARIO, PromptSet(), models, 400))
    assert problems and "context window" in problems[0].message and "16,385" in problems[0].message


def test_unknown_model_through_the_cli_is_bad_input(tmp_path, no_keys):
    out = runner.invoke(app, ["run", "--grader-model", "nosuch/model", "--db", str(tmp_path / "h.duckdb")])
    assert out.exit_code == 2 and "grader model nosuch/model: litellm does not know this model" in out.output


def test_a_db_folder_that_cannot_be_made_is_bad_input(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = runner.invoke(app, ["run", "--persona", "mei-defects", "--db", str(blocker / "h.duckdb")])
    assert out.exit_code == 2 and f"cannot create the folder {blocker}" in out.output


def test_a_config_file_with_an_unknown_section_is_bad_input(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("[modles.grader]\nmodel = 'scripted/x'\n")
    out = runner.invoke(app, ["run", "--config", str(config), "--db", str(tmp_path / "h.duckdb")])
    assert out.exit_code == 2 and "unknown key(s) modles" in out.output
