/*
 * The pump threads. Each owns an epoll set of the sockets it serves (edge-triggered EPOLLOUT) and an
 * eventfd through which new jobs arrive. A turn gives every writable socket up to TURN_BUDGET bytes
 * (fairness), then waits for sockets to drain. The sockets are libuv's, so non-blocking (a dup shares
 * the file status flags): sendfile fails with EAGAIN when a socket's buffer is full. The wait is at
 * most TICK_MS while jobs run, so a cancel is seen within ~200 ms and a client that takes no byte for
 * idle_ms is dropped — the rule Node's socket timeout applies on the JavaScript path.
 */
#define _GNU_SOURCE /* pthread_setname_np */
#include "pump.h"

#include <errno.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <time.h>
#include <unistd.h>

/* Bytes per sendfile call and per socket per turn: bounds the time one call can spend reading a cold
 * file from disk, and keeps one fast client from starving the others on the same thread. */
#define CHUNK ((int64_t)4 * 1024 * 1024)
#define TURN_BUDGET CHUNK
#define TICK_MS 200
#define MAX_WORKERS 4
#define MAX_EVENTS 64
#define STACK_SIZE (256 * 1024)

typedef struct {
  int epfd;
  int wakefd;
  pthread_mutex_t lock;
  pump_job *incoming; /* guarded by lock */
  int jobs;           /* atomic: queued + running, for placing new jobs */
} worker;

static worker workers[MAX_WORKERS];
static int worker_count; /* guarded by start_lock */
static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sets the outcome; returns 1 ("this job has ended") for the callers' convenience. */
static int finish(pump_job *job, pump_outcome outcome, int err, const char *reason) {
  job->outcome = outcome;
  job->err = err;
  job->reason = reason;
  return 1;
}

/* Errors that mean the client went away, not that something is wrong here. */
static int client_gone(int err) {
  return err == EPIPE || err == ECONNRESET || err == ENOTCONN || err == ESHUTDOWN;
}

/* One turn for one job: returns 1 when it has ended (outcome set), 0 while it goes on. */
static int serve(pump_job *j) {
  if (__atomic_load_n(&j->control[1], __ATOMIC_ACQUIRE) != 0) return finish(j, PUMP_ABORTED, 0, "cancelled");
  int64_t budget = TURN_BUDGET;
  while (j->writable && budget > 0) {
    while (j->left == 0) {
      if (++j->span >= j->span_count) return finish(j, PUMP_DONE, 0, "done");
      j->offset = (off_t)j->spans[j->span].position;
      j->left = j->spans[j->span].length;
    }
    int64_t want = j->left < budget ? j->left : budget;
    ssize_t n = sendfile(j->sock, j->spans[j->span].fd, &j->offset, (size_t)want);
    if (n > 0) {
      j->left -= n;
      j->sent += n;
      budget -= n;
      __atomic_store_n(&j->control[0], j->sent, __ATOMIC_RELEASE);
      j->last_progress_ms = now_ms();
      continue;
    }
    /* The host file is shorter than its span said: it was truncated or replaced under us. */
    if (n == 0) return finish(j, PUMP_FAILED, 0, "the source file ended early (changed on disk?)");
    int err = errno;
    if (err == EINTR) continue;
    if (err == EAGAIN || err == EWOULDBLOCK) {
      j->writable = 0; /* until epoll reports the socket writable again */
      break;
    }
    if (client_gone(err)) return finish(j, PUMP_ABORTED, err, "the client closed the connection");
    return finish(j, PUMP_FAILED, err, "sendfile failed");
  }
  if (j->left == 0 && j->span + 1 >= j->span_count) return finish(j, PUMP_DONE, 0, "done");
  if (!j->writable && now_ms() - j->last_progress_ms >= j->idle_ms) return finish(j, PUMP_ABORTED, ETIMEDOUT, "the client stopped reading");
  return 0;
}

static void end_job(worker *w, pump_job *j, int watched) {
  /* Remove the socket from the set before closing our dup: Node's fd keeps the same open file alive,
   * so closing alone would leave it registered. */
  if (watched) epoll_ctl(w->epfd, EPOLL_CTL_DEL, j->sock, NULL);
  pump_close_fds(j);
  __atomic_sub_fetch(&w->jobs, 1, __ATOMIC_ACQ_REL);
  j->on_end(j);
}

static void *worker_main(void *arg) {
  worker *w = arg;
  pthread_setname_np(pthread_self(), "bd-sendfile"); /* visible in top -H, ps -L */
  pump_job *active = NULL;
  struct epoll_event events[MAX_EVENTS];
  for (;;) {
    int busy = 0;
    for (pump_job *j = active; j; j = j->next) busy |= j->writable;
    /* Idle: sleep until a job arrives. Running: wake at least every tick for cancels and idle checks. */
    int n = epoll_wait(w->epfd, events, MAX_EVENTS, busy ? 0 : active ? TICK_MS : -1);
    for (int i = 0; i < n; i++) {
      if (events[i].data.ptr == NULL) {
        uint64_t count;
        while (read(w->wakefd, &count, sizeof count) > 0) {
        }
      } else {
        ((pump_job *)events[i].data.ptr)->writable = 1;
      }
    }
    pthread_mutex_lock(&w->lock);
    pump_job *in = w->incoming;
    w->incoming = NULL;
    pthread_mutex_unlock(&w->lock);
    while (in) {
      pump_job *next = in->next;
      struct epoll_event ev = { .events = EPOLLOUT | EPOLLET, .data.ptr = in };
      if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, in->sock, &ev) != 0) {
        finish(in, PUMP_FAILED, errno, "cannot watch the socket");
        end_job(w, in, 0);
      } else {
        in->next = active;
        active = in;
      }
      in = next;
    }
    for (pump_job **p = &active; *p;) {
      pump_job *j = *p;
      if (serve(j)) {
        *p = j->next;
        end_job(w, j, 1);
      } else {
        p = &j->next;
      }
    }
  }
  return NULL;
}

static int start_worker(worker *w) {
  w->epfd = epoll_create1(EPOLL_CLOEXEC);
  w->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
  int err = 0;
  if (w->epfd < 0 || w->wakefd < 0 || epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wakefd, &ev) != 0) err = errno;
  if (!err) {
    pthread_mutex_init(&w->lock, NULL);
    pthread_attr_t attr;
    pthread_t thread;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, STACK_SIZE);
    err = pthread_create(&thread, &attr, worker_main, w);
    pthread_attr_destroy(&attr);
    if (err) pthread_mutex_destroy(&w->lock);
  }
  if (err) {
    if (w->epfd >= 0) close(w->epfd);
    if (w->wakefd >= 0) close(w->wakefd);
  }
  return err;
}

int pump_submit(pump_job *job) {
  job->span = 0;
  job->offset = (off_t)job->spans[0].position;
  job->left = job->spans[0].length;
  job->sent = 0;
  job->last_progress_ms = now_ms();
  job->writable = 1;
  pthread_mutex_lock(&start_lock);
  /* Threads as CPUs (like nginx's worker_processes auto), started as jobs need them. */
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  int max = cpus < 1 ? 1 : cpus > MAX_WORKERS ? MAX_WORKERS : (int)cpus;
  worker *w = NULL;
  for (int i = 0; i < worker_count; i++) {
    if (!w || __atomic_load_n(&workers[i].jobs, __ATOMIC_ACQUIRE) < __atomic_load_n(&w->jobs, __ATOMIC_ACQUIRE)) w = &workers[i];
  }
  if (worker_count < max && (!w || __atomic_load_n(&w->jobs, __ATOMIC_ACQUIRE) > 0)) {
    int err = start_worker(&workers[worker_count]);
    if (!err) w = &workers[worker_count++];
    else if (!w) {
      pthread_mutex_unlock(&start_lock);
      return err;
    }
  }
  __atomic_add_fetch(&w->jobs, 1, __ATOMIC_ACQ_REL);
  pthread_mutex_unlock(&start_lock);
  pthread_mutex_lock(&w->lock);
  job->next = w->incoming;
  w->incoming = job;
  pthread_mutex_unlock(&w->lock);
  uint64_t one = 1;
  /* Cannot fail short of the counter overflowing (2^64 - 1 pending wake-ups). */
  (void)!write(w->wakefd, &one, sizeof one);
  return 0;
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
