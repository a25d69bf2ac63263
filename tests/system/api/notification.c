/* Notifications: signal (badges OR together), wait, poll, deletion while
 * waiting, and a bound notification delivered through an endpoint Recv. */
#include "test.h"

static struct waiter {
    volatile uint32_t error;
    volatile uint32_t word;
    volatile uint32_t tag;
    volatile uint32_t done;
} waiter;

static uint32_t poll_word(uint32_t notification, int expected_error)
{
    uint32_t word = 0;
    CHECK_EQ(opal_poll(notification, &word), expected_error);
    return word;
}

TEST(notification, poll_empty_would_block)
{
    poll_word(test_notification(), OPAL_ERR_WOULD_BLOCK);
}

TEST(notification, signal_then_poll)
{
    uint32_t notification = test_notification();
    CHECK_OK(opal_signal(test_mint(notification, OPAL_RIGHTS_ALL, 0x8)));
    CHECK_EQ(poll_word(notification, OPAL_OK), 0x8);
    poll_word(notification, OPAL_ERR_WOULD_BLOCK);
}

TEST(notification, badges_or_together)
{
    uint32_t notification = test_notification();
    CHECK_OK(opal_signal(test_mint(notification, OPAL_RIGHTS_ALL, 0x1)));
    CHECK_OK(opal_signal(test_mint(notification, OPAL_RIGHTS_ALL, 0x4)));
    CHECK_OK(opal_signal(test_mint(notification, OPAL_RIGHTS_ALL, 0x5)));
    CHECK_EQ(poll_word(notification, OPAL_OK), 0x5);
}

TEST(notification, unbadged_signal_is_an_event_with_word_zero)
{
    uint32_t notification = test_notification();
    CHECK_OK(opal_signal(notification));
    CHECK_EQ(poll_word(notification, OPAL_OK), 0);
    poll_word(notification, OPAL_ERR_WOULD_BLOCK);
}

TEST(notification, nbsend_signals)
{
    uint32_t notification = test_notification();
    struct opal_message message = { .tag = OPAL_TAG(3, 0, 1), .mr = { 77 } };
    CHECK_OK(opal_nbsend(test_mint(notification, OPAL_RIGHTS_ALL, 0x200), &message));
    CHECK_EQ(poll_word(notification, OPAL_OK), 0x200);
}

static void signal_badged(uint32_t badged)
{
    opal_signal(badged);
}

TEST(notification, wait_blocks_until_signalled)
{
    uint32_t notification = test_notification();
    struct test_thread worker;
    thread_spawn(&worker, PRIORITY_LOW, signal_badged,
                 test_mint(notification, OPAL_RIGHTS_ALL, 0x40));
    uint32_t word = 0;
    CHECK_OK(opal_wait(notification, &word));
    CHECK_EQ(word, 0x40);
}

static void wait_once(uint32_t notification)
{
    uint32_t word = 0;
    waiter.error = (uint32_t)opal_wait(notification, &word);
    waiter.word = word;
    waiter.done = 1;
}

TEST(notification, waiting_thread_woken_by_signal)
{
    waiter = (struct waiter){ 0 };
    uint32_t notification = test_notification();
    struct test_thread worker;
    thread_spawn(&worker, PRIORITY_HIGH, wait_once, notification);
    CHECK_EQ(waiter.done, 0);
    CHECK_OK(opal_signal(test_mint(notification, OPAL_RIGHTS_ALL, 0x100)));
    CHECK(test_wait_for(&waiter.done, 1, 1000));
    CHECK_EQ(waiter.error, OPAL_OK);
    CHECK_EQ(waiter.word, 0x100);
    poll_word(notification, OPAL_ERR_WOULD_BLOCK);
}

TEST(notification, delete_wakes_waiter_with_deleted)
{
    waiter = (struct waiter){ 0 };
    uint32_t notification = test_notification();
    struct test_thread worker;
    thread_spawn(&worker, PRIORITY_HIGH, wait_once, notification);
    CHECK_OK(opal_cnode_delete(ROOT_CNODE, notification));
    CHECK(test_wait_for(&waiter.done, 1, 1000));
    CHECK_EQ(waiter.error, OPAL_ERR_DELETED);
}

static void receive_on_endpoint(uint32_t endpoint)
{
    struct opal_message message;
    waiter.error = (uint32_t)opal_recv(endpoint, 0, &message);
    waiter.word = message.badge;
    waiter.tag = message.tag;
    waiter.done = 1;
}

TEST(notification, bound_notification_wakes_endpoint_recv)
{
    waiter = (struct waiter){ .tag = 0xffffffffu };
    uint32_t notification = test_notification(), endpoint = test_endpoint();
    struct test_thread worker;
    thread_create(&worker, PRIORITY_HIGH);
    CHECK_OK(opal_tcb_bind_notification(worker.tcb, notification));
    thread_start(&worker, receive_on_endpoint, endpoint);
    CHECK_EQ(waiter.done, 0);
    CHECK_OK(opal_signal(test_mint(notification, OPAL_RIGHTS_ALL, 0x20)));
    CHECK(test_wait_for(&waiter.done, 1, 1000));
    CHECK_EQ(waiter.error, OPAL_OK);
    CHECK_EQ(waiter.tag, 0);
    CHECK_EQ(waiter.word, 0x20);
    poll_word(notification, OPAL_ERR_WOULD_BLOCK);
}

TEST(notification, active_bound_notification_returns_at_once)
{
    uint32_t notification = test_notification(), endpoint = test_endpoint();
    CHECK_OK(opal_tcb_bind_notification(OPAL_CAP_INIT_TCB, notification));
    int signal_error = opal_signal(test_mint(notification, OPAL_RIGHTS_ALL, 0x3));
    struct opal_message message = { 0 };
    int receive_error = opal_nbrecv(endpoint, 0, &message);
    int unbind_error = opal_tcb_unbind_notification(OPAL_CAP_INIT_TCB);
    CHECK_OK(signal_error);
    CHECK_OK(receive_error);
    CHECK_EQ(message.tag, 0);
    CHECK_EQ(message.badge, 0x3);
    CHECK_OK(unbind_error);
    poll_word(notification, OPAL_ERR_WOULD_BLOCK);
}

TEST(notification, inactive_bound_notification_leaves_nbrecv_empty)
{
    uint32_t notification = test_notification(), endpoint = test_endpoint();
    CHECK_OK(opal_tcb_bind_notification(OPAL_CAP_INIT_TCB, notification));
    struct opal_message message;
    int receive_error = opal_nbrecv(endpoint, 0, &message);
    int unbind_error = opal_tcb_unbind_notification(OPAL_CAP_INIT_TCB);
    CHECK_EQ(receive_error, OPAL_ERR_WOULD_BLOCK);
    CHECK_OK(unbind_error);
}
