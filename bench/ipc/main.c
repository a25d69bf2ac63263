/* The kernel benchmark root task. Each figure is a loop bracketed by
 * bench_marker() calls (the instruction-counting plugin reports the
 * kernel's count at each) and timed with the generic counter; it prints
 * "BENCH name rounds ticks markers first second". */
#include "core/cpio.h"
#include "../bench.h"
#include "opal.h"
#include "process.h"
#include "timer.h"

#define ROUNDS 2000
#define IRQ_ROUNDS 200
#define STACK_SIZE 4096

static uint8_t stacks[2][STACK_SIZE] __attribute__((aligned(8)));
static volatile uint64_t woke_at, latency_sum;
static volatile uint32_t wakeups;
static uint32_t marker_id;

__attribute__((noinline)) void bench_marker(uint32_t id)
{
    __asm__ volatile("" ::"r"(id) : "memory");
}

static uint64_t begin(void)
{
    bench_marker(++marker_id);
    return opal_counter();
}

static void end(const char *name, uint32_t rounds, uint64_t ticks)
{
    bench_marker(++marker_id);
    printf("BENCH %s %u %u markers %u %u\n", name, (unsigned)rounds, (unsigned)ticks,
           (unsigned)marker_id - 1, (unsigned)marker_id);
}

static void check(int error, const char *what)
{
    if (error == OPAL_OK)
        return;
    printf("bench: %s failed: %s\n", what, opal_error_name(error));
    opal_system_off();
}

/* A thread in this address space, on a full-budget scheduling context. */
static uint32_t start_thread(void (*entry)(void), unsigned stack, uint32_t priority)
{
    uint32_t tcb, context;
    check(opal_alloc_object(OPAL_OBJECT_TCB, 0, &tcb), "TCB");
    check(opal_alloc_object(OPAL_OBJECT_SCHED_CONTEXT, 0, &context), "sched context");
    check(opal_tcb_configure(tcb, 0, OPAL_CAP_INIT_CNODE, OPAL_CAP_INIT_VSPACE, 0, 0), "configure");
    check(opal_tcb_set_priority(tcb, OPAL_CAP_INIT_TCB, priority), "priority");
    check(opal_sched_control_configure(OPAL_CAP_SCHED_CONTROL, context, 1000000, 1000000), "budget");
    check(opal_tcb_set_sched_context(tcb, context), "bind");
    check(opal_tcb_write_registers(tcb, (uint32_t)entry, (uint32_t)(stacks[stack] + STACK_SIZE),
                                   0, 0, 0, 0), "registers");
    check(opal_tcb_resume(tcb), "resume");
    return tcb;
}

/* A server process (its own VSpace) from the boot archive: its thread. */
static uint32_t start_server(const struct opal_bootinfo *bootinfo, uint32_t argument)
{
    struct cpio_file file;
    struct process server;
    check(cpio_find((const void *)bootinfo->archive_address, bootinfo->archive_size,
                    "ipc-server", &file), "finding ipc-server");
    check(process_load(file.data, file.size, 0, &server), "loading ipc-server");
    check(process_start(&server, &(struct process_start){
                            .cspace = OPAL_CAP_INIT_CNODE, .priority = 200,
                            .budget_us = 1000000, .period_us = 1000000,
                            .arguments = { argument } }),
          "starting ipc-server");
    return server.tcb;
}

/* A server process answering Calls on a new endpoint, placed on `core`;
 * then ROUNDS empty Calls to it, reported as `name`. */
static void call_rounds(const struct opal_bootinfo *bootinfo, unsigned core, const char *name)
{
    uint32_t endpoint, reply;
    struct opal_message message = { 0 };
    check(opal_alloc_object(OPAL_OBJECT_ENDPOINT, 0, &endpoint), "endpoint");
    check(opal_alloc_object(OPAL_OBJECT_REPLY, 0, &reply), "reply");
    check(opal_tcb_set_core(start_server(bootinfo, BENCH_SERVER_ARGUMENT(endpoint, reply)), core),
          "placing the server");
    for (int warm = 0; warm < 10; warm++)
        opal_call(endpoint, &message);
    uint64_t start = begin();
    for (int i = 0; i < ROUNDS; i++) {
        message.tag = 0;
        opal_call(endpoint, &message);
    }
    end(name, ROUNDS, opal_counter() - start);
}

static void ipc(const struct opal_bootinfo *bootinfo)
{
    uint32_t oneway;
    struct opal_message message = { 0 };
    call_rounds(bootinfo, 0, "ipc_call_replyrecv");
    check(opal_alloc_object(OPAL_OBJECT_ENDPOINT, 0, &oneway), "endpoint");
    start_server(bootinfo, BENCH_SERVER_ARGUMENT(oneway, 0));
    uint64_t start = begin();
    for (int i = 0; i < ROUNDS; i++) {
        message.tag = 0;
        opal_send(oneway, &message);
    }
    end("ipc_send_oneway", ROUNDS, opal_counter() - start);
}

static uint32_t ping, waiter_tcb;

static void waiter(void)
{
    uint32_t word;
    for (;;) {
        opal_wait(ping, &word);
        woke_at = opal_counter();
        wakeups++;
    }
}

/* Signal a higher-priority thread waiting on a notification: the time from
 * before the signal to the moment it runs. */
static void notification(void)
{
    uint64_t total = 0;
    check(opal_alloc_object(OPAL_OBJECT_NOTIFICATION, 0, &ping), "notification");
    waiter_tcb = start_thread(waiter, 0, 200);
    uint64_t start = begin();
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t before = opal_counter();
        opal_signal(ping);
        total += woke_at - before;
    }
    end("notification_signal_to_wake_total", ROUNDS, opal_counter() - start);
    printf("BENCH notification_signal_to_wake_latency %u %u\n", ROUNDS, (unsigned)total);
}

/* Wait for another core's thread to count, letting the emulator run the
 * other cores (YIELD; a hint on hardware). */
static void wait_for_count(volatile uint32_t *count, uint32_t seen)
{
    while (*count == seen)
        __asm__ volatile("yield" ::: "memory");
}

/* Across cores: a server process on core 1 answers Calls from this thread
 * on core 0 (each way a wake-up on the other core, by IPI); and the
 * notification's waiter, moved to core 1, is signalled from core 0: the
 * time from before the signal to the waiter running is the IPI's latency
 * with the kernel's work on both sides. */
static void cross_core(const struct opal_bootinfo *bootinfo)
{
    if (bootinfo->cores < 2) {
        printf("bench: %u core: no cross-core figures\n", (unsigned)bootinfo->cores);
        return;
    }
    call_rounds(bootinfo, 1, "ipc_call_replyrecv_cross_core");
    uint64_t total = 0;
    check(opal_tcb_set_core(waiter_tcb, 1), "moving the waiter"); /* it waits: moved as is */
    uint64_t start = begin();
    for (uint32_t i = 0, seen = wakeups; i < ROUNDS; i++, seen++) {
        uint64_t before = opal_counter();
        opal_signal(ping);
        wait_for_count(&wakeups, seen);
        total += woke_at - before;
    }
    end("ipi_signal_to_wake_total", ROUNDS, opal_counter() - start);
    printf("BENCH ipi_signal_to_wake_latency %u %u\n", ROUNDS, (unsigned)total);
}

static uint32_t irq_notification, irq_handler;

static void irq_thread(void)
{
    uint32_t word;
    for (;;) {
        opal_wait(irq_notification, &word);
        uint64_t now = opal_counter();
        latency_sum += now - opal_timer_deadline();
        opal_timer_stop(); /* the timer's output is level: off before the ack */
        opal_irq_handler_ack(irq_handler);
        wakeups++;
    }
}

/* The physical timer fires; a handler thread at high priority measures how
 * long after the deadline it ran. */
static void interrupt(void)
{
    uint32_t slot = opal_alloc_slot();
    check(opal_alloc_object(OPAL_OBJECT_NOTIFICATION, 0, &irq_notification), "notification");
    check(opal_irq_control_get(OPAL_CAP_IRQ_CONTROL, OPAL_TIMER_IRQ, OPAL_CAP_INIT_CNODE, slot),
          "IRQ handler");
    irq_handler = slot;
    check(opal_irq_handler_set_notification(irq_handler, irq_notification), "IRQ notification");
    start_thread(irq_thread, 1, 250);
    latency_sum = 0;
    uint64_t start = begin();
    for (uint32_t i = 0, seen = wakeups; i < IRQ_ROUNDS; i++, seen++) {
        opal_timer_set(opal_counter() + 500);
        while (wakeups == seen)
            ;
    }
    end("irq_total", IRQ_ROUNDS, opal_counter() - start);
    printf("BENCH irq_to_user_handler_latency %u %u\n", IRQ_ROUNDS, (unsigned)latency_sum);
}

/* Retype 1 MiB of untyped out of a larger one (this is where it is zeroed),
 * then into 256 frames (already zero), then revoke it. */
static void retype_revoke(void)
{
    uint32_t untyped, first = 0;
    uint64_t start = begin();
    check(opal_alloc_object(OPAL_OBJECT_UNTYPED, 20, &untyped), "untyped");
    end("retype_1mib_untyped_zeroing", 1, opal_counter() - start);
    for (int i = 0; i < 256; i++) {
        uint32_t slot = opal_alloc_slot();
        first = first ? first : slot;
    }
    start = begin();
    check(opal_untyped_retype(untyped, OPAL_OBJECT_FRAME, 12, OPAL_CAP_INIT_CNODE, first, 256),
          "retype");
    end("retype_1mib_frames", 1, opal_counter() - start);
    start = begin();
    check(opal_cnode_revoke(OPAL_CAP_INIT_CNODE, untyped), "revoke");
    end("revoke_1mib", 1, opal_counter() - start);
}

/* The physical timer fires while a 16 MiB untyped is being zeroed: the
 * handler must not wait for the whole retype (preemption points). */
static void interrupt_during_retype(void)
{
    uint32_t untyped;
    latency_sum = 0;
    uint32_t seen = wakeups;
    opal_timer_set(opal_counter() + 20000);
    check(opal_alloc_object(OPAL_OBJECT_UNTYPED, 24, &untyped), "16 MiB untyped");
    while (wakeups == seen)
        ;
    printf("BENCH irq_latency_during_16mib_retype 1 %u\n", (unsigned)latency_sum);
}

int main(const struct opal_bootinfo *bootinfo)
{
    opal_alloc_init(bootinfo);
    printf("bench: Opal kernel benchmarks, counter %u Hz\n", (unsigned)bootinfo->timer_frequency);
    ipc(bootinfo);
    notification();
    cross_core(bootinfo);
    interrupt();
    interrupt_during_retype();
    retype_revoke();
    printf("BENCH done\n");
    opal_system_off();
}
