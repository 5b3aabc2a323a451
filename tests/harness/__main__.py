"""CLI: ``python -m tests.harness up|down|status [SERVICE ...]`` (no names = all services)."""

import argparse
import sys

from tests.harness.services import SERVICES, ServiceError, down, status, up


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.harness", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("names", nargs="*", metavar="SERVICE", help=f"any of: {', '.join(SERVICES)}")
    args = parser.parse_args(argv)
    try:
        if args.command == "up":
            up(args.names)
        elif args.command == "down":
            down(args.names)
        else:
            status()
    except ServiceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
