"""GitHub Actions checks: workflows (``.github/workflows/*.yml``, or any YAML with top-level ``on:`` and
``jobs:``) and composite actions (``action.yml``): script injection from attacker-controlled event fields,
pull_request_target checkouts of the PR head, unpinned third-party actions, broad token permissions,
secrets echoed to the log, unsecure commands, self-hosted runners on PRs, downloads piped into a shell."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping, Sequence

from opskit.audit.iac.catalog import load_rules
from opskit.audit.iac.dockerfile import pipe_to_shell_patterns
from opskit.audit.iac.interface import Checker, Hit, Rule
from opskit.audit.iac.kubernetes import YAML_SUFFIXES
from opskit.audit.iac.yaml_tree import Node, Reporter, read_documents
from opskit.audit.interface import FileTree

MAX_DEPTH = 64
_ON = re.compile(r"^[\"']?on[\"']?\s*:", re.MULTILINE)
_JOBS = re.compile(r"^jobs\s*:", re.MULTILINE)
_SHA = re.compile(r"^[0-9a-f]{40}$")
_SECRET = re.compile(r"\bsecrets\.(\w+)")
_ECHO = re.compile(r"^\s*(?:echo|printf)\b")
_SELF_HOSTED = re.compile(r"\bself-hosted\b")
_IF_EVENT = re.compile(r"github\.event_name\s*==\s*['\"](\w+)['\"]")
PR_TRIGGERS = frozenset({"pull_request", "pull_request_target"})
PRIVILEGED_TRIGGERS = frozenset({"pull_request_target", "workflow_run"})


def expressions(text: str) -> Iterator[tuple[int, str]]:
    """(offset, inner text) of every ``${{ ... }}``; one pass, an unclosed ``${{`` ends the search."""
    start = text.find("${{")
    while start >= 0:
        end = text.find("}}", start + 3)
        if end < 0:
            return
        yield start, text[start + 3:end]
        start = text.find("${{", end + 2)


def triggers(root: Node) -> frozenset[str]:
    """The event names of ``on:``."""
    on = on_node(root)
    if isinstance(on.value, str):
        return frozenset({on.value})
    if isinstance(on.value, list):
        return frozenset(str(item) for item in on.value)
    if isinstance(on.value, dict):
        return frozenset(str(key) for key in on.value)
    return frozenset()


def on_node(root: Node) -> Node:
    """The ``on:`` node (PyYAML reads the bare key ``on`` as the boolean True)."""
    return Node(root.value[True] if True in root.value else root.value.get("on"), "on", root.lines)


class GithubActionsChecker(Checker):
    kind = "github_actions"

    def __init__(self, rules: Mapping[str, Rule]) -> None:
        super().__init__(rules)
        injection = rules["iac.gha-script-injection"].params
        self._attacker = re.compile(r"(?:" + "|".join(injection["contexts"]) + r")")
        self._head = re.compile(r"(?:" + "|".join(rules["iac.gha-pwn-request"].params["head_refs"]) + r")")
        pinning = rules["iac.gha-unpinned-action"].params
        self._trusted_owners = frozenset(pinning["trusted_owners"])
        self._tag_required = tuple(pinning["tag_required"])
        self._pipe_to_shell = pipe_to_shell_patterns(load_rules("dockerfile")["iac.docker-curl-pipe-shell"].params)

    def wants(self, path: str) -> bool:
        return posixpath.basename(path).lower().endswith(YAML_SUFFIXES)

    def check(self, path: str, text: str, tree: FileTree) -> list[Hit]:
        name = posixpath.basename(path).lower()
        action = name in ("action.yml", "action.yaml")
        in_workflows = "/.github/workflows/" in f"/{path}"
        if not (action or in_workflows or (_ON.search(text) and _JOBS.search(text))):
            return []
        if action and "composite" not in text:
            return []
        report = Reporter(text.splitlines())
        hits: list[Hit] = []
        for root in read_documents(path, text, MAX_DEPTH):
            if not isinstance(root.value, dict):
                continue
            if action:
                hits.extend(self._steps(report, root.get("runs", "steps"), "action"))
            elif isinstance(root.get("jobs").value, dict):
                hits.extend(self._workflow(report, root))
        return hits

    def _workflow(self, report: Reporter, root: Node) -> Iterator[Hit]:
        events = triggers(root)
        yield from self._write_all(report, root.get("permissions"), "workflow")
        yield from self._unsecure_env(report, root.get("env"), "workflow")
        jobs = root.get("jobs")
        privileged = sorted(events & PRIVILEGED_TRIGGERS)
        if privileged and root.get("permissions").value is None and any(
                not isinstance(job.value, dict) or job.value.get("permissions") is None
                for job in (jobs.get(key) for key in jobs.value)):
            yield report.hit("iac.gha-excessive-permissions", on_node(root), f"the workflow runs on {privileged[0]} "
                             "without a permissions block: its token gets the repository's default (often write) "
                             "scopes.", offending=f"no permissions {privileged[0]}")
        for job_id in jobs.value:
            job, owner = jobs.get(job_id), f"job {job_id}"
            if not isinstance(job.value, dict):
                continue
            yield from self._write_all(report, job.get("permissions"), owner)
            yield from self._unsecure_env(report, job.get("env"), owner)
            runs_on = job.get("runs-on")
            gated = set(_IF_EVENT.findall(str(job.get("if").value or "")))  # if: github.event_name == 'push'
            if events & PR_TRIGGERS and _SELF_HOSTED.search(str(runs_on.value)) \
                    and (not gated or gated & PR_TRIGGERS):
                event = sorted(events & PR_TRIGGERS)[0]
                yield report.hit("iac.gha-self-hosted-runner-on-pr", runs_on, f"{owner} runs on a self-hosted runner "
                                 f"for {event}: a fork's pull request runs its code on your machine.",
                                 offending=f"{owner} self-hosted {event}", resource=owner)
            uses = job.get("uses")
            if uses.text():
                yield from self._pinned(report, uses, owner)
            yield from self._steps(report, job.get("steps"), owner, privileged)

    def _steps(self, report: Reporter, steps: Node, owner: str, privileged: Sequence[str] = ()) -> Iterator[Hit]:
        for step in steps.items():
            if not isinstance(step.value, dict):
                continue
            yield from self._unsecure_env(report, step.get("env"), owner)
            uses, run = step.get("uses"), step.get("run")
            if uses.text():
                yield from self._pinned(report, uses, owner)
                action = uses.value.split("@", 1)[0].lower()
                if action == "actions/github-script":
                    yield from self._injection(report, step.get("with", "script"), owner, "github-script")
                if action == "actions/checkout" and privileged:
                    yield from self._head_checkout(report, step.get("with"), owner, privileged[0])
            if run.text():
                yield from self._injection(report, run, owner, "run")
                yield from self._echoed_secrets(report, run, owner)
                yield from self._piped_download(report, run, owner)

    def _injection(self, report: Reporter, script: Node, owner: str, where: str) -> Iterator[Hit]:
        text = script.text() or ""
        for offset, inner in expressions(text):
            match = self._attacker.search(inner)
            if match:
                context = match.group(0)
                yield report.hit("iac.gha-script-injection", _at(report, script, offset),
                                 f"{owner}: ${{{{ {context} }}}} is expanded into the {where} script before it "
                                 "runs; whoever writes that field injects code.",
                                 offending=f"{owner} {where} {context}", resource=owner)

    def _head_checkout(self, report: Reporter, with_: Node, owner: str, event: str) -> Iterator[Hit]:
        for key in ("ref", "repository"):
            value = with_.get(key)
            match = self._head.search(value.text() or "")
            if match:
                yield report.hit("iac.gha-pwn-request", value, f"{owner} checks out the pull request's code "
                                 f"({match.group(0)}) in a {event} workflow, which runs with secrets and a write "
                                 "token.", offending=f"{owner} {event} {match.group(0)}", resource=owner)
                return

    def _pinned(self, report: Reporter, uses: Node, owner: str) -> Iterator[Hit]:
        ref = uses.value.strip()
        if ref.startswith("./"):
            return
        if ref.startswith("docker://"):
            if "@sha256:" not in ref:
                yield report.hit("iac.gha-unpinned-action", uses, f"{owner} runs {ref}, a moving image tag.",
                                 offending=f"{owner} {ref}", resource=owner)
            return
        action, _, version = ref.partition("@")
        if action.split("/", 1)[0].lower() in self._trusted_owners or _SHA.match(version) \
                or action.lower().startswith(self._tag_required):
            return
        yield report.hit("iac.gha-unpinned-action", uses, f"{owner} uses {action}@{version or '(no ref)'}, a tag or "
                         "branch its owner can move.", offending=f"{owner} {action}", resource=owner)

    def _write_all(self, report: Reporter, permissions: Node, owner: str) -> Iterator[Hit]:
        if permissions.value == "write-all":
            yield report.hit("iac.gha-excessive-permissions", permissions, f"{owner}: permissions: write-all gives "
                             "its token every write scope.", offending=f"{owner} write-all", resource=owner)

    def _unsecure_env(self, report: Reporter, env: Node, owner: str) -> Iterator[Hit]:
        value = env.get("ACTIONS_ALLOW_UNSECURE_COMMANDS")
        if value.value is True or str(value.value).strip().lower() == "true":
            yield report.hit("iac.gha-unsecure-commands", value, f"{owner}: ACTIONS_ALLOW_UNSECURE_COMMANDS lets "
                             "anything a step prints set environment variables and PATH.",
                             offending=f"{owner} unsecure commands", resource=owner)

    def _echoed_secrets(self, report: Reporter, run: Node, owner: str) -> Iterator[Hit]:
        text, offset = run.value, 0
        for command_line in text.splitlines(keepends=True):
            if _ECHO.match(command_line) and not any(mark in command_line for mark in ("|", ">", "::add-mask::")):
                for offset_in_line, inner in expressions(command_line):
                    secret = _SECRET.search(inner)
                    if secret and secret.group(1) != "GITHUB_TOKEN":
                        yield report.hit("iac.gha-secret-echoed", _at(report, run, offset + offset_in_line),
                                         f"{owner} prints secrets.{secret.group(1)} to the job log.",
                                         offending=f"{owner} echo secrets.{secret.group(1)}", resource=owner)
                        break
            offset += len(command_line)

    def _piped_download(self, report: Reporter, run: Node, owner: str) -> Iterator[Hit]:
        script = run.value.replace("\\\n", "  ")  # continuations joined, offsets kept
        for pattern in self._pipe_to_shell:
            match = pattern.search(script)
            if match:
                fragment = " ".join(match.group(0).split())
                yield report.hit("iac.gha-curl-pipe-shell", _at(report, run, match.start()), f"{owner} pipes a "
                                 f"downloaded script into a shell ({fragment}).", offending=f"{owner} {fragment}",
                                 resource=owner)
                return


def _at(report: Reporter, script: Node, offset: int) -> Node:
    """A node pointing at the source line of ``offset`` within a block scalar (the key's line otherwise)."""
    line = script.line()
    first = report.lines[line - 1] if 0 < line <= len(report.lines) else ""
    block = bool(re.search(r":\s*[|>][-+0-9]*\s*(?:#.*)?$", first))
    if not block:
        return script
    # a block scalar keeps its blank lines, so counting newlines lands on the source line
    return Node(script.value, script.path, {script.path: line + 1 + script.value.count("\n", 0, offset)})
