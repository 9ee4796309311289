/*
 * The transfer loop of the TFTP data pump (see pump.h). A mirror of main/tftp/session.ts ReadSession;
 * keep the two in step. Why a thread with blocking calls: per lock-step block Node's datagram path
 * costs ~30 us of CPU (SendWrap, dgram JS, an epoll dispatch, a Buffer and a callback per ACK),
 * where a blocking send + recv pair costs two syscalls (docs/benchmarks.md, "TFTP lock-step").
 */
#define _GNU_SOURCE
#include "pump.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Longest blocking wait: cancel is noticed within this even if the shutdown() wake-up is missed. */
#define MAX_WAIT_US 200000
/* Read-ahead target (as session.ts READ_AHEAD); the buffer also always holds two full windows. */
#define READ_AHEAD (512u * 1024u)
/* Bounded retries of a syscall interrupted by a signal (signals are blocked on this thread anyway). */
#define EINTR_RETRIES 8

typedef struct {
  tp_job *j;
  uint8_t *buf;
  uint64_t cap, buf_start, buf_len;
  uint64_t last_block, base, sent_up_to;
  int phase;
  uint32_t retries;
  int go_back_armed;
  uint64_t deadline_us;
  long rcvtimeo_us; /* what SO_RCVTIMEO is set to now, so it is only changed when needed */
  uint8_t hdr[TP_MAX_WINDOW][4];
  struct iovec iov[TP_MAX_WINDOW][2];
  struct mmsghdr msgs[TP_MAX_WINDOW];
} pump_t;

static uint64_t mono_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

/* Date.now(): lastHeard is compared with it in JavaScript. */
static double epoch_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (double)t.tv_sec * 1000.0 + (double)(t.tv_nsec / 1000000);
}

static void put(pump_t *p, int slot, double v) {
  __atomic_store(&p->j->state[slot], &v, __ATOMIC_RELEASE);
}

static int cancelled(pump_t *p) {
  return __atomic_load_n(&p->j->cancel, __ATOMIC_ACQUIRE);
}

/* Record how the transfer ended; returns 1 so callers can `return finish(...)` to stop the loop. */
__attribute__((format(printf, 4, 5))) static int finish(pump_t *p, tp_result r, double value, const char *fmt, ...) {
  tp_job *j = p->j;
  j->result = r;
  j->value = value;
  j->message[0] = 0;
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->message, sizeof j->message, fmt, ap);
    va_end(ap);
  }
  j->message_len = strnlen(j->message, sizeof j->message);
  return 1;
}

static int all_sent(const pump_t *p) {
  return p->phase == TP_PHASE_DATA && p->sent_up_to == p->last_block;
}

/* A send/recv failure ends the transfer. Port unreachable after the final block went out means the
 * client has the file and only its last ACK was lost (curl and tftp-hpa exit right after ACKing). */
static int socket_failed(pump_t *p, int err) {
  if (cancelled(p)) return finish(p, TP_CANCELLED, 0, NULL); /* EPIPE after tp_cancel's shutdown */
  if (err == ECONNREFUSED) return all_sent(p) ? finish(p, TP_DONE, 0, NULL) : finish(p, TP_UNREACHABLE, 0, NULL);
  return finish(p, TP_SOCKET_ERROR, err, "%s", strerror(err));
}

static int send_control(pump_t *p, const uint8_t *buf, size_t len) {
  for (int i = 0; i < EINTR_RETRIES; i++) {
    if (send(p->j->sock, buf, len, MSG_NOSIGNAL) >= 0) return 0;
    if (errno != EINTR) return errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS ? 0 : errno;
  }
  return 0;
}

/* ERROR 0 with a message, best effort: the transfer is ending anyway. */
static void send_error(pump_t *p, const char *msg) {
  uint8_t pkt[64] = {0, 5, 0, 0};
  /* strlen, not strnlen(msg, 59): msg is always a short literal, and gcc -fsanitize=address rejects
   * (-Werror=stringop-overread) a bound longer than the literal. */
  size_t n = strlen(msg);
  if (n > sizeof pkt - 5) n = sizeof pkt - 5;
  memcpy(pkt + 4, msg, n);
  send_control(p, pkt, 4 + n + 1);
}

static void arm(pump_t *p) {
  /* As session.ts arm(): base * 2^retries, capped at max(base, 8 s). */
  uint64_t base = p->j->timeout_ms;
  uint64_t cap = base > p->j->max_backoff_ms ? base : p->j->max_backoff_ms;
  uint64_t wait = base;
  for (uint32_t i = 0; i < p->retries && wait < cap; i++) wait *= 2;
  if (wait > cap) wait = cap;
  p->deadline_us = mono_us() + wait * 1000u;
}

/* Copy file bytes [off, off+len) out of the host spans. */
static int read_file(pump_t *p, uint64_t off, uint8_t *dst, uint64_t len) {
  tp_job *j = p->j;
  uint64_t span_start = 0;
  for (size_t i = 0; i < j->nspans && len > 0; i++) {
    const tp_span *s = &j->spans[i];
    uint64_t span_end = span_start + s->length;
    if (off < span_end) {
      uint64_t in = off - span_start;
      uint64_t n = s->length - in < len ? s->length - in : len;
      uint64_t got = 0;
      int eintr = 0;
      while (got < n) {
        ssize_t r = pread(s->fd, dst + got, n - got, (off_t)(s->position + in + got));
        if (r < 0 && errno == EINTR && ++eintr < EINTR_RETRIES) continue;
        if (r < 0) return finish(p, TP_READ_ERROR, 0, "%s", strerror(errno));
        if (r == 0) return finish(p, TP_READ_ERROR, 0, "file ended at %llu of %llu bytes", (unsigned long long)(off + got), (unsigned long long)j->size);
        got += (uint64_t)r;
      }
      dst += n;
      off += n;
      len -= n;
    }
    span_start = span_end;
  }
  if (len > 0) return finish(p, TP_READ_ERROR, 0, "file ended at %llu of %llu bytes", (unsigned long long)off, (unsigned long long)j->size);
  return 0;
}

static int covers(const pump_t *p, uint64_t first, uint64_t last) {
  uint64_t bs = p->j->blksize;
  uint64_t from = (first - 1) * bs;
  uint64_t to = last * bs < p->j->size ? last * bs : p->j->size;
  return from >= p->buf_start && to <= p->buf_start + p->buf_len;
}

static int refill(pump_t *p, uint64_t first) {
  uint64_t start = (first - 1) * p->j->blksize;
  uint64_t want = p->j->size - start < p->cap ? p->j->size - start : p->cap;
  p->buf_len = 0; /* invalid until the read succeeded */
  if (read_file(p, start, p->buf, want)) {
    send_error(p, "Read error on the server");
    return 1;
  }
  p->buf_start = start;
  p->buf_len = want;
  return 0;
}

/* Blocks base .. base+window-1 in one sendmmsg. Returns 1 when the transfer ended. */
static int send_window(pump_t *p) {
  tp_job *j = p->j;
  uint64_t first = p->base;
  uint64_t last = first + j->windowsize - 1;
  if (last > p->last_block) last = p->last_block;
  if (!covers(p, first, last) && refill(p, first)) return 1;
  unsigned count = (unsigned)(last - first + 1);
  for (unsigned i = 0; i < count; i++) {
    uint64_t k = first + i;
    uint64_t off = (k - 1) * j->blksize;
    uint64_t len = j->size - off < j->blksize ? j->size - off : j->blksize;
    p->hdr[i][2] = (uint8_t)(k >> 8);
    p->hdr[i][3] = (uint8_t)k; /* 16-bit block numbers roll over */
    p->iov[i][1].iov_base = p->buf + (off - p->buf_start);
    p->iov[i][1].iov_len = len;
  }
  p->sent_up_to = last;
  put(p, TP_STATE_SENT_UP_TO, (double)last);
  unsigned sent = 0;
  for (int tries = 0; sent < count && tries < EINTR_RETRIES; tries++) {
    int r = sendmmsg(j->sock, p->msgs + sent, count - sent, MSG_NOSIGNAL);
    if (r > 0) {
      sent += (unsigned)r;
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    /* A full send buffer (SO_SNDTIMEO ran out) loses the rest of the window, like the wire would:
     * the retransmission timeout resends it. */
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) break;
    if (r < 0) return socket_failed(p, errno);
  }
  arm(p);
  return 0;
}

static int on_ack(pump_t *p, unsigned block) {
  tp_job *j = p->j;
  if (p->phase == TP_PHASE_OACK) {
    if (block != 0) return 0;
    put(p, TP_STATE_LAST_HEARD, epoch_ms());
    p->phase = TP_PHASE_DATA;
    put(p, TP_STATE_PHASE, TP_PHASE_DATA);
    p->retries = 0;
    return send_window(p);
  }
  /* Map the 16-bit number onto the absolute block in [sent_up_to - 65535, sent_up_to]. */
  uint64_t back = ((p->sent_up_to & 0xffff) - block) & 0xffff;
  if (back > p->sent_up_to) return 0;
  uint64_t a = p->sent_up_to - back;
  if (a < p->base) return 0; /* duplicate or stale: never resend on it (Sorcerer's Apprentice) */
  put(p, TP_STATE_LAST_HEARD, epoch_ms());
  p->base = a + 1;
  put(p, TP_STATE_BASE, (double)p->base);
  p->retries = 0;
  uint64_t bytes = a * j->blksize;
  put(p, TP_STATE_BYTES, (double)(bytes < j->size ? bytes : j->size));
  if (a == p->last_block) return finish(p, TP_DONE, 0, NULL);
  if (a == p->sent_up_to) {
    p->go_back_armed = 1;
    return send_window(p);
  }
  if (p->go_back_armed) {
    /* RFC 7440: an ACK inside the window says block a+1 was lost; resend from there, once. Later
     * mid-window ACKs are usually echoes of resent blocks still in flight (atftp ACKs every
     * duplicate); resending on each would snowball, so they only move the base. */
    p->go_back_armed = 0;
    return send_window(p);
  }
  return 0;
}

static int on_packet(pump_t *p, const uint8_t *pkt, size_t n) {
  /* Lengths as main/tftp/packet.ts parsePacket: shorter packets are malformed and ignored. */
  if (n < 4) return 0;
  unsigned op = (unsigned)pkt[0] << 8 | pkt[1];
  if (op == 4) return on_ack(p, (unsigned)pkt[2] << 8 | pkt[3]);
  if (op == 5) {
    const uint8_t *msg = pkt + 4;
    const uint8_t *nul = memchr(msg, 0, n - 4);
    size_t len = nul ? (size_t)(nul - msg) : n - 4;
    if (len > TP_MESSAGE_MAX - 1) len = TP_MESSAGE_MAX - 1;
    tp_result r = p->phase == TP_PHASE_OACK ? TP_OPTIONS_DECLINED : TP_CLIENT_ERROR;
    finish(p, r, (double)((unsigned)pkt[2] << 8 | pkt[3]), NULL);
    memcpy(p->j->message, msg, len); /* raw bytes: JavaScript decodes them as UTF-8 */
    p->j->message_len = len;
    return 1;
  }
  return 0; /* anything else on a read transfer's TID is noise */
}

static int on_timeout(pump_t *p) {
  if (++p->retries > p->j->retries) {
    send_error(p, "Timeout");
    return finish(p, TP_TIMEOUT, p->phase == TP_PHASE_OACK ? 0 : (double)p->base, NULL);
  }
  if (p->phase == TP_PHASE_OACK) {
    int err = send_control(p, p->j->oack, p->j->oack_len);
    if (err) return socket_failed(p, err);
    arm(p);
    return 0;
  }
  p->go_back_armed = 1;
  return send_window(p);
}

/* Wait for one packet until the deadline, in slices of at most MAX_WAIT_US. Returns 1 when ended. */
static int wait_packet(pump_t *p, uint8_t *pkt, size_t size) {
  uint64_t now = mono_us();
  if (now >= p->deadline_us) return on_timeout(p);
  uint64_t left = p->deadline_us - now;
  long wait = left < MAX_WAIT_US ? (long)left : MAX_WAIT_US;
  if (wait < 1000) wait = 1000; /* SO_RCVTIMEO of 0 would mean "forever" */
  /* SO_RCVTIMEO instead of poll(): one syscall per ACK on the hot path. Only reset when it changes
   * (near a deadline); with the usual 1 s timeout it stays at 200 ms. */
  if (wait != p->rcvtimeo_us) {
    struct timeval tv = {.tv_sec = wait / 1000000, .tv_usec = wait % 1000000};
    if (setsockopt(p->j->sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0) p->rcvtimeo_us = wait;
  }
  ssize_t n = recv(p->j->sock, pkt, size, 0);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
    return socket_failed(p, errno);
  }
  return on_packet(p, pkt, (size_t)n);
}

static void run(pump_t *p, uint8_t *pkt, size_t pkt_size) {
  tp_job *j = p->j;
  p->last_block = j->size / j->blksize + 1;
  p->base = 1;
  p->go_back_armed = 1;
  p->rcvtimeo_us = -1;
  for (unsigned i = 0; i < TP_MAX_WINDOW; i++) {
    p->hdr[i][0] = 0;
    p->hdr[i][1] = 3;
    p->iov[i][0].iov_base = p->hdr[i];
    p->iov[i][0].iov_len = 4;
    memset(&p->msgs[i], 0, sizeof p->msgs[i]);
    p->msgs[i].msg_hdr.msg_iov = p->iov[i];
    p->msgs[i].msg_hdr.msg_iovlen = 2;
  }
  put(p, TP_STATE_LAST_BLOCK, (double)p->last_block);
  put(p, TP_STATE_BASE, 1);
  if (j->oack) {
    p->phase = TP_PHASE_OACK;
    put(p, TP_STATE_PHASE, TP_PHASE_OACK);
    int err = send_control(p, j->oack, j->oack_len);
    if (err) {
      socket_failed(p, err);
      return;
    }
    arm(p);
  } else {
    p->phase = TP_PHASE_DATA;
    put(p, TP_STATE_PHASE, TP_PHASE_DATA);
    if (send_window(p)) return;
  }
  /* Bounded: every turn either ends the transfer, consumes a packet, or waits <= 200 ms, and the
   * retry budget ends a silent client; cancel is checked every turn. */
  while (!cancelled(p)) {
    if (wait_packet(p, pkt, pkt_size)) return;
  }
  finish(p, TP_CANCELLED, 0, NULL);
}

void tp_run(tp_job *j) {
  pump_t *p = calloc(1, sizeof *p);
  uint64_t cap = 0;
  if (p) {
    /* As session.ts: max(512 KiB, two windows), whole blocks, no more than the file. */
    uint64_t bs = j->blksize;
    uint64_t target = (uint64_t)j->windowsize * bs * 2;
    if (target < READ_AHEAD) target = READ_AHEAD;
    target = (target + bs - 1) / bs * bs;
    cap = target < j->size ? target : j->size;
    p->j = j;
    p->cap = cap;
    p->buf = malloc(cap ? cap : 1);
  }
  uint8_t pkt[2048];
  if (!p || !p->buf) {
    j->result = TP_SOCKET_ERROR;
    j->value = ENOMEM;
    snprintf(j->message, sizeof j->message, "out of memory for the read-ahead buffer");
    j->message_len = strlen(j->message);
  } else {
    run(p, pkt, sizeof pkt);
  }
  double ended = TP_PHASE_ENDED;
  __atomic_store(&j->state[TP_STATE_PHASE], &ended, __ATOMIC_RELEASE);
  if (p) free(p->buf);
  free(p);
  tp_release_fds(j);
}

void tp_release_fds(tp_job *j) {
  pthread_mutex_lock(&j->sock_lock);
  if (!j->sock_closed && j->sock >= 0) close(j->sock);
  j->sock_closed = 1;
  pthread_mutex_unlock(&j->sock_lock);
  for (size_t i = 0; i < j->nspans; i++) {
    /* Spans of one file often share a descriptor (ISO extents): each dup is closed once. */
    int fd = j->spans[i].fd;
    if (fd < 0) continue;
    for (size_t k = i; k < j->nspans; k++)
      if (j->spans[k].fd == fd) j->spans[k].fd = -1;
    close(fd);
  }
}

void tp_cancel(tp_job *j) {
  __atomic_store_n(&j->cancel, 1, __ATOMIC_RELEASE);
  /* Under the lock: the thread closes the socket under it too, so this never hits a reused fd.
   * shutdown() makes a blocked recv return at once. */
  pthread_mutex_lock(&j->sock_lock);
  if (!j->sock_closed) shutdown(j->sock, SHUT_RDWR);
  pthread_mutex_unlock(&j->sock_lock);
}
