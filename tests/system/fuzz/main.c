/* The invocation fuzzer: a worker thread issues tens of thousands of seeded
 * random system calls and invocations inside a CSpace of its own, filled with
 * objects carved from one untyped region; the root task, which the worker
 * cannot name, restarts it whenever it blocks or stops, serves its
 * scheduling requests, and runs the kernel's invariant check every 500
 * operations and at the end; then it revokes the region and a normal IPC must
 * still work. Boot arguments: fuzz.seed=N fuzz.ops=N (decimal). */
#include "opal.h"
#include "process.h"
#include "core/cmdline.h"

#define DEFAULT_OPS 50000
#define DEFAULT_SEED 12345
#define CHECK_EVERY 500
#define WORKER_PRIORITY 200   /* above the root (128): the root runs only when the worker cannot */
/* Pool threads may outrank the root (they run while the worker waits), never
 * the worker; they starve nobody, as their memory is zeroed: straight-line
 * code that ends in a fault. */
#define POOL_MCP 150
#define STACK_SIZE 8192
#define WORKER_IPC_BUFFER 0x30000000u

/* The worker's CSpace: one CNode whose guard takes the bits its slots do not,
 * so a worker CPtr is a plain slot number, and every other CPtr fails lookup.
 * Nothing in it is a cap the root task uses, so whatever the worker copies,
 * moves or deletes, the root's CSpace stays whole. */
#define WORKER_CNODE_BITS 7
#define WORKER_SLOTS (1u << WORKER_CNODE_BITS)
enum worker_slot {
    WORKER_CAP_CNODE = 1,     /* its own CNode: copy, mint, move, delete within it */
    WORKER_CAP_ROOT = 2,      /* a badged send-only endpoint to the root (requests) */
    WORKER_CAP_AUTHORITY = 3, /* a TCB of MCP POOL_MCP, to set pool threads' priorities */
    WORKER_CAP_POOL = 4,      /* the pool objects follow */
};
#define POOL_CNODE_BITS 3     /* the pool's own CNodes: nested destinations */

/* The pool, in this order from WORKER_CAP_POOL on. */
static const struct { uint32_t type, size_bits, count; } population[] = {
    { OPAL_OBJECT_UNTYPED, 16, 4 }, { OPAL_OBJECT_ENDPOINT, 0, 8 },
    { OPAL_OBJECT_NOTIFICATION, 0, 8 }, { OPAL_OBJECT_CNODE, POOL_CNODE_BITS, 4 },
    { OPAL_OBJECT_TCB, 0, 4 }, { OPAL_OBJECT_REPLY, 0, 4 }, { OPAL_OBJECT_VSPACE, 0, 2 },
    { OPAL_OBJECT_PAGE_TABLE, 0, 4 }, { OPAL_OBJECT_FRAME, 12, 8 },
    { OPAL_OBJECT_SCHED_CONTEXT, 0, 4 }, { OPAL_OBJECT_VCPU, 0, 2 },
};
#define POPULATION_KINDS (sizeof population / sizeof population[0])

/* A request on WORKER_CAP_ROOT: configure the scheduling context sent as the
 * extra cap (MR0 budget, MR1 period), since SchedControl cannot be copied and
 * the worker must not hold the root's. Anything else sent there is answered
 * OPAL_FAULT_REPLY_STOP (it may be a pool thread's fault message). */
#define REQUEST_SCHED_CONFIGURE 0xf5c00u
#define REQUEST_BADGE 0x5eedu

/* The worker's checkpoint: an unknown system call is a fault, and the kernel
 * stops a thread without a fault handler, so the root gets the CPU. */
#define CHECKPOINT_SYSCALL 1000

static uint8_t worker_stack[STACK_SIZE] __attribute__((aligned(8)));
static uint8_t echo_stack[STACK_SIZE] __attribute__((aligned(8)));
static uint32_t region, worker_cspace, worker_tcb, fuzz_ops;
static uint32_t request_endpoint, request_reply, request_slot, authority_tcb;
static volatile uint32_t ops_done, next_check, succeeded;
static uint32_t broken_at, restarts, checks, sched_requests, sched_accepted;
static uint64_t rng_state;

/* --- the worker (runs in its own CSpace) --------------------------------- */

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

/* A CPtr: mostly a slot of the worker's CNode, sometimes empty or nonsense
 * (a guard mismatch: fails lookup). */
static uint32_t random_cptr(void)
{
    uint32_t pick = below(100);
    if (pick < 85)
        return below(WORKER_SLOTS);
    if (pick < 90)
        return 0;
    return random32();
}

/* A CPtr for an object of `type`: half the time a pool slot that held one at
 * the start (it may since have moved), so that invocations reach past the
 * type check; else (or for a type the pool lacks) any CPtr. */
static uint32_t random_cptr_for(uint32_t type)
{
    uint32_t slot = WORKER_CAP_POOL;
    for (unsigned i = 0; i < POPULATION_KINDS; slot += population[i++].count)
        if (population[i].type == type && below(2))
            return slot + below(population[i].count);
    return random_cptr();
}

/* The object type a label is a method of (OPAL_OBJECT_NULL: none in the pool). */
static uint32_t label_type(uint32_t label)
{
    switch (label) {
    case OPAL_UNTYPED_RETYPE: return OPAL_OBJECT_UNTYPED;
    case OPAL_CNODE_COPY ... OPAL_CNODE_REVOKE: return OPAL_OBJECT_CNODE;
    case OPAL_TCB_CONFIGURE ... OPAL_TCB_SET_CORE: return OPAL_OBJECT_TCB;
    case OPAL_PAGE_TABLE_MAP ... OPAL_PAGE_TABLE_UNMAP: return OPAL_OBJECT_PAGE_TABLE;
    case OPAL_FRAME_MAP ... OPAL_FRAME_ADDRESS: return OPAL_OBJECT_FRAME;
    case OPAL_VCPU_BIND_TCB ... OPAL_VCPU_SET_VTIMER_IRQ: return OPAL_OBJECT_VCPU;
    default: return OPAL_OBJECT_NULL;
    }
}

/* A CNode to put caps in: mostly the worker's own, sometimes whatever. */
static uint32_t random_cnode(void)
{
    return below(4) ? WORKER_CAP_CNODE : random_cptr();
}

/* An index fitting the worker's CNode, or a pool CNode's, or neither. */
static uint32_t random_index(void)
{
    uint32_t pick = below(10);
    if (pick < 7)
        return below(WORKER_SLOTS);
    if (pick < 9)
        return below(1u << POOL_CNODE_BITS);
    return random32();
}

static uint32_t random_argument(void)
{
    static const uint32_t interesting[] = { 0, 1, 2, 3, 4, 5, 12, 16, 21, 25, 31, 32, 127, 128,
                                            255, 256, 0x1000, 0x200000, 0x7fffffff,
                                            0xffffffff };
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
        OPAL_TCB_UNBIND_NOTIFICATION, OPAL_TCB_SET_CORE, OPAL_SCHED_CONTROL_CONFIGURE,
        OPAL_SCHED_CONTROL_SET_DOMAIN, OPAL_PAGE_TABLE_MAP, OPAL_PAGE_TABLE_UNMAP,
        OPAL_FRAME_MAP, OPAL_FRAME_UNMAP, OPAL_FRAME_REMAP, OPAL_FRAME_ADDRESS,
        OPAL_IRQ_HANDLER_ACK, OPAL_VCPU_BIND_TCB, OPAL_VCPU_READ_REGISTER,
        OPAL_VCPU_WRITE_REGISTER, OPAL_VCPU_INJECT_IRQ, OPAL_VCPU_SET_VTIMER_IRQ,
        REQUEST_SCHED_CONFIGURE,
    };
    if (below(10) == 0)
        return random32() & 0xfffff;
    return labels[below(sizeof labels / sizeof labels[0])];
}

/* Extra caps to send and where received ones go, in the worker's IPC buffer. */
static void random_cap_transfer(struct opal_ipc_buffer *buffer)
{
    for (uint32_t i = 0; i < OPAL_MSG_MAX_EXTRA_CAPS; i++)
        buffer->send_caps[i] = random_cptr();
    buffer->receive_cnode = random_cnode();
    buffer->receive_index = random_index();
    buffer->receive_count = below(3);
}

/* One random invocation (a Call on a random cap) with random arguments. */
static int random_invocation(void)
{
    struct opal_ipc_buffer *buffer = (struct opal_ipc_buffer *)WORKER_IPC_BUFFER;
    uint32_t length = below(9), label = random_label();
    struct opal_message message = { .tag = OPAL_TAG(label, below(4), length) };
    for (uint32_t i = 0; i < length; i++) {
        uint32_t value = random_argument();
        if (i < OPAL_MSG_REGISTERS)
            message.mr[i] = value;
        else
            buffer->mr[i] = value;
    }
    random_cap_transfer(buffer);
    return opal_call(random_cptr_for(label_type(label)), &message);
}

/* Retype into the worker's CSpace, the common way objects appear. */
static int random_retype(void)
{
    static const uint32_t sizes[] = { 0, 1, 3, 4, 8, 12, 14, 16, 21, 29, 30 };
    return opal_untyped_retype(random_cptr_for(OPAL_OBJECT_UNTYPED),
                               below(OPAL_OBJECT_TYPE_COUNT + 1),
                               sizes[below(sizeof sizes / sizeof sizes[0])], random_cnode(),
                               random_index(), 1 + below(3));
}

static int random_cnode_operation(void)
{
    uint32_t cnode = random_cnode(), index = random_index(), source = random_cptr();
    switch (below(6)) {
    case 0: return opal_cnode_copy(cnode, index, source, random32() & 0xf);
    case 1: return opal_cnode_mint(cnode, index, source, 0xf, random_argument());
    case 2: return opal_cnode_move(cnode, index, source);
    case 3: return opal_cnode_mutate(cnode, index, source, random_argument());
    case 4: return opal_cnode_delete(cnode, index);
    default: return opal_cnode_revoke(cnode, index);
    }
}

/* IPC and raw syscalls; some block, and then the root restarts the worker. */
static int random_syscall(void)
{
    struct opal_message message = { .tag = OPAL_TAG(random32() & 0xff, below(4), below(5)) };
    uint32_t cptr = random_cptr(), reply = below(2) ? random_cptr() : 0;
    random_cap_transfer((struct opal_ipc_buffer *)WORKER_IPC_BUFFER);
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
        /* Unknown numbers are faults: the worker stops and is restarted.
         * (The debug numbers, 64 on, are left out: system off ends the run.) */
        return (int)opal_raw_syscall(9 + below(50), cptr, random32(), random32(), random32());
    }
}

/* SchedControl.Configure, through the root: the context goes as the extra cap. */
static int random_sched_configure(void)
{
    struct opal_ipc_buffer *buffer = (struct opal_ipc_buffer *)WORKER_IPC_BUFFER;
    uint32_t period = 100 + below(20000);
    struct opal_message message = {
        .tag = OPAL_TAG(REQUEST_SCHED_CONFIGURE, 1, 2), .mr = { 1 + below(period), period },
    };
    buffer->send_caps[0] = random_cptr_for(OPAL_OBJECT_SCHED_CONTEXT);
    buffer->receive_count = 0;
    int error = opal_call(WORKER_CAP_ROOT, &message);
    return error != OPAL_OK ? error : (int)message.mr[0];
}

static void random_operation(void)
{
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

/* Entered afresh at every restart: the random stream and the count go on. */
static void worker(void)
{
    while (ops_done < fuzz_ops && ops_done != next_check) {
        ops_done++;
        random_operation();
    }
    for (;;)
        opal_raw_syscall(CHECKPOINT_SYSCALL, 0, 0, 0, 0);
}

/* --- the root: setup, supervision, the end ------------------------------- */

static void fail(const char *what, int error)
{
    printf("FUZZ FAIL %s: %s\n", what, opal_error_name(error));
    opal_system_off();
}

static uint32_t boot_number(const char *cmdline, const char *key, uint32_t fallback)
{
    uint32_t value;
    int error = cmdline_number(cmdline, key, UINT32_MAX, &value);
    if (error == OPAL_ERR_NOT_FOUND)
        return fallback;
    if (error != OPAL_OK)
        fail(key, error);
    return value;
}

/* One object from the region in a new slot of the root's CNode. */
static uint32_t region_object(uint32_t type, uint32_t size_bits)
{
    uint32_t slot = opal_alloc_slot();
    int error = opal_untyped_retype(region, type, size_bits, OPAL_CAP_INIT_CNODE, slot, 1);
    if (error != OPAL_OK)
        fail("region object", error);
    return slot;
}

/* Put the worker's fixed caps where it expects them, replacing whatever it
 * left there: it may move or delete them like any other, and without its
 * CNode cap the rest of a run would fuzz a crippled CSpace. */
static void restore_worker_caps(void)
{
    int error;
    for (uint32_t slot = WORKER_CAP_CNODE; slot < WORKER_CAP_POOL; slot++)
        if ((error = opal_cnode_delete(worker_cspace, slot)) != OPAL_OK)
            fail("worker caps cleared", error);
    if ((error = opal_cnode_copy(worker_cspace, WORKER_CAP_CNODE, worker_cspace,
                                 OPAL_RIGHTS_ALL)) ||
        (error = opal_cnode_mint(worker_cspace, WORKER_CAP_ROOT, request_endpoint,
                                 OPAL_RIGHT_WRITE | OPAL_RIGHT_GRANT | OPAL_RIGHT_GRANT_REPLY,
                                 REQUEST_BADGE)) ||
        (error = opal_cnode_copy(worker_cspace, WORKER_CAP_AUTHORITY, authority_tcb,
                                 OPAL_RIGHTS_ALL)))
        fail("worker caps", error);
}

/* The worker's CNode (its guard set so CPtrs are slot numbers), the request
 * endpoint and the authority TCB; the root keeps the originals. */
static void setup_worker_caps(void)
{
    uint32_t cnode = region_object(OPAL_OBJECT_CNODE, WORKER_CNODE_BITS);
    int error;
    worker_cspace = opal_alloc_slot();
    request_endpoint = region_object(OPAL_OBJECT_ENDPOINT, 0);
    authority_tcb = region_object(OPAL_OBJECT_TCB, 0);
    if ((error = opal_cnode_mint(OPAL_CAP_INIT_CNODE, worker_cspace, cnode, OPAL_RIGHTS_ALL,
                                 OPAL_CNODE_GUARD(32 - WORKER_CNODE_BITS, 0))) ||
        (error = opal_tcb_set_mcp(authority_tcb, OPAL_CAP_INIT_TCB, POOL_MCP)))
        fail("worker caps", error);
    restore_worker_caps();
}

/* The pool: objects of every kind, retyped straight into the worker's CNode. */
static void setup_pool(void)
{
    int error;
    if ((error = opal_alloc_object(OPAL_OBJECT_UNTYPED, 20, &region)) != OPAL_OK)
        fail("pool region", error);
    setup_worker_caps();
    uint32_t slot = WORKER_CAP_POOL;
    for (unsigned i = 0; i < POPULATION_KINDS; i++) {
        error = opal_untyped_retype(region, population[i].type, population[i].size_bits,
                                    worker_cspace, slot, population[i].count);
        if (error != OPAL_OK)
            fail("pool population", error);
        slot += population[i].count;
    }
}

static void start_thread(uint32_t *tcb, void (*entry)(void), uint8_t *stack, uint32_t cspace,
                         uint32_t priority)
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
    if ((error = opal_tcb_configure(*tcb, 0, cspace, OPAL_CAP_INIT_VSPACE, buffer, frame)) ||
        (error = opal_tcb_set_priority(*tcb, OPAL_CAP_INIT_TCB, priority)) ||
        (error = opal_sched_control_configure(OPAL_CAP_SCHED_CONTROL, context, 1000000,
                                              1000000)) ||
        (error = opal_tcb_set_sched_context(*tcb, context)) ||
        (error = opal_tcb_write_registers(*tcb, (uint32_t)entry, (uint32_t)(stack + STACK_SIZE),
                                          0, 0, 0, 0)) ||
        (error = opal_tcb_resume(*tcb)))
        fail("thread start", error);
}

/* Serve one message waiting on the request endpoint, if any: a scheduling
 * request is done with the root's SchedControl; any message is answered
 * (OPAL_FAULT_REPLY_STOP, so a pool thread's fault leaves it stopped). */
static bool serve_request(void)
{
    struct opal_ipc_buffer *buffer = opal_ipc_buffer();
    struct opal_message message;
    buffer->receive_cnode = OPAL_CAP_INIT_CNODE;
    buffer->receive_index = request_slot;
    buffer->receive_count = 1;
    if (opal_nbrecv(request_endpoint, request_reply, &message) != OPAL_OK)
        return false;
    int error = OPAL_ERR_ILLEGAL_OPERATION;
    if (OPAL_TAG_LABEL(message.tag) == REQUEST_SCHED_CONFIGURE &&
        OPAL_TAG_EXTRA_CAPS(message.tag) == 1 && OPAL_TAG_LENGTH(message.tag) >= 2) {
        error = opal_sched_control_configure(OPAL_CAP_SCHED_CONTROL, request_slot,
                                             message.mr[0], message.mr[1]);
        sched_requests++;
        sched_accepted += error == OPAL_OK;
    }
    opal_cnode_delete(OPAL_CAP_INIT_CNODE, request_slot);
    struct opal_message answer = { .tag = OPAL_TAG(OPAL_FAULT_REPLY_STOP, 0, 1),
                                   .mr = { (uint32_t)error } };
    opal_reply(request_reply, &answer); /* a Send has no caller: nothing to answer */
    return true;
}

static void check_invariants(void)
{
    checks++;
    if (!broken_at && opal_check_invariants() != OPAL_OK)
        broken_at = ops_done ? ops_done : 1;
}

/* The root runs only when the worker cannot: serve it, check the kernel and
 * restore the worker's fixed caps at its checkpoints and at the end, and
 * restart it at its loop until it has done every operation. */
static void supervise(void)
{
    for (;;) {
        if (serve_request())
            continue;
        if (ops_done == next_check || ops_done >= fuzz_ops) {
            check_invariants();
            next_check += CHECK_EVERY;
            if (ops_done >= fuzz_ops || broken_at)
                break;
            restore_worker_caps();
        }
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

/* After the storm: a plain Call/Reply between two fresh threads works, made
 * with the root's own CNode, VSpace, TCB and SchedControl (all still there). */
static int normal_ipc_works(void)
{
    uint32_t tcb;
    struct opal_message message = { .tag = OPAL_TAG(7, 0, 1), .mr = { 41 } };
    if (opal_alloc_object(OPAL_OBJECT_ENDPOINT, 0, &echo_endpoint) ||
        opal_alloc_object(OPAL_OBJECT_REPLY, 0, &echo_reply))
        return 0;
    start_thread(&tcb, echo, echo_stack, OPAL_CAP_INIT_CNODE, WORKER_PRIORITY);
    return opal_call(echo_endpoint, &message) == OPAL_OK && message.mr[0] == 42 &&
           OPAL_TAG_LENGTH(message.tag) == 1;
}

int main(const struct opal_bootinfo *bootinfo)
{
    uint32_t seed = boot_number(bootinfo->cmdline, "fuzz.seed", DEFAULT_SEED);
    fuzz_ops = boot_number(bootinfo->cmdline, "fuzz.ops", DEFAULT_OPS);
    rng_state = 0x9e3779b97f4a7c15ull ^ seed;
    printf("FUZZ seed %u ops %u (replay with bootargs \"fuzz.seed=%u fuzz.ops=%u\")\n",
           (unsigned)seed, (unsigned)fuzz_ops, (unsigned)seed, (unsigned)fuzz_ops);
    opal_alloc_init(bootinfo);
    setup_pool();
    request_slot = opal_alloc_slot();
    int error = opal_alloc_object(OPAL_OBJECT_REPLY, 0, &request_reply);
    if (error != OPAL_OK)
        fail("request reply", error);
    start_thread(&worker_tcb, worker, worker_stack, worker_cspace, WORKER_PRIORITY);
    supervise();
    if (broken_at) {
        printf("FUZZ FAIL invariants broken before operation %u\n", (unsigned)broken_at);
        opal_system_off();
    }
    error = opal_cnode_revoke(OPAL_CAP_INIT_CNODE, region);
    int invariants = opal_check_invariants();
    printf("FUZZ ran %u operations (%u succeeded), %u restarts, %u checks, "
           "%u scheduling requests (%u accepted); revoke %s, invariants %s\n",
           (unsigned)ops_done, (unsigned)succeeded, (unsigned)restarts, (unsigned)checks,
           (unsigned)sched_requests, (unsigned)sched_accepted, opal_error_name(error),
           opal_error_name(invariants));
    printf("FUZZ %s\n", error == OPAL_OK && invariants == OPAL_OK && normal_ipc_works()
                            ? "ok" : "FAIL after the run");
    opal_system_off();
}
