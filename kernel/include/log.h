/* The kernel's console log and panic. Every line starts with "opal: ". */
#ifndef KERNEL_LOG_H
#define KERNEL_LOG_H

#define log(...) log_line(__VA_ARGS__)

/* Print one line (the "opal: " prefix and the newline are added). */
void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print without prefix or newline: for multi-part reports and user output. */
void log_raw(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_bytes(const char *bytes, unsigned length);

/* A kernel bug or an unrecoverable boot error: report and halt. */
__attribute__((noreturn)) void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
