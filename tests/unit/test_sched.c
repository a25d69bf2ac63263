/* The scheduler (kernel/sched.c), thread state changes (kernel/thread.c),
 * budgets (kernel/object/sched_context.c) and time slices (kernel/timeslice.c). */
#define UNIT_SUITE "sched"
#include "unit.h"
#include "arch/fake.h"
#include "config.h"
#include "kernel.h"
#include "objects.h"
#include "sched.h"

#define POOL 32
#define UNLIMITED 1000  /* budget = period: never depletes */

static struct thread threads[POOL];
static struct sched_context contexts[POOL];
static unsigned used;

static void reset(void)
{
    sched_context_refill(UINT64_MAX); /* empties the depleted list before the memset */
    memset(threads, 0, sizeof threads);
    memset(contexts, 0, sizeof contexts);
    used = 0;
    core_init();
    sched_init();
    fake_reset();
    kernel_entry_time = 0;
    timeslice_armed = timeslice_next_refill = UINT64_MAX;
}

/* A kernel entry at counter value `now` (charges the running thread). */
static void enter_kernel_at(uint64_t now)
{
    fake.now = now;
    timeslice_account();
}

/* A thread with a context of `budget` ticks per `period`, not yet resumed. */
static struct thread *make_idle(uint8_t priority, uint64_t budget, uint64_t period)
{
    if (used == POOL) {
        fprintf(stderr, "test_sched: thread pool exhausted\n");
        abort();
    }
    struct thread *thread = &threads[used];
    struct sched_context *context = &contexts[used++];
    thread_init(thread);
    thread->priority = priority;
    *context = (struct sched_context){ .budget = budget, .period = period,
                                       .remaining = budget, .window_start = fake.now,
                                       .full = budget == period };
    sched_context_bind(context, thread);
    return thread;
}

/* A runnable, queued thread with an unlimited context. */
static struct thread *make(uint8_t priority)
{
    struct thread *thread = make_idle(priority, UNLIMITED, UNLIMITED);
    thread_resume(thread);
    return thread;
}

#define CHECK_QUEUES() CHECK(sched_check_queues())

TEST(empty_scheduler_chooses_nobody)
{
    reset();
    CHECK(sched_highest() == NULL);
    CHECK(sched_choose() == NULL);
    CHECK(current_thread == NULL);
    CHECK_QUEUES();
}

TEST(thread_init_gives_fresh_ids_and_an_inactive_thread)
{
    reset();
    struct thread *a = make_idle(1, UNLIMITED, UNLIMITED), *b = make_idle(1, UNLIMITED, UNLIMITED);
    CHECK(a->id != 0);
    CHECK_EQ(b->id, a->id + 1);
    CHECK_EQ(a->state, THREAD_INACTIVE);
    CHECK_EQ(a->context.pc, 0);
    CHECK(!a->in_ready_queue);
    CHECK(!sched_can_run(a));
    thread_resume(a);
    CHECK_EQ(a->state, THREAD_RUNNABLE);
    CHECK(a->in_ready_queue);
    CHECK_QUEUES();
}

TEST(can_run_needs_runnable_state_and_budget)
{
    reset();
    struct thread *thread = make(5);
    CHECK(sched_can_run(thread));
    thread->sched_context->depleted = 1;
    CHECK(!sched_can_run(thread));
    thread->sched_context->depleted = 0;
    thread->sched_context->budget = 0;
    CHECK(!sched_can_run(thread));
    thread->sched_context->budget = UNLIMITED;
    thread->state = THREAD_BLOCKED_RECEIVE;
    CHECK(!sched_can_run(thread));
    thread->state = THREAD_RUNNABLE;
    struct sched_context *context = thread->sched_context;
    thread->sched_context = NULL;
    CHECK(!sched_can_run(thread));
    thread->sched_context = context;
    CHECK(sched_can_run(thread));
}

TEST(thread_without_context_is_never_queued)
{
    reset();
    struct thread *thread = make_idle(5, UNLIMITED, UNLIMITED);
    sched_context_unbind(thread->sched_context);
    thread_resume(thread);
    CHECK_EQ(thread->state, THREAD_RUNNABLE);
    CHECK(!thread->in_ready_queue);
    sched_enqueue(thread);
    sched_enqueue_front(thread);
    CHECK(sched_highest() == NULL);
    sched_context_bind(&contexts[0], thread); /* binding makes it eligible */
    CHECK(sched_highest() == thread);
    CHECK_QUEUES();
}

TEST(binding_to_the_current_thread_does_not_queue_it)
{
    reset();
    struct thread *thread = make(5);
    CHECK(sched_choose() == thread);
    sched_context_unbind(thread->sched_context);
    CHECK(sched_choose() == NULL);
    current_thread = thread;
    sched_context_bind(&contexts[0], thread);
    CHECK(!thread->in_ready_queue);
    CHECK(sched_choose() == thread);
    CHECK_QUEUES();
}

TEST(unbinding_the_context_dequeues)
{
    reset();
    struct thread *a = make(9), *b = make(9);
    sched_context_unbind(a->sched_context);
    CHECK(a->sched_context == NULL && contexts[0].thread == NULL);
    CHECK(!a->in_ready_queue);
    CHECK(sched_highest() == b);
    CHECK_QUEUES();
}

TEST(highest_priority_wins_across_bitmap_words)
{
    reset();
    static const uint8_t priorities[] = { 0, 31, 32, 200, 255, 64, 63, 128 };
    for (unsigned i = 0; i < sizeof priorities; i++)
        make(priorities[i]);
    static const uint8_t expected[] = { 255, 200, 128, 64, 63, 32, 31, 0 };
    for (unsigned i = 0; i < sizeof expected; i++) {
        struct thread *best = sched_highest();
        CHECKF(best && best->priority == expected[i], "step %u: got %d", i,
               best ? best->priority : -1);
        sched_dequeue(best);
        CHECK_QUEUES();
    }
    CHECK(sched_highest() == NULL);
}

TEST(round_robin_within_a_priority)
{
    reset();
    struct thread *a = make(5), *b = make(5), *c = make(5);
    struct thread *order[] = { a, b, c, a, b };
    for (unsigned i = 0; i < sizeof order / sizeof order[0]; i++) {
        CHECKF(sched_choose() == order[i], "turn %u", i);
        CHECK(current_thread == order[i] && !order[i]->in_ready_queue);
        sched_rotate_current();
        CHECK_QUEUES();
    }
}

TEST(current_keeps_cpu_against_equal_or_lower_priority)
{
    reset();
    struct thread *running = make(9);
    CHECK(sched_choose() == running);
    struct thread *equal = make(9), *lower = make(3);
    CHECK(sched_choose() == running);
    CHECK(!running->in_ready_queue);
    CHECK(equal->in_ready_queue && lower->in_ready_queue);
    CHECK_QUEUES();
}

TEST(higher_priority_preempts_and_preempted_runs_next)
{
    reset();
    struct thread *low = make(1), *peer = make(1);
    CHECK(sched_choose() == low);
    struct thread *high = make(100);
    CHECK(sched_choose() == high);
    CHECK(low->in_ready_queue && sched_highest() == low); /* back at the front */
    thread_suspend(high);
    CHECK(sched_choose() == low);
    CHECK(peer->in_ready_queue);
    CHECK_QUEUES();
}

TEST(current_that_cannot_run_is_not_requeued)
{
    reset();
    struct thread *a = make(4), *b = make(2);
    CHECK(sched_choose() == a);
    a->state = THREAD_BLOCKED_RECEIVE;
    CHECK(sched_choose() == b);
    CHECK(!a->in_ready_queue);
    CHECK_QUEUES();
}

TEST(suspended_thread_leaves_queue_and_bitmap)
{
    reset();
    struct thread *a = make(42);
    thread_suspend(a);
    CHECK_EQ(a->state, THREAD_INACTIVE);
    CHECK(sched_highest() == NULL);
    CHECK(sched_choose() == NULL);
    thread_resume(a);
    CHECK(sched_highest() == a);
    CHECK_QUEUES();
}

TEST(double_enqueue_and_dequeue_are_harmless)
{
    reset();
    struct thread *a = make(7), *b = make(7);
    sched_enqueue(a);
    sched_enqueue_front(a);
    sched_dequeue(a);
    sched_dequeue(a);
    CHECK(sched_highest() == b);
    CHECK(b->queue_prev == NULL && b->queue_next == NULL);
    sched_dequeue(b);
    CHECK(sched_highest() == NULL);
    CHECK_QUEUES();
}

TEST(enqueue_front_goes_before_peers)
{
    reset();
    struct thread *a = make(7), *b = make_idle(7, UNLIMITED, UNLIMITED);
    b->state = THREAD_RUNNABLE;
    sched_enqueue_front(b);
    CHECK(sched_highest() == b);
    CHECK(b->queue_next == a && a->queue_prev == b);
    CHECK_QUEUES();
}

/* --- budgets ------------------------------------------------------------- */

/* The budget holds for a window of one period from window_start; a spent
 * budget comes back when the window ends. */
TEST(charge_depletes_at_budget_and_refill_restores_at_window_end)
{
    reset();
    struct thread *thread = make_idle(5, 100, 1000);
    struct sched_context *context = thread->sched_context;
    thread_resume(thread);
    sched_context_charge(context, 40, 40);
    CHECK_EQ(context->remaining, 60);
    CHECK(!context->depleted && thread->in_ready_queue);
    sched_context_charge(context, 60, 100);
    CHECK(context->depleted);
    CHECK(!thread->in_ready_queue && !sched_can_run(thread));
    CHECK_EQ(sched_context_refill(999), 1000);
    CHECK(context->depleted);
    CHECK_EQ(sched_context_refill(1000), UINT64_MAX);
    CHECK(!context->depleted);
    CHECK_EQ(context->remaining, 100);
    CHECK_EQ(context->window_start, 1000);
    CHECK(thread->in_ready_queue);
    CHECK_QUEUES();
}

TEST(charge_beyond_remaining_and_when_depleted)
{
    reset();
    struct sched_context *context = make_idle(5, 100, 1000)->sched_context;
    sched_context_charge(context, 150, 600);
    CHECK_EQ(context->remaining, 0);
    CHECK(context->depleted);
    sched_context_charge(context, 10, 700); /* already depleted: no change */
    CHECK_EQ(context->window_start, 0);
    CHECK_EQ(sched_context_refill(999), 1000);
    CHECK_EQ(sched_context_refill(1000), UINT64_MAX);
    CHECK_EQ(context->remaining, 100);
}

TEST(unlimited_context_never_depletes)
{
    reset();
    struct thread *thread = make(5);
    sched_context_charge(thread->sched_context, 1u << 30, 1u << 30);
    CHECK(!thread->sched_context->depleted);
    CHECK_EQ(thread->sched_context->remaining, UNLIMITED);
    CHECK(thread->in_ready_queue);
}

/* A run that starts after the window has passed opens a new window. */
TEST(run_after_the_window_opens_a_new_one)
{
    reset();
    struct sched_context *context = make_idle(5, 100, 1000)->sched_context;
    sched_context_charge(context, 30, 200);
    CHECK_EQ(context->window_start, 0);
    sched_context_charge(context, 40, 2500); /* began at 2460 */
    CHECK_EQ(context->window_start, 2460);
    CHECK_EQ(context->remaining, 60);
    sched_context_charge(context, 60, 2600);
    CHECK(context->depleted);
    CHECK_EQ(sched_context_refill(3459), 3460);
    CHECK_EQ(sched_context_refill(3460), UINT64_MAX);
    CHECK(!context->depleted);
}

/* A thread that slept for many periods and then spends its budget must
 * wait for the next period: it may not get a second budget at once. */
TEST(budget_spent_after_idle_periods_is_not_refilled_at_once)
{
    reset();
    struct sched_context *context = make_idle(5, 10, 100)->sched_context;
    sched_context_charge(context, 10, 10);
    CHECK_EQ(sched_context_refill(100), UINT64_MAX);
    sched_context_charge(context, 10, 1010); /* idle 100..1000, then 10 ticks */
    CHECK(context->depleted);
    CHECK(sched_context_refill(1050) >= 1100);
    CHECKF(context->depleted, "refilled at 1050: 20 ticks of a 10-tick budget in [1000, 1100)");
}

TEST(refill_returns_the_earliest_pending_window_end)
{
    reset();
    struct sched_context *a = make_idle(1, 10, 300)->sched_context;
    struct sched_context *b = make_idle(1, 10, 200)->sched_context;
    struct sched_context *c = make_idle(1, 10, 500)->sched_context;
    sched_context_charge(a, 10, 10);
    sched_context_charge(b, 10, 10);
    sched_context_charge(c, 10, 10);
    CHECK_EQ(sched_context_refill(100), 200);
    CHECK_EQ(sched_context_refill(200), 300);
    CHECK(!b->depleted && a->depleted && c->depleted);
    CHECK_EQ(sched_context_refill(499), 500);
    CHECK_EQ(sched_context_refill(500), UINT64_MAX);
    CHECK(!a->depleted && !c->depleted);
}

TEST(refill_does_not_queue_the_current_or_a_blocked_thread)
{
    reset();
    struct thread *current = make_idle(5, 10, 100), *blocked = make_idle(5, 10, 100);
    thread_resume(current);
    CHECK(sched_choose() == current);
    sched_context_charge(current->sched_context, 10, 10);
    sched_context_charge(blocked->sched_context, 10, 10);
    blocked->state = THREAD_BLOCKED_RECEIVE;
    CHECK_EQ(sched_context_refill(100), UINT64_MAX);
    CHECK(!current->in_ready_queue && !blocked->in_ready_queue);
    CHECK(sched_choose() == current);
    CHECK_QUEUES();
}

TEST(unbinding_a_depleted_context_takes_it_off_the_depleted_list)
{
    reset();
    struct thread *thread = make_idle(5, 10, 100);
    struct sched_context *context = thread->sched_context;
    sched_context_charge(context, 10, 10);
    sched_context_unbind(context);
    CHECK(!context->depleted);
    CHECK_EQ(sched_context_refill(50), UINT64_MAX);
    CHECK_EQ(context->remaining, 0); /* not refilled: it is no longer on the list */
}

/* --- time slices (kernel/timeslice.c) ------------------------------------ */

#define SLICE ((uint64_t)FAKE_TIMER_FREQUENCY * CONFIG_TIMESLICE_US / 1000000u)

TEST(schedule_arms_the_slice_end)
{
    reset();
    struct thread *thread = make(5);
    enter_kernel_at(1000);
    CHECK(sched_schedule() == thread);
    CHECK(current_thread == thread);
    CHECK_EQ(thread->slice_end, 1000 + SLICE);
    CHECK_EQ(fake.deadline, 1000 + SLICE);
}

TEST(schedule_arms_the_end_of_a_smaller_budget)
{
    reset();
    struct thread *thread = make_idle(5, 200, 100000);
    thread_resume(thread);
    enter_kernel_at(1000);
    CHECK(sched_schedule() == thread);
    CHECK_EQ(fake.deadline, 1200);
    enter_kernel_at(1150);
    CHECK_EQ(thread->sched_context->remaining, 50);
    enter_kernel_at(1200);
    CHECK(thread->sched_context->depleted && !sched_can_run(thread));
}

TEST(schedule_waits_for_the_refill_when_all_are_depleted)
{
    reset();
    struct thread *thread = make_idle(5, 10, 400);
    thread_resume(thread);
    sched_context_charge(thread->sched_context, 10, 10);
    enter_kernel_at(20);
    CHECK(sched_schedule() == thread);
    CHECK_EQ(fake.waits, 1);
    CHECK_EQ(fake.now, 400);
    CHECK_EQ(thread->sched_context->remaining, 10);
}

/* The timer is re-armed only when the new deadline is earlier. */
TEST(tick_at_slice_end_rotates_equal_priorities)
{
    reset();
    struct thread *a = make(5), *b = make(5);
    enter_kernel_at(0);
    CHECK(sched_schedule() == a);
    CHECK_EQ(fake.deadlines_set, 1);
    enter_kernel_at(SLICE / 2); /* a system call: same thread, same deadline */
    CHECK(sched_schedule() == a);
    CHECK_EQ(fake.deadlines_set, 1);
    fake.now = SLICE;
    timeslice_tick();
    CHECK(sched_schedule() == b);
    CHECK(a->in_ready_queue);
    CHECK_EQ(b->slice_end, 2 * SLICE);
    CHECK_EQ(fake.deadline, 2 * SLICE);
    CHECK_QUEUES();
}

/* --- random operations against a simple model ----------------------------- */

static uint32_t random_state;

static uint32_t next_random(void)
{
    random_state ^= random_state << 13;
    random_state ^= random_state >> 17;
    random_state ^= random_state << 5;
    return random_state;
}

static void random_operation(struct thread *thread)
{
    switch (next_random() % 7) {
    case 0: thread_resume(thread); break;
    case 1: thread_suspend(thread); break;
    case 2: sched_enqueue(thread); break;
    case 3: sched_enqueue_front(thread); break;
    case 4: sched_dequeue(thread); break;
    case 5: sched_choose(); break;
    default: sched_rotate_current(); break;
    }
}

/* The highest priority among queued threads, or -1. */
static int model_highest(void)
{
    int best = -1;
    for (unsigned i = 0; i < used; i++)
        if (threads[i].in_ready_queue && threads[i].priority > best)
            best = threads[i].priority;
    return best;
}

TEST(random_operations_keep_queues_consistent)
{
    reset();
    random_state = 0x5eed;
    static const uint8_t priorities[] = { 0, 1, 31, 32, 33, 63, 64, 100, 100, 100, 254, 255 };
    for (unsigned i = 0; i < sizeof priorities; i++)
        make(priorities[i]);
    for (int step = 0; step < 20000; step++) {
        random_operation(&threads[next_random() % used]);
        CHECKF(sched_check_queues(), "step %d", step);
        struct thread *best = sched_highest();
        CHECKF((best ? best->priority : -1) == model_highest(), "step %d", step);
        CHECKF(!current_thread || !current_thread->in_ready_queue ||
                   current_thread->state == THREAD_RUNNABLE, "step %d", step);
    }
}
