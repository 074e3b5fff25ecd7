#!/usr/bin/env python3
"""Run a Python snippet inside a Django project, for djfix's tests.

Usage: /usr/bin/python3 test/harness/django_runner.py PROJECT_DIR < snippet.py

The runner makes PROJECT_DIR importable and current, takes DJANGO_SETTINGS_MODULE from the
environment or else from the project's manage.py (read as text, never imported, because importing
it would run the project's command line), points the "default" database at an empty SQLite file in
a temporary directory, calls django.setup(), migrates, and exec()s the snippet. The snippet hands
back data by assigning a JSON-serialisable value to a variable named ``result``.

Whatever happens in the project (a broken settings module, a circular import during setup, a failing
migration, an exception in the snippet), the runner exits 0 and its stdout is exactly one line:

    DJFIX_RESULT {"ok": true, "result": ...}
    DJFIX_RESULT {"ok": false, "error": "<type>: <message>", "traceback": "..."}

Anything the project or the snippet prints goes to stderr, so that line is all stdout carries.
A non-zero exit means the runner itself is broken (or was called wrongly).

Environment switches:
    DJFIX_KEEP_DATABASES=1  use the project's own DATABASES unchanged (for tests that inspect them)
    DJFIX_NO_MIGRATE=1      skip ``migrate`` (for snippets that need no tables, or test migrations)
    DJFIX_NO_SETUP=1        skip ``django.setup()`` and ``migrate`` (for snippets that only read
                            settings, of a project whose database backend is not installed here)
"""
import contextlib
import json
import os
import re
import shutil
import sys
import tempfile
import traceback

RESULT_PREFIX = "DJFIX_RESULT "

SETTINGS_MODULE_PATTERN = re.compile(
    r"""os\.environ\.setdefault\(\s*["']DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']\s*\)"""
)


def settings_module_from_manage_py(project_dir):
    with open(os.path.join(project_dir, "manage.py"), encoding="utf-8") as manage_py:
        match = SETTINGS_MODULE_PATTERN.search(manage_py.read())
    if match is None:
        raise RuntimeError(
            "manage.py does not call os.environ.setdefault('DJANGO_SETTINGS_MODULE', ...)"
        )
    return match.group(1)


def enter_project(project_dir):
    sys.path.insert(0, project_dir)
    os.chdir(project_dir)
    if "DJANGO_SETTINGS_MODULE" not in os.environ:
        os.environ["DJANGO_SETTINGS_MODULE"] = settings_module_from_manage_py(project_dir)


def use_scratch_database(database_path):
    """Replace the default alias before django.setup(), while nothing has opened a connection yet.

    The whole entry is replaced, not just NAME: a project whose default database is PostgreSQL
    (or comes from an unset DATABASE_URL) must still get a working SQLite database here.
    """
    from django.conf import settings

    settings.DATABASES["default"] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": database_path,
    }


def setup_django(scratch_dir):
    import django

    if os.environ.get("DJFIX_KEEP_DATABASES") != "1":
        use_scratch_database(os.path.join(scratch_dir, "db.sqlite3"))
    if os.environ.get("DJFIX_NO_SETUP") == "1":
        return
    django.setup()
    if os.environ.get("DJFIX_NO_MIGRATE") != "1":
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def run_snippet(snippet):
    namespace = {"__name__": "__djfix_snippet__"}
    exec(compile(snippet, "<snippet>", "exec"), namespace)
    return namespace.get("result")


def outcome_json(project_dir, snippet, scratch_dir):
    try:
        with contextlib.redirect_stdout(sys.stderr):
            enter_project(project_dir)
            setup_django(scratch_dir)
            result = run_snippet(snippet)
        # allow_nan=False: NaN and Infinity are not JSON, and the TypeScript side must parse this.
        return json.dumps({"ok": True, "result": result}, allow_nan=False)
    # SystemExit too: management commands and careless snippets call sys.exit().
    except (Exception, SystemExit) as exc:
        return json.dumps(
            {
                "ok": False,
                "error": f"{type(exc).__name__}: {exc}",
                "traceback": traceback.format_exc(),
            }
        )


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: django_runner.py PROJECT_DIR < snippet.py\n")
        return 2
    # Tests may run against the fixture itself: leave no __pycache__ behind in it.
    sys.dont_write_bytecode = True
    project_dir = os.path.abspath(sys.argv[1])
    snippet = sys.stdin.read()
    scratch_dir = tempfile.mkdtemp(prefix="djfix-db-")
    try:
        line = outcome_json(project_dir, snippet, scratch_dir)
    finally:
        shutil.rmtree(scratch_dir, ignore_errors=True)
    sys.stdout.write(RESULT_PREFIX + line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
