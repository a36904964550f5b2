#include "sock_diag.h"

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "catch.h"
#include "socket_headers.h"

using linger::BuildTcpDumpRequest;
using linger::ParseDumpReply;
using linger::PortRanges;

namespace {

using Bytes = std::vector<unsigned char>;

template <typename T>
void Append(Bytes& out, const T& value) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(&value);
  out.insert(out.end(), bytes, bytes + sizeof value);
}

void Pad(Bytes& out) {
  while (out.size() % 4 != 0) out.push_back(0);
}

// One netlink message of `type` around `payload`.
Bytes Message(std::uint16_t type, std::uint32_t sequence, const Bytes& payload,
              std::uint16_t flags = NLM_F_MULTI) {
  nlmsghdr header{};
  header.nlmsg_len = static_cast<std::uint32_t>(sizeof header + payload.size());
  header.nlmsg_type = type;
  header.nlmsg_flags = flags;
  header.nlmsg_seq = sequence;
  Bytes out;
  Append(out, header);
  out.insert(out.end(), payload.begin(), payload.end());
  Pad(out);
  return out;
}

// A socket message as the kernel sends it, with a tcp_info of `info_bytes` when not 0.
Bytes SocketPayload(std::uint8_t family, std::uint8_t state, const char* local,
                    std::uint16_t local_port, const char* remote, std::uint16_t remote_port,
                    std::uint32_t rqueue, std::uint32_t last_data_recv,
                    size_t info_bytes = sizeof(tcp_info)) {
  inet_diag_msg msg{};
  msg.idiag_family = family;
  msg.idiag_state = state;
  msg.id.idiag_sport = htons(local_port);
  msg.id.idiag_dport = htons(remote_port);
  inet_pton(family, local, msg.id.idiag_src);
  inet_pton(family, remote, msg.id.idiag_dst);
  msg.id.idiag_cookie[0] = 0x1234;
  msg.id.idiag_cookie[1] = 0x1;
  msg.idiag_rqueue = rqueue;
  Bytes out;
  Append(out, msg);
  if (info_bytes != 0) {
    tcp_info info{};
    info.tcpi_last_data_recv = last_data_recv;
    nlattr attribute{static_cast<std::uint16_t>(sizeof(nlattr) + info_bytes), INET_DIAG_INFO};
    Append(out, attribute);
    const auto* bytes = reinterpret_cast<const unsigned char*>(&info);
    out.insert(out.end(), bytes, bytes + info_bytes);
    Pad(out);
  }
  return out;
}

Bytes Done(std::uint32_t sequence, std::int32_t status = 0) {
  Bytes payload;
  Append(payload, status);
  return Message(NLMSG_DONE, sequence, payload);
}

Bytes Concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

// The kernel's bytecode checker and interpreter (inet_diag_bc_audit and inet_diag_bc_run in
// net/ipv4/inet_diag.c), for the port comparisons and jumps linger uses: true when `port` passes.
// Also fails the test when the checker would refuse the program.
bool KernelAccepts(const std::string& code, int port) {
  const auto* ops = reinterpret_cast<const unsigned char*>(code.data());
  auto op = [&](long at) {
    inet_diag_bc_op value;
    std::memcpy(&value, ops + at, sizeof value);
    return value;
  };
  // The audit walks the "yes" jumps; every "no" must land on an instruction of that walk.
  const long total = static_cast<long>(code.size());
  std::vector<long> starts;
  for (long at = 0; at < total;) {
    starts.push_back(at);
    inet_diag_bc_op current = op(at);
    REQUIRE((current.code == INET_DIAG_BC_S_GE || current.code == INET_DIAG_BC_S_LE ||
             current.code == INET_DIAG_BC_JMP));
    const long min = current.code == INET_DIAG_BC_JMP ? 4 : 8;
    REQUIRE(current.yes >= min);
    REQUIRE(current.yes <= total - at + 4);
    REQUIRE(current.no >= min);
    REQUIRE(current.no <= total - at + 4);
    REQUIRE(current.no % 4 == 0);
    at += current.yes;
    REQUIRE(at <= total);
  }
  for (long at : starts) {
    const long target = at + op(at).no;
    if (target < total) REQUIRE(std::find(starts.begin(), starts.end(), target) != starts.end());
  }
  long at = 0;
  while (at < total) {
    inet_diag_bc_op current = op(at);
    bool yes = false;
    if (current.code == INET_DIAG_BC_S_GE) yes = port >= op(at + 4).no;
    if (current.code == INET_DIAG_BC_S_LE) yes = port <= op(at + 4).no;
    at += yes ? current.yes : current.no;
  }
  return at == total;
}

// The bytecode of a request built for `ports`.
std::string Filter(const PortRanges& ports) {
  std::string request = BuildTcpDumpRequest(AF_INET, 1, ports);
  const size_t at = NLMSG_ALIGN(sizeof(nlmsghdr)) + sizeof(inet_diag_req_v2);
  if (request.size() == at) return {};
  nlattr attribute;
  std::memcpy(&attribute, request.data() + at, sizeof attribute);
  CHECK(attribute.nla_type == INET_DIAG_REQ_BYTECODE);
  CHECK(at + attribute.nla_len == request.size());
  return request.substr(at + sizeof attribute, attribute.nla_len - sizeof attribute);
}

}  // namespace

TEST_CASE("the dump request asks for TCP listeners and connections with tcp_info") {
  std::string request = BuildTcpDumpRequest(AF_INET6, 42, {});
  REQUIRE(request.size() == NLMSG_ALIGN(sizeof(nlmsghdr)) + sizeof(inet_diag_req_v2));
  nlmsghdr header;
  std::memcpy(&header, request.data(), sizeof header);
  CHECK(header.nlmsg_len == request.size());
  CHECK(header.nlmsg_type == SOCK_DIAG_BY_FAMILY);
  CHECK(header.nlmsg_flags == (NLM_F_REQUEST | NLM_F_DUMP));
  CHECK(header.nlmsg_seq == 42);
  inet_diag_req_v2 body;
  std::memcpy(&body, request.data() + sizeof header, sizeof body);
  CHECK(body.sdiag_family == AF_INET6);
  CHECK(body.sdiag_protocol == IPPROTO_TCP);
  CHECK(body.idiag_ext == 1 << (INET_DIAG_INFO - 1));
  for (int state : {linger::kTcpListen, linger::kTcpEstablished, linger::kTcpCloseWait}) {
    CHECK((body.idiag_states & (1u << state)) != 0);
  }
  for (int state : {linger::kTcpTimeWait, linger::kTcpSynSent, linger::kTcpClose}) {
    CHECK((body.idiag_states & (1u << state)) == 0);
  }
}

TEST_CASE("the port filter passes the kernel's checker and keeps exactly the listed ports") {
  const PortRanges cases[] = {
      {{8080, 8080}}, {{80, 80}, {8080, 8443}}, {{1, 1}, {443, 443}, {8000, 8010}, {65535, 65535}}};
  for (const PortRanges& ports : cases) {
    std::string code = Filter(ports);
    REQUIRE(!code.empty());
    for (int port = 0; port <= 65535; port += port < 9000 ? 1 : 97) {
      bool listed = false;
      for (auto [low, high] : ports) listed |= port >= low && port <= high;
      INFO(port);
      CHECK(KernelAccepts(code, port) == listed);
    }
    CHECK(KernelAccepts(code, 65535) == (ports.back().second == 65535));
  }
}

TEST_CASE("the dump reply gives each socket's addresses, queue and last receive") {
  Bytes datagram = Concat({
      Message(SOCK_DIAG_BY_FAMILY, 7,
              SocketPayload(AF_INET, linger::kTcpListen, "0.0.0.0", 8080, "0.0.0.0", 0, 3, 0, 0)),
      Message(SOCK_DIAG_BY_FAMILY, 7,
              SocketPayload(AF_INET6, linger::kTcpEstablished, "::ffff:10.0.0.5", 8080, "fd00::7",
                            41000, 0, 1500)),
      Message(SOCK_DIAG_BY_FAMILY, 8,  // another request's: skipped
              SocketPayload(AF_INET, linger::kTcpEstablished, "1.1.1.1", 1, "2.2.2.2", 2, 0, 0)),
  });
  std::vector<linger::TcpSocket> sockets;
  auto done = ParseDumpReply(datagram, 7, sockets);
  REQUIRE(done.ok());
  CHECK_FALSE(*done);
  REQUIRE(sockets.size() == 2);
  const linger::TcpSocket& listener = sockets[0];
  CHECK(listener.state == linger::kTcpListen);
  CHECK(listener.local == *linger::ParseIpAddress("0.0.0.0"));
  CHECK(listener.local_port == 8080);
  CHECK(listener.rqueue == 3);
  CHECK_FALSE(listener.last_data_recv_ms.has_value());
  const linger::TcpSocket& connection = sockets[1];
  CHECK(connection.local == *linger::ParseIpAddress("::ffff:10.0.0.5"));
  CHECK(connection.remote == *linger::ParseIpAddress("fd00::7"));
  CHECK(connection.remote_port == 41000);
  CHECK(connection.cookie == 0x100001234);
  CHECK(connection.last_data_recv_ms == 1500u);

  // A second datagram appends to the same dump.
  auto last = ParseDumpReply(Concat({datagram, Done(7)}), 7, sockets);
  REQUIRE(last.ok());
  CHECK(*last);
  CHECK(sockets.size() == 4);
}

TEST_CASE("a tcp_info too short for the field (an old kernel) leaves the last receive unknown") {
  constexpr size_t kShort = offsetof(tcp_info, tcpi_last_data_recv) + 2;
  std::vector<linger::TcpSocket> sockets;
  auto done = ParseDumpReply(Message(SOCK_DIAG_BY_FAMILY, 1,
                                     SocketPayload(AF_INET, linger::kTcpEstablished, "10.0.0.1", 80,
                                                   "10.0.0.2", 5000, 0, 99, kShort)),
                             1, sockets);
  REQUIRE(done.ok());
  REQUIRE(sockets.size() == 1);
  CHECK_FALSE(sockets[0].last_data_recv_ms.has_value());
}

TEST_CASE("errors in the reply are errors") {
  Bytes error_payload;
  Append(error_payload, std::int32_t{-EACCES});
  Append(error_payload, nlmsghdr{});
  std::vector<linger::TcpSocket> sockets;
  auto refused = ParseDumpReply(Message(NLMSG_ERROR, 3, error_payload), 3, sockets);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message == std::string("sock_diag: ") + std::strerror(EACCES));

  auto failed = ParseDumpReply(Done(3, -ENOBUFS), 3, sockets);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().message.find(std::strerror(ENOBUFS)) != std::string::npos);

  auto interrupted = ParseDumpReply(
      Message(SOCK_DIAG_BY_FAMILY, 3,
              SocketPayload(AF_INET, linger::kTcpListen, "0.0.0.0", 80, "0.0.0.0", 0, 0, 0, 0),
              NLM_F_MULTI | NLM_F_DUMP_INTR),
      3, sockets);
  CHECK_FALSE(interrupted.ok());
}

TEST_CASE("cut, lying and misaligned lengths are refused without reading past the datagram") {
  const Bytes whole = Concat({
      Message(
          SOCK_DIAG_BY_FAMILY, 5,
          SocketPayload(AF_INET, linger::kTcpEstablished, "10.0.0.1", 80, "10.0.0.2", 5000, 0, 10)),
      Done(5),
  });
  std::vector<linger::TcpSocket> sockets;
  REQUIRE(ParseDumpReply(whole, 5, sockets).ok());
  // Every cut copied into a buffer of exactly its size, so that ASan sees any read beyond it.
  for (size_t size = 0; size < whole.size(); ++size) {
    Bytes cut(whole.begin(), whole.begin() + static_cast<long>(size));
    auto done = ParseDumpReply(cut, 5, sockets);
    INFO(size);
    if (done.ok()) CHECK_FALSE(*done);
  }
  // The message length and the attribute length, each set to every value that lies.
  const size_t attribute_at = sizeof(nlmsghdr) + sizeof(inet_diag_msg);
  for (std::uint32_t length : {0u, 1u, 15u, 17u, 100u, 0xffffu, 0xffffffffu}) {
    Bytes lying = whole;
    std::memcpy(lying.data(), &length, sizeof length);
    (void)ParseDumpReply(lying, 5, sockets);
  }
  for (int length : {0, 1, 3, 5, 0x7fff, 0xffff}) {
    Bytes lying = whole;
    const auto value = static_cast<std::uint16_t>(length);
    std::memcpy(lying.data() + attribute_at, &value, sizeof value);
    CHECK_FALSE(ParseDumpReply(lying, 5, sockets).ok());
  }
  // Netlink data need not be aligned in memory for the reader.
  Bytes shifted(whole.size() + 1);
  std::copy(whole.begin(), whole.end(), shifted.begin() + 1);
  sockets.clear();
  auto done = ParseDumpReply(std::span(shifted).subspan(1), 5, sockets);
  REQUIRE(done.ok());
  CHECK(*done);
  CHECK(sockets.size() == 1);
}
