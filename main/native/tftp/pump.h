/*
 * The TFTP data pump: one read transfer (RFC 1350 + 2347 OACK + 2348 blksize + 7440 windowsize)
 * served by its own thread with blocking recv/send on the transfer's own connected UDP socket.
 * The JavaScript server has already parsed the request, opened the file and negotiated the options;
 * the pump only moves blocks, with exactly the semantics of main/tftp/session.ts (ReadSession).
 *
 * pump.c is the protocol loop (no Node-API); binding.c creates jobs from JavaScript and reports the
 * end back through a napi_threadsafe_function.
 */
#ifndef BOOTDROP_TFTP_PUMP_H
#define BOOTDROP_TFTP_PUMP_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/* main/tftp/options.ts MAX_WINDOWSIZE: the largest window the server ever grants. */
#define TP_MAX_WINDOW 64
#define TP_MIN_BLKSIZE 8
#define TP_MAX_BLKSIZE 65464
#define TP_MAX_SPANS 1024
#define TP_MESSAGE_MAX 256

/* Slots of the Float64Array shared with JavaScript (main/native/tftp-pump.ts PUMP_STATE). */
enum {
  TP_STATE_LAST_HEARD = 0, /* Date.now() of the last sign of life (valid new ACK) */
  TP_STATE_BYTES = 1,      /* bytes the client acknowledged */
  TP_STATE_PHASE = 2,      /* TP_PHASE_* */
  TP_STATE_BASE = 3,       /* first unacknowledged absolute block */
  TP_STATE_SENT_UP_TO = 4, /* highest absolute block sent in the current window */
  TP_STATE_LAST_BLOCK = 5, /* absolute number of the final (short, maybe empty) block */
  TP_STATE_PORT = 6,       /* local port of the transfer socket (the server's TID) */
  TP_STATE_COUNT = 8
};

enum { TP_PHASE_OACK = 1, TP_PHASE_DATA = 2, TP_PHASE_ENDED = 3 };

/* How a transfer ended; names in binding.c, meanings in main/tftp/native-transfer.ts. */
typedef enum {
  TP_DONE = 0,          /* last block acknowledged (or port unreachable after it went out) */
  TP_OPTIONS_DECLINED,  /* ERROR while waiting for ACK 0: e.g. OVMF's tsize probe (error 8) */
  TP_CLIENT_ERROR,      /* ERROR during the data phase */
  TP_UNREACHABLE,       /* ICMP port unreachable before the last block went out */
  TP_TIMEOUT,           /* retries exhausted; value = the block waited for, 0 = the OACK */
  TP_READ_ERROR,        /* the file could not be read */
  TP_SOCKET_ERROR,      /* any other socket error */
  TP_CANCELLED          /* stopped by JavaScript */
} tp_result;

typedef struct {
  int fd; /* our dup(), closed when the job ends */
  uint64_t position;
  uint64_t length;
} tp_span;

typedef struct tp_job {
  int sock; /* bound to the serving address, connected to the client */
  tp_span spans[TP_MAX_SPANS];
  size_t nspans;
  uint64_t size;
  uint32_t blksize;
  uint32_t windowsize;
  uint32_t timeout_ms; /* first retransmission timeout; doubles per retry */
  uint32_t max_backoff_ms;
  uint32_t retries;
  uint8_t *oack; /* NULL: no options accepted, block 1 goes first */
  size_t oack_len;
  double *state; /* TP_STATE_COUNT doubles inside a JavaScript Float64Array */

  int cancel; /* set (atomically) by tp_cancel; checked at least every 200 ms */
  pthread_mutex_t sock_lock;
  int sock_closed;

  tp_result result;
  double value;
  char message[TP_MESSAGE_MAX];
  size_t message_len;
} tp_job;

/* Serve the transfer until it ends; fills result/value/message, closes the socket and span fds. */
void tp_run(tp_job *job);

/* From any thread: make tp_run return promptly (wakes a blocked recv by shutting the socket down). */
void tp_cancel(tp_job *job);

/* Close the socket (once) and the span fds; used by tp_run and when a job fails to start. */
void tp_release_fds(tp_job *job);

#endif
