/*
 * bootdrop-ra: sends Bootdrop's fixed "no router here" IPv6 router advertisement on one interface, for
 * an engine that runs without CAP_NET_RAW (the desktop app, a --user service). Installed with the file
 * capability cap_net_raw+ep (like ping), so it is deliberately unable to do anything else:
 *
 *   bootdrop-ra <interface>
 *
 * It opens one raw ICMPv6 socket bound to that interface (receiving only router solicitations), then
 * drops every capability before reading a byte of input. The advertisement is built here from the
 * interface's own MAC, byte for byte encodeBootdropAdvertisement in main/ndp/codec.ts; no packet bytes
 * and no addresses come from the caller, and the socket never leaves this process.
 *
 * Line protocol: prints "ready" once the socket is open and the capabilities are gone. stdin "send"
 * sends one advertisement to ff02::1 (at most one per 100 ms; faster requests are dropped), a refused
 * send prints "send-failed <reason>" and carries on (e.g. no link-local address while DAD runs); each
 * router solicitation heard prints "rs <source address>". stdin EOF: exit 0. Anything else (bad
 * arguments, no capability, an unknown command): one line on stderr and a nonzero exit.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/capability.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE 2
#define EXIT_SETUP 3
#define EXIT_IO 4
#define MIN_SEND_GAP_NS 100000000LL /* 100 ms: the engine answers solicitations at most every 100 ms */

static const char *ifname;

__attribute__((noreturn, format(printf, 2, 3))) static void die(int code, const char *fmt, ...) {
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  fprintf(stderr, "bootdrop-ra: %s\n", msg);
  exit(code);
}

/* The same names the engine accepts (main/native/ndp.ts): letters, digits, "_", ".", ":", "-". */
static int valid_ifname(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n >= IF_NAMESIZE) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
          c == ':' || c == '-'))
      return 0;
  }
  return 1;
}

static int open_socket(unsigned ifindex, const char *self) {
  int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
  if (fd < 0) {
    if (errno == EPERM || errno == EACCES)
      die(EXIT_SETUP,
          "cannot open a raw ICMPv6 socket: %s; this program needs the CAP_NET_RAW file capability "
          "(the .deb sets it on install; otherwise: sudo setcap cap_net_raw+ep %.200s)",
          strerror(errno), self);
    die(EXIT_SETUP, "cannot open a raw ICMPv6 socket: %s", strerror(errno));
  }
  int hops = 255, off = 0;
  struct icmp6_filter filter;
  ICMP6_FILTER_SETBLOCKALL(&filter);
  ICMP6_FILTER_SETPASS(ND_ROUTER_SOLICIT, &filter);
  struct ipv6_mreq mreq;
  memset(&mreq, 0, sizeof mreq);
  inet_pton(AF_INET6, "ff02::2", &mreq.ipv6mr_multiaddr);
  mreq.ipv6mr_interface = ifindex;
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)) != 0)
    die(EXIT_SETUP, "cannot bind to interface %s: %s", ifname, strerror(errno));
  if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) != 0 ||
      setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof hops) != 0)
    die(EXIT_SETUP, "cannot set hop limit 255: %s", strerror(errno));
  if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof off) != 0)
    die(EXIT_SETUP, "cannot turn multicast loopback off: %s", strerror(errno));
  if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter) != 0)
    die(EXIT_SETUP, "cannot set the ICMPv6 filter: %s", strerror(errno));
  /* A host (forwarding off) is not in the all-routers group: solicitations to ff02::2 would be dropped. */
  if (setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mreq, sizeof mreq) != 0)
    die(EXIT_SETUP, "cannot join ff02::2 (all routers) on %s: %s", ifname, strerror(errno));
  return fd;
}

/* Empties the effective, permitted and inheritable sets (and the ambient set), then checks they stay
 * empty: from here on this process can do nothing a plain user could not, except use the open socket. */
static void drop_capabilities(void) {
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  memset(data, 0, sizeof data);
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); /* EINVAL on kernels without ambient caps */
  if (syscall(SYS_capset, &hdr, data) != 0) die(EXIT_SETUP, "cannot drop capabilities: %s", strerror(errno));
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die(EXIT_SETUP, "cannot set no_new_privs: %s", strerror(errno));
  if (syscall(SYS_capget, &hdr, data) != 0) die(EXIT_SETUP, "cannot read capabilities: %s", strerror(errno));
  for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
    if (data[i].effective || data[i].permitted || data[i].inheritable) die(EXIT_SETUP, "capabilities still held");
}

/* Bootdrop's advertisement (RFC 4861 §4.2), as encodeBootdropAdvertisement builds it: type 134, code 0,
 * checksum 0 (the kernel fills it), cur hop limit 0, M=0 O=0, router lifetime 0, reachable time and
 * retransmit timer 0, then the source link-layer address option (type 1, length 1) with the MAC. */
static void build_advertisement(unsigned char ra[24], const unsigned char mac[6]) {
  memset(ra, 0, 24);
  ra[0] = ND_ROUTER_ADVERT;
  ra[16] = ND_OPT_SOURCE_LINKADDR;
  ra[17] = 1;
  memcpy(ra + 18, mac, 6);
}

static void read_mac(int fd, unsigned char mac[6]) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, ifname, strlen(ifname));
  if (ioctl(fd, SIOCGIFHWADDR, &ifr) != 0) die(EXIT_SETUP, "cannot read the MAC of %s: %s", ifname, strerror(errno));
  if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
    die(EXIT_SETUP, "%s is not an Ethernet interface (no MAC for the advertisement)", ifname);
  memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
}

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...) {
  char line[128];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof line) n = (int)strlen(line);
  for (int at = 0; at < n;) {
    ssize_t w = write(STDOUT_FILENO, line + at, (size_t)(n - at));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) exit(EXIT_IO); /* the engine is gone: nobody to report to */
    at += (int)w;
  }
}

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void send_advertisement(int fd, unsigned ifindex, const unsigned char ra[24], long long *last) {
  long long t = now_ns();
  if (*last && t - *last < MIN_SEND_GAP_NS) return;
  *last = t;
  struct sockaddr_in6 to;
  memset(&to, 0, sizeof to);
  to.sin6_family = AF_INET6;
  to.sin6_scope_id = ifindex;
  inet_pton(AF_INET6, "ff02::1", &to.sin6_addr);
  if (sendto(fd, ra, 24, 0, (struct sockaddr *)&to, sizeof to) < 0) say("send-failed %s\n", strerror(errno));
}

/* Reports queued solicitations; bounded per wake-up so a flood cannot starve stdin. */
static void read_solicitations(int fd) {
  for (int i = 0; i < 64; i++) {
    unsigned char buf[1500];
    struct sockaddr_in6 from;
    socklen_t fromlen = sizeof from;
    ssize_t n = recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fromlen);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      die(EXIT_IO, "reading router solicitations on %s failed: %s", ifname, strerror(errno));
    }
    if (n < 8 || buf[0] != ND_ROUTER_SOLICIT || buf[1] != 0) continue;
    char text[INET6_ADDRSTRLEN] = "";
    inet_ntop(AF_INET6, &from.sin6_addr, text, sizeof text);
    say("rs %s\n", text);
  }
}

int main(int argc, char **argv) {
  if (argc != 2) die(EXIT_USAGE, "usage: bootdrop-ra <interface> (then \"send\" lines on stdin)");
  ifname = argv[1];
  if (!valid_ifname(ifname)) die(EXIT_USAGE, "\"%.40s\" is not an interface name", ifname);
  signal(SIGPIPE, SIG_IGN);
  unsigned ifindex = if_nametoindex(ifname);
  if (ifindex == 0) die(EXIT_SETUP, "interface %s not found: %s", ifname, strerror(errno));
  int fd = open_socket(ifindex, argv[0]);
  drop_capabilities();
  unsigned char mac[6], ra[24];
  read_mac(fd, mac);
  build_advertisement(ra, mac);
  say("ready\n");

  char in[64];
  size_t have = 0;
  long long last_send = 0;
  for (;;) {
    struct pollfd p[2] = {{STDIN_FILENO, POLLIN, 0}, {fd, POLLIN, 0}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      die(EXIT_IO, "poll: %s", strerror(errno));
    }
    if (p[1].revents & POLLIN) read_solicitations(fd);
    if (p[1].revents & (POLLERR | POLLNVAL)) die(EXIT_IO, "the socket on %s failed", ifname);
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(STDIN_FILENO, in + have, sizeof in - have);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) die(EXIT_IO, "reading stdin: %s", strerror(errno));
      if (n == 0) return 0;
      have += (size_t)n;
      char *nl;
      while ((nl = memchr(in, '\n', have)) != NULL) {
        *nl = '\0';
        if (strcmp(in, "send") != 0) die(EXIT_USAGE, "unknown command \"%.20s\" (only \"send\")", in);
        send_advertisement(fd, ifindex, ra, &last_send);
        size_t used = (size_t)(nl - in) + 1;
        memmove(in, nl + 1, have - used);
        have -= used;
      }
      if (have == sizeof in) die(EXIT_USAGE, "command line too long (only \"send\")");
    }
    if (p[0].revents & POLLNVAL) die(EXIT_IO, "stdin is closed");
  }
}
