/* Interrupts: IRQControl.Get and its errors, IRQHandler SetNotification,
 * Ack and Clear. (Nothing here makes a device interrupt fire.) */
#include "test.h"

#define SPARE_IRQ 40        /* an SPI nothing on QEMU virt uses */
#define LAST_IRQ 287        /* QEMU virt's GICv2 has 256 SPIs + 32 */
#define HYP_TIMER_IRQ 26    /* the kernel's own */

static uint32_t get_handler(uint32_t irq)
{
    uint32_t slot = test_slot();
    CHECK_OK(opal_irq_control_get(OPAL_CAP_IRQ_CONTROL, irq, ROOT_CNODE, slot));
    return slot;
}

TEST(irq, get_makes_a_handler)
{
    uint32_t handler = get_handler(SPARE_IRQ);
    CHECK_OK(opal_irq_handler_set_notification(handler, test_notification()));
}

TEST(irq, one_handler_per_irq)
{
    uint32_t handler = get_handler(SPARE_IRQ);
    CHECK_EQ(opal_irq_control_get(OPAL_CAP_IRQ_CONTROL, SPARE_IRQ, ROOT_CNODE, test_slot()),
             OPAL_ERR_REVOKE_FIRST);
    CHECK_OK(opal_cnode_delete(ROOT_CNODE, handler));
    get_handler(SPARE_IRQ);
}

TEST(irq, last_irq_of_the_gic)
{
    get_handler(LAST_IRQ);
}

TEST(irq, irq_outside_the_gic)
{
    CHECK_EQ(opal_irq_control_get(OPAL_CAP_IRQ_CONTROL, LAST_IRQ + 1, ROOT_CNODE, test_slot()),
             OPAL_ERR_RANGE);
    CHECK_EQ(opal_irq_control_get(OPAL_CAP_IRQ_CONTROL, 1023, ROOT_CNODE, test_slot()),
             OPAL_ERR_RANGE);
    CHECK_EQ(opal_irq_control_get(OPAL_CAP_IRQ_CONTROL, 0xffffffffu, ROOT_CNODE, test_slot()),
             OPAL_ERR_RANGE);
}

TEST(irq, kernel_irq_is_refused)
{
    CHECK_EQ(opal_irq_control_get(OPAL_CAP_IRQ_CONTROL, HYP_TIMER_IRQ, ROOT_CNODE, test_slot()),
             OPAL_ERR_RANGE);
}

TEST(irq, get_into_occupied_slot)
{
    CHECK_EQ(opal_irq_control_get(OPAL_CAP_IRQ_CONTROL, SPARE_IRQ, ROOT_CNODE, test_endpoint()),
             OPAL_ERR_DELETE_FIRST);
}

TEST(irq, get_destination_errors)
{
    CHECK_EQ(opal_irq_control_get(OPAL_CAP_IRQ_CONTROL, SPARE_IRQ, test_cnode(2), 4),
             OPAL_ERR_RANGE);
    CHECK_EQ(opal_irq_control_get(OPAL_CAP_IRQ_CONTROL, SPARE_IRQ, test_endpoint(), 0),
             OPAL_ERR_INVALID_CAPABILITY);
    CHECK_EQ(opal_irq_control_get(OPAL_CAP_IRQ_CONTROL, SPARE_IRQ, 0x00100000u | ROOT_CNODE, 0),
             OPAL_ERR_FAILED_LOOKUP);
    get_handler(SPARE_IRQ); /* none of the refused calls made a handler */
}

TEST(irq, set_notification_needs_a_notification)
{
    uint32_t handler = get_handler(SPARE_IRQ);
    CHECK_EQ(opal_irq_handler_set_notification(handler, test_endpoint()),
             OPAL_ERR_INVALID_CAPABILITY);
    CHECK_OK(opal_irq_handler_set_notification(handler, 0));
}

TEST(irq, ack_and_clear)
{
    uint32_t handler = get_handler(SPARE_IRQ);
    CHECK_OK(opal_irq_handler_set_notification(handler, test_notification()));
    CHECK_OK(opal_irq_handler_ack(handler));
    CHECK_OK(opal_irq_handler_clear(handler));
}

TEST(irq, handler_caps_copy_but_control_does_not)
{
    uint32_t handler = get_handler(SPARE_IRQ);
    CHECK_OK(opal_irq_handler_ack(test_copy(handler, OPAL_RIGHTS_ALL)));
    CHECK_EQ(opal_cnode_copy(ROOT_CNODE, test_slot(), OPAL_CAP_IRQ_CONTROL, OPAL_RIGHTS_ALL),
             OPAL_ERR_ILLEGAL_OPERATION);
}

TEST(irq, wrong_label_on_irq_control_is_illegal)
{
    CHECK_EQ(test_invoke_label(OPAL_CAP_IRQ_CONTROL, OPAL_IRQ_HANDLER_ACK),
             OPAL_ERR_ILLEGAL_OPERATION);
}
