/* QEMU "virt" (ARMv7, GICv2): the facts used when no device tree is handed
 * over. A new board is a new directory like this one. */
#ifndef PLAT_QEMU_VIRT_PLATFORM_H
#define PLAT_QEMU_VIRT_PLATFORM_H

#define PLATFORM_FALLBACK_NAME       "qemu-virt (built-in)"
#define PLATFORM_FALLBACK_RAM_BASE   0x40000000u
#define PLATFORM_FALLBACK_RAM_SIZE   0x40000000u /* 1 GiB */
#define PLATFORM_FALLBACK_UART       0x09000000u
#define PLATFORM_FALLBACK_GICD       0x08000000u
#define PLATFORM_FALLBACK_GICC       0x08010000u
#define PLATFORM_FALLBACK_GICH       0x08030000u
#define PLATFORM_FALLBACK_GICV       0x08040000u
#define PLATFORM_FALLBACK_HYP_TIMER_IRQ      26
#define PLATFORM_FALLBACK_VIRTUAL_TIMER_IRQ  27
#define PLATFORM_FALLBACK_MAINTENANCE_IRQ    25

#endif
