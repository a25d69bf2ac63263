/* The foundation test root task: deliberate faults, bad syscalls and a
 * spinning thread (threads made from TCB objects), each announced with the
 * values the kernel must report, so tests/system/test_foundation.py can
 * check the kernel's words exactly. */
#include "opal.h"

#define UNMAPPED_ADDRESS 0x30000000u
#define STACK_SIZE 4096

static uint8_t stacks[4][STACK_SIZE] __attribute__((aligned(8)));
static volatile uint32_t spin_counter;

static void *stack_top(unsigned index)
{
    return stacks[index] + STACK_SIZE;
}

/* Each faulting routine is assembly so its faulting instruction's address
 * is a known symbol. */
void fault_data_abort(uint32_t address);
void fault_undefined(uint32_t unused);
void fault_unknown_syscall(uint32_t unused);
extern char fault_data_abort_pc[], fault_undefined_pc[], fault_unknown_syscall_pc[];
__asm__(".arm\n"
        ".global fault_data_abort, fault_data_abort_pc\n"
        "fault_data_abort:\n"
        "    mov r1, #42\n"
        "fault_data_abort_pc:\n"
        "    str r1, [r0]\n"
        "    b .\n"
        ".global fault_undefined, fault_undefined_pc\n"
        "fault_undefined:\n"
        "fault_undefined_pc:\n"
        "    udf #0\n"
        "    b .\n"
        ".global fault_unknown_syscall, fault_unknown_syscall_pc\n"
        "fault_unknown_syscall:\n"
        "    mov r7, #200\n"
        "fault_unknown_syscall_pc:\n"
        "    svc #0\n"
        "    b .\n");

static void spinner(uint32_t unused)
{
    (void)unused;
    for (;;)
        spin_counter++;
}

#define PRIORITY 100   /* the root thread's and every test thread's */
#define PERIOD_US 10000

/* A thread from TCB and SchedContext objects, in the root's CSpace and
 * VSpace, with no fault endpoint (the kernel reports and stops it) and no
 * IPC buffer. Returns the first error of the steps, OPAL_OK if none. */
static int thread_create(uint32_t entry, uint32_t stack, uint32_t argument, uint32_t *tcb)
{
    uint32_t context = 0;
    int error = opal_alloc_object(OPAL_OBJECT_TCB, 0, tcb);
    if (error == OPAL_OK)
        error = opal_alloc_object(OPAL_OBJECT_SCHED_CONTEXT, 0, &context);
    if (error == OPAL_OK)
        error = opal_sched_control_configure(OPAL_CAP_SCHED_CONTROL, context, PERIOD_US,
                                             PERIOD_US);
    if (error == OPAL_OK)
        error = opal_tcb_configure(*tcb, 0, OPAL_CAP_INIT_CNODE, OPAL_CAP_INIT_VSPACE, 0, 0);
    if (error == OPAL_OK)
        error = opal_tcb_set_sched_context(*tcb, context);
    if (error == OPAL_OK)
        error = opal_tcb_set_priority(*tcb, OPAL_CAP_INIT_TCB, PRIORITY);
    if (error == OPAL_OK)
        error = opal_tcb_write_registers(*tcb, entry, stack, argument, 0, 0, 0);
    if (error == OPAL_OK)
        error = opal_tcb_resume(*tcb);
    return error;
}

/* The id printed is the TCB's CPtr: the kernel's own thread number shows
 * in its fault report, which the test finds by content. */
static void start(const char *name, void (*entry)(uint32_t), uint32_t argument, unsigned stack)
{
    uint32_t tcb = 0;
    int error = thread_create((uint32_t)entry, (uint32_t)stack_top(stack), argument, &tcb);
    printf("test: started %s as thread %u (error %d)\n", name, (unsigned)tcb, error);
}

static void faults(void)
{
    printf("test: expect data abort at 0x%08x pc 0x%08x\n", UNMAPPED_ADDRESS,
           (unsigned)(uintptr_t)fault_data_abort_pc);
    start("data-abort", fault_data_abort, UNMAPPED_ADDRESS, 0);
    opal_yield();
    printf("test: expect instruction abort at 0x%08x\n", UNMAPPED_ADDRESS);
    start("instruction-abort", (void (*)(uint32_t))UNMAPPED_ADDRESS, 0, 1);
    opal_yield();
    printf("test: expect undefined instruction pc 0x%08x\n",
           (unsigned)(uintptr_t)fault_undefined_pc);
    start("undefined", fault_undefined, 0, 2);
    opal_yield();
    printf("test: expect unknown syscall 200 pc 0x%08x\n",
           (unsigned)(uintptr_t)fault_unknown_syscall_pc);
    start("unknown-syscall", fault_unknown_syscall, 0, 3);
    opal_yield();
    printf("test: survived faults\n");
}

static void bad_arguments(void)
{
    printf("test: debug_write unmapped -> %d\n", opal_debug_write((const char *)UNMAPPED_ADDRESS, 4));
    printf("test: debug_write too long -> %d\n",
           opal_debug_write((const char *)stacks, OPAL_DEBUG_WRITE_MAX + 1));
    printf("test: debug_write wrapping -> %d\n", opal_debug_write((const char *)0xfffffff0u, 32));
    printf("test: debug_write empty -> %d\n", opal_debug_write("", 0));
}

/* main never yields here: the spinner's counter can only move while main
 * is in its loop if the timer preempts main, and main only sees it move if
 * the timer preempts the spinner. */
static void preemption(void)
{
    start("spinner", spinner, 0, 0);
    uint32_t last = spin_counter, switches = 0;
    uint64_t begin = opal_counter();
    while (switches < 5) {
        if (spin_counter != last) {
            switches++;
            last = spin_counter;
        }
    }
    printf("test: preempted %u times while spinning, %u ticks\n", (unsigned)switches,
           (unsigned)(opal_counter() - begin));
}

int main(const struct opal_bootinfo *bootinfo)
{
    printf("test: root task up, cmdline \"%s\"\n", bootinfo->cmdline);
    opal_alloc_init(bootinfo);
    opal_tcb_set_priority(OPAL_CAP_INIT_TCB, OPAL_CAP_INIT_TCB, PRIORITY);
    faults();
    bad_arguments();
    preemption();
    printf("test: done\n");
    opal_system_off();
}
