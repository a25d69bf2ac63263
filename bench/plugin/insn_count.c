/* A QEMU TCG plugin that counts executed instructions by address range:
 * "kernel" is [kernel_start, kernel_end), everything else "user". At each
 * execution of the instruction at `marker` it prints both running totals,
 * so a benchmark brackets a loop with two markers and divides the difference.
 * Arguments: kernel_start=HEX,kernel_end=HEX,marker=HEX[,profile=1][,top=HEX]. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "qemu_plugin_api.h"

PLUGIN_EXPORT int qemu_plugin_version = 1;

static uint64_t kernel_start, kernel_end, marker, profile, top = 0x3c;
static uint64_t kernel_count, user_count, marker_count;

/* profile=1: instructions executed per kernel translation block between
 * each pair of markers, to see where kernel time goes; the `top` (default
 * 60) costliest are printed. A block is also told apart by where QEMU holds
 * its code, because tasks share virtual addresses: that host address is
 * printed too, so blocks of one physical page group together. */
#define PROFILE_BLOCKS 0x100000u  /* a power of two: an open-addressed hash table */
static struct block {
    uint64_t address, instructions, executions;
    const void *code;
} blocks[PROFILE_BLOCKS];
static unsigned block_count;

static void profile_block(struct qemu_plugin_tb *tb, uint64_t address, const void *code,
                          uint64_t instructions)
{
    uint64_t hash = (address ^ (uint64_t)(uintptr_t)code ^ instructions) * 0x9e3779b97f4a7c15u;
    for (unsigned probe = 0; probe < PROFILE_BLOCKS; probe++) {
        struct block *b = &blocks[((hash >> 40) + probe) & (PROFILE_BLOCKS - 1)];
        if (b->instructions == 0) {
            if (block_count == PROFILE_BLOCKS / 2)
                return;          /* full enough: the rest go uncounted */
            *b = (struct block){ address, instructions, 0, code };
            block_count++;
        } else if (b->address != address || b->code != code || b->instructions != instructions) {
            continue;
        }
        qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->executions, 1);
        return;
    }
}

static uint64_t cost(unsigned index)
{
    return blocks[index].instructions * blocks[index].executions;
}

static int by_cost(const void *a, const void *b)
{
    uint64_t ca = cost(*(const unsigned *)a), cb = cost(*(const unsigned *)b);
    return ca < cb ? 1 : ca > cb ? -1 : 0;
}

static void print_profile(void)
{
    /* Sort indexes, not the blocks: QEMU's inline counters point into blocks[]. */
    static unsigned order[PROFILE_BLOCKS];
    char line[128];
    unsigned used = 0;
    for (unsigned i = 0; i < PROFILE_BLOCKS; i++)
        if (blocks[i].instructions != 0)
            order[used++] = i;
    qsort(order, used, sizeof order[0], by_cost);
    for (unsigned i = 0; i < used && i < top; i++) {
        const struct block *block = &blocks[order[i]];
        snprintf(line, sizeof line, "PROFILE %08" PRIx64 " %4" PRIu64 " x %10" PRIu64 " at %p\n",
                 block->address, block->instructions, block->executions, block->code);
        qemu_plugin_outs(line);
    }
}

static void on_marker(unsigned int vcpu_index, void *userdata)
{
    char line[128];
    (void)vcpu_index;
    (void)userdata;
    snprintf(line, sizeof line, "INSN marker %" PRIu64 " kernel %" PRIu64 " user %" PRIu64 "\n",
             ++marker_count, kernel_count, user_count);
    qemu_plugin_outs(line);
    if (profile && marker_count % 2 == 0)
        print_profile();
    for (unsigned i = 0; profile && i < PROFILE_BLOCKS; i++)
        blocks[i].executions = 0; /* each profile covers one marker pair */
}

/* Count per translation block, inline: the totals cost no callbacks. */
static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    uint64_t kernel = 0, user = 0;
    (void)id;
    for (size_t i = 0; i < qemu_plugin_tb_n_insns(tb); i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t address = qemu_plugin_insn_vaddr(insn);
        if (address >= kernel_start && address < kernel_end)
            kernel++;
        else
            user++;
        if (address == marker)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_marker, QEMU_PLUGIN_CB_NO_REGS, NULL);
    }
    if (kernel)
        qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &kernel_count,
                                                 kernel);
    if (kernel && profile)
        profile_block(tb, qemu_plugin_insn_vaddr(qemu_plugin_tb_get_insn(tb, 0)),
                      qemu_plugin_insn_haddr(qemu_plugin_tb_get_insn(tb, 0)), kernel);
    if (user)
        qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &user_count, user);
}

static int parse(const char *argument, const char *name, uint64_t *value)
{
    size_t length = strlen(name);
    if (strncmp(argument, name, length) != 0 || argument[length] != '=')
        return 0;
    *value = strtoull(argument + length + 1, NULL, 16);
    return 1;
}

PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                      char **argv);
PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                      char **argv)
{
    (void)info;
    for (int i = 0; i < argc; i++) {
        if (!parse(argv[i], "kernel_start", &kernel_start) &&
            !parse(argv[i], "kernel_end", &kernel_end) && !parse(argv[i], "marker", &marker) &&
            !parse(argv[i], "profile", &profile) && !parse(argv[i], "top", &top)) {
            fprintf(stderr, "insn_count: unknown argument %s\n", argv[i]);
            return -1;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    return 0;
}
