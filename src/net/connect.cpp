#include "net/connect.h"

#include <fmt/format.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "socket_headers.h"
#include "wait_for.h"

namespace linger {
namespace {

using Clock = std::chrono::steady_clock;

// RFC 8305's Connection Attempt Delay: how long one connect has alone before the next address
// starts its own beside it. Waiting for each in turn, an address whose SYNs vanish would spend the
// whole attempt and the addresses after it would never get theirs. Shorter when the attempt's
// budget cannot give every address its turn otherwise, but no less than the RFC's floor.
constexpr auto kStagger = std::chrono::milliseconds(250);
constexpr auto kShortestStagger = std::chrono::milliseconds(10);

socklen_t ToSockaddr(const IpAddress& address, std::uint16_t port, sockaddr_storage& storage) {
  storage = {};
  if (address.family == AF_INET) {
    auto& in = reinterpret_cast<sockaddr_in&>(storage);
    in.sin_family = AF_INET;
    in.sin_port = htons(port);
    std::memcpy(&in.sin_addr, address.bytes.data(), 4);
    return sizeof in;
  }
  auto& in6 = reinterpret_cast<sockaddr_in6&>(storage);
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(port);
  std::memcpy(&in6.sin6_addr, address.bytes.data(), 16);
  return sizeof in6;
}

// One connect under way.
struct Pending {
  UniqueFd fd;
  size_t index;  // its address's
};

// Why no address accepted, from what happened at each (`why`, in the order they were tried; ""
// for those whose turn never came): a reason that is the same on every attempt that fails alike.
// Timed out when the deadline ended the last connects.
Error Failures(const std::vector<std::string>& why, bool timed_out) {
  std::string failures;
  size_t untried = 0;
  for (const std::string& one : why) {
    if (one.empty()) {
      ++untried;
    } else {
      failures += (failures.empty() ? "" : "; ") + one;
    }
  }
  if (untried > 0) {
    failures += fmt::format("; {} more address{} not tried", untried, untried == 1 ? "" : "es");
  }
  return timed_out ? Error::TimedOut(std::move(failures)) : Error{std::move(failures)};
}

}  // namespace

Result<UniqueFd> StartConnect(const IpAddress& address, std::uint16_t port, int type) {
  UniqueFd fd(socket(address.family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return Error::System("socket", errno);
  sockaddr_storage storage;
  socklen_t length = ToSockaddr(address, port, storage);
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0 &&
      errno != EINPROGRESS) {
    return Error::System("connect to " + FormatEndpoint(address, port), errno);
  }
  return fd;
}

Result<Connection> Connect(const AttemptContext& ctx, std::span<const IpAddress> addresses,
                           std::uint16_t port) {
  std::vector<std::string> why(addresses.size());
  Clock::duration stagger = std::clamp<Clock::duration>(
      (ctx.deadline - Clock::now()) / std::max<size_t>(addresses.size(), 1), kShortestStagger,
      kStagger);
  std::vector<Pending> pending;
  size_t next = 0;
  Clock::time_point next_start = Clock::now();
  while (next < addresses.size() || !pending.empty()) {
    if (next < addresses.size() && (pending.empty() || Clock::now() >= next_start)) {
      size_t index = next++;
      Result<UniqueFd> fd = StartConnect(addresses[index], port, SOCK_STREAM);
      if (fd.ok()) {
        pending.push_back({std::move(*fd), index});
        next_start = Clock::now() + stagger;
      } else {
        why[index] = fd.error().message;
      }
      continue;
    }
    // The stop signals first, then each pending connect, then the wait's own entry.
    std::vector<pollfd> fds = {{ctx.stop_fd, POLLIN, 0}};
    for (const Pending& one : pending) fds.push_back({one.fd.get(), POLLOUT, 0});
    fds.push_back({-1, 0, 0});
    Clock::time_point until = ctx.deadline;
    if (next < addresses.size()) until = std::min(until, next_start);
    // Network waits need no sub-millisecond deadline: coarse, without a timer each.
    WaitEnd end = WaitForAny(fds, until, Precision::kCoarse);
    if (end == WaitEnd::kFailed) return Error::System("ppoll", errno);
    if (end == WaitEnd::kReady && fds[0].revents != 0) {
      return Error::Stopped("stopped while connecting");
    }
    if (end == WaitEnd::kTimedOut) {
      if (Clock::now() < ctx.deadline) continue;  // the next one's turn
      for (const Pending& one : pending) {
        why[one.index] =
            fmt::format("timed out connecting to {}", FormatEndpoint(addresses[one.index], port));
      }
      return Failures(why, true);
    }
    for (size_t i = 0; i < pending.size(); ++i) {
      const pollfd& polled = fds[i + 1];
      if (polled.revents == 0) continue;
      int err = 0;
      socklen_t length = sizeof err;
      if (getsockopt(polled.fd, SOL_SOCKET, SO_ERROR, &err, &length) != 0) err = errno;
      std::string endpoint = FormatEndpoint(addresses[pending[i].index], port);
      if (err == 0) return Connection{std::move(pending[i].fd), std::move(endpoint)};
      why[pending[i].index] = fmt::format("connect to {}: {}", endpoint, std::strerror(err));
      pending[i].fd.Reset();
      // A failure is an answer: the next address need not wait out the stagger.
      next_start = Clock::now();
    }
    std::erase_if(pending, [](const Pending& one) { return !one.fd; });
  }
  return Failures(why, false);
}

}  // namespace linger
