/*
 * One HTTP body sent with sendfile(2): runs of host files (ISO extents, a folder's file) copied to a
 * connected socket by the kernel, on a thread of its own. No Node-API here (see binding.c).
 */
#ifndef BOOTDROP_SENDFILE_PUMP_H
#define BOOTDROP_SENDFILE_PUMP_H

#include <stddef.h>
#include <stdint.h>

/* A run of bytes in a host file. `fd` is the job's own dup, closed when the job ends. */
typedef struct {
  int fd;
  int64_t position;
  int64_t length;
} pump_span;

typedef enum { PUMP_DONE = 0, PUMP_ABORTED = 1, PUMP_FAILED = 2 } pump_outcome;

/*
 * control[0]: bytes sent so far, written by the pump, read from the JS thread (sent());
 * control[1]: cancel request, written from the JS thread (non-zero: stop at the next check, ~200 ms).
 */
typedef struct {
  int64_t *control;
  int sock;
  pump_span *spans;
  size_t span_count;
  int idle_ms;
  /* Set by pump_run. */
  pump_outcome outcome;
  int err;            /* errno of the failure, 0 if none */
  const char *reason; /* static text: what happened */
} pump_job;

/* Send every span in order; sets outcome/err/reason. Never blocks longer than ~200 ms at a time. */
pump_outcome pump_run(pump_job *job);

/* Close the socket dup and every span dup (idempotent). */
void pump_close_fds(pump_job *job);

#endif
