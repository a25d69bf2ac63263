/* Endpoint IPC: Send/Recv, NBSend/NBRecv, Call/Reply/ReplyRecv with reply
 * objects, badges, long messages through the IPC buffer, cap transfer and
 * rights. A worker thread plays the other side and records what it saw. */
#include "test.h"

#define LONG_LENGTH 20

static struct peer {
    uint32_t endpoint, reply, receive_slot, rounds;
    volatile uint32_t error, tag, badge, received_caps, done;
    volatile uint32_t mr[OPAL_MSG_MAX_LENGTH];
} peer;

static void peer_reset(uint32_t endpoint)
{
    peer = (struct peer){ .endpoint = endpoint, .error = 0xffffffffu };
}

/* Store a received message (and its long part, if the thread has a buffer). */
static void peer_record(int error, const struct opal_message *message, bool long_part)
{
    peer.error = (uint32_t)error;
    peer.tag = message->tag;
    peer.badge = message->badge;
    for (unsigned i = 0; i < OPAL_MSG_REGISTERS; i++)
        peer.mr[i] = message->mr[i];
    if (long_part)
        for (unsigned i = OPAL_MSG_REGISTERS; i < OPAL_MSG_MAX_LENGTH; i++)
            peer.mr[i] = opal_ipc_buffer()->mr[i];
    peer.done++;
}

static void peer_receive(uint32_t long_part)
{
    struct opal_message message;
    int error = opal_recv(peer.endpoint, peer.reply, &message);
    peer_record(error, &message, long_part);
}

static void peer_send(uint32_t value)
{
    struct opal_message message = { .tag = OPAL_TAG(7, 0, 4), .mr = { value, 2, 3, 4 } };
    peer.error = (uint32_t)opal_send(peer.endpoint, &message);
    peer.done++;
}

/* Serve `rounds` Calls: the answer has label 9 and MR0 doubled. */
static void peer_serve(uint32_t unused)
{
    (void)unused;
    struct opal_message message;
    int error = opal_recv(peer.endpoint, peer.reply, &message);
    for (uint32_t round = 0; round < peer.rounds; round++) {
        peer_record(error, &message, false);
        message = (struct opal_message){ .tag = OPAL_TAG(9, 0, 4),
                                         .mr = { message.mr[0] * 2, 5, 6, 7 } };
        if (round + 1 == peer.rounds) {
            opal_reply(peer.reply, &message);
            return;
        }
        error = opal_reply_recv(peer.endpoint, peer.reply, &message);
    }
}

static void spawn_peer(uint32_t priority, void (*entry)(uint32_t), uint32_t argument)
{
    static struct test_thread thread;
    thread_spawn(&thread, priority, entry, argument);
}

TEST(ipc, nbrecv_empty_would_block)
{
    struct opal_message message;
    CHECK_EQ(opal_nbrecv(test_endpoint(), 0, &message), OPAL_ERR_WOULD_BLOCK);
}

TEST(ipc, nbsend_without_receiver_is_dropped)
{
    uint32_t endpoint = test_endpoint();
    struct opal_message message = { .tag = OPAL_TAG(1, 0, 1), .mr = { 5 } };
    CHECK_OK(opal_nbsend(endpoint, &message));
    CHECK_EQ(opal_nbrecv(endpoint, 0, &message), OPAL_ERR_WOULD_BLOCK);
}

TEST(ipc, recv_gets_waiting_sender)
{
    peer_reset(test_endpoint());
    spawn_peer(PRIORITY_HIGH, peer_send, 1);
    struct opal_message message;
    CHECK_OK(opal_recv(peer.endpoint, 0, &message));
    CHECK_EQ(message.tag, OPAL_TAG(7, 0, 4));
    CHECK_EQ(message.mr[0], 1);
    CHECK_EQ(message.mr[1], 2);
    CHECK_EQ(message.mr[2], 3);
    CHECK_EQ(message.mr[3], 4);
    CHECK_EQ(message.badge, 0);
    CHECK(test_wait_for(&peer.done, 1, 1000));
    CHECK_EQ(peer.error, OPAL_OK);
}

TEST(ipc, nbrecv_gets_waiting_sender)
{
    peer_reset(test_endpoint());
    spawn_peer(PRIORITY_HIGH, peer_send, 8);
    struct opal_message message;
    CHECK_OK(opal_nbrecv(peer.endpoint, 0, &message));
    CHECK_EQ(message.mr[0], 8);
}

TEST(ipc, send_reaches_waiting_receiver)
{
    peer_reset(test_endpoint());
    spawn_peer(PRIORITY_HIGH, peer_receive, 0);
    struct opal_message message = { .tag = OPAL_TAG(0x12345, 0, 3), .mr = { 10, 20, 30, 40 } };
    CHECK_OK(opal_send(peer.endpoint, &message));
    CHECK(test_wait_for(&peer.done, 1, 1000));
    CHECK_EQ(peer.error, OPAL_OK);
    CHECK_EQ(peer.tag, OPAL_TAG(0x12345, 0, 3));
    CHECK_EQ(peer.mr[0], 10);
    CHECK_EQ(peer.mr[1], 20);
    CHECK_EQ(peer.mr[2], 30);
}

TEST(ipc, receiver_sees_sender_badge)
{
    peer_reset(test_endpoint());
    spawn_peer(PRIORITY_HIGH, peer_receive, 0);
    struct opal_message message = { .tag = OPAL_TAG(1, 0, 0) };
    CHECK_OK(opal_send(test_mint(peer.endpoint, OPAL_RIGHTS_ALL, 0xbad9e), &message));
    CHECK(test_wait_for(&peer.done, 1, 1000));
    CHECK_EQ(peer.badge, 0xbad9e);
}

TEST(ipc, senders_queue_in_order)
{
    peer_reset(test_endpoint());
    spawn_peer(PRIORITY_HIGH, peer_send, 100);
    spawn_peer(PRIORITY_HIGH, peer_send, 200);
    struct opal_message first, second;
    CHECK_OK(opal_recv(peer.endpoint, 0, &first));
    CHECK_OK(opal_recv(peer.endpoint, 0, &second));
    CHECK_EQ(first.mr[0], 100);
    CHECK_EQ(second.mr[0], 200);
}

TEST(ipc, call_and_reply)
{
    peer_reset(test_endpoint());
    peer.reply = test_object(OPAL_OBJECT_REPLY, 0);
    peer.rounds = 1;
    spawn_peer(PRIORITY_HIGH, peer_serve, 0);
    struct opal_message message = { .tag = OPAL_TAG(3, 0, 2), .mr = { 21, 1 } };
    CHECK_OK(opal_call(peer.endpoint, &message));
    CHECK_EQ(message.tag, OPAL_TAG(9, 0, 4));
    CHECK_EQ(message.mr[0], 42);
    CHECK_EQ(message.mr[1], 5);
    CHECK_EQ(message.mr[2], 6);
    CHECK_EQ(message.mr[3], 7);
    CHECK_EQ(peer.tag, OPAL_TAG(3, 0, 2));
}

TEST(ipc, reply_recv_serves_many_calls)
{
    peer_reset(test_endpoint());
    peer.reply = test_object(OPAL_OBJECT_REPLY, 0);
    peer.rounds = 3;
    spawn_peer(PRIORITY_HIGH, peer_serve, 0);
    for (uint32_t i = 1; i <= 3; i++) {
        struct opal_message message = { .tag = OPAL_TAG(3, 0, 1), .mr = { i * 10 } };
        CHECK_OK(opal_call(peer.endpoint, &message));
        CHECK_EQ(message.mr[0], i * 20);
    }
    CHECK_EQ(peer.done, 3);
}

TEST(ipc, server_sees_caller_badge)
{
    peer_reset(test_endpoint());
    peer.reply = test_object(OPAL_OBJECT_REPLY, 0);
    peer.rounds = 1;
    spawn_peer(PRIORITY_HIGH, peer_serve, 0);
    struct opal_message message = { .tag = OPAL_TAG(3, 0, 1), .mr = { 1 } };
    CHECK_OK(opal_call(test_mint(peer.endpoint, OPAL_RIGHTS_ALL, 0x77), &message));
    CHECK_EQ(peer.badge, 0x77);
}

TEST(ipc, call_to_receiver_without_reply_object)
{
    peer_reset(test_endpoint());
    spawn_peer(PRIORITY_HIGH, peer_receive, 0);
    struct opal_message message = { .tag = OPAL_TAG(3, 0, 1), .mr = { 55 } };
    CHECK_EQ(opal_call(peer.endpoint, &message), OPAL_ERR_ILLEGAL_OPERATION);
    CHECK(test_wait_for(&peer.done, 1, 1000));
    CHECK_EQ(peer.mr[0], 55);
}

TEST(ipc, call_without_grant_reply_is_a_send)
{
    peer_reset(test_endpoint());
    peer.reply = test_object(OPAL_OBJECT_REPLY, 0);
    spawn_peer(PRIORITY_HIGH, peer_receive, 0);
    uint32_t no_reply = test_copy(peer.endpoint, OPAL_RIGHT_READ | OPAL_RIGHT_WRITE |
                                                     OPAL_RIGHT_GRANT);
    struct opal_message message = { .tag = OPAL_TAG(3, 0, 1), .mr = { 66 } };
    CHECK_OK(opal_call(no_reply, &message));
    CHECK(test_wait_for(&peer.done, 1, 1000));
    CHECK_EQ(peer.mr[0], 66);
}

TEST(ipc, send_and_call_need_write)
{
    uint32_t read_only = test_copy(test_endpoint(), OPAL_RIGHT_READ | OPAL_RIGHT_GRANT);
    struct opal_message message = { .tag = OPAL_TAG(1, 0, 0) };
    CHECK_EQ(opal_send(read_only, &message), OPAL_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(opal_nbsend(read_only, &message), OPAL_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(opal_call(read_only, &message), OPAL_ERR_ILLEGAL_OPERATION);
}

TEST(ipc, recv_needs_read)
{
    uint32_t write_only = test_copy(test_endpoint(), OPAL_RIGHT_WRITE);
    struct opal_message message;
    CHECK_EQ(opal_recv(write_only, 0, &message), OPAL_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(opal_nbrecv(write_only, 0, &message), OPAL_ERR_ILLEGAL_OPERATION);
}

static void send_long(uint32_t endpoint, uint32_t length)
{
    struct opal_ipc_buffer *buffer = opal_ipc_buffer();
    for (uint32_t i = OPAL_MSG_REGISTERS; i < OPAL_MSG_MAX_LENGTH; i++)
        buffer->mr[i] = 1000 + i;
    struct opal_message message = { .tag = OPAL_TAG(4, 0, length), .mr = { 1000, 1001, 1002,
                                                                            1003 } };
    CHECK_OK(opal_send(endpoint, &message));
    CHECK(test_wait_for(&peer.done, 1, 1000));
    CHECK_EQ(peer.error, OPAL_OK);
}

TEST(ipc, long_message_through_ipc_buffer)
{
    peer_reset(test_endpoint());
    spawn_peer(PRIORITY_HIGH, peer_receive, 1);
    send_long(peer.endpoint, LONG_LENGTH);
    CHECK_EQ(OPAL_TAG_LENGTH(peer.tag), LONG_LENGTH);
    for (uint32_t i = 0; i < LONG_LENGTH; i++)
        CHECK_EQ(peer.mr[i], 1000 + i);
}

TEST(ipc, longest_message_is_64_words)
{
    peer_reset(test_endpoint());
    spawn_peer(PRIORITY_HIGH, peer_receive, 1);
    send_long(peer.endpoint, 100);
    CHECK_EQ(OPAL_TAG_LENGTH(peer.tag), OPAL_MSG_MAX_LENGTH);
    CHECK_EQ(peer.mr[OPAL_MSG_MAX_LENGTH - 1], 1000 + OPAL_MSG_MAX_LENGTH - 1);
}

TEST(ipc, receiver_without_ipc_buffer_gets_four_words)
{
    peer_reset(test_endpoint());
    struct test_thread thread;
    thread_create(&thread, PRIORITY_HIGH);
    CHECK_OK(opal_tcb_configure(thread.tcb, 0, ROOT_CNODE, ROOT_VSPACE, 0, 0));
    thread_start(&thread, peer_receive, 0);
    send_long(peer.endpoint, LONG_LENGTH);
    CHECK_EQ(OPAL_TAG_LENGTH(peer.tag), OPAL_MSG_REGISTERS);
    CHECK_EQ(peer.mr[3], 1003);
}

static void serve_long_reply(uint32_t unused)
{
    (void)unused;
    struct opal_message message;
    opal_recv(peer.endpoint, peer.reply, &message);
    struct opal_ipc_buffer *buffer = opal_ipc_buffer();
    for (uint32_t i = OPAL_MSG_REGISTERS; i < 10; i++)
        buffer->mr[i] = 500 + i;
    message = (struct opal_message){ .tag = OPAL_TAG(2, 0, 10), .mr = { 500, 501, 502, 503 } };
    opal_reply(peer.reply, &message);
}

TEST(ipc, long_reply_through_ipc_buffer)
{
    peer_reset(test_endpoint());
    peer.reply = test_object(OPAL_OBJECT_REPLY, 0);
    spawn_peer(PRIORITY_HIGH, serve_long_reply, 0);
    struct opal_message message = { .tag = OPAL_TAG(1, 0, 0) };
    CHECK_OK(opal_call(peer.endpoint, &message));
    CHECK_EQ(OPAL_TAG_LENGTH(message.tag), 10);
    CHECK_EQ(message.mr[3], 503);
    for (uint32_t i = OPAL_MSG_REGISTERS; i < 10; i++)
        CHECK_EQ(opal_ipc_buffer()->mr[i], 500 + i);
}

static void receive_caps(uint32_t unused)
{
    (void)unused;
    struct opal_ipc_buffer *buffer = opal_ipc_buffer();
    buffer->receive_cnode = ROOT_CNODE;
    buffer->receive_index = peer.receive_slot;
    buffer->receive_count = 1;
    buffer->received_caps = 0xffffffffu;
    struct opal_message message;
    int error = opal_recv(peer.endpoint, 0, &message);
    peer.received_caps = buffer->received_caps;
    peer_record(error, &message, false);
}

static int send_cap(uint32_t endpoint, uint32_t cap)
{
    opal_ipc_buffer()->send_caps[0] = cap;
    struct opal_message message = { .tag = OPAL_TAG(6, 1, 1), .mr = { 0x5e } };
    return opal_send(endpoint, &message);
}

TEST(ipc, cap_transfer_with_grant)
{
    peer_reset(test_endpoint());
    peer.receive_slot = test_slot();
    spawn_peer(PRIORITY_HIGH, receive_caps, 0);
    uint32_t notification = test_notification();
    CHECK_OK(send_cap(peer.endpoint, test_mint(notification, OPAL_RIGHTS_ALL, 0x9)));
    CHECK(test_wait_for(&peer.done, 1, 1000));
    CHECK_EQ(peer.error, OPAL_OK);
    CHECK_EQ(OPAL_TAG_EXTRA_CAPS(peer.tag), 1);
    CHECK_EQ(peer.received_caps, 1);
    CHECK_OK(opal_signal(peer.receive_slot));
    uint32_t word = 0;
    CHECK_OK(opal_poll(notification, &word));
    CHECK_EQ(word, 0x9);
}

/* Without grant the message goes through and the caps stay behind. */
TEST(ipc, cap_transfer_needs_grant)
{
    peer_reset(test_endpoint());
    peer.receive_slot = test_slot();
    spawn_peer(PRIORITY_HIGH, receive_caps, 0);
    uint32_t no_grant = test_copy(peer.endpoint, OPAL_RIGHT_READ | OPAL_RIGHT_WRITE |
                                                     OPAL_RIGHT_GRANT_REPLY);
    CHECK_OK(send_cap(no_grant, test_notification()));
    CHECK(test_wait_for(&peer.done, 1, 1000));
    CHECK_EQ(peer.mr[0], 0x5e);
    CHECK_EQ(OPAL_TAG_EXTRA_CAPS(peer.tag), 0);
    CHECK_EQ(peer.received_caps, 0);
    CHECK(test_slot_empty(peer.receive_slot));
}

TEST(ipc, delete_endpoint_wakes_receiver_with_deleted)
{
    peer_reset(test_endpoint());
    spawn_peer(PRIORITY_HIGH, peer_receive, 0);
    CHECK_OK(opal_cnode_delete(ROOT_CNODE, peer.endpoint));
    CHECK(test_wait_for(&peer.done, 1, 1000));
    CHECK_EQ(peer.error, OPAL_ERR_DELETED);
}

TEST(ipc, delete_cnode_with_last_endpoint_cap_wakes_receiver)
{
    peer_reset(test_endpoint());
    spawn_peer(PRIORITY_HIGH, peer_receive, 0);
    uint32_t cnode = test_cnode(2);
    CHECK_OK(opal_cnode_copy(cnode, 0, peer.endpoint, OPAL_RIGHTS_ALL));
    CHECK_OK(opal_cnode_delete(ROOT_CNODE, peer.endpoint));
    CHECK_EQ(peer.done, 0);
    CHECK_OK(opal_cnode_delete(ROOT_CNODE, cnode));
    CHECK(test_wait_for(&peer.done, 1, 1000));
    CHECK_EQ(peer.error, OPAL_ERR_DELETED);
}
