/* The Debug cap: the kernel's console write, power-off and self-check, for
 * the root task alone (and whomever it gives a copy). None of them may make
 * the kernel wait for the UART: a write takes what the transmit FIFO holds
 * now and says how much that was. */
#include "opal/error.h"
#include "arch.h"
#include "config.h"
#include "kernel.h"
#include "log.h"
#include "objects.h"
#include "platform.h"

/* Bytes from `address` to the end of its page. */
static uint32_t page_rest(uaddr_t address)
{
    return CONFIG_PAGE_SIZE - (ua_value(address) % CONFIG_PAGE_SIZE);
}

/* Every page of [address, address + length) readable RAM in the caller's
 * own VSpace: it can only print what it can read. Checked whole before a
 * byte goes out. */
static int check_readable(const struct arch_vspace *vspace, uaddr_t address, uint32_t length)
{
    paddr_t physical;
    for (uint32_t offset = 0; offset < length; offset += page_rest(ua_add(address, offset))) {
        if (!arch_vspace_translate(vspace, ua_add(address, offset), VSPACE_READ, &physical) ||
            !platform_is_ram(physical, 1))
            return OPAL_ERR_INVALID_ARGUMENT;
    }
    return OPAL_OK;
}

/* One byte as the console wants it ('\n' as "\r\n"); false if the FIFO is
 * full. A '\r' that went out before the FIFO filled is sent again with its
 * '\n' on the next call: harmless, a carriage return twice is one. */
static bool put(char c)
{
    if (c == '\n' && !arch_console_try_putc('\r'))
        return false;
    return arch_console_try_putc(c);
}

/* What the UART takes without waiting; the count of bytes taken. */
static uint32_t write_some(const struct arch_vspace *vspace, uaddr_t address, uint32_t length)
{
    uint32_t taken = 0;
    while (taken < length) {
        paddr_t physical;
        uint32_t chunk = page_rest(ua_add(address, taken));
        if (chunk > length - taken)
            chunk = length - taken;
        arch_vspace_translate(vspace, ua_add(address, taken), VSPACE_READ, &physical);
        const char *bytes = arch_phys_to_virt(physical);
        for (uint32_t i = 0; i < chunk; i++, taken++)
            if (!put(bytes[i]))
                return taken;
    }
    return taken;
}

static int debug_write(struct invocation *invocation)
{
    if (invocation->length < 2)
        return invocation_truncated(invocation);
    uaddr_t address = ua_make(invocation->arguments[0]);
    uint32_t length = invocation->arguments[1];
    const struct arch_vspace *vspace = thread_vspace(invocation->caller);
    if (length > OPAL_DEBUG_WRITE_MAX)
        return invocation_out_of_range(invocation, 1, 0, OPAL_DEBUG_WRITE_MAX);
    /* The address names the bytes: a range that wraps or is not readable. */
    if (ua_value(address) + length < ua_value(address) || vspace == NULL)
        return invocation_refuse(invocation, OPAL_ERR_INVALID_ARGUMENT, 0);
    int error = check_readable(vspace, address, length);
    if (error != OPAL_OK)
        return invocation_refuse(invocation, error, 0);
    invocation->results[0] = write_some(vspace, address, length);
    invocation->result_length = 1;
    return OPAL_OK;
}

int debug_invoke(struct invocation *invocation)
{
    switch (invocation->label) {
    case OPAL_DEBUG_WRITE:
        return debug_write(invocation);
    case OPAL_DEBUG_SYSTEM_OFF:
        log("thread %u powered the system off", invocation->caller->id);
        arch_system_off();
    case OPAL_DEBUG_CHECK_INVARIANTS:
        return invariants_check(); /* a broken invariant: no argument (NONE) */
    default:
        return invocation_no_method(invocation);
    }
}
