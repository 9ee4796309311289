/*
 * Raw ICMPv6 socket for Bootdrop's router advertisements (Node has no raw sockets). Synchronous and
 * non-blocking; the packet bytes are built in TypeScript (main/ndp/codec.ts), the kernel fills in the
 * ICMPv6 checksum (RFC 3542 §3.1: always on for raw ICMPv6 sockets) and picks the interface's
 * link-local address as source, as RFC 4861 requires of a router advertisement.
 *
 *   open(ifname) -> fd      bound to the interface (SO_BINDTODEVICE), hop limit 255, no multicast
 *                           loopback, in the all-routers group, receiving only Router Solicitations
 *                           (ICMP6_FILTER)
 *   send(fd, ifindex, buf)  to ff02::1 (all nodes) on that interface
 *   recv(fd) -> { from, bytes } | null   one queued datagram, or null when none is waiting
 *   close(fd)
 *
 * Needs CAP_NET_RAW (root); open throws "... (errno N)" otherwise and the caller goes without.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static napi_value fail(napi_env env, const char *what, int err) {
  char msg[256];
  if (err) snprintf(msg, sizeof msg, "ndp.%s: %s (errno %d)", what, strerror(err), err);
  else snprintf(msg, sizeof msg, "ndp.%s", what);
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static int get_fd(napi_env env, napi_value v, int *fd) {
  int32_t n;
  if (napi_get_value_int32(env, v, &n) != napi_ok || n < 0) return 0;
  *fd = n;
  return 1;
}

static napi_value open_socket(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char ifname[IF_NAMESIZE];
  size_t len = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 ||
      napi_get_value_string_utf8(env, argv[0], ifname, sizeof ifname, &len) != napi_ok || len == 0 || len >= IF_NAMESIZE - 1)
    return fail(env, "open: expects an interface name", 0);
  int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
  if (fd < 0) return fail(env, "open: raw ICMPv6 socket", errno);
  int hops = 255, off = 0;
  struct icmp6_filter filter;
  ICMP6_FILTER_SETBLOCKALL(&filter);
  ICMP6_FILTER_SETPASS(ND_ROUTER_SOLICIT, &filter);
  const char *step = NULL;
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)len) != 0) step = "open: bind to the interface";
  else if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) != 0 ||
           setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof hops) != 0)
    step = "open: hop limit 255";
  else if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof off) != 0) step = "open: multicast loopback off";
  else if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter) != 0) step = "open: ICMPv6 filter";
  else {
    /* A host (forwarding off) is not in the all-routers group, so solicitations to ff02::2 would be
     * dropped before any socket saw them. */
    struct ipv6_mreq mreq;
    memset(&mreq, 0, sizeof mreq);
    inet_pton(AF_INET6, "ff02::2", &mreq.ipv6mr_multiaddr);
    mreq.ipv6mr_interface = if_nametoindex(ifname);
    if (mreq.ipv6mr_interface == 0) step = "open: interface index";
    else if (setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mreq, sizeof mreq) != 0) step = "open: join ff02::2 (all routers)";
  }
  if (step) {
    int err = errno;
    close(fd);
    return fail(env, step, err);
  }
  napi_value out;
  napi_create_int32(env, fd, &out);
  return out;
}

static napi_value send_ra(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  int fd;
  uint32_t ifindex;
  void *data = NULL;
  size_t len = 0;
  bool is_buffer = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 3 || !get_fd(env, argv[0], &fd) ||
      napi_get_value_uint32(env, argv[1], &ifindex) != napi_ok || ifindex == 0 ||
      napi_is_buffer(env, argv[2], &is_buffer) != napi_ok || !is_buffer ||
      napi_get_buffer_info(env, argv[2], &data, &len) != napi_ok || len < 8 || len > 1280)
    return fail(env, "send: expects (fd, interface index, 8-1280 byte Buffer)", 0);
  struct sockaddr_in6 to;
  memset(&to, 0, sizeof to);
  to.sin6_family = AF_INET6;
  to.sin6_scope_id = ifindex;
  inet_pton(AF_INET6, "ff02::1", &to.sin6_addr);
  if (sendto(fd, data, len, 0, (struct sockaddr *)&to, sizeof to) < 0) return fail(env, "send", errno);
  return NULL;
}

static napi_value recv_one(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int fd;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 || !get_fd(env, argv[0], &fd))
    return fail(env, "recv: expects an fd", 0);
  unsigned char buf[1500];
  struct sockaddr_in6 from;
  socklen_t fromlen = sizeof from;
  ssize_t n = recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fromlen);
  napi_value out;
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
      napi_get_null(env, &out);
      return out;
    }
    return fail(env, "recv", errno);
  }
  char text[INET6_ADDRSTRLEN] = "";
  inet_ntop(AF_INET6, &from.sin6_addr, text, sizeof text);
  napi_value addr, bytes;
  void *copy;
  napi_create_object(env, &out);
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &addr);
  napi_create_buffer_copy(env, (size_t)n, buf, &copy, &bytes);
  napi_set_named_property(env, out, "from", addr);
  napi_set_named_property(env, out, "bytes", bytes);
  return out;
}

static napi_value close_socket(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int fd;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 || !get_fd(env, argv[0], &fd))
    return fail(env, "close: expects an fd", 0);
  close(fd);
  return NULL;
}

static int export_fn(napi_env env, napi_value exports, const char *name, napi_callback fn) {
  napi_value v;
  return napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &v) == napi_ok && napi_set_named_property(env, exports, name, v) == napi_ok;
}

NAPI_MODULE_INIT() {
  if (!export_fn(env, exports, "open", open_socket) || !export_fn(env, exports, "send", send_ra) ||
      !export_fn(env, exports, "recv", recv_one) || !export_fn(env, exports, "close", close_socket))
    return NULL;
  return exports;
}
