"""Benchmark: the memory peak of each import fed a bomb (issue 15). Each run is a fresh process on an
empty SQLite database with the default limits; it prints the exit code, the message's start, the
peak RSS (ru_maxrss of the child) and the wall time. Target: every peak under 300 MB.

    .venv/bin/python bench/bombs.py
"""

import gzip
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
MEASURE = (
    "import resource, subprocess, sys; result = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(result.returncode)"
)


def gzip_bomb(path: Path, size: int, content: bytes = b" ") -> None:
    """A gzip file that inflates to `size` bytes (about 1,000 : 1)."""
    chunk = content * (MB // len(content))
    with gzip.open(path, "wb", compresslevel=9) as handle:
        handle.write(b"[")
        for _ in range(size // MB):
            handle.write(chunk)
        handle.write(b"]")


def bombs(directory: Path) -> list[tuple[str, list[str]]]:
    cases = []
    path = directory / "gzip-bomb-2gb.json.gz"
    gzip_bomb(path, 2048 * MB)
    cases.append(
        (f"gzip bomb, {path.stat().st_size // 1024} KB → 2 GB (import_modelsdev)", ["import_modelsdev", str(path)])
    )
    path = directory / "gzip-bomb-2gb-litellm.json.gz"
    path.write_bytes((directory / "gzip-bomb-2gb.json.gz").read_bytes())
    cases.append(("gzip bomb, same file (import_litellm)", ["import_litellm", str(path)]))
    path = directory / "gzip-values-15mb.json.gz"
    gzip_bomb(path, 15 * MB, b"0,")
    cases.append(
        (
            f"gzip, 15 MB of '0,' = 8M values, {path.stat().st_size // 1024} KB (import_modelsdev)",
            ["import_modelsdev", str(path)],
        )
    )
    path = directory / "most-values.json.gz"
    with gzip.open(path, "wb") as handle:  # just under the value limit, each a small object with its own text
        handle.write(b"[" + b"".join(b'{"k%d": "%s"},' % (i % 7, b"x" * 40) for i in range(299_000)) + b"{}]")
    cases.append(
        ("299,000 small objects, 15 MB, just within the limits (import_modelsdev)", ["import_modelsdev", str(path)])
    )
    path = directory / "catalog-bomb.json.gz"
    gzip_bomb(path, 2048 * MB)
    cases.append(("gzip bomb → 2 GB (import_catalog .json)", ["import_catalog", str(path), "--format", "json"]))
    path = directory / "billion-laughs.yaml"
    lines = ["format: model-catalog", "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    path.write_text("\n".join(lines) + "\n")
    cases.append(
        (
            f"YAML alias bomb ({path.stat().st_size} bytes, 10^9 items expanded; import_catalog)",
            ["import_catalog", str(path)],
        )
    )
    path = directory / "deep.json"
    path.write_text("[" * 1_000_000 + "]" * 1_000_000)
    cases.append(("1,000,000-deep nesting, 2 MB (import_litellm)", ["import_litellm", str(path)]))
    path = directory / "long-string.json"
    path.write_text('{"x": "' + "a" * (15 * MB) + '"}')
    cases.append(("one 15 MB string (import_litellm)", ["import_litellm", str(path)]))
    path = directory / "big-number.json"
    path.write_text('{"x": {"mode": "chat", "max_tokens": 1' + "0" * (15 * MB) + "}}")
    cases.append(("a 15-million-digit number (import_litellm)", ["import_litellm", str(path)]))
    return cases


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        database = directory / "bench.sqlite3"
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_DEBUG": "true"}
        env.pop("REDIS_URL", None)
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        print(f"{'case':<75} {'exit':>4} {'peak RSS':>9} {'time':>6}  message")
        cases = [("baseline: manage.py check (Django loaded, nothing read)", ["check"]), *bombs(directory)]
        for label, args in cases:
            started = time.monotonic()
            # A fresh parent per case, so ru_maxrss of its children is this case's peak alone.
            result = subprocess.run(
                [sys.executable, "-c", MEASURE, sys.executable, "manage.py", *args],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            elapsed = time.monotonic() - started
            *lines, peak = result.stderr.strip().splitlines()
            message = (lines or [""])[-1].replace(str(directory) + "/", "")
            print(f"{label:<75} {result.returncode:>4} {int(peak) / 1024:6.0f} MB {elapsed:5.1f}s  {message[:110]}")


if __name__ == "__main__":
    main()
