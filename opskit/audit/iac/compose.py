"""docker-compose checks: each service's privileges, host namespaces, runtime socket mounts, literal
secrets in its environment, database ports published on every interface, unconfined profiles."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping

from opskit.audit.iac.containers import ContainerPolicy
from opskit.audit.iac.dockerfile import image_is_pinned
from opskit.audit.iac.interface import Checker, Hit, Rule
from opskit.audit.iac.kubernetes import MAX_DEPTH, YAML_SUFFIXES
from opskit.audit.iac.yaml_tree import Node, Reporter, read_documents
from opskit.audit.interface import FileTree

_COMPOSE_NAME = re.compile(r"^(?:docker-)?compose[\w.-]*\.ya?ml$")
_SERVICES = re.compile(r"^services\s*:", re.MULTILINE)
_VARIABLE = re.compile(r"\$\{[^}]*\}")
_PORT = re.compile(r"^(?P<first>\d+)(?:-(?P<last>\d+))?$")
HOST_NAMESPACES = ("network_mode", "pid", "ipc", "userns_mode", "uts")
ALL_INTERFACES = frozenset({None, "", "0.0.0.0", "::", "[::]"})


def published_ports(entry: Node) -> tuple[str | None, range] | None:
    """(host IP, container ports) of one ``ports:`` entry in short or long syntax; None when unknown."""
    if isinstance(entry.value, dict):
        host_ip, container = entry.get("host_ip").value, str(entry.get("target").value)
    elif isinstance(entry.value, (str, int)) and not isinstance(entry.value, bool):
        spec = _VARIABLE.sub("$VAR", str(entry.value)).split("/", 1)[0]  # ${PORT:-5432} holds a colon
        host_ip = None
        if spec.startswith("["):  # [::1]:5432:5432
            host_ip, _, spec = spec[1:].partition("]:")
        parts = spec.split(":")
        container = parts[-1]
        if len(parts) == 3:
            host_ip = parts[0]
    else:
        return None
    match = _PORT.match(container.strip())
    if not match or not isinstance(host_ip, (str, type(None))):
        return None
    first = int(match["first"])
    return host_ip, range(first, int(match["last"] or first) + 1)


class ComposeChecker(Checker):
    kind = "compose"

    def __init__(self, rules: Mapping[str, Rule]) -> None:
        super().__init__(rules)
        self._policy = ContainerPolicy.shared()
        self._databases: Mapping[int, str] = {int(port): name for port, name in
                                              rules["iac.compose-database-port-exposed"].params["ports"].items()}
        self._unconfined = frozenset(rules["iac.compose-unconfined-profile"].params["options"])

    def wants(self, path: str) -> bool:
        return posixpath.basename(path).lower().endswith(YAML_SUFFIXES)

    def check(self, path: str, text: str, tree: FileTree) -> list[Hit]:
        named = bool(_COMPOSE_NAME.match(posixpath.basename(path).lower()))
        if not named and not _SERVICES.search(text):
            return []
        report = Reporter(text.splitlines())
        hits: list[Hit] = []
        for root in read_documents(path, text, MAX_DEPTH):
            services = root.get("services")
            if not isinstance(services.value, dict):
                continue
            for name in services.value:
                service = services.get(name)
                if isinstance(service.value, dict) and (named or "image" in service.value or "build" in service.value):
                    hits.extend(self._service(report, str(name), service))
        return hits

    def _service(self, report: Reporter, name: str, service: Node) -> Iterator[Hit]:
        def hit(rule: str, at: Node, message: str, what: str, secrets: tuple[str, ...] = ()) -> Hit:
            return report.hit(f"iac.{rule}", at, f"service {name}: {message}", offending=f"service {name} {what}",
                              secrets=secrets, resource=f"service/{name}")

        if service.get("privileged").value is True:
            yield hit("compose-privileged", service.get("privileged"), "privileged: true gives the container "
                      "every capability and the host's devices.", "privileged")
        for key in HOST_NAMESPACES:
            if service.get(key).value == "host":
                yield hit("compose-host-namespace", service.get(key), f"{key}: host shares the host's namespace "
                          "with the container.", key)
        for volume in service.get("volumes").items():
            source = volume.get("source").value if isinstance(volume.value, dict) else \
                str(volume.value).split(":", 1)[0]
            if self._policy.is_socket(source):
                at = volume.get("source") if isinstance(volume.value, dict) else volume
                yield hit("compose-runtime-socket", at, f"mounts the container runtime socket {source}: "
                          "whoever controls the container controls the host.", f"socket {source}")
        added = [item for item in service.get("cap_add").items() if self._policy.is_dangerous(item.value)]
        if added:
            names = ", ".join(str(item.value) for item in added)
            yield hit("compose-dangerous-capabilities", added[0], f"cap_add grants {names}.", f"cap_add {names}")
        for variable, value, at in _environment(service.get("environment")):
            secret = self._policy.literal_secret(variable, value)
            if secret:
                yield hit("compose-secret-in-environment", at, f"{variable} is set to a literal value in the "
                          "compose file.", f"environment {variable}", secrets=(secret,))
        for entry in service.get("ports").items():
            published = published_ports(entry)
            if published is None or published[0] not in ALL_INTERFACES:
                continue
            exposed = [port for port in sorted(self._databases) if port in published[1]]  # a range may be huge
            if exposed:
                what = self._databases[exposed[0]]
                at = entry.get("published") if isinstance(entry.value, dict) else entry
                yield hit("compose-database-port-exposed", at, f"publishes {what}'s port {exposed[0]} on every "
                          "interface of the host.", f"port {exposed[0]}")
        for option in service.get("security_opt").items():
            if isinstance(option.value, str) and option.value.replace("=", ":").lower() in self._unconfined:
                yield hit("compose-unconfined-profile", option, f"security_opt {option.value} turns off a "
                          "kernel confinement profile.", f"security_opt {option.value}")
        image = service.get("image")
        if image.text() and "build" not in service.value and "$" not in image.value \
                and not image_is_pinned(image.value.strip()):
            yield hit("compose-image-unpinned", image, f"runs {image.value}, a moving tag.", f"image {image.value}")


def _environment(environment: Node) -> Iterator[tuple[str, object, Node]]:
    """(name, value, node) of ``environment:`` in map form or ``NAME=value`` list form."""
    if isinstance(environment.value, dict):
        for variable, value in environment.value.items():
            yield str(variable), value, environment.get(variable)
    for item in environment.items():
        if isinstance(item.value, str) and "=" in item.value:
            variable, _, value = item.value.partition("=")
            yield variable.strip(), value, item
