/*
 * The sendfile loop. The socket is libuv's, so it is non-blocking (a dup shares the file status
 * flags): when its send buffer is full sendfile fails with EAGAIN and we poll for POLLOUT with a short
 * timeout, so the cancel flag is seen within ~200 ms and a client that stops reading is dropped after
 * idle_ms without progress — the same rule Node's socket timeout applies to the JavaScript path.
 */
#include "pump.h"

#include <errno.h>
#include <poll.h>
#include <sys/sendfile.h>
#include <time.h>
#include <unistd.h>

/* Bytes per sendfile call: bounds the time one call can spend reading a cold file from disk before
 * the cancel flag is looked at again; large enough that the syscall count does not matter. */
#define CHUNK ((int64_t)8 * 1024 * 1024)
#define POLL_MS 200

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cancelled(const pump_job *job) {
  return __atomic_load_n(&job->control[1], __ATOMIC_ACQUIRE) != 0;
}

static pump_outcome finish(pump_job *job, pump_outcome outcome, int err, const char *reason) {
  job->outcome = outcome;
  job->err = err;
  job->reason = reason;
  return outcome;
}

/* Errors that mean the client went away, not that something is wrong here. */
static int client_gone(int err) {
  return err == EPIPE || err == ECONNRESET || err == ENOTCONN || err == ESHUTDOWN;
}

pump_outcome pump_run(pump_job *job) {
  int64_t sent = 0;
  int64_t last_progress = now_ms();
  for (size_t i = 0; i < job->span_count; i++) {
    const pump_span *s = &job->spans[i];
    off_t off = (off_t)s->position;
    int64_t left = s->length;
    while (left > 0) {
      if (cancelled(job)) return finish(job, PUMP_ABORTED, 0, "cancelled");
      size_t want = (size_t)(left < CHUNK ? left : CHUNK);
      ssize_t n = sendfile(job->sock, s->fd, &off, want);
      if (n > 0) {
        left -= n;
        sent += n;
        __atomic_store_n(&job->control[0], sent, __ATOMIC_RELEASE);
        last_progress = now_ms();
        continue;
      }
      /* The host file is shorter than its span said: it was truncated or replaced under us. */
      if (n == 0) return finish(job, PUMP_FAILED, 0, "the source file ended early (changed on disk?)");
      int err = errno;
      if (err == EINTR) continue;
      if (err == EAGAIN || err == EWOULDBLOCK) {
        if (now_ms() - last_progress >= job->idle_ms) return finish(job, PUMP_ABORTED, ETIMEDOUT, "the client stopped reading");
        struct pollfd p = { .fd = job->sock, .events = POLLOUT, .revents = 0 };
        /* EINTR or a timeout just loops back to the cancel and idle checks; POLLERR/POLLHUP make the
         * next sendfile report the socket's error. */
        (void)poll(&p, 1, POLL_MS);
        continue;
      }
      if (client_gone(err)) return finish(job, PUMP_ABORTED, err, "the client closed the connection");
      return finish(job, PUMP_FAILED, err, "sendfile failed");
    }
  }
  return finish(job, PUMP_DONE, 0, "done");
}

void pump_close_fds(pump_job *job) {
  if (job->sock >= 0) {
    close(job->sock);
    job->sock = -1;
  }
  for (size_t i = 0; i < job->span_count; i++) {
    if (job->spans[i].fd >= 0) {
      close(job->spans[i].fd);
      job->spans[i].fd = -1;
    }
  }
}
