#include "ready_server.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <limits.h>
#include <linux/tcp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "log.h"
#include "net/attempts.h"
#include "net/http.h"
#include "net/resolver.h"
#include "socket_headers.h"

namespace linger {

Result<void> ReadyServer::Listen() {
  auto failed = [&](std::string_view call) {
    return Error::System(fmt::format("cannot listen on the ready port {}: {}", options_.port, call),
                         errno);
  };
  const auto port = htons(static_cast<std::uint16_t>(options_.port));
  sockaddr_storage address{};
  socklen_t length = 0;
  // One IPv6 socket that takes IPv4 too; a kernel without IPv6 gets an IPv4 one.
  UniqueFd fd(socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (fd) {
    auto& in6 = reinterpret_cast<sockaddr_in6&>(address);
    in6.sin6_family = AF_INET6;
    in6.sin6_port = port;
    length = sizeof in6;
    // Off whatever net.ipv6.bindv6only says, so that IPv4 checks reach it as well.
    int off = 0;
    if (setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) != 0) {
      return failed("IPV6_V6ONLY");
    }
  } else if (errno == EAFNOSUPPORT) {
    fd = UniqueFd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) return failed("socket");
    auto& in = reinterpret_cast<sockaddr_in&>(address);
    in.sin_family = AF_INET;
    in.sin_port = port;
    length = sizeof in;
  } else {
    return failed("socket");
  }
  // A restarted linger finds the connections of the previous one's checks in TIME_WAIT.
  int on = 1;
  if (setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0) {
    return failed("SO_REUSEADDR");
  }
  if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), length) != 0) {
    return failed("bind");
  }
  if (listen(fd.get(), 128) != 0) return failed("listen");
  listener_ = std::move(fd);
  connections_ = std::vector<Connection>(kMaxConnections);
  return {};
}

std::uint64_t ReadyServer::Opens() const {
  // On a listener, tcpi_unacked is the length of the accept queue (tcp_get_info): connections
  // that PassiveOpens already counts and that linger has not accepted yet.
  tcp_info info{};
  socklen_t size = sizeof info;
  if (getsockopt(listener_.get(), IPPROTO_TCP, TCP_INFO, &info, &size) != 0) return accepted_;
  return accepted_ + info.tcpi_unacked;
}

std::string ReadyServer::Drain(Clock::time_point now) {
  drain_at_ = DeadlineAfter(now, options_.fail_after);
  const bool now_on = options_.fail_after == Duration{};
  return fmt::format("; ready port {} answers 503 {}{}", options_.port,
                     now_on ? "from now on" : "in ",
                     now_on ? std::string() : FormatDuration(options_.fail_after));
}

size_t ReadyServer::Watch(std::span<pollfd> fds) const {
  size_t n = 0;
  if (open_ < kMaxConnections && !accept_paused_until_) fds[n++] = {listener_.get(), POLLIN, 0};
  for (const Connection& connection : connections_) {
    if (!connection.fd) continue;
    switch (connection.stage) {
      case Connection::Stage::kReading:
        fds[n++] = {connection.fd.get(), POLLIN, 0};
        break;
      case Connection::Stage::kChecking:
        fds[n++] = {connection.check.get(), POLLIN, 0};
        break;
      case Connection::Stage::kWriting:
        fds[n++] = {connection.fd.get(), POLLOUT, 0};
        break;
      case Connection::Stage::kDone:
        break;
    }
  }
  return n;
}

std::optional<ReadyServer::Clock::time_point> ReadyServer::NextDeadline() const {
  std::optional<Clock::time_point> next = accept_paused_until_;
  for (const Connection& connection : connections_) {
    if (connection.fd && (!next || connection.deadline < *next)) next = connection.deadline;
  }
  return next;
}

void ReadyServer::Serve(std::span<const pollfd> polled, Clock::time_point now) {
  if (accept_paused_until_ && now >= *accept_paused_until_) accept_paused_until_.reset();
  // Everything here is non-blocking, so a descriptor number that was reused since the poll only
  // costs a read that finds nothing.
  for (const pollfd& p : polled) {
    if (p.revents == 0) continue;
    if (p.fd == listener_.get()) {
      Accept(now);
      continue;
    }
    for (Connection& connection : connections_) {
      if (connection.fd.get() == p.fd || connection.check.get() == p.fd) {
        Step(connection, now);
        break;
      }
    }
  }
  for (Connection& connection : connections_) {
    if (connection.fd &&
        (connection.stage == Connection::Stage::kDone || now >= connection.deadline)) {
      connection = Connection();
      --open_;
    }
  }
}

void ReadyServer::Accept(Clock::time_point now) {
  while (open_ < kMaxConnections) {
    int fd = accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      // Out of descriptors or memory: the connection stays queued and the listener readable, so
      // polling it again at once would spin.
      LogWarn("ready port {}: accept: {}", options_.port, std::strerror(errno));
      accept_paused_until_ = now + std::chrono::seconds(1);
      return;
    }
    ++accepted_;
    ++open_;
    Connection& connection = *std::find_if(connections_.begin(), connections_.end(),
                                           [](const Connection& slot) { return !slot.fd; });
    connection.fd = UniqueFd(fd);
    connection.deadline = now + kConnectionTime;
    Step(connection, now);
  }
}

void ReadyServer::Step(Connection& connection, Clock::time_point now) {
  switch (connection.stage) {
    case Connection::Stage::kReading:
      Read(connection, now);
      break;
    case Connection::Stage::kChecking:
      ReadCheck(connection, now);
      break;
    case Connection::Stage::kWriting:
      Write(connection);
      break;
    case Connection::Stage::kDone:
      break;
  }
}

void ReadyServer::Read(Connection& connection, Clock::time_point now) {
  char buffer[2048];
  while (connection.stage == Connection::Stage::kReading) {
    ssize_t n = recv(connection.fd.get(), buffer, sizeof buffer, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) {
      connection.stage = Connection::Stage::kDone;  // gone before a whole request
      return;
    }
    switch (connection.request.Feed({buffer, static_cast<size_t>(n)})) {
      case RequestReader::State::kComplete:
        StartCheck(connection, now);
        break;
      case RequestReader::State::kBad:
        Respond(connection, BadRequestAnswer(), now);
        break;
      case RequestReader::State::kReading:
        break;
    }
  }
}

void ReadyServer::StartCheck(Connection& connection, Clock::time_point now) {
  // Once draining, the answer is 503 whatever the app says, and asking it would be traffic.
  if (!options_.url || Draining(now)) {
    return Respond(connection, ChooseAnswer(Draining(now), std::nullopt), now);
  }
  auto cannot = [&](std::string_view call) {
    AppReadiness app{false, fmt::format("cannot ask the app: {}: {}", call, std::strerror(errno))};
    Respond(connection, ChooseAnswer(false, app), now);
  };
  // The check runs in a child process with the blocking code of wait-http (name lookup,
  // connect, request, response), which may take up to kCheckTime; the supervisor only waits
  // for the pipe.
  int ends[2];
  if (pipe2(ends, O_CLOEXEC | O_NONBLOCK) != 0) return cannot("pipe2");
  UniqueFd read_end(ends[0]);
  UniqueFd write_end(ends[1]);
  pid_t pid = fork();
  if (pid < 0) return cannot("fork");
  if (pid == 0) RunCheck(write_end.get());
  // The child is reaped with every other child by the supervisor's waitpid(-1) loop.
  connection.check = std::move(read_end);
  connection.stage = Connection::Stage::kChecking;
  connection.deadline = now + kConnectionTime;
}

void ReadyServer::RunCheck(int out) const {
  // The child holds copies of every check connection: closed here, a connection that the parent
  // closes ends at once, not when this process exits.
  close(listener_.get());
  for (const Connection& connection : connections_) {
    close(connection.fd.get());
    if (connection.check) close(connection.check.get());
  }
  Probe probe;
  probe.url = *options_.url;
  probe.request = BuildRequest("GET", probe.url, {});
  probe.statuses = IntList({{200, 399}});
  Resolver resolver;
  AttemptResult result = RunAttempt(probe, resolver, Clock::now() + kCheckTime, -1);
  std::string report = result.ok() ? "1" + *result : "0" + result.error().message;
  // One write below PIPE_BUF is atomic and fits the empty pipe.
  ssize_t written = write(out, report.data(), std::min<size_t>(report.size(), PIPE_BUF));
  _exit(written > 0 ? 0 : 1);
}

void ReadyServer::ReadCheck(Connection& connection, Clock::time_point now) {
  char buffer[PIPE_BUF];
  while (true) {
    ssize_t n = read(connection.check.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) break;  // the child has exited
    connection.checked.append(buffer, std::min<size_t>(static_cast<size_t>(n), PIPE_BUF));
  }
  connection.check.Reset();
  AppReadiness app{false, "the check ended without an answer"};
  if (!connection.checked.empty()) {
    app = {connection.checked.front() == '1', connection.checked.substr(1)};
  }
  Respond(connection, ChooseAnswer(Draining(now), app), now);
}

void ReadyServer::Respond(Connection& connection, const ReadyAnswer& answer,
                          Clock::time_point now) {
  connection.response = FormatAnswer(answer, connection.request.head_method());
  connection.sent = 0;
  connection.stage = Connection::Stage::kWriting;
  connection.deadline = std::max(connection.deadline, now + std::chrono::seconds(1));
  Write(connection);
}

void ReadyServer::Write(Connection& connection) {
  while (connection.sent < connection.response.size()) {
    // MSG_NOSIGNAL: a checker that went away must not be a SIGPIPE for linger.
    ssize_t n = send(connection.fd.get(), connection.response.data() + connection.sent,
                     connection.response.size() - connection.sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0) break;
    connection.sent += static_cast<size_t>(n);
  }
  connection.stage = Connection::Stage::kDone;
}

}  // namespace linger
