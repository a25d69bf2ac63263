/* System-call stubs: the ABI of include/opal/syscall.h in inline assembly. */
#include "opal.h"

uint32_t opal_raw_syscall(uint32_t number, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3)
{
    register uint32_t r0 __asm__("r0") = a0;
    register uint32_t r1 __asm__("r1") = a1;
    register uint32_t r2 __asm__("r2") = a2;
    register uint32_t r3 __asm__("r3") = a3;
    register uint32_t r7 __asm__("r7") = number;
    __asm__ volatile("svc #0"
                     : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3)
                     : "r"(r7)
                     : "r4", "r5", "memory");
    return r0;
}

int opal_yield(void)
{
    return (int)opal_raw_syscall(OPAL_SYS_YIELD, 0, 0, 0, 0);
}

int opal_debug_write(const char *bytes, uint32_t length)
{
    return (int)opal_raw_syscall(OPAL_SYS_DEBUG_WRITE, (uint32_t)bytes, length, 0, 0);
}

void opal_exit(void)
{
    opal_raw_syscall(OPAL_SYS_DEBUG_EXIT, 0, 0, 0, 0);
    for (;;)
        ;
}

int opal_thread_start(void (*entry)(uint32_t), void *stack_top, uint32_t argument,
                      uint32_t *thread_id)
{
    register uint32_t r0 __asm__("r0") = (uint32_t)entry;
    register uint32_t r1 __asm__("r1") = (uint32_t)stack_top;
    register uint32_t r2 __asm__("r2") = argument;
    register uint32_t r7 __asm__("r7") = OPAL_SYS_DEBUG_THREAD_START;
    __asm__ volatile("svc #0" : "+r"(r0), "+r"(r1), "+r"(r2) : "r"(r7)
                     : "r3", "r4", "r5", "memory");
    if (r0 == OPAL_OK && thread_id)
        *thread_id = r1;
    return (int)r0;
}

void opal_system_off(void)
{
    print_flush();
    opal_raw_syscall(OPAL_SYS_DEBUG_SYSTEM_OFF, 0, 0, 0, 0);
    for (;;)
        ;
}
