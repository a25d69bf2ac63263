/* Limits the kernel puts on scheduling arguments (part of the ABI): the
 * kernel refuses what is outside them, and the system description's
 * checker (lib/core/system_check.c) takes its rules from here. */
#ifndef OPAL_LIMITS_H
#define OPAL_LIMITS_H

/* SchedControl configure: budget 1 µs to period, period at most this. */
#define OPAL_SCHED_PERIOD_MAX_US 10000000u

/* The domain schedule (docs/api.md, "Domains"): domains 0..OPAL_DOMAINS-1,
 * 0 the system domain; up to OPAL_DOMAIN_WINDOWS windows of at least
 * OPAL_DOMAIN_WINDOW_MIN_US, OPAL_DOMAIN_SCHEDULE_MAX_US in all at most. */
#define OPAL_DOMAINS                16
#define OPAL_DOMAIN_WINDOWS         16
#define OPAL_DOMAIN_WINDOW_MIN_US   100u
#define OPAL_DOMAIN_SCHEDULE_MAX_US 10000000u

#endif
