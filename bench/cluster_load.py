"""Load across instances behind nginx: the same live load as bench/load.py, against the local
cluster (scripts/cluster.sh: PostgreSQL, S3 store, job queue, durable frames) with one app
instance and then with two, in the same run, on the same machine. Or against any running
deployment with --target URL.

One instance gets every analysis worker (one per core); two instances get one each, so both
layouts use the same cores: the comparison is what the balancer, the second server process
and routing by session id cost or gain, not more hardware. Printed per layout and client
count: round-trip p50/p95, processed frames/s, dropped frames, and the CPU of the instances
(with their analysis processes), of this benchmark and of every other process.

`--mode landmarks` sends what a page in browser pose mode sends (the binary landmarks message,
as bench/load.py does), the load whose server share is the scoring alone.

Run: `python -m bench.cluster_load [--mode frames|landmarks] [--clients 1,4,8,14]
[--seconds 10] [--target URL]`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.load import (
    FPS,
    PROJECT_ROOT,
    TARGET_P95_MS,
    VIDEO,
    Payloads,
    Rounds,
    Row,
    Server,
    _add_reference,
    _measure_round,
    _process_cpu_seconds,
    _row,
    browser_landmarks,
    encode_frames,
    testdata_dir,
)

CLUSTER_SH = PROJECT_ROOT / "scripts" / "cluster.sh"


class Deployment(Server):
    """A running deployment at a URL; its CPU is that of the given processes and their
    children (the instances' analysis processes); none given: not measured (0)."""

    def __init__(self, url: str, pids: list[int], infrastructure: list[int] | None = None) -> None:
        self.url = url.rstrip("/")
        self.pids = pids
        # The S3 server and nginx (PostgreSQL is shared with other users of the machine).
        self.infrastructure = infrastructure or []

    def cpu_seconds(self) -> float:
        return _tree_cpu_seconds(self.pids)

    def infrastructure_cpu_seconds(self) -> float:
        return _tree_cpu_seconds(self.infrastructure)

    def memory_mb(self) -> tuple[float, list[float]]:
        return 0.0, []

    def stop(self) -> None:
        """Not ours to stop."""


def _tree_cpu_seconds(pids: list[int]) -> float:
    """CPU of processes and their children."""
    total = 0.0
    for pid in pids:
        children = Path(f"/proc/{pid}/task/{pid}/children")
        try:
            kids = [int(child) for child in children.read_text().split()]
        except OSError:
            kids = []
        total += sum(_process_cpu_seconds(p) for p in [pid, *kids])
    return total


def _cluster(command: list[str], environment: dict[str, str]) -> str:
    done = subprocess.run(
        ["bash", str(CLUSTER_SH), *command],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"cluster.sh {' '.join(command)} failed:\n{done.stderr}")
    return done.stdout.strip()


def _measure(
    deployment: Deployment, counts: list[int], frames: Payloads, seconds: float, label: str
) -> list[Row]:
    video = testdata_dir() / VIDEO
    rows = []
    with httpx.Client(base_url=deployment.url, timeout=300) as http:
        reference_id = _add_reference(http, video)
        print(f"\n{label}\n{Row.HEADER}", flush=True)
        for count in counts:
            rounds = Rounds()
            before, started = deployment.infrastructure_cpu_seconds(), time.perf_counter()
            _measure_round(deployment, http, reference_id, count, frames, seconds, False, rounds)
            infrastructure = (deployment.infrastructure_cpu_seconds() - before) / (
                time.perf_counter() - started
            )
            rows.append(_row(count, rounds))
            print(f"{rows[-1]}   S3 server + nginx {100 * infrastructure:.0f}%", flush=True)
    return rows


def _local_layout(instances: int, counts: list[int], frames: Payloads, seconds: float) -> None:
    cores = os.cpu_count() or 2
    folder = Path(tempfile.mkdtemp(prefix="dancecoach-cluster-bench-"))
    environment = {
        **os.environ,
        "CLUSTER_DIR": str(folder),
        "CLUSTER_PORT": os.environ.get("CLUSTER_PORT", "8200"),
        "CLUSTER_DB": "dancecoach_cluster_bench",
        # The same cores either way: split between the instances.
        "CLUSTER_INFERENCE_WORKERS": str(max(1, cores // instances)),
    }
    url = _cluster(["up", str(instances), "1"], environment)
    try:
        pids = [
            int(line.rsplit(" ", 1)[1])
            for line in _cluster(["pids"], environment).splitlines()
            if line.startswith("instance")
        ]
        # The benchmark measures beyond a one-instance capacity on purpose: the cap makes
        # nginx send the extra sessions elsewhere, which a single instance cannot.
        infrastructure = [
            int((folder / name).read_text()) for name in ("s3.pid", "nginx/nginx.pid")
        ]
        deployment = Deployment(url, pids, infrastructure)
        label = (
            f"{instances} instance(s) behind nginx, {max(1, cores // instances)} analysis "
            f"worker(s) each (PostgreSQL, S3 store, durable frames)"
        )
        _measure(deployment, counts, frames, seconds, label)
    finally:
        _cluster(["down"], environment)
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--mode",
        choices=["frames", "landmarks"],
        default="frames",
        help="what clients send: webcam frames, or the landmarks their browser found",
    )
    parser.add_argument(
        "--clients", help="comma-separated client counts (frames 1,4,8,14; landmarks 1,40,80,120)"
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="sending time per count")
    parser.add_argument("--target", help="a running deployment's URL (default: local clusters)")
    parser.add_argument("--instances", default="1,2", help="local cluster sizes to compare")
    args = parser.parse_args(sys.argv[1:] if __name__ == "__main__" else [])
    landmarks = args.mode == "landmarks"
    clients = args.clients or ("1,40,80,120" if landmarks else "1,4,8,14")
    counts = [int(value) for value in clients.split(",")]
    video = testdata_dir() / VIDEO
    if not video.is_file():
        print(f"cluster load benchmark skipped: {video} not found")
        return
    frames = encode_frames(video, FPS)
    print(f"frames: {len(frames)} JPEGs at {FPS:g} FPS; target p95 <= {TARGET_P95_MS:.0f} ms")
    payloads: Payloads = frames
    if landmarks:
        payloads = browser_landmarks(frames)
        found = sum(p is not None for p in payloads)
        print(f"landmarks mode: {found} of {len(payloads)} frames with a dancer")
    if args.target:
        _measure(Deployment(args.target, []), counts, payloads, args.seconds, args.target)
        return
    for instances in (int(value) for value in args.instances.split(",")):
        _local_layout(instances, counts, payloads, args.seconds)
        time.sleep(2.0)


if __name__ == "__main__":
    main()
