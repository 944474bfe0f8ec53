/* Slow clients (slowloris: headers a byte at a time) from 127.0.0.1 while a
 * normal client on 127.0.0.2 keeps getting answers; once they are gone, the
 * service is back to normal for 127.0.0.1 within a second. The per-address
 * connection limit is what protects the others. */
#include "support/fixture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SLOW 500

static void start(void)
{
    static const char *const env[] = {"MAX_CONNECTIONS_PER_IP=64", "CONNECTION_TIMEOUT_S=30", NULL};
    fixture_start_with(env);
}

TestSuite(slow_clients, .init = start, .fini = fixture_stop, .timeout = 60);

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A connection from `from` (a loopback address) to the server, or -1. */
static int connect_from(const char *from, bool blocking)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in local = {.sin_family = AF_INET}, remote = {.sin_family = AF_INET};
    inet_pton(AF_INET, from, &local.sin_addr);
    inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
    remote.sin_port = htons((unsigned short)server.port);
    if (fd < 0 || bind(fd, (struct sockaddr *)&local, sizeof local) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (!blocking)
        fcntl(fd, F_SETFL, O_NONBLOCK);
    if (connect(fd, (struct sockaddr *)&remote, sizeof remote) != 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    return fd;
}

/* GET /healthz from `from`; the status (0 when none) and the seconds taken. */
static int healthz_from(const char *from, double *seconds)
{
    double t0 = now_s();
    int fd = connect_from(from, true);
    int status = 0;
    if (fd >= 0) {
        struct timeval limit = {5, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
        const char request[] = "GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
        char reply[512] = "";
        if (send(fd, request, sizeof request - 1, MSG_NOSIGNAL) == (ssize_t)(sizeof request - 1) &&
            read(fd, reply, sizeof reply - 1) > 12)
            status = atoi(reply + 9); /* "HTTP/1.1 200" */
        close(fd);
    }
    *seconds = now_s() - t0;
    return status;
}

Test(slow_clients, slowloris_from_one_address_does_not_starve_another)
{
    int fds[SLOW], open_ = 0;
    for (int i = 0; i < SLOW; i++)
        if ((fds[i] = connect_from("127.0.0.1", false)) >= 0)
            open_++;
    /* each sends the start of a request, then a header line a byte at a time */
    for (int i = 0; i < SLOW; i++)
        if (fds[i] >= 0 && send(fds[i], "GET /healthz HTTP/1.1\r\nX-a", 26, MSG_NOSIGNAL) < 0) {
            close(fds[i]);
            fds[i] = -1;
        }
    int answered = 0, slow = 0;
    double worst = 0;
    for (int round = 0; round < 20; round++) {
        for (int i = 0; i < SLOW; i++)
            if (fds[i] >= 0 && send(fds[i], "a", 1, MSG_NOSIGNAL) < 0) {
                close(fds[i]);
                fds[i] = -1;
            }
        double seconds;
        int status = healthz_from("127.0.0.2", &seconds);
        answered += status == 200;
        slow += seconds > 1.0;
        worst = seconds > worst ? seconds : worst;
        usleep(100 * 1000);
    }
    int still_open = 0;
    for (int i = 0; i < SLOW; i++)
        if (fds[i] >= 0) {
            still_open++;
            close(fds[i]);
        }
    cr_log_info("slowloris: %d connections opened from 127.0.0.1, %d still writing at the end; "
                "127.0.0.2: %d/20 answered, worst %.3f s",
                open_, still_open, answered, worst);
    cr_expect_eq(answered, 20, "the other address is always answered");
    cr_expect_eq(slow, 0, "within a second each (worst %.3f s)", worst);
    /* and the slow address is served normally again within a second */
    double t0 = now_s(), seconds = 0;
    int status = 0;
    while (now_s() - t0 < 1.0 && (status = healthz_from("127.0.0.1", &seconds)) != 200)
        usleep(50 * 1000);
    cr_expect_eq(status, 200, "127.0.0.1 is served again within a second");
}
