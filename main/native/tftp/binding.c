/*
 * Node-API face of the TFTP data pump (typed in main/native/tftp-pump.ts):
 *
 *   start(job) -> handle     job = { address, peerIp, peerPort, spans: [{fd, position, length}],
 *                            size, blksize, windowsize, timeoutMs, retries, maxBackoffMs,
 *                            oack: Buffer | null, state: Float64Array(8), onEnd(kind, value, message) }
 *   cancel(handle)           ends the transfer promptly; onEnd still follows (kind 'cancelled')
 *
 * start() binds the transfer socket (port 0 on the serving address: the server's TID), connects it
 * to the client (the kernel then drops anyone else's packets) and dup()s every span fd before it
 * returns — the fds belong to the Vfs, which may close them (a swapped ISO) while the pump runs. It
 * throws, starting nothing, on bad arguments or when the socket, a dup or the thread cannot be made;
 * the caller then serves the transfer in JavaScript. The pump runs on its own detached pthread.
 *
 * Lifetime: the job is shared by the handle (freed by its finalizer) and the thread (whose share is
 * dropped by the threadsafe function's finalizer, which runs after onEnd). The state array is kept
 * alive by a reference until then.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <fcntl.h>
#include <unistd.h>

#include "pump.h"

#define MAX_SAFE 9007199254740991.0
#define STACK_SIZE (256 * 1024)
/* A blocked send gives up after this (the block counts as lost), so cancel is never stuck behind it. */
#define SEND_TIMEOUT_US 200000

typedef struct {
  tp_job job;
  napi_threadsafe_function tsfn;
  napi_ref state_ref;
  int refs;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int thread_done; /* the thread no longer touches the tsfn or the state array */
} job_t;

static void unref(job_t *w) {
  if (__atomic_sub_fetch(&w->refs, 1, __ATOMIC_ACQ_REL) != 0) return;
  pthread_mutex_destroy(&w->job.sock_lock);
  pthread_mutex_destroy(&w->lock);
  pthread_cond_destroy(&w->cond);
  free(w->job.oack);
  free(w);
}

static napi_value fail(napi_env env, const char *what, int err) {
  char msg[256];
  if (err) snprintf(msg, sizeof msg, "tftp.start: %s: %s", what, strerror(err));
  else snprintf(msg, sizeof msg, "tftp.start: %s", what);
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static int prop(napi_env env, napi_value obj, const char *name, napi_value *out) {
  return napi_get_named_property(env, obj, name, out) == napi_ok;
}

/* A JS number that is an integer in [min, max]. */
static int get_num(napi_env env, napi_value obj, const char *name, double min, double max, double *out) {
  napi_value v;
  double d;
  if (!prop(env, obj, name, &v) || napi_get_value_double(env, v, &d) != napi_ok) return 0;
  if (!(d >= min && d <= max) || d != (double)(int64_t)d) return 0;
  *out = d;
  return 1;
}

static int get_ipv4(napi_env env, napi_value obj, const char *name, struct in_addr *out) {
  napi_value v;
  char s[64];
  size_t n;
  if (!prop(env, obj, name, &v) || napi_get_value_string_utf8(env, v, s, sizeof s, &n) != napi_ok) return 0;
  return n < sizeof s - 1 && inet_pton(AF_INET, s, out) == 1;
}

static int read_spans(napi_env env, napi_value obj, tp_job *j) {
  napi_value arr, el;
  uint32_t n;
  bool is_array;
  if (!prop(env, obj, "spans", &arr) || napi_is_array(env, arr, &is_array) != napi_ok || !is_array) return 0;
  if (napi_get_array_length(env, arr, &n) != napi_ok || n > TP_MAX_SPANS) return 0;
  uint64_t total = 0;
  for (uint32_t i = 0; i < n; i++) {
    double fd, pos, len;
    if (napi_get_element(env, arr, i, &el) != napi_ok) return 0;
    if (!get_num(env, el, "fd", 0, 1 << 30, &fd) || !get_num(env, el, "position", 0, MAX_SAFE, &pos) || !get_num(env, el, "length", 0, MAX_SAFE, &len)) return 0;
    j->spans[i] = (tp_span){.fd = (int)fd, .position = (uint64_t)pos, .length = (uint64_t)len};
    total += (uint64_t)len;
  }
  j->nspans = n;
  return total == j->size;
}

/* Replace each span fd by our own dup (one per distinct fd). Returns 0 or an errno; on failure the
 * dups made so far stay in spans[] for tp_release_fds to close, the rest are -1. */
static int dup_spans(tp_job *j) {
  int orig[TP_MAX_SPANS];
  for (size_t i = 0; i < j->nspans; i++) {
    orig[i] = j->spans[i].fd;
    j->spans[i].fd = -1;
  }
  for (size_t i = 0; i < j->nspans; i++) {
    for (size_t k = 0; k < i && j->spans[i].fd < 0; k++)
      if (orig[k] == orig[i]) j->spans[i].fd = j->spans[k].fd;
    if (j->spans[i].fd >= 0) continue;
    int d = fcntl(orig[i], F_DUPFD_CLOEXEC, 3);
    if (d < 0) return errno;
    j->spans[i].fd = d;
  }
  return 0;
}

/* The transfer socket: bound to the serving address on a fresh port, connected to the client. */
static int open_socket(tp_job *j, struct in_addr local, struct in_addr peer, uint16_t peer_port, const char **what) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) {
    *what = "socket";
    return -errno;
  }
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr = local, .sin_port = 0};
  struct sockaddr_in b = {.sin_family = AF_INET, .sin_addr = peer, .sin_port = htons(peer_port)};
  struct timeval tv = {.tv_sec = 0, .tv_usec = SEND_TIMEOUT_US};
  socklen_t len = sizeof a;
  if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) *what = "bind";
  else if (connect(s, (struct sockaddr *)&b, sizeof b) < 0) *what = "connect";
  else if (setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0) *what = "SO_SNDTIMEO";
  else if (getsockname(s, (struct sockaddr *)&a, &len) < 0) *what = "getsockname";
  else {
    j->sock = s;
    return ntohs(a.sin_port);
  }
  int err = errno;
  close(s);
  return -err;
}

static void *thread_main(void *arg) {
  job_t *w = arg;
  tp_run(&w->job);
  /* Unbounded queue: this never blocks. napi_closing means the environment is being torn down and
   * the tsfn must not be touched again (not even released); its finalizer is waiting for us. */
  if (napi_call_threadsafe_function(w->tsfn, w, napi_tsfn_blocking) != napi_closing) napi_release_threadsafe_function(w->tsfn, napi_tsfn_release);
  pthread_mutex_lock(&w->lock);
  w->thread_done = 1;
  pthread_cond_signal(&w->cond);
  pthread_mutex_unlock(&w->lock);
  return NULL;
}

static const char *result_name(tp_result r) {
  switch (r) {
    case TP_DONE: return "done";
    case TP_OPTIONS_DECLINED: return "options-declined";
    case TP_CLIENT_ERROR: return "client-error";
    case TP_UNREACHABLE: return "unreachable";
    case TP_TIMEOUT: return "timeout";
    case TP_READ_ERROR: return "read-error";
    case TP_SOCKET_ERROR: return "socket-error";
    case TP_CANCELLED: return "cancelled";
  }
  return "socket-error";
}

static void call_js(napi_env env, napi_value on_end, void *context, void *data) {
  (void)context;
  job_t *w = data;
  if (env == NULL || on_end == NULL) return; /* the environment is shutting down */
  napi_value args[3], undefined;
  napi_get_undefined(env, &undefined);
  napi_create_string_utf8(env, result_name(w->job.result), NAPI_AUTO_LENGTH, &args[0]);
  napi_create_double(env, w->job.value, &args[1]);
  napi_create_string_utf8(env, w->job.message, w->job.message_len, &args[2]);
  napi_call_function(env, undefined, on_end, 3, args, NULL);
}

/* Runs on the JavaScript thread once the thread released the tsfn — or at environment teardown while
 * the thread may still run: then cancel it and wait (promptly: every wait in the pump is <= 200 ms)
 * before the state array may be collected. */
static void tsfn_finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  job_t *w = data;
  tp_cancel(&w->job);
  pthread_mutex_lock(&w->lock);
  while (!w->thread_done) pthread_cond_wait(&w->cond, &w->lock);
  pthread_mutex_unlock(&w->lock);
  napi_delete_reference(env, w->state_ref);
  unref(w);
}

static void handle_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  unref(data);
}

static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value obj, v, on_end, handle;
  if (napi_get_cb_info(env, info, &argc, &obj, NULL, NULL) != napi_ok || argc < 1) return fail(env, "expected a job object", 0);
  job_t *w = calloc(1, sizeof *w);
  if (!w) return fail(env, "out of memory", ENOMEM);
  tp_job *j = &w->job;
  j->sock = -1;
  pthread_mutex_init(&j->sock_lock, NULL);
  pthread_mutex_init(&w->lock, NULL);
  pthread_cond_init(&w->cond, NULL);
  w->refs = 1;
  struct in_addr local, peer;
  double port, size, blksize, windowsize, timeout, retries, backoff;
  const char *bad = NULL;
  if (!get_ipv4(env, obj, "address", &local)) bad = "address is not an IPv4 address";
  else if (!get_ipv4(env, obj, "peerIp", &peer)) bad = "peerIp is not an IPv4 address";
  else if (!get_num(env, obj, "peerPort", 1, 65535, &port)) bad = "bad peerPort";
  else if (!get_num(env, obj, "size", 0, MAX_SAFE, &size)) bad = "bad size";
  else if (!get_num(env, obj, "blksize", TP_MIN_BLKSIZE, TP_MAX_BLKSIZE, &blksize)) bad = "bad blksize";
  else if (!get_num(env, obj, "windowsize", 1, TP_MAX_WINDOW, &windowsize)) bad = "bad windowsize";
  else if (!get_num(env, obj, "timeoutMs", 1, 600000, &timeout)) bad = "bad timeoutMs";
  else if (!get_num(env, obj, "retries", 0, 1000, &retries)) bad = "bad retries";
  else if (!get_num(env, obj, "maxBackoffMs", 1, 600000, &backoff)) bad = "bad maxBackoffMs";
  if (!bad) {
    j->size = (uint64_t)size;
    j->blksize = (uint32_t)blksize;
    j->windowsize = (uint32_t)windowsize;
    j->timeout_ms = (uint32_t)timeout;
    j->retries = (uint32_t)retries;
    j->max_backoff_ms = (uint32_t)backoff;
    if (!read_spans(env, obj, j)) bad = "spans must be up to 1024 {fd, position, length} runs adding up to size";
  }
  napi_valuetype t;
  if (!bad && (!prop(env, obj, "oack", &v) || napi_typeof(env, v, &t) != napi_ok)) bad = "bad oack";
  if (!bad && t != napi_null && t != napi_undefined) {
    bool is_buffer;
    void *data;
    size_t len;
    if (napi_is_buffer(env, v, &is_buffer) != napi_ok || !is_buffer || napi_get_buffer_info(env, v, &data, &len) != napi_ok || len < 2 || len > 65507) bad = "oack must be a Buffer of 2..65507 bytes";
    else if (!(j->oack = malloc(len))) bad = "out of memory";
    else {
      memcpy(j->oack, data, len);
      j->oack_len = len;
    }
  }
  napi_value state;
  napi_typedarray_type ta_type;
  size_t ta_len;
  void *ta_data;
  if (!bad && (!prop(env, obj, "state", &state) || napi_get_typedarray_info(env, state, &ta_type, &ta_len, &ta_data, NULL, NULL) != napi_ok || ta_type != napi_float64_array || ta_len < TP_STATE_COUNT)) bad = "state must be a Float64Array(8)";
  if (!bad && (!prop(env, obj, "onEnd", &on_end) || napi_typeof(env, on_end, &t) != napi_ok || t != napi_function)) bad = "onEnd must be a function";
  if (bad) {
    unref(w);
    return fail(env, bad, 0);
  }
  j->state = ta_data;
  const char *what = NULL;
  int r = open_socket(j, local, peer, (uint16_t)port, &what);
  if (r < 0) {
    unref(w);
    return fail(env, what, -r);
  }
  j->state[TP_STATE_PORT] = r;
  int err = dup_spans(j);
  if (err) {
    tp_release_fds(j);
    unref(w);
    return fail(env, "dup of a file descriptor", err);
  }
  napi_value name;
  napi_create_string_utf8(env, "bootdrop tftp pump", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, on_end, NULL, name, 0, 1, w, tsfn_finalize, NULL, call_js, &w->tsfn) != napi_ok) {
    tp_release_fds(j);
    unref(w);
    return fail(env, "cannot create the completion callback", 0);
  }
  napi_create_reference(env, state, 1, &w->state_ref);
  /* From here the tsfn finalizer owns the thread's share (refs = 1); the handle takes another. */
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, STACK_SIZE);
  /* Signals stay with Node's main thread. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_t tid;
  err = pthread_create(&tid, &attr, thread_main, w);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  pthread_attr_destroy(&attr);
  if (err) {
    tp_release_fds(j);
    w->thread_done = 1;
    napi_release_threadsafe_function(w->tsfn, napi_tsfn_abort); /* its finalizer frees the job */
    return fail(env, "cannot start the pump thread", err);
  }
  __atomic_add_fetch(&w->refs, 1, __ATOMIC_ACQ_REL);
  if (napi_create_external(env, w, handle_finalize, NULL, &handle) != napi_ok) {
    /* Without a handle nobody can cancel it; the transfer still ends on its own. */
    unref(w);
    return fail(env, "cannot create the handle", 0);
  }
  return handle;
}

static napi_value cancel(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  void *data;
  if (napi_get_cb_info(env, info, &argc, &arg, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_external(env, arg, &data) != napi_ok) {
    napi_throw_type_error(env, NULL, "tftp.cancel: expected a handle from start()");
    return NULL;
  }
  tp_cancel(&((job_t *)data)->job);
  return NULL;
}

/* Keep this file mapped for the life of the process: Node dlclose()s addons when an environment is
 * torn down (a worker_thread ending), and a pump thread may still be returning from thread_main after
 * tsfn_finalize saw thread_done. */
static void pin_module(void) {
  Dl_info info;
  if (dladdr((void *)pin_module, &info) && info.dli_fname) (void)dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}

NAPI_MODULE_INIT() {
  pin_module();
  napi_property_descriptor props[] = {
      {"start", NULL, start, NULL, NULL, NULL, napi_default, NULL},
      {"cancel", NULL, cancel, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, 2, props) != napi_ok) return NULL;
  return exports;
}
