// The kernel's table of TCP sockets, as NETLINK_SOCK_DIAG reports it (sock_diag(7)): the dump
// request linger sends, and the reader of the reply. Pure: no I/O. The reply comes from the kernel,
// but it is read as if it came from anyone: no length field is trusted.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "net/ip_address.h"
#include "result.h"

namespace linger {

// The kernel's TCP state numbers (include/net/tcp_states.h), which the dump reports.
enum TcpState : std::uint8_t {
  kTcpEstablished = 1,
  kTcpSynSent = 2,
  kTcpSynRecv = 3,
  kTcpFinWait1 = 4,
  kTcpFinWait2 = 5,
  kTcpTimeWait = 6,
  kTcpClose = 7,
  kTcpCloseWait = 8,
  kTcpLastAck = 9,
  kTcpListen = 10,
  kTcpClosing = 11,
};

// One socket of the dump.
struct TcpSocket {
  std::uint8_t state = 0;  // a TcpState
  IpAddress local;         // family AF_INET or AF_INET6
  std::uint16_t local_port = 0;
  IpAddress remote;  // all zeros for a listener
  std::uint16_t remote_port = 0;
  std::uint64_t cookie = 0;  // the kernel's identity of the socket, stable while it lives
  std::uint32_t rqueue = 0;  // a listener: connections waiting to be accepted; else unread bytes
  // Milliseconds since the connection last received data (tcp_info's tcpi_last_data_recv); absent
  // when the kernel sent no tcp_info (listeners do not need it).
  std::optional<std::uint32_t> last_data_recv_ms;
};

// Inclusive ranges of local ports, as "--ports 8080,8443" gives them.
using PortRanges = std::vector<std::pair<int, int>>;

// One dump request (NLM_F_DUMP of SOCK_DIAG_BY_FAMILY) for the TCP sockets of `family` (AF_INET or
// AF_INET6) that listen or carry a connection, with tcp_info. When `ports` is not empty, the kernel
// itself skips every socket whose local port is outside them, so unrelated sockets cost nothing.
std::string BuildTcpDumpRequest(int family, std::uint32_t sequence, const PortRanges& ports);

// Reads one datagram of the reply to the request numbered `sequence` and appends its sockets to
// `sockets` (one vector for the whole dump, so that a look allocates nothing once it has grown);
// messages of other numbers are skipped. True when NLMSG_DONE was in it: the dump is complete. An
// error reply, an interrupted dump, or a malformed datagram (any length field that points outside
// it or below its minimum) is an error, and nothing is read past the datagram.
Result<bool> ParseDumpReply(std::span<const unsigned char> datagram, std::uint32_t sequence,
                            std::vector<TcpSocket>& sockets);

}  // namespace linger
