/* What the guest benchmark programs (bench/linux/workload.c, the SMP one
 * bench/linux/smp*.c) share: their output, their compute loop, fresh-memory page
 * faults and fork + exec (bench/linux/common.c). */
#ifndef BENCH_LINUX_COMMON_H
#define BENCH_LINUX_COMMON_H

#include <stdint.h>

/* A formatted line in one write, returning once the UART has sent it. */
void emit(const char *format_text, ...) __attribute__((format(printf, 1, 2)));

/* `count` steps of an xorshift generator from `seed`, folded into a sum:
 * registers only. */
uint32_t xorshift_sum(uint32_t seed, uint32_t count);

/* Maps `bytes` of fresh anonymous memory and stores `offset + salt` into
 * each page (each store a page fault that allocates and zeroes a page).
 * Returns the address, or 0 if the mapping failed; the caller unmaps. */
long touch_fresh_pages(uint32_t bytes, uint32_t salt);

/* fork; the child execs `path` with `argv` and no environment (and exits
 * 127 if it cannot); wait for it. Whether it exited 0. */
int spawn_and_wait(const char *path, char *const argv[]);

/* The instruction-counting QEMU plugin (bench/plugin) prints its totals
 * whenever this runs: each benchmark calls it before and after each timed
 * loop, and the scripts give the plugin its address. */
void bench_marker(void);

#define PAGE 4096u

#endif
