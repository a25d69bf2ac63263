/* Ready queues, one per priority, and a two-level bitmap over them so the
 * highest runnable priority is found with two count-leading-zeros.
 *
 * Domains (docs/api.md): one such set of queues per domain. While no
 * domain schedule is set, every thread is queued in set 0 whatever its
 * domain, and the scheduler is the plain one. While a schedule runs, a
 * thread is queued in its own domain's set, and only two sets are looked
 * at: the system domain's (0) and the current window's; threads of other
 * domains wait in theirs, skipped at no cost. At equal priorities the
 * system domain's thread goes first (the two sets share no round-robin).
 * Turning the schedule on or off moves queued threads between the sets
 * (an init-time operation, linear in the queued threads). */
#include <stddef.h>
#include "config.h"
#include "core.h"
#include "objects.h"
#include "sched.h"

#define WORD_BITS 32
#define BITMAP_WORDS SCHED_BITMAP_WORDS
#define ALL_DOMAINS ((1u << CONFIG_DOMAINS) - 1)
#define ALWAYS_INLINE inline __attribute__((always_inline))

/* Each core has its own sets (struct sched_queues, core.h). Set d:
 * queues[d], bitmap_words[d] (bit p%32 of word p/32: queue p non-empty)
 * and bitmap_top[d] (bit w: bitmap_words[d][w] non-zero). A thread is
 * queued in its own core's sets; a core chooses from its own. */

_Static_assert(CONFIG_DOMAINS <= 32, "domain_mask holds a bit per domain");
_Static_assert((CONFIG_DOMAINS & (CONFIG_DOMAINS - 1)) == 0, "set_mask masks a domain");

static void queues_init(struct sched_queues *q)
{
    for (unsigned d = 0; d < CONFIG_DOMAINS; d++) {
        for (unsigned p = 0; p < CONFIG_PRIORITIES; p++)
            q->queues[d][p].head = q->queues[d][p].tail = NULL;
        for (unsigned w = 0; w < BITMAP_WORDS; w++)
            q->bitmap_words[d][w] = 0;
        q->bitmap_top[d] = 0;
    }
    q->window_domain = 0;
    q->set_mask = 0;
    q->domain_mask = ALL_DOMAINS;
}

void sched_init(void)
{
    for (unsigned c = 0; c < CONFIG_CORES; c++) {
        queues_init(&cores[c].sched);
        cores[c].current = NULL;
    }
}

static inline struct sched_queues *queues_of(const struct thread *thread)
{
    return &core_of(thread)->sched;
}

/* The set a thread is (or would be) queued in. */
static inline unsigned set_of(const struct sched_queues *q, const struct thread *thread)
{
    return thread->domain & q->set_mask;
}

static inline void bitmap_set(struct sched_queues *q, unsigned set, unsigned priority)
{
    q->bitmap_words[set][priority / WORD_BITS] |= 1u << (priority % WORD_BITS);
    q->bitmap_top[set] |= 1u << (priority / WORD_BITS);
}

static inline void bitmap_clear(struct sched_queues *q, unsigned set, unsigned priority)
{
    unsigned word = priority / WORD_BITS;
    q->bitmap_words[set][word] &= ~(1u << (priority % WORD_BITS));
    if (q->bitmap_words[set][word] == 0)
        q->bitmap_top[set] &= ~(1u << word);
}

/* Runnable, with a scheduling context that has budget left. */
bool sched_can_run(const struct thread *thread)
{
    const struct sched_context *context = thread->sched_context;
    return thread->state == THREAD_RUNNABLE && context && context->budget && !context->depleted;
}

/* Queue operations on one set. Without a schedule every thread is in set
 * 0: that case takes the inline code, so domains off cost one test; the
 * per-domain case is out of line. */
static inline void put(struct sched_queues *q, struct thread *thread, unsigned set, bool front)
{
    struct thread_queue *queue = &q->queues[set][thread->priority];
    if (front)
        queue_prepend(queue, thread);
    else
        queue_append(queue, thread);
    thread->in_ready_queue = 1;
    bitmap_set(q, set, thread->priority);
}

static inline void take(struct sched_queues *q, struct thread *thread, unsigned set)
{
    struct thread_queue *queue = &q->queues[set][thread->priority];
    queue_remove(queue, thread);
    thread->in_ready_queue = 0;
    if (queue->head == NULL)
        bitmap_clear(q, set, thread->priority);
}

__attribute__((noinline)) static void put_in_domain_set(struct sched_queues *q,
                                                        struct thread *thread, bool front)
{
    put(q, thread, set_of(q, thread), front);
}

__attribute__((noinline)) static void take_from_domain_set(struct sched_queues *q,
                                                           struct thread *thread)
{
    take(q, thread, set_of(q, thread));
}

static ALWAYS_INLINE void enqueue(struct thread *thread, bool front)
{
    if (thread->in_ready_queue || !sched_can_run(thread))
        return;
    struct sched_queues *q = queues_of(thread);
    if (__builtin_expect(q->set_mask != 0, 0))
        put_in_domain_set(q, thread, front);
    else
        put(q, thread, 0, front);
}

static ALWAYS_INLINE void dequeue(struct thread *thread)
{
    if (!thread->in_ready_queue)
        return;
    struct sched_queues *q = queues_of(thread);
    if (__builtin_expect(q->set_mask != 0, 0))
        take_from_domain_set(q, thread);
    else
        take(q, thread, 0);
}

/* A thread made ready on another core may need that core to choose again:
 * if it outranks what runs there, or nothing does. (The caller checked
 * that the core is not this one.) */
static void notify_core(const struct thread *thread)
{
    struct core *core = core_of(thread);
    if (!thread->in_ready_queue)
        return;
    if (core->current == NULL || core->current->priority < thread->priority)
        core_reschedule(core);
}

void sched_enqueue(struct thread *thread)
{
    enqueue(thread, false);
    if (__builtin_expect(thread->core != core_self()->index, 0))
        notify_core(thread);
}

void sched_enqueue_front(struct thread *thread)
{
    enqueue(thread, true);
}

void sched_dequeue(struct thread *thread)
{
    dequeue(thread);
}

/* The system domain's best, or the window's if it has a strictly higher
 * priority: at equal priorities the system domain's thread goes first. */
__attribute__((noinline)) static struct thread *highest_with_domains(const struct sched_queues *q)
{
    struct thread *best = sched_set_highest(q, 0), *other = sched_set_highest(q, q->window_domain);
    if (other && (best == NULL || other->priority > best->priority))
        best = other;
    return best;
}

struct thread *sched_highest(void)
{
    const struct sched_queues *q = &core_self()->sched;
    if (__builtin_expect(q->window_domain != 0, 0))
        return highest_with_domains(q);
    return sched_set_highest(q, 0);
}

const struct thread *sched_highest_against_windows(const struct sched_queues *q,
                                                   const struct thread *to)
{
    return sched_eligible(to) ? highest_with_domains(q) : to;
}

void sched_rotate_current(void)
{
    if (current_thread)
        enqueue(current_thread, false);
}

/* The current thread keeps the CPU unless a queued thread has a higher
 * priority, or it was rotated to the back of its queue (then it is queued).
 * A current thread that is no longer eligible (its window ended, or it
 * was moved to another domain) was queued at the front of its queue then,
 * so it goes on first in its next window. */
struct thread *sched_choose(void)
{
    struct core *self = core_self();
    struct thread *current = self->current;
    if (__builtin_expect(current && current->core != self->index, 0)) {
        self->current = NULL;   /* it moved itself: its new core takes it */
        sched_enqueue(current);
        current = NULL;
    }
    struct thread *best = sched_highest();
    bool current_can_run = current && sched_can_run(current) && !current->in_ready_queue;

    if (current_can_run && (best == NULL || best->priority <= current->priority))
        return current;
    if (current_can_run)
        enqueue(current, true);
    if (best)
        dequeue(best);
    current_thread = best;
    return best;
}

/* A core's current thread, if it may no longer run, waits at the front of
 * its queue (sched_choose then picks another). */
static void queue_current_if_ineligible(struct core *core)
{
    struct thread *current = core->current;
    if (current && !current->in_ready_queue && !sched_eligible(current)) {
        sched_enqueue_front(current);
        if (core != core_self())
            core_reschedule(core);
    }
}

/* Move every queue of set `from` to the back of the same priority's queue
 * in set 0 (the schedule is turned off). */
static void gather(struct sched_queues *q, unsigned from)
{
    for (unsigned p = 0; p < CONFIG_PRIORITIES; p++) {
        struct thread_queue *source = &q->queues[from][p], *target = &q->queues[0][p];
        if (source->head == NULL)
            continue;
        if (target->tail) {
            target->tail->queue_next = source->head;
            source->head->queue_prev = target->tail;
        } else {
            target->head = source->head;
        }
        target->tail = source->tail;
        source->head = source->tail = NULL;
        bitmap_clear(q, from, p);
        bitmap_set(q, 0, p);
    }
}

/* Move each queued thread of a domain other than 0 from set 0 to its own
 * domain's set, in queue order (the schedule is turned on). */
static void spread(struct sched_queues *q)
{
    for (unsigned p = 0; p < CONFIG_PRIORITIES; p++) {
        struct thread *thread = q->queues[0][p].head;
        while (thread) {
            struct thread *next = thread->queue_next;
            if (thread->domain != 0) {
                queue_remove(&q->queues[0][p], thread);
                queue_append(&q->queues[thread->domain][p], thread);
                bitmap_set(q, thread->domain, p);
            }
            thread = next;
        }
        if (q->queues[0][p].head == NULL)
            bitmap_clear(q, 0, p);
    }
}

void sched_set_window_domain(struct core *core, unsigned domain)
{
    struct sched_queues *q = &core->sched;
    bool was_on = q->window_domain != 0;
    if (domain >= CONFIG_DOMAINS)
        domain = 0;
    if (was_on && domain == 0) {
        for (unsigned d = 1; d < CONFIG_DOMAINS; d++)
            gather(q, d);
    }
    q->window_domain = domain;
    q->set_mask = domain ? CONFIG_DOMAINS - 1 : 0;
    if (!was_on && domain != 0)
        spread(q);
    q->domain_mask = domain ? 1u | 1u << domain : ALL_DOMAINS;
    queue_current_if_ineligible(core);
}

unsigned sched_window_domain(void)
{
    return core_self()->sched.window_domain;
}

void sched_set_domain(struct thread *thread, unsigned domain)
{
    bool queued = thread->in_ready_queue;
    sched_dequeue(thread);
    thread->domain = (uint8_t)domain;
    if (queued)
        sched_enqueue(thread);
    if (thread == core_of(thread)->current)
        queue_current_if_ineligible(core_of(thread));
}

/* For the invariant check: on every core, every queue is well linked and
 * holds runnable threads of this core, of its priority, that belong in its
 * set, and the bitmaps agree; the current thread is this core's and, unless
 * queued, may run in this window. */
static bool core_queues_sound(const struct core *core)
{
    const struct sched_queues *q = &core->sched;
    for (unsigned d = 0; d < CONFIG_DOMAINS; d++) {
        for (unsigned p = 0; p < CONFIG_PRIORITIES; p++) {
            const struct thread *previous = NULL;
            for (const struct thread *t = q->queues[d][p].head; t; t = t->queue_next) {
                if (t->queue_prev != previous || t->priority != p || !t->in_ready_queue ||
                    t->state != THREAD_RUNNABLE || set_of(q, t) != d || t->core != core->index)
                    return false;
                previous = t;
            }
            bool bit = q->bitmap_words[d][p / WORD_BITS] & (1u << (p % WORD_BITS));
            if (q->queues[d][p].tail != previous || bit != (q->queues[d][p].head != NULL))
                return false;
        }
        for (unsigned w = 0; w < BITMAP_WORDS; w++) {
            bool top = q->bitmap_top[d] & (1u << w);
            if (top != (q->bitmap_words[d][w] != 0))
                return false;
        }
    }
    const struct thread *current = core->current;
    return current == NULL || current->in_ready_queue || !sched_can_run(current) ||
           (current->core == core->index && ((q->domain_mask >> current->domain) & 1u));
}

bool sched_check_queues(void)
{
    for (unsigned c = 0; c < CONFIG_CORES; c++)
        if (!core_queues_sound(&cores[c]))
            return false;
    return true;
}

struct thread *sched_schedule(void)
{
    struct thread *next;
    for (;;) {
        timeslice_update();
        if ((next = sched_choose()) != NULL)
            break;
        timeslice_idle();
    }
    timeslice_switch_to(next);
    return next;
}
