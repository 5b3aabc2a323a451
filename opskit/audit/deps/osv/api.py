"""Online advisories from the OSV API: ``POST /v1/querybatch``, then ``GET /v1/vulns/{id}`` per hit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

import requests

from opskit.audit.deps.interface import Advisory, Ecosystem, Package, VulnSource
from opskit.audit.deps.osv.http import NotFound, fetch_json
from opskit.audit.deps.osv.record import RecordError, parse_record
from opskit.core.errors import ServiceError

BATCH = 1000  # the API's limit on queries per querybatch call
WORKERS = 8  # concurrent GET /v1/vulns/{id} requests


class OsvApi(VulnSource):
    """Asks the API which advisories affect each package version; full records are fetched once per id."""

    def __init__(self, base_url: str, timeout: float = 10.0, retries: int = 2) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "opskit-audit-deps"
        self._ids: dict[tuple[Ecosystem, str, str], list[str]] = {}
        self._records: dict[str, Advisory] = {}

    def identity(self) -> str:
        return f"osv-api:{self.base_url}"

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        try:
            return fetch_json(self.session, method, self.base_url + path, what="OSV API", timeout=self.timeout,
                              retries=self.retries, json_body=body)
        except ServiceError as exc:
            raise ServiceError(f"{exc.message}; without network use --vuln-db PATH (OSV exports)") from None

    def _query(self, todo: list[tuple[Ecosystem, str, str]]) -> None:
        for start in range(0, len(todo), BATCH):
            chunk = todo[start:start + BATCH]
            queries = [{"package": {"ecosystem": e.value, "name": n}, "version": v} for e, n, v in chunk]
            tokens: dict[int, str] = {}
            pending = list(range(len(chunk)))
            while pending:
                body = {"queries": [dict(queries[i], **({"page_token": tokens[i]} if i in tokens else {}))
                                    for i in pending]}
                try:
                    results = self._call("POST", "/v1/querybatch", body).get("results") or []
                except (NotFound, AttributeError):
                    raise ServiceError(f"OSV API at {self.base_url}: no /v1/querybatch endpoint") from None
                next_round = []
                for index, result in zip(pending, results, strict=False):
                    ids = self._ids.setdefault(chunk[index], [])
                    ids.extend(str(v["id"]) for v in (result or {}).get("vulns") or () if "id" in v)
                    token = (result or {}).get("next_page_token")
                    if token:
                        tokens[index] = token
                        next_round.append(index)
                pending = next_round

    def _record(self, vuln_id: str) -> Advisory | None:
        if vuln_id not in self._records:
            try:
                raw = self._call("GET", f"/v1/vulns/{quote(vuln_id, safe='')}")
                self._records[vuln_id] = parse_record(raw)
            except (NotFound, RecordError):
                return None
        return self._records[vuln_id]

    def advisories(self, packages: Sequence[Package]) -> Mapping[tuple[Ecosystem, str], Sequence[Advisory]]:
        wanted = {(p.ecosystem, p.name, p.version) for p in packages}
        self._query(sorted(w for w in wanted if w not in self._ids))
        missing = sorted({i for w in wanted for i in self._ids.get(w, ())} - self._records.keys())
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            list(pool.map(self._record, missing))
        found: dict[tuple[Ecosystem, str], dict[str, Advisory]] = {}
        for package in packages:
            for vuln_id in self._ids.get((package.ecosystem, package.name, package.version), ()):
                advisory = self._record(vuln_id)
                if advisory is not None:
                    found.setdefault(package.key, {})[advisory.id] = advisory
        return {key: list(by_id.values()) for key, by_id in found.items()}
