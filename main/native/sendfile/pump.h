/*
 * HTTP bodies sent with sendfile(2): runs of host files (ISO extents, a folder's file) copied to
 * connected sockets by the kernel. A few pump threads of our own (never libuv's pool) each watch
 * their sockets with epoll, like an nginx worker: a thread that serves many sockets stays busy while
 * any of them can take data, instead of one sleeping thread per socket waiting to be scheduled.
 * No Node-API here (see binding.c).
 */
#ifndef BOOTDROP_SENDFILE_PUMP_H
#define BOOTDROP_SENDFILE_PUMP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A run of bytes in a host file. `fd` is the job's own dup, closed when the job ends. */
typedef struct {
  int fd;
  int64_t position;
  int64_t length;
} pump_span;

typedef enum { PUMP_DONE = 0, PUMP_ABORTED = 1, PUMP_FAILED = 2 } pump_outcome;

typedef struct pump_job pump_job;

struct pump_job {
  /* Set by the caller before pump_submit. */
  int64_t *control; /* [0] bytes sent (pump writes), [1] cancel (JS thread writes non-zero) */
  int sock;
  pump_span *spans;
  size_t span_count;
  int idle_ms;
  /* Called once on the pump thread after the job's fds are closed; the job is the caller's again. */
  void (*on_end)(pump_job *job);
  /* Set when the job ends. */
  pump_outcome outcome;
  int err;            /* errno of the failure, 0 if none */
  const char *reason; /* static text: what happened */
  /* The pump's own bookkeeping. */
  size_t span;     /* current span */
  off_t offset;    /* position in the current span's file */
  int64_t left;    /* bytes left in the current span */
  int64_t sent;
  int64_t last_progress_ms;
  int writable;    /* last sendfile did not hit EAGAIN, or epoll said writable since */
  pump_job *next;
};

/* Hand a job to a pump thread (started on first use). Returns 0, or an errno if none could start. */
int pump_submit(pump_job *job);

/* Close the socket dup and every span dup (idempotent). */
void pump_close_fds(pump_job *job);

#endif
