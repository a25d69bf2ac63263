/* Facts about the machine, found in the device tree or taken from the
 * platform file when there is none. Filled once at boot. */
#ifndef KERNEL_PLATFORM_H
#define KERNEL_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>
#include "addr.h"
#include "config.h"

#define PLATFORM_CMDLINE_MAX 256

struct platform {
    const char *source;         /* "device tree" or the fallback platform's name */
    uint32_t fdt_address, fdt_size;  /* 0 when there is none */
    uint64_t ram_base, ram_size;
    uint32_t uart_base, uart_irq;
    uint32_t rtc_base;          /* a PL031, for the root task (0: none) */
    uint32_t gicd_base, gicc_base, gich_base, gicv_base;
    uint32_t hyp_timer_irq, virtual_timer_irq, maintenance_irq;
    uint32_t cores;             /* cores the kernel runs on: 0 .. cores - 1 */
    uint32_t core_mpidr[CONFIG_CORES]; /* each core's MPIDR affinity, the boot core's first */
    uint32_t psci_cpu_on;       /* PSCI CPU_ON's function ID (SMC conduit) */
    char cmdline[PLATFORM_CMDLINE_MAX];
    int cmdline_truncated;      /* bootargs longer than the buffer: said at boot */
};

extern struct platform platform;

/* Whether [address, address + size) is RAM: the only memory the kernel
 * itself reads or writes on a thread's behalf (device memory could abort). */
static inline bool platform_is_ram(paddr_t address, uint32_t size)
{
    return pa_value(address) >= platform.ram_base && size <= platform.ram_size &&
           (uint64_t)pa_value(address) + size <= platform.ram_base + platform.ram_size;
}

#endif
