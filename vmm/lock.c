/* The VMM's lock (vmm.h): one word taken with LDREX/STREX, so that VMM
 * threads on different cores see each other's changes to the device
 * models in order. A thread that finds it taken yields: on one core the
 * holder runs next (VMM threads share a priority), on several it is a
 * spin with a system call in it. */
#include "vmm/vmm.h"

bool vmm_try_lock(struct vmm_lock *lock)
{
    volatile uint32_t *word = &lock->word;
    uint32_t old, failed;
    __asm__ volatile("ldrex %0, [%2]\n"
                     "cmp %0, #0\n"
                     "strexeq %1, %3, [%2]\n"
                     "movne %1, #1\n"
                     : "=&r"(old), "=&r"(failed)
                     : "r"(word), "r"(1u)
                     : "cc", "memory");
    if (old != 0 || failed != 0)
        return false;
    __asm__ volatile("dmb ish" ::: "memory");
    return true;
}

void vmm_lock(struct vmm_lock *lock)
{
    while (!vmm_try_lock(lock))
        opal_yield();
}

void vmm_unlock(struct vmm_lock *lock)
{
    __asm__ volatile("dmb ish" ::: "memory");
    lock->word = 0;
}
