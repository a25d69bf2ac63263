/* The invocation fuzzer: a worker thread issues tens of thousands of seeded
 * random system calls and invocations against a pool of objects carved from
 * one untyped region; the root restarts it whenever it blocks or stops.
 * Every 500 operations, and at the end, the kernel's invariant check must
 * pass; at the end the pool is revoked and a normal IPC must still work.
 * Boot arguments: fuzz.seed=N fuzz.ops=N (hexadecimal or decimal). */
#include "opal.h"
#include "process.h"

#define POOL_SLOTS 96
#define DEFAULT_OPS 50000
#define DEFAULT_SEED 12345
#define CHECK_EVERY 500
#define WORKER_PRIORITY 200   /* above the root (128): the root runs only when it cannot */
#define STACK_SIZE 8192
#define WORKER_IPC_BUFFER 0x30000000u

static uint8_t worker_stack[STACK_SIZE] __attribute__((aligned(8)));
static uint8_t echo_stack[STACK_SIZE] __attribute__((aligned(8)));
static uint32_t pool_base, region, worker_tcb, fuzz_ops;
static volatile uint32_t ops_done, broken_at, restarts, succeeded;
static uint64_t rng_state;

static uint32_t random32(void)
{
    /* xorshift64*: small, seedable, good enough to pick operations */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static uint32_t below(uint32_t limit)
{
    return random32() % limit;
}

/* A CPtr: mostly a pool slot, sometimes empty or nonsense, never one of the
 * root's own caps outside the pool. */
static uint32_t random_cptr(void)
{
    uint32_t pick = below(100);
    if (pick < 85)
        return pool_base + below(POOL_SLOTS);
    if (pick < 90)
        return 0;
    return 0x10000000u | random32(); /* fails lookup: beyond the root's guard */
}

static uint32_t random_argument(void)
{
    static const uint32_t interesting[] = { 0, 1, 2, 3, 4, 5, 12, 16, 21, 31, 32, 255, 256,
                                            0x1000, 0x200000, 0x7fffffff, 0xffffffff };
    uint32_t pick = below(10);
    if (pick < 4)
        return interesting[below(sizeof interesting / sizeof interesting[0])];
    if (pick < 7)
        return random_cptr();
    return random32();
}

static uint32_t random_label(void)
{
    static const uint32_t labels[] = {
        OPAL_UNTYPED_RETYPE, OPAL_CNODE_COPY, OPAL_CNODE_MINT, OPAL_CNODE_MOVE, OPAL_CNODE_MUTATE,
        OPAL_CNODE_DELETE, OPAL_CNODE_REVOKE, OPAL_TCB_CONFIGURE, OPAL_TCB_SET_PRIORITY,
        OPAL_TCB_SET_MCP, OPAL_TCB_SET_SCHED_CONTEXT, OPAL_TCB_READ_REGISTERS,
        OPAL_TCB_WRITE_REGISTERS, OPAL_TCB_RESUME, OPAL_TCB_SUSPEND, OPAL_TCB_BIND_NOTIFICATION,
        OPAL_TCB_UNBIND_NOTIFICATION, OPAL_PAGE_TABLE_MAP, OPAL_PAGE_TABLE_UNMAP, OPAL_FRAME_MAP,
        OPAL_FRAME_UNMAP, OPAL_FRAME_REMAP, OPAL_FRAME_ADDRESS, OPAL_IRQ_HANDLER_ACK,
    };
    if (below(10) == 0)
        return random32() & 0xfffff;
    return labels[below(sizeof labels / sizeof labels[0])];
}

/* One random invocation (a Call on a random cap) with random arguments. */
static int random_invocation(void)
{
    struct opal_ipc_buffer *buffer = (struct opal_ipc_buffer *)WORKER_IPC_BUFFER;
    uint32_t length = below(9);
    struct opal_message message = { .tag = OPAL_TAG(random_label(), below(4), length) };
    for (uint32_t i = 0; i < length; i++) {
        uint32_t value = random_argument();
        if (i < OPAL_MSG_REGISTERS)
            message.mr[i] = value;
        else
            buffer->mr[i] = value;
    }
    for (uint32_t i = 0; i < OPAL_MSG_MAX_EXTRA_CAPS; i++)
        buffer->send_caps[i] = random_cptr();
    buffer->receive_cnode = OPAL_CAP_INIT_CNODE;
    buffer->receive_index = pool_base + below(POOL_SLOTS);
    buffer->receive_count = below(3);
    return opal_call(random_cptr(), &message);
}

/* Retype into the pool through the root CNode, the common way objects appear. */
static int random_retype(void)
{
    static const uint32_t sizes[] = { 0, 1, 3, 4, 8, 12, 14, 16, 21, 29, 30 };
    return opal_untyped_retype(random_cptr(), below(OPAL_OBJECT_TYPE_COUNT + 1),
                        sizes[below(sizeof sizes / sizeof sizes[0])], OPAL_CAP_INIT_CNODE,
                        pool_base + below(POOL_SLOTS), 1 + below(3));
}

static int random_cnode_operation(void)
{
    uint32_t index = pool_base + below(POOL_SLOTS), source = random_cptr();
    switch (below(6)) {
    case 0: return opal_cnode_copy(OPAL_CAP_INIT_CNODE, index, source, random32() & 0xf);
    case 1: return opal_cnode_mint(OPAL_CAP_INIT_CNODE, index, source, 0xf, random_argument());
    case 2: return opal_cnode_move(OPAL_CAP_INIT_CNODE, index, source);
    case 3: return opal_cnode_mutate(OPAL_CAP_INIT_CNODE, index, source, random_argument());
    case 4: return opal_cnode_delete(OPAL_CAP_INIT_CNODE, index);
    default: return opal_cnode_revoke(OPAL_CAP_INIT_CNODE, index);
    }
}

/* IPC and raw syscalls; some block, and then the root restarts the worker. */
static int random_syscall(void)
{
    struct opal_message message = { .tag = OPAL_TAG(random32() & 0xff, 0, below(5)) };
    uint32_t cptr = random_cptr(), reply = below(2) ? random_cptr() : 0;
    switch (below(9)) {
    case 0: return opal_nbsend(cptr, &message);
    case 1: return opal_nbrecv(cptr, reply, &message);
    case 2: return opal_reply(reply, &message);
    case 3: return opal_yield();
    case 4: return opal_send(cptr, &message);
    case 5: return opal_recv(cptr, reply, &message);
    case 6: return opal_call(cptr, &message);
    case 7: return opal_reply_recv(cptr, reply, &message);
    default:
        /* Unknown numbers are faults: the worker stops and is restarted. */
        return (int)opal_raw_syscall(9 + below(50), cptr, random32(), random32(), random32());
    }
}

static int random_sched_configure(void)
{
    uint32_t period = 100 + below(20000);
    return opal_sched_control_configure(OPAL_CAP_SCHED_CONTROL, random_cptr(), 1 + below(period),
                                 period);
}

static void worker(void)
{
    while (ops_done < fuzz_ops && !broken_at) {
        uint32_t op = ops_done++;
        if (op % CHECK_EVERY == 0 && opal_check_invariants() != OPAL_OK) {
            broken_at = op ? op : 1;
            break;
        }
        int error;
        switch (below(10)) {
        case 0: case 1: error = random_retype(); break;
        case 2: case 3: error = random_cnode_operation(); break;
        case 4: case 5: case 6: error = random_invocation(); break;
        case 7: error = random_sched_configure(); break;
        default: error = random_syscall(); break;
        }
        succeeded += error == OPAL_OK;
    }
    opal_tcb_suspend(worker_tcb);
}

static uint32_t parse_number(const char *text)
{
    uint32_t value = 0, base = 10;
    if (text[0] == '0' && text[1] == 'x') {
        base = 16;
        text += 2;
    }
    for (; *text && *text != ' '; text++) {
        uint32_t digit = *text >= 'a' ? (uint32_t)(*text - 'a' + 10) : (uint32_t)(*text - '0');
        value = value * base + digit;
    }
    return value;
}

static uint32_t boot_argument(const char *cmdline, const char *name, uint32_t fallback)
{
    for (const char *at = cmdline; *at; at++) {
        const char *n = name, *c = at;
        while (*n && *c == *n)
            n++, c++;
        if (*n == '\0' && *c == '=' && (at == cmdline || at[-1] == ' '))
            return parse_number(c + 1);
    }
    return fallback;
}

static void fail(const char *what, int error)
{
    printf("FUZZ FAIL %s: %s\n", what, opal_error_name(error));
    opal_system_off();
}

static void setup_pool(void)
{
    static const struct { uint32_t type, size_bits, count; } population[] = {
        { OPAL_OBJECT_UNTYPED, 16, 4 }, { OPAL_OBJECT_ENDPOINT, 0, 8 },
        { OPAL_OBJECT_NOTIFICATION, 0, 8 }, { OPAL_OBJECT_CNODE, 3, 4 },
        { OPAL_OBJECT_TCB, 0, 4 }, { OPAL_OBJECT_REPLY, 0, 4 }, { OPAL_OBJECT_VSPACE, 0, 2 },
        { OPAL_OBJECT_PAGE_TABLE, 0, 4 }, { OPAL_OBJECT_FRAME, 12, 8 },
        { OPAL_OBJECT_SCHED_CONTEXT, 0, 4 },
    };
    int error;
    pool_base = opal_alloc_slot();
    for (uint32_t i = 1; i < POOL_SLOTS; i++)
        opal_alloc_slot();
    if ((error = opal_alloc_object(OPAL_OBJECT_UNTYPED, 20, &region)) != OPAL_OK)
        fail("pool region", error);
    uint32_t slot = pool_base;
    for (unsigned i = 0; i < sizeof population / sizeof population[0]; i++) {
        error = opal_untyped_retype(region, population[i].type, population[i].size_bits,
                                    OPAL_CAP_INIT_CNODE, slot, population[i].count);
        if (error != OPAL_OK)
            fail("pool population", error);
        slot += population[i].count;
    }
}

static void start_thread(uint32_t *tcb, void (*entry)(void), uint8_t *stack, uint32_t priority)
{
    uint32_t context, frame;
    uint32_t buffer = stack == worker_stack ? WORKER_IPC_BUFFER : WORKER_IPC_BUFFER + 0x1000;
    int error;
    if ((error = opal_alloc_object(OPAL_OBJECT_TCB, 0, tcb)) ||
        (error = opal_alloc_object(OPAL_OBJECT_SCHED_CONTEXT, 0, &context)) ||
        (error = opal_alloc_object(OPAL_OBJECT_FRAME, 12, &frame)) ||
        (error = process_map_frame(frame, OPAL_CAP_INIT_VSPACE, buffer,
                                   OPAL_MAP_READ | OPAL_MAP_WRITE)))
        fail("thread objects", error);
    opal_ipc_buffer_register(stack, stack + STACK_SIZE, (struct opal_ipc_buffer *)buffer);
    if ((error = opal_tcb_configure(*tcb, 0, OPAL_CAP_INIT_CNODE, OPAL_CAP_INIT_VSPACE, buffer,
                                    frame)) ||
        (error = opal_tcb_set_priority(*tcb, OPAL_CAP_INIT_TCB, priority)) ||
        (error = opal_sched_control_configure(OPAL_CAP_SCHED_CONTROL, context, 1000000,
                                              1000000)) ||
        (error = opal_tcb_set_sched_context(*tcb, context)) ||
        (error = opal_tcb_write_registers(*tcb, (uint32_t)entry, (uint32_t)(stack + STACK_SIZE),
                                          0, 0, 0, 0)) ||
        (error = opal_tcb_resume(*tcb)))
        fail("thread start", error);
}

/* The root runs only when the worker cannot: restart it at its loop. */
static void supervise(void)
{
    while (ops_done < fuzz_ops && !broken_at) {
        opal_tcb_suspend(worker_tcb);
        opal_tcb_write_registers(worker_tcb, (uint32_t)worker,
                                 (uint32_t)(worker_stack + STACK_SIZE), 0, 0, 0, 0);
        opal_tcb_resume(worker_tcb);
        restarts++;
    }
    opal_tcb_suspend(worker_tcb);
}

static uint32_t echo_endpoint, echo_reply;

static void echo(void)
{
    struct opal_message message;
    opal_recv(echo_endpoint, echo_reply, &message);
    for (;;) {
        message.mr[0] += 1;
        opal_reply_recv(echo_endpoint, echo_reply, &message);
    }
}

/* After the storm: a plain Call/Reply between two fresh threads works. */
static int normal_ipc_works(void)
{
    uint32_t tcb;
    struct opal_message message = { .tag = OPAL_TAG(7, 0, 1), .mr = { 41 } };
    if (opal_alloc_object(OPAL_OBJECT_ENDPOINT, 0, &echo_endpoint) ||
        opal_alloc_object(OPAL_OBJECT_REPLY, 0, &echo_reply))
        return 0;
    start_thread(&tcb, echo, echo_stack, 200);
    return opal_call(echo_endpoint, &message) == OPAL_OK && message.mr[0] == 42 &&
           OPAL_TAG_LENGTH(message.tag) == 1;
}

int main(const struct opal_bootinfo *bootinfo)
{
    uint32_t seed = boot_argument(bootinfo->cmdline, "fuzz.seed", DEFAULT_SEED);
    fuzz_ops = boot_argument(bootinfo->cmdline, "fuzz.ops", DEFAULT_OPS);
    rng_state = 0x9e3779b97f4a7c15ull ^ seed;
    printf("FUZZ seed %u ops %u (replay with bootargs \"fuzz.seed=%u fuzz.ops=%u\")\n",
           (unsigned)seed, (unsigned)fuzz_ops, (unsigned)seed, (unsigned)fuzz_ops);
    opal_alloc_init(bootinfo);
    setup_pool();
    start_thread(&worker_tcb, worker, worker_stack, WORKER_PRIORITY);
    supervise();
    if (broken_at) {
        printf("FUZZ FAIL invariants broken before operation %u\n", (unsigned)broken_at);
        opal_system_off();
    }
    int error = opal_cnode_revoke(OPAL_CAP_INIT_CNODE, region);
    int invariants = opal_check_invariants();
    printf("FUZZ ran %u operations (%u succeeded), %u restarts; revoke %s, invariants %s\n",
           (unsigned)ops_done, (unsigned)succeeded, (unsigned)restarts, opal_error_name(error),
           opal_error_name(invariants));
    printf("FUZZ %s\n", error == OPAL_OK && invariants == OPAL_OK && normal_ipc_works()
                            ? "ok" : "FAIL after the run");
    opal_system_off();
}
