"""Load benchmark of the live server: N webcam clients on 127.0.0.1 at 10 FPS each.

Starts `dancecoach serve` on a fresh data folder, adds a real dance video as the reference,
then for each N runs N practice sessions at once, each sending real dance frames (JPEG,
640x360, pre-encoded) at 10 FPS for a fixed time. Prints per N: round-trip p50/p95 (client
send to that frame's reply), processed frames/s, dropped frames, server CPU; and the bare
inference time measured in the same run, with the ratio p50 / inference at N=1 (one client
runs in rounds, with paced bare-inference blocks between them), against two: MediaPipe's own
`PoseLandmarker` tracking one dancer (stock inference, float model), and the server's own
tracking (int8 model by default).
Every client first sends for a warm-up second, which the round trips leave out (its p95 is
printed apart): all N clients start within 100 ms, and each stream's first frame also runs
person detection (~10 ms more), a start-up burst that says nothing about steady capacity.
The CPU used by other processes meanwhile is printed too: on a shared machine it explains
figures that are worse than the server can do.

`--mode landmarks` measures browser pose mode instead: each client sends the 33 landmarks of
its frame (the binary landmarks message, found beforehand by the server's own tracker with the
float model, as the browser's PoseLandmarker would) on a `?pose=browser` stream, so the server
only scores. The dance loops over the reference (a seek at its end), so every frame is scored,
and each round starts once the server is quiet again. The same run then also streams webcam
frames from a few clients, and prints the server's CPU per frame in both modes and their ratio.

Run: `python -m bench.load [--clients 1,4,8,14,20] [--seconds 10] [--json-frames]`
     `python -m bench.load --mode landmarks [--clients 1,50,100,200] [--frame-clients 8]`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import os
import resource
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import httpx
import numpy as np
import orjson
import uvloop
from numpy.typing import NDArray

from bench.ws_client import WebSocketClient

if TYPE_CHECKING:
    from dancecoach.estimation.models.files import LandmarkPrecision

PROJECT_ROOT = Path(__file__).resolve().parents[1]
VIDEO = "single/shuffle.mp4"  # one dancer, full body, 640x360
FPS = 10.0
WARMUP_S = 1.0
TARGET_P95_MS = 50.0
QUIET_CORES = 0.1  # server CPU below which a round's leftover work counts as done
ONE_CLIENT_ROUNDS = 3
OPENING_TIMEOUT_S = 30.0  # for the session's state message, and for the closing handshake
LANDMARK_IMAGE_SIZE = (640, 360)  # the frames' size, sent with their landmarks (main checks)
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def testdata_dir() -> Path:
    configured = os.environ.get("DANCECOACH_TESTDATA")
    return Path(configured) if configured else PROJECT_ROOT.parent / "shared" / "testdata"


def encode_frames(video: Path, fps: float, max_side: int = 640) -> list[bytes]:
    """The video sampled at fps as JPEG bytes (quality 80, longer side max_side)."""
    capture = cv2.VideoCapture(str(video))
    source_fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
    frames, index, next_time = [], 0, 0.0
    while True:
        ok, image = capture.read()
        if not ok:
            break
        time_s, index = index / source_fps, index + 1
        if time_s + 1e-6 < next_time:
            continue
        next_time += 1.0 / fps
        height, width = image.shape[:2]
        scale = max_side / max(height, width)
        if scale < 1.0:
            size = (round(width * scale), round(height * scale))
            image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        frames.append(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])[1].tobytes())
    capture.release()
    return frames


def browser_landmarks(frames: list[bytes]) -> list[Landmarks]:
    """Each frame's pose as the browser would find it: the same models tracking in video mode
    (the server's own tracker with the float model, which the browser's bundle holds)."""
    from dancecoach.estimation.live_tracking import LiveTracker

    tracker = LiveTracker("float")
    poses: list[Landmarks] = []
    for index, jpeg in enumerate(frames):
        image = np.asarray(cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR))
        poses.append(tracker.process(image.astype(np.uint8), index / FPS))
    tracker.close()
    return poses


def machine_busy_seconds() -> float:
    """CPU seconds all processes have used since boot (from /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / _CLOCK_TICKS


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class BareInference:
    """Pose tracking alone on frames decoded beforehand, in milliseconds: the server's
    LiveTracker.process, or (stock=True) MediaPipe's PoseLandmarker; one thread.

    Paced blocks (one frame every 100 ms, as a webcam sends them: colder caches than back to
    back) are taken between the one-client rounds, so that both sides of the ratio see the
    machine as it is at that moment: on this shared VM the same code drifts by 10 % or more
    over a minute.
    """

    def __init__(
        self, frames: list[bytes], pose_model: LandmarkPrecision, *, stock: bool = False
    ) -> None:
        from dancecoach.estimation.detector import MediaPipePoseDetector
        from dancecoach.estimation.live_tracking import LiveTracker

        self._images = [
            np.asarray(cv2.imdecode(np.frombuffer(f, np.uint8), cv2.IMREAD_COLOR), dtype=np.uint8)
            for f in frames
        ]
        tracker = LiveTracker(pose_model)
        landmarker = MediaPipePoseDetector("video", 1) if stock else None
        if landmarker is not None:
            self._infer: Callable[[NDArray[np.uint8], float], object] = lambda image, time_s: (
                landmarker.detect(image, round(time_s * 1000))
            )
            self._close: Callable[[], None] = landmarker.close
        else:
            self._infer = lambda image, time_s: tracker.process(image, time_s)
            self._close = tracker.close
        self._time_s = 0.0
        self.back_to_back_ms: list[float] = []
        self.paced_ms: list[float] = []
        self._run(10, paced=False)  # warm-up, not kept
        self.back_to_back_ms.clear()

    def _run(self, count: int, *, paced: bool) -> None:
        times = self.paced_ms if paced else self.back_to_back_ms
        for index in range(count):
            image = self._images[index % len(self._images)]
            self._time_s += 1.0 / FPS
            started = time.perf_counter()
            self._infer(image, self._time_s)
            elapsed = time.perf_counter() - started
            times.append(elapsed * 1000.0)
            if paced:
                time.sleep(max(0.0, 1.0 / FPS - elapsed))

    def back_to_back(self, count: int = 100) -> None:
        self._run(count, paced=False)

    def paced(self, count: int) -> None:
        self._run(count, paced=True)

    def close(self) -> None:
        self._close()

    @staticmethod
    def p50(times: list[float]) -> float:
        return float(np.percentile(times, 50)) if times else float("nan")


def _process_cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0  # the process has ended
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def _rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    line = next((row for row in status.splitlines() if row.startswith("VmRSS:")), "VmRSS: 0 kB")
    return int(line.split()[1]) / 1024


class Server:
    """A `dancecoach serve` process for the benchmark."""

    def __init__(self, data_dir: Path, pose_model: LandmarkPrecision) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.log = data_dir.parent / "server.log"
        environment = {
            **os.environ,
            "DANCECOACH_DATA_DIR": str(data_dir),
            "DANCECOACH_LIVE_POSE_MODEL": pose_model,
            "OPENAI_API_KEY": "",
            # The benchmark measures beyond capacity on purpose (20 clients): no session cap.
            "DANCECOACH_MAX_LIVE_SESSIONS": "1000",
            "DANCECOACH_MAX_BROWSER_POSE_SESSIONS": "10000",
        }
        environment.pop("DANCECOACH_DATABASE_URL", None)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "dancecoach.cli", "serve", "--port", str(self.port)],
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.3)
        raise RuntimeError(f"server did not start; see {self.log}")

    def cpu_seconds(self) -> float:
        """CPU used by the server and its live analysis processes (its children)."""
        return sum(_process_cpu_seconds(pid) for pid in [self.process.pid, *self._children()])

    def memory_mb(self) -> tuple[float, list[float]]:
        """Resident memory of the server process and of each analysis process, in MB."""
        return _rss_mb(self.process.pid), [_rss_mb(pid) for pid in self._children()]

    def _children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


@dataclass
class ClientResult:
    sent: int = 0
    round_trips_ms: list[float] = field(default_factory=list)
    warmup_round_trips_ms: list[float] = field(default_factory=list)
    processing_ms: list[float] = field(default_factory=list)
    dropped: int = 0
    errors: int = 0
    refused: bool = False  # the server turned the stream away (at its capacity)


Payloads = list[bytes] | list["Landmarks"]
Landmarks = NDArray[np.float32] | None  # one frame's pose, as the browser finds it


def _message(payload: bytes | Landmarks, timestamp: float, json_frames: bool) -> str | bytes:
    """A frame (JPEG bytes) or a landmarks message, binary or JSON."""
    if isinstance(payload, bytes):
        if json_frames:
            data = "data:image/jpeg;base64," + base64.b64encode(payload).decode()
            return orjson.dumps({"type": "frame", "data": data, "timestamp": timestamp}).decode()
        return struct.pack("<d", timestamp) + payload
    width, height = LANDMARK_IMAGE_SIZE
    if json_frames:
        points = None
        if payload is not None:
            points = [
                {"x": float(x), "y": float(y), "z": float(z), "visibility": float(v)}
                for x, y, z, v in payload
            ]
        return orjson.dumps(
            {
                "type": "landmarks",
                "timestamp": timestamp,
                "landmarks": points,
                "image_width": width,
                "image_height": height,
            }
        ).decode()
    header = struct.pack("<d4sHH", timestamp, b"POSE", width, height)
    return header if payload is None else header + payload.astype("<f4").tobytes()


async def _client(
    url: str,
    frames: Payloads,
    offset: int,
    start_at: float,
    seconds: float,
    json_frames: bool,
    ready: asyncio.Barrier,
) -> ClientResult:
    result = ClientResult()
    sent_at: dict[float, tuple[float, bool]] = {}  # dance time: sent at, warming up
    opening: asyncio.Future[dict[str, object]] = asyncio.get_running_loop().create_future()

    def on_message(raw: str | bytes) -> None:
        # Called as each reply arrives (no task in between): the round trip ends here.
        message = orjson.loads(raw)
        if not opening.done():
            opening.set_result(message)  # the session state, or why it was refused
        elif message["type"] == "frame_result":
            sent, warming_up = sent_at.pop(message["timestamp"])
            trip_ms = (time.perf_counter() - sent) * 1000.0
            (result.warmup_round_trips_ms if warming_up else result.round_trips_ms).append(trip_ms)
            result.processing_ms.append(message["processing_ms"])
            result.dropped = message["dropped_frames"]
        elif message["type"] == "error":
            result.errors += 1

    ws: WebSocketClient | None = None
    try:
        ws = await WebSocketClient.connect(url, on_message)
        first = await asyncio.wait_for(opening, OPENING_TIMEOUT_S)
    except (TimeoutError, OSError):
        first = {"type": "error"}
    if ws is None or first["type"] == "error":
        # Turned away at the server's capacity (503 at the handshake, or an error and a close):
        # counted, and never holding the other clients at the barrier.
        if ws is not None:
            ws.abort()
        result.refused = True
        await ready.wait()
        return result
    try:
        await ready.wait()
        total = round((WARMUP_S + seconds) * FPS)
        for index in range(total):
            delay = start_at + index / FPS - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            # The dance loops over the reference as a learner looping it would (a seek, then
            # from the start again): every frame past its end would be answered unscored.
            position = index % len(frames)
            if position == 0 and index > 0:
                ws.send(orjson.dumps({"type": "seek"}).decode())
            timestamp = round(position / FPS + 0.05, 3)
            message = _message(frames[(index + offset) % len(frames)], timestamp, json_frames)
            sent_at[timestamp] = (time.perf_counter(), index < WARMUP_S * FPS)
            ws.send(message)
            result.sent += 1
        await asyncio.sleep(1.0)  # the last replies
    finally:
        ws.close()
        try:
            await asyncio.wait_for(ws.closed.wait(), OPENING_TIMEOUT_S)
        except TimeoutError:
            ws.abort()
    return result


CpuSample = tuple[float, float, float]  # server, this benchmark, whole machine (CPU seconds)


def _cpu_sample(server: Server) -> CpuSample:
    return (server.cpu_seconds(), own_cpu_seconds(), machine_busy_seconds())


async def _sample_cpu_while_sending(
    server: Server, start_at: float, seconds: float
) -> tuple[CpuSample, CpuSample, float]:
    """CPU samples at the first and the last measured frame time (not connecting, warming up)."""
    await asyncio.sleep(max(0.0, start_at + WARMUP_S - time.perf_counter()))
    first, started = _cpu_sample(server), time.perf_counter()
    await asyncio.sleep(max(0.0, start_at + WARMUP_S + seconds - time.perf_counter()))
    return first, _cpu_sample(server), time.perf_counter() - started


async def _run(
    server: Server, session_ids: list[str], frames: Payloads, seconds: float, json_frames: bool
) -> tuple[list[ClientResult], tuple[CpuSample, CpuSample, float]]:
    ws_base = server.url.replace("http://", "ws://")
    query = "" if frames and isinstance(frames[0], bytes) else "?pose=browser"
    ready = asyncio.Barrier(len(session_ids) + 1)
    # Staggered like independent webcams: each client starts at its own phase of the 100 ms.
    start_at = time.perf_counter() + 3.0 + 1.0  # after every connection has warmed up
    tasks = [
        asyncio.create_task(
            _client(
                f"{ws_base}/ws/{session_id}{query}",
                frames,
                offset=7 * index,
                start_at=start_at + (index / len(session_ids)) / FPS,
                seconds=seconds,
                json_frames=json_frames,
                ready=ready,
            )
        )
        for index, session_id in enumerate(session_ids)
    ]
    sampling = asyncio.create_task(_sample_cpu_while_sending(server, start_at, seconds))
    await ready.wait()
    results = await asyncio.gather(*tasks)
    return results, await sampling


@dataclass(frozen=True)
class Row:
    clients: int
    sent: int
    processed_per_s: float
    dropped: int
    refused: int  # clients the server turned away at its capacity
    p50_ms: float
    p95_ms: float
    max_ms: float
    warmup_p95_ms: float  # the warm-up second, left out of the round trips above
    analysis_p50_ms: float  # decode + inference + comparison in the server's worker thread
    server_cpu: float  # cores busy (1.0 = one core)
    client_cpu: float  # this benchmark's own clients
    other_cpu: float  # every other process on the machine: a busy machine skews the figures

    @property
    def cpu_ms_per_frame(self) -> float:
        """Server CPU (main and analysis processes) per processed frame, in milliseconds."""
        return 1000.0 * self.server_cpu / self.processed_per_s if self.processed_per_s else 0.0

    HEADER = (
        f"{'clients':>7} {'sent':>6} {'processed/s':>11} {'dropped':>7} {'refused':>7} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'warm-up p95':>11} {'analysis ms':>11} "
        f"{'server CPU':>10} {'CPU ms/frame':>12} "
        f"{'client CPU':>10} {'other CPU':>9}"
    )

    def __str__(self) -> str:
        return (
            f"{self.clients:>7} {self.sent:>6} {self.processed_per_s:>11.1f} {self.dropped:>7} "
            f"{self.refused:>7} "
            f"{self.p50_ms:>7.1f} {self.p95_ms:>7.1f} {self.max_ms:>7.1f} "
            f"{self.warmup_p95_ms:>11.1f} {self.analysis_p50_ms:>11.1f} "
            f"{100 * self.server_cpu:>9.0f}% {self.cpu_ms_per_frame:>12.2f} "
            f"{100 * self.client_cpu:>9.0f}% "
            f"{100 * self.other_cpu:>8.0f}%"
        )


@dataclass
class Rounds:
    """What the rounds of one client count added up to."""

    results: list[ClientResult] = field(default_factory=list)
    seconds: float = 0.0
    cpu: list[CpuSample] = field(default_factory=list)  # server, clients, machine; per second


def _measure_round(
    server: Server,
    http: httpx.Client,
    reference_id: str,
    count: int,
    frames: Payloads,
    seconds: float,
    json_frames: bool,
    into: Rounds,
) -> None:
    pose = "server" if frames and isinstance(frames[0], bytes) else "browser"
    create = {"reference_video_id": reference_id, "pose": pose}
    session_ids = [
        http.post("/api/sessions/create", json=create).json()["session_id"] for _ in range(count)
    ]
    # The clients stand in for N browsers on N machines: this process (with MediaPipe and the
    # frames loaded) must not pause them all at once for its own garbage collection, a pause
    # of ~100 ms that the round trips would charge to the server.
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        # uvloop, as the server runs: the clients share the server's two cores, and the stock
        # loop's own overhead for 200 sockets took CPU from the server that remote browsers
        # would not.
        results, (before, after, wall) = uvloop.run(
            _run(server, session_ids, frames, seconds, json_frames)
        )
    finally:
        gc.enable()
        gc.unfreeze()
    for session_id in session_ids:
        http.post(f"/api/sessions/{session_id}/finalize")
    _wait_until_quiet(server)
    into.results.extend(results)
    into.seconds += seconds
    cpu = tuple((a - b) / wall for a, b in zip(after, before, strict=True))
    into.cpu.append((cpu[0], cpu[1], cpu[2]))


def _wait_until_quiet(server: Server, timeout_s: float = 120.0) -> None:
    """Wait for the work the round left (finalized sessions' reports, their frames stored)
    to finish, so that the next round measures the live load alone."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        before = server.cpu_seconds()
        time.sleep(1.0)
        if server.cpu_seconds() - before < QUIET_CORES:
            return


def _row(count: int, rounds: Rounds) -> Row:
    results = rounds.results
    trips = np.array([t for r in results for t in r.round_trips_ms])
    warmup = np.array([t for r in results for t in r.warmup_round_trips_ms])

    def percentile(q: float, values: NDArray[np.float64] = trips) -> float:
        return float(np.percentile(values, q)) if len(values) else float("nan")

    cpu, client_cpu, busy = (float(np.mean(column)) for column in zip(*rounds.cpu, strict=True))
    return Row(
        clients=count,
        sent=sum(r.sent for r in results),
        processed_per_s=len(trips) / rounds.seconds,
        dropped=sum(r.dropped for r in results),
        refused=sum(r.refused for r in results),
        p50_ms=percentile(50),
        p95_ms=percentile(95),
        max_ms=percentile(100),
        warmup_p95_ms=percentile(95, warmup),
        analysis_p50_ms=float(np.median([t for r in results for t in r.processing_ms] or [np.nan])),
        server_cpu=cpu,
        client_cpu=client_cpu,
        other_cpu=max(0.0, busy - cpu - client_cpu),
    )


def _add_reference(http: httpx.Client, video: Path) -> str:
    with video.open("rb") as stream:
        created = http.post("/api/references", files={"file": (video.name, stream)}).json()
    reference_id: str = created["reference_video_id"]
    while http.get(f"/api/references/{reference_id}").json()["status"] == "processing":
        time.sleep(0.5)
    return reference_id


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--mode",
        choices=["frames", "landmarks"],
        default="frames",
        help="what clients send: webcam frames, or the landmarks their browser found",
    )
    parser.add_argument(
        "--clients",
        default=None,
        help="comma-separated client counts (1,4,8,14,20; landmarks: 1,50,100,200,250)",
    )
    parser.add_argument(
        "--frame-clients",
        type=int,
        default=8,
        help="landmarks mode: clients of the frames round run for the CPU comparison",
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="sending time per count")
    parser.add_argument("--json-frames", action="store_true", help="JSON data URLs, not binary")
    parser.add_argument(
        "--pose-model", choices=["int8", "float"], default="int8", help="live landmark model"
    )
    args = parser.parse_args(sys.argv[1:] if __name__ == "__main__" else [])
    landmarks_mode = args.mode == "landmarks"
    default_counts = "1,50,100,200,250" if landmarks_mode else "1,4,8,14,20"
    counts = [int(value) for value in (args.clients or default_counts).split(",")]

    video = testdata_dir() / VIDEO
    if not video.is_file():
        print(f"load benchmark skipped: {video} not found")
        return
    frames = encode_frames(video, FPS)
    height, width = cv2.imdecode(np.frombuffer(frames[0], np.uint8), cv2.IMREAD_COLOR).shape[:2]
    kilobytes = np.mean([len(f) for f in frames]) / 1000
    print(f"frames: {len(frames)} JPEGs of {width}x{height}, about {kilobytes:.0f} kB each")
    payloads: Payloads = frames
    if landmarks_mode:
        if (width, height) != LANDMARK_IMAGE_SIZE:
            raise SystemExit(f"expected {LANDMARK_IMAGE_SIZE} frames, got {width}x{height}")
        payloads = browser_landmarks(frames)
        found = sum(pose is not None for pose in payloads)
        print(f"landmarks: {found} of {len(payloads)} frames with a dancer (binary: 544 bytes)")
    pose_model: LandmarkPrecision = args.pose_model
    bare = BareInference(frames, pose_model)
    bare.back_to_back(100)
    bare.paced(30)
    stock = BareInference(frames, "float", stock=True)
    stock.paced(30)  # so that a run without a one-client round still reports it
    back_to_back_p50 = bare.p50(bare.back_to_back_ms)
    cores = os.cpu_count() or 1
    ceiling = cores * 1000 / back_to_back_p50 / FPS
    print(f"bare inference (LiveTracker.process, one thread, {pose_model} model):")
    print(
        f"  back to back: p50 {back_to_back_p50:.1f} ms, "
        f"p95 {np.percentile(bare.back_to_back_ms, 95):.1f} ms"
    )
    print(f"  raw ceiling on {cores} cores: about {ceiling:.0f} sessions at {FPS:g} FPS")

    folder = Path(tempfile.mkdtemp(prefix="dancecoach-load-"))
    rows: list[Row] = []
    server = Server(folder / "data", pose_model)
    try:
        with httpx.Client(base_url=server.url, timeout=120) as http:
            reference_id = _add_reference(http, video)
            # The start-up work (the demo routine, the music analysis's compilation) must
            # finish first: it can outlast a fixed pause and run into the first round.
            _wait_until_quiet(server)
            print("\n" + Row.HEADER)
            for count in counts:
                rounds = Rounds()
                # One client: rounds alternate with paced bare-inference blocks (see
                # BareInference); more clients: one round.
                for _ in range(ONE_CLIENT_ROUNDS if count == 1 else 1):
                    if count == 1:
                        bare.paced(40)
                        stock.paced(40)
                    _measure_round(
                        server,
                        http,
                        reference_id,
                        count,
                        payloads,
                        args.seconds,
                        args.json_frames,
                        rounds,
                    )
                rows.append(_row(count, rounds))
                print(rows[-1], flush=True)
            if landmarks_mode:
                # The same server, now with webcam frames: the CPU a frame costs either way.
                rounds = Rounds()
                _measure_round(
                    server,
                    http,
                    reference_id,
                    args.frame_clients,
                    frames,
                    args.seconds,
                    args.json_frames,
                    rounds,
                )
                frame_row = _row(args.frame_clients, rounds)
                print(f"{frame_row}  <- webcam frames (server pose), same server", flush=True)
            main_mb, analysis_mb = server.memory_mb()
            print(
                f"server memory after {counts[-1]} sessions: {main_mb:.0f} MB main process, "
                f"analysis processes {', '.join(f'{mb:.0f}' for mb in analysis_mb)} MB"
            )
    finally:
        server.stop()
        bare.close()
        stock.close()
        shutil.rmtree(folder, ignore_errors=True)

    paced_p50 = bare.p50(bare.paced_ms)
    single = next((r for r in rows if r.clients == 1), None)
    if landmarks_mode:
        _print_landmarks_summary(rows, frame_row, stock.p50(stock.paced_ms), paced_p50)
        return
    if single is not None:
        print(
            f"\nbare inference paced at {FPS:g} FPS between the one-client rounds "
            f"({len(bare.paced_ms)} frames each), and the one-client round-trip p50 "
            f"({single.p50_ms:.1f} ms; {single.analysis_p50_ms:.1f} ms of it the server's decode "
            f"+ inference + comparison) over it (target <= 1.3):"
        )
        stock_p50 = stock.p50(stock.paced_ms)
        print(
            f"  MediaPipe's PoseLandmarker (float): p50 {stock_p50:.1f} ms, "
            f"ratio {single.p50_ms / stock_p50:.2f}"
        )
        print(
            f"  the server's tracking, one thread ({pose_model}): p50 {paced_p50:.1f} ms, "
            f"ratio {single.p50_ms / paced_p50:.2f} ({single.p50_ms / back_to_back_p50:.2f} "
            f"against back to back)"
        )
    within = [r.clients for r in rows if r.p95_ms <= TARGET_P95_MS]
    clean = [r.clients for r in rows if r.p95_ms <= TARGET_P95_MS and r.dropped == 0]
    print(
        f"most concurrent 10-FPS sessions with p95 <= {TARGET_P95_MS:.0f} ms: "
        f"{max(within) if within else 0} (target >= 14); "
        f"with no dropped frames as well: {max(clean) if clean else 0}"
    )


def _print_landmarks_summary(
    rows: list[Row], frame_row: Row, stock_ms: float, tracking_ms: float
) -> None:
    busiest = max(rows, key=lambda row: row.processed_per_s)
    landmark_ms, frame_ms = busiest.cpu_ms_per_frame, frame_row.cpu_ms_per_frame
    print(
        f"\nserver CPU per frame, same run: landmarks {landmark_ms:.2f} ms "
        f"({busiest.clients} clients), webcam frames {frame_ms:.2f} ms "
        f"({frame_row.clients} clients): frames cost {frame_ms / landmark_ms:.1f}x landmarks"
    )
    print(
        f"bare inference on this machine meanwhile (paced, one thread): MediaPipe's "
        f"PoseLandmarker {stock_ms:.1f} ms, the server's tracking {tracking_ms:.1f} ms a frame"
    )
    clean = [r.clients for r in rows if r.p95_ms <= TARGET_P95_MS and r.dropped == 0]
    within = [r.clients for r in rows if r.p95_ms <= TARGET_P95_MS]
    print(
        f"most concurrent 10-FPS landmark sessions with p95 <= {TARGET_P95_MS:.0f} ms: "
        f"{max(within) if within else 0}; with no dropped frames as well: "
        f"{max(clean) if clean else 0} (target >= 200)"
    )


if __name__ == "__main__":
    main()
