/* Ready queues, one per priority, and a two-level bitmap over them so the
 * highest runnable priority is found with two count-leading-zeros.
 *
 * Domains (docs/api.md): one such set of queues per domain. While no
 * domain schedule is set, every thread is queued in set 0 whatever its
 * domain, and the scheduler is the plain one. While a schedule runs, a
 * thread is queued in its own domain's set, and only two sets are looked
 * at: the system domain's (0) and the current window's; threads of other
 * domains wait in theirs, skipped at no cost. Turning the schedule on or
 * off moves queued threads between the sets (an init-time operation). */
#include <stddef.h>
#include "config.h"
#include "objects.h"
#include "sched.h"

#define WORD_BITS 32
#define BITMAP_WORDS (CONFIG_PRIORITIES / WORD_BITS)
#define ALL_DOMAINS ((1u << CONFIG_DOMAINS) - 1)

struct ready_set {
    struct thread_queue queues[CONFIG_PRIORITIES];
    uint32_t bitmap_words[BITMAP_WORDS]; /* bit p%32 of word p/32: queue p non-empty */
    uint32_t bitmap_top;                 /* bit w: bitmap_words[w] non-zero */
};

static struct ready_set sets[CONFIG_DOMAINS];

struct thread *current_thread;
uint32_t sched_domain_mask = ALL_DOMAINS;
static unsigned window_domain; /* the current window's domain; 0: no schedule */

_Static_assert(CONFIG_DOMAINS <= 32, "sched_domain_mask holds a bit per domain");

void sched_init(void)
{
    for (unsigned d = 0; d < CONFIG_DOMAINS; d++) {
        for (unsigned p = 0; p < CONFIG_PRIORITIES; p++)
            sets[d].queues[p].head = sets[d].queues[p].tail = NULL;
        for (unsigned w = 0; w < BITMAP_WORDS; w++)
            sets[d].bitmap_words[w] = 0;
        sets[d].bitmap_top = 0;
    }
    current_thread = NULL;
    window_domain = 0;
    sched_domain_mask = ALL_DOMAINS;
}

/* The set a thread is (or would be) queued in. */
static struct ready_set *set_of(const struct thread *thread)
{
    return &sets[window_domain ? thread->domain : 0];
}

static void bitmap_set(struct ready_set *set, unsigned priority)
{
    set->bitmap_words[priority / WORD_BITS] |= 1u << (priority % WORD_BITS);
    set->bitmap_top |= 1u << (priority / WORD_BITS);
}

static void bitmap_clear(struct ready_set *set, unsigned priority)
{
    unsigned word = priority / WORD_BITS;
    set->bitmap_words[word] &= ~(1u << (priority % WORD_BITS));
    if (set->bitmap_words[word] == 0)
        set->bitmap_top &= ~(1u << word);
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

void sched_enqueue(struct thread *thread)
{
    if (thread->in_ready_queue || !sched_can_run(thread))
        return;
    struct ready_set *set = set_of(thread);
    queue_append(&set->queues[thread->priority], thread);
    thread->in_ready_queue = 1;
    bitmap_set(set, thread->priority);
}

void sched_enqueue_front(struct thread *thread)
{
    if (thread->in_ready_queue || !sched_can_run(thread))
        return;
    struct ready_set *set = set_of(thread);
    queue_prepend(&set->queues[thread->priority], thread);
    thread->in_ready_queue = 1;
    bitmap_set(set, thread->priority);
}

void sched_dequeue(struct thread *thread)
{
    if (!thread->in_ready_queue)
        return;
    struct ready_set *set = set_of(thread);
    struct thread_queue *queue = &set->queues[thread->priority];
    queue_remove(queue, thread);
    thread->in_ready_queue = 0;
    if (queue->head == NULL)
        bitmap_clear(set, thread->priority);
}

static struct thread *set_highest(const struct ready_set *set)
{
    if (set->bitmap_top == 0)
        return NULL;
    unsigned word = highest_bit(set->bitmap_top);
    unsigned priority = word * WORD_BITS + highest_bit(set->bitmap_words[word]);
    return set->queues[priority].head;
}

/* The system domain's best, or the window's if it has a strictly higher
 * priority: at equal priorities the system domain's thread goes first. */
struct thread *sched_highest(void)
{
    struct thread *best = set_highest(&sets[0]);
    if (window_domain) {
        struct thread *other = set_highest(&sets[window_domain]);
        if (other && (best == NULL || other->priority > best->priority))
            best = other;
    }
    return best;
}

void sched_rotate_current(void)
{
    if (current_thread)
        sched_enqueue(current_thread);
}

/* The current thread keeps the CPU unless a queued thread has a higher
 * priority, it was rotated to the back of its queue (then it is queued),
 * or its domain's window ended (then it goes back to the front of its
 * queue, to go on first in its next window). */
struct thread *sched_choose(void)
{
    struct thread *current = current_thread;
    struct thread *best = sched_highest();
    bool current_can_run = current && sched_can_run(current) && !current->in_ready_queue;

    if (current_can_run && sched_eligible(current) &&
        (best == NULL || best->priority <= current->priority))
        return current;
    if (current_can_run)
        sched_enqueue_front(current);
    if (best)
        sched_dequeue(best);
    current_thread = best;
    return best;
}

/* Move every queue of set `from` to the back of the same priority's queue
 * in set 0 (the schedule is turned off). */
static void gather(struct ready_set *from)
{
    struct ready_set *to = &sets[0];
    for (unsigned p = 0; p < CONFIG_PRIORITIES; p++) {
        struct thread_queue *source = &from->queues[p], *target = &to->queues[p];
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
        bitmap_set(to, p);
    }
}

/* Move each queued thread of a domain other than 0 from set 0 to its own
 * domain's set, in queue order (the schedule is turned on). */
static void spread(void)
{
    struct ready_set *from = &sets[0];
    for (unsigned p = 0; p < CONFIG_PRIORITIES; p++) {
        struct thread *thread = from->queues[p].head;
        while (thread) {
            struct thread *next = thread->queue_next;
            if (thread->domain != 0) {
                queue_remove(&from->queues[p], thread);
                queue_append(&sets[thread->domain].queues[p], thread);
                bitmap_set(&sets[thread->domain], p);
            }
            thread = next;
        }
        if (from->queues[p].head == NULL)
            bitmap_clear(from, p);
    }
}

void sched_set_window_domain(unsigned domain)
{
    bool was_on = window_domain != 0;
    if (domain >= CONFIG_DOMAINS)
        domain = 0;
    if (was_on && domain == 0) {
        for (unsigned d = 1; d < CONFIG_DOMAINS; d++)
            gather(&sets[d]);
    }
    window_domain = domain;
    if (!was_on && domain != 0)
        spread();
    sched_domain_mask = domain ? 1u | 1u << domain : ALL_DOMAINS;
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
}

/* For the invariant check: every queue is well linked, holds runnable
 * threads of its priority that belong in its set, and the bitmaps agree. */
bool sched_check_queues(void)
{
    for (unsigned d = 0; d < CONFIG_DOMAINS; d++) {
        const struct ready_set *set = &sets[d];
        for (unsigned p = 0; p < CONFIG_PRIORITIES; p++) {
            const struct thread *previous = NULL;
            for (const struct thread *t = set->queues[p].head; t; t = t->queue_next) {
                if (t->queue_prev != previous || t->priority != p || !t->in_ready_queue ||
                    t->state != THREAD_RUNNABLE || set_of(t) != set)
                    return false;
                previous = t;
            }
            bool bit = set->bitmap_words[p / WORD_BITS] & (1u << (p % WORD_BITS));
            if (set->queues[p].tail != previous || bit != (set->queues[p].head != NULL))
                return false;
        }
        for (unsigned w = 0; w < BITMAP_WORDS; w++) {
            bool top = set->bitmap_top & (1u << w);
            if (top != (set->bitmap_words[w] != 0))
                return false;
        }
    }
    return true;
}
