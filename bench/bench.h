/* Shared by the benchmark root task and its server process. */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <stdint.h>

/* The argument the server starts with: which caps to use (root CNode CPtrs). */
#define BENCH_SERVER_ARGUMENT(endpoint, reply) ((endpoint) | ((reply) << 16))
#define BENCH_SERVER_ENDPOINT(argument) ((argument) & 0xffffu)
#define BENCH_SERVER_REPLY(argument) ((argument) >> 16)

/* The benchmark marks the start and end of each measured loop by calling
 * this; the instruction-counting QEMU plugin reports the kernel's count at
 * every call (bench/plugin/insn_count.c). */
void bench_marker(uint32_t id);

#endif
