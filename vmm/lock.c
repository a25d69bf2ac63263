/* The VMM's lock (vmm.h, where taking and releasing it are inline): one
 * word taken with LDREX/STREX, so that VMM threads on different cores see
 * each other's changes to the device models in order. A thread that finds
 * it taken yields: on one core the holder runs next (VMM threads share a
 * priority), on several it is a spin with a system call in it. */
#include "vmm/vmm.h"

void vmm_lock(struct vmm_lock *lock)
{
    while (!vmm_try_lock(lock))
        opal_yield();
}
