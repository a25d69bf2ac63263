/* The storage benchmark's guest (docs/benchmarks.md, "Storage"): /init of its
 * own initramfs, natively and under Opal alike (scripts/bench_storage.py).
 * It loads the virtio modules, reads its orders from the disk's first 4 KiB,
 * runs the phases they name on /dev/vda with O_DIRECT (sequential write +
 * fdatasync, sequential read, 4 KiB random reads, every byte read checked)
 * and on the consoles (lines to hvc0, lines to ttyAMA0), prints one
 * `LINUXBLK name count ns check N` line and one `LINUXBLK stats` line per
 * phase, and powers off. */
#include "common.h"
#include "core/format.h"
#include "core/string.h"
#include "runtime/mem.h"
#include "smp.h"

void bench_main(const long *stack, uint64_t entry_count);

/* The disk, as scripts/bench_storage.py lays it out: its orders in the first
 * 4 KiB, the data area from 1 MiB on. */
#define ORDERS_SIZE   4096u
#define DATA_OFFSET   (1u << 20)
#define DATA_SIZE     (64u << 20)
#define CHUNK         (1u << 20)                /* one sequential write or read */
#define BLOCK         4096u                     /* one random read */
#define RANDOM_READS  4096u
#define LINE_SIZE     64u                       /* one console line, newline included */
#define MAX_LINES     10000u

enum {
    SYS_READ = 3, SYS_FDATASYNC = 148, SYS_PREAD64 = 180, SYS_PWRITE64 = 181,
    SYS_FINIT_MODULE = 379,
};
#define O_RDONLY    0
#define O_RDWR      2
#define O_DIRECT    0200000                     /* ARM's value */
#define O_LARGEFILE 0400000

/* What one phase cost the guest's block layer and interrupt handling: from
 * /sys/block/vda/stat and /proc/interrupts, before and after. */
struct disk_stats {
    uint32_t reads, writes, flushes, sectors_read, sectors_written, irqs;
};

static uint64_t slowest;        /* the phase's longest request, ns */
static uint32_t times[RANDOM_READS];   /* the phase's request times, ns */
static uint32_t timed_count;
static char *buffer;            /* CHUNK bytes, page-aligned: O_DIRECT's */
static long disk = -1;
static struct disk_stats stats_now;

/* The pattern the data area holds after the write: each 32-bit word its
 * byte offset mixed with a constant, so a read of the wrong place, of stale
 * or of zeroed data fails the check. */
static uint32_t pattern(uint32_t offset)
{
    return (offset * 0x9e3779b1u) ^ 0x5a17e0d5u;
}

static void fill(uint32_t *words, uint32_t offset, uint32_t bytes)
{
    for (uint32_t i = 0; i < bytes / 4; i++)
        words[i] = pattern(offset + 4 * i);
}

/* Words that differ from the pattern. */
static uint32_t mismatches(const uint32_t *words, uint32_t offset, uint32_t bytes)
{
    uint32_t wrong = 0;
    for (uint32_t i = 0; i < bytes / 4; i++)
        wrong += words[i] != pattern(offset + 4 * i);
    return wrong;
}

static uint64_t now_ns(void)
{
    struct timespec64 t;
    monotonic(&t);
    return nanoseconds(&t);
}

/* Adds one request's time to the phase's and keeps the slowest. */
static void timed(uint64_t *ns, uint64_t start)
{
    uint64_t took = now_ns() - start;
    *ns += took;
    slowest = took > slowest ? took : slowest;
    if (timed_count < RANDOM_READS)
        times[timed_count++] = took < 0xffffffffu ? (uint32_t)took : 0xffffffffu;
}

/* The median request time: unlike the sum, it is not moved by the few
 * requests whose completion QEMU delivered after the guest idled (then
 * -icount jumps to the next timer: docs/benchmarks.md). Shell sort. */
static uint64_t median(void)
{
    uint32_t n = timed_count;
    for (uint32_t gap = n / 2; gap > 0; gap /= 2)
        for (uint32_t i = gap; i < n; i++)
            for (uint32_t j = i; j >= gap && times[j - gap] > times[j]; j -= gap) {
                uint32_t t = times[j];
                times[j] = times[j - gap];
                times[j - gap] = t;
            }
    return n ? times[n / 2] : 0;
}

/* pread64/pwrite64 (EABI: the 64-bit offset in r4:r5, r3 padding). */
static long transfer(int write, void *data, uint32_t bytes, uint64_t offset)
{
    return linux_syscall(disk, (long)data, bytes, 0, (long)(uint32_t)offset,
                         (long)(offset >> 32), write ? SYS_PWRITE64 : SYS_PREAD64);
}

/* --- the guest's own counts ------------------------------------------- */

/* A small file read whole into `text` (NUL-terminated); its length or -1. */
static long read_file(const char *path, char *text, uint32_t size)
{
    long fd = sys3(SYS_OPEN, path, O_RDONLY, 0), total = 0, got;
    if (fd < 0)
        return -1;
    while (total < (long)size - 1 && (got = sys3(SYS_READ, fd, text + total,
                                                 size - 1 - total)) > 0)
        total += got;
    sys3(SYS_CLOSE, fd, 0, 0);
    text[total] = 0;
    return total;
}

/* The first occurrence of `word` in `text`, or 0. */
static const char *find(const char *text, const char *word)
{
    size_t length = core_strlen(word);
    for (; *text; text++)
        if (core_strncmp(text, word, length) == 0)
            return text;
    return 0;
}

static const char *skip_number(const char *p, uint32_t *value)
{
    while (*p == ' ' || *p == '\t')
        p++;
    uint32_t v = 0;
    while (*p >= '0' && *p <= '9')
        v = v * 10 + (uint32_t)(*p++ - '0');
    *value = v;
    return p;
}

/* The interrupts of every virtio transport (disk and console), CPU 0's column:
 * lines "NN:  count  GIC-0  NN Level  virtioK". */
static uint32_t virtio_irqs(void)
{
    static char text[4096];
    uint32_t total = 0;
    if (read_file("/proc/interrupts", text, sizeof text) < 0)
        return 0;
    for (char *line = text; *line;) {
        char *end = line;
        while (*end && *end != '\n')
            end++;
        char saved = *end;
        *end = 0;
        char *colon = line;
        while (*colon && *colon != ':')
            colon++;
        if (*colon && find(colon, "virtio")) {
            uint32_t count;
            skip_number(colon + 1, &count);
            total += count;
        }
        *end = saved;
        line = saved ? end + 1 : end;
    }
    return total;
}

static struct disk_stats disk_stats(void)
{
    static char text[512];
    uint32_t field[17] = { 0 };
    struct disk_stats s = { 0 };
    if (read_file("/sys/block/vda/stat", text, sizeof text) > 0) {
        const char *p = text;
        for (unsigned i = 0; i < 17; i++)
            p = skip_number(p, &field[i]);
    }
    /* Documentation/block/stat.rst: read I/Os, merges, sectors, ticks;
     * write I/Os, merges, sectors, ticks; in flight, io ticks, queue time;
     * discards (4); flush I/Os, flush ticks. */
    s.reads = field[0];
    s.sectors_read = field[2];
    s.writes = field[4];
    s.sectors_written = field[6];
    s.flushes = field[15];
    s.irqs = virtio_irqs();
    return s;
}

/* Prints the phase's figure and what it cost the guest's block layer. It
 * marks the phase's end for the plugin first (run() marks its start). */
static void report(const char *name, uint32_t count, uint64_t ns, uint32_t check)
{
    bench_marker();
    struct disk_stats before = stats_now, after = disk_stats();
    emit("LINUXBLK %s %u %llu check %u median %llu slowest %llu\n", name, count,
         (unsigned long long)ns, check, (unsigned long long)median(), (unsigned long long)slowest);
    slowest = 0;
    timed_count = 0;
    emit("LINUXBLK stats %s reads %u writes %u flushes %u sectors-read %u sectors-written %u "
         "irqs %u\n", name, after.reads - before.reads, after.writes - before.writes,
         after.flushes - before.flushes, after.sectors_read - before.sectors_read,
         after.sectors_written - before.sectors_written, after.irqs - before.irqs);
    /* The lines just printed are the console's, not the next phase's. */
    stats_now = disk_stats();
}

/* --- the phases: each returns its check, 0 when all went right ---------- */
/* Only the system calls are timed: filling and checking the buffer would
 * add the same time natively and under Opal and flatten the ratio. */

static uint32_t sequential(int write, uint64_t *ns)
{
    uint32_t failures = 0;
    *ns = 0;
    for (uint32_t done = 0; done < DATA_SIZE; done += CHUNK) {
        if (write)
            fill((uint32_t *)buffer, done, CHUNK);
        uint64_t start = now_ns();
        long moved = transfer(write, buffer, CHUNK, DATA_OFFSET + done);
        timed(ns, start);
        if (moved != CHUNK)
            failures++;
        else if (!write)
            failures += mismatches((uint32_t *)buffer, done, CHUNK) != 0;
    }
    return failures;
}

/* The write's flush: with O_DIRECT the data is at the device already, so
 * this is one FLUSH request. */
static uint32_t flush(uint64_t *ns)
{
    uint64_t start = now_ns();
    uint32_t failures = sys3(SYS_FDATASYNC, disk, 0, 0) != 0;
    *ns = 0;
    timed(ns, start);
    return failures;
}

/* RANDOM_READS 4 KiB reads at blocks an xorshift generator picks. */
static uint32_t random_reads(uint64_t *ns)
{
    uint32_t x = 2463534242u, failures = 0;
    *ns = 0;
    for (uint32_t i = 0; i < RANDOM_READS; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        uint32_t offset = (x % (DATA_SIZE / BLOCK)) * BLOCK;
        uint64_t start = now_ns();
        long moved = transfer(0, buffer, BLOCK, DATA_OFFSET + offset);
        timed(ns, start);
        failures += moved != BLOCK || mismatches((uint32_t *)buffer, offset, BLOCK) != 0;
    }
    return failures;
}

/* `lines` lines of LINE_SIZE bytes to a console, each one write and drained
 * (tcdrain) before the next: what one line of output costs. */
static uint32_t console_lines(const char *path, const char *name, uint32_t lines, uint64_t *ns)
{
    char line[LINE_SIZE + 1];
    uint32_t failures = 0;
    long fd = sys3(SYS_OPEN, path, O_WRONLY, 0);
    *ns = 0;
    if (fd < 0)
        return lines;
    for (uint32_t i = 0; i < lines; i++) {
        int length = format_string(line, sizeof line, "LINUXBLK %s line %5u ", name, i);
        memset(line + length, '.', LINE_SIZE - 1 - length);
        line[LINE_SIZE - 1] = '\n';
        uint64_t start = now_ns();
        failures += sys3(SYS_WRITE, fd, line, LINE_SIZE) != LINE_SIZE;
        sys3(SYS_IOCTL, fd, TCSBRK, 1);
        timed(ns, start);
    }
    sys3(SYS_CLOSE, fd, 0, 0);
    return failures;
}

/* --- setting up ------------------------------------------------------- */

static int load_module(const char *path)
{
    long fd = sys3(SYS_OPEN, path, O_RDONLY, 0);
    if (fd < 0)
        return 0;
    long error = sys3(SYS_FINIT_MODULE, fd, "", 0);
    sys3(SYS_CLOSE, fd, 0, 0);
    return error == 0;
}

/* proc, sysfs and devtmpfs; the virtio modules in dependency order
 * (virtio and virtio_ring are built into Debian's kernel); /dev/vda. */
static int setup(void)
{
    static const char *const modules[] = {
        "/lib/modules/virtio_mmio.ko", "/lib/modules/virtio_blk.ko",
        "/lib/modules/virtio_console.ko",
    };
    sys3(SYS_MKDIR, "/proc", 0755, 0);
    sys3(SYS_MKDIR, "/sys", 0755, 0);
    sys3(SYS_MKDIR, "/dev", 0755, 0);
    linux_syscall((long)"proc", (long)"/proc", (long)"proc", 0, 0, 0, SYS_MOUNT);
    linux_syscall((long)"sysfs", (long)"/sys", (long)"sysfs", 0, 0, 0, SYS_MOUNT);
    linux_syscall((long)"devtmpfs", (long)"/dev", (long)"devtmpfs", 0, 0, 0, SYS_MOUNT);
    for (unsigned i = 0; i < sizeof modules / sizeof modules[0]; i++)
        if (!load_module(modules[i])) {
            emit("LINUXBLK FAIL cannot load %s\n", modules[i]);
            return 0;
        }
    /* The disk's node is made before finit_module returns (the probe and
     * devtmpfs are synchronous), so there is no waiting. */
    disk = sys3(SYS_OPEN, "/dev/vda", O_RDWR | O_DIRECT | O_LARGEFILE, 0);
    buffer = (char *)touch_fresh_pages(CHUNK, 0);
    if (disk < 0 || !buffer) {
        emit("LINUXBLK FAIL /dev/vda %ld buffer %p\n", disk, buffer);
        return 0;
    }
    return 1;
}

/* The orders (the disk's first 4 KiB, written by the script):
 * "OPALSTORAGE <phase> <phase> ... lines=N\n"; phases write, read, random,
 * hvc, uart. Whether `name` is among them. */
static int ordered(const char *orders, const char *name)
{
    size_t length = core_strlen(name);
    for (const char *p = orders; (p = find(p, name)); p += length)
        if (p[-1] == ' ' && (p[length] == ' ' || p[length] == '\n'))
            return 1;
    return 0;
}

static uint32_t ordered_lines(const char *orders)
{
    const char *p = find(orders, "lines=");
    uint32_t lines = 0;
    if (p)
        skip_number(p + 6, &lines);
    return lines < MAX_LINES ? lines : MAX_LINES;
}

static uint32_t run(const char *orders)
{
    uint32_t failed = 0, check, lines = ordered_lines(orders);
    uint64_t ns;
    stats_now = disk_stats();
    if (ordered(orders, "write")) {
        bench_marker();
        check = sequential(1, &ns);
        report("seq_write", DATA_SIZE / CHUNK, ns, check);
        failed += check;
        bench_marker();
        check = flush(&ns);
        report("fdatasync", 1, ns, check);
        failed += check;
    }
    if (ordered(orders, "read")) {
        bench_marker();
        check = sequential(0, &ns);
        report("seq_read", DATA_SIZE / CHUNK, ns, check);
        failed += check;
    }
    if (ordered(orders, "random")) {
        bench_marker();
        check = random_reads(&ns);
        report("rand_read", RANDOM_READS, ns, check);
        failed += check;
    }
    if (ordered(orders, "hvc")) {
        bench_marker();
        check = console_lines("/dev/hvc0", "hvc0", lines, &ns);
        report("hvc_lines", lines, ns, check);
        failed += check;
    }
    if (ordered(orders, "uart")) {
        bench_marker();
        check = console_lines("/dev/ttyAMA0", "ttyAMA0", lines, &ns);
        report("uart_lines", lines, ns, check);
        failed += check;
    }
    return failed;
}

void bench_main(const long *stack, uint64_t entry_count)
{
    (void)stack;
    (void)entry_count;
    if (setup()) {
        /* The orders are read like the data: O_DIRECT, from the device. */
        long got = transfer(0, buffer, ORDERS_SIZE, 0);
        buffer[ORDERS_SIZE - 1] = 0;
        if (got != ORDERS_SIZE || core_memcmp(buffer, "OPALSTORAGE ", 12) != 0) {
            emit("LINUXBLK FAIL no orders on the disk (%ld)\n", got);
        } else {
            static char orders[ORDERS_SIZE];
            memcpy(orders, buffer, ORDERS_SIZE);
            emit("LINUXBLK orders %s", orders + 12);
            emit("LINUXBLK done failures %u\n", run(orders));
        }
    }
    sys3(SYS_REBOOT, REBOOT_MAGIC1, REBOOT_MAGIC2, REBOOT_POWER_OFF);
    for (;;)
        sys3(SYS_EXIT, 0, 0, 0);
}
