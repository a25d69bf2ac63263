/* System-call stubs: the register ABI of include/opal/syscall.h in one
 * inline-assembly routine, and the calls built on it. */
#include "opal.h"

/* r7 number, r0 cptr, r1 tag, r2-r5 MR0-MR3, r6 reply cptr; on return r0
 * is the error, r1-r5 the received tag and MRs, r6 the badge. */
static int syscall_message(uint32_t number, uint32_t cptr, uint32_t reply,
                           struct opal_message *message)
{
    register uint32_t r0 __asm__("r0") = cptr;
    register uint32_t r1 __asm__("r1") = message->tag;
    register uint32_t r2 __asm__("r2") = message->mr[0];
    register uint32_t r3 __asm__("r3") = message->mr[1];
    register uint32_t r4 __asm__("r4") = message->mr[2];
    register uint32_t r5 __asm__("r5") = message->mr[3];
    register uint32_t r6 __asm__("r6") = reply;
    register uint32_t r7 __asm__("r7") = number;
    __asm__ volatile("svc #0"
                     : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6)
                     : "r"(r7)
                     : "memory");
    message->tag = r1;
    message->mr[0] = r2;
    message->mr[1] = r3;
    message->mr[2] = r4;
    message->mr[3] = r5;
    message->badge = r6;
    return (int)r0;
}

/* For calls that only send: the caller's message stays as it was. */
static int syscall_send_only(uint32_t number, uint32_t cptr, uint32_t reply,
                             const struct opal_message *message)
{
    struct opal_message copy = *message;
    return syscall_message(number, cptr, reply, &copy);
}

int opal_call(uint32_t cptr, struct opal_message *message)
{
    return syscall_message(OPAL_SYS_CALL, cptr, 0, message);
}

int opal_send(uint32_t cptr, const struct opal_message *message)
{
    return syscall_send_only(OPAL_SYS_SEND, cptr, 0, message);
}

int opal_nbsend(uint32_t cptr, const struct opal_message *message)
{
    return syscall_send_only(OPAL_SYS_NB_SEND, cptr, 0, message);
}

int opal_recv(uint32_t cptr, uint32_t reply, struct opal_message *received)
{
    *received = (struct opal_message){ 0 };
    return syscall_message(OPAL_SYS_RECV, cptr, reply, received);
}

int opal_nbrecv(uint32_t cptr, uint32_t reply, struct opal_message *received)
{
    *received = (struct opal_message){ 0 };
    return syscall_message(OPAL_SYS_NB_RECV, cptr, reply, received);
}

int opal_reply(uint32_t reply, const struct opal_message *message)
{
    return syscall_send_only(OPAL_SYS_REPLY, 0, reply, message);
}

int opal_reply_recv(uint32_t cptr, uint32_t reply, struct opal_message *message)
{
    return syscall_message(OPAL_SYS_REPLY_RECV, cptr, reply, message);
}

int opal_yield(void)
{
    struct opal_message nothing = { 0 };
    return syscall_message(OPAL_SYS_YIELD, 0, 0, &nothing);
}

int opal_signal(uint32_t notification)
{
    struct opal_message nothing = { 0 };
    return opal_send(notification, &nothing);
}

static int notification_receive(uint32_t number, uint32_t notification, uint32_t *word)
{
    struct opal_message received = { 0 };
    int error = syscall_message(number, notification, 0, &received);
    if (word)
        *word = error == OPAL_OK ? received.badge : 0;
    return error;
}

int opal_wait(uint32_t notification, uint32_t *word)
{
    return notification_receive(OPAL_SYS_RECV, notification, word);
}

int opal_poll(uint32_t notification, uint32_t *word)
{
    return notification_receive(OPAL_SYS_NB_RECV, notification, word);
}

uint32_t opal_raw_syscall(uint32_t number, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3)
{
    register uint32_t r0 __asm__("r0") = a0;
    register uint32_t r1 __asm__("r1") = a1;
    register uint32_t r2 __asm__("r2") = a2;
    register uint32_t r3 __asm__("r3") = a3;
    register uint32_t r7 __asm__("r7") = number;
    __asm__ volatile("svc #0"
                     : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3)
                     : "r"(r7)
                     : "r4", "r5", "r6", "memory");
    return r0;
}

void opal_exit(int status)
{
    for (;;) /* a fault handler that resumes the thread hears of it again */
        opal_raw_syscall(OPAL_SYS_EXIT, (uint32_t)status, 0, 0, 0);
}
