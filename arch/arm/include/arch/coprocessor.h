/* One 32-bit coprocessor register as a pair of accessors, name_read() and
 * name_write(): the shape cp14.h and cp15.h name their registers with. */
#ifndef ARCH_ARM_COPROCESSOR_H
#define ARCH_ARM_COPROCESSOR_H

#include <stdint.h>

#define COPROCESSOR_32(cp, name, op1, crn, crm, op2)                                   \
    static inline uint32_t name##_read(void)                                           \
    {                                                                                  \
        uint32_t value;                                                                \
        __asm__ volatile("mrc " #cp ", " #op1 ", %0, " #crn ", " #crm ", " #op2        \
                         : "=r"(value));                                               \
        return value;                                                                  \
    }                                                                                  \
    static inline void name##_write(uint32_t value)                                    \
    {                                                                                  \
        __asm__ volatile("mcr " #cp ", " #op1 ", %0, " #crn ", " #crm ", " #op2         \
                         ::"r"(value) : "memory");                                     \
    }

#endif
