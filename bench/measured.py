"""Run a piece of Django code in a fresh process and measure it: wall and CPU seconds, queries, peak memory.

The benchmarks call `measure(body, env, *args)`: `body` is Python run after django.setup() with `args` in
`sys.argv[1:]`; it sets `result` (a dict, added to the figures). A failure exits with the child's stderr.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRELUDE = r"""
import json, os, resource, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.db import connection

queries = 0
def count(execute, sql, params, many, context):
    global queries
    queries += 1
    return execute(sql, params, many, context)

result = {}
with connection.execute_wrapper(count):
    wall, cpu = time.perf_counter(), time.process_time()
    exec(compile(BODY, "<benchmark>", "exec"))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
print(json.dumps({"seconds": wall, "cpu": cpu, "queries": queries,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **result}, default=str))
"""


def measure(body: str, env: dict, *args: str) -> dict:
    code = f"BODY = {body!r}\n{PRELUDE}"
    out = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode:
        sys.exit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])
