"""Network exposure: AWS security groups, Azure network security rules and GCP firewalls open to the
internet on admin ports, unrestricted egress, and the default security group left in use."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from opskit.audit.iac.interface import Rule
from opskit.audit.iac.tf_module import Body, Module, Resource, ResourceHit, Setting
from opskit.audit.iac.tf_values import is_known, to_text

ALL_PROTOCOLS = frozenset({"-1", "all", "*"})
AZURE_ANYWHERE = frozenset({"*", "0.0.0.0", "0.0.0.0/0", "internet", "any", "::/0"})


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _port_range(value: Any) -> tuple[int, int] | None:
    """``22``, ``"22"``, ``"20-30"`` or ``"*"`` as (low, high); None when not known."""
    text = to_text(value) if is_known(value) else None
    if text is None:
        return None
    text = text.strip()
    if text in ("*", ""):
        return (0, 65535)
    low, _, high = text.partition("-")
    try:
        return (int(low), int(high or low))
    except ValueError:
        return None


def _exposed(rule: Rule, ranges: Sequence[tuple[int, int]]) -> list[int]:
    admin_ports: Mapping[int, str] = rule.params["admin_ports"]
    return [port for port in admin_ports if any(low <= port <= high for low, high in ranges)]


def _span(ranges: Sequence[tuple[int, int]]) -> str:
    """``port 22``, ``ports 5000-6000`` or ``all ports`` (also part of the fingerprint)."""
    if any(r == (0, 65535) for r in ranges):
        return "all ports"
    low, high = ranges[0]
    return f"port {low}" if low == high else f"ports {low}-{high}"


def _hit(rule: Rule, resource: Resource, line: int, source: str, ports: list[int], origins: tuple[str, ...],
         detail: str, ranges: Sequence[tuple[int, int]]) -> ResourceHit:
    admin_ports: Mapping[int, str] = rule.params["admin_ports"]
    services = ", ".join(f"{port} ({admin_ports[port]})" for port in ports[:6])
    more = f" and {len(ports) - 6} more" if len(ports) > 6 else ""
    return ResourceHit(rule.id, resource, line, f"{resource.full_address} allows ingress from {source} on "
                       f"{_span(ranges)}, exposing {services}{more} to the internet.",
                       detail=f"{detail} {_span(ranges)}", origins=origins)


def _aws_rule(rule: Rule, resource: Resource, body: Body, protocol_key: str, cidr_keys: Sequence[str],
              ports: tuple[str, str]) -> Iterator[ResourceHit]:
    open_cidrs = rule.params["open_cidrs"]
    for key in cidr_keys:
        setting = body.settings.get(key)
        wide = [c for c in _as_list(setting.value if setting else None) if c in open_cidrs]
        if setting is None or not wide:
            continue
        protocol = str(body.get(protocol_key, "")).lower()
        if protocol in ALL_PROTOCOLS:
            span = [(0, 65535)]
        else:
            low, high = _port_range(body.get(ports[0])), _port_range(body.get(ports[1]))
            if protocol not in ("tcp", "udp", "6", "17") or low is None or high is None:
                continue
            span = [(low[0], high[1])]
        exposed = _exposed(rule, span)
        if exposed:
            origins = tuple(sorted({o for s in body.settings.values() for o in s.origins}))
            yield _hit(rule, resource, setting.line, wide[0], exposed, origins, f"{key} {wide[0]}", span)


def check_open_admin_ports(module: Module, rule: Rule) -> Iterator[ResourceHit]:
    for resource in module.resources:
        if resource.mode != "resource":
            continue
        kind, body = resource.type, resource.body
        if kind in ("aws_security_group", "aws_default_security_group"):
            for ingress in _rule_blocks(body, "ingress"):
                yield from _aws_rule(rule, resource, ingress, "protocol", ("cidr_blocks", "ipv6_cidr_blocks"),
                                     ("from_port", "to_port"))
        elif kind == "aws_security_group_rule" and body.get("type") == "ingress":
            yield from _aws_rule(rule, resource, body, "protocol", ("cidr_blocks", "ipv6_cidr_blocks"),
                                 ("from_port", "to_port"))
        elif kind == "aws_vpc_security_group_ingress_rule":
            yield from _aws_rule(rule, resource, body, "ip_protocol", ("cidr_ipv4", "cidr_ipv6"),
                                 ("from_port", "to_port"))
        elif kind == "azurerm_network_security_rule":
            yield from _azure_rule(rule, resource, body)
        elif kind == "azurerm_network_security_group":
            for security_rule in body.children("security_rule"):
                yield from _azure_rule(rule, resource, security_rule)
        elif kind == "google_compute_firewall":
            yield from _gcp_firewall(rule, resource, body)


def _azure_rule(rule: Rule, resource: Resource, body: Body) -> Iterator[ResourceHit]:
    if str(body.get("direction", "")).lower() != "inbound" or str(body.get("access", "")).lower() != "allow":
        return
    sources = [*_as_list(body.get("source_address_prefix")), *_as_list(body.get("source_address_prefixes"))]
    wide = [s for s in sources if isinstance(s, str) and s.lower() in AZURE_ANYWHERE]
    if not wide:
        return
    ranges = [_port_range(p) for p in [*_as_list(body.get("destination_port_range")),
                                       *_as_list(body.get("destination_port_ranges"))]]
    known = [r for r in ranges if r is not None]
    exposed = _exposed(rule, known)
    if exposed:
        setting = body.settings.get("destination_port_range") or body.settings.get("destination_port_ranges")
        line = setting.line if setting else body.line
        origins = tuple(sorted({o for s in body.settings.values() for o in s.origins}))
        yield _hit(rule, resource, line, wide[0], exposed, origins, f"{body.get('name', '')} {wide[0]}", known)


def _gcp_firewall(rule: Rule, resource: Resource, body: Body) -> Iterator[ResourceHit]:
    if str(body.get("direction", "INGRESS")).upper() != "INGRESS" or body.get("disabled") is True:
        return
    setting = body.settings.get("source_ranges")
    wide = [c for c in _as_list(setting.value if setting else None) if c in rule.params["open_cidrs"]]
    if setting is None or not wide:
        return
    ranges: list[tuple[int, int]] = []
    for allow in body.children("allow"):
        protocol = str(allow.get("protocol", "")).lower()
        ports = _as_list(allow.get("ports"))
        if protocol in ("all", "tcp", "udp") and not ports:
            ranges.append((0, 65535))
        elif protocol in ("tcp", "udp"):
            ranges.extend(r for r in (_port_range(p) for p in ports) if r is not None)
    exposed = _exposed(rule, ranges)
    if exposed:
        yield _hit(rule, resource, setting.line, wide[0], exposed, setting.origins, f"source_ranges {wide[0]}",
                   ranges)


def _rule_blocks(body: Body, name: str) -> list[Body]:
    """The ``ingress``/``egress`` blocks, or ``ingress = [{...}, ...]`` (attribute syntax) as blocks with
    every value at the attribute's line. Never both: Terraform refuses that, and a ``.tf.json`` body
    gives both views of the same rules."""
    setting = body.settings.get(name)
    if body.children(name) or setting is None:
        return body.children(name)
    return [Body(name, setting.line, {k: Setting(k, v, setting.line, setting.origins) for k, v in item.items()})
            for item in _as_list(setting.value) if isinstance(item, dict)]


def check_open_egress(module: Module, rule: Rule) -> Iterator[ResourceHit]:
    """Egress to anywhere on every protocol: nothing limits where a compromised host can send data."""
    for resource in module.of_type("aws_security_group", "aws_security_group_rule",
                                   "aws_vpc_security_group_egress_rule"):
        body = resource.body
        if resource.type == "aws_security_group":
            rules = _rule_blocks(body, "egress")
        elif resource.type == "aws_security_group_rule":
            rules = [body] if body.get("type") == "egress" else []
        else:
            rules = [body]
        for egress in rules:
            protocol = str(egress.get("protocol", egress.get("ip_protocol", ""))).lower()
            cidrs = [*_as_list(egress.get("cidr_blocks")), *_as_list(egress.get("cidr_ipv4")),
                     *_as_list(egress.get("ipv6_cidr_blocks")), *_as_list(egress.get("cidr_ipv6"))]
            wide = [c for c in cidrs if c in ("0.0.0.0/0", "::/0")]
            if protocol in ALL_PROTOCOLS and wide:
                setting = egress.settings.get("cidr_blocks") or egress.settings.get("cidr_ipv4")
                yield ResourceHit(rule.id, resource, setting.line if setting else egress.line,
                                  f"{resource.full_address} allows egress to {wide[0]} on every port and "
                                  "protocol.", detail=f"egress {wide[0]}")
                break


def check_default_security_group(module: Module, rule: Rule) -> Iterator[ResourceHit]:
    """The default group of a VPC should allow nothing: resources launched without a group get it."""
    defaults = list(module.of_type("aws_default_security_group"))
    for group in defaults:
        rules = [*_rule_blocks(group.body, "ingress"), *_rule_blocks(group.body, "egress")]
        if rules:
            yield ResourceHit(rule.id, group, rules[0].line, f"{group.full_address} keeps rules on the VPC's "
                              "default security group, so anything launched without a group gets them.",
                              detail="default group rules")
    for vpc in module.of_type("aws_vpc"):
        if not any(vpc.named_by(group.body.get("vpc_id")) for group in defaults if group.module == vpc.module):
            yield ResourceHit(rule.id, vpc, vpc.line, f"{vpc.full_address} has no aws_default_security_group "
                              "that removes the default group's rules, so it allows all traffic between "
                              "members and all egress.", detail="default group unrestricted")


TLS_PARAMETERS = frozenset({"rds.force_ssl", "require_secure_transport", "require_ssl", "tls"})


def check_force_ssl_off(module: Module, rule: Rule) -> Iterator[ResourceHit]:
    """A parameter group that turns TLS off: ``rds.force_ssl``, MySQL's ``require_secure_transport``,
    Redshift's ``require_ssl``, DocumentDB's ``tls``."""
    for group in module.of_type("aws_db_parameter_group", "aws_rds_cluster_parameter_group",
                                "aws_redshift_parameter_group", "aws_docdb_cluster_parameter_group"):
        for parameter in group.body.children("parameter"):
            name, setting = parameter.get("name"), parameter.settings.get("value")
            if name in TLS_PARAMETERS and setting is not None and \
                    str(setting.value).lower() in ("0", "off", "false", "disabled"):
                yield ResourceHit(rule.id, group, setting.line, f"{group.full_address} sets {name} = "
                                  f"{setting.value}: clients may connect to the database without TLS.",
                                  detail=f"{name} off", origins=setting.origins)


def check_database_flags(module: Module, rule: Rule) -> Iterator[ResourceHit]:
    """Cloud SQL ``database_flags`` set to a value that weakens the server (``params.flags``)."""
    bad: Mapping[str, Sequence[str]] = {str(k): v for k, v in rule.params["flags"].items()}
    for instance in module.of_type("google_sql_database_instance"):
        for flag in instance.body.find("settings", "database_flags"):
            name, setting = str(flag.get("name", "")), flag.settings.get("value")
            if setting is not None and str(setting.value).lower() in bad.get(name, ()):
                yield ResourceHit(rule.id, instance, setting.line, f"{instance.full_address} sets the database "
                                  f"flag {name} = {setting.value}.", detail=f"{name}={setting.value}",
                                  origins=setting.origins)
