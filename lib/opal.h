/* libopal: what a native Opal program uses. System calls, output, boot info. */
#ifndef LIB_OPAL_H
#define LIB_OPAL_H

#include <stdint.h>
#include "opal/bootinfo.h"
#include "opal/error.h"
#include "opal/syscall.h"

/* System calls (lib/syscall.c). Each returns an enum opal_error. */
int opal_yield(void);
int opal_debug_write(const char *bytes, uint32_t length);
__attribute__((noreturn)) void opal_exit(void);
int opal_thread_start(void (*entry)(uint32_t), void *stack_top, uint32_t argument,
                      uint32_t *thread_id);
__attribute__((noreturn)) void opal_system_off(void);
/* Any syscall number with up to four arguments: for tests of the decode path. */
uint32_t opal_raw_syscall(uint32_t number, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3);

/* Formatted output (lib/print.c), buffered per line and written whole. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int puts(const char *string);
void print_flush(void);

/* The generic counter, through its virtual view (CNTVCT): native threads
 * see it with a zero offset, so it equals the physical count. */
static inline uint64_t opal_counter(void)
{
    uint32_t low, high;
    __asm__ volatile("isb\n mrrc p15, 1, %0, %1, c14" : "=r"(low), "=r"(high));
    return ((uint64_t)high << 32) | low;
}

/* The program's entry point, called by crt0 with the boot info (root task)
 * or the start argument. Returning ends the thread. */
int main(const struct opal_bootinfo *bootinfo);

#endif
