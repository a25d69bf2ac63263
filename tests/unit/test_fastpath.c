/* The IPC fastpath (kernel/fastpath.c) must leave the state the slowpath
 * (the kernel's system-call and guest-exit entries) leaves, and decline the unusual. */
#define UNIT_SUITE "fastpath"
#include "unit.h"
#include "kernel_fixture.h"
#include "platform.h"
#include "opal/syscall.h"
#include "fault.h"
#include "vcpu.h"

/* The trap entry's choice by syscall number (arch/arm/entry/vectors.S). */
static struct arch_context *fastpath(struct arch_context *context, uint32_t number)
{
    if (number == OPAL_SYS_CALL)
        return fastpath_call(context);
    return number == OPAL_SYS_REPLY_RECV ? fastpath_reply_recv(context) : NULL;
}
#include "opal/syscall.h"

#define EP 20       /* endpoint, badged */
#define RP 21       /* reply object */
#define VS 22       /* the threads' VSpace */
#define BADGE 0x77u

struct world {
    struct thread *server, *client;
    struct endpoint *endpoint;
    struct reply *reply;
};

/* What the threads can see afterwards, and who runs. */
struct observation {
    uint32_t server_r[7], client_r[7];
    uint32_t server_state, client_state;
    uint32_t current_is_server, current_is_client;
    uint32_t reply_caller_is_client, reply_receiver_is_server;
    uint32_t endpoint_state, server_waits_on_endpoint;
    uint32_t client_fault_pending, server_buffer_mr4, server_buffer_mr5, server_received_caps;
};

static const char *const field_names[] = {
    "server r0", "server r1", "server r2", "server r3", "server r4", "server r5", "server r6",
    "client r0", "client r1", "client r2", "client r3", "client r4", "client r5", "client r6",
    "server state", "client state", "current is server", "current is client",
    "reply's caller is the client", "reply's receiver is the server", "endpoint state",
    "server waits on the endpoint", "client's fault pending", "server's buffer MR4",
    "server's buffer MR5", "server's received caps",
};
_Static_assert(sizeof field_names / sizeof field_names[0] ==
                   sizeof(struct observation) / sizeof(uint32_t), "one name per field");

static void give_spaces(struct thread *thread)
{
    cdt_insert_child(&fx.root[FIXTURE_ROOT_CPTR], &thread->cspace_root,
                     &fx.root[FIXTURE_ROOT_CPTR].cap);
    cdt_insert_child(&fx.root[VS], &thread->vspace_root, &fx.root[VS].cap);
    thread->slice_end = UINT64_MAX; /* its slice runs long after the armed deadline */
}

static void set_registers(struct thread *thread, uint32_t r0, uint32_t tag, uint32_t first_mr,
                          uint32_t r6)
{
    thread->context.r[0] = r0;
    thread->context.r[1] = tag;
    for (uint32_t i = 0; i < OPAL_MSG_REGISTERS; i++)
        thread->context.r[2 + i] = first_mr + i;
    thread->context.r[6] = r6;
}

/* A server (priority 10) waiting in Recv on EP with reply object RP, and a
 * client (priority 5) running, both on full budgets. */
static void build(struct world *w)
{
    fixture_setup();
    kernel_entry_time = 0;
    timeslice_armed = 0; /* armed before any slice ends */
    timeslice_next_refill = UINT64_MAX;
    fastpath_set_enabled(true);
    if (fixture_retype(FIXTURE_UNTYPED, OPAL_OBJECT_ENDPOINT, 0, EP, 1) ||
        fixture_retype(FIXTURE_UNTYPED, OPAL_OBJECT_REPLY, 0, RP, 1) ||
        fixture_retype(FIXTURE_UNTYPED, OPAL_OBJECT_VSPACE, 0, VS, 1))
        fixture_die("fastpath world");
    cap_set_badge(&fx.root[EP].cap, BADGE);
    w->endpoint = cap_object(&fx.root[EP].cap);
    w->reply = cap_object(&fx.root[RP].cap);
    w->server = fixture_thread(10);
    w->client = fixture_thread(5);
    give_spaces(w->server);
    give_spaces(w->client);
    set_registers(w->server, EP, 0, 0xa0, RP);
    sched_dequeue(w->server);
    current_thread = w->server;
    syscall_handle(w->server, OPAL_SYS_RECV);
    sched_dequeue(w->client);
    current_thread = w->client;
    if (w->server->state != THREAD_BLOCKED_RECEIVE)
        fixture_die("the server did not wait");
}

/* One system call by `thread`, through the fastpath or the slowpath. */
static bool run(struct thread *thread, uint32_t number, bool fast)
{
    if (fast)
        return fastpath(&thread->context, number) != NULL;
    kernel_syscall(thread, number, 0);
    return true;
}

static void observe(const struct world *w, struct observation *o)
{
    memset(o, 0, sizeof *o);
    memcpy(o->server_r, w->server->context.r, sizeof o->server_r);
    memcpy(o->client_r, w->client->context.r, sizeof o->client_r);
    if (w->client->state == THREAD_BLOCKED_REPLY && !w->client->fault_pending)
        o->client_r[0] = 0; /* a Call's error is written when the reply comes */
    o->server_state = w->server->state;
    o->client_state = w->client->state;
    o->current_is_server = current_thread == w->server;
    o->current_is_client = current_thread == w->client;
    o->reply_caller_is_client = w->reply->caller == w->client && w->client->reply == w->reply;
    o->reply_receiver_is_server = w->reply->receiver == w->server && w->server->reply == w->reply;
    o->endpoint_state = w->endpoint->state;
    o->server_waits_on_endpoint = w->endpoint->queue.head == w->server;
    o->client_fault_pending = w->client->fault_pending;
    const struct opal_ipc_buffer *buffer = thread_ipc_buffer(w->server);
    if (buffer) {
        o->server_buffer_mr4 = buffer->mr[4];
        o->server_buffer_mr5 = buffer->mr[5];
        o->server_received_caps = buffer->received_caps;
    }
}

/* Call with call_length words, then ReplyRecv with reply_length words. */
static bool call_and_reply(bool fast, uint32_t call_length, uint32_t reply_length,
                           struct observation after[2])
{
    struct world w;
    build(&w);
    set_registers(w.client, EP, OPAL_TAG(5, 0, call_length), 0x100, 0xc6);
    if (!run(w.client, OPAL_SYS_CALL, fast))
        return false;
    observe(&w, &after[0]);
    set_registers(w.server, EP, OPAL_TAG(0, 0, reply_length), 0x200, RP);
    if (!run(w.server, OPAL_SYS_REPLY_RECV, fast))
        return false;
    observe(&w, &after[1]);
    return invariants_check() == OPAL_OK;
}

/* The first field where fast and slow differ, or -1. */
static int first_difference(const struct observation *fast, const struct observation *slow)
{
    const uint32_t *a = (const uint32_t *)fast, *b = (const uint32_t *)slow;
    for (unsigned i = 0; i < sizeof *fast / sizeof(uint32_t); i++)
        if (a[i] != b[i])
            return (int)i;
    return -1;
}

/* Both steps (the message, then its answer; `what` names the case) left
 * the same state by both paths. */
static void check_same_steps(const struct observation fast[2], const struct observation slow[2],
                             const char *what)
{
    for (int step = 0; step < 2; step++) {
        int field = first_difference(&fast[step], &slow[step]);
        CHECKF(field < 0, "after the %s (%s): %s is 0x%x by the fastpath, 0x%x by the slowpath",
               step ? "answer" : "message", what, field_names[field],
               ((const uint32_t *)&fast[step])[field], ((const uint32_t *)&slow[step])[field]);
    }
}

static void check_same_as_slowpath(uint32_t call_length, uint32_t reply_length)
{
    struct observation fast[2], slow[2];
    char what[32];
    snprintf(what, sizeof what, "lengths %u, %u", call_length, reply_length);
    CHECKF(call_and_reply(false, call_length, reply_length, slow), "slowpath run failed");
    CHECKF(call_and_reply(true, call_length, reply_length, fast),
           "fastpath declined or broke an invariant (%s)", what);
    check_same_steps(fast, slow, what);
}

TEST(slowpath_reference_is_what_the_api_says)
{
    struct observation slow[2];
    CHECK(call_and_reply(false, 2, 1, slow));
    CHECK_EQ(slow[0].server_r[0], OPAL_OK);
    CHECK_EQ(slow[0].server_r[1], OPAL_TAG(5, 0, 2));
    CHECK(slow[0].server_r[2] == 0x100 && slow[0].server_r[3] == 0x101);
    CHECK_EQ(slow[0].server_r[6], BADGE);
    CHECK(slow[0].current_is_server && slow[0].reply_caller_is_client);
    CHECK_EQ(slow[0].client_state, THREAD_BLOCKED_REPLY);
    CHECK_EQ(slow[1].client_r[1], OPAL_TAG(0, 0, 1));
    CHECK_EQ(slow[1].client_r[2], 0x200);
    CHECK_EQ(slow[1].client_r[6], 0);
    CHECK(slow[1].current_is_client && slow[1].reply_receiver_is_server);
    CHECK(slow[1].server_waits_on_endpoint);
}

TEST(full_messages_match_the_slowpath)
{
    check_same_as_slowpath(4, 4);
}

TEST(empty_messages_match_the_slowpath)
{
    check_same_as_slowpath(0, 0);
}

/* Registers past the message length are not part of the message: the
 * slowpath leaves the receiver's as they were; the sender's must not leak. */
TEST(short_messages_match_the_slowpath)
{
    check_same_as_slowpath(2, 1);
}

/* --- declining ------------------------------------------------------------- */

static struct thread client_before, server_before;
static struct endpoint endpoint_before;
static struct reply reply_before;

static void snapshot(const struct world *w)
{
    client_before = *w->client;
    server_before = *w->server;
    endpoint_before = *w->endpoint;
    reply_before = *w->reply;
}

static bool unchanged(const struct world *w)
{
    return memcmp(&client_before, w->client, sizeof client_before) == 0 &&
           memcmp(&server_before, w->server, sizeof server_before) == 0 &&
           memcmp(&endpoint_before, w->endpoint, sizeof endpoint_before) == 0 &&
           memcmp(&reply_before, w->reply, sizeof reply_before) == 0;
}

#define CHECK_CALL_DECLINED(w)                                                           \
    do {                                                                                 \
        snapshot(w);                                                                     \
        CHECK(fastpath(&(w)->client->context, OPAL_SYS_CALL) == NULL);                   \
        CHECK(unchanged(w) && current_thread == (w)->client);                            \
    } while (0)

/* A world where the client's Call would take the fastpath. */
static void ready_to_call(struct world *w)
{
    build(w);
    set_registers(w->client, EP, OPAL_TAG(5, 0, 1), 0x100, 0);
}

TEST(call_declines_long_messages_and_caps)
{
    struct world w;
    ready_to_call(&w);
    w.client->context.r[1] = OPAL_TAG(5, 0, 5);
    CHECK_CALL_DECLINED(&w);
    w.client->context.r[1] = OPAL_TAG(5, 1, 1);
    CHECK_CALL_DECLINED(&w);
    fastpath_set_enabled(false);
    w.client->context.r[1] = OPAL_TAG(5, 0, 1);
    CHECK_CALL_DECLINED(&w);
}

TEST(call_declines_without_rights_or_endpoint)
{
    struct world w;
    ready_to_call(&w);
    fx.root[EP].cap.rights = OPAL_RIGHT_WRITE | OPAL_RIGHT_GRANT; /* no grant-reply */
    CHECK_CALL_DECLINED(&w);
    fx.root[EP].cap.rights = OPAL_RIGHTS_ALL;
    w.client->context.r[0] = RP; /* not an endpoint */
    CHECK_CALL_DECLINED(&w);
    w.client->context.r[0] = 0x1000 | EP; /* does not resolve */
    CHECK_CALL_DECLINED(&w);
}

TEST(call_declines_when_someone_else_outranks_the_receiver)
{
    struct world w;
    ready_to_call(&w);
    fixture_thread(10); /* queued at the receiver's priority */
    CHECK_CALL_DECLINED(&w);
}

/* A context that is not full budget, as SchedControl Configure leaves it
 * (the thread keeps a copy of the flag for the fastpath). */
static void set_full_budget(struct thread *thread, uint32_t full)
{
    thread->sched_context->full = full;
    thread_note_budget(thread);
}

TEST(call_declines_partial_budgets_and_missing_vspace)
{
    struct world w;
    ready_to_call(&w);
    set_full_budget(w.client, 0);
    CHECK_CALL_DECLINED(&w);
    set_full_budget(w.client, 1);
    set_full_budget(w.server, 0);
    CHECK_CALL_DECLINED(&w);
    set_full_budget(w.server, 1);
    cap_delete(&w.server->vspace_root);
    CHECK_CALL_DECLINED(&w);
}

/* The fastpath switches only to a thread of this core: one placed on
 * another core is left to the slowpath, which queues it there. */
TEST(call_declines_a_receiver_on_another_core)
{
    struct world w;
    ready_to_call(&w);
    platform.cores = 2;
    thread_set_core(w.server, 1);
    CHECK_CALL_DECLINED(&w);
    thread_set_core(w.server, 0);
    platform.cores = 1;
}

TEST(call_declines_when_the_timer_is_armed_past_the_slice)
{
    struct world w;
    ready_to_call(&w);
    timeslice_armed = 1000;
    w.server->slice_end = 999;
    CHECK_CALL_DECLINED(&w);
}

TEST(call_declines_a_receiver_without_reply_object)
{
    struct world w;
    ready_to_call(&w);
    reply_unbind_receiver(w.server);
    CHECK_CALL_DECLINED(&w);
}

/* A world where the server has the client's Call and would ReplyRecv. */
static void ready_to_reply(struct world *w)
{
    ready_to_call(w);
    if (fastpath(&w->client->context, OPAL_SYS_CALL) == NULL)
        fixture_die("the Call did not take the fastpath");
    set_registers(w->server, EP, OPAL_TAG(0, 0, 1), 0x200, RP);
}

#define CHECK_REPLY_RECV_DECLINED(w)                                                     \
    do {                                                                                 \
        snapshot(w);                                                                     \
        CHECK(fastpath(&(w)->server->context, OPAL_SYS_REPLY_RECV) == NULL);             \
        CHECK(unchanged(w) && current_thread == (w)->server);                            \
    } while (0)

TEST(reply_recv_declines_a_waiting_sender_or_active_notification)
{
    struct world w;
    ready_to_reply(&w);
    struct thread *sender = fixture_thread(1);
    ipc_send(sender, w.endpoint, 0, true, false, false, false);
    CHECK_REPLY_RECV_DECLINED(&w);
    thread_suspend(sender);
    struct notification *notification = fixture_new_object(OPAL_OBJECT_NOTIFICATION);
    notification->bound = w.server;
    w.server->bound_notification = notification;
    notification_signal(notification, 1);
    CHECK_REPLY_RECV_DECLINED(&w);
}

TEST(reply_recv_declines_bad_caps_and_fault_replies)
{
    struct world w;
    ready_to_reply(&w);
    w.server->context.r[6] = EP; /* not a reply object */
    CHECK_REPLY_RECV_DECLINED(&w);
    w.server->context.r[6] = RP;
    fx.root[EP].cap.rights = OPAL_RIGHT_WRITE; /* cannot receive */
    CHECK_REPLY_RECV_DECLINED(&w);
    fx.root[EP].cap.rights = OPAL_RIGHTS_ALL;
    w.client->fault_pending = 1;
    CHECK_REPLY_RECV_DECLINED(&w);
}

TEST(reply_recv_declines_with_nobody_to_answer)
{
    struct world w;
    ready_to_reply(&w);
    thread_suspend(w.client);
    CHECK_REPLY_RECV_DECLINED(&w);
}

/* --- guest exits: the fault message and the VMM's emulation answer --------- */

#define VC 23               /* the client's vCPU */
#define EXIT_WORD 0x300u    /* an exit message's words: 0x300, 0x301, ... */
#define RESULT 0xfffffffeu  /* the VMM's answer (MR0) */

/* The client runs a guest (a vCPU bound to it) whose fault endpoint is EP,
 * and has just recorded an exit; the server, its VMM, waits on EP, with an
 * IPC buffer if `server_buffer`. */
static void build_guest(struct world *w, uint32_t label, uint32_t length, bool server_buffer)
{
    build(w);
    if (fixture_retype(FIXTURE_UNTYPED, OPAL_OBJECT_VCPU, OPAL_VCPU_BITS, VC, 1))
        fixture_die("guest world");
    struct vcpu *vcpu = cap_object(&fx.root[VC].cap);
    vcpu->thread = w->client;
    w->client->vcpu = vcpu;
    w->client->fault_endpoint = EP;
    if (server_buffer)
        fixture_ipc_buffer(w->server)->received_caps = 0xbad; /* from an earlier message */
    set_registers(w->client, 0xc0, 0xc1, 0xc2, 0xc6); /* the guest's own registers */
    for (uint32_t i = 0; i < length; i++)
        w->client->fault_words[i] = EXIT_WORD + i;
    fault_record(w->client, label, length);
}

/* The exit as the trap entry sends it: through the exit fastpath, or the
 * kernel's guest-exit entry (kernel/entry.c). */
static bool send_exit(struct thread *thread, bool fast)
{
    if (fast)
        return fastpath_fault(thread) != NULL;
    kernel_guest_exit(thread, true);
    return true;
}

/* An exit, then the VMM's ReplyRecv answering OPAL_FAULT_REPLY_EMULATE. */
static bool exit_and_answer(bool fast, uint32_t label, uint32_t length, bool server_buffer,
                            struct observation after[2])
{
    struct world w;
    build_guest(&w, label, length, server_buffer);
    if (!send_exit(w.client, fast))
        return false;
    observe(&w, &after[0]);
    set_registers(w.server, EP, OPAL_TAG(OPAL_FAULT_REPLY_EMULATE, 0, 1), RESULT, RP);
    if (!run(w.server, OPAL_SYS_REPLY_RECV, fast))
        return false;
    observe(&w, &after[1]);
    return invariants_check() == OPAL_OK;
}

TEST(guest_exit_slowpath_reference_is_what_the_api_says)
{
    struct observation slow[2];
    CHECK(exit_and_answer(false, OPAL_GUEST_EXIT_HVC, OPAL_GUEST_EXIT_CALL_LENGTH, true, slow));
    CHECK_EQ(slow[0].server_r[0], OPAL_OK);
    CHECK_EQ(slow[0].server_r[1], OPAL_TAG(OPAL_GUEST_EXIT_HVC, 0, 5));
    CHECK(slow[0].server_r[2] == EXIT_WORD && slow[0].server_r[5] == EXIT_WORD + 3);
    CHECK_EQ(slow[0].server_buffer_mr4, EXIT_WORD + 4);
    CHECK_EQ(slow[0].server_r[6], BADGE);
    CHECK_EQ(slow[0].client_r[0], 0xc0);  /* a guest's registers are its own */
    CHECK(slow[0].current_is_server && slow[0].reply_caller_is_client);
    CHECK(slow[0].client_state == THREAD_BLOCKED_REPLY && slow[0].client_fault_pending);
    CHECK_EQ(slow[1].client_r[0], RESULT);
    CHECK(slow[1].current_is_client && !slow[1].client_fault_pending);
    CHECK(slow[1].reply_receiver_is_server && slow[1].server_waits_on_endpoint);
    CHECK(exit_and_answer(false, OPAL_GUEST_EXIT_HVC, OPAL_GUEST_EXIT_CALL_LENGTH, false, slow));
    CHECK_EQ(slow[0].server_r[1], OPAL_TAG(OPAL_GUEST_EXIT_HVC, 0, 4)); /* no buffer: cut */
}

/* Every exit's length, with the VMM's IPC buffer for the words past the
 * registers and without (the message is cut). */
TEST(guest_exits_and_answers_match_the_slowpath)
{
    static const uint32_t exits[][2] = {
        { OPAL_GUEST_EXIT_ABORT, OPAL_GUEST_EXIT_ABORT_LENGTH },
        { OPAL_GUEST_EXIT_HVC, OPAL_GUEST_EXIT_CALL_LENGTH },
        { OPAL_GUEST_EXIT_SYSREG, OPAL_GUEST_EXIT_SYSREG_LENGTH },
        { OPAL_GUEST_EXIT_EXCEPTION, OPAL_GUEST_EXIT_EXCEPTION_LENGTH },
    };
    for (unsigned i = 0; i < sizeof exits / sizeof exits[0]; i++) {
        for (int buffer = 0; buffer < 2; buffer++) {
            struct observation fast[2], slow[2];
            char what[48];
            snprintf(what, sizeof what, "exit %u, %s IPC buffer", exits[i][0],
                     buffer ? "with" : "without");
            CHECKF(exit_and_answer(false, exits[i][0], exits[i][1], buffer, slow),
                   "slowpath run failed (%s)", what);
            CHECKF(exit_and_answer(true, exits[i][0], exits[i][1], buffer, fast),
                   "fastpath declined or broke an invariant (%s)", what);
            check_same_steps(fast, slow, what);
        }
    }
}

#define CHECK_EXIT_DECLINED(w)                                                           \
    do {                                                                                 \
        snapshot(w);                                                                     \
        CHECK(fastpath_fault((w)->client) == NULL);                                      \
        CHECK(unchanged(w) && current_thread == (w)->client);                            \
    } while (0)

static void ready_to_exit(struct world *w)
{
    build_guest(w, OPAL_GUEST_EXIT_HVC, OPAL_GUEST_EXIT_CALL_LENGTH, true);
}

TEST(guest_exit_declines_without_a_usable_fault_endpoint)
{
    struct world w;
    ready_to_exit(&w);
    w.client->fault_endpoint = 0; /* none, whatever slot 0 holds */
    CHECK_EXIT_DECLINED(&w);
    w.client->fault_endpoint = RP; /* not an endpoint */
    CHECK_EXIT_DECLINED(&w);
    w.client->fault_endpoint = EP;
    fx.root[EP].cap.rights = OPAL_RIGHT_READ; /* cannot send */
    CHECK_EXIT_DECLINED(&w);
    fx.root[EP].cap.rights = OPAL_RIGHTS_ALL;
    fastpath_set_enabled(false);
    CHECK_EXIT_DECLINED(&w);
}

TEST(guest_exit_declines_unless_the_vmm_can_take_over)
{
    struct world w;
    ready_to_exit(&w);
    reply_unbind_receiver(w.server); /* nowhere to wait for the answer */
    CHECK_EXIT_DECLINED(&w);
    ready_to_exit(&w);
    fixture_thread(10); /* queued at the VMM's priority */
    CHECK_EXIT_DECLINED(&w);
    ready_to_exit(&w);
    thread_suspend(w.server); /* nobody waits */
    CHECK_EXIT_DECLINED(&w);
}

/* A world where the VMM has the exit and would answer it. */
static void ready_to_answer(struct world *w, uint32_t label)
{
    ready_to_exit(w);
    if (fastpath_fault(w->client) == NULL)
        fixture_die("the exit did not take the fastpath");
    set_registers(w->server, EP, OPAL_TAG(label, 0, 1), RESULT, RP);
}

/* Stop, resume and set-pc answers, and emulation for a thread that no
 * longer runs a guest, are the slowpath's. */
TEST(guest_exit_answer_declines_all_but_emulation)
{
    static const uint32_t labels[] = { OPAL_FAULT_REPLY_RESUME, OPAL_FAULT_REPLY_SET_PC,
                                       OPAL_FAULT_REPLY_STOP };
    struct world w;
    for (unsigned i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        ready_to_answer(&w, labels[i]);
        CHECK_REPLY_RECV_DECLINED(&w);
    }
    ready_to_answer(&w, OPAL_FAULT_REPLY_EMULATE);
    w.client->vcpu = NULL;
    CHECK_REPLY_RECV_DECLINED(&w);
}
