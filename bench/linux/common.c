/* Code the guest benchmark programs share (bench/linux/common.h). */
#include <stdarg.h>
#include "common.h"
#include "core/format.h"
#include "sys.h"

/* One write per line, then tcdrain: no console interrupt of this line falls
 * inside the next timed loop. */
void emit(const char *format_text, ...)
{
    char line[128];
    va_list args;
    va_start(args, format_text);
    int length = format_string_v(line, sizeof line, format_text, args);
    va_end(args);
    sys3(SYS_WRITE, 1, line, length < (int)sizeof line ? length : (int)sizeof line - 1);
    sys3(SYS_IOCTL, 1, TCSBRK, 1);
}

void __attribute__((noinline)) bench_marker(void)
{
    __asm__ volatile("" ::: "memory");
}

uint32_t xorshift_sum(uint32_t seed, uint32_t count)
{
    uint32_t x = seed, sum = 0;
    for (uint32_t i = 0; i < count; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        sum += x ^ i;
    }
    return sum;
}

long touch_fresh_pages(uint32_t bytes, uint32_t salt)
{
    long address = linux_syscall(0, bytes, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0, SYS_MMAP2);
    if ((unsigned long)address >= -4096ul)
        return 0;
    for (uint32_t offset = 0; offset < bytes; offset += PAGE)
        *(volatile uint32_t *)(address + offset) = offset + salt;
    return address;
}

int spawn_and_wait(const char *path, char *const argv[])
{
    static char *const no_env[] = { 0 };
    long pid = sys3(SYS_FORK, 0, 0, 0);
    if (pid == 0) {
        sys3(SYS_EXECVE, path, argv, no_env);
        sys3(SYS_EXIT_GROUP, 127, 0, 0);
    }
    int status = -1;
    return pid > 0 && sys3(SYS_WAIT4, pid, &status, 0) == pid && status == 0;
}
