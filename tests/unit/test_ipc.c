/* Message passing (kernel/ipc.c, kernel/object/notification.c, kernel/fault.c)
 * between fake threads: MR0-3 in r2-r5, tag r1, badge r6, error r0. */
#define UNIT_SUITE "ipc"
#include "unit.h"
#include "kernel_fixture.h"
#include "fault.h"
#include "vcpu.h"

#define R_ERROR 0
#define R_TAG 1
#define R_MR0 2
#define R_BADGE 6
#define GARBAGE 0xdeadu   /* a register value no operation writes */

/* Set a thread's outgoing message: tag and MR0-MR3. */
static void load(struct thread *thread, uint32_t tag, uint32_t mr0, uint32_t mr1, uint32_t mr2,
                 uint32_t mr3)
{
    uint32_t *r = thread->context.r;
    r[R_ERROR] = GARBAGE;
    r[R_TAG] = tag;
    r[R_MR0] = mr0, r[R_MR0 + 1] = mr1, r[R_MR0 + 2] = mr2, r[R_MR0 + 3] = mr3;
    r[R_BADGE] = GARBAGE;
}

/* The thread received (error OK) this tag and badge. */
#define CHECK_HEADER(thread, tag, badge)                                                 \
    do {                                                                                 \
        CHECK_EQ((thread)->context.r[R_ERROR], OPAL_OK);                                 \
        CHECK_EQ((thread)->context.r[R_TAG], tag);                                       \
        CHECK_EQ((thread)->context.r[R_BADGE], badge);                                   \
    } while (0)

/* ... and these MR0-MR3. */
#define CHECK_RECEIVED(thread, tag, badge, mr0, mr1, mr2, mr3)                           \
    do {                                                                                 \
        const uint32_t *r_ = (thread)->context.r;                                        \
        CHECK_HEADER(thread, tag, badge);                                                \
        CHECK(r_[R_MR0] == (mr0) && r_[R_MR0 + 1] == (mr1) && r_[R_MR0 + 2] == (mr2) &&  \
              r_[R_MR0 + 3] == (mr3));                                                   \
    } while (0)

#define CHECK_RUNNABLE(thread)                                                           \
    do {                                                                                 \
        CHECK_EQ((thread)->state, THREAD_RUNNABLE);                                      \
        CHECK((thread)->blocked_on == NULL);                                             \
        CHECK((thread)->in_ready_queue || (thread) == current_thread);                   \
    } while (0)

static struct endpoint *new_endpoint(void)
{
    return fixture_new_object(OPAL_OBJECT_ENDPOINT);
}

static void send(struct thread *sender, struct endpoint *endpoint, uint32_t badge)
{
    ipc_send(sender, endpoint, badge, true, false, true, true);
}

static void call(struct thread *caller, struct endpoint *endpoint, bool can_grant_reply)
{
    ipc_send(caller, endpoint, 0, true, true, true, can_grant_reply);
}

static void receive(struct thread *receiver, struct endpoint *endpoint, struct reply *reply)
{
    ipc_receive(receiver, endpoint, reply, true);
}

/* A server blocked in Recv on a fresh endpoint with a fresh reply object,
 * and a client that has called it. */
struct call_setup {
    struct thread *server, *client;
    struct endpoint *endpoint;
    struct reply *reply;
};

static void start_call(struct call_setup *setup)
{
    fixture_setup();
    setup->server = fixture_thread(10);
    setup->client = fixture_thread(5);
    setup->endpoint = new_endpoint();
    setup->reply = fixture_new_object(OPAL_OBJECT_REPLY);
    receive(setup->server, setup->endpoint, setup->reply);
    load(setup->client, OPAL_TAG(9, 0, 2), 11, 22, 0, 0);
    call(setup->client, setup->endpoint, true);
}

TEST(receiver_first_rendezvous)
{
    fixture_setup();
    struct thread *receiver = fixture_thread(5), *sender = fixture_thread(5);
    struct endpoint *endpoint = new_endpoint();
    receive(receiver, endpoint, NULL);
    CHECK_EQ(receiver->state, THREAD_BLOCKED_RECEIVE);
    CHECK(receiver->blocked_on == endpoint && !receiver->in_ready_queue);
    CHECK_EQ(endpoint->state, ENDPOINT_RECEIVING);
    CHECK_INVARIANTS();
    load(sender, OPAL_TAG(5, 0, 3), 1, 2, 3, 4);
    send(sender, endpoint, 0x77);
    CHECK_RUNNABLE(receiver);
    CHECK_RECEIVED(receiver, OPAL_TAG(5, 0, 3), 0x77, 1, 2, 3, 0);
    CHECK_RUNNABLE(sender);
    CHECK_EQ(sender->context.r[R_ERROR], OPAL_OK);
    CHECK_EQ(endpoint->state, ENDPOINT_IDLE);
    CHECK_INVARIANTS();
}

TEST(sender_first_rendezvous)
{
    fixture_setup();
    struct thread *sender = fixture_thread(5), *receiver = fixture_thread(5);
    struct endpoint *endpoint = new_endpoint();
    load(sender, OPAL_TAG(0xfffff, 0, 4), 5, 6, 7, 8);
    send(sender, endpoint, 0xbadbadu);
    CHECK_EQ(sender->state, THREAD_BLOCKED_SEND);
    CHECK(sender->blocked_on == endpoint && !sender->in_ready_queue);
    CHECK_EQ(endpoint->state, ENDPOINT_SENDING);
    CHECK_INVARIANTS();
    receive(receiver, endpoint, NULL);
    CHECK_RECEIVED(receiver, OPAL_TAG(0xfffff, 0, 4), 0xbadbadu, 5, 6, 7, 8);
    CHECK_RUNNABLE(sender);
    CHECK_EQ(sender->context.r[R_ERROR], OPAL_OK);
    CHECK_EQ(endpoint->state, ENDPOINT_IDLE);
    CHECK_INVARIANTS();
}

TEST(senders_are_served_in_order)
{
    fixture_setup();
    struct thread *first = fixture_thread(5), *second = fixture_thread(5);
    struct thread *receiver = fixture_thread(5);
    struct endpoint *endpoint = new_endpoint();
    load(first, OPAL_TAG(1, 0, 1), 100, 0, 0, 0);
    load(second, OPAL_TAG(2, 0, 1), 200, 0, 0, 0);
    send(first, endpoint, 1);
    send(second, endpoint, 2);
    CHECK_INVARIANTS();
    receive(receiver, endpoint, NULL);
    CHECK_RECEIVED(receiver, OPAL_TAG(1, 0, 1), 1, 100, 0, 0, 0);
    CHECK_EQ(endpoint->state, ENDPOINT_SENDING);
    receive(receiver, endpoint, NULL);
    CHECK_RECEIVED(receiver, OPAL_TAG(2, 0, 1), 2, 200, 0, 0, 0);
    CHECK_EQ(endpoint->state, ENDPOINT_IDLE);
    CHECK_INVARIANTS();
}

/* Without IPC buffers only MR0-MR3 travel, and no caps. */
TEST(long_message_without_buffers_is_cut_to_four_words)
{
    fixture_setup();
    struct thread *sender = fixture_thread(5), *receiver = fixture_thread(5);
    struct endpoint *endpoint = new_endpoint();
    receive(receiver, endpoint, NULL);
    receiver->context.r[7] = GARBAGE;
    load(sender, OPAL_TAG(3, 2, 64), 1, 2, 3, 4);
    send(sender, endpoint, 0);
    CHECK_RECEIVED(receiver, OPAL_TAG(3, 0, 4), 0, 1, 2, 3, 4);
    CHECK_EQ(receiver->context.r[7], GARBAGE);
}

TEST(call_blocks_for_reply_and_reply_wakes_caller)
{
    struct call_setup s;
    start_call(&s);
    CHECK_RECEIVED(s.server, OPAL_TAG(9, 0, 2), 0, 11, 22, 0, 0);
    CHECK_RUNNABLE(s.server);
    CHECK_EQ(s.client->state, THREAD_BLOCKED_REPLY);
    CHECK(!s.client->in_ready_queue);
    CHECK(s.reply->caller == s.client && s.client->reply == s.reply);
    CHECK(s.reply->receiver == NULL && s.server->reply == NULL);
    CHECK_INVARIANTS();
    load(s.server, OPAL_TAG(0, 0, 1), 33, 0, 0, 0);
    CHECK_EQ(ipc_reply(s.server, s.reply), OPAL_OK);
    CHECK_RUNNABLE(s.client);
    CHECK_RECEIVED(s.client, OPAL_TAG(0, 0, 1), 0, 33, 22, 0, 0);
    CHECK(s.reply->caller == NULL && s.client->reply == NULL);
    CHECK_EQ(ipc_reply(s.server, s.reply), OPAL_OK); /* nobody waits now: nothing happens */
    CHECK_INVARIANTS();
}

TEST(call_before_receive_binds_the_reply)
{
    fixture_setup();
    struct thread *client = fixture_thread(5), *server = fixture_thread(10);
    struct endpoint *endpoint = new_endpoint();
    struct reply *reply = fixture_new_object(OPAL_OBJECT_REPLY);
    load(client, OPAL_TAG(4, 0, 0), 0, 0, 0, 0);
    call(client, endpoint, true);
    CHECK_EQ(client->state, THREAD_BLOCKED_SEND);
    receive(server, endpoint, reply);
    CHECK_EQ(server->context.r[R_TAG], OPAL_TAG(4, 0, 0));
    CHECK_EQ(client->state, THREAD_BLOCKED_REPLY);
    CHECK(reply->caller == client && reply->receiver == NULL && server->reply == NULL);
    CHECK_INVARIANTS();
}

TEST(call_without_grant_reply_is_a_send)
{
    fixture_setup();
    struct thread *server = fixture_thread(10), *client = fixture_thread(5);
    struct endpoint *endpoint = new_endpoint();
    struct reply *reply = fixture_new_object(OPAL_OBJECT_REPLY);
    receive(server, endpoint, reply);
    load(client, OPAL_TAG(1, 0, 0), 0, 0, 0, 0);
    call(client, endpoint, false);
    CHECK_RUNNABLE(client);
    CHECK_EQ(client->context.r[R_ERROR], OPAL_OK);
    CHECK(reply->caller == NULL && reply->receiver == NULL);
}

/* The message arrives, then the Call ends at once: nobody could reply. */
TEST(call_to_receiver_without_reply_object_fails_after_delivery)
{
    fixture_setup();
    struct thread *server = fixture_thread(10), *client = fixture_thread(5);
    struct endpoint *endpoint = new_endpoint();
    receive(server, endpoint, NULL);
    load(client, OPAL_TAG(8, 0, 1), 42, 0, 0, 0);
    call(client, endpoint, true);
    CHECK_RECEIVED(server, OPAL_TAG(8, 0, 1), 0, 42, 0, 0, 0);
    CHECK_RUNNABLE(client);
    CHECK_EQ(client->context.r[R_ERROR], OPAL_ERR_ILLEGAL_OPERATION);
    CHECK(client->reply == NULL);
}

TEST(nbsend_without_receiver_is_dropped)
{
    fixture_setup();
    struct thread *sender = fixture_thread(5), *receiver = fixture_thread(5);
    struct endpoint *endpoint = new_endpoint();
    load(sender, OPAL_TAG(1, 0, 1), 9, 0, 0, 0);
    ipc_send(sender, endpoint, 0, false, false, true, true);
    CHECK_EQ(sender->context.r[R_ERROR], OPAL_OK);
    CHECK_RUNNABLE(sender);
    CHECK_EQ(endpoint->state, ENDPOINT_IDLE);
    CHECK(endpoint->queue.head == NULL);
    receiver->context.r[R_ERROR] = GARBAGE;
    ipc_receive(receiver, endpoint, NULL, false);
    CHECK_EQ(receiver->context.r[R_ERROR], OPAL_ERR_WOULD_BLOCK);
    CHECK_INVARIANTS();
}

TEST(nbsend_to_a_waiting_receiver_delivers)
{
    fixture_setup();
    struct thread *receiver = fixture_thread(5), *sender = fixture_thread(5);
    struct endpoint *endpoint = new_endpoint();
    receive(receiver, endpoint, NULL);
    load(sender, OPAL_TAG(1, 0, 1), 9, 0, 0, 0);
    ipc_send(sender, endpoint, 3, false, false, true, true);
    CHECK_RECEIVED(receiver, OPAL_TAG(1, 0, 1), 3, 9, 0, 0, 0);
    CHECK_RUNNABLE(receiver);
}

TEST(nbrecv_with_nothing_would_block_and_nbrecv_takes_a_sender)
{
    fixture_setup();
    struct thread *receiver = fixture_thread(5), *sender = fixture_thread(5);
    struct endpoint *endpoint = new_endpoint();
    ipc_receive(receiver, endpoint, NULL, false);
    CHECK_EQ(receiver->context.r[R_ERROR], OPAL_ERR_WOULD_BLOCK);
    CHECK_RUNNABLE(receiver);
    CHECK_EQ(endpoint->state, ENDPOINT_IDLE);
    load(sender, OPAL_TAG(6, 0, 2), 1, 2, 0, 0);
    send(sender, endpoint, 4);
    ipc_receive(receiver, endpoint, NULL, false);
    CHECK_RECEIVED(receiver, OPAL_TAG(6, 0, 2), 4, 1, 2, 0, 0);
    CHECK_RUNNABLE(sender);
    CHECK_INVARIANTS();
}

TEST(endpoint_deletion_wakes_senders_and_callers)
{
    fixture_setup();
    struct thread *sender = fixture_thread(5), *caller = fixture_thread(6);
    struct slot *slot = fixture_new(OPAL_OBJECT_ENDPOINT, 0);
    struct endpoint *endpoint = cap_object(&slot->cap);
    send(sender, endpoint, 0);
    call(caller, endpoint, true);
    CHECK_EQ(CNODE(OPAL_CNODE_DELETE, fixture_index(slot)), OPAL_OK);
    CHECK_RUNNABLE(sender);
    CHECK_RUNNABLE(caller);
    CHECK_EQ(sender->context.r[R_ERROR], OPAL_ERR_DELETED);
    CHECK_EQ(caller->context.r[R_ERROR], OPAL_ERR_DELETED);
    CHECK(sched_highest() == caller);
    CHECK_INVARIANTS();
}

TEST(reply_deletion_wakes_the_caller)
{
    struct call_setup s;
    start_call(&s);
    uint32_t reply_slot = fx.next_new - 1;
    CHECK_EQ(CNODE(OPAL_CNODE_DELETE, reply_slot), OPAL_OK);
    CHECK_RUNNABLE(s.client);
    CHECK_EQ(s.client->context.r[R_ERROR], OPAL_ERR_DELETED);
    CHECK(s.client->reply == NULL);
    CHECK_INVARIANTS();
}

TEST(reply_deletion_unbinds_a_waiting_server)
{
    fixture_setup();
    struct thread *server = fixture_thread(10), *client = fixture_thread(5);
    struct endpoint *endpoint = new_endpoint();
    struct slot *reply_slot = fixture_new(OPAL_OBJECT_REPLY, 0);
    receive(server, endpoint, cap_object(&reply_slot->cap));
    CHECK_EQ(CNODE(OPAL_CNODE_DELETE, fixture_index(reply_slot)), OPAL_OK);
    CHECK(server->reply == NULL);
    CHECK_EQ(server->state, THREAD_BLOCKED_RECEIVE);
    call(client, endpoint, true);
    CHECK_EQ(client->context.r[R_ERROR], OPAL_ERR_ILLEGAL_OPERATION);
    CHECK_INVARIANTS();
}

TEST(suspending_blocked_threads_takes_them_out)
{
    struct call_setup s;
    start_call(&s);
    thread_suspend(s.client);
    CHECK_EQ(s.client->state, THREAD_INACTIVE);
    CHECK(s.reply->caller == NULL && s.client->reply == NULL);
    struct thread *sender = fixture_thread(5);
    send(sender, s.endpoint, 0);
    thread_suspend(sender);
    CHECK_EQ(s.endpoint->state, ENDPOINT_IDLE);
    CHECK(s.endpoint->queue.head == NULL && sender->blocked_on == NULL);
    CHECK_INVARIANTS();
}

/* A Recv naming a reply object whose caller is still unanswered fails at
 * once (docs/api.md), so no caller is ever lost from its reply object. */
TEST(recv_with_an_unanswered_reply_object_fails)
{
    struct call_setup s;
    start_call(&s);
    struct thread *second = fixture_thread(5);
    s.server->context.r[R_ERROR] = GARBAGE;
    receive(s.server, s.endpoint, s.reply);
    CHECK_EQ(s.server->context.r[R_ERROR], OPAL_ERR_ILLEGAL_OPERATION);
    CHECK_RUNNABLE(s.server);
    CHECK_EQ(s.endpoint->state, ENDPOINT_IDLE);
    CHECK(s.reply->caller == s.client && s.client->reply == s.reply);
    call(second, s.endpoint, true);
    CHECK_EQ(second->state, THREAD_BLOCKED_SEND);
    CHECK_EQ(ipc_reply(s.server, s.reply), OPAL_OK);
    CHECK_RUNNABLE(s.client);
    receive(s.server, s.endpoint, s.reply); /* answered: usable again */
    CHECK(s.reply->caller == second);
    CHECK_INVARIANTS();
}

TEST(recv_with_a_reply_object_another_thread_waits_with_fails)
{
    fixture_setup();
    struct thread *first = fixture_thread(10), *other = fixture_thread(10);
    struct endpoint *endpoint = new_endpoint();
    struct reply *reply = fixture_new_object(OPAL_OBJECT_REPLY);
    receive(first, endpoint, reply);
    other->context.r[R_ERROR] = GARBAGE;
    receive(other, endpoint, reply);
    CHECK_EQ(other->context.r[R_ERROR], OPAL_ERR_ILLEGAL_OPERATION);
    CHECK_RUNNABLE(other);
    CHECK(reply->receiver == first && first->reply == reply);
    CHECK(endpoint->queue.head == first && endpoint->queue.tail == first);
    CHECK_INVARIANTS();
}

/* --- notifications -------------------------------------------------------- */

TEST(signals_accumulate_until_a_wait)
{
    fixture_setup();
    struct thread *thread = fixture_thread(5);
    struct notification *notification = fixture_new_object(OPAL_OBJECT_NOTIFICATION);
    notification_signal(notification, 0x3);
    notification_signal(notification, 0x4);
    CHECK_EQ(notification->word, 0x7);
    load(thread, GARBAGE, 0, 0, 0, 0);
    notification_wait(thread, notification, true);
    CHECK_RECEIVED(thread, 0, 0x7, 0, 0, 0, 0);
    CHECK_RUNNABLE(thread);
    CHECK(notification->word == 0 && !notification->active);
    CHECK_INVARIANTS();
}

TEST(wait_blocks_and_signal_wakes_one_waiter_each)
{
    fixture_setup();
    struct thread *first = fixture_thread(5), *second = fixture_thread(5);
    struct notification *notification = fixture_new_object(OPAL_OBJECT_NOTIFICATION);
    notification_wait(first, notification, true);
    notification_wait(second, notification, true);
    CHECK_EQ(first->state, THREAD_BLOCKED_NOTIFICATION);
    CHECK(first->blocked_on == notification);
    CHECK_INVARIANTS();
    notification_signal(notification, 0x10);
    CHECK_RUNNABLE(first);
    CHECK_EQ(first->context.r[R_BADGE], 0x10);
    CHECK_EQ(second->state, THREAD_BLOCKED_NOTIFICATION);
    CHECK(notification->word == 0 && !notification->active);
    notification_signal(notification, 0x20);
    CHECK_EQ(second->context.r[R_BADGE], 0x20);
    CHECK_RUNNABLE(second);
    CHECK_INVARIANTS();
}

TEST(poll_would_block_until_signalled_even_with_badge_0)
{
    fixture_setup();
    struct thread *thread = fixture_thread(5);
    struct notification *notification = fixture_new_object(OPAL_OBJECT_NOTIFICATION);
    notification_wait(thread, notification, false);
    CHECK_EQ(thread->context.r[R_ERROR], OPAL_ERR_WOULD_BLOCK);
    CHECK_RUNNABLE(thread);
    notification_signal(notification, 0);
    load(thread, GARBAGE, 0, 0, 0, 0);
    notification_wait(thread, notification, false);
    CHECK_RECEIVED(thread, 0, 0, 0, 0, 0, 0);
    notification_wait(thread, notification, false);
    CHECK_EQ(thread->context.r[R_ERROR], OPAL_ERR_WOULD_BLOCK);
}

static struct notification *bound_notification(struct thread *thread)
{
    struct notification *notification = fixture_new_object(OPAL_OBJECT_NOTIFICATION);
    notification->bound = thread;
    thread->bound_notification = notification;
    return notification;
}

TEST(active_bound_notification_returns_from_endpoint_recv)
{
    fixture_setup();
    struct thread *thread = fixture_thread(5);
    struct notification *notification = bound_notification(thread);
    struct endpoint *endpoint = new_endpoint();
    notification_signal(notification, 0x8);
    CHECK_EQ(thread->state, THREAD_RUNNABLE);
    load(thread, GARBAGE, 0, 0, 0, 0);
    receive(thread, endpoint, NULL);
    CHECK_RECEIVED(thread, 0, 0x8, 0, 0, 0, 0);
    CHECK_RUNNABLE(thread);
    CHECK_EQ(endpoint->state, ENDPOINT_IDLE);
    CHECK(notification->word == 0 && !notification->active);
    CHECK_INVARIANTS();
}

TEST(signal_wakes_bound_thread_blocked_in_endpoint_recv)
{
    fixture_setup();
    struct thread *thread = fixture_thread(5);
    struct notification *notification = bound_notification(thread);
    struct endpoint *endpoint = new_endpoint();
    struct reply *reply = fixture_new_object(OPAL_OBJECT_REPLY);
    receive(thread, endpoint, reply);
    notification_signal(notification, 0x2);
    CHECK_RUNNABLE(thread);
    CHECK_HEADER(thread, 0, 0x2);
    CHECK_EQ(endpoint->state, ENDPOINT_IDLE);
    CHECK(endpoint->queue.head == NULL);
    CHECK(reply->receiver == NULL && thread->reply == NULL);
    CHECK_INVARIANTS();
}

/* --- fault messages (kernel/fault.c) -------------------------------------- */

/* A thread whose fault endpoint (CPtr 21 in the root CNode) has a handler
 * waiting in Recv with a reply object. */
struct fault_setup {
    struct thread *faulter, *handler;
    struct reply *reply;
};

static void handler_waiting(struct fault_setup *setup, bool handler_has_reply)
{
    fixture_setup();
    setup->faulter = fixture_thread(5);
    setup->handler = fixture_thread(10);
    setup->reply = fixture_new_object(OPAL_OBJECT_REPLY);
    if (fixture_retype(FIXTURE_UNTYPED, OPAL_OBJECT_ENDPOINT, 0, 21, 1) != OPAL_OK)
        fixture_die("no fault endpoint");
    cdt_insert_child(&fx.root[FIXTURE_ROOT_CPTR], &setup->faulter->cspace_root,
                     &fx.root[FIXTURE_ROOT_CPTR].cap);
    cap_set_badge(&fx.root[21].cap, 0xfa);  /* the fault endpoint's badge */
    setup->faulter->fault_endpoint = 21;
    receive(setup->handler, cap_object(&fx.root[21].cap), handler_has_reply ? setup->reply : NULL);
}

static void fault_to_handler(struct fault_setup *setup, bool handler_has_reply)
{
    handler_waiting(setup, handler_has_reply);
    struct fault fault = { .kind = FAULT_UNDEFINED, .pc = 0x8004, .syndrome = 0x2000000 };
    fault_handle(setup->faulter, &fault);
}

TEST(fault_becomes_a_message_to_the_handler)
{
    struct fault_setup s;
    fault_to_handler(&s, true);
    CHECK_HEADER(s.handler, OPAL_TAG(OPAL_FAULT_UNDEFINED, 0, OPAL_FAULT_UNDEFINED_LENGTH), 0xfa);
    CHECK_EQ(s.handler->context.r[R_MR0], 0x8004);
    CHECK_EQ(s.handler->context.r[R_MR0 + 1], 0x2000000);
    CHECK_EQ(s.faulter->state, THREAD_BLOCKED_REPLY);
    CHECK(s.reply->caller == s.faulter);
    CHECK_INVARIANTS();
}

TEST(fault_reply_set_pc_resumes_there)
{
    struct fault_setup s;
    fault_to_handler(&s, true);
    load(s.handler, OPAL_TAG(OPAL_FAULT_REPLY_SET_PC, 0, 1), 0x9000, 0, 0, 0);
    s.faulter->context.r[3] = 0x33;
    CHECK_EQ(ipc_reply(s.handler, s.reply), OPAL_OK);
    CHECK_RUNNABLE(s.faulter);
    CHECK_EQ(s.faulter->context.pc, 0x9000);
    CHECK_EQ(s.faulter->context.r[3], 0x33); /* its registers are not a reply message */
    CHECK(!s.faulter->fault_pending);
}

TEST(fault_reply_stop_leaves_it_stopped)
{
    struct fault_setup s;
    fault_to_handler(&s, true);
    load(s.handler, OPAL_TAG(OPAL_FAULT_REPLY_STOP, 0, 0), 0, 0, 0, 0);
    CHECK_EQ(ipc_reply(s.handler, s.reply), OPAL_OK);
    CHECK_EQ(s.faulter->state, THREAD_INACTIVE);
    CHECK(!s.faulter->in_ready_queue && !s.faulter->fault_pending);
    CHECK_INVARIANTS();
}

TEST(fault_reply_abort_or_undefined_raises_it_in_a_vcpu_thread_only)
{
    static struct vcpu vcpu;
    static const uint32_t answers[] = { OPAL_FAULT_REPLY_ABORT, OPAL_FAULT_REPLY_UNDEFINED };
    for (unsigned i = 0; i < 2; i++) {
        struct fault_setup s;
        fault_to_handler(&s, true);
        s.faulter->vcpu = &vcpu;
        fake.exception_raised = 0;
        load(s.handler, OPAL_TAG(answers[i], 0, 0), 0, 0, 0, 0);
        CHECK_EQ(ipc_reply(s.handler, s.reply), OPAL_OK);
        CHECK_RUNNABLE(s.faulter);
        CHECK_EQ(fake.exception_raised, answers[i]);
        s.faulter->vcpu = NULL;
    }
    /* A native thread has no guest to raise it in: the answer resumes it. */
    struct fault_setup s;
    fault_to_handler(&s, true);
    fake.exception_raised = 0;
    load(s.handler, OPAL_TAG(OPAL_FAULT_REPLY_ABORT, 0, 0), 0, 0, 0, 0);
    CHECK_EQ(ipc_reply(s.handler, s.reply), OPAL_OK);
    CHECK_RUNNABLE(s.faulter);
    CHECK_EQ(fake.exception_raised, 0);
}

TEST(debug_fault_message_names_address_and_syndrome)
{
    fixture_setup();
    struct thread *faulter = fixture_thread(5), *handler = fixture_thread(10);
    struct reply *reply = fixture_new_object(OPAL_OBJECT_REPLY);
    if (fixture_retype(FIXTURE_UNTYPED, OPAL_OBJECT_ENDPOINT, 0, 21, 1) != OPAL_OK)
        fixture_die("no fault endpoint");
    cdt_insert_child(&fx.root[FIXTURE_ROOT_CPTR], &faulter->cspace_root,
                     &fx.root[FIXTURE_ROOT_CPTR].cap);
    faulter->fault_endpoint = 21;
    receive(handler, cap_object(&fx.root[21].cap), reply);
    struct fault fault = { .kind = FAULT_DEBUG, .pc = 0x8010, .address = 0x9000,
                           .syndrome = 0xe0000000 };
    fault_handle(faulter, &fault);
    CHECK_HEADER(handler, OPAL_TAG(OPAL_FAULT_DEBUG, 0, OPAL_FAULT_DEBUG_LENGTH), 0);
    CHECK_EQ(handler->context.r[R_MR0], 0x8010);
    CHECK_EQ(handler->context.r[R_MR0 + 1], 0x9000);
    CHECK_EQ(handler->context.r[R_MR0 + 2], 0xe0000000);
}

TEST(fault_to_handler_without_reply_object_stops_the_thread)
{
    struct fault_setup s;
    fault_to_handler(&s, false);
    CHECK_EQ(s.handler->context.r[R_TAG],
             OPAL_TAG(OPAL_FAULT_UNDEFINED, 0, OPAL_FAULT_UNDEFINED_LENGTH));
    CHECK_EQ(s.faulter->state, THREAD_INACTIVE);
    CHECK(!s.faulter->in_ready_queue && !s.faulter->fault_pending);
    CHECK(strstr(fake_console(), "cannot reply") != NULL);
}

TEST(fault_without_handler_stops_and_logs)
{
    fixture_setup();
    struct thread *thread = fixture_thread(5);
    struct fault fault = { .kind = FAULT_DATA_ABORT, .pc = 0x8000, .address = 0x1234 };
    fault_handle(thread, &fault);
    CHECK_EQ(thread->state, THREAD_INACTIVE);
    CHECK(!thread->in_ready_queue);
    CHECK(strstr(fake_console(), "stopped") != NULL);
}

TEST(exit_becomes_a_message_to_the_handler)
{
    struct fault_setup s;
    handler_waiting(&s, true);
    s.faulter->context.pc = 0x8008;
    fault_exit(s.faulter, 0xfffffffeu);
    CHECK_HEADER(s.handler, OPAL_TAG(OPAL_FAULT_EXIT, 0, OPAL_FAULT_EXIT_LENGTH), 0xfa);
    CHECK_EQ(s.handler->context.r[R_MR0], 0x8008);
    CHECK_EQ(s.handler->context.r[R_MR0 + 1], 0xfffffffeu);
    CHECK_EQ(s.faulter->state, THREAD_BLOCKED_REPLY);
    CHECK_INVARIANTS();
}

TEST(exit_without_handler_stops_and_logs_the_status)
{
    fixture_setup();
    struct thread *thread = fixture_thread(5);
    fault_exit(thread, 0xfffffffeu);
    CHECK_EQ(thread->state, THREAD_INACTIVE);
    CHECK(!thread->in_ready_queue);
    CHECKF(strstr(fake_console(), "exited with status -2") != NULL, "%s", fake_console());
}

/* --- IPC buffers: long messages and caps ---------------------------------- */

/* A frame for the thread's IPC buffer and a CSpace (the root CNode). */
static struct opal_ipc_buffer *give_buffer(struct thread *thread)
{
    cdt_insert_child(&fx.root[FIXTURE_ROOT_CPTR], &thread->cspace_root,
                     &fx.root[FIXTURE_ROOT_CPTR].cap);
    return fixture_ipc_buffer(thread);
}

struct buffered {
    struct thread *sender, *receiver;
    struct opal_ipc_buffer *out, *in;
    struct endpoint *endpoint;
};

/* Receiver blocked, accepting up to 2 caps at root slots 60-61. */
static void start_buffered(struct buffered *b)
{
    fixture_setup();
    b->sender = fixture_thread(5);
    b->receiver = fixture_thread(5);
    b->out = give_buffer(b->sender);
    b->in = give_buffer(b->receiver);
    b->endpoint = new_endpoint();
    b->in->receive_cnode = FIXTURE_ROOT_CPTR;
    b->in->receive_index = 60;
    b->in->receive_count = 2;
    b->in->received_caps = GARBAGE;
    receive(b->receiver, b->endpoint, NULL);
}

/* One more round: the receiver waits again, the sender sends the cap at
 * `cptr` with grant; how many caps arrived. */
static uint32_t transferred(struct buffered *b, uint32_t cptr)
{
    if (b->receiver->state != THREAD_BLOCKED_RECEIVE)
        receive(b->receiver, b->endpoint, NULL);
    b->out->send_caps[0] = cptr;
    b->in->received_caps = GARBAGE;
    load(b->sender, OPAL_TAG(1, 1, 0), 0, 0, 0, 0);
    send(b->sender, b->endpoint, 0);
    return b->in->received_caps;
}

TEST(long_message_through_buffers)
{
    struct buffered b;
    start_buffered(&b);
    for (uint32_t i = 4; i < OPAL_MSG_MAX_LENGTH; i++)
        b.out->mr[i] = 1000 + i;
    load(b.sender, OPAL_TAG(7, 0, 100), 0, 1, 2, 3); /* more than 64: taken as 64 */
    send(b.sender, b.endpoint, 0);
    CHECK_RECEIVED(b.receiver, OPAL_TAG(7, 0, OPAL_MSG_MAX_LENGTH), 0, 0, 1, 2, 3);
    for (uint32_t i = 4; i < OPAL_MSG_MAX_LENGTH; i++)
        CHECKF(b.in->mr[i] == 1000 + i, "MR%u", i);
    CHECK_EQ(b.in->received_caps, 0);
}

TEST(caps_transfer_with_grant)
{
    struct buffered b;
    start_buffered(&b);
    struct slot *notification = fixture_new(OPAL_OBJECT_NOTIFICATION, 0);
    struct slot *endpoint = fixture_new(OPAL_OBJECT_ENDPOINT, 0);
    b.out->send_caps[0] = fixture_index(notification);
    b.out->send_caps[1] = fixture_index(endpoint);
    load(b.sender, OPAL_TAG(1, 2, 0), 0, 0, 0, 0);
    send(b.sender, b.endpoint, 0);
    CHECK_EQ(b.receiver->context.r[R_TAG], OPAL_TAG(1, 2, 0));
    CHECK_EQ(b.in->received_caps, 2);
    CHECK(fx.root[60].parent == notification && fx.root[61].parent == endpoint);
    CHECK_EQ(fx.root[61].cap.object, endpoint->cap.object);
    CHECK_INVARIANTS();
}

TEST(caps_need_grant_and_room)
{
    struct buffered b;
    start_buffered(&b);
    struct slot *notification = fixture_new(OPAL_OBJECT_NOTIFICATION, 0);
    b.out->send_caps[0] = fixture_index(notification);
    load(b.sender, OPAL_TAG(1, 1, 0), 0, 0, 0, 0);
    ipc_send(b.sender, b.endpoint, 0, true, false, false, true);
    CHECK_EQ(b.receiver->context.r[R_TAG], OPAL_TAG(1, 0, 0));
    CHECK_EQ(b.in->received_caps, 0);
    CHECK(cap_is_null(&fx.root[60].cap));
    fixture_boot_cap(60, notification->cap); /* occupied: nothing goes */
    CHECK_EQ(transferred(&b, fixture_index(notification)), 0);
    CHECK(fx.root[60].first_child == NULL);
}

TEST(untyped_and_reply_caps_do_not_transfer)
{
    struct buffered b;
    start_buffered(&b);
    struct slot *reply = fixture_new(OPAL_OBJECT_REPLY, 0);
    CHECK_EQ(transferred(&b, FIXTURE_UNTYPED), 0);
    CHECK_EQ(transferred(&b, fixture_index(reply)), 0);
    CHECK_EQ(b.receiver->context.r[R_TAG], OPAL_TAG(1, 0, 0));
    CHECK(cap_is_null(&fx.root[60].cap));
    CHECK_INVARIANTS();
}

/* CNode Copy refuses IRQ-control and sched-control caps (docs/api.md:
 * "cannot be copied or minted"); IPC must not copy them either. */
TEST(control_caps_do_not_transfer)
{
    struct buffered b;
    start_buffered(&b);
    fixture_boot_cap(50, (struct cap){ .type = OPAL_OBJECT_IRQ_CONTROL, .rights = OPAL_RIGHTS_ALL });
    fixture_boot_cap(51, (struct cap){ .type = OPAL_OBJECT_SCHED_CONTROL, .rights = OPAL_RIGHTS_ALL });
    CHECKF(transferred(&b, 50) == 0, "IPC copied an IRQ-control cap");
    CHECKF(transferred(&b, 51) == 0, "IPC copied a sched-control cap");
}
