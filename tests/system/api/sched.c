/* Scheduling: SchedControl.Configure's limits, threads without a context,
 * Yield within a priority, and a budget that bounds a high-priority spinner. */
#include "test.h"

#define TEN_SECONDS_US 10000000u

static struct shared {
    volatile uint32_t flag;
    volatile uint32_t counter;
} shared;

static uint32_t new_context(void)
{
    return test_object(OPAL_OBJECT_SCHED_CONTEXT, 0);
}

TEST(sched, configure_budget_up_to_period)
{
    uint32_t context = new_context();
    CHECK_OK(opal_sched_control_configure(OPAL_CAP_SCHED_CONTROL, context, 1, 1));
    CHECK_OK(opal_sched_control_configure(OPAL_CAP_SCHED_CONTROL, context, 1000, 5000));
}

TEST(sched, budget_zero_is_range)
{
    CHECK_EQ(opal_sched_control_configure(OPAL_CAP_SCHED_CONTROL, new_context(), 0, 1000),
             OPAL_ERR_RANGE);
}

TEST(sched, budget_above_period_is_range)
{
    CHECK_EQ(opal_sched_control_configure(OPAL_CAP_SCHED_CONTROL, new_context(), 1001, 1000),
             OPAL_ERR_RANGE);
}

TEST(sched, period_limit_is_ten_seconds)
{
    uint32_t context = new_context();
    CHECK_OK(opal_sched_control_configure(OPAL_CAP_SCHED_CONTROL, context, TEN_SECONDS_US,
                                          TEN_SECONDS_US));
    CHECK_EQ(opal_sched_control_configure(OPAL_CAP_SCHED_CONTROL, context, 1000,
                                          TEN_SECONDS_US + 1), OPAL_ERR_RANGE);
}

TEST(sched, configure_needs_a_sched_context)
{
    CHECK_EQ(opal_sched_control_configure(OPAL_CAP_SCHED_CONTROL, test_notification(), 1, 1),
             OPAL_ERR_INVALID_CAPABILITY);
    CHECK_EQ(opal_sched_control_configure(OPAL_CAP_SCHED_CONTROL, test_slot(), 1, 1),
             OPAL_ERR_INVALID_CAPABILITY);
}

TEST(sched, wrong_label_on_sched_control_is_illegal)
{
    CHECK_EQ(test_invoke_label(OPAL_CAP_SCHED_CONTROL, OPAL_TCB_RESUME),
             OPAL_ERR_ILLEGAL_OPERATION);
}

static void set_flag(uint32_t value)
{
    shared.flag = value;
}

TEST(sched, thread_without_context_does_not_run)
{
    shared = (struct shared){ 0 };
    struct test_thread worker;
    thread_create(&worker, PRIORITY_HIGH);
    CHECK_OK(opal_tcb_set_sched_context(worker.tcb, 0));
    thread_start(&worker, set_flag, 1);
    test_spin(20);
    opal_yield();
    CHECK_EQ(shared.flag, 0);
    CHECK_OK(opal_tcb_set_sched_context(worker.tcb, worker.sched_context));
    CHECK(test_wait_for(&shared.flag, 1, 1000));
}

TEST(sched, yield_lets_same_priority_run)
{
    shared = (struct shared){ 0 };
    struct test_thread worker;
    thread_spawn(&worker, PRIORITY_SAME, set_flag, 1);
    CHECK_EQ(shared.flag, 0);
    opal_yield();
    CHECK_EQ(shared.flag, 1);
}

static void count_forever(uint32_t unused)
{
    (void)unused;
    for (;;)
        shared.counter++;
}

TEST(sched, timeslice_shares_a_priority)
{
    shared = (struct shared){ 0 };
    struct test_thread worker;
    thread_spawn(&worker, PRIORITY_SAME, count_forever, 0);
    test_spin(50); /* no yield: only the timer can let the worker run */
    CHECK(shared.counter != 0);
}

TEST(sched, unbinding_context_stops_thread)
{
    shared = (struct shared){ 0 };
    struct test_thread worker;
    thread_spawn(&worker, PRIORITY_SAME, count_forever, 0);
    opal_yield();
    CHECK(shared.counter != 0);
    CHECK_OK(opal_tcb_set_sched_context(worker.tcb, 0));
    uint32_t stopped_at = shared.counter;
    test_spin(30);
    opal_yield();
    CHECK_EQ(shared.counter, stopped_at);
}

/* Spins for `ms` of counter time, then exits: a broken budget makes the
 * root thread wait, not hang. */
static void spin_for(uint32_t ms)
{
    uint64_t end = opal_counter() + ms * test_ticks_per_ms();
    while (opal_counter() < end)
        shared.counter++;
}

/* Milliseconds the root thread did not run during the next `ms`. */
static uint32_t stolen_ms(uint32_t ms)
{
    uint64_t tick = test_ticks_per_ms(), now = opal_counter(), end = now + ms * tick, stolen = 0;
    while (now < end) {
        uint64_t next = opal_counter();
        if (next - now > tick / 5)
            stolen += next - now;
        now = next;
    }
    return (uint32_t)(stolen / tick);
}

TEST(sched, budget_bounds_a_higher_priority_spinner)
{
    shared = (struct shared){ 0 };
    struct test_thread worker;
    thread_create(&worker, PRIORITY_HIGH);
    CHECK_OK(opal_sched_control_configure(OPAL_CAP_SCHED_CONTROL, worker.sched_context, 2000,
                                          10000));
    thread_start(&worker, spin_for, 300);
    uint32_t stolen = stolen_ms(100);
    CHECK(shared.counter != 0);
    CHECK_BETWEEN(stolen, 10, 40); /* 2 of every 10 ms: about 20 */
}
