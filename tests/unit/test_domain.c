/* Domains: SchedControl's SetDomainSchedule and SetDomain (argument checks
 * in kernel/object/sched_context.c), eligibility and the per-domain queues
 * (kernel/sched.c), windows that turn with time (kernel/timeslice.c), and
 * the IPC fastpath declining a thread whose window this is not. */
#define UNIT_SUITE "domain"
#include "unit.h"
#include "kernel_fixture.h"
#include "opal/syscall.h"
#include "config.h"

#define TICKS(us) ((uint64_t)(us) * FAKE_TIMER_FREQUENCY / 1000000u)
#define SLICE TICKS(CONFIG_TIMESLICE_US)

static void reset(void)
{
    fixture_setup();
    domain_set_schedule(NULL, 0);
    kernel_entry_time = 0;
    timeslice_armed = timeslice_next_refill = UINT64_MAX;
}

static int control(uint32_t label, uint32_t *arguments, uint32_t length)
{
    return fixture_invoke(sched_control_invoke, &fx.root[0], label, arguments, length);
}
#define SCHEDULE(...) \
    control(OPAL_SCHED_CONTROL_SET_DOMAIN_SCHEDULE, FIXTURE_ARGS(__VA_ARGS__), \
            FIXTURE_COUNT(__VA_ARGS__))
#define SET_DOMAIN(...) \
    control(OPAL_SCHED_CONTROL_SET_DOMAIN, FIXTURE_ARGS(__VA_ARGS__), FIXTURE_COUNT(__VA_ARGS__))

/* A ready thread at `priority` in `domain` (through SetDomain); *cptr, if
 * given, receives its TCB's slot. */
static struct thread *thread_in(uint32_t domain, uint8_t priority, uint32_t *cptr)
{
    struct thread *thread = fixture_thread(priority);
    uint32_t tcb = fx.next_new - 2; /* fixture_thread: the TCB's slot, then the context's */
    if (SET_DOMAIN(tcb, domain) != OPAL_OK || thread->domain != domain)
        fixture_die("SetDomain(%u) failed", domain);
    if (cptr)
        *cptr = tcb;
    return thread;
}

/* A kernel entry at `now` that ends in the scheduler (a timer interrupt
 * if the timer is due). */
static struct thread *schedule_at(uint64_t now)
{
    fake.now = now;
    if (now >= timeslice_armed)
        timeslice_tick();
    else
        timeslice_account();
    return sched_schedule();
}

/* --- no schedule ---------------------------------------------------------- */

TEST(without_a_schedule_domains_are_ignored)
{
    reset();
    struct thread *a = thread_in(2, 10, NULL), *b = thread_in(0, 5, NULL), *c = thread_in(7, 10, NULL);
    CHECK_EQ(sched_window_domain(), 0);
    CHECK(sched_eligible(a) && sched_eligible(b) && sched_eligible(c));
    CHECK(sched_highest() == a);
    CHECK(schedule_at(0) == a);
    CHECK_EQ(domain_window_end, UINT64_MAX);
    CHECK_EQ(fake.deadline, SLICE); /* the slice only, as before domains */
    CHECK(schedule_at(SLICE) == c); /* round robin across domains at one priority */
    CHECK(schedule_at(2 * SLICE) == a);
    CHECK_INVARIANTS();
}

/* --- argument checks ------------------------------------------------------ */

TEST(set_domain_checks_its_arguments)
{
    reset();
    uint32_t tcb;
    struct thread *thread = thread_in(3, 10, &tcb);
    uint32_t notification = fixture_index(fixture_new(OPAL_OBJECT_NOTIFICATION, 0));
    CHECK_EQ(SET_DOMAIN(tcb, CONFIG_DOMAINS), OPAL_ERR_INVALID_ARGUMENT);
    CHECK_EQ(SET_DOMAIN(tcb, 0xffffffffu), OPAL_ERR_INVALID_ARGUMENT);
    CHECK_EQ(SET_DOMAIN(notification, 1), OPAL_ERR_INVALID_CAPABILITY);
    CHECK(SET_DOMAIN(fx.next_new, 1) != OPAL_OK); /* an empty slot */
    CHECK_EQ(control(OPAL_SCHED_CONTROL_SET_DOMAIN, FIXTURE_ARGS(tcb), 1), OPAL_ERR_TRUNCATED);
    CHECK_EQ(thread->domain, 3);
    CHECK_EQ(SET_DOMAIN(tcb, CONFIG_DOMAINS - 1), OPAL_OK);
    CHECK_EQ(thread->domain, CONFIG_DOMAINS - 1);
    CHECK_EQ(SET_DOMAIN(tcb, 0), OPAL_OK);
    CHECK_EQ(thread->domain, 0);
    CHECK_EQ(control(99, FIXTURE_ARGS(tcb, 1), 2), OPAL_ERR_ILLEGAL_OPERATION);
}

/* A failed SetDomainSchedule leaves the running schedule exactly as it was. */
static void check_refused(int expected, uint32_t *arguments, uint32_t length)
{
    uint64_t end = domain_window_end;
    unsigned window = sched_window_domain();
    uint32_t mask = core_self()->sched.domain_mask;
    CHECK_EQ(control(OPAL_SCHED_CONTROL_SET_DOMAIN_SCHEDULE, arguments, length), expected);
    CHECK_EQ(domain_window_end, end);
    CHECK_EQ(sched_window_domain(), window);
    CHECK_EQ(core_self()->sched.domain_mask, mask);
}

static void check_all_refusals(void)
{
    uint32_t many[1 + 2 * (CONFIG_DOMAIN_WINDOWS + 1)] = { CONFIG_DOMAIN_WINDOWS + 1 };
    for (unsigned i = 0; i <= CONFIG_DOMAIN_WINDOWS; i++) {
        many[1 + 2 * i] = 1;
        many[2 + 2 * i] = 1000;
    }
    check_refused(OPAL_ERR_RANGE, many, sizeof many / sizeof many[0]);
    check_refused(OPAL_ERR_RANGE, FIXTURE_ARGS(0xffffffffu), 1);
    check_refused(OPAL_ERR_TRUNCATED, FIXTURE_ARGS(0), 0);
    check_refused(OPAL_ERR_TRUNCATED, FIXTURE_ARGS(2, 1, 1000, 2), 4);
    check_refused(OPAL_ERR_INVALID_ARGUMENT, FIXTURE_ARGS(2, 1, 1000, 0, 1000), 5);
    check_refused(OPAL_ERR_INVALID_ARGUMENT, FIXTURE_ARGS(2, 1, 1000, CONFIG_DOMAINS, 1000), 5);
    check_refused(OPAL_ERR_RANGE,
                  FIXTURE_ARGS(2, 1, 1000, 2, CONFIG_DOMAIN_WINDOW_MIN_US - 1), 5);
    check_refused(OPAL_ERR_RANGE, FIXTURE_ARGS(2, 1, CONFIG_DOMAIN_SCHEDULE_MAX_US / 2, 2,
                                               CONFIG_DOMAIN_SCHEDULE_MAX_US / 2 + 1), 5);
    check_refused(OPAL_ERR_RANGE, FIXTURE_ARGS(2, 1, 0xffffffffu, 2, 0xffffffffu), 5);
}

TEST(schedule_arguments_are_checked_and_a_refusal_changes_nothing)
{
    reset();
    struct thread *a = thread_in(1, 10, NULL);
    check_all_refusals();
    CHECK_EQ(sched_window_domain(), 0); /* still off */
    CHECK(a->in_ready_queue && sched_highest() == a);
    fake.now = 500;
    CHECK_EQ(SCHEDULE(2, 2, CONFIG_DOMAIN_WINDOW_MIN_US, 1,
                      CONFIG_DOMAIN_SCHEDULE_MAX_US - CONFIG_DOMAIN_WINDOW_MIN_US), OPAL_OK);
    CHECK_EQ(sched_window_domain(), 2);
    CHECK_EQ(domain_window_end, 500 + TICKS(CONFIG_DOMAIN_WINDOW_MIN_US));
    fake.now = 700;
    check_all_refusals(); /* and while one runs */
    CHECK_EQ(domain_window_end, 500 + TICKS(CONFIG_DOMAIN_WINDOW_MIN_US));
    uint32_t sixteen[1 + 2 * CONFIG_DOMAIN_WINDOWS] = { CONFIG_DOMAIN_WINDOWS };
    for (unsigned i = 0; i < CONFIG_DOMAIN_WINDOWS; i++) {
        sixteen[1 + 2 * i] = 1 + i % (CONFIG_DOMAINS - 1);
        sixteen[2 + 2 * i] = CONFIG_DOMAIN_WINDOW_MIN_US;
    }
    CHECK_EQ(control(OPAL_SCHED_CONTROL_SET_DOMAIN_SCHEDULE, sixteen, 1 + 2 * 16), OPAL_OK);
    CHECK_EQ(sched_window_domain(), 1);
    CHECK_INVARIANTS();
}

/* --- eligibility ---------------------------------------------------------- */

TEST(only_domain_0_and_the_windows_domain_are_eligible)
{
    reset();
    struct thread *a = thread_in(1, 10, NULL), *b = thread_in(2, 20, NULL),
                  *c = thread_in(0, 5, NULL), *d = thread_in(3, 30, NULL);
    CHECK(sched_highest() == d); /* off: priority alone */
    CHECK_EQ(SCHEDULE(2, 1, 1000, 2, 1000), OPAL_OK);
    CHECK(sched_eligible(a) && sched_eligible(c));
    CHECK(!sched_eligible(b) && !sched_eligible(d));
    CHECK(sched_highest() == a);
    CHECK(b->in_ready_queue && d->in_ready_queue); /* queued, in their own domains' queues */
    CHECK_INVARIANTS();
    CHECK(schedule_at(0) == a);
    sched_set_domain(a, 3);
    CHECK(schedule_at(1) == c); /* the current thread left the window's domain */
    CHECK(a->in_ready_queue);
    CHECK_INVARIANTS();
}

TEST(domain_0_wins_ties_and_runs_in_every_window)
{
    reset();
    struct thread *a = thread_in(1, 10, NULL), *b = thread_in(2, 10, NULL);
    struct thread *c = thread_in(0, 10, NULL), *high = thread_in(0, 40, NULL);
    CHECK_EQ(SCHEDULE(2, 1, 1000, 2, 1000), OPAL_OK);
    CHECK(schedule_at(0) == high);
    CHECK(schedule_at(TICKS(1000)) == high); /* window 2 */
    CHECK_EQ(sched_window_domain(), 2);
    thread_suspend(high);
    CHECK(schedule_at(TICKS(1100)) == c); /* equal priority: the system domain's first */
    thread_suspend(c);
    CHECK(schedule_at(TICKS(1200)) == b);
    CHECK(schedule_at(TICKS(2000)) == a);
    thread_resume(high);
    CHECK(schedule_at(TICKS(2100)) == high);
    CHECK_INVARIANTS();
}

/* --- windows turn with time ----------------------------------------------- */

TEST(windows_turn_at_their_ends_and_arm_the_timer)
{
    reset();
    struct thread *a = thread_in(1, 10, NULL), *b = thread_in(2, 10, NULL);
    CHECK_EQ(SCHEDULE(3, 1, 1000, 2, 500, 1, 250), OPAL_OK);
    CHECK(fake.deadline == TICKS(1000) || timeslice_armed <= TICKS(1000));
    CHECK(schedule_at(0) == a);
    CHECK_EQ(fake.deadline, TICKS(1000)); /* the window ends before the slice */
    CHECK(schedule_at(TICKS(1000) - 1) == a);
    CHECK(schedule_at(TICKS(1000)) == b);
    CHECK(a->in_ready_queue && sched_highest() == NULL); /* a waits in domain 1's queue */
    CHECK_EQ(fake.deadline, TICKS(1500));
    CHECK(schedule_at(TICKS(1500)) == a);
    CHECK_EQ(fake.deadline, TICKS(1750));
    CHECK(schedule_at(TICKS(1750)) == a); /* window 0 again: a goes on */
    CHECK_EQ(domain_window_end, TICKS(2750));
    CHECK(schedule_at(TICKS(2750)) == b);
    CHECK_INVARIANTS();
}

TEST(an_empty_window_idles_until_the_next)
{
    reset();
    struct thread *a = thread_in(1, 10, NULL);
    CHECK_EQ(SCHEDULE(2, 2, 1000, 1, 1000), OPAL_OK);
    fake.now = 10;
    timeslice_account();
    CHECK(sched_schedule() == a);
    CHECK_EQ(fake.waits, 1);
    CHECK_EQ(fake.now, TICKS(1000));
    CHECK_EQ(sched_window_domain(), 1);
    CHECK(timeslice_armed <= TICKS(2000)); /* the idle deadline passed: it fires at once */
}

TEST(a_long_gap_skips_whole_cycles)
{
    reset();
    thread_in(1, 10, NULL);
    struct thread *b = thread_in(2, 10, NULL);
    CHECK_EQ(SCHEDULE(2, 1, 1000, 2, 3000), OPAL_OK);
    uint64_t now = 1000 * TICKS(4000) + TICKS(1500); /* 1000 cycles, then into window 1 */
    CHECK(schedule_at(now) == b);
    CHECK_EQ(domain_window_end, 1000 * TICKS(4000) + TICKS(4000));
}

TEST(replacing_the_schedule_restarts_at_window_0)
{
    reset();
    struct thread *a = thread_in(1, 10, NULL), *b = thread_in(2, 10, NULL);
    CHECK_EQ(SCHEDULE(2, 1, 1000, 2, 1000), OPAL_OK);
    CHECK(schedule_at(0) == a);
    CHECK(schedule_at(TICKS(1500)) == b);
    fake.now = TICKS(1600);
    CHECK_EQ(SCHEDULE(2, 1, 1000, 2, 1000), OPAL_OK);
    CHECK_EQ(sched_window_domain(), 1);
    CHECK_EQ(domain_window_end, TICKS(2600));
    CHECK(schedule_at(TICKS(1601)) == a);
    CHECK(schedule_at(TICKS(2600)) == b);
    CHECK_INVARIANTS();
}

TEST(count_0_turns_domains_off)
{
    reset();
    struct thread *a = thread_in(1, 10, NULL), *b = thread_in(2, 20, NULL),
                  *c = thread_in(2, 20, NULL), *d = thread_in(0, 20, NULL);
    CHECK_EQ(SCHEDULE(2, 1, 1000, 2, 1000), OPAL_OK);
    CHECK(schedule_at(0) == d);
    thread_suspend(d);
    CHECK(schedule_at(1) == a);
    CHECK_EQ(SCHEDULE(0), OPAL_OK);
    CHECK_EQ(sched_window_domain(), 0);
    CHECK_EQ(domain_window_end, UINT64_MAX);
    CHECK(sched_eligible(b) && sched_eligible(c));
    CHECK_INVARIANTS(); /* b and c moved back to the shared queues, in order */
    CHECK(schedule_at(2) == b);
    CHECK(c->in_ready_queue && sched_highest() == c);
    CHECK_EQ(SCHEDULE(0), OPAL_OK); /* off again: nothing to do */
    CHECK_INVARIANTS();
}

/* --- waking and IPC ------------------------------------------------------- */

TEST(a_woken_thread_of_another_domain_waits_for_its_window)
{
    reset();
    struct thread *a = thread_in(1, 10, NULL), *b = thread_in(2, 50, NULL);
    thread_suspend(b);
    CHECK_EQ(SCHEDULE(2, 1, 1000, 2, 1000), OPAL_OK);
    CHECK(schedule_at(0) == a);
    thread_resume(b); /* as an IPC or a signal wakes it */
    CHECK(b->in_ready_queue);
    CHECK(schedule_at(10) == a);
    CHECK(schedule_at(TICKS(1000)) == b);
    CHECK_INVARIANTS();
}

/* The IPC fastpath: a server waiting in Recv, a client that Calls it. */
#define EP 20
#define RP 21
#define VS 22

static struct thread *server, *client;

static void give_spaces(struct thread *thread)
{
    cdt_insert_child(&fx.root[FIXTURE_ROOT_CPTR], &thread->cspace_root,
                     &fx.root[FIXTURE_ROOT_CPTR].cap);
    cdt_insert_child(&fx.root[VS], &thread->vspace_root, &fx.root[VS].cap);
    thread->slice_end = UINT64_MAX;
}

static void ipc_world(uint32_t server_domain)
{
    reset();
    timeslice_armed = 0; /* armed before any slice or window ends */
    fastpath_set_enabled(true);
    if (fixture_retype(FIXTURE_UNTYPED, OPAL_OBJECT_ENDPOINT, 0, EP, 1) ||
        fixture_retype(FIXTURE_UNTYPED, OPAL_OBJECT_REPLY, 0, RP, 1) ||
        fixture_retype(FIXTURE_UNTYPED, OPAL_OBJECT_VSPACE, 0, VS, 1))
        fixture_die("IPC world");
    server = thread_in(server_domain, 10, NULL);
    client = thread_in(0, 5, NULL);
    give_spaces(server);
    give_spaces(client);
    server->context.r[0] = EP;
    server->context.r[1] = 0;
    server->context.r[6] = RP;
    sched_dequeue(server);
    current_thread = server;
    syscall_handle(server, OPAL_SYS_RECV);
    sched_dequeue(client);
    current_thread = client;
    if (server->state != THREAD_BLOCKED_RECEIVE)
        fixture_die("the server did not wait");
    uint32_t windows[] = { 1, 1000, 2, 1000 };
    domain_set_schedule(windows, 2);
    client->context.r[0] = EP;
    client->context.r[1] = OPAL_TAG(5, 0, 1);
    client->context.r[2] = 0x1234;
}

TEST(fastpath_takes_a_server_of_the_windows_domain)
{
    ipc_world(1);
    CHECK(fastpath_call(&client->context) == &server->context);
    CHECK(current_thread == server);
    CHECK_EQ(server->context.r[2], 0x1234);
    CHECK_INVARIANTS();
}

TEST(fastpath_declines_a_server_of_another_domain)
{
    ipc_world(2);
    CHECK(fastpath_call(&client->context) == NULL);
    CHECK(current_thread == client && client->state == THREAD_RUNNABLE); /* untouched */
    CHECK_EQ(server->state, THREAD_BLOCKED_RECEIVE);
    syscall_handle(client, OPAL_SYS_CALL); /* the slowpath: the server becomes ready... */
    CHECK_EQ(server->state, THREAD_RUNNABLE);
    CHECK_EQ(server->context.r[2], 0x1234);
    CHECK(server->in_ready_queue);
    CHECK(sched_schedule() == server); /* ...and runs in its window */
    CHECK_EQ(fake.now, TICKS(1000));
    CHECK_INVARIANTS();
}

TEST(fastpath_ignores_domains_without_a_schedule)
{
    ipc_world(2);
    domain_set_schedule(NULL, 0);
    CHECK(fastpath_call(&client->context) == &server->context);
    CHECK_INVARIANTS();
}

/* --- consistency under random operations ---------------------------------- */

TEST(random_operations_keep_queues_consistent)
{
    reset();
    struct thread *threads[12];
    uint32_t seed = 12345;
    for (unsigned i = 0; i < 12; i++)
        threads[i] = thread_in(i % 4, (uint8_t)(i * 7 % 5), NULL);
    sched_set_domain(threads[0], 0); /* never suspended: someone can always run */
    uint64_t now = 0;
    for (unsigned step = 0; step < 3000; step++) {
        seed = seed * 1103515245u + 12345u;
        struct thread *t = threads[1 + (seed >> 8) % 11];
        switch ((seed >> 16) % 8) {
        case 0: thread_suspend(t); break;
        case 1: thread_resume(t); break;
        case 2: sched_set_domain(t, (seed >> 20) % 4); break;
        case 3: {
            uint32_t windows[] = { 1 + (seed >> 20) % 3, 100, 2, 200, 3, 150 };
            fake.now = now;
            domain_set_schedule(windows, 1 + (seed >> 24) % 3);
            break;
        }
        case 4: fake.now = now; domain_set_schedule(NULL, 0); break;
        default: {
            now += TICKS(37);
            struct thread *next = schedule_at(now);
            CHECKF(next != NULL && sched_eligible(next), "step %u: ineligible thread runs", step);
            CHECKF(sched_highest() == NULL || sched_highest()->priority <= next->priority,
                   "step %u: a higher eligible thread waits", step);
            CHECKF(timeslice_armed <= domain_window_end, "step %u: timer armed past the window",
                   step);
            break;
        }
        }
        CHECKF(sched_check_queues(), "step %u: queues broken", step);
    }
}
