"""``opskit audit``: options only; the work is in ``opskit.audit.api``."""

from __future__ import annotations

import os
from pathlib import Path

import click

from opskit.audit.api import FAMILIES, AuditRequest, run_audit
from opskit.audit.deps.interface import DepsOptions, Ecosystem
from opskit.audit.files import FileFilter
from opskit.core.command import Output, emit, opskit_command


@click.command()
@click.argument("path", default=".", required=False)
@click.option("--only", multiple=True, type=click.Choice(FAMILIES),
              help="Run only these scanners (repeatable).")
@click.option("--staged", is_flag=True, help="Scan only changes staged in git (for pre-commit).")
@click.option("--history", is_flag=True, help="Scan every commit in git history.")
@click.option("--since", metavar="REV", help="With --history: only commits after REV.")
@click.option("--include", multiple=True, metavar="GLOB", help="Scan only matching paths (repeatable).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip matching paths (repeatable).")
@click.option("--max-file-size", type=click.IntRange(min=1), default=2 * 1024 * 1024, show_default=True,
              help="Skip files larger than this many bytes.")
@click.option("--max-archive-depth", type=click.IntRange(min=0), default=2, show_default=True,
              help="Open zip/jar/tar/tgz archives nested up to this deep (0: do not open archives).")
@click.option("--no-default-excludes", is_flag=True, help="Also scan lock files, vendored and minified code.")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path),
              help="Hide findings recorded in this baseline file.")
@click.option("--write-baseline", type=click.Path(dir_okay=False, path_type=Path),
              help="Record all current findings in this baseline file.")
@click.option("--report-stale", is_flag=True, help="With --baseline: list entries that match nothing now.")
@click.option("--show-secrets", is_flag=True, help="Print secrets in full (never the default).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: all cores).")
@click.option("--no-cache", is_flag=True, help="Ignore and do not update the result cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), help="Where the cache lives.")
@click.option("--image", metavar="NAME", help="Scan the layers of this local Docker image instead of PATH.")
@click.option("--vuln-db", type=click.Path(exists=True, path_type=Path),
              help="deps: offline OSV data (a directory of records, an all.zip, or --update-db's directory).")
@click.option("--update-db", type=click.Path(file_okay=False, path_type=Path),
              help="deps: download the OSV exports into this directory and exit.")
@click.option("--ignore-vuln", multiple=True, metavar="ID", help="deps: ignore this advisory (any alias; repeatable).")
@click.option("--outdated-majors", type=click.IntRange(min=0), default=2, show_default=True,
              help="deps (online): flag pins more than this many major versions behind the latest.")
@opskit_command(config_from="path")
def audit(
    path: str,
    only: tuple[str, ...],
    staged: bool,
    history: bool,
    since: str | None,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    max_file_size: int,
    max_archive_depth: int,
    no_default_excludes: bool,
    baseline: Path | None,
    write_baseline: Path | None,
    report_stale: bool,
    show_secrets: bool,
    jobs: int | None,
    no_cache: bool,
    cache_dir: Path | None,
    image: str | None,
    vuln_db: Path | None,
    update_db: Path | None,
    ignore_vuln: tuple[str, ...],
    outdated_majors: int,
    out: Output,
) -> int:
    """Find hardcoded secrets and OWASP Top 10 issues in PATH (default: .; '-' reads stdin).

    \b
    Examples:
      opskit audit .                              every scanner over the work tree
      opskit audit --only secrets --history .     secrets in every commit
      opskit audit --staged --fail-on high        pre-commit: staged changes only
      opskit audit src --format sarif -o audit.sarif
      opskit audit --only deps --vuln-db osv-data .  vulnerable dependencies, offline
      opskit audit --image myapp:latest           secrets and packages in an image's layers
    """
    if update_db is not None:
        from opskit.audit.deps.osv.update import EXPORT_URL
        from opskit.audit.deps.osv.update import update_db as download

        for line in download(update_db, os.environ.get("OPSKIT_OSV_EXPORT_URL", EXPORT_URL)):
            out.info(line)
        return 0
    request = AuditRequest(
        target=path,
        only=only,
        staged=staged,
        history=history or since is not None,
        since=since,
        selection=FileFilter(include=include, exclude=exclude, max_size=max_file_size,
                             skip_vendored=not no_default_excludes, archive_depth=max_archive_depth),
        baseline=baseline,
        write_baseline=write_baseline,
        report_stale=report_stale,
        show_secrets=show_secrets,
        jobs=jobs,
        use_cache=not no_cache,
        cache_dir=cache_dir,
        image=image,
        deps=DepsOptions(
            vuln_db=str(vuln_db) if vuln_db else None,
            osv_api=os.environ.get("OPSKIT_OSV_API", "https://api.osv.dev"),
            ignore_vulns=tuple(sorted(set(ignore_vuln))),
            outdated_majors=outdated_majors,
            registries={e: os.environ[v] for e, v in ((Ecosystem.PYPI, "OPSKIT_PYPI_URL"),
                                                      (Ecosystem.NPM, "OPSKIT_NPM_REGISTRY")) if v in os.environ},
        ),
    )
    return emit(run_audit(request, out), out)
