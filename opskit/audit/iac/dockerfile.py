"""Dockerfile checks: root user, unpinned bases, baked-in secrets, remote code and leaky build contexts."""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from opskit.audit.iac.dockerfile_checks import RunChecks, references_variable
from opskit.audit.iac.dockerfile_parser import Instruction, parse_dockerfile
from opskit.audit.iac.dockerignore import is_excluded, parse_dockerignore
from opskit.audit.iac.interface import Checker, Hit, Rule, Unparseable
from opskit.audit.iac.secret_names import SecretNames
from opskit.audit.interface import FileTree

_VARIABLE = re.compile(r"\$(?:\{(?P<braced>\w+)(?::?[-+](?P<default>[^}]*))?\}|(?P<bare>\w+))")
_REMOTE = re.compile(r"^(?:https?://|git@|git://|ssh://)", re.IGNORECASE)
_CONTEXT_ROOT = frozenset({".", "./", "*", "./*"})
_SHELL_FORMS = ("sh", "bash", "ash", "dash", "zsh")
NOT_DOCKERFILE_SUFFIXES = (".md", ".txt", ".rst", ".dockerignore", ".j2", ".jinja", ".tmpl", ".template", ".orig",
                           ".bak", ".py", ".sh", ".json", ".yaml", ".yml", ".toml", ".go", ".js", ".ts")


@dataclass
class Stage:
    """One build stage: its FROM line, base image, name and the last USER set in it."""

    base: str | None  # as written after FROM, ARGs expanded; None when an ARG has no value
    image: str | None  # the image at the root of the stage chain (``FROM build`` -> build's image)
    name: str | None
    from_line: int
    user: str | None = None  # inherited from the parent stage until the stage sets its own
    user_line: int | None = None


def expand(value: str, variables: Mapping[str, str]) -> str | None:
    """``$VAR`` and ``${VAR:-default}`` substituted; None when a variable has no value."""
    unresolved = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal unresolved
        name = match["braced"] or match["bare"]
        if name in variables:
            return variables[name]
        if match["default"] is not None:
            return match["default"]
        unresolved = True
        return ""

    result = _VARIABLE.sub(substitute, value)
    return None if unresolved else result


def image_is_pinned(image: str) -> bool:
    """A digest, or a tag other than ``latest`` (a registry port such as ``:5000/`` is not a tag)."""
    if "@" in image:
        return True
    last = image.rsplit("/", 1)[-1]
    return ":" in last and last.rsplit(":", 1)[1] not in ("", "latest")


def unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def line_of(lines: Sequence[str], first: int, last: int, needle: str) -> int:
    """The physical line in ``first..last`` (1-based) that contains ``needle``, else ``first``."""
    for number in range(first, min(last, len(lines)) + 1):
        if needle in lines[number - 1]:
            return number
    return first


class DockerfileChecker(Checker):
    kind = "dockerfile"
    context_globs = ("*.dockerignore",)

    def __init__(self, rules: Mapping[str, Rule]) -> None:
        super().__init__(rules)
        self._secret_names = SecretNames.from_params(self.rules["iac.docker-secret-in-env"].params)
        self._run_checks = RunChecks(self.rules, self._secret_names)
        self._pipe_to_shell = pipe_to_shell_patterns(self.rules["iac.docker-curl-pipe-shell"].params)

    def wants(self, path: str) -> bool:
        name = posixpath.basename(path)
        if name.lower() in ("dockerfile", "containerfile") or name.lower().endswith(".dockerfile"):
            return True
        # Dockerfile.prod, Dockerfile-dev, Containerfile.ci; not dockerfile.py or Dockerfile.md
        return name.startswith(("Dockerfile.", "Dockerfile-", "Containerfile.", "Containerfile-")) and \
            not name.lower().endswith(NOT_DOCKERFILE_SUFFIXES)

    def check(self, path: str, text: str, tree: FileTree) -> list[Hit]:
        instructions = parse_dockerfile(text)
        if not instructions:
            return []
        if instructions[0].command not in ("FROM", "ARG"):
            raise Unparseable(f"expected FROM, found {instructions[0].command}", instructions[0].start_line)
        lines = text.splitlines()
        stages = self._stages(instructions)
        if not stages:
            raise Unparseable("no FROM instruction")
        dockerignore = read_dockerignore(tree, path)
        context = [posixpath.basename(p) for p in tree.listdir(posixpath.dirname(path))] if dockerignore else []
        hits: list[Hit] = []
        hits.extend(self._root_user(stages))
        hits.extend(self._unpinned_bases(stages))
        pipefail_shell = False  # a SHELL with -o pipefail in the current stage
        for inst in instructions:
            hits.extend(self._run_checks.credentials_in_urls(inst, lines))
            if inst.command == "ONBUILD" and inst.original.split(maxsplit=2)[1:2] == ["RUN"]:
                inst = replace(inst, command="RUN")  # runs in every build FROM this image: judged as a RUN
            if inst.command == "FROM":
                pipefail_shell = False
            elif inst.command == "SHELL":
                pipefail_shell = "pipefail" in inst.args
            elif inst.command in ("ENV", "ARG"):
                hits.extend(self._secret_variables(inst, lines))
                hits.extend(self._run_checks.variables(inst, lines))
            elif inst.command in ("COPY", "ADD") and inst.flag("from") is None:
                hits.extend(self._copied_sources(inst, lines, dockerignore, context))
            elif inst.command == "RUN":
                hits.extend(self._pipe_to_shell_hits(inst, lines))
                hits.extend(self._run_checks.run(inst, _scripts(inst), lines, pipefail_shell))
            elif inst.command in ("CMD", "ENTRYPOINT"):
                hits.extend(self._run_checks.shell_form(inst))
        return hits

    # -- stages and users ---------------------------------------------------------------------

    def _stages(self, instructions: Sequence[Instruction]) -> list[Stage]:
        global_args: dict[str, str] = {}
        stages: list[Stage] = []
        for inst in instructions:
            if inst.command == "ARG" and not stages:
                global_args.update((k, v) for k, v in _assignments(inst).items() if v is not None)
            elif inst.command == "FROM":
                if not inst.args or not inst.args[0]:
                    raise Unparseable("FROM needs an image", inst.start_line)
                base = expand(inst.args[0], global_args)
                name = inst.args[2].lower() if len(inst.args) >= 3 and inst.args[1].upper() == "AS" else None
                parent = next((s for s in stages if base is not None and s.name == base.lower()), None)
                if parent is None:
                    stages.append(Stage(base=base, image=base, name=name, from_line=inst.start_line))
                else:
                    stages.append(Stage(base=base, image=parent.image, name=name, from_line=inst.start_line,
                                        user=parent.user, user_line=parent.user_line))
            elif inst.command == "USER" and stages and inst.args:
                stages[-1].user, stages[-1].user_line = inst.args[0], inst.start_line
        return stages

    def _root_user(self, stages: Sequence[Stage]) -> Iterator[Hit]:
        rule = self.rules["iac.docker-root-user"]
        final = stages[-1]
        if final.user is None:
            base = final.base or ""
            if any(marker in (final.image or "") for marker in rule.params["nonroot_image_markers"]):
                return
            yield Hit(rule.id, final.from_line, f"the final stage (FROM {base or '?'}) never sets USER, "
                      "so the container runs as root.", offending=f"FROM {base} no USER",
                      snippet=f"FROM {base}")
        elif final.user.lower() in rule.params["root_users"] and final.user_line is not None:
            yield Hit(rule.id, final.user_line, f"USER {final.user} is the last USER of the final stage, "
                      "so the container runs as root.", offending=f"USER {final.user}",
                      snippet=f"USER {final.user}")

    def _unpinned_bases(self, stages: Sequence[Stage]) -> Iterator[Hit]:
        rule = self.rules["iac.docker-unpinned-base-image"]
        names = {s.name for s in stages if s.name}
        for stage in stages:
            base = stage.base
            if base is None or base.lower() == "scratch" or base.lower() in names or image_is_pinned(base):
                continue
            why = "uses the latest tag" if base.endswith(":latest") else "has no tag or digest"
            yield Hit(rule.id, stage.from_line, f"base image {base} {why}, so every build may pull a "
                      "different, unreviewed image.", offending=f"FROM {base}", snippet=f"FROM {base}")

    # -- ENV / ARG secrets -------------------------------------------------------------------

    def _secret_variables(self, inst: Instruction, lines: Sequence[str]) -> Iterator[Hit]:
        rule = self.rules["iac.docker-secret-in-env"]
        for name, value in _assignments(inst).items():
            if not value or references_variable(value) or name not in self._secret_names:
                continue
            line = line_of(lines, inst.start_line, inst.end_line, name)
            yield Hit(rule.id, line, f"{inst.command} {name} sets a literal secret value {value}, which "
                      "stays readable in the image and its history.", offending=f"{inst.command} {name}={value}",
                      snippet=lines[line - 1].strip(), secrets=(value,))

    # -- COPY / ADD ----------------------------------------------------------------------------

    def _copied_sources(self, inst: Instruction, lines: Sequence[str], dockerignore: str | None,
                        context: Sequence[str]) -> Iterator[Hit]:
        sources = [s for s in inst.args[:-1] if not s.startswith("<<")]
        snippet = inst.original.strip()
        secret_rule = self.rules["iac.docker-copy-secret-file"]
        for source in sources:
            base = posixpath.basename(source.rstrip("/"))
            if _matches(base, secret_rule.params["credential_globs"]) and \
                    not _matches(base, secret_rule.params["harmless_globs"]):
                yield Hit(secret_rule.id, line_of(lines, inst.start_line, inst.end_line, source),
                          f"{inst.command} puts the credential file {source} into the image.",
                          offending=f"{inst.command} {source}", snippet=snippet)
        if inst.command == "ADD":
            yield from self._run_checks.add_for_local_files(inst, sources, lines)
        if inst.command == "ADD" and inst.flag("checksum") is None:
            remote_rule = self.rules["iac.docker-add-remote-url"]
            for source in sources:
                if _REMOTE.match(source):
                    yield Hit(remote_rule.id, line_of(lines, inst.start_line, inst.end_line, source),
                              f"ADD fetches {source} at build time with no checksum, so a changed or "
                              "tampered download goes into the image unnoticed.",
                              offending=f"ADD {source}", snippet=snippet)
        if any(source in _CONTEXT_ROOT for source in sources):
            yield from self._context_copy(inst, dockerignore, snippet, context)

    def _context_copy(self, inst: Instruction, dockerignore: str | None, snippet: str,
                      context: Sequence[str]) -> Iterator[Hit]:
        """With a .dockerignore, what it must keep out: the env files every checkout carries, and the
        credential files actually lying in the context directory."""
        rule = self.rules["iac.docker-copy-context-without-dockerignore"]
        if dockerignore is None:
            message = (f"{inst.command} copies the whole build context and there is no .dockerignore "
                       "beside the Dockerfile, so .env files and keys end up in the image.")
        else:
            patterns = parse_dockerignore(dockerignore)
            secret_files = self.rules["iac.docker-copy-secret-file"].params
            present = [name for name in context if _matches(name, secret_files["credential_globs"])
                       and not _matches(name, secret_files["harmless_globs"])]
            kept = [p for p in (*rule.params["must_exclude"], *present) if not is_excluded(p, patterns)]
            if not kept:
                return
            message = (f"{inst.command} copies the whole build context and .dockerignore does not "
                       f"exclude {', '.join(dict.fromkeys(kept))}.")
        yield Hit(rule.id, inst.start_line, message, offending=f"{inst.command} {' '.join(inst.args)}",
                  snippet=snippet)

    # -- RUN -----------------------------------------------------------------------------------

    def _pipe_to_shell_hits(self, inst: Instruction, lines: Sequence[str]) -> Iterator[Hit]:
        rule = self.rules["iac.docker-curl-pipe-shell"]
        for script in _scripts(inst):
            for pattern in self._pipe_to_shell:
                match = pattern.search(script)
                if match:
                    fragment = " ".join(match.group(0).split())
                    line = line_of(lines, inst.start_line, inst.end_line, fragment.split("|")[0].strip()[:40])
                    yield Hit(rule.id, line, f"RUN pipes a downloaded script straight into a shell "
                              f"({fragment.strip()}), so whatever the server sends runs in the build.",
                              offending=f"RUN {fragment}", snippet=lines[line - 1].strip())
                    return


def pipe_to_shell_patterns(params: Mapping[str, Any]) -> list[re.Pattern[str]]:
    """Downloads run by a shell, from the fetchers and shells in a rule's params (Dockerfile RUN, CI steps)."""
    fetchers = "|".join(map(re.escape, params["fetchers"]))
    shells = "|".join(map(re.escape, params["shells"]))
    return [
        # curl ... | [sudo [-E]] [env K=V] [/bin/]bash
        re.compile(rf"\b(?:{fetchers})\b[^|;&\n]*\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:env\s+(?:\S+=\S*\s+)*)?"
                   rf"(?:[\w/.-]*/)?(?:{shells})\b"),
        # bash -c "$(curl ...)"  and  bash <(curl ...)
        re.compile(rf"\b(?:{shells})\s+(?:-\S+\s+)*[\"']?(?:\$\(|<\()\s*(?:{fetchers})\b[^)]*\)?"),
    ]


def read_dockerignore(tree: FileTree, path: str) -> str | None:
    """The ignore file BuildKit uses with this Dockerfile: ``<name>.dockerignore``, else ``.dockerignore``."""
    directory = posixpath.dirname(path)
    for name in (f"{posixpath.basename(path)}.dockerignore", ".dockerignore"):
        text = tree.read(posixpath.join(directory, name))
        if text is not None:
            return text
    return None


def _assignments(inst: Instruction) -> dict[str, str | None]:
    """``NAME=value`` pairs of ENV (including the old ``ENV NAME value`` form) and ARG (None: no default)."""
    if inst.command == "ENV":
        pairs = zip(inst.args[::2], inst.args[1::2], strict=False)
        return {unquote(k): unquote(v) for k, v in pairs}
    result: dict[str, str | None] = {}
    for arg in inst.args:
        name, equals, value = arg.partition("=")
        result[unquote(name)] = unquote(value) if equals else None
    return result


def _scripts(inst: Instruction) -> list[str]:
    """The shell text a RUN executes: its command line, an ``sh -c`` argument, and heredoc bodies."""
    if inst.exec_form:
        args = list(inst.args)
        if args and posixpath.basename(args[0]) in _SHELL_FORMS and "-c" in args[1:-1]:
            return [args[args.index("-c") + 1]]
        return [" ".join(args)]
    return [*inst.args[:1], *inst.heredocs]


def _matches(name: str, globs: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(name.lower(), glob) for glob in globs)
