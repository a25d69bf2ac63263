/* Raw Linux system calls for the guest benchmark (ARM EABI: number in r7,
 * arguments in r0-r5, result in r0, `svc #0`). No C library, so what the
 * benchmark times is the kernel and the hypervisor, not a libc's wrappers. */
#ifndef BENCH_LINUX_SYS_H
#define BENCH_LINUX_SYS_H

#include <stdint.h>

enum {
    SYS_EXIT = 1, SYS_FORK = 2, SYS_WRITE = 4, SYS_EXECVE = 11,
    SYS_IOCTL = 54, SYS_GETPPID = 64, SYS_REBOOT = 88, SYS_MUNMAP = 91, SYS_WAIT4 = 114,
    SYS_NANOSLEEP = 162, SYS_MMAP2 = 192,
    /* bench/linux/smp*.c's besides: */
    SYS_OPEN = 5, SYS_CLOSE = 6, SYS_MOUNT = 21, SYS_MKDIR = 39,
    SYS_FUTEX = 240, SYS_SCHED_SETAFFINITY = 241, SYS_SCHED_GETAFFINITY = 242,
    SYS_EXIT_GROUP = 248, SYS_GETCPU = 345, SYS_CLOCK_GETTIME64 = 403,
    SYS_CLOCK_NANOSLEEP_TIME64 = 407,
};

#define PROT_READ_WRITE 3
#define MAP_PRIVATE_ANONYMOUS 0x22
#define MAP_SHARED_ANONYMOUS 0x21
#define FUTEX_WAIT 0               /* shared (not private): workers are processes */
#define FUTEX_WAKE 1
#define CLOCK_MONOTONIC 1
#define O_WRONLY 1
#define TIMER_ABSTIME 1
#define TCSBRK 0x5409              /* with argument 1: tcdrain() */
#define REBOOT_MAGIC1 0xfee1deadu
#define REBOOT_MAGIC2 0x28121969u
#define REBOOT_POWER_OFF 0x4321fedcu

/* start.S: `svc #0` with the number in r7 and six arguments in r0-r5. */
long linux_syscall(long a, long b, long c, long d, long e, long f, long number);
#define sys3(number, a, b, c) linux_syscall((long)(a), (long)(b), (long)(c), 0, 0, 0, number)

/* The virtual counter: Linux lets user space read it (its vDSO does). */
static inline uint64_t counter(void)
{
    uint32_t low, high;
    __asm__ volatile("isb\n mrrc p15, 1, %0, %1, c14" : "=r"(low), "=r"(high));
    return (uint64_t)high << 32 | low;
}

#endif
