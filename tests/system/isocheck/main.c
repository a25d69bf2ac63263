/* isocheck: a native task that looks, at PL0, for CPU state a hostile guest
 * left behind (guests/hostile/main.c arms a breakpoint on isocheck's code and
 * a watchpoint on its data, turns the PMU on with user access, writes marker
 * values into TEEHBR and the user thread ID registers). It runs beside that
 * guest (tests/configs/isolation.dts) and prints one line per check,
 * `isocheck: <check>: ok ...` or `isocheck: FAIL <check>: ...`.
 *
 * Some probes are supposed to fault once the holes are closed (a PL0 read of
 * PMCCNTR must be undefined), and a fault ends this instance: init reports
 * it with the probe's pc and restarts the task (policy restart). So the
 * checks are phases, and the next phase to run is kept in the channel page
 * shared with the guest, which outlives restarts: each instance records the
 * phase it is about to run before running it, and a restarted instance goes
 * on with the next. tests/system/test_isolation.py matches the faults'
 * pcs to the probes' labels below. */
#include "opal.h"
#include "task_boot.h"
#include "timer.h"

#define ROUNDS 50                 /* calls under the guest's breakpoint */
#define ROUND_MS 20               /* the guest runs between them */
#define PMCR_E (1u << 0)
#define PMCNTEN_CYCLES (1u << 31)

/* What lives in the channel page across this task's restarts. */
struct isocheck_page {
    uint32_t next_phase;
};

/* The guest's targets (guests/hostile reads their addresses from this
 * ELF): a function called and a word written in every round of the debug
 * phase. Not static, not inlined: they must exist at their symbols. */
void __attribute__((noinline)) isocheck_code_target(void);
volatile uint32_t isocheck_data_target;

void __attribute__((noinline)) isocheck_code_target(void)
{
    __asm__ volatile("" ::: "memory");
}

/* The probes: one instruction each at a global label, so a fault's pc
 * names the probe. Each returns what it read when it does not fault. */
#define PROBE(name, instruction)                                             \
    static uint32_t __attribute__((noinline)) name(void)                     \
    {                                                                         \
        uint32_t value;                                                       \
        __asm__ volatile(".global isocheck_" #name "\n"                       \
                         "isocheck_" #name ": " instruction                   \
                         : "=r"(value) :: "memory");                          \
        return value;                                                         \
    }
PROBE(probe_tpidrurw, "mrc p15, 0, %0, c13, c0, 2")
PROBE(probe_tpidruro, "mrc p15, 0, %0, c13, c0, 3")
PROBE(probe_teehbr, "mrc p14, 6, %0, c1, c0, 0")
PROBE(probe_pmuserenr, "mrc p15, 0, %0, c9, c14, 0")
PROBE(probe_pmcr, "mrc p15, 0, %0, c9, c12, 0")
PROBE(probe_pmcntenset, "mrc p15, 0, %0, c9, c12, 1")
PROBE(probe_pmccntr, "mrc p15, 0, %0, c9, c13, 0")

static void sleep_ms(uint32_t milliseconds)
{
    uint64_t deadline = opal_counter() +
                        (uint64_t)milliseconds * opal_counter_frequency() / 1000u;
    opal_timer_set(deadline);
    while (opal_counter() < deadline) {
        uint32_t word;
        opal_wait(TASK_SLOT_INTERRUPTS, &word);
        opal_irq_handler_ack(TASK_SLOT_IRQ_FIRST);
    }
    opal_timer_stop();
}

static void check_zero(const char *what, uint32_t value)
{
    if (value == 0)
        printf("isocheck: %s: ok (reads 0)\n", what);
    else
        printf("isocheck: FAIL %s: reads 0x%08x, not 0\n", what, (unsigned)value);
}

static void phase_thread_ids(void)
{
    check_zero("tpidrurw", probe_tpidrurw());
    check_zero("tpidruro", probe_tpidruro());
}

/* The guest's breakpoint and watchpoint are on these: each round must run
 * without a debug exception, while the guest runs between rounds. */
static void phase_debug(void)
{
    for (uint32_t round = 0; round < ROUNDS; round++) {
        isocheck_code_target();
        isocheck_data_target = round;
        sleep_ms(ROUND_MS);
    }
    printf("isocheck: debug: ok (code and data under the guest's breakpoint and watchpoint "
           "used %u times)\n", ROUNDS);
}

/* PL0 must not see the guest's PMU: a read faults (this instance ends,
 * init reports the probe's pc) or, where the architecture lets PL0 read the
 * register, shows nothing the guest set. */
static void phase_teehbr(void) { check_zero("teehbr", probe_teehbr()); }
static void phase_pmuserenr(void) { check_zero("pmuserenr", probe_pmuserenr()); }

static void phase_pmcr(void)
{
    uint32_t value = probe_pmcr();
    if (value & PMCR_E)
        printf("isocheck: FAIL pmcr: reads 0x%08x: the counters are enabled\n",
               (unsigned)value);
    else
        printf("isocheck: pmcr: ok (reads 0x%08x, counters off)\n", (unsigned)value);
}

static void phase_pmcntenset(void)
{
    uint32_t value = probe_pmcntenset();
    if (value & PMCNTEN_CYCLES)
        printf("isocheck: FAIL pmcntenset: reads 0x%08x: the cycle counter runs\n",
               (unsigned)value);
    else
        printf("isocheck: pmcntenset: ok (reads 0x%08x)\n", (unsigned)value);
}

static void phase_pmccntr(void)
{
    uint32_t first = probe_pmccntr();
    sleep_ms(1);
    uint32_t second = probe_pmccntr();
    printf("isocheck: FAIL pmccntr: readable at PL0: 0x%08x then 0x%08x\n", (unsigned)first,
           (unsigned)second);
}

static void (*const phases[])(void) = {
    phase_thread_ids, phase_debug, phase_teehbr, phase_pmuserenr, phase_pmcr,
    phase_pmcntenset, phase_pmccntr,
};
#define PHASES (sizeof phases / sizeof phases[0])

int main(const struct opal_bootinfo *unused)
{
    (void)unused;
    const struct task_boot_info *info = task_start();
    if (info->channel_count < 1 || info->irq_count < 1 || info->irqs[0] != OPAL_TIMER_IRQ) {
        printf("isocheck: FAIL needs a channel (its memory across restarts) and irq %u\n",
               OPAL_TIMER_IRQ);
        return 1;
    }
    opal_timer_stop();
    opal_irq_handler_set_notification(TASK_SLOT_IRQ_FIRST, TASK_SLOT_INTERRUPTS);
    struct isocheck_page *page = (struct isocheck_page *)info->channels[0].address;
    /* Let the guest dirty the CPU first (it says so on the console). */
    if (page->next_phase == 0)
        sleep_ms(200);
    while (page->next_phase < PHASES) {
        uint32_t phase = page->next_phase++;
        printf("isocheck: phase %u\n", (unsigned)phase);
        print_flush();
        phases[phase]();
        print_flush();
    }
    printf("isocheck: done\n");
    print_flush();
    for (;;) {
        uint32_t word;
        opal_wait(TASK_SLOT_CHANNELS, &word);   /* nothing left to do */
    }
}
