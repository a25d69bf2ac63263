/* The system-call register ABI (include/opal/syscall.h) in ARM's saved user
 * context: which register carries what, as accessors the whole kernel uses,
 * so no other file indexes a context by register number. */
#ifndef ARCH_ARM_ABI_H
#define ARCH_ARM_ABI_H

#include <stdint.h>
#include "arch/types.h"

#define ABI_CPTR   0   /* in: the capability a call names */
#define ABI_ERROR  0   /* out: enum opal_error */
#define ABI_TAG    1
#define ABI_MR0    2   /* message registers 0-3: r2-r5 */
#define ABI_REPLY  6   /* in: the reply object */
#define ABI_BADGE  6   /* out: the badge a message came through */
#define ABI_NUMBER 7   /* in: the system call's number */
#define ABI_ARGUMENT 0 /* in: Exit's status */

static inline uint32_t abi_cptr(const struct arch_context *context)
{
    return context->r[ABI_CPTR];
}

static inline uint32_t abi_tag(const struct arch_context *context)
{
    return context->r[ABI_TAG];
}

static inline void abi_set_tag(struct arch_context *context, uint32_t tag)
{
    context->r[ABI_TAG] = tag;
}

static inline uint32_t abi_reply(const struct arch_context *context)
{
    return context->r[ABI_REPLY];
}

static inline uint32_t abi_number(const struct arch_context *context)
{
    return context->r[ABI_NUMBER];
}

static inline uint32_t abi_argument(const struct arch_context *context)
{
    return context->r[ABI_ARGUMENT];
}

static inline void abi_set_badge(struct arch_context *context, uint32_t badge)
{
    context->r[ABI_BADGE] = badge;
}

static inline void abi_set_error(struct arch_context *context, uint32_t error)
{
    context->r[ABI_ERROR] = error;
}

/* Message register i (i < OPAL_MSG_REGISTERS), and all of them as words. */
static inline uint32_t abi_mr(const struct arch_context *context, uint32_t i)
{
    return context->r[ABI_MR0 + i];
}

static inline void abi_set_mr(struct arch_context *context, uint32_t i, uint32_t value)
{
    context->r[ABI_MR0 + i] = value;
}

static inline const uint32_t *abi_mrs(const struct arch_context *context)
{
    return &context->r[ABI_MR0];
}

/* General register i (0-12), for the TCB's register access and fault words. */
static inline uint32_t abi_register(const struct arch_context *context, uint32_t i)
{
    return context->r[i];
}

static inline void abi_set_register(struct arch_context *context, uint32_t i, uint32_t value)
{
    context->r[i] = value;
}

#endif
