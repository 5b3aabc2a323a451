"""Checks of one pod spec (a Pod's, or the template of a Deployment, Job, CronJob...): host access,
and each container's security context merged over the pod's, as the kubelet merges them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from opskit.audit.iac.containers import ContainerPolicy
from opskit.audit.iac.dockerfile import image_is_pinned
from opskit.audit.iac.interface import Hit
from opskit.audit.iac.yaml_tree import Node, Reporter

_TEMPLATED = re.compile(r"\{\{|\$")  # Helm, envsubst or CI variables: the image is set at deploy time
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")
HOST_NAMESPACES = ("hostNetwork", "hostPID", "hostIPC")
CONFINED_SECCOMP = frozenset({"RuntimeDefault", "Localhost"})
CONFINED_ANNOTATIONS = ("runtime/default", "docker/default", "localhost/")


@dataclass(frozen=True)
class Pod:
    """A pod spec, the metadata of its template (seccomp annotations) and whose it is (``Deployment/web``)."""

    spec: Node
    metadata: Node
    owner: str
    token_off_by_account: bool  # its service account (defined in the same file) turns the token off


class PodChecks:
    def __init__(self, policy: ContainerPolicy, report: Reporter) -> None:
        self.policy, self.report = policy, report

    def check(self, pod: Pod) -> Iterator[Hit]:
        containers = [c for name in CONTAINER_LISTS for c in pod.spec.get(name).items()
                      if isinstance(c.value, dict) and c.get("image").value is not None]
        if not containers:  # a kustomize patch or a fragment: not a pod the API server would accept
            return
        yield from self._pod_level(pod)
        for container in containers:
            yield from self._container(pod, container)

    def _hit(self, rule: str, at: Node, pod: Pod, message: str, what: str, secrets: tuple[str, ...] = ()) -> Hit:
        return self.report.hit(f"iac.{rule}", at, f"{pod.owner}: {message}", offending=f"{pod.owner} {what}",
                               secrets=secrets, resource=pod.owner)

    def _pod_level(self, pod: Pod) -> Iterator[Hit]:
        for key in HOST_NAMESPACES:
            if pod.spec.get(key).value is True:
                yield self._hit("k8s-host-namespace", pod.spec.get(key), pod, f"{key}: true shares the node's "
                                f"{key[4:].lower()} namespace with the pod.", key)
        for volume in pod.spec.get("volumes").items():
            path = volume.get("hostPath", "path")
            if path.text() is None:
                continue
            name = volume.get("name").value
            if self.policy.is_socket(path.value):
                yield self._hit("k8s-runtime-socket", path, pod, f"volume {name} mounts the container runtime "
                                f"socket {path.value}: whoever controls the pod controls the node.", f"socket {name}")
            else:
                yield self._hit("k8s-host-path", path, pod, f"volume {name} mounts {path.value} from the node.",
                                f"hostPath {name}")
        token = pod.spec.get("automountServiceAccountToken")
        if token.value is not False and not (token.value is None and pod.token_off_by_account):
            yield self._hit("k8s-service-account-token", token, pod, "the service account token is mounted "
                            "into every container; most applications never call the Kubernetes API.", "token")

    def _container(self, pod: Pod, container: Node) -> Iterator[Hit]:
        name = container.get("name").value
        context = container.get("securityContext")
        pod_context = pod.spec.get("securityContext")
        what = f"container {name}"
        privileged = context.get("privileged")
        if privileged.value is True:
            yield self._hit("k8s-privileged-container", privileged, pod, f"{what} is privileged: it has every "
                            "capability and the host's devices.", f"{what} privileged")
        escalation = context.get("allowPrivilegeEscalation")
        if escalation.value is not False:
            yield self._hit("k8s-privilege-escalation", escalation, pod, f"{what} does not set "
                            "allowPrivilegeEscalation: false, so setuid binaries can gain privileges.",
                            f"{what} escalation")
        yield from self._root(pod, what, context, pod_context)
        yield from self._capabilities(pod, what, context.get("capabilities"))
        read_only = context.get("readOnlyRootFilesystem")
        if read_only.value is not True:
            yield self._hit("k8s-writable-root-filesystem", read_only, pod, f"{what} can write to its root "
                            "filesystem (readOnlyRootFilesystem is not true).", f"{what} rootfs")
        yield from self._seccomp(pod, container, what, context, pod_context)
        limits = container.get("resources", "limits")
        if not isinstance(limits.value, dict) or limits.value.get("memory") is None:
            yield self._hit("k8s-no-resource-limits", limits.get("memory"), pod, f"{what} has no memory limit: "
                            "a leak or a flood of requests can exhaust the node.", f"{what} limits")
        image = container.get("image")
        if image.text() and not _TEMPLATED.search(image.value) and not image_is_pinned(image.value.strip()):
            yield self._hit("k8s-image-unpinned", image, pod, f"{what} runs {image.value}, a moving tag.",
                            f"{what} image {image.value}")
        for variable in container.get("env").items():
            value = variable.get("value")
            secret = self.policy.literal_secret(variable.get("name").value, value.value)
            if secret:
                yield self._hit("k8s-secret-in-env", value, pod, f"{what} sets {variable.get('name').value} to a "
                                "literal value in the manifest.", f"{what} env {variable.get('name').value}",
                                secrets=(secret,))

    def _root(self, pod: Pod, what: str, context: Node, pod_context: Node) -> Iterator[Hit]:
        user = _merged(context, pod_context, "runAsUser")
        non_root = _merged(context, pod_context, "runAsNonRoot")
        if non_root.value is True:
            return
        if user.value == 0 and not isinstance(user.value, bool):
            yield self._hit("k8s-runs-as-root", user, pod, f"{what} runs as user 0 (root).", f"{what} root")
        elif not (isinstance(user.value, int) and not isinstance(user.value, bool) and user.value > 0):
            yield self._hit("k8s-runs-as-root", non_root, pod, f"{what} may run as root: neither runAsNonRoot: "
                            "true nor a non-zero runAsUser is set for it or its pod.", f"{what} root")

    def _capabilities(self, pod: Pod, what: str, capabilities: Node) -> Iterator[Hit]:
        added = [item for item in capabilities.get("add").items() if self.policy.is_dangerous(item.value)]
        if added:
            names = ", ".join(str(item.value) for item in added)
            yield self._hit("k8s-dangerous-capabilities", added[0], pod, f"{what} adds {names}.",
                            f"{what} cap_add {names}")
        dropped = capabilities.get("drop")
        if not any(isinstance(item.value, str) and item.value.upper() == "ALL" for item in dropped.items()):
            yield self._hit("k8s-capabilities-not-dropped", dropped, pod, f"{what} keeps the runtime's default "
                            "capabilities (NET_RAW, CHOWN, ...) instead of dropping ALL.", f"{what} cap_drop")

    def _seccomp(self, pod: Pod, container: Node, what: str, context: Node, pod_context: Node) -> Iterator[Hit]:
        profile = _merged(context, pod_context, "seccompProfile").get("type")
        if profile.text() in CONFINED_SECCOMP:
            return
        if profile.value is None:
            annotations = pod.metadata.get("annotations").value
            annotations = annotations if isinstance(annotations, dict) else {}
            legacy = annotations.get(f"container.seccomp.security.alpha.kubernetes.io/{container.get('name').value}",
                                     annotations.get("seccomp.security.alpha.kubernetes.io/pod"))
            if isinstance(legacy, str) and legacy.startswith(CONFINED_ANNOTATIONS):
                return
        yield self._hit("k8s-seccomp-unset", profile if profile.value else context, pod,
                        f"{what} runs with seccomp {profile.value or 'unset (Unconfined by default)'}.",
                        f"{what} seccomp")


def _merged(context: Node, pod_context: Node, key: str) -> Node:
    """A container's setting, else the pod's: container-level securityContext fields win."""
    own = context.get(key)
    return own if own.value is not None else pod_context.get(key) if pod_context.get(key).value is not None else own
