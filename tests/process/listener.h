// A listening socket of the test itself, for wait-tcp's and wait's tcp:// targets, and ports
// held for the servers a test starts.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "catch.h"

namespace test {

// A TCP socket on the loopback of `family`, bound to `port` (0: any), listening unless told not.
class Listener {
 public:
  explicit Listener(int family = AF_INET, int port = 0, bool listening = true)
      : fd_(socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    REQUIRE(fd_ >= 0);
    int on = 1;
    REQUIRE(setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == 0);
    sockaddr_storage address{};
    socklen_t length = 0;
    if (family == AF_INET) {
      auto& in = reinterpret_cast<sockaddr_in&>(address);
      in.sin_family = AF_INET;
      in.sin_port = htons(static_cast<uint16_t>(port));
      in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      length = sizeof in;
    } else {
      auto& in6 = reinterpret_cast<sockaddr_in6&>(address);
      in6.sin6_family = AF_INET6;
      in6.sin6_port = htons(static_cast<uint16_t>(port));
      in6.sin6_addr = in6addr_loopback;
      length = sizeof in6;
    }
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&address), length) == 0);
    if (listening) REQUIRE(listen(fd_, 16) == 0);
    REQUIRE(getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in&>(address).sin_port
                                    : reinterpret_cast<sockaddr_in6&>(address).sin6_port);
  }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  ~Listener() { close(fd_); }
  // Starts listening, for a Listener made without.
  void Listen() const { REQUIRE(listen(fd_, 16) == 0); }
  int port() const { return port_; }
  // Accepts one connection and returns how many bytes it carried before its end.
  ssize_t BytesOfNextConnection() const {
    int connection = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    REQUIRE(connection >= 0);
    char buffer[64];
    ssize_t n = read(connection, buffer, sizeof buffer);
    close(connection);
    return n;
  }

 private:
  int fd_;
  int port_ = 0;
};

// A loopback port for a server that the test starts (linger's ready port, a helper, nginx), held
// for as long as this lives: bound but not listening, so connects to it are refused and nothing
// else on the machine can take it in between. A server that sets SO_REUSEADDR, as those do, can
// still listen on it.
inline Listener ReservedPort() { return Listener(AF_INET, 0, false); }

}  // namespace test
