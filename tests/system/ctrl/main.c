/* The control-task test's root task: starts apps/ctrl in its own VSpace and
 * CSpace at high priority, then loads the CPU, memory and kernel from
 * low-priority threads so the control task runs against interference.
 *
 * Console lines (checked by tests/system/test_ctrl.py):
 *   ctrl-test: started ctrl, priority P, budget Bus per Tus, load L
 *   load: t=<S>s cpu=<loops> memory=<MiB stored> kernel=<1 MiB retypes>
 * (the load line about once per second of counter time, from the CPU hog,
 * the only thread here that prints after the start). The boot argument
 * `ctrl.load=0` starts no load, for an idle comparison. */
#include "core/string.h"
#include "ctrl/ctrl.h"
#include "opal.h"
#include "process.h"
#include "timer.h"

#define HOG_PRIORITY 1               /* below everything: what is left of the CPU */
#define HOG_STACK_SIZE 4096
#define HOG_BUDGET_US 1000000        /* budget = period: never throttled */
#define MEMORY_HOG_ADDRESS 0x20000000u
#define MEMORY_HOG_FRAMES 2          /* 2 MiB each: 4 MiB stored over and over */
#define MEMORY_HOG_BYTES (MEMORY_HOG_FRAMES << OPAL_FRAME_LARGE_BITS)
#define KERNEL_HOG_IPC_BUFFER 0x30000000u
#define KERNEL_HOG_POOL_BITS 22      /* a 4 MiB untyped ... */
#define KERNEL_HOG_CHILD_BITS 20     /* ... that 1 MiB retypes (zeroing) come from */
#define CACHE_LINE 64

enum hog { CPU_HOG, MEMORY_HOG, KERNEL_HOG, HOGS };

static uint8_t hog_stacks[HOGS][HOG_STACK_SIZE] __attribute__((aligned(8)));
/* Progress, written by each hog, read and printed by the CPU hog only. */
static volatile uint32_t cpu_loops, memory_mib, kernel_retypes;
static uint32_t kernel_pool, kernel_child_slot;

static void check(int error, const char *what)
{
    if (error == OPAL_OK)
        return;
    printf("ctrl-test: %s failed: %s\n", what, opal_error_name(error));
    opal_system_off();
}

/* Stores over the whole area, one word per cache line, forever. */
static void memory_hog(void)
{
    volatile uint32_t *area = (volatile uint32_t *)MEMORY_HOG_ADDRESS;
    for (uint32_t pass = 1;; pass++) {
        for (uint32_t i = 0; i < MEMORY_HOG_BYTES / sizeof *area; i += CACHE_LINE / sizeof *area)
            area[i] = pass;
        memory_mib += MEMORY_HOG_BYTES >> 20;
    }
}

/* Retype 1 MiB (the kernel zeroes it, in preemptible chunks) and revoke it,
 * forever: the kernel is busy on a low-priority thread's behalf. */
static void kernel_hog(void)
{
    for (;;) {
        if (opal_untyped_retype(kernel_pool, OPAL_OBJECT_UNTYPED, KERNEL_HOG_CHILD_BITS,
                                OPAL_CAP_INIT_CNODE, kernel_child_slot, 1) != OPAL_OK ||
            opal_cnode_revoke(OPAL_CAP_INIT_CNODE, kernel_pool) != OPAL_OK)
            opal_exit(1); /* the missing progress shows on the load line */
        kernel_retypes++;
    }
}

/* Arithmetic forever, and the load line once per second of counter time. */
static void cpu_hog(void)
{
    uint32_t frequency = opal_counter_frequency(), seconds = 0;
    uint64_t next_line = opal_counter() + frequency;
    volatile uint32_t sink = 1;
    for (;;) {
        for (int i = 0; i < 1000; i++)
            sink = sink * 1103515245u + 12345u;
        cpu_loops++;
        if (opal_counter() >= next_line) {
            next_line += frequency;
            printf("load: t=%us cpu=%u memory=%u kernel=%u\n", (unsigned)++seconds,
                   (unsigned)cpu_loops, (unsigned)memory_mib, (unsigned)kernel_retypes);
        }
    }
}

/* A thread in this address space at HOG_PRIORITY; `ipc_frame` 0 for none. */
static void start_hog(enum hog hog, void (*entry)(void), uint32_t ipc_address, uint32_t ipc_frame)
{
    uint32_t tcb, context;
    uint8_t *stack_high = hog_stacks[hog] + HOG_STACK_SIZE;
    check(opal_alloc_object(OPAL_OBJECT_TCB, 0, &tcb), "hog TCB");
    check(opal_alloc_object(OPAL_OBJECT_SCHED_CONTEXT, 0, &context), "hog sched context");
    check(opal_tcb_configure(tcb, 0, OPAL_CAP_INIT_CNODE, OPAL_CAP_INIT_VSPACE, ipc_address,
                             ipc_frame), "hog configure");
    check(opal_tcb_set_priority(tcb, OPAL_CAP_INIT_TCB, HOG_PRIORITY), "hog priority");
    check(opal_sched_control_configure(OPAL_CAP_SCHED_CONTROL, context, HOG_BUDGET_US,
                                       HOG_BUDGET_US), "hog budget");
    check(opal_tcb_set_sched_context(tcb, context), "hog sched context binding");
    if (ipc_frame)
        check(opal_ipc_buffer_register(hog_stacks[hog], stack_high,
                                       (struct opal_ipc_buffer *)ipc_address), "hog IPC buffer");
    check(opal_tcb_write_registers(tcb, (uint32_t)entry, (uint32_t)stack_high, 0, 0, 0, 0),
          "hog registers");
    check(opal_tcb_resume(tcb), "hog resume");
}

static void map_new_frame(uint32_t size_bits, uint32_t address, uint32_t *frame)
{
    check(opal_alloc_object(OPAL_OBJECT_FRAME, size_bits, frame), "frame");
    check(process_map_frame(*frame, OPAL_CAP_INIT_VSPACE, address,
                            OPAL_MAP_READ | OPAL_MAP_WRITE), "mapping a frame");
}

static void start_load(void)
{
    uint32_t frame, ipc_frame;
    for (uint32_t i = 0; i < MEMORY_HOG_FRAMES; i++)
        map_new_frame(OPAL_FRAME_LARGE_BITS, MEMORY_HOG_ADDRESS + (i << OPAL_FRAME_LARGE_BITS),
                      &frame);
    /* Retype takes five arguments: the fifth goes through an IPC buffer. */
    map_new_frame(OPAL_FRAME_SMALL_BITS, KERNEL_HOG_IPC_BUFFER, &ipc_frame);
    check(opal_alloc_object(OPAL_OBJECT_UNTYPED, KERNEL_HOG_POOL_BITS, &kernel_pool),
          "kernel hog's untyped");
    kernel_child_slot = opal_alloc_slot();
    start_hog(MEMORY_HOG, memory_hog, 0, 0);
    start_hog(KERNEL_HOG, kernel_hog, KERNEL_HOG_IPC_BUFFER, ipc_frame);
    start_hog(CPU_HOG, cpu_hog, 0, 0);
}

static int load_wanted(const char *cmdline)
{
    const char *off = "ctrl.load=0";
    for (const char *at = cmdline; *at; at++)
        if ((at == cmdline || at[-1] == ' ') && core_strncmp(at, off, core_strlen(off)) == 0)
            return 0;
    return 1;
}

int main(const struct opal_bootinfo *bootinfo)
{
    opal_alloc_init(bootinfo);
    int load = load_wanted(bootinfo->cmdline);
    if (ctrl_start(bootinfo, CTRL_DEFAULT_PERIOD_US, 1) != OPAL_OK)
        opal_system_off();
    printf("ctrl-test: started ctrl, priority %u, budget %uus per %uus, load %s\n",
           CTRL_PRIORITY, CTRL_BUDGET_US, CTRL_BUDGET_PERIOD_US,
           load ? "cpu+memory+kernel" : "none");
    print_flush(); /* from here on only the CPU hog prints */
    if (load)
        start_load();
    uint32_t idle, word;
    check(opal_alloc_object(OPAL_OBJECT_NOTIFICATION, 0, &idle), "notification");
    for (;;)
        opal_wait(idle, &word); /* nobody signals it: the root's work is done */
}
