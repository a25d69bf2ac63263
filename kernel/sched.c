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
#include "objects.h"
#include "sched.h"

#define WORD_BITS 32
#define BITMAP_WORDS (CONFIG_PRIORITIES / WORD_BITS)
#define ALL_DOMAINS ((1u << CONFIG_DOMAINS) - 1)
#define ALWAYS_INLINE inline __attribute__((always_inline))

/* Set d: queues[d], bitmap_words[d] (bit p%32 of word p/32: queue p
 * non-empty) and bitmap_top[d] (bit w: bitmap_words[d][w] non-zero). */
static struct thread_queue queues[CONFIG_DOMAINS][CONFIG_PRIORITIES];
static uint32_t bitmap_words[CONFIG_DOMAINS][BITMAP_WORDS];
static uint32_t bitmap_top[CONFIG_DOMAINS];

struct thread *current_thread;
uint32_t sched_domain_mask = ALL_DOMAINS;
static unsigned window_domain; /* the current window's domain; 0: no schedule */
static uint32_t set_mask;      /* thread->domain & set_mask: its set (0 without a schedule) */

_Static_assert(CONFIG_DOMAINS <= 32, "sched_domain_mask holds a bit per domain");
_Static_assert((CONFIG_DOMAINS & (CONFIG_DOMAINS - 1)) == 0, "set_mask masks a domain");

void sched_init(void)
{
    for (unsigned d = 0; d < CONFIG_DOMAINS; d++) {
        for (unsigned p = 0; p < CONFIG_PRIORITIES; p++)
            queues[d][p].head = queues[d][p].tail = NULL;
        for (unsigned w = 0; w < BITMAP_WORDS; w++)
            bitmap_words[d][w] = 0;
        bitmap_top[d] = 0;
    }
    current_thread = NULL;
    window_domain = 0;
    set_mask = 0;
    sched_domain_mask = ALL_DOMAINS;
}

/* The set a thread is (or would be) queued in. */
static inline unsigned set_of(const struct thread *thread)
{
    return thread->domain & set_mask;
}

static inline void bitmap_set(unsigned set, unsigned priority)
{
    bitmap_words[set][priority / WORD_BITS] |= 1u << (priority % WORD_BITS);
    bitmap_top[set] |= 1u << (priority / WORD_BITS);
}

static inline void bitmap_clear(unsigned set, unsigned priority)
{
    unsigned word = priority / WORD_BITS;
    bitmap_words[set][word] &= ~(1u << (priority % WORD_BITS));
    if (bitmap_words[set][word] == 0)
        bitmap_top[set] &= ~(1u << word);
}

static unsigned highest_bit(uint32_t bits)
{
    return WORD_BITS - 1 - (unsigned)__builtin_clz(bits);
}

/* Runnable, with a scheduling context that has budget left. */
bool sched_can_run(const struct thread *thread)
{
    const struct sched_context *context = thread->sched_context;
    return thread->state == THREAD_RUNNABLE && context && context->budget && !context->depleted;
}

/* Queue operations on one set. Without a schedule every thread is in set
 * 0: that case takes the inline code with set 0's constant addresses, so
 * domains off cost one test; the per-domain case is out of line. */
static inline void put(struct thread *thread, unsigned set, bool front)
{
    struct thread_queue *queue = &queues[set][thread->priority];
    if (front)
        queue_prepend(queue, thread);
    else
        queue_append(queue, thread);
    thread->in_ready_queue = 1;
    bitmap_set(set, thread->priority);
}

static inline void take(struct thread *thread, unsigned set)
{
    struct thread_queue *queue = &queues[set][thread->priority];
    queue_remove(queue, thread);
    thread->in_ready_queue = 0;
    if (queue->head == NULL)
        bitmap_clear(set, thread->priority);
}

__attribute__((noinline)) static void put_in_domain_set(struct thread *thread, bool front)
{
    put(thread, set_of(thread), front);
}

__attribute__((noinline)) static void take_from_domain_set(struct thread *thread)
{
    take(thread, set_of(thread));
}

static ALWAYS_INLINE void enqueue(struct thread *thread, bool front)
{
    if (thread->in_ready_queue || !sched_can_run(thread))
        return;
    if (__builtin_expect(set_mask != 0, 0))
        put_in_domain_set(thread, front);
    else
        put(thread, 0, front);
}

static ALWAYS_INLINE void dequeue(struct thread *thread)
{
    if (!thread->in_ready_queue)
        return;
    if (__builtin_expect(set_mask != 0, 0))
        take_from_domain_set(thread);
    else
        take(thread, 0);
}

void sched_enqueue(struct thread *thread)
{
    enqueue(thread, false);
}

void sched_enqueue_front(struct thread *thread)
{
    enqueue(thread, true);
}

void sched_dequeue(struct thread *thread)
{
    dequeue(thread);
}

static struct thread *set_highest(unsigned set)
{
    if (bitmap_top[set] == 0)
        return NULL;
    unsigned word = highest_bit(bitmap_top[set]);
    unsigned priority = word * WORD_BITS + highest_bit(bitmap_words[set][word]);
    return queues[set][priority].head;
}

/* The system domain's best, or the window's if it has a strictly higher
 * priority: at equal priorities the system domain's thread goes first. */
__attribute__((noinline)) static struct thread *highest_with_domains(void)
{
    struct thread *best = set_highest(0), *other = set_highest(window_domain);
    if (other && (best == NULL || other->priority > best->priority))
        best = other;
    return best;
}

struct thread *sched_highest(void)
{
    if (__builtin_expect(window_domain != 0, 0))
        return highest_with_domains();
    return set_highest(0);
}

__attribute__((noinline)) static const struct thread *against_with_domains(
    const struct thread *to)
{
    return sched_eligible(to) ? highest_with_domains() : to;
}

const struct thread *sched_highest_against(const struct thread *to)
{
    if (__builtin_expect(window_domain != 0, 0))
        return against_with_domains(to);
    return set_highest(0);
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
    struct thread *current = current_thread;
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

/* The current thread, if it may no longer run, waits at the front of its
 * queue (sched_choose then picks another). */
static void queue_current_if_ineligible(void)
{
    struct thread *current = current_thread;
    if (current && !current->in_ready_queue && !sched_eligible(current))
        sched_enqueue_front(current);
}

/* Move every queue of set `from` to the back of the same priority's queue
 * in set 0 (the schedule is turned off). */
static void gather(unsigned from)
{
    for (unsigned p = 0; p < CONFIG_PRIORITIES; p++) {
        struct thread_queue *source = &queues[from][p], *target = &queues[0][p];
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
        bitmap_clear(from, p);
        bitmap_set(0, p);
    }
}

/* Move each queued thread of a domain other than 0 from set 0 to its own
 * domain's set, in queue order (the schedule is turned on). */
static void spread(void)
{
    for (unsigned p = 0; p < CONFIG_PRIORITIES; p++) {
        struct thread *thread = queues[0][p].head;
        while (thread) {
            struct thread *next = thread->queue_next;
            if (thread->domain != 0) {
                queue_remove(&queues[0][p], thread);
                queue_append(&queues[thread->domain][p], thread);
                bitmap_set(thread->domain, p);
            }
            thread = next;
        }
        if (queues[0][p].head == NULL)
            bitmap_clear(0, p);
    }
}

void sched_set_window_domain(unsigned domain)
{
    bool was_on = window_domain != 0;
    if (domain >= CONFIG_DOMAINS)
        domain = 0;
    if (was_on && domain == 0) {
        for (unsigned d = 1; d < CONFIG_DOMAINS; d++)
            gather(d);
    }
    window_domain = domain;
    set_mask = domain ? CONFIG_DOMAINS - 1 : 0;
    if (!was_on && domain != 0)
        spread();
    sched_domain_mask = domain ? 1u | 1u << domain : ALL_DOMAINS;
    queue_current_if_ineligible();
}

unsigned sched_window_domain(void)
{
    return window_domain;
}

void sched_set_domain(struct thread *thread, unsigned domain)
{
    bool queued = thread->in_ready_queue;
    sched_dequeue(thread);
    thread->domain = (uint8_t)domain;
    if (queued)
        sched_enqueue(thread);
    if (thread == current_thread)
        queue_current_if_ineligible();
}

/* For the invariant check: every queue is well linked, holds runnable
 * threads of its priority that belong in its set, and the bitmaps agree;
 * the current thread, unless queued, may run in this window. */
bool sched_check_queues(void)
{
    for (unsigned d = 0; d < CONFIG_DOMAINS; d++) {
        for (unsigned p = 0; p < CONFIG_PRIORITIES; p++) {
            const struct thread *previous = NULL;
            for (const struct thread *t = queues[d][p].head; t; t = t->queue_next) {
                if (t->queue_prev != previous || t->priority != p || !t->in_ready_queue ||
                    t->state != THREAD_RUNNABLE || set_of(t) != d)
                    return false;
                previous = t;
            }
            bool bit = bitmap_words[d][p / WORD_BITS] & (1u << (p % WORD_BITS));
            if (queues[d][p].tail != previous || bit != (queues[d][p].head != NULL))
                return false;
        }
        for (unsigned w = 0; w < BITMAP_WORDS; w++) {
            bool top = bitmap_top[d] & (1u << w);
            if (top != (bitmap_words[d][w] != 0))
                return false;
        }
    }
    const struct thread *current = current_thread;
    return current == NULL || current->in_ready_queue || !sched_can_run(current) ||
           sched_eligible(current);
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
