"""The `mattran` console command: Django's management commands plus the project's own."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mattran.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "mattran"
    if len(argv) > 1:  # the issues' spellings of some commands
        spelled = {
            "import-statement": "import_statement",
            "read-report": "read_report",
            "verify-log": "verify_log",
            "figures-verify": "figures_verify",
            "figures-rebuild": "figures_rebuild",
        }
        argv[1] = spelled.get(argv[1], argv[1])
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
