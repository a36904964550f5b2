#include "sock_diag.h"

#include <fmt/format.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "socket_headers.h"

namespace linger {
namespace {

// Netlink pads every message and attribute to 4 bytes (netlink(7)).
constexpr size_t Align4(size_t n) { return (n + 3) & ~size_t{3}; }

// The states worth a look: listeners for their accept queue, and every state in which the peer
// may still send. SYN_SENT is an outgoing connection, TIME_WAIT and CLOSE have no data to come
// and no tcp_info.
constexpr std::uint32_t kWantedStates =
    (1u << kTcpListen) | (1u << kTcpEstablished) | (1u << kTcpSynRecv) | (1u << kTcpFinWait1) |
    (1u << kTcpFinWait2) | (1u << kTcpCloseWait) | (1u << kTcpLastAck) | (1u << kTcpClosing);

// Beyond this many ranges the filter would outgrow the 16-bit jump offsets of its bytecode; the
// caller filters by port anyway, so the kernel then simply sends everything.
constexpr size_t kMaxFilterRanges = 1000;

void AppendOp(std::string& out, std::uint8_t code, std::uint8_t yes, std::uint16_t no) {
  inet_diag_bc_op op{code, yes, no};
  out.append(reinterpret_cast<const char*>(&op), sizeof op);
}

// Bytecode that accepts a socket whose local port lies in one of `ports` (the kernel's
// inet_diag_bc_run). A program accepts when it jumps exactly to its end and rejects when it jumps
// 4 bytes past it. inet_diag_bc_audit walks the "yes" jumps only and insists that every "no"
// lands on an instruction along that walk, so each range is laid out as
//   S_GE low (8 bytes), S_LE high (8 bytes), JMP to the end (4 bytes, omitted in the last range)
// with "yes" always the next instruction and "no" the next range (or the reject offset).
std::string PortFilter(const PortRanges& ports) {
  if (ports.empty() || ports.size() > kMaxFilterRanges) return {};
  constexpr size_t kCompare = 2 * sizeof(inet_diag_bc_op);  // the op and its port operand
  constexpr size_t kJump = sizeof(inet_diag_bc_op);
  const size_t length = ports.size() * (2 * kCompare + kJump) - kJump;
  std::string code;
  code.reserve(length);
  for (size_t i = 0; i < ports.size(); ++i) {
    const bool last = i + 1 == ports.size();
    const size_t left = length - code.size();  // bytes from this range's first op to the end
    // Where a failed comparison goes, relative to it: the next range, or 4 past the end.
    const size_t next = last ? left + 4 : 2 * kCompare + kJump;
    AppendOp(code, INET_DIAG_BC_S_GE, kCompare, static_cast<std::uint16_t>(next));
    AppendOp(code, 0, 0, static_cast<std::uint16_t>(ports[i].first));
    AppendOp(code, INET_DIAG_BC_S_LE, kCompare, static_cast<std::uint16_t>(next - kCompare));
    AppendOp(code, 0, 0, static_cast<std::uint16_t>(ports[i].second));
    if (!last) {
      AppendOp(code, INET_DIAG_BC_JMP, kJump, static_cast<std::uint16_t>(left - 2 * kCompare));
    }
  }
  return code;
}

// Copies a T out of `bytes` at `at`, which the caller has checked holds it: netlink data need not
// be aligned for T, so no reinterpret_cast of the buffer.
template <typename T>
T Read(std::span<const unsigned char> bytes, size_t at) {
  T value;
  std::memcpy(&value, bytes.data() + at, sizeof value);
  return value;
}

Error Malformed(std::string_view what) {
  return Error::Invalid(fmt::format("malformed sock_diag reply: {}", what));
}

IpAddress Address(std::uint8_t family, const __be32 (&words)[4]) {
  IpAddress address;
  address.family = family;
  std::memcpy(address.bytes.data(), words, family == AF_INET ? 4 : 16);
  return address;
}

// Reads one SOCK_DIAG_BY_FAMILY message's payload: inet_diag_msg, then attributes.
Result<std::optional<TcpSocket>> ParseSocket(std::span<const unsigned char> payload) {
  if (payload.size() < sizeof(inet_diag_msg)) return Malformed("socket message too short");
  const auto msg = Read<inet_diag_msg>(payload, 0);
  // Only what was asked for; anything else is not an error, just not ours.
  if (msg.idiag_family != AF_INET && msg.idiag_family != AF_INET6) {
    return std::optional<TcpSocket>();
  }
  TcpSocket socket;
  socket.state = msg.idiag_state;
  socket.local = Address(msg.idiag_family, msg.id.idiag_src);
  socket.local_port = ntohs(msg.id.idiag_sport);
  socket.remote = Address(msg.idiag_family, msg.id.idiag_dst);
  socket.remote_port = ntohs(msg.id.idiag_dport);
  socket.cookie = msg.id.idiag_cookie[0] | std::uint64_t{msg.id.idiag_cookie[1]} << 32;
  socket.rqueue = msg.idiag_rqueue;

  size_t at = Align4(sizeof(inet_diag_msg));
  while (at < payload.size() && payload.size() - at >= sizeof(nlattr)) {
    const auto attribute = Read<nlattr>(payload, at);
    if (attribute.nla_len < sizeof(nlattr) || attribute.nla_len > payload.size() - at) {
      return Malformed("attribute length out of bounds");
    }
    // tcp_info grew over the kernel versions: take the field only when this kernel's has it.
    constexpr size_t kField = offsetof(tcp_info, tcpi_last_data_recv);
    if (attribute.nla_type == INET_DIAG_INFO &&
        attribute.nla_len - sizeof(nlattr) >= kField + sizeof(std::uint32_t)) {
      socket.last_data_recv_ms = Read<std::uint32_t>(payload, at + sizeof(nlattr) + kField);
    }
    at += Align4(attribute.nla_len);
  }
  return std::optional<TcpSocket>(socket);
}

// The error number that NLMSG_ERROR and NLMSG_DONE carry first in their payload, as a message.
Error KernelError(std::string_view what, std::int64_t negative_errno) {
  const int number = negative_errno < -4095 ? 0 : static_cast<int>(-negative_errno);
  if (number == 0) return Error{fmt::format("{}: unknown error", what)};
  return Error::System(what, number);
}

}  // namespace

std::string BuildTcpDumpRequest(int family, std::uint32_t sequence, const PortRanges& ports) {
  const std::string filter = PortFilter(ports);
  inet_diag_req_v2 request{};
  request.sdiag_family = static_cast<std::uint8_t>(family);
  request.sdiag_protocol = IPPROTO_TCP;
  request.idiag_ext = 1 << (INET_DIAG_INFO - 1);
  request.idiag_states = kWantedStates;

  nlattr attribute{};
  attribute.nla_len = static_cast<std::uint16_t>(sizeof attribute + filter.size());
  attribute.nla_type = INET_DIAG_REQ_BYTECODE;

  nlmsghdr header{};
  const size_t body = Align4(sizeof header) + Align4(sizeof request);
  header.nlmsg_len =
      static_cast<std::uint32_t>(body + (filter.empty() ? 0 : Align4(attribute.nla_len)));
  header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  header.nlmsg_seq = sequence;

  std::string message(header.nlmsg_len, '\0');
  std::memcpy(message.data(), &header, sizeof header);
  std::memcpy(message.data() + Align4(sizeof header), &request, sizeof request);
  if (!filter.empty()) {
    std::memcpy(message.data() + body, &attribute, sizeof attribute);
    std::memcpy(message.data() + body + sizeof attribute, filter.data(), filter.size());
  }
  return message;
}

Result<bool> ParseDumpReply(std::span<const unsigned char> datagram, std::uint32_t sequence,
                            std::vector<TcpSocket>& sockets) {
  size_t at = 0;
  while (at < datagram.size()) {
    if (datagram.size() - at < sizeof(nlmsghdr)) return Malformed("truncated message header");
    const auto header = Read<nlmsghdr>(datagram, at);
    if (header.nlmsg_len < sizeof header || header.nlmsg_len > datagram.size() - at) {
      return Malformed("message length out of bounds");
    }
    std::span<const unsigned char> payload =
        datagram.subspan(at + sizeof header, header.nlmsg_len - sizeof header);
    // The last message may end unpadded; the bound check above keeps `at` within the datagram.
    at = std::min(datagram.size(), at + Align4(header.nlmsg_len));
    if (header.nlmsg_seq != sequence) continue;

    if (header.nlmsg_type == NLMSG_ERROR) {
      if (payload.size() < sizeof(std::int32_t)) return Malformed("error message too short");
      const auto error = Read<std::int32_t>(payload, 0);
      if (error == 0) continue;  // an acknowledgement: nothing asked for it, nothing wrong
      return KernelError("sock_diag", error);
    }
    if (header.nlmsg_type == NLMSG_DONE) {
      // The dump's own status follows when the kernel sends one (since Linux 2.6.x it always does).
      if (payload.size() >= sizeof(std::int32_t)) {
        const auto status = Read<std::int32_t>(payload, 0);
        if (status < 0) return KernelError("sock_diag dump", status);
      }
      return true;
    }
    if (header.nlmsg_type != SOCK_DIAG_BY_FAMILY) continue;  // NLMSG_NOOP and the like
    // The table changed under the dump, so sockets may be missing from it (netlink(7)).
    if ((header.nlmsg_flags & NLM_F_DUMP_INTR) != 0) {
      return Error{"sock_diag dump interrupted by a change of the socket table"};
    }
    Result<std::optional<TcpSocket>> socket = ParseSocket(payload);
    if (!socket.ok()) return socket.error();
    if (*socket) sockets.push_back(**socket);
  }
  return false;
}

}  // namespace linger
