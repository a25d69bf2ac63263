/* The scheduler's queues and bitmap (kernel/sched.c) and the thread pool
 * (kernel/thread.c), on the host with the fake arch layer. */
#define UNIT_SUITE "sched"
#include "unit.h"
#include "config.h"
#include "sched.h"

static struct vspace space;

static struct thread *make(uint8_t priority)
{
    struct thread *thread = thread_create(&space, priority, 0x400000, 0x200000, 7);
    if (thread == NULL) {
        fprintf(stderr, "thread pool exhausted in a test\n");
        abort();
    }
    return thread;
}

static void reset(void)
{
    sched_init();
}

TEST(empty_scheduler_chooses_nobody)
{
    reset();
    CHECK(sched_highest() == NULL);
    CHECK(sched_choose() == NULL);
    CHECK(current_thread == NULL);
}

TEST(thread_create_sets_entry_stack_argument)
{
    reset();
    struct thread *thread = make(10);
    CHECK_EQ(thread->context.pc, 0x400000);
    CHECK_EQ(thread->context.sp, 0x200000);
    CHECK_EQ(thread->context.r[0], 7);
    CHECK_EQ(thread->state, THREAD_RUNNABLE);
    CHECK(thread->id != 0);
    thread_stop(thread);
    CHECK_EQ(thread->state, THREAD_INACTIVE);
}

TEST(highest_priority_wins_across_bitmap_words)
{
    reset();
    uint8_t priorities[] = { 0, 31, 32, 200, 255, 64, 63 };
    struct thread *threads[sizeof priorities];
    for (unsigned i = 0; i < sizeof priorities; i++) {
        threads[i] = make(priorities[i]);
        sched_enqueue(threads[i]);
    }
    uint8_t expected[] = { 255, 200, 64, 63, 32, 31, 0 };
    for (unsigned i = 0; i < sizeof expected; i++) {
        struct thread *best = sched_highest();
        CHECKF(best && best->priority == expected[i], "step %u: got %d", i,
               best ? best->priority : -1);
        sched_dequeue(best);
    }
    CHECK(sched_highest() == NULL);
    for (unsigned i = 0; i < sizeof priorities; i++)
        thread_stop(threads[i]);
}

TEST(round_robin_within_a_priority)
{
    reset();
    struct thread *a = make(5), *b = make(5), *c = make(5);
    sched_enqueue(a);
    sched_enqueue(b);
    sched_enqueue(c);
    CHECK(sched_choose() == a);
    sched_rotate_current();
    CHECK(sched_choose() == b);
    sched_rotate_current();
    CHECK(sched_choose() == c);
    sched_rotate_current();
    CHECK(sched_choose() == a);
    thread_stop(a);
    thread_stop(b);
    thread_stop(c);
}

TEST(current_keeps_cpu_against_equal_or_lower_priority)
{
    reset();
    struct thread *running = make(9), *equal = make(9), *lower = make(3);
    sched_enqueue(running);
    CHECK(sched_choose() == running);
    sched_enqueue(equal);
    sched_enqueue(lower);
    CHECK(sched_choose() == running);
    CHECK(running->in_ready_queue == 0);
    thread_stop(running);
    thread_stop(equal);
    thread_stop(lower);
}

TEST(higher_priority_preempts_and_preempted_runs_next)
{
    reset();
    struct thread *low = make(1), *peer = make(1), *high = make(100);
    sched_enqueue(low);
    sched_enqueue(peer);
    CHECK(sched_choose() == low);
    sched_enqueue(high);
    CHECK(sched_choose() == high);
    /* the preempted thread went to the front: it resumes before its peer */
    thread_stop(high);
    CHECK(sched_choose() == low);
    thread_stop(low);
    thread_stop(peer);
}

TEST(stopped_thread_leaves_queue_and_bitmap)
{
    reset();
    struct thread *a = make(42);
    sched_enqueue(a);
    thread_stop(a);
    CHECK(sched_highest() == NULL);
    CHECK(sched_choose() == NULL);
}

TEST(double_enqueue_and_dequeue_are_harmless)
{
    reset();
    struct thread *a = make(7), *b = make(7);
    sched_enqueue(a);
    sched_enqueue(a);
    sched_enqueue(b);
    sched_dequeue(a);
    sched_dequeue(a);
    CHECK(sched_highest() == b);
    sched_dequeue(b);
    CHECK(sched_highest() == NULL);
    thread_stop(a);
    thread_stop(b);
}

TEST(pool_is_bounded_and_reusable)
{
    reset();
    struct thread *threads[CONFIG_MAX_THREADS];
    unsigned made = 0;
    while (made < CONFIG_MAX_THREADS &&
           (threads[made] = thread_create(&space, 1, 0, 0, 0)) != NULL)
        made++;
    CHECK_EQ(made, CONFIG_MAX_THREADS);
    CHECK(thread_create(&space, 1, 0, 0, 0) == NULL);
    thread_stop(threads[3]);
    struct thread *again = thread_create(&space, 1, 0, 0, 0);
    CHECK(again == threads[3]);
    CHECK(again->id != 0);
    for (unsigned i = 0; i < made; i++)
        thread_stop(threads[i]);
}
