/* Ready queues, one per priority, and a two-level bitmap over them so the
 * highest runnable priority is found with two count-leading-zeros. */
#include <stddef.h>
#include "config.h"
#include "objects.h"
#include "sched.h"

#define WORD_BITS 32
#define BITMAP_WORDS (CONFIG_PRIORITIES / WORD_BITS)

static struct thread_queue queues[CONFIG_PRIORITIES];
static uint32_t bitmap_words[BITMAP_WORDS]; /* bit p%32 of word p/32: queue p non-empty */
static uint32_t bitmap_top;                 /* bit w: bitmap_words[w] non-zero */

struct thread *current_thread;

void sched_init(void)
{
    for (unsigned p = 0; p < CONFIG_PRIORITIES; p++)
        queues[p].head = queues[p].tail = NULL;
    for (unsigned w = 0; w < BITMAP_WORDS; w++)
        bitmap_words[w] = 0;
    bitmap_top = 0;
    current_thread = NULL;
}

static void bitmap_set(unsigned priority)
{
    bitmap_words[priority / WORD_BITS] |= 1u << (priority % WORD_BITS);
    bitmap_top |= 1u << (priority / WORD_BITS);
}

static void bitmap_clear(unsigned priority)
{
    unsigned word = priority / WORD_BITS;
    bitmap_words[word] &= ~(1u << (priority % WORD_BITS));
    if (bitmap_words[word] == 0)
        bitmap_top &= ~(1u << word);
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
    queue_append(&queues[thread->priority], thread);
    thread->in_ready_queue = 1;
    bitmap_set(thread->priority);
}

void sched_enqueue_front(struct thread *thread)
{
    if (thread->in_ready_queue || !sched_can_run(thread))
        return;
    queue_prepend(&queues[thread->priority], thread);
    thread->in_ready_queue = 1;
    bitmap_set(thread->priority);
}

void sched_dequeue(struct thread *thread)
{
    struct thread_queue *queue = &queues[thread->priority];
    if (!thread->in_ready_queue)
        return;
    queue_remove(queue, thread);
    thread->in_ready_queue = 0;
    if (queue->head == NULL)
        bitmap_clear(thread->priority);
}

struct thread *sched_highest(void)
{
    if (bitmap_top == 0)
        return NULL;
    unsigned word = highest_bit(bitmap_top);
    unsigned priority = word * WORD_BITS + highest_bit(bitmap_words[word]);
    return queues[priority].head;
}

void sched_rotate_current(void)
{
    if (current_thread)
        sched_enqueue(current_thread);
}

/* The current thread keeps the CPU unless a queued thread has a higher
 * priority, or it was rotated to the back of its queue (then it is queued). */
struct thread *sched_choose(void)
{
    struct thread *current = current_thread;
    struct thread *best = sched_highest();
    bool current_can_run = current && sched_can_run(current) && !current->in_ready_queue;

    if (current_can_run && (best == NULL || best->priority <= current->priority))
        return current;
    if (current_can_run)
        sched_enqueue_front(current);
    if (best)
        sched_dequeue(best);
    current_thread = best;
    return best;
}

/* For the invariant check: every queue is well linked, holds runnable
 * threads of its priority, and the bitmap agrees. */
bool sched_check_queues(void)
{
    for (unsigned p = 0; p < CONFIG_PRIORITIES; p++) {
        const struct thread *previous = NULL;
        for (const struct thread *t = queues[p].head; t; t = t->queue_next) {
            if (t->queue_prev != previous || t->priority != p || !t->in_ready_queue ||
                t->state != THREAD_RUNNABLE)
                return false;
            previous = t;
        }
        bool bit = bitmap_words[p / WORD_BITS] & (1u << (p % WORD_BITS));
        if (queues[p].tail != previous || bit != (queues[p].head != NULL))
            return false;
    }
    return true;
}
