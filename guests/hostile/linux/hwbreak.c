/* hwbreak: an unprivileged Linux process arms hardware breakpoints and
 * watchpoints at addresses that belong to Opal's native tasks and init, the
 * way any user of the guest can: PTRACE_SETHBPREGS on its own child
 * (tests/system/test_isolation.py, docs/testing.md).
 *
 *   hwbreak SECONDS b:ADDRESS... w:ADDRESS...
 *
 * It drops to uid/gid 1000, maps the addresses' pages in its own address
 * space (they are free in a Linux process: native programs live at 4 MiB),
 * forks a child that stops itself under PTRACE_TRACEME, arms an execute
 * breakpoint at each b: address and a write watchpoint at each w: address
 * (user privilege, as Linux allows), and lets the child spin for SECONDS
 * with them armed while the native tasks run beside the VM. Then the child
 * executes each breakpoint address and writes each watched word: in a
 * system that isolates debug state, each must stop the child with SIGTRAP
 * inside the guest, and nothing may happen anywhere else. One line per
 * event; the last says how many fired. */
#include <stdarg.h>
#include <stdint.h>
#include "core/format.h"

long linux_syscall(long a, long b, long c, long d, long e, long f, long number);
long hwbreak_main(const long *stack);
extern const uint32_t hwbreak_return_insn;

#define SYS(number, a, b, c, d, e, f) \
    linux_syscall((long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f), number)
enum {
    SYS_EXIT = 1, SYS_FORK = 2, SYS_WRITE = 4, SYS_GETPID = 20, SYS_PTRACE = 26,
    SYS_KILL = 37, SYS_WAIT4 = 114, SYS_PRCTL = 172, SYS_MMAP2 = 192, SYS_GETUID32 = 199,
    SYS_GETGID32 = 200, SYS_SETUID32 = 213, SYS_SETGID32 = 214, SYS_CACHEFLUSH = 0xf0002,
};
enum {
    PTRACE_TRACEME = 0, PTRACE_CONT = 7, PTRACE_KILL = 8, PTRACE_GETHBPREGS = 29,
    PTRACE_SETHBPREGS = 30, PTRACE_GETSIGINFO = 0x4202,
};
#define SIGTRAP 5
#define SIGSTOP 19
#define WALL 0x40000000                /* __WALL */
#define PR_SET_DUMPABLE 4
#define PROT_RWX 7
#define MAP_PRIVATE_ANONYMOUS_FIXED_NOREPLACE (0x02 | 0x20 | 0x100000)
#define PAGE 4096u
#define MAX_RANGE (16u << 20)
#define UNPRIVILEGED_ID 1000
#define TRAP_HWBKPT 4

/* Linux's arch_hw_breakpoint_ctrl, encoded (arch/arm/include/asm/
 * hw_breakpoint.h): enable bit 0, privilege bits 1-2 (2 = user), type bits
 * 3-4 (0 execute, 2 store), byte-address-select length bits 5-12 (0xf: a
 * word). The disabled forms keep a valid length and type, which Linux
 * checks even when the slot is switched off. */
#define CTRL_ENABLE 1u
#define CTRL_USER (2u << 1)
#define CTRL_LEN_4 (0xfu << 5)
#define BREAKPOINT_CTRL (CTRL_LEN_4 | (0u << 3) | CTRL_USER)
#define WATCHPOINT_CTRL (CTRL_LEN_4 | (2u << 3) | CTRL_USER)

#define MAX_POINTS 16
static uint32_t breakpoints[MAX_POINTS], watchpoints[MAX_POINTS];
static unsigned breakpoint_count, watchpoint_count;
static int breakpoint_fired[MAX_POINTS], watchpoint_fired[MAX_POINTS];

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char line[160];
    va_list args;
    va_start(args, fmt);
    int length = format_string_v(line, sizeof line, fmt, args);
    va_end(args);
    if (length > (int)sizeof line - 1)
        length = (int)sizeof line - 1;
    SYS(SYS_WRITE, 1, line, length, 0, 0, 0);
}

static int parse_hex(const char *text, uint32_t *value)
{
    uint32_t result = 0;
    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
        text += 2;
    if (!*text)
        return 0;
    for (; *text; text++) {
        char c = *text;
        uint32_t digit = c >= '0' && c <= '9' ? (uint32_t)(c - '0')
                       : c >= 'a' && c <= 'f' ? (uint32_t)(c - 'a' + 10)
                       : c >= 'A' && c <= 'F' ? (uint32_t)(c - 'A' + 10) : 16u;
        if (digit > 15 || result >> 28)
            return 0;
        result = result << 4 | digit;
    }
    *value = result;
    return 1;
}

static int parse_decimal(const char *text, uint32_t *value)
{
    uint32_t result = 0;
    if (!*text)
        return 0;
    for (; *text; text++) {
        if (*text < '0' || *text > '9' || result > 100000)
            return 0;
        result = result * 10 + (uint32_t)(*text - '0');
    }
    *value = result;
    return 1;
}

static uint64_t counter(void)
{
    uint32_t low, high;
    __asm__ volatile("isb\n mrrc p15, 1, %0, %1, c14" : "=r"(low), "=r"(high));
    return (uint64_t)high << 32 | low;
}

static uint32_t counter_frequency(void)
{
    uint32_t frequency;
    __asm__ volatile("mrc p15, 0, %0, c14, c0, 0" : "=r"(frequency));
    return frequency;
}

/* The child: stop for the parent to arm its debug registers, spin with
 * them armed (user code that is none of the addresses), then touch every
 * address once. */
static void child(uint32_t seconds)
{
    SYS(SYS_PTRACE, PTRACE_TRACEME, 0, 0, 0, 0, 0);
    SYS(SYS_KILL, SYS(SYS_GETPID, 0, 0, 0, 0, 0, 0), SIGSTOP, 0, 0, 0, 0);
    uint64_t end = counter() + (uint64_t)seconds * counter_frequency();
    while (counter() < end)
        ;
    for (unsigned i = 0; i < breakpoint_count; i++)
        ((void (*)(void))(uintptr_t)breakpoints[i])();
    for (unsigned i = 0; i < watchpoint_count; i++)
        *(volatile uint32_t *)(uintptr_t)watchpoints[i] = 0x600d0000u + i;
    SYS(SYS_EXIT, 0, 0, 0, 0, 0, 0);
}

/* The addresses' pages, mapped read-write-execute in this process (the
 * child inherits them), with a `bx lr` at each breakpoint address. */
static int map_targets(void)
{
    uint32_t low = UINT32_MAX, high = 0;
    for (unsigned i = 0; i < breakpoint_count + watchpoint_count; i++) {
        uint32_t address = i < breakpoint_count ? breakpoints[i]
                                                : watchpoints[i - breakpoint_count];
        if (address < low)
            low = address;
        if (address > high)
            high = address;
    }
    low &= ~(PAGE - 1);
    high = (high | (PAGE - 1)) + 1;
    if (high - low > MAX_RANGE) {
        say("hwbreak: FAIL the addresses span more than 16 MiB\n");
        return 0;
    }
    long mapped = SYS(SYS_MMAP2, low, high - low, PROT_RWX,
                      MAP_PRIVATE_ANONYMOUS_FIXED_NOREPLACE, -1, 0);
    if (mapped != (long)low) {
        say("hwbreak: FAIL mapping 0x%08x-0x%08x: error %ld\n", (unsigned)low, (unsigned)high,
            mapped);
        return 0;
    }
    for (unsigned i = 0; i < breakpoint_count; i++)
        *(volatile uint32_t *)(uintptr_t)breakpoints[i] = hwbreak_return_insn;
    SYS(SYS_CACHEFLUSH, low, high, 0, 0, 0, 0);
    return 1;
}

static long set_register(long pid, long number, uint32_t value)
{
    return SYS(SYS_PTRACE, PTRACE_SETHBPREGS, pid, number, &value, 0, 0);
}

/* Breakpoint i is register pair (2i+1, 2i+2), watchpoint i is
 * (-(2i+1), -(2i+2)): address first, then the control word. */
static int arm_all(long pid)
{
    uint32_t info = 0;
    long error = SYS(SYS_PTRACE, PTRACE_GETHBPREGS, pid, 0, &info, 0, 0);
    unsigned slots_b = info & 0xff, slots_w = (info >> 8) & 0xff;
    say("hwbreak: debug hardware: %u breakpoints %u watchpoints (debug architecture %u, "
        "error %ld)\n", slots_b, slots_w, (unsigned)(info >> 24), error);
    for (unsigned i = 0; i < breakpoint_count; i++) {
        long number = (long)i * 2 + 1;
        if ((error = set_register(pid, number, breakpoints[i])) ||
            (error = set_register(pid, number + 1, BREAKPOINT_CTRL | CTRL_ENABLE))) {
            say("hwbreak: FAIL arming breakpoint %u at 0x%08x: error %ld\n", i,
                (unsigned)breakpoints[i], error);
            return 0;
        }
    }
    for (unsigned i = 0; i < watchpoint_count; i++) {
        long number = -((long)i * 2 + 1);
        if ((error = set_register(pid, number, watchpoints[i])) ||
            (error = set_register(pid, number - 1, WATCHPOINT_CTRL | CTRL_ENABLE))) {
            say("hwbreak: FAIL arming watchpoint %u at 0x%08x: error %ld\n", i,
                (unsigned)watchpoints[i], error);
            return 0;
        }
    }
    say("hwbreak: armed %u breakpoints %u watchpoints\n", breakpoint_count, watchpoint_count);
    return 1;
}

/* A SIGTRAP stop: which slot fired (si_errno carries its register number,
 * si_addr the pc or the data address); switch that slot off so the child
 * can go on. */
static void trapped(long pid)
{
    int32_t info[32] = { 0 };
    SYS(SYS_PTRACE, PTRACE_GETSIGINFO, pid, 0, info, 0, 0);
    long number = info[1];
    uint32_t address = (uint32_t)info[3];
    if (info[2] != TRAP_HWBKPT) {
        say("hwbreak: FAIL SIGTRAP with si_code %d, not a hardware breakpoint\n", (int)info[2]);
        return;
    }
    if (number > 0 && (unsigned)(number - 1) / 2 < breakpoint_count) {
        unsigned i = (unsigned)(number - 1) / 2;
        breakpoint_fired[i]++;
        say("hwbreak: breakpoint at 0x%08x fired in the guest at 0x%08x\n",
            (unsigned)breakpoints[i], (unsigned)address);
        set_register(pid, number + 1, BREAKPOINT_CTRL);
    } else if (number < 0 && (unsigned)(-number - 1) / 2 < watchpoint_count) {
        unsigned i = (unsigned)(-number - 1) / 2;
        watchpoint_fired[i]++;
        say("hwbreak: watchpoint at 0x%08x fired in the guest at 0x%08x\n",
            (unsigned)watchpoints[i], (unsigned)address);
        set_register(pid, number - 1, WATCHPOINT_CTRL);
    } else {
        say("hwbreak: FAIL SIGTRAP for register %ld, none of ours\n", number);
    }
}

static long wait_child(long pid, int *status)
{
    return SYS(SYS_WAIT4, pid, status, WALL, 0, 0, 0);
}

/* SECONDS b:ADDRESS... w:ADDRESS...: false (and a usage line) if wrong. */
static int parse_arguments(long argc, char *const *argv, uint32_t *seconds)
{
    if (argc < 3 || !parse_decimal(argv[1], seconds) || *seconds > 60) {
        say("usage: hwbreak SECONDS b:ADDRESS... w:ADDRESS...\n");
        return 0;
    }
    for (long i = 2; i < argc; i++) {
        const char *word = argv[i];
        uint32_t address;
        int breakpoint = word[0] == 'b', watchpoint = word[0] == 'w';
        if ((!breakpoint && !watchpoint) || word[1] != ':' || !parse_hex(word + 2, &address) ||
            (address & 3) || (breakpoint ? breakpoint_count : watchpoint_count) == MAX_POINTS) {
            say("hwbreak: bad argument %s\n", word);
            return 0;
        }
        if (breakpoint)
            breakpoints[breakpoint_count++] = address;
        else
            watchpoints[watchpoint_count++] = address;
    }
    return 1;
}

/* Unprivileged from here on: what any user of the guest may do. Still
 * dumpable, so this uid may trace its own child. */
static int drop_privileges(void)
{
    if (SYS(SYS_SETGID32, UNPRIVILEGED_ID, 0, 0, 0, 0, 0) ||
        SYS(SYS_SETUID32, UNPRIVILEGED_ID, 0, 0, 0, 0, 0)) {
        say("hwbreak: FAIL cannot drop to uid %d\n", UNPRIVILEGED_ID);
        return 0;
    }
    SYS(SYS_PRCTL, PR_SET_DUMPABLE, 1, 0, 0, 0, 0);
    say("hwbreak: running as uid %ld gid %ld\n", SYS(SYS_GETUID32, 0, 0, 0, 0, 0, 0),
        SYS(SYS_GETGID32, 0, 0, 0, 0, 0, 0));
    return 1;
}

/* The child, stopped under PTRACE_TRACEME: its pid, or 0. */
static long start_child(uint32_t seconds)
{
    long pid = SYS(SYS_FORK, 0, 0, 0, 0, 0, 0);
    if (pid == 0)
        child(seconds);
    if (pid < 0) {
        say("hwbreak: FAIL fork: error %ld\n", pid);
        return 0;
    }
    int status = 0;
    if (wait_child(pid, &status) != pid || (status & 0xff) != 0x7f ||
        ((status >> 8) & 0xff) != SIGSTOP) {
        say("hwbreak: FAIL the child did not stop (status 0x%x)\n", (unsigned)status);
        return 0;
    }
    return pid;
}

/* Let the armed child run to its end, noting each SIGTRAP; false if it
 * could not be waited for. */
static int run_child(long pid)
{
    int status = 0;
    SYS(SYS_PTRACE, PTRACE_CONT, pid, 0, 0, 0, 0);
    for (;;) {
        if (wait_child(pid, &status) != pid) {
            say("hwbreak: FAIL waiting for the child\n");
            return 0;
        }
        if ((status & 0xff) != 0x7f)            /* not stopped: it ended */
            break;
        int signal = (status >> 8) & 0xff;
        if (signal == SIGTRAP)
            trapped(pid);
        else
            say("hwbreak: the child stopped with signal %d\n", signal);
        SYS(SYS_PTRACE, PTRACE_CONT, pid, 0, signal == SIGTRAP ? 0 : signal, 0, 0);
    }
    if ((status & 0x7f) != 0)
        say("hwbreak: FAIL the child was killed by signal %d\n", status & 0x7f);
    return 1;
}

/* The verdict: every breakpoint and watchpoint fired once, in the guest. */
static long report(void)
{
    unsigned fired_b = 0, fired_w = 0;
    for (unsigned i = 0; i < breakpoint_count; i++)
        fired_b += breakpoint_fired[i] == 1;
    for (unsigned i = 0; i < watchpoint_count; i++)
        fired_w += watchpoint_fired[i] == 1;
    say("hwbreak: result: %u of %u breakpoints and %u of %u watchpoints fired once in the "
        "guest\n", fired_b, breakpoint_count, fired_w, watchpoint_count);
    return fired_b == breakpoint_count && fired_w == watchpoint_count ? 0 : 1;
}

long hwbreak_main(const long *stack)
{
    uint32_t seconds = 0;
    if (!parse_arguments(stack[0], (char *const *)(stack + 1), &seconds))
        return 2;
    if (!drop_privileges() || !map_targets())
        return 1;
    long pid = start_child(seconds);
    if (pid == 0)
        return 1;
    if (!arm_all(pid)) {
        int status;
        SYS(SYS_PTRACE, PTRACE_KILL, pid, 0, 0, 0, 0);
        wait_child(pid, &status);
        return 1;
    }
    say("hwbreak: the child spins for %u s with them armed\n", (unsigned)seconds);
    return run_child(pid) ? report() : 1;
}
