#include "connection.h"

#include "router.h"

#include <netinet/in.h>
#include <orcania.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One request, from its request line to its answer. */
struct exchange {
    struct app *app;
    struct _u_request in;
    struct _u_response out;
    struct req r;
    size_t body_cap;   /* bytes allocated for in.binary_body */
    size_t body_limit; /* the route's; one byte more is kept, to tell "over" */
    bool started;      /* the headers have been seen */
    bool admitted;     /* the router's first phase let it go on */
    bool answered;     /* an answer is queued and logged */
};

/* RFC 9110 §5.6.2: tchar. */
static bool is_token(const char *s)
{
    if (!s || !*s)
        return false;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if (*c <= 0x20 || *c >= 0x7f || strchr("\"(),/:;<=>?@[\\]{}", *c))
            return false;
    return true;
}

static bool is_utf8(const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c;) {
        int n = *c < 0x80             ? 0
                : (*c & 0xe0) == 0xc0 ? 1
                : (*c & 0xf0) == 0xe0 ? 2
                : (*c & 0xf8) == 0xf0 ? 3
                                      : -1;
        if (n < 0 || (n == 1 && *c < 0xc2) || (n == 3 && *c > 0xf4))
            return false;
        unsigned cp = n == 0 ? *c : *c & (0x3f >> n);
        for (int i = 1; i <= n; i++) {
            if ((c[i] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (c[i] & 0x3f);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return false;
        c += n + 1;
    }
    return true;
}

/* A value into a map; a name seen before gets the values joined with ","
 * (RFC 9110 §5.3), as ulfius does. */
static void put_joined(struct _u_map *map, const char *key, const char *value)
{
    const char *seen = u_map_get_case(map, key);
    if (!seen) {
        u_map_put(map, key, value ? value : "");
        return;
    }
    char *joined = msprintf("%s,%s", seen, value ? value : "");
    if (joined)
        u_map_put(map, key, joined);
    o_free(joined);
}

/* What the header section says of the framing of the body. */
struct framing {
    struct _u_map *headers;
    int content_lengths;
    int transfer_encodings;
    bool chunked;
    bool bad_name; /* not a token: a space before the colon, say */
};

static enum MHD_Result take_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    struct framing *f = cls;
    if (!is_token(key)) {
        f->bad_name = true;
        return MHD_YES;
    }
    if (strcasecmp(key, "Content-Length") == 0)
        f->content_lengths++;
    if (strcasecmp(key, "Transfer-Encoding") == 0) {
        f->transfer_encodings++;
        f->chunked = value && strcasecmp(value, "chunked") == 0;
    }
    /* as ulfius did: a value that is not UTF-8 is not kept (no handler reads
     * one, and none reaches the database or a log) */
    if (is_utf8(key) && (!value || is_utf8(value)))
        put_joined(f->headers, key, value);
    return MHD_YES;
}

struct arguments {
    struct _u_map *map;
    bool bad;
};

static enum MHD_Result take_argument(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    struct arguments *a = cls;
    if (!is_utf8(key) || (value && !is_utf8(value)))
        a->bad = true;
    else
        put_joined(a->map, key, value);
    return MHD_YES;
}

/* Answers 400 (or 501) when the request's framing is not one that every
 * reader of the byte stream reads alike (RFC 9112 §6.1, §6.3, §5.1). */
static bool framing_ok(struct req *r, const struct framing *f, bool bad_query)
{
    int status = 400;
    enum msg_id problem;
    if (!is_token(r->in->http_verb))
        problem = MSG_FRAMING_METHOD;
    else if (f->bad_name)
        problem = MSG_FRAMING_HEADER_NAME;
    else if (f->content_lengths > 1)
        problem = MSG_FRAMING_TWO_LENGTHS;
    else if (f->content_lengths && f->transfer_encodings)
        problem = MSG_FRAMING_LENGTH_AND_CODING;
    else if (f->transfer_encodings && (f->transfer_encodings > 1 || !f->chunked)) {
        problem = MSG_FRAMING_CODING;
        status = 501;
    } else if (bad_query)
        problem = MSG_FRAMING_QUERY_UTF8;
    else
        return true;
    http_problem_msg(r, status, status == 400 ? "bad-request" : "not-implemented", problem);
    return false;
}

static void keep_address(struct _u_request *in, struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = info ? info->client_addr : NULL;
    if (!sa)
        return;
    size_t len =
        sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    in->client_address = o_malloc(sizeof(struct sockaddr_storage));
    if (in->client_address) {
        memset(in->client_address, 0, sizeof(struct sockaddr_storage));
        memcpy(in->client_address, sa, len);
    }
}

/* Queues the answer the router wrote into ex->out, and logs the request.
 * `close`: the connection ends after it (MHD also closes it by itself when
 * the answer comes before a body it has not read). */
static enum MHD_Result answer(struct exchange *ex, struct MHD_Connection *c, bool close)
{
    struct _u_response *out = &ex->out;
    ex->answered = true;
    router_finish(&ex->r);
    struct MHD_Response *response;
    if (out->stream_callback) { /* ulfius_set_stream_response: MHD reads it, then frees it */
        response = MHD_create_response_from_callback(out->stream_size, out->stream_block_size,
                                                     out->stream_callback, out->stream_user_data,
                                                     out->stream_callback_free);
        if (!response && out->stream_callback_free)
            out->stream_callback_free(out->stream_user_data);
        out->stream_callback = NULL;
        out->stream_callback_free = NULL;
    } else {
        response = MHD_create_response_from_buffer(out->binary_body_length, out->binary_body,
                                                   MHD_RESPMEM_MUST_FREE);
        if (response) {
            out->binary_body = NULL; /* MHD frees it */
            out->binary_body_length = 0;
        }
    }
    if (!response)
        return MHD_NO;
    const struct _u_map *headers = out->map_header;
    for (int i = 0; headers && i < headers->nb_values; i++)
        MHD_add_response_header(response, headers->keys[i], headers->values[i]);
    if (close && !u_map_get_case(headers, "Connection"))
        MHD_add_response_header(response, "Connection", "close");
    enum MHD_Result queued = MHD_queue_response(c, (unsigned)out->status, response);
    MHD_destroy_response(response);
    return queued;
}

/* The headers have arrived: framing, the router's first phase, the limit. */
static enum MHD_Result on_headers(struct exchange *ex, struct MHD_Connection *c, const char *method,
                                  const char *version)
{
    struct _u_request *in = &ex->in;
    in->http_verb = o_strdup(method);
    in->http_protocol = o_strdup(version);
    keep_address(in, c);
    struct framing f = {.headers = in->map_header};
    MHD_get_connection_values(c, MHD_HEADER_KIND, take_header, &f);
    struct arguments a = {.map = in->map_url};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, take_argument, &a);

    router_begin(&ex->r, in, &ex->out, ex->app);
    if (!framing_ok(&ex->r, &f, a.bad))
        return answer(ex, c, true);
    ex->admitted = router_headers(&ex->r);
    const char *length = http_header(&ex->r, "Content-Length");
    bool body_follows = f.transfer_encodings || (length && strtoull(length, NULL, 10) > 0);
    if (!ex->admitted) {
        /* Refused (401, 404, 429 …). A client that waits for 100 Continue has
         * sent no byte of its body: answer now, and the connection closes
         * without reading it. One that sends its body at once gets the answer
         * after it, read and dropped: closing a socket with unread bytes
         * resets it, and the client could lose the answer. */
        const char *expect = http_header(&ex->r, "Expect");
        if (!body_follows || (expect && strcasecmp(expect, "100-continue") == 0))
            return answer(ex, c, body_follows);
        return MHD_YES;
    }
    ex->body_limit = http_body_limit(&ex->r);
    if (!http_body_fits(&ex->r))
        return answer(ex, c, true);
    return MHD_YES; /* MHD now asks for the body (100 Continue when expected) */
}

/* Appends a piece of the body, up to one byte over the limit; the rest is
 * read and dropped (http.c answers 413 when the handler reads the body). The
 * body of a request already refused is dropped whole. */
static bool keep_body(struct exchange *ex, const char *data, size_t size)
{
    struct _u_request *in = &ex->in;
    if (!ex->admitted)
        return true;
    size_t room = ex->body_limit + 1 - in->binary_body_length;
    if (size > room)
        size = room;
    if (size == 0)
        return true;
    if (in->binary_body_length + size > ex->body_cap) {
        size_t cap = ex->body_cap ? ex->body_cap : 4096;
        while (cap < in->binary_body_length + size)
            cap *= 2;
        if (cap > ex->body_limit + 1)
            cap = ex->body_limit + 1;
        void *grown = o_realloc(in->binary_body, cap);
        if (!grown)
            return false;
        in->binary_body = grown;
        ex->body_cap = cap;
    }
    memcpy((char *)in->binary_body + in->binary_body_length, data, size);
    in->binary_body_length += size;
    return true;
}

void *connection_begin(void *cls, const char *uri, struct MHD_Connection *connection)
{
    (void)connection;
    struct app *app = cls;
    struct exchange *ex = calloc(1, sizeof *ex);
    if (!ex)
        return NULL;
    ex->app = app;
    if (ulfius_init_request(&ex->in) != U_OK) {
        free(ex);
        return NULL;
    }
    if (ulfius_init_response(&ex->out) != U_OK) {
        ulfius_clean_request(&ex->in);
        free(ex);
        return NULL;
    }
    ex->in.http_url = o_strdup(uri);
    ex->in.url_path = o_strndup(uri, strcspn(uri, "?"));
    atomic_fetch_add(&app->in_flight, 1);
    return ex;
}

enum MHD_Result connection_access(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **request_state)
{
    (void)cls;
    (void)url; /* MHD's decoded copy: the router matches the raw path */
    struct exchange *ex = *request_state;
    if (!ex || !ex->in.http_url || !ex->in.url_path)
        return MHD_NO;
    if (!ex->started) {
        ex->started = true;
        return on_headers(ex, connection, method, version);
    }
    if (*upload_data_size > 0) {
        bool kept = keep_body(ex, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return kept ? MHD_YES : MHD_NO;
    }
    if (ex->answered)
        return MHD_YES;
    if (ex->admitted)
        router_body(&ex->r);
    return answer(ex, connection, false);
}

void connection_completed(void *cls, struct MHD_Connection *connection, void **request_state,
                          enum MHD_RequestTerminationCode why)
{
    (void)why;
    struct app *app = cls;
    struct exchange *ex = *request_state;
    if (!ex)
        return;
    if (!ex->answered) {
        /* refused by MHD itself (its status), or ended before an answer (0) */
        if (!ex->started)
            router_begin(&ex->r, &ex->in, &ex->out, app);
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(connection, MHD_CONNECTION_INFO_HTTP_STATUS);
        ex->out.status = info ? info->http_status : 0;
        router_finish(&ex->r);
    }
    ulfius_clean_request(&ex->in);
    ulfius_clean_response(&ex->out);
    free(ex);
    *request_state = NULL;
    atomic_fetch_sub(&app->in_flight, 1);
}
