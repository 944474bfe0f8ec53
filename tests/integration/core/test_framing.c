/* How a request is framed, checked when its headers arrive (connection.c):
 * what a front end and the service could read as different requests is
 * refused with 400 and a closed connection (RFC 9112 §6.1, §6.3, §5.1); an
 * upload the service would refuse is refused from its headers, before any
 * byte of its body is sent; and every request gets its log line, whatever
 * bytes it holds. Raw sockets: libcurl would not send these. */
#include "support/fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 5000

static char *token;

static void setup(void)
{
    fixture_start();
    fixture_token(&token, "caf-gers", "referrals:write referrals:read");
}

TestSuite(framing, .init = setup, .fini = fixture_stop, .timeout = 60);

static int connect_server(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in at = {.sin_family = AF_INET, .sin_port = htons((uint16_t)server.port)};
    inet_pton(AF_INET, "127.0.0.1", &at.sin_addr);
    cr_assert_eq(connect(fd, (struct sockaddr *)&at, sizeof at), 0);
    return fd;
}

static void send_text(int fd, const char *text)
{
    size_t len = strlen(text);
    cr_assert_eq(write(fd, text, len), (ssize_t)len);
}

/* What the server sends within WAIT_MS, until it closes the connection
 * (*closed) or, when `until` is given, until the text holds it. */
static char *read_answer(int fd, const char *until, bool *closed)
{
    size_t cap = 1 << 16, got = 0;
    char *text = calloc(1, cap);
    *closed = false;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left =
            WAIT_MS - (now.tv_sec - start.tv_sec) * 1000 - (now.tv_nsec - start.tv_nsec) / 1000000;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            break;
        ssize_t n = read(fd, text + got, cap - 1 - got);
        if (n <= 0) {
            *closed = true;
            break;
        }
        got += (size_t)n;
        text[got] = '\0';
        if (until && strstr(text, until))
            break;
    }
    return text;
}

static int count_of(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, what)) != NULL; p += strlen(what))
        n++;
    return n;
}

/* Sends `request` on a new connection; expects one answer with `status`,
 * then the connection closed by the server: nothing after the headers (a body,
 * a second request) is read as a request. */
static void expect_refused_and_closed(const char *request, int status)
{
    int fd = connect_server();
    send_text(fd, request);
    bool closed = false;
    char *answer = read_answer(fd, NULL, &closed);
    close(fd);
    char line[32];
    snprintf(line, sizeof line, "HTTP/1.1 %d ", status);
    cr_expect(strncmp(answer, line, strlen(line)) == 0, "%s: got \"%.200s\"", line, answer);
    cr_expect(closed, "the connection is closed after the answer");
    cr_expect_eq(count_of(answer, "HTTP/1.1 "), 1, "one answer only: \"%s\"", answer);
    cr_expect(strstr(answer, "Connection: close") != NULL, "Connection: close");
    cr_expect(strstr(answer, "application/problem+json") != NULL, "a problem: \"%s\"", answer);
    free(answer);
}

Test(framing, two_content_lengths_are_refused)
{
    /* libmicrohttpd alone took the first and ran "GET /healthz" as a second request */
    expect_refused_and_closed("POST /v1/referrals HTTP/1.1\r\nHost: x\r\n"
                              "Content-Length: 5\r\nContent-Length: 45\r\n\r\n"
                              "helloGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
                              400);
    expect_refused_and_closed("POST /v1/referrals HTTP/1.1\r\nHost: x\r\n"
                              "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
                              400);
}

Test(framing, content_length_with_transfer_encoding_is_refused)
{
    expect_refused_and_closed("POST /v1/referrals HTTP/1.1\r\nHost: x\r\n"
                              "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
                              400);
}

Test(framing, a_space_before_the_colon_is_refused)
{
    expect_refused_and_closed("GET /healthz HTTP/1.1\r\nHost : x\r\n\r\n", 400);
    expect_refused_and_closed("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length : 0\r\n\r\n",
                              400);
}

Test(framing, an_unknown_transfer_coding_is_not_implemented)
{
    expect_refused_and_closed("POST /v1/referrals HTTP/1.1\r\nHost: x\r\n"
                              "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                              501);
}

Test(framing, a_method_that_is_not_a_token_is_refused)
{
    expect_refused_and_closed("G\xff"
                              "T /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
                              400);
}

Test(framing, chunked_bodies_and_pipelined_requests_still_work)
{
    int fd = connect_server();
    char request[1024];
    snprintf(request, sizeof request,
             "POST /v1/referrals HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "Idempotency-Key: framing-chunked-0001\r\n"
             "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
             "2\r\n{}\r\n0\r\n\r\n"
             "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
             token);
    send_text(fd, request);
    bool closed = false;
    char *answer = read_answer(fd, "{\"status\":\"ok\"}", &closed);
    close(fd);
    cr_expect(strncmp(answer, "HTTP/1.1 422 ", 13) == 0,
              "the chunked {} read and validated: %.300s", answer);
    cr_expect_eq(count_of(answer, "HTTP/1.1 "), 2, "then the pipelined GET: %s", answer);
    cr_expect_not(closed, "the connection stays open");
    free(answer);
}

/* An upload with Expect: 100-continue that the service will refuse gets its
 * final answer from the headers: the client never sends a byte of the body. */
static void expect_refused_before_body(const char *auth, const char *length, int status)
{
    int fd = connect_server();
    char request[2048];
    snprintf(request, sizeof request,
             "POST /v1/referrals HTTP/1.1\r\nHost: x\r\n%s%s%s"
             "Content-Type: application/json\r\nContent-Length: %s\r\n"
             "Expect: 100-continue\r\n\r\n",
             auth ? "Authorization: Bearer " : "", auth ? auth : "", auth ? "\r\n" : "", length);
    send_text(fd, request);
    bool closed = false;
    char *answer = read_answer(fd, NULL, &closed);
    close(fd);
    char line[32];
    snprintf(line, sizeof line, "HTTP/1.1 %d ", status);
    cr_expect(strncmp(answer, line, strlen(line)) == 0,
              "%s with no byte of the body sent, got \"%.200s\"", line, answer);
    cr_expect(strstr(answer, "100 Continue") == NULL, "no 100 Continue");
    cr_expect(closed, "and the connection closed (the body is never read)");
    free(answer);
}

Test(framing, expect_continue_without_a_valid_token_is_401_from_the_headers)
{
    expect_refused_before_body(NULL, "104857600", 401);
    expect_refused_before_body("not.a.token", "104857600", 401);
}

Test(framing, a_content_length_over_the_limit_is_413_from_the_headers)
{
    expect_refused_before_body(token, "104857600", 413);
}

Test(framing, expect_continue_with_a_valid_token_gets_100_then_the_answer)
{
    int fd = connect_server();
    char request[2048];
    snprintf(request, sizeof request,
             "POST /v1/referrals HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "Idempotency-Key: framing-expect-0001\r\n"
             "Content-Type: application/json\r\nContent-Length: 2\r\n"
             "Expect: 100-continue\r\n\r\n",
             token);
    send_text(fd, request);
    bool closed = false;
    char *first = read_answer(fd, "\r\n\r\n", &closed);
    cr_expect(strncmp(first, "HTTP/1.1 100 Continue", 21) == 0, "100 Continue: \"%s\"", first);
    send_text(fd, "{}");
    char *final = read_answer(fd, "\r\n\r\n", &closed);
    cr_expect(strncmp(final, "HTTP/1.1 422 ", 13) == 0, "then the answer: \"%.200s\"", final);
    close(fd);
    free(first);
    free(final);
}

/* The log line of each request holds its id, method and status, with bytes
 * that are not printable ASCII escaped (jansson refused the invalid UTF-8 of
 * "G\xffT", and the line lost every field). */
Test(framing, every_request_is_logged_with_its_fields)
{
    expect_refused_and_closed("G\xff"
                              "T /healthz HTTP/1.1\r\nHost: x\r\n"
                              "X-Request-Id: framing-log-check\r\n\r\n",
                              400);
    /* the line is written before the answer is queued */
    FILE *log = fopen(server.log_path, "r");
    cr_assert_not_null(log);
    bool found = false;
    char line[4096];
    while (!found && fgets(line, sizeof line, log)) {
        json_t *entry = json_loads(line, 0, NULL);
        cr_expect_not_null(entry, "every log line is JSON: %s", line);
        const char *id = json_string_value(json_object_get(entry, "request_id"));
        if (id && strcmp(id, "framing-log-check") == 0) {
            found = true;
            cr_expect_str_eq(json_string_value(json_object_get(entry, "method")), "G\\xffT");
            cr_expect_eq(json_integer_value(json_object_get(entry, "status")), 400);
        }
        json_decref(entry);
    }
    fclose(log);
    cr_expect(found, "a log line for the request");
}

Test(framing, a_query_that_is_not_utf8_is_refused)
{
    int fd = connect_server();
    send_text(fd, "GET /v1/places?q=%ff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    bool closed = false;
    char *answer = read_answer(fd, NULL, &closed);
    close(fd);
    cr_expect(strncmp(answer, "HTTP/1.1 400 ", 13) == 0, "400: \"%.200s\"", answer);
    free(answer);
}

/* Without Expect the body comes with the headers: a refused request's body is
 * read and dropped, then the answer sent on a connection that stays open
 * (closing it with unread bytes would reset it, and lose the answer). */
Test(framing, a_refused_request_sent_with_its_body_keeps_its_connection)
{
    int fd = connect_server();
    send_text(fd, "POST /v1/referrals HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer not.a.token\r\n"
                  "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
                  "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    bool closed = false;
    char *answer = read_answer(fd, "{\"status\":\"ok\"}", &closed);
    close(fd);
    cr_expect(strncmp(answer, "HTTP/1.1 401 ", 13) == 0, "401 first: \"%.200s\"", answer);
    cr_expect_eq(count_of(answer, "HTTP/1.1 "), 2, "then the GET on the same connection: %s",
                 answer);
    cr_expect_not(closed);
    free(answer);
}
