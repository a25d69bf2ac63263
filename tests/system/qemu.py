"""Drive an Opal image in QEMU over its serial console, with timeouts.

Every wait has a deadline; a wait that runs out raises AssertionError with
the console output so far, so a test never passes on a timeout."""
import codecs
import os
import re
import subprocess
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def compile_lines(pattern):
    """`pattern` in MULTILINE mode, where `$` means the end of a line that
    has arrived whole: the console may stop in the middle of a line, and a
    plain `$` would match there ("policy ha" for "policy halt")."""
    return re.compile(re.sub(r"(?<!\\)\$", r"(?=\n)", pattern), re.MULTILINE)


class Qemu:
    def __init__(self, image, memory=1024, machine_extra="", extra_args=(), cores=4, disk=None):
        """`disk`: a data disk (raw, writable; scripts/qemu.sh's OPAL_DISK), the
        test's own copy (disk_copy); none when not given."""
        env = dict(os.environ, OPAL_QEMU_MEMORY=str(memory), OPAL_QEMU_CORES=str(cores),
                   OPAL_QEMU_MACHINE_EXTRA=machine_extra, OPAL_DISK=str(disk or ""))
        self.command = [os.path.join(ROOT, "scripts/qemu.sh"), "--test",
                        os.path.join(ROOT, image), *extra_args]
        self.process = subprocess.Popen(self.command, env=env, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.output = ""
        self.position = 0
        self.lock = threading.Condition()
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            chunk = self.process.stdout.read1(4096)
            with self.lock:
                if not chunk:
                    self.lock.notify_all()
                    return
                self.output += self.decoder.decode(chunk).replace("\r", "")
                self.lock.notify_all()

    def expect(self, pattern, timeout=20):
        """Wait for `pattern` (a regex) after the previous match; return the match."""
        regex = compile_lines(pattern)
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                match = regex.search(self.output, self.position)
                if match:
                    self.position = match.end()
                    return match
                left = deadline - time.monotonic()
                if left <= 0 or (not self.reader.is_alive() and self.process.poll() is not None):
                    raise AssertionError(
                        f"timed out after {timeout}s waiting for {pattern!r}; console:\n"
                        + self.output)
                self.lock.wait(min(left, 0.5))

    def send(self, text):
        """Type `text` on the serial console."""
        self.process.stdin.write(text.encode())
        self.process.stdin.flush()

    def wait_exit(self, timeout=30):
        """Wait for QEMU to exit by itself (e.g. a system-off); return its status."""
        try:
            status = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"QEMU still running after {timeout}s; console:\n"
                                 + self.output) from None
        self.reader.join(5)
        return status

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.reader.join(5)


def disk_copy(path, source="build/guests/linux/rootfs.ext4"):
    """A throwaway copy of a pristine disk image (by default the root file
    system, which a VM or a native run sees as a whole disk) at `path`,
    sparse as the original: tests never write to build/'s images."""
    subprocess.run(["cp", "--sparse=always", os.path.join(ROOT, source), str(path)], check=True)
    return path


def data_disk(directory):
    """A fresh data disk (scripts/data-disk.sh: the MBR and a copy of the
    root file system in each partition) in `directory`, as `make` makes
    build/disk.img: what the default system's VMs boot from."""
    path = os.path.join(str(directory), "disk.img")
    subprocess.run([os.path.join(ROOT, "scripts/data-disk.sh"), path,
                    os.path.join(ROOT, "build/guests/linux/rootfs.ext4")],
                   check=True, capture_output=True)
    return path


def disk_layout():
    """The data disk's partitions (scripts/disk-layout.sh): a list of
    (number, start sector, sector count, VM name)."""
    text = subprocess.run([os.path.join(ROOT, "scripts/disk-layout.sh")], check=True,
                          capture_output=True, text=True).stdout
    return [(int(n), int(start), int(count), vm)
            for n, start, count, vm in (line.split() for line in text.splitlines())]


def opal_errors():
    """The error enum as include/opal/error.h defines it: name -> number."""
    text = open(os.path.join(ROOT, "include/opal/error.h")).read()
    return {name: int(value)
            for name, value in re.findall(r"^\s*OPAL_(\w+)\s*=\s*(\d+)", text, re.MULTILINE)}
