#!/usr/bin/env python3
# Copyright (c) 2025 Ferry contributors
# SPDX-License-Identifier: Apache-2.0
"""Simulated-board tests: MCUboot and the Ferry sample on mps2/an385 in QEMU,
updated over LwM2M by a real Ferry server.

  native-sim-registers
                     the sample built for native_sim (host sockets, no
                     MCUboot) registers and reports its version.

Each mps2/an385 scenario boots a fresh board (QEMU starts with zeroed RAM, so the board's
RAM-backed flash is formatted and the first image installed into slot 0),
waits for the device to register, and updates it with an update session of
the server (POST /api/v1/devices/{endpoint}/updates, delivery pull-coap):

  update-confirmed   v1 pulls v2 from the server's /fw, reboots into it,
                     v2 registers, passes its health check and confirms
                     itself; the session succeeds; still v2 after a reset.
  update-reverted    v1 pulls a v2 whose health check fails: v2 is not
                     confirmed, reboots, MCUboot reverts to v1, v1 reports
                     Update Result 8 and its own version, and the session
                     fails as "reverted".
  download-resumes   the board is reset in the middle of a pull; after the
                     reboot the download resumes from the last checkpoint
                     and the update then succeeds.
  package-uri-rewritten
                     5/0/1 written through the resource API during a pull:
                     a second URI is refused, an empty one cancels, and a
                     URI right after it is pulled from byte 0 to Downloaded.

Without a Zephyr tree (ZEPHYR_BASE and ZEPHYR_MODULES) or without QEMU this
prints one line starting with "SKIP:" and exits 0. Every wait has a deadline;
nothing sleeps a fixed time. See renode-tests/README.md.
"""

import argparse
import fcntl
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BOARD = "mps2/an385"
MODEL = "ferry-sample-mps2-an385"
ENDPOINT = "fw-sample-1"
HTTP_PORT = 8080
COAP_PORT = 5683
# The guest reaches the host's loopback through QEMU's user network.
HOST_FROM_GUEST = "10.0.2.2"
NETNS_MARK = "FERRY_BOARD_TESTS_NETNS"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Board output that means the test cannot pass any more.
FATAL = re.compile(r"setup failed|FATAL ERROR|Unable to find bootable image|pull failed|"
                   r"write to unerased flash|>>> ZEPHYR FATAL")


class TestFailure(Exception):
    pass


def log(msg):
    print(msg, flush=True)


def skip_reason():
    if not os.environ.get("ZEPHYR_BASE") or not os.environ.get("ZEPHYR_MODULES"):
        return ("Zephyr board tests need ZEPHYR_BASE and ZEPHYR_MODULES "
                "(see renode-tests/README.md)")
    if shutil.which("qemu-system-arm") is None:
        return "Zephyr board tests need qemu-system-arm (apt-get install qemu-system-arm)"
    return None


# ---- network namespace -------------------------------------------------------

def bring_loopback_up():
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        ifr = struct.pack("16sh", b"lo", 0)
        flags = struct.unpack("16sh", fcntl.ioctl(s, siocgifflags, ifr))[1]
        fcntl.ioctl(s, siocsifflags, struct.pack("16sh", b"lo", flags | iff_up))


def enter_private_network():
    """Re-run inside a fresh network namespace so the server's fixed ports
    (the device's server URI is built in) never collide with the host's."""
    if os.environ.get(NETNS_MARK) == "1":
        bring_loopback_up()
        return
    unshare = shutil.which("unshare")
    if unshare is None:
        log("note: unshare not found: running in the host's network namespace")
        return
    flags = ["-n"] if os.geteuid() == 0 else ["-r", "-n"]
    env = dict(os.environ, **{NETNS_MARK: "1"})
    probe = subprocess.run([unshare, *flags, "true"], capture_output=True)
    if probe.returncode != 0:
        log("note: cannot create a network namespace (%s): running in the host's"
            % probe.stderr.decode().strip())
        return
    rc = subprocess.call([unshare, *flags, sys.executable, *sys.argv], env=env)
    sys.exit(rc)


# ---- waiting -----------------------------------------------------------------

def wait_until(what, timeout, probe, interval=0.5):
    """Poll probe() until it returns a true value; fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = probe()
        if last:
            return last
        if time.monotonic() > deadline:
            raise TestFailure("timed out after %ds waiting for %s" % (timeout, what))
        time.sleep(interval)


# ---- builds ------------------------------------------------------------------

def build_env(work):
    """Without west, Zephyr's CMake runs the first `python` on PATH for every
    sysbuild image: make that the interpreter running these tests, which has
    Zephyr's Python packages (west passes WEST_PYTHON for the same reason)."""
    bin_dir = Path(work) / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name in ("python", "python3"):
        link = bin_dir / name
        if not link.exists():
            link.symlink_to(sys.executable)
    return dict(os.environ, PATH="%s:%s" % (bin_dir, os.environ.get("PATH", "")))


def cmake_build(name, source, build_dir, args, board=BOARD):
    build_dir = Path(build_dir)
    env = build_env(build_dir.parent)
    log_path = build_dir.parent / (build_dir.name + ".log")
    if not (build_dir / "build.ninja").exists():
        cmd = ["cmake", "-G", "Ninja", "-S", str(source), "-B", str(build_dir),
               "-DBOARD=" + board, "-DPython3_EXECUTABLE=" + sys.executable, *args]
        run_logged("configure " + name, cmd, log_path, env)
    run_logged("build " + name, ["cmake", "--build", str(build_dir)], log_path, env)


def run_logged(what, cmd, log_path, env=None):
    with open(log_path, "a") as out:
        rc = subprocess.call(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    if rc != 0:
        tail = Path(log_path).read_text(errors="replace").splitlines()[-30:]
        raise TestFailure("%s failed (exit %d); last lines of %s:\n%s"
                          % (what, rc, log_path, "\n".join(tail)))


def dts_value(dts, pattern):
    m = re.search(pattern, dts, re.S)
    if not m:
        raise TestFailure("%s not found in the generated devicetree" % pattern)
    return int(m.group(1), 16)


class Firmware:
    """MCUboot and three signed application images, built with sysbuild in work/."""

    def __init__(self, work, cli):
        self.work = Path(work)
        self.cli = cli

    def build(self):
        key = REPO / "bootloader/keys/ferry-dev-ec-p256.pem"
        sysbuild = Path(os.environ["ZEPHYR_BASE"]) / "share/sysbuild"
        app = ["-DAPP_DIR=%s" % (REPO / "firmware/app")]
        cmake_build("MCUboot + sample (sysbuild)", sysbuild, self.work / "sysbuild", app)
        cmake_build("MCUboot + sample with a failing health check (sysbuild)", sysbuild,
                    self.work / "sysbuild-unhealthy",
                    app + ["-Dapp_CONFIG_FERRY_SAMPLE_FAIL_HEALTH=y"])

        dts = (self.work / "sysbuild/app/zephyr/zephyr.dts").read_text()
        self.staging = dts_value(dts, r"initial-image = < (0x[0-9a-f]+) ")
        self.slot_size = dts_value(
            dts, r"slot0_partition: partition@[0-9a-f]+ \{.*?reg = < 0x[0-9a-f]+ (0x[0-9a-f]+) >")
        self.mcuboot_elf = self.work / "sysbuild/mcuboot/zephyr/zephyr.elf"
        # Signed with Ferry's own signer, which the server's checks share.
        self.images = {
            "1.0.0+0": self.sign(self.work / "sysbuild/app", "1.0.0+0", key),
            "2.0.0+0": self.sign(self.work / "sysbuild/app", "2.0.0+0", key),
            "2.0.1+0": self.sign(self.work / "sysbuild-unhealthy/app", "2.0.1+0", key),
        }
        self.public_key = subprocess.check_output(
            self.cli + ["image", "getpub", "-e", "pem", "-k", str(key)], text=True)

    def sign(self, build_dir, version, key):
        out = self.work / ("sample-%s.signed.bin" % version)
        subprocess.check_call(self.cli + [
            "image", "sign", "-k", str(key), "-v", version, "-H", "0x200",
            "-S", hex(self.slot_size), "--align", "4",
            str(build_dir / "zephyr/zephyr.bin"), str(out)], stdout=subprocess.DEVNULL)
        return out


# ---- the server ----------------------------------------------------------------

class Server:
    def __init__(self, jar, work):
        self.jar = jar
        self.work = Path(work)
        self.proc = None

    def start(self):
        data = self.work / "server-data"
        shutil.rmtree(data, ignore_errors=True)
        self.log_file = open(self.work / "server.log", "w")
        self.proc = subprocess.Popen(
            ["java", "-jar", str(self.jar), "--data-dir", str(data),
             "--http-port", str(HTTP_PORT), "--coap-port", str(COAP_PORT),
             "--coaps-port", str(COAP_PORT + 1), "--public-host", HOST_FROM_GUEST],
            stdout=self.log_file, stderr=subprocess.STDOUT)
        wait_until("the server's /health", 120, self.healthy)

    def healthy(self):
        if self.proc.poll() is not None:
            raise TestFailure("the server exited (%d); see %s"
                              % (self.proc.returncode, self.work / "server.log"))
        try:
            return self.request("GET", "/health")[0] == 200
        except OSError:
            return False

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def request(self, method, path, body=None, raw=None, ok=None):
        data, headers = None, {}
        if body is not None:
            data, headers = json.dumps(body).encode(), {"Content-Type": "application/json"}
        elif raw is not None:
            data, headers = raw, {"Content-Type": "application/octet-stream"}
        elif method in ("POST", "PUT", "PATCH"):
            headers = {"Content-Type": "application/json"}  # the API refuses writes of any other type
        token_file = self.work / "server-data" / "admin.token"
        if path.startswith("/api/") and token_file.exists():
            # the admin token the server wrote into its fresh data directory on its first start
            headers["Authorization"] = "Bearer " + token_file.read_text().strip()
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (HTTP_PORT, path),
                                     data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                status, text = resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        value = json.loads(text) if text.strip().startswith(("{", "[")) else text
        if ok is not None and status not in ok:
            raise TestFailure("%s %s answered %d: %s" % (method, path, status, text))
        return status, value

    def resource(self, endpoint, path):
        status, value = self.request(
            "GET", "/api/v1/devices/%s/resources/%s" % (endpoint, path))
        return value.get("value") if status == 200 else None

    def write_resource(self, endpoint, path, value, ok=None):
        return self.request("PUT", "/api/v1/devices/%s/resources/%s" % (endpoint, path),
                            {"value": value}, ok=ok)[0]

    def device(self, endpoint):
        return self.request("GET", "/api/v1/devices/" + endpoint, ok=(200,))[1]

    def set_up_repository(self, firmware):
        self.request("POST", "/api/v1/signing-keys",
                     {"name": "ferry-dev (not for production)",
                      "publicKey": firmware.public_key}, ok=(201,))
        self.request("PUT", "/api/v1/models/" + MODEL, {"slotSize": firmware.slot_size},
                     ok=(200,))
        self.firmware_ids = {}
        self.package_uris = {}
        for version, image in firmware.images.items():
            _, fw = self.request("POST", "/api/v1/firmware?model=" + MODEL,
                                 raw=image.read_bytes(), ok=(201,))
            self.request("POST", "/api/v1/firmware/%d/publish" % fw["id"], ok=(200,))
            self.firmware_ids[version] = fw["id"]
            self.package_uris[version] = "coap://%s:%d/fw/%s" % (HOST_FROM_GUEST, COAP_PORT,
                                                                 fw["sha256"])
            log("  firmware %s for %s: id %d, /fw/%s" % (version, MODEL, fw["id"],
                                                        fw["sha256"]))

    def start_update(self, endpoint, version):
        _, session = self.request(
            "POST", "/api/v1/devices/%s/updates" % endpoint,
            {"firmwareId": self.firmware_ids[version], "delivery": "pull-coap"}, ok=(201,))
        log("  server: update session %d: %s -> firmware %s (pull-coap)"
            % (session["id"], endpoint, version))
        return session["id"]

    def update_session(self, endpoint, session_id):
        return self.request("GET", "/api/v1/devices/%s/updates/%d" % (endpoint, session_id),
                            ok=(200,))[1]

    def wait_session(self, endpoint, session_id, state, failure_reason=None, timeout=120):
        def finished():
            session = self.update_session(endpoint, session_id)
            return session if session["state"] in ("succeeded", "failed", "cancelled") else None
        session = wait_until("update session %d to finish" % session_id, timeout, finished)
        for step in session.get("history", []):
            log("  server: session %d %-11s %s" % (session_id, step.get("state"),
                                                  step.get("detail", "")))
        log("  server: session %d ended %s%s" % (
            session_id, session["state"],
            " (%s)" % session["failureReason"] if session.get("failureReason") else ""))
        if session["state"] != state or session.get("failureReason") != failure_reason:
            raise TestFailure("update session %d ended %s (%s: %s), expected %s (%s)"
                              % (session_id, session["state"], session.get("failureReason"),
                                 session.get("failureDescription"), state, failure_reason))
        return session

    def provision(self, endpoint):
        self.request("DELETE", "/api/v1/devices/" + endpoint)
        self.request("POST", "/api/v1/devices",
                     {"endpoint": endpoint, "security": {"mode": "none"}}, ok=(201,))


# ---- the board ---------------------------------------------------------------

class Console:
    """A device process whose output is logged and matched line by line."""

    def __init__(self, name, work):
        self.name = name
        self.log_path = Path(work) / ("device-%s.log" % name)
        self.lines = []
        self.cursor = 0
        self.cond = threading.Condition()
        self.proc = None

    def spawn(self, cmd, cwd=None):
        self.proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        with open(self.log_path, "w") as out:
            for raw in self.proc.stdout:
                line = ANSI.sub("", raw.decode(errors="replace")).rstrip()
                out.write(line + "\n")
                out.flush()
                with self.cond:
                    self.lines.append(line)
                    self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def expect(self, pattern, timeout=60):
        """Wait for the next line matching pattern; print it; return the match."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                while self.cursor < len(self.lines):
                    line = self.lines[self.cursor]
                    self.cursor += 1
                    if FATAL.search(line):
                        raise TestFailure("%s: %s" % (self.name, line))
                    m = regex.search(line)
                    if m:
                        log("  [%s] %s" % (self.name, line))
                        return m
                remaining = deadline - time.monotonic()
                if self.proc.poll() is not None and self.cursor >= len(self.lines):
                    raise TestFailure("%s exited while waiting for %r" % (self.name, pattern))
                if remaining <= 0:
                    raise TestFailure("%s: no %r within %ds; see %s"
                                      % (self.name, pattern, timeout, self.log_path))
                self.cond.wait(remaining)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Board(Console):
    """mps2/an385 in QEMU: MCUboot as the kernel, the first image in PSRAM."""

    def __init__(self, name, firmware, initial_version, work):
        super().__init__(name, work)
        self.firmware = firmware
        self.image = firmware.images[initial_version]
        self.monitor = Path(work) / ("device-%s.monitor" % name)

    def start(self):
        self.monitor.unlink(missing_ok=True)
        self.spawn(["qemu-system-arm", "-M", "mps2-an385", "-cpu", "cortex-m3",
                    "-display", "none", "-serial", "stdio", "-nic", "user,id=net0",
                    "-monitor", "unix:%s,server=on,wait=off" % self.monitor,
                    "-kernel", str(self.firmware.mcuboot_elf),
                    "-device", "loader,file=%s,addr=%#x,force-raw=on"
                    % (self.image, self.firmware.staging)])

    def monitor_command(self, command):
        """Run a QEMU monitor command; fail on an error reply."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(10)
            s.connect(str(self.monitor))
            self._monitor_prompt(s)
            s.sendall(command.encode() + b"\n")
            # QEMU drops a command whose connection closes before it ran.
            reply = ANSI.sub("", self._monitor_prompt(s).decode(errors="replace"))
        if "rror" in reply:
            raise TestFailure("QEMU monitor: %s: %s" % (command, reply.strip()))

    @staticmethod
    def _monitor_prompt(s):
        seen = b""
        while b"(qemu)" not in seen:
            chunk = s.recv(4096)
            if not chunk:
                raise TestFailure("QEMU monitor closed the connection")
            seen += chunk
        return seen

    def reset(self):
        """Press reset: RAM, and so the emulated flash, keeps its contents."""
        self.monitor_command("system_reset")
        log("  [%s] -- reset --" % self.name)

    def throttle(self, delay_ms):
        """Hold every network packet for up to delay_ms (QEMU filter-buffer)."""
        self.monitor_command("object_add filter-buffer,id=throttle,netdev=net0,interval=%d"
                             % (delay_ms * 1000))
        log("  [%s] -- network throttled: packets held up to %d ms --" % (self.name, delay_ms))

    def unthrottle(self):
        self.monitor_command("object_del throttle")
        log("  [%s] -- network at full speed --" % self.name)


# ---- scenarios ---------------------------------------------------------------

def boot_and_register(server, board, version):
    server.provision(ENDPOINT)
    board.start()
    board.expect(r"installed the initial image")
    board.expect(r"Jumping to the first image slot")
    board.expect(r"ferry: running image %s" % re.escape(version))
    board.expect(r"registered with the server")
    wait_until("the server to see %s run %s" % (ENDPOINT, version), 60,
               lambda: server.device(ENDPOINT).get("firmwareVersion") == version)
    log("  server: %s registered, firmwareVersion %s" % (ENDPOINT, version))


def expect_outcome(server, version, state, result):
    def settled():
        dev = server.device(ENDPOINT)
        return (dev.get("online") and dev.get("firmwareVersion") == version
                and server.resource(ENDPOINT, "5/0/5") == result
                and server.resource(ENDPOINT, "5/0/3") == state
                and dev.get("firmwareUpdate") == {"state": state, "result": result})
    wait_until("the server to see %s with 5/0/3 = %d, 5/0/5 = %d (on the device and in the registry)"
               % (version, state, result), 90, settled)
    log("  server: firmwareVersion %s, 5/0/3 = %d, 5/0/5 = %d" % (version, state, result))


def expect_trial_boot(board, version):
    board.expect(r"ferry: pull complete", timeout=300)
    board.expect(r"rebooting into the new image")
    board.expect(r"Swap type: test")
    board.expect(r"ferry: running image %s \(on trial\)" % re.escape(version))


def scenario_update_confirmed(server, firmware, work):
    board = Board("confirmed", firmware, "1.0.0+0", work)
    try:
        boot_and_register(server, board, "1.0.0+0")
        session = server.start_update(ENDPOINT, "2.0.0+0")
        board.expect(r"ferry: pulling coap://")
        expect_trial_boot(board, "2.0.0+0")
        board.expect(r"registered with the server")
        board.expect(r"image proved healthy: confirming it")
        server.wait_session(ENDPOINT, session, "succeeded")
        expect_outcome(server, "2.0.0+0", 0, 1)
        board.reset()
        board.expect(r"Swap type: none")
        board.expect(r"ferry: running image 2\.0\.0\+0 \(confirmed\)")
        board.expect(r"registered with the server")
    finally:
        board.stop()


def scenario_update_reverted(server, firmware, work):
    board = Board("reverted", firmware, "1.0.0+0", work)
    try:
        boot_and_register(server, board, "1.0.0+0")
        session = server.start_update(ENDPOINT, "2.0.1+0")
        board.expect(r"ferry: pulling coap://")
        expect_trial_boot(board, "2.0.1+0")
        board.expect(r"image failed its trial")
        board.expect(r"Swap type: revert")
        board.expect(r"ferry: running image 1\.0\.0\+0")
        board.expect(r"registered with the server")
        server.wait_session(ENDPOINT, session, "failed", "reverted")
        expect_outcome(server, "1.0.0+0", 0, 8)
    finally:
        board.stop()


def scenario_download_resumes(server, firmware, work):
    board = Board("resume", firmware, "1.0.0+0", work)
    try:
        boot_and_register(server, board, "1.0.0+0")
        # Slow the pull down so that the reset lands in the middle of it.
        board.throttle(50)
        session = server.start_update(ENDPOINT, "2.0.0+0")
        board.expect(r"ferry: pulling coap://")
        board.expect(r"ferry: downloaded 50%", timeout=300)
        board.reset()
        board.expect(r"ferry: running image 1\.0\.0\+0")
        board.expect(r"registered with the server")
        m = board.expect(r"resuming the download of \S+ at byte (\d+)")
        if int(m.group(1)) == 0:
            raise TestFailure("the download restarted from zero instead of resuming")
        board.unthrottle()
        expect_trial_boot(board, "2.0.0+0")
        board.expect(r"image proved healthy: confirming it")
        server.wait_session(ENDPOINT, session, "succeeded")
        expect_outcome(server, "2.0.0+0", 0, 1)
    finally:
        board.stop()


def scenario_package_uri_rewritten(server, firmware, work):
    """Package URI writes during a pull, as the server resets a busy device: a second
    URI is refused, an empty one cancels the pull, and a URI written right after it is
    pulled from byte 0 while the cancelled pull is still stopping."""
    board = Board("rewrite", firmware, "1.0.0+0", work)
    first, second = server.package_uris["2.0.0+0"], server.package_uris["2.0.1+0"]
    try:
        boot_and_register(server, board, "1.0.0+0")
        board.throttle(50)
        server.write_resource(ENDPOINT, "5/0/1", first, ok=(204,))
        log("  server: wrote 5/0/1 = %s" % first)
        board.expect(r"ferry: pulling %s from byte 0" % re.escape(first))
        board.expect(r"ferry: downloaded 25%", timeout=300)
        status = server.write_resource(ENDPOINT, "5/0/1", second)
        if status < 400:
            raise TestFailure("a second package URI during the pull was accepted (%d)" % status)
        log("  server: a second 5/0/1 during the pull is refused (%d)" % status)
        server.write_resource(ENDPOINT, "5/0/1", "", ok=(204,))
        server.write_resource(ENDPOINT, "5/0/1", second, ok=(204,))
        log("  server: wrote 5/0/1 = \"\", then 5/0/1 = %s" % second)
        board.expect(r"ferry: abandoned pull stopped")
        board.expect(r"ferry: pulling %s from byte 0" % re.escape(second))
        board.unthrottle()
        board.expect(r"ferry: pull complete", timeout=300)
        wait_until("the server to read 5/0/3 = 2 (downloaded), 5/0/5 = 0", 60,
                   lambda: (server.resource(ENDPOINT, "5/0/3") == 2
                            and server.resource(ENDPOINT, "5/0/5") == 0))
        log("  server: 5/0/3 = 2, 5/0/5 = 0")
    finally:
        board.stop()


def scenario_native_sim_registers(server, firmware, work):
    """native_sim: LwM2M over the host's sockets, no MCUboot."""
    build = Path(work) / "native_sim"
    cmake_build("sample for native_sim", REPO / "firmware/app", build, [],
                board="native_sim/native/64")
    run_dir = Path(work) / "native_sim-run"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir()
    device = Console("native_sim", work)
    server.provision(ENDPOINT)
    try:
        device.spawn([str(build / "zephyr/zephyr.exe")], cwd=run_dir)
        device.expect(r"ferry: object 5: state 0, result 0")
        device.expect(r"Ferry sample 1\.0\.0\+0 on native_sim")
        device.expect(r"registered with the server")
        dev = wait_until("the server to see %s online" % ENDPOINT, 60,
                         lambda: (lambda d: d if d.get("online") else None)(
                             server.device(ENDPOINT)))
        log("  server: %s online, model %s, firmwareVersion %s"
            % (ENDPOINT, dev.get("model"), dev.get("firmwareVersion")))
        if dev.get("firmwareVersion") != "1.0.0+0":
            raise TestFailure("server sees firmwareVersion %r" % dev.get("firmwareVersion"))
    finally:
        device.stop()


SCENARIOS = {
    "native-sim-registers": scenario_native_sim_registers,
    "update-confirmed": scenario_update_confirmed,
    "update-reverted": scenario_update_reverted,
    "download-resumes": scenario_download_resumes,
    "package-uri-rewritten": scenario_package_uri_rewritten,
}


def find_jar(env, path):
    jar = Path(os.environ.get(env) or REPO / path)
    if not jar.exists():
        log("building the server and CLI (mvn -pl server,tools/cli -am package)")
        subprocess.check_call(["mvn", "-B", "-ntp", "-q", "-pl", "server,tools/cli", "-am",
                               "package", "-DskipTests"], cwd=REPO)
    return jar


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", default=str(REPO / "build/board-tests"),
                        help="build and log directory (default: build/board-tests)")
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO",
                        help="any of %s (default: all)" % ", ".join(SCENARIOS))
    args = parser.parse_args()
    unknown = [s for s in args.scenarios if s not in SCENARIOS]
    if unknown:
        parser.error("unknown scenario %s; choose from %s"
                     % (", ".join(unknown), ", ".join(SCENARIOS)))

    reason = skip_reason()
    if reason:
        print("SKIP: " + reason)
        return 0
    enter_private_network()

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    server_jar = find_jar("FERRY_SERVER_JAR", "server/target/ferry-server.jar")
    cli = ["java", "-jar", str(find_jar("FERRY_CLI_JAR", "tools/cli/target/ferry-cli.jar"))]

    log("== building MCUboot and the sample for %s in %s" % (BOARD, work))
    firmware = Firmware(work, cli)
    firmware.build()
    for version, image in firmware.images.items():
        log("  signed %s: %s (%d bytes)" % (version, image.name, image.stat().st_size))

    server = Server(server_jar, work)
    failures = []
    try:
        log("== starting the Ferry server")
        server.start()
        server.set_up_repository(firmware)
        for name in args.scenarios or list(SCENARIOS):
            log("== %s" % name)
            started = time.monotonic()
            try:
                SCENARIOS[name](server, firmware, work)
                log("PASS %s (%.0f s)" % (name, time.monotonic() - started))
            except TestFailure as e:
                log("FAIL %s: %s" % (name, e))
                failures.append(name)
    except TestFailure as e:
        log("FAIL: %s" % e)
        failures.append("setup")
    finally:
        server.stop()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
