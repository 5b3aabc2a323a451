"""What a Dockerfile's RUN scripts do, command by command: unpinned packages, pipes without pipefail,
downloads that are never verified, sudo, TLS checks turned off, world-writable modes and package
managers told to skip signatures. Pure functions over the script text; linear in its length."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

_SEPARATORS = re.compile(r"\|\||&&|;|\||\n|\(|\)|`|\$\(")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_WRAPPERS = frozenset({"sudo", "command", "exec", "env", "nohup", "time", "xargs", "then", "do", "else"})
ARCHIVES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".gz", ".bz2", ".xz")
VERIFIERS = re.compile(r"\b(?:sha(?:1|224|256|384|512)sum|shasum|md5sum|b2sum|gpgv?\b[^|;&\n]*--verify|gpgv\b|"
                       r"cosign\s+verify|minisign\s+-V|slsa-verifier|--checksum)")


@dataclass(frozen=True)
class Command:
    """One simple command of a script: its words, with ``sudo``/``env``/``VAR=...`` prefixes removed."""

    words: tuple[str, ...]
    text: str
    sudo: bool

    @property
    def name(self) -> str:
        return self.words[0].rsplit("/", 1)[-1] if self.words else ""


_WORD = re.compile(r"""(?:[^\s'"\\]|\\.|'[^']*'|"(?:\\.|[^"\\])*")+""")
_QUOTED = re.compile(r"""'([^']*)'|"((?:\\.|[^"\\])*)"|\\(.)""")


def shell_words(text: str) -> list[str]:
    """The words of a simple command, quotes removed, up to a comment (like shlex, without its cost)."""
    words = []
    for match in _WORD.finditer(text):
        word = match.group()
        if word.startswith("#"):
            break
        words.append(_QUOTED.sub(lambda m: m.group(1) or m.group(2) or m.group(3) or "", word))
    return words


def _split(script: str) -> Iterator[str]:
    """The script cut at list and pipe operators, newlines and subshell brackets outside quotes."""
    start, quote, i = 0, "", 0
    while i < len(script):
        char = script[i]
        if char == "\\":
            i += 2
            continue
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        else:
            match = _SEPARATORS.match(script, i)
            if match:
                yield script[start:i]
                start = i = match.end()
                continue
        i += 1
    yield script[start:]


def commands(script: str) -> list[Command]:
    """The simple commands of a shell script (line continuations joined, pipes and lists split)."""
    joined = script.replace("\\\r\n", " ").replace("\\\n", " ")
    found = []
    for part in _split(joined):
        text = part.strip()
        if not text or text.startswith("#"):
            continue
        words = shell_words(text)
        sudo = False
        while words and (words[0] in _WRAPPERS or _ASSIGNMENT.match(words[0]) or
                         (words[0].startswith("-") and sudo)):
            sudo = sudo or words[0] == "sudo"
            words = words[1:]
        if words:
            found.append(Command(tuple(words), text, sudo))
    return found


def _operands(words: Sequence[str], with_value: frozenset[str]) -> list[str]:
    """Arguments that are not options (skipping the values of options that take one)."""
    operands, skip = [], False
    for word in words:
        if skip:
            skip = False
        elif word.startswith("-"):
            skip = word in with_value
        else:
            operands.append(word)
    return operands


_APT_VALUE = frozenset({"-t", "--target-release", "-o", "-c"})
_APK_VALUE = frozenset({"--virtual", "-t", "--repository", "-X", "--root", "-p"})
_PIP_VALUE = frozenset({"-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
                        "--extra-index-url", "-f", "--find-links", "--trusted-host", "-t", "--target", "--prefix",
                        "--root", "--platform", "--python-version", "--implementation", "--abi", "--src",
                        "--upgrade-strategy", "--progress-bar", "--cache-dir", "--log", "--only-binary",
                        "--no-binary", "--report"})
_NPM_VALUE = frozenset({"--prefix", "--registry", "--cache", "-w", "--workspace", "--tag"})
_GEM_VALUE = frozenset({"-i", "--install-dir", "-n", "--bindir", "--source", "-s", "-P", "--trust-policy"})
_YUM_VALUE = frozenset({"--enablerepo", "--disablerepo", "--setopt", "--releasever", "--installroot", "-c"})


def _is_path_or_url(operand: str) -> bool:
    return operand.startswith((".", "/", "~", "$", "http:", "https:", "git+", "file:")) or \
        operand.endswith((".whl", ".tar.gz", ".zip", ".deb", ".rpm", ".apk", ".gem", ".tgz"))


def unpinned_packages(command: Command) -> tuple[str, list[str]]:
    """(package manager, packages installed without a version) for an install command."""
    words, name = command.words, command.name
    if name in ("apt-get", "apt") and "install" in words:
        rest = words[words.index("install") + 1:]
        return "apt", [p for p in _operands(rest, _APT_VALUE) if "=" not in p and not _is_path_or_url(p)]
    if name == "apk" and "add" in words:
        rest = words[words.index("add") + 1:]
        return "apk", [p for p in _operands(rest, _APK_VALUE) if "=" not in p and not _is_path_or_url(p)]
    pip = name in ("pip", "pip3") or (name.startswith("python") and words[1:3] == ("-m", "pip"))
    if pip and "install" in words:
        rest = words[words.index("install") + 1:]
        return "pip", [p for p in _operands(rest, _PIP_VALUE)
                       if not re.search(r"[=<>~!@]", p) and not _is_path_or_url(p)]
    if name == "npm" and len(words) > 1 and words[1] in ("install", "i", "add"):
        return "npm", [p for p in _operands(words[2:], _NPM_VALUE)
                       if "@" not in p.lstrip("@") and not _is_path_or_url(p)]
    if name == "yarn" and "add" in words[1:3]:
        rest = words[words.index("add") + 1:]
        return "yarn", [p for p in _operands(rest, _NPM_VALUE) if "@" not in p.lstrip("@") and not _is_path_or_url(p)]
    if name == "gem" and len(words) > 1 and words[1] == "install":
        if "-v" in words or "--version" in words or any(w.startswith("--version=") for w in words):
            return "gem", []
        return "gem", [p for p in _operands(words[2:], _GEM_VALUE) if ":" not in p and not _is_path_or_url(p)]
    if name == "go" and len(words) > 1 and words[1] in ("install", "get"):
        return "go", [p for p in _operands(words[2:], frozenset({"-o", "-C"}))
                      if ("@" not in p or p.endswith("@latest")) and "." in p.split("/")[0]
                      and not _is_path_or_url(p)]
    if name in ("yum", "dnf", "microdnf", "zypper", "tdnf") and ("install" in words or "in" in words):
        verb = "install" if "install" in words else "in"
        rest = words[words.index(verb) + 1:]
        return name, [p for p in _operands(rest, _YUM_VALUE)
                      if not re.search(r"-\d|=", p) and not _is_path_or_url(p) and not p.startswith("@")]
    return "", []


def has_pipe(script: str) -> bool:
    """A ``|`` that is a pipe (not ``||``), outside quotes as far as a line-level look can tell."""
    stripped = re.sub(r"'[^'\n]*'|\"(?:\\.|[^\"\\\n])*\"", "", script.replace("||", ""))
    return "|" in stripped


def sets_pipefail(script: str) -> bool:
    return bool(re.search(r"\bset\s+(?:-[a-zA-Z]*\s+)*-[a-zA-Z]*o\s+pipefail|\bset\s+-o\s+pipefail|"
                          r"\bset\s+-[a-zA-Z]*\s+-o\s+pipefail|pipefail", script))


def downloads_to_file(command: Command) -> str | None:
    """The URL a curl or wget command saves to a file (not to stdout), else None."""
    words = command.words
    url = next((w for w in words if w.startswith(("http://", "https://", "ftp://"))), None)
    if url is None:
        return None
    if command.name == "curl":
        to_file = any(w in ("-o", "-O", "--output", "--remote-name", "--remote-name-all", "--output-dir")
                      or w.startswith("--output=") or (re.fullmatch(r"-[a-zA-Z]*[oO][a-zA-Z]*", w) is not None)
                      for w in words[1:])
        return url if to_file or ">" in command.text else None
    if command.name == "wget":
        to_stdout = any(w in ("-O-", "-qO-", "-O", "--output-document=-") and
                        (w != "-O" or words[words.index(w) + 1:words.index(w) + 2] == ("-",)) for w in words)
        return None if to_stdout else url
    return None


def insecure_transport(command: Command) -> str | None:
    """What in a command turns off TLS verification, else None."""
    words = command.words
    if command.name == "curl" and any(w in ("-k", "--insecure") or re.fullmatch(r"-[a-zA-Z]*k[a-zA-Z]*", w)
                                      for w in words[1:]):
        return "curl -k (TLS certificate not checked)"
    if command.name == "wget" and "--no-check-certificate" in words:
        return "wget --no-check-certificate"
    if command.name in ("pip", "pip3") or words[1:3] == ("-m", "pip"):
        if "--trusted-host" in words or any(w.startswith("--trusted-host=") for w in words):
            return "pip --trusted-host (TLS certificate not checked)"
        if any(w.startswith("http://") for w in words):
            return "pip index over plain http"
    if command.name == "git" and any(re.search(r"sslverify\s*=?\s*false", w, re.I) for w in words) or \
            (command.name == "git" and "http.sslVerify" in words and "false" in words):
        return "git http.sslVerify false"
    if command.name in ("npm", "yarn") and "strict-ssl" in words and "false" in words:
        return f"{command.name} strict-ssl false"
    return None


def world_writable(command: Command) -> str | None:
    """The mode of a chmod that lets every user write (sticky-bit modes such as 1777 excepted)."""
    if command.name != "chmod":
        return None
    for mode in _operands(command.words[1:], frozenset()):
        if re.fullmatch(r"0?[0-7]?[0-7][0-7][2367]", mode) and not re.fullmatch(r"0?1[0-7]{3}", mode):
            return mode
        if re.fullmatch(r"(?:[ugoa]*[ao][ugoa]*\+[rwxXst]*w[rwxXst]*)(?:,.*)?", mode):
            return mode
    return None


def skips_signatures(command: Command) -> str | None:
    """A package manager option that installs unsigned or unauthenticated packages, else None."""
    flags = {"--allow-unauthenticated", "--allow-insecure-repositories", "--force-yes", "--allow-untrusted",
             "--nosignature", "--nodigest", "--nogpgcheck", "--no-gpg-checks"}
    found = [w for w in command.words if w in flags]
    if found:
        return f"{command.name} {found[0]}"
    if "AllowUnauthenticated=true" in command.text:
        return f"{command.name} -o APT::Get::AllowUnauthenticated=true"
    if "[trusted=yes]" in command.text:
        return "an apt source marked [trusted=yes]"
    return None


def scripts_commands(scripts: Sequence[str]) -> Iterator[Command]:
    for script in scripts:
        yield from commands(script)
