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
};

#define PROT_READ_WRITE 3
#define MAP_PRIVATE_ANONYMOUS 0x22
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
