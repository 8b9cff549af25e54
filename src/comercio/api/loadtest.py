"""Load test of the API and dashboard on loopback: ``python -m comercio.api.loadtest --users 50``.

Starts ``uvicorn`` with the app factory on 127.0.0.1 and a free port, warms every URL once (so indicator
results are cached, which is the path the target covers), then runs ``--users`` concurrent keep-alive asyncio
clients for ``--duration`` seconds against indicator endpoints and pages, stops the server and writes
requests/s, latency percentiles and errors to ``bench/results/api_load.json`` and the "API load test" section
of ``docs/benchmarks.md``. Traffic goes only to 127.0.0.1; loops are bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

from comercio.config import Settings

TARGETS: tuple[tuple[str, str], ...] = (
    ("api", "/api/v1/indicators?end=2022-11&window=ytd&grouping=department"),
    ("api", "/api/v1/indicators?end=2022-11&window=month&grouping=department&lang=en"),
    ("api", "/api/v1/indicators?end=2022-06&window=rolling12&grouping=macroregion"),
    ("api", "/api/v1/indicators?end=2021-12&window=year&grouping=natural_region"),
    ("api", "/api/v1/indicators?end=2022-11&window=ytd&grouping=department&format=csv"),
    ("api", "/api/v1/indicators/series?end=2022-11&window=ytd&grouping=national"),
    ("page", "/explorer?end=2022-11&window=ytd&grouping=department&metric=value"),
    ("page", "/explorer?end=2022-06&window=month&grouping=macroregion&metric=growth"),
    ("page", "/?lang=es"),
    ("page", "/region/15"),
)
TARGET_P95_MS = 200.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ensure_home(settings: Settings) -> tuple[Settings, tempfile.TemporaryDirectory[str] | None]:
    """The warehouse to serve: ``settings.home`` if it has BCRP data, else one built from the mirror."""
    from comercio.warehouse import Warehouse

    if Warehouse(settings, read_only=True).has("bcrp_departments"):
        return settings, None
    if not settings.mirror:
        sys.exit(f"no warehouse at {settings.home} and no COMERCIO_MIRROR to build one from")
    from comercio.ingest import build

    tmp = tempfile.TemporaryDirectory(prefix="comercio-load-")
    built = Settings(home=Path(tmp.name), mirror=settings.mirror)
    print(f"building a warehouse from {settings.mirror} in {tmp.name} …", flush=True)
    build(Warehouse(built), built)
    return built, tmp


def start_server(settings: Settings, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "COMERCIO_HOME": str(settings.home), "COMERCIO_MIRROR": settings.mirror or ""}
    cmd = [sys.executable, "-m", "uvicorn", "comercio.server:create_app", "--factory", "--host", "127.0.0.1",
           "--port", str(port), "--log-level", "warning", "--no-access-log"]  # fmt: skip
    return subprocess.Popen(cmd, env=env)


async def wait_ready(client: httpx.AsyncClient, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if (await client.get("/api/v1/health")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.25)
    raise RuntimeError("the server did not start within 60 s")


def percentile(sorted_ms: list[float], q: float) -> float | None:
    if not sorted_ms:
        return None
    k = min(len(sorted_ms) - 1, max(0, math.ceil(q * len(sorted_ms)) - 1))  # nearest-rank
    return round(sorted_ms[k], 1)


def summarise(samples: list[tuple[str, float, bool]], elapsed: float) -> dict[str, Any]:
    groups: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    for kind, ms, ok in samples:
        groups[kind].append((ms, ok))
        groups["all"].append((ms, ok))
    out: dict[str, Any] = {}
    for kind, items in groups.items():
        lat = sorted(ms for ms, _ in items)
        out[kind] = {
            "requests": len(items),
            "errors": sum(1 for _, ok in items if not ok),
            "requests_per_s": round(len(items) / elapsed, 1) if elapsed else None,
            "p50_ms": percentile(lat, 0.50),
            "p95_ms": percentile(lat, 0.95),
            "p99_ms": percentile(lat, 0.99),
            "max_ms": round(lat[-1], 1) if lat else None,
        }
    return out


class Connection:
    """A minimal keep-alive HTTP/1.1 client on one socket (lighter than httpx, so the server gets the CPU)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode())
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        else:  # chunked
            chunks = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                chunks.append(await self.reader.readexactly(size + 2))
                if size == 0:
                    break
            body = b"".join(c[:-2] for c in chunks)
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, body

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = self.reader = None


async def run_load(port: int, users: int, duration: float) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60.0) as client:
        await wait_ready(client)
        for _, url in TARGETS:  # warm-up: compute and cache every view once (not measured)
            r = await client.get(url)
            if r.status_code != 200:
                raise RuntimeError(f"warm-up {url} answered {r.status_code}: {r.text[:200]}")
    samples: list[tuple[str, float, bool]] = []
    failures: list[str] = []
    start = time.monotonic()
    deadline = start + duration

    async def user(i: int) -> None:
        conn = Connection("127.0.0.1", port)
        n = i
        while time.monotonic() < deadline:
            kind, url = TARGETS[n % len(TARGETS)]
            n += 1
            t0 = time.perf_counter()
            try:
                status, body = await asyncio.wait_for(conn.get(url), timeout=30.0)
                ok = status == 200
                if not ok and len(failures) < 10:
                    failures.append(f"{url}: HTTP {status} {body[:120]!r}")
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                ok = False
                await conn.close()
                if len(failures) < 10:
                    failures.append(f"{url}: {type(exc).__name__} {exc}")
            samples.append((kind, (time.perf_counter() - t0) * 1000, ok))
        await conn.close()

    await asyncio.gather(*(user(i) for i in range(users)))
    summary = summarise(samples, time.monotonic() - start)
    summary["all"]["error_samples"] = failures
    return summary


def write_results(result: dict[str, Any], root: Path) -> None:
    out = root / "bench" / "results" / "api_load.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    doc = root / "docs" / "benchmarks.md"
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    section = markdown(result)
    head = "## API load test"
    if head in text:
        before, _, rest = text.partition(head)
        nxt = rest.find("\n## ")
        text = before + section + (rest[nxt + 1 :] if nxt >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text, encoding="utf-8")


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "## API load test",
        "",
        f"`python -m comercio.api.loadtest --duration {result['duration_s']:g} --users {result['users']}` on "
        f"{result['machine']}: one uvicorn process on 127.0.0.1, {result['users']} concurrent asyncio "
        "clients (keep-alive HTTP/1.1 on asyncio streams) on the same machine, cached indicator results "
        "(every URL is warmed once before measuring). "
        f"Target: p95 < {TARGET_P95_MS:g} ms and no errors. Raw figures: `bench/results/api_load.json`.",
        "",
        "| requests | count | errors | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in ("all", "api", "page"):
        s = result["summary"].get(kind)
        if s:
            lines.append(
                f"| {kind} | {s['requests']} | {s['errors']} | {s['requests_per_s']} | {s['p50_ms']} | "
                f"{s['p95_ms']} | {s['p99_ms']} | {s['max_ms']} |"
            )
    verdict = "met" if result["target_met"] else "NOT met"
    lines += ["", f"Target {verdict} (run {result['finished_at']}).", ""]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (max 600)")
    parser.add_argument("--users", type=int, default=50, help="concurrent clients (max 500)")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root for the result files")
    parser.add_argument("--no-write", action="store_true", help="print the results only")
    args = parser.parse_args(argv)
    duration, users = min(max(args.duration, 1.0), 600.0), min(max(args.users, 1), 500)
    settings, tmp = ensure_home(Settings.from_env())
    port = free_port()
    server = start_server(settings, port)
    try:
        summary = asyncio.run(run_load(port, users, duration))
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        if tmp is not None:
            tmp.cleanup()
    p95 = summary["all"]["p95_ms"]
    result = {
        "duration_s": duration,
        "users": users,
        "machine": f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}, Python "
        f"{platform.python_version()}",
        "targets": [url for _, url in TARGETS],
        "summary": summary,
        "target_p95_ms": TARGET_P95_MS,
        "target_met": p95 is not None and p95 < TARGET_P95_MS and summary["all"]["errors"] == 0,
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    print(json.dumps(result["summary"], indent=2))
    if not args.no_write:
        write_results(result, args.root)
    return 0 if result["target_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
