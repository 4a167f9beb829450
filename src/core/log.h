/*
 * The one logger: a line per event on stderr with a UTC timestamp in
 * milliseconds, a level and the calling thread's context (a request id).
 */
#ifndef CD_LOG_H
#define CD_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Messages below this level are dropped; the default is LOG_INFO. */
void log_set_level(enum log_level level);

/*
 * Sets the context printed on every line this thread logs, such as
 * "req=42"; NULL clears it. The string is copied (up to 47 bytes).
 */
void log_set_context(const char *ctx);

/* Writes one line; a trailing newline is added. Thread-safe. */
void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
