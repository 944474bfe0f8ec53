/* SIGTERM: stop accepting, finish the requests in flight, deliver their
 * responses, exit 0. */
#include "support/fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

TestSuite(shutdown, .timeout = 60);

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons((uint16_t)port),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void pause_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&t, NULL);
}

Test(shutdown, sigterm_during_a_slow_upload_still_delivers_the_response)
{
    cr_assert(server_start(&server, NULL));
    char *admin = test_token("gers-numerique", "admin");
    char slug[64], body[256], head[4096];
    snprintf(slug, sizeof slug, "shutdown-test-%d", getpid());
    snprintf(body, sizeof body,
             "{\"slug\":\"%s\",\"name\":\"Tiers-lieu d'essai\",\"kind\":\"tiers_lieu\"}", slug);
    snprintf(head, sizeof head,
             "POST /v1/organizations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
             admin, strlen(body));
    int fd = connect_to(server.port);
    cr_assert_geq(fd, 0);
    size_t half = strlen(body) / 2;
    cr_assert_eq(write(fd, head, strlen(head)), (ssize_t)strlen(head));
    cr_assert_eq(write(fd, body, half), (ssize_t)half);
    pause_ms(300);

    kill(server.pid, SIGTERM);
    pause_ms(500);
    int late = connect_to(server.port);
    cr_expect_lt(late, 0, "no new connection is accepted while draining");
    if (late >= 0)
        close(late);
    int status = 0;
    cr_expect_eq(waitpid(server.pid, &status, WNOHANG), 0, "the server waits for the upload");

    cr_assert_eq(write(fd, body + half, strlen(body) - half), (ssize_t)(strlen(body) - half));
    char reply[4096] = "";
    size_t got = 0;
    ssize_t n;
    while (got < sizeof reply - 1 && (n = read(fd, reply + got, sizeof reply - 1 - got)) > 0)
        got += (size_t)n;
    reply[got] = '\0';
    close(fd);
    cr_expect(strncmp(reply, "HTTP/1.1 201", 12) == 0, "the response is delivered: %.80s", reply);

    for (int i = 0; i < 200 && waitpid(server.pid, &status, WNOHANG) == 0; i++)
        pause_ms(50);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "exit 0 after draining");
    server.pid = 0;
    unlink(server.log_path);
    free(admin);
}
