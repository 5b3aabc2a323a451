"""The text view of ``db suggest-indexes``: DDL ranked by time saved, the queries each serves."""

from __future__ import annotations

from opskit.core.findings import Report
from opskit.core.render.text import TextRenderer
from opskit.db.units import format_bytes


class IndexReportRenderer(TextRenderer):
    """The shared text renderer's styling, with a ranked index report as the body."""

    def render(self, report: Report) -> str:
        data = report.data
        queries = {q["fingerprint"]: q for q in data.get("queries", [])}
        validated = data.get("validated", False)
        out = [
            self._style(
                "Suggested indexes" + (" (validated with HypoPG)" if validated else " (offline heuristic)"),
                bold=True,
            ),
            "",
        ]
        for ix in data.get("indexes", []):
            out.append(f"#{ix['rank']}  {self._style(ix['ddl'], bold=True)}")
            out.extend(f"    why: {why}" for why in ix.get("why", []))
            size = "size unknown" if ix["size_bytes"] is None else f"size ~{format_bytes(ix['size_bytes'])}"
            what = "time" if ix["saved_unit"] == "ms" else "calls"
            cost = "cost" if validated else "relative cost"
            out.append(
                f"    saves ~{ix['saved']:.1f} {ix['saved_unit']} ({ix['share']:.1%} of workload {what}), "
                f"{cost} {ix['cost_before']:g} -> {ix['cost_after']:g}, {size}"
            )
            if ix.get("table_rows") is not None and ix.get("table_size_bytes") is not None:
                out.append(
                    f"    table {ix['table']}: ~{ix['table_rows']:,.0f} rows, {format_bytes(ix['table_size_bytes'])}"
                )
            out.append(f"    serves {len(ix['queries'])} quer{'y' if len(ix['queries']) == 1 else 'ies'}:")
            for fp in ix["queries"][: 10 if self.verbose else 3]:
                q = queries.get(fp, {})
                timing = f"{q.get('calls', 0)} calls" + (
                    f", {q['total_ms']:.1f} ms total" if q.get("total_ms") is not None else ""
                )
                out.append(self._style(f"      - {fp[:110]}", dim=True))
                out.append(self._style(f"        {timing}, sample at {q.get('location', '?')}", dim=True))
            for r in ix.get("regressions", []):
                out.append(f"    makes dearer (within --max-regression): {r['query'][:90]}")
                out.append(self._style(f"        cost {r['cost_before']:g} -> {r['cost_after']:g}", dim=True))
            if len(ix["queries"]) > (10 if self.verbose else 3):
                out.append(self._style(f"      ... {len(ix['queries'])} in all (-v or --format json)", dim=True))
            out.append("")
        if not data.get("indexes"):
            out += ["No index would make this workload cheaper.", ""]
        rejected = data.get("rejected", [])
        if self.verbose and rejected:
            out.append(self._style(f"Rejected candidates ({len(rejected)}):", bold=True))
            for r in rejected:
                out.append(f"  {r['ddl'].removeprefix('CREATE INDEX CONCURRENTLY ')}")
                out.append(self._style(f"      {r['reason']}", dim=True))
            out.append("")
        elif rejected:
            out += [self._style(f"{len(rejected)} candidate(s) rejected (-v shows why)", dim=True), ""]
        for note in report.notes:
            out.append(self._style(f"note: {note}", dim=True))
        total = sum(q.get("total_ms") or 0 for q in queries.values())
        out.append(
            self._style(
                f"{len(data.get('indexes', []))} index(es) suggested for {len(queries)} distinct statement(s)"
                + (f", {total / 1000:.1f} s of workload time" if total else ""),
                bold=True,
            )
        )
        return "\n".join(out) + "\n"

