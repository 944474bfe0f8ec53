#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Written once by main before any thread starts, read-only afterwards. */
static enum log_level threshold = LOG_INFO;

void log_set_level(enum log_level level)
{
    threshold = level;
}

static const char *level_name(enum log_level level)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    return names[level];
}

bool log_enabled(enum log_level level)
{
    return level >= threshold;
}

void log_event(enum log_level level, const char *message, json_t *fields)
{
    if (level < threshold) {
        json_decref(fields);
        return;
    }
    struct timespec ts;
    struct tm tm;
    char when[40];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(when + n, sizeof when - n, ".%03ldZ", ts.tv_nsec / 1000000);

    json_t *line =
        json_pack("{s:s, s:s, s:s}", "time", when, "level", level_name(level), "msg", message);
    if (fields)
        json_object_update(line, fields);
    json_decref(fields);
    char *text = json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(6));
    json_decref(line);
    if (text) {
        size_t len = strlen(text);
        text[len] = '\n';
        fwrite(text, 1, len + 1, stdout); /* one call: lines from threads never interleave */
        fflush(stdout);
        free(text);
    }
}

json_t *log_bytes(const char *bytes)
{
    char text[256];
    size_t n = 0;
    for (const unsigned char *b = (const unsigned char *)(bytes ? bytes : ""); *b; b++) {
        if (n + 5 >= sizeof text)
            break; /* what a log line needs of it */
        if (*b >= 0x20 && *b < 0x7f && *b != '\\')
            text[n++] = (char)*b;
        else
            n += (size_t)snprintf(text + n, sizeof text - n, "\\x%02x", *b);
    }
    text[n] = '\0';
    return json_string(text);
}
