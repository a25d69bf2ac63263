/* testkit: a minimal bare-metal guest that measures the hypervisor. It
 * prints through the VMM's emulated PL011, times null hypercalls (an HVC
 * whose function the VMM does not know, answered NOT_SUPPORTED) with the
 * virtual counter, and powers off through PSCI. */
#include <stdint.h>

#define UART_DR ((volatile uint32_t *)0x09000000u)
#define HVC_ROUNDS 1000u
#define NULL_FUNCTION 0x86000000u     /* a vendor-range SMCCC call nobody implements */
#define PSCI_NOT_SUPPORTED 0xffffffffu
#define PSCI_SYSTEM_OFF 0x84000008u

void testkit_main(void);

static void put_string(const char *text)
{
    while (*text)
        *UART_DR = (uint32_t)*text++;
}

static void put_number(uint32_t value)
{
    char digits[11];
    int count = 0;
    do {
        digits[count++] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    while (count)
        *UART_DR = (uint32_t)digits[--count];
}

static uint32_t hvc(uint32_t function)
{
    register uint32_t r0 __asm__("r0") = function;
    __asm__ volatile(".arch_extension virt\n hvc #0" : "+r"(r0) :: "r1", "r2", "r3", "memory");
    return r0;
}

static uint64_t counter(void)
{
    uint32_t low, high;
    __asm__ volatile("isb\n mrrc p15, 1, %0, %1, c14" : "=r"(low), "=r"(high));
    return (uint64_t)high << 32 | low;
}

static uint32_t counter_frequency(void)
{
    uint32_t frequency;
    __asm__ volatile("mrc p15, 0, %0, c14, c0, 0" : "=r"(frequency));
    return frequency;
}

void testkit_main(void)
{
    put_string("testkit: ready\n");
    uint32_t failures = 0;
    uint64_t start = counter();
    for (uint32_t i = 0; i < HVC_ROUNDS; i++)
        failures += hvc(NULL_FUNCTION) != PSCI_NOT_SUPPORTED;
    uint64_t ticks = counter() - start;
    /* Nanoseconds per round trip; under -icount shift=0 also instructions. */
    uint32_t nanoseconds = (uint32_t)(ticks * 1000000000ull / counter_frequency() / HVC_ROUNDS);
    put_string("testkit: null hvc rounds ");
    put_number(HVC_ROUNDS);
    put_string(" failures ");
    put_number(failures);
    put_string(" ns-per-round-trip ");
    put_number(nanoseconds);
    put_string("\n");
    hvc(PSCI_SYSTEM_OFF);
    put_string("testkit: still running after SYSTEM_OFF\n");
}
