"""Dockerfile checks beyond the image's user and base: what RUN scripts do (hadolint's security
families and more), ADD where COPY serves, shell-form CMD/ENTRYPOINT, and secrets passed as build
arguments or TLS checks turned off through the environment."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence

from opskit.audit.iac.dockerfile_parser import Instruction
from opskit.audit.iac.dockerfile_run import (
    ARCHIVES,
    VERIFIERS,
    Command,
    commands,
    downloads_to_file,
    has_pipe,
    insecure_transport,
    sets_pipefail,
    skips_signatures,
    unpinned_packages,
    world_writable,
)
from opskit.audit.iac.interface import Hit, Rule
from opskit.audit.iac.secret_names import SecretNames

SHELLS = ("sh", "bash", "ash", "dash", "zsh")
_SECRET_PARTS = ("secret", "password", "passwd", "token", "private_key", "api_key", "apikey")
_REMOTE = re.compile(r"^(?:https?://|git@|git://|ssh://)", re.IGNORECASE)
# $NAME or ${...}: a variable the build expands; environment names are upper case, so the "$w8q" inside a
# random literal is part of the literal.
_REFERENCE = re.compile(r"\$\{[^}]*\}|\$[A-Z_][A-Z0-9_]*")
_WORD_BREAK = re.compile(r"[\s'\"]+")  # URLs are whole words of a command line or a quoted string
_INSECURE_ENV = {"NODE_TLS_REJECT_UNAUTHORIZED": "0", "GIT_SSL_NO_VERIFY": None, "PYTHONHTTPSVERIFY": "0",
                 "CURL_CA_BUNDLE": "", "REQUESTS_CA_BUNDLE": ""}


_VERIFICATION_SUFFIXES = (".asc", ".gpg", ".sig", ".sign", ".sha256", ".sha512", ".sha256sum", ".sha512sum", ".md5",
                          "sha256sums", "sha512sums", "checksums.txt", ".pub", ".key", "/gpg", "/gpgkey")


def _verification_material(url: str) -> bool:
    """A signature, checksum list or signing key: what other downloads are checked with."""
    return url.lower().split("?", 1)[0].endswith(_VERIFICATION_SUFFIXES)


def references_variable(value: str) -> bool:
    return bool(_REFERENCE.search(value))


def url_credentials(text: str) -> Iterator[str]:
    """Literal passwords and tokens in the authority of a URL (``https://ci:glpat-...@gitlab.com/``), not
    in its path (npm's ``/@scope/``). One pass over the words, no backtracking."""
    for word in _WORD_BREAK.split(text):
        scheme, separator, rest = word.partition("://")
        userinfo, at, _ = rest.split("/", 1)[0].rpartition("@")
        if not (separator and at and scheme[-1:].isalpha()):
            continue
        _, colon, password = userinfo.partition(":")
        secret = password if colon else userinfo  # https://TOKEN@host: a token as the user name
        if not secret or secret.startswith("$"):  # $(cat /run/secrets/token), ${TOKEN}: not in the file
            continue
        if colon or (len(secret) >= 20 and re.fullmatch(r"[\w-]+", secret) and re.search(r"\d", secret)):
            yield secret


def _line(lines: Sequence[str], inst: Instruction, needle: str) -> int:
    for number in range(inst.start_line, min(inst.end_line, len(lines)) + 1):
        if needle and needle in lines[number - 1]:
            return number
    return inst.start_line


def _snippet(lines: Sequence[str], number: int) -> str:
    return lines[number - 1].strip() if 0 < number <= len(lines) else ""


class RunChecks:
    """The checks of this module, with the rules they report under."""

    def __init__(self, rules: Mapping[str, Rule], secret_names: SecretNames) -> None:
        self.rules = rules
        self.secret_names = secret_names

    def _hit(self, rule_id: str, lines: Sequence[str], inst: Instruction, needle: str, message: str,
             offending: str) -> Hit:
        line = _line(lines, inst, needle)
        return Hit(f"iac.{rule_id}", line, message, offending=offending, snippet=_snippet(lines, line))

    def run(self, inst: Instruction, scripts: Sequence[str], lines: Sequence[str],
            pipefail_shell: bool) -> Iterator[Hit]:
        found = [command for script in scripts for command in commands(script)]
        yield from self._unpinned(inst, found, lines)
        shell_form = not inst.exec_form or bool(inst.args) and inst.args[0].rsplit("/", 1)[-1] in SHELLS
        if shell_form and not pipefail_shell and any(has_pipe(s) and not sets_pipefail(s) for s in scripts):
            yield self._hit("docker-pipe-without-pipefail", lines, inst, "|", "RUN uses a pipe without "
                            "pipefail, so a failing command before the pipe (a failed download) does not fail "
                            "the build.", f"RUN {inst.original.strip()[:80]}")
        sudo = next((c for c in found if c.sudo or c.name == "sudo"), None)
        if sudo is not None:
            yield self._hit("docker-sudo", lines, inst, "sudo", "RUN uses sudo: the build already runs as the "
                            "image's user, and sudo left in an image lets its user become root.",
                            f"RUN sudo {sudo.name}")
        script = "\n".join(scripts)
        urls = [url for url in (downloads_to_file(c) for c in found) if url and not _verification_material(url)]
        if urls and not VERIFIERS.search(script):
            yield self._hit("docker-unverified-download", lines, inst, urls[0][:40], f"RUN downloads {urls[0]} "
                            "to a file and never checks its checksum or signature, so a changed or tampered "
                            "file goes into the image.", f"download {urls[0]}")
        for check, rule_id, text in ((insecure_transport, "docker-insecure-transport",
                                      "turns off TLS verification ({}), so anyone on the network path can "
                                      "replace what is downloaded."),
                                     (world_writable, "docker-world-writable", "makes files writable by every "
                                      "user (chmod {}), so any process in the container can change them."),
                                     (skips_signatures, "docker-unsigned-packages", "installs packages without "
                                      "checking their signatures ({}).")):
            hit = next(((c, w) for c, w in ((c, check(c)) for c in found) if w), None)
            if hit is not None:
                command, what = hit
                yield self._hit(rule_id, lines, inst, command.words[-1], f"RUN {text.format(what)}", f"RUN {what}")

    def _unpinned(self, inst: Instruction, found: Sequence[Command], lines: Sequence[str]) -> Iterator[Hit]:
        unpinned: dict[str, list[str]] = {}
        for command in found:
            manager, packages = unpinned_packages(command)
            if packages:
                unpinned.setdefault(manager, []).extend(packages)
        if unpinned:
            listed = "; ".join(f"{manager}: {', '.join(packages[:6])}" + (" ..." if len(packages) > 6 else "")
                               for manager, packages in unpinned.items())
            first = next(iter(unpinned.values()))[0]
            yield self._hit("docker-unpinned-package", lines, inst, first, f"RUN installs packages without a "
                            f"version ({listed}), so each build may get different, unreviewed code.",
                            f"RUN unpinned {listed}")

    def credentials_in_urls(self, inst: Instruction, lines: Sequence[str]) -> Iterator[Hit]:
        """Any instruction (RUN, ADD, ENV, ARG, ONBUILD) whose URLs carry a literal credential."""
        for secret in url_credentials("\n".join((inst.original, *inst.heredocs))):
            line = _line(lines, inst, secret)
            yield Hit("iac.docker-credential-in-url", line, f"{inst.command} writes a credential into a URL "
                      f"({secret}); it stays in the image history and in every log of the build.",
                      offending=f"{inst.command} url-credential {secret}", snippet=_snippet(lines, line),
                      secrets=(secret,))

    def shell_form(self, inst: Instruction) -> Iterator[Hit]:
        if not inst.exec_form and inst.args:
            yield Hit("iac.docker-shell-form-cmd", inst.start_line, f"{inst.command} in shell form runs under "
                      "/bin/sh -c: the process does not get SIGTERM and shell expansion applies to its "
                      "arguments.", offending=f"{inst.command} {' '.join(inst.args)[:80]}",
                      snippet=inst.original.strip()[:200])

    def add_for_local_files(self, inst: Instruction, sources: Sequence[str], lines: Sequence[str]) -> Iterator[Hit]:
        local = [s for s in sources if not _REMOTE.match(s)]
        if local and len(local) == len(sources) and inst.flag("checksum") is None and \
                not any(s.lower().endswith(ARCHIVES) for s in local):
            yield self._hit("docker-add-instead-of-copy", lines, inst, local[0], f"ADD {local[0]} copies local "
                            "files with ADD's extra behaviour (archive extraction, remote URLs); COPY does only "
                            "what is meant.", f"ADD {' '.join(local)}")

    def _secret_name(self, name: str) -> bool:
        """A secret-like name, or one that contains a word only secrets use (SECRET_KEY_BASE)."""
        return name in self.secret_names or any(word in name.lower() for word in _SECRET_PARTS)

    def variables(self, inst: Instruction, lines: Sequence[str]) -> Iterator[Hit]:
        """Secrets passed as build arguments (a value given to ``--build-arg`` stays in the image
        history), and ENV settings that turn TLS verification off."""
        for arg in inst.args if inst.command == "ARG" else ():
            name, equals, value = arg.partition("=")
            if self._secret_name(name) and (not equals or references_variable(value) or not value):
                yield self._hit("docker-secret-build-arg", lines, inst, name, f"ARG {name} takes a secret "
                                "at build time; build arguments stay readable in the image history.",
                                f"ARG {name}")
        if inst.command == "ENV":
            for name, value in zip(inst.args[::2], inst.args[1::2], strict=False):
                if self._secret_name(name) and references_variable(value):
                    yield self._hit("docker-secret-build-arg", lines, inst, name, f"ENV {name} copies a secret "
                                    "from a build argument into the image, where every container and layer "
                                    "keeps it.", f"ENV {name}")
                expected = _INSECURE_ENV.get(name, "-")
                if expected != "-" and (expected is None or value.strip("\"'") == expected):
                    yield self._hit("docker-insecure-transport", lines, inst, name, f"ENV {name}={value} turns "
                                    "off TLS verification for every process in the container.",
                                    f"ENV {name}")
