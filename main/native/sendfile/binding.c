/*
 * Node-API face of the sendfile pump:
 *
 *   start(socketFd, spans, idleMs, done) -> job
 *     spans   flat array [fd, position, length, fd, position, length, ...] (host file runs, in order)
 *     done    called once on the JS thread: done(outcome 'done'|'aborted'|'failed', reason, errno)
 *   sent(job) -> bytes the kernel has taken so far
 *   cancel(job) -> the pump stops within ~200 ms ('aborted')
 *
 * The job's memory is shared by the pump thread and the JS handle (a napi external, since Electron's
 * V8 sandbox forbids external ArrayBuffers): a count of two references, dropped by whichever of the
 * thread's completion and the handle's finalizer comes last, so neither side ever sees freed memory —
 * also when a worker's environment is torn down while a pump still runs.
 *
 * Environment teardown (a worker_thread ending, Electron quitting) deletes the threadsafe function
 * and dlclose()s this file while pump threads may still run jobs it started: the module pins itself
 * in memory (RTLD_NODELETE), and the tsfn's finalizer marks it gone (under the job's lock, so a pump
 * thread is never inside a tsfn call then) and cancels the orphaned job.
 *
 * Every fd is dup()ed before start returns: the socket and the source files belong to JavaScript,
 * which may close them (a swapped ISO, a destroyed socket) while the pump still runs. Throws (and
 * starts nothing) on bad arguments or when a dup or a pump thread cannot be made; the caller then
 * sends the body its JavaScript way. Pumps run on threads of their own (pump.c), never libuv's pool.
 */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pump.h"

/* A file inside an ISO has a handful of extents; anything near this is a caller bug. */
#define MAX_SPANS 4096
/* Positions and lengths arrive as JS numbers: exact integers only up to 2^53. */
#define MAX_SAFE 9007199254740991.0

typedef struct {
  pump_job pump; /* first: on_end gets it back as the job */
  int64_t control[2]; /* pump_job.control points here: [0] bytes sent, [1] cancel */
  napi_threadsafe_function tsfn;
  int refs;           /* atomic: the pump thread's, the JS handle's and the tsfn finalizer's */
  pthread_mutex_t lock; /* guards tsfn_gone against the pump thread's use of tsfn */
  int tsfn_gone;      /* the tsfn finalizer ran: the tsfn must not be touched again */
} job_t;

static napi_value throw_error(napi_env env, const char *what, int err) {
  char msg[256];
  if (err) snprintf(msg, sizeof msg, "sendfile.start: %s (errno %d)", what, err);
  else snprintf(msg, sizeof msg, "sendfile.start: %s", what);
  napi_throw_error(env, NULL, msg);
  return NULL;
}

/* A JS number that is an integer in [min, max]. */
static int get_int(napi_env env, napi_value v, double min, double max, int64_t *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) return 0;
  if (!(d >= min && d <= max) || d != (double)(int64_t)d) return 0;
  *out = (int64_t)d;
  return 1;
}

static void free_job(job_t *job) {
  pump_close_fds(&job->pump);
  free(job->pump.spans);
  pthread_mutex_destroy(&job->lock);
  free(job);
}

static void unref_job(job_t *job) {
  if (__atomic_sub_fetch(&job->refs, 1, __ATOMIC_ACQ_REL) == 0) free_job(job);
}

static void finalize_handle(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  unref_job(data);
}

/* On the pump thread, once the job's fds are closed. */
static void on_end(pump_job *pump) {
  job_t *job = (job_t *)pump; /* pump is job_t's first member */
  int drop = 1;
  /* While we hold the lock the finalizer has not run (its reference keeps the job alive), so the
   * tsfn still exists. Once queued, the pump's reference belongs to call_js. */
  pthread_mutex_lock(&job->lock);
  if (!job->tsfn_gone) {
    if (napi_call_threadsafe_function(job->tsfn, job, napi_tsfn_blocking) == napi_ok) drop = 0;
    napi_release_threadsafe_function(job->tsfn, napi_tsfn_release);
  }
  pthread_mutex_unlock(&job->lock);
  if (drop) unref_job(job);
}

/* On the JS thread: after the last call_js normally, or at environment teardown while the job may
 * still run — then Node deletes the tsfn right after this returns, so the pump must not call it. */
static void tsfn_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  job_t *job = data;
  __atomic_store_n(&job->control[1], 1, __ATOMIC_RELEASE); /* nobody is left to hear of it */
  pthread_mutex_lock(&job->lock);
  job->tsfn_gone = 1;
  pthread_mutex_unlock(&job->lock);
  unref_job(job);
}

static void call_js(napi_env env, napi_value done, void *context, void *data) {
  (void)context;
  job_t *job = data;
  if (env != NULL && done != NULL) {
    static const char *names[] = { "done", "aborted", "failed" };
    napi_value argv[3], undefined;
    napi_create_string_utf8(env, names[job->pump.outcome], NAPI_AUTO_LENGTH, &argv[0]);
    napi_create_string_utf8(env, job->pump.reason ? job->pump.reason : "", NAPI_AUTO_LENGTH, &argv[1]);
    napi_create_int32(env, job->pump.err, &argv[2]);
    napi_get_undefined(env, &undefined);
    napi_call_function(env, undefined, done, 3, argv, NULL);
  }
  unref_job(job);
}

/* dup with close-on-exec, checking that the fd is what the caller says it is. */
static int dup_checked(int fd, int want_socket, int *err) {
  struct stat st;
  if (fstat(fd, &st) != 0) {
    *err = errno;
    return -1;
  }
  int ok = want_socket ? S_ISSOCK(st.st_mode) : (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode));
  if (!ok) {
    *err = want_socket ? ENOTSOCK : EINVAL;
    return -1;
  }
  int d = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (d < 0) *err = errno;
  return d;
}

static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 4) return throw_error(env, "expects 4 arguments", 0);
  int64_t sock, idle_ms;
  if (!get_int(env, argv[0], 0, 2147483647.0, &sock)) return throw_error(env, "socketFd must be a file descriptor", 0);
  if (!get_int(env, argv[2], 1, 86400000.0, &idle_ms)) return throw_error(env, "idleMs must be 1..86400000", 0);
  bool is_array = false;
  uint32_t len = 0;
  napi_is_array(env, argv[1], &is_array);
  if (!is_array || napi_get_array_length(env, argv[1], &len) != napi_ok || len == 0 || len % 3 != 0 || len / 3 > MAX_SPANS) {
    return throw_error(env, "spans must be a flat [fd, position, length, ...] array of 1..4096 runs", 0);
  }
  napi_valuetype cb_type;
  if (napi_typeof(env, argv[3], &cb_type) != napi_ok || cb_type != napi_function) return throw_error(env, "done must be a function", 0);

  job_t *job = calloc(1, sizeof *job);
  pump_span *spans = job ? calloc(len / 3, sizeof *spans) : NULL;
  if (!spans) {
    free(job);
    return throw_error(env, "out of memory", ENOMEM);
  }
  job->pump.spans = spans;
  pthread_mutex_init(&job->lock, NULL);
  job->pump.sock = -1;
  for (uint32_t i = 0; i < len / 3; i++) spans[i].fd = -1;
  job->pump.control = job->control;
  job->refs = 3;
  job->pump.idle_ms = (int)idle_ms;
  for (uint32_t i = 0; i < len / 3; i++) {
    napi_value v[3];
    int64_t fd, pos, n;
    for (uint32_t k = 0; k < 3; k++) napi_get_element(env, argv[1], i * 3 + k, &v[k]);
    if (!get_int(env, v[0], 0, 2147483647.0, &fd) || !get_int(env, v[1], 0, MAX_SAFE, &pos) || !get_int(env, v[2], 0, MAX_SAFE, &n) || pos + n > MAX_SAFE) {
      free_job(job);
      return throw_error(env, "a span is not [fd >= 0, position >= 0, length >= 0] within 2^53", 0);
    }
    spans[i].position = pos;
    spans[i].length = n;
    job->pump.span_count = i + 1;
    int err = 0;
    spans[i].fd = dup_checked((int)fd, 0, &err);
    if (spans[i].fd < 0) {
      free_job(job);
      return throw_error(env, "cannot dup a source file descriptor", err);
    }
  }
  int err = 0;
  job->pump.sock = dup_checked((int)sock, 1, &err);
  if (job->pump.sock < 0) {
    free_job(job);
    return throw_error(env, "cannot dup the socket", err);
  }

  napi_value name;
  napi_create_string_utf8(env, "bootdrop-sendfile", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[3], NULL, name, 0, 1, job, tsfn_finalize, NULL, call_js, &job->tsfn) != napi_ok) {
    free_job(job);
    return throw_error(env, "cannot create the completion callback", 0);
  }
  job->pump.on_end = on_end;
  /* The handle first: once the pump has the job, nothing may fail and leave it running unseen. */
  napi_value handle;
  if (napi_create_external(env, job, finalize_handle, NULL, &handle) != napi_ok) {
    /* The pump's and the handle's references; the tsfn finalizer (queued by the abort) drops its own. */
    napi_release_threadsafe_function(job->tsfn, napi_tsfn_abort);
    pump_close_fds(&job->pump);
    unref_job(job);
    unref_job(job);
    return throw_error(env, "cannot create the job handle", 0);
  }
  int rc = pump_submit(&job->pump);
  if (rc != 0) {
    napi_release_threadsafe_function(job->tsfn, napi_tsfn_abort);
    pump_close_fds(&job->pump);
    unref_job(job); /* the pump's reference; the handle's and the finalizer's go with them */
    return throw_error(env, "cannot start a pump thread", rc);
  }
  return handle;
}

static job_t *job_arg(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_valuetype t;
  void *job = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 || napi_typeof(env, argv[0], &t) != napi_ok || t != napi_external ||
      napi_get_value_external(env, argv[0], &job) != napi_ok || job == NULL) {
    napi_throw_type_error(env, NULL, "expects a job from sendfile.start");
    return NULL;
  }
  return job;
}

static napi_value sent(napi_env env, napi_callback_info info) {
  job_t *job = job_arg(env, info);
  if (!job) return NULL;
  napi_value v;
  napi_create_double(env, (double)__atomic_load_n(&job->control[0], __ATOMIC_ACQUIRE), &v);
  return v;
}

static napi_value cancel(napi_env env, napi_callback_info info) {
  job_t *job = job_arg(env, info);
  if (job) __atomic_store_n(&job->control[1], 1, __ATOMIC_RELEASE);
  return NULL;
}

static int export_fn(napi_env env, napi_value exports, const char *name, napi_callback fn) {
  napi_value v;
  return napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &v) == napi_ok && napi_set_named_property(env, exports, name, v) == napi_ok;
}

/* Keep this file mapped for the life of the process: Node dlclose()s addons when an environment is
 * torn down, but pump threads (shared by every environment) outlive it. */
static void pin_module(void) {
  Dl_info info;
  if (dladdr((void *)pin_module, &info) && info.dli_fname) (void)dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}

NAPI_MODULE_INIT() {
  pin_module();
  if (!export_fn(env, exports, "start", start) || !export_fn(env, exports, "sent", sent) || !export_fn(env, exports, "cancel", cancel)) return NULL;
  return exports;
}
