"""The shipped CI examples and pre-commit hook: valid YAML, calling commands that exist.

The examples are copied into other repositories, where a typo only shows up in
someone's failed pipeline; these tests catch it here. Commands and options are
taken from the real click group (``okrsite.cli.main``) once it exists, else
from the documented CLI contract below.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
GITHUB_PR = EXAMPLES / "github" / "okr-pr.yml"
GITHUB_PUBLISH = EXAMPLES / "github" / "okr-publish.yml"
GITHUB_LATEST = EXAMPLES / "github" / "okr-latest.yml"
GITLAB = EXAMPLES / "gitlab" / ".gitlab-ci.yml"
PRE_COMMIT = ROOT / ".pre-commit-hooks.yaml"
ALL_FILES = [GITHUB_PR, GITHUB_PUBLISH, GITHUB_LATEST, GITLAB, PRE_COMMIT]

FLAG = "flag"
ANY = "any"
OptionSpec = str | frozenset[str]
"""``FLAG``, ``ANY`` (takes any value) or the allowed choices."""

DOCUMENTED_CLI: dict[str, dict[str, OptionSpec]] = {
    "check": {
        "--content": ANY,
        "--format": frozenset({"text", "json", "github"}),
        "--strict": FLAG,
    },
    "diff": {"--format": frozenset({"markdown", "json"})},
    "build": {"-f": ANY, "--site-dir": ANY, "--strict": FLAG},
    "codeowners": {},
}
"""The CLI contract the examples were written against (used until okrsite.cli exists)."""

PENDING_COMMANDS: set[str] = set()
"""Commands that okrsite.cli may not register yet (none: issue 6 wired in diff and
codeowners). Calls to a pending command are checked against DOCUMENTED_CLI and the
test is marked xfail, naming them."""

_SHELL_CONTROL = {"&&", "||", ";", "|", "(", "{", "then", "do", "else", "!", "&"}
_HEREDOC = re.compile(r"<<-?\s*(['\"]?)(\w+)\1")


def cli_commands() -> dict[str, dict[str, OptionSpec]]:
    """Commands → options from ``okrsite.cli.main`` if the CLI exists, else the contract."""
    if importlib.util.find_spec("okrsite.cli") is None:
        return DOCUMENTED_CLI
    import click

    group = importlib.import_module("okrsite.cli").main
    assert isinstance(group, click.Group)
    commands: dict[str, dict[str, OptionSpec]] = {}
    # Through the group's own listing: okrsite's commands are imported lazily,
    # so ``group.commands`` holds only those some earlier test happened to load.
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        options: dict[str, OptionSpec] = {}
        for param in command.params:
            if not isinstance(param, click.Option):
                continue
            if param.is_flag:
                spec: OptionSpec = FLAG
            elif isinstance(param.type, click.Choice):
                spec = frozenset(str(c) for c in param.type.choices)
            else:
                spec = ANY
            for opt in [*param.opts, *param.secondary_opts]:
                options[opt] = spec
        commands[name] = options
    return commands


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def shell_scripts(data: Any, parent: str = "") -> Iterator[str]:
    """Every shell script in a CI file or hook list.

    GitHub ``run``, GitLab ``script``/``before_script``/``after_script`` (str or
    list) and pre-commit ``entry``. A ``script`` under ``with:`` is the
    JavaScript of actions/github-script, not shell, and is skipped.
    """
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "with":
                continue
            if key in ("run", "entry") and isinstance(value, str):
                yield value
            elif key in ("script", "before_script", "after_script"):
                items = value if isinstance(value, list) else [value]
                yield from (item for item in items if isinstance(item, str))
            else:
                yield from shell_scripts(value, str(key))
    elif isinstance(data, list):
        for item in data:
            yield from shell_scripts(item, parent)


def command_lines(script: str) -> Iterator[str]:
    """Logical shell lines: continuations joined, here-document bodies left out."""
    lines = iter(script.replace("\\\n", " ").splitlines())
    for line in lines:
        yield line
        heredoc = _HEREDOC.search(line)
        if heredoc:
            for body in lines:
                if body.strip() == heredoc.group(2):
                    break


def okrsite_invocations(script: str) -> list[list[str]]:
    """Each ``okrsite …`` at a command position, as its argument tokens (no redirections)."""
    found: list[list[str]] = []
    for line in command_lines(script):
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        tokens = list(lexer)
        for index, token in enumerate(tokens):
            at_command = index == 0 or tokens[index - 1] in _SHELL_CONTROL
            if not at_command or Path(token).name != "okrsite":
                continue
            args: list[str] = []
            for arg in tokens[index + 1 :]:
                if arg and set(arg) <= set("();<>|&"):
                    break
                args.append(arg)
            found.append(args)
    return found


def invocations_in(path: Path) -> list[list[str]]:
    return [inv for script in shell_scripts(load(path)) for inv in okrsite_invocations(script)]


def check_invocation(args: list[str], commands: dict[str, dict[str, OptionSpec]]) -> list[str]:
    """Problems with one ``okrsite`` call: unknown command, option, or choice."""
    if not args:
        return ["'okrsite' without a command"]
    name, rest = args[0], args[1:]
    if name not in commands:
        return [f"unknown command 'okrsite {name}' (known: {', '.join(sorted(commands))})"]
    options = commands[name]
    problems: list[str] = []
    index = 0
    while index < len(rest):
        token = rest[index]
        index += 1
        if not token.startswith("-") or token == "-":
            continue  # a positional argument such as diff's BASE
        option, _, inline = token.partition("=")
        if option not in options:
            problems.append(f"okrsite {name}: unknown option {option}")
            continue
        spec = options[option]
        if spec == FLAG:
            continue
        if not inline:
            if index >= len(rest):
                problems.append(f"okrsite {name}: {option} needs a value")
                continue
            inline = rest[index]
            index += 1
        if isinstance(spec, frozenset) and inline not in spec:
            problems.append(f"okrsite {name}: {option} {inline!r} not one of {sorted(spec)}")
    return problems


# --------------------------------------------------------------------------
# the helpers themselves


def test_invocation_parser_finds_commands_not_package_names() -> None:
    """The shell parser finds `okrsite` at command positions only, args up to a redirection."""
    script = (
        "pip install okrsite\n"
        "okrsite check --format github  # comment okrsite nope\n"
        'okrsite diff "origin/$BASE" > okr-diff.md && okrsite build \\\n  --strict\n'
        "cat <<'EOF'\nokrsite ghost\nEOF\n"
        "echo okrsite fake\n"
    )
    assert okrsite_invocations(script) == [
        ["check", "--format", "github"],
        ["diff", "origin/$BASE"],
        ["build", "--strict"],
    ]


def test_invocation_checker_reports_each_kind_of_mistake() -> None:
    """Unknown commands, unknown options, bad choices and missing values are all reported."""
    assert check_invocation(["check", "--format", "github"], DOCUMENTED_CLI) == []
    assert check_invocation(["diff", "origin/main", "--format=json"], DOCUMENTED_CLI) == []
    assert check_invocation(["publish"], DOCUMENTED_CLI)[0].startswith("unknown command")
    assert check_invocation(["build", "--clean"], DOCUMENTED_CLI) == [
        "okrsite build: unknown option --clean"
    ]
    assert "not one of" in check_invocation(["check", "--format", "sarif"], DOCUMENTED_CLI)[0]
    assert check_invocation(["build", "--site-dir"], DOCUMENTED_CLI) == [
        "okrsite build: --site-dir needs a value"
    ]


# --------------------------------------------------------------------------
# the shipped files


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_file_is_valid_yaml(path: Path) -> None:
    """Each example file parses as YAML into a mapping (CI) or a list (hooks)."""
    data = load(path)
    assert isinstance(data, list if path == PRE_COMMIT else dict)
    assert data


@pytest.mark.parametrize("path", [GITHUB_PR, GITHUB_PUBLISH], ids=lambda p: p.name)
def test_github_workflow_has_on_and_jobs(path: Path) -> None:
    """A GitHub workflow has triggers and jobs; PyYAML reads the key `on` as True."""
    data = load(path)
    triggers = data.get("on", data.get(True))
    assert triggers, "no 'on:' triggers"
    assert isinstance(data.get("jobs"), dict) and data["jobs"]
    for name, job in data["jobs"].items():
        assert "runs-on" in job, f"job {name} has no runs-on"
        assert job.get("steps"), f"job {name} has no steps"


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_okrsite_call_names_a_real_command(path: Path) -> None:
    """Every `okrsite <cmd> [options]` in the file uses a command, option and choice that exist."""
    commands = cli_commands()
    calls = invocations_in(path)
    assert calls, f"no okrsite call found in {path.name}"
    pending = {c[0] for c in calls if c and c[0] in PENDING_COMMANDS and c[0] not in commands}
    problems = [
        problem
        for call in calls
        for problem in check_invocation(
            call, DOCUMENTED_CLI if call and call[0] in pending else commands
        )
    ]
    assert problems == []
    if pending:
        pytest.xfail(f"okrsite.cli has no {', '.join(sorted(pending))} command yet (issue 6)")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (GITHUB_PR, {("check", "--format", "github"), ("diff", "origin/$BASE_REF")}),
        (GITHUB_PUBLISH, {("build", "--strict", "--site-dir", "site")}),
        (
            GITHUB_LATEST,
            {("check", "--format", "github"), ("build", "--strict", "--site-dir", "site")},
        ),
        (
            GITLAB,
            {
                ("check",),
                ("build", "--strict", "--site-dir", "latest-site"),
                ("diff", "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"),
                ("build", "--strict", "--site-dir", "public"),
            },
        ),
        (PRE_COMMIT, {("check",)}),
    ],
    ids=lambda v: v.name if isinstance(v, Path) else "",
)
def test_each_file_makes_the_calls_it_is_for(path: Path, expected: set[tuple[str, ...]]) -> None:
    """The PR flow checks and diffs, the publish flows build strictly, the hook checks."""
    assert {tuple(call) for call in invocations_in(path)} == expected


def test_no_github_expressions_inside_run_scripts() -> None:
    """`${{ … }}` is never pasted into a shell script (script injection); env is used instead."""
    for path in (GITHUB_PR, GITHUB_PUBLISH, GITHUB_LATEST):
        for script in shell_scripts(load(path)):
            assert "${{" not in script, f"{path.name}: {script!r}"


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash not installed")
@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_shell_scripts_parse(path: Path) -> None:
    """Every run/script block is syntactically valid bash (`bash -n`)."""
    for script in shell_scripts(load(path)):
        result = subprocess.run(
            ["bash", "-n"], input=script, text=True, capture_output=True, check=False
        )
        assert result.returncode == 0, f"{path.name}: {result.stderr}\n{script}"


def test_pr_workflow_fetches_history_and_keeps_one_sticky_comment() -> None:
    """Full-history checkout for diff, write permission for comments, one marker-found comment."""
    data = load(GITHUB_PR)
    assert data[True]["pull_request"]["paths"] == ["content/**"]
    assert data["permissions"]["pull-requests"] == "write"
    steps = data["jobs"]["review"]["steps"]
    checkout = next(s for s in steps if str(s.get("uses", "")).startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    diff_step = next(s for s in steps if "okrsite diff" in s.get("run", ""))
    assert "> okr-diff.md" in diff_step["run"]
    assert diff_step["env"]["BASE_REF"] == "${{ github.base_ref }}"
    comment = next(s for s in steps if str(s.get("uses", "")).startswith("actions/github-script@"))
    script = comment["with"]["script"]
    assert "<!-- okrsite-diff -->" in script
    assert "updateComment" in script and "createComment" in script
    assert "readFileSync('okr-diff.md'" in script
    installs = " ".join(s.get("run", "") for s in steps)
    assert "graphviz" in installs and "pip install" in installs


def test_publish_workflow_deploys_to_pages_safely() -> None:
    """Build uploads a Pages artifact; deploy has pages/id-token write; one deploy at a time."""
    data = load(GITHUB_PUBLISH)
    assert data[True]["push"]["branches"] == ["main"]
    assert data["concurrency"]["cancel-in-progress"] is False
    build, deploy = data["jobs"]["build"], data["jobs"]["deploy"]
    uses = [str(s.get("uses", "")) for s in build["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    upload = next(s for s in build["steps"] if "upload-pages-artifact" in str(s.get("uses")))
    assert upload["with"]["path"] == "site"
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert str(deploy["steps"][0]["uses"]).startswith("actions/deploy-pages@")


def test_gitlab_pipeline_checks_merge_requests_and_publishes_public() -> None:
    """Checks run on merge requests touching content; `pages` publishes public/ from main."""
    data = load(GITLAB)
    hidden = data[".merge-request-content"]["rules"][0]
    assert "merge_request_event" in hidden["if"]
    assert data["okr-check"]["extends"] == ".merge-request-content"
    assert data["okr-diff"]["extends"] == ".merge-request-content"
    assert "okr-diff.md" in data["okr-diff"]["artifacts"]["paths"]
    pages = data["pages"]
    assert pages["artifacts"]["paths"] == ["public"]
    assert "$CI_DEFAULT_BRANCH" in pages["rules"][0]["if"]


def test_pre_commit_hook_has_required_keys() -> None:
    """The okrsite-check hook runs `okrsite check` once, for changes under content/."""
    hooks = load(PRE_COMMIT)
    hook = next(h for h in hooks if h["id"] == "okrsite-check")
    assert {"id", "name", "entry", "language"} <= set(hook)
    assert hook["entry"] == "okrsite check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert re.match(hook["files"], "content/2026-Q1/product.yaml")
    assert not re.match(hook["files"], "docs/index.md")


def test_early_warning_jobs_run_on_a_schedule_with_the_newest_releases() -> None:
    """The weekly jobs upgrade okrsite and its dependencies eagerly, on a schedule only."""
    github = load(GITHUB_LATEST)
    assert "schedule" in github[True]  # PyYAML reads the key `on` as True
    steps = " ".join(s.get("run", "") for s in github["jobs"]["newest-releases"]["steps"])
    assert "--upgrade-strategy eager okrsite" in steps
    gitlab = load(GITLAB)
    assert gitlab["okr-latest"]["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule"'}]
    assert any("--upgrade-strategy eager" in line for line in gitlab["okr-latest"]["before_script"])
    assert "schedule" in gitlab["pages"]["rules"][0]["if"]  # no publish from the weekly run


def test_examples_readme_mentions_every_file() -> None:
    """examples/README.md explains each shipped example file."""
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for path in (GITHUB_PR, GITHUB_PUBLISH, GITHUB_LATEST, GITLAB):
        assert str(path.relative_to(EXAMPLES)) in readme
    assert ".pre-commit-hooks.yaml" in readme
