/* The virtio console (vmm/virtio_console.c, hvc0): transmit chains go out
 * through console_output in order, and typed input fills the receive
 * queue's buffers once the guest has written to hvc0; until then input is
 * the UART's, even if the guest's driver has receive buffers waiting. */
#define UNIT_SUITE "virtio_console"
#include "linux_devices.h"

#define SLOT GUEST_VIRTIO_CONSOLE
#define RECEIVE  0u           /* receiveq and transmitq of port 0 (5.3.2) */
#define TRANSMIT 1u
#define QUEUE_SIZE 16u

static struct virtio_console *console(void)
{
    return &vm.virtio_console;
}

static struct guest_queue *queue(uint32_t number)
{
    return &queues[SLOT][number];
}

static void console_up(void)
{
    linux_vm_reset("vm1");
    guest_bring_up(SLOT, 2, QUEUE_SIZE);
}

/* A transmit chain of the given strings, one readable buffer each. */
static uint16_t transmit(const char *const *texts, uint32_t count)
{
    struct guest_buffer chain[8];
    for (uint32_t i = 0; i < count; i++) {
        uint32_t length = (uint32_t)strlen(texts[i]);
        chain[i] = (struct guest_buffer){ guest_alloc(length), length, false };
        memcpy(guest_pointer(chain[i].address), texts[i], length);
    }
    return guest_add(queue(TRANSMIT), chain, count);
}

/* A receive buffer of `length` bytes posted (as Linux's driver fills the
 * receiveq); its address. */
static uint32_t post_receive(uint32_t length)
{
    struct guest_buffer buffer = { guest_alloc(length), length, true };
    guest_add(queue(RECEIVE), &buffer, 1);
    return buffer.address;
}

/* The guest writes a line to hvc0: the console is in use from then on. */
static void write_something(void)
{
    static const char *const line[] = { "login: " };
    transmit(line, 1);
    guest_notify(queue(TRANSMIT));
}

TEST(transmit_chains_go_out_in_order)
{
    console_up();
    static const char *const first[] = { "hello, ", "world" };
    static const char *const second[] = { "!\n" };
    uint16_t a = transmit(first, 2);
    uint16_t b = transmit(second, 1);
    snapshot();
    guest_notify(queue(TRANSMIT));
    CHECK_EQ(console_out_length, 14);
    CHECK(memcmp(console_out, "hello, world!\n", 14) == 0);
    /* The device wrote nothing into them: used length 0 (2.7.8). */
    expect_used(queue(TRANSMIT), 0, a, 0);
    expect_used(queue(TRANSMIT), 1, b, 0);
    CHECK(unchanged());
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_INTERRUPT_USED);
    CHECK(pending(slot_irq(SLOT)));
    CHECK_EQ(log_count, 0);
}

TEST(input_is_the_uarts_until_the_guest_writes_to_hvc0)
{
    console_up();
    CHECK(!virtio_console_takes_input(console()));
    uint32_t buffer = post_receive(16);
    type_input("ls\n");
    snapshot();
    guest_notify(queue(RECEIVE));                 /* Linux kicks its receive buffers */
    CHECK_EQ(typed_taken, 0);
    CHECK(unchanged());
    CHECK(!virtio_console_takes_input(console()));
    write_something();
    CHECK(virtio_console_takes_input(console()));
    snapshot();
    virtio_console_input(console());              /* console.c, on the server's signal */
    CHECK_EQ(typed_taken, 3);
    expect_written(buffer, "ls\n", 3);
    expect_used(queue(RECEIVE), 0, 0, 3);
    CHECK(unchanged());
    CHECK(reg_read(SLOT, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_INTERRUPT_USED);
    CHECK_EQ(log_count, 0);
}

TEST(input_fills_receive_buffers_in_order_and_waits_for_more)
{
    console_up();
    write_something();
    uint32_t first = post_receive(4), second = post_receive(4);
    type_input("abcdefghij");
    guest_notify(queue(RECEIVE));
    CHECK_EQ(typed_taken, 8);
    CHECK(memcmp(guest_pointer(first), "abcd", 4) == 0);
    CHECK(memcmp(guest_pointer(second), "efgh", 4) == 0);
    CHECK_EQ(queue(RECEIVE)->used->index, 2);
    CHECK_EQ(queue(RECEIVE)->used->ring[1].length, 4);
    /* No buffer left: the rest waits in the console ring. */
    virtio_console_input(console());
    CHECK_EQ(typed_taken, 8);
    uint32_t third = post_receive(8);
    guest_notify(queue(RECEIVE));
    CHECK_EQ(typed_taken, 10);
    CHECK(memcmp(guest_pointer(third), "ij", 2) == 0);
    CHECK_EQ(queue(RECEIVE)->used->ring[2].length, 2);
}

TEST(a_reset_gives_input_back_to_the_uart)
{
    console_up();
    write_something();
    CHECK(virtio_console_takes_input(console()));
    reg_write(SLOT, VIRTIO_MMIO_STATUS, 0);
    CHECK(!virtio_console_takes_input(console()));
    memset(ram, 0, GUEST_DATA_OFFSET);
    guest_bring_up(SLOT, 2, QUEUE_SIZE);
    CHECK(!virtio_console_takes_input(console()));
}

TEST(a_broken_console_does_not_take_input)
{
    console_up();
    write_something();
    guest_desc_set(queue(TRANSMIT), 5, ram_base() - 1, 1, 0, 0);
    guest_publish(queue(TRANSMIT), 5);
    guest_notify(queue(TRANSMIT));
    check_needs_reset(SLOT, "virtio-console");
    CHECK(!virtio_console_takes_input(console()));
}
