// ParseDumpReply on any bytes. The first input byte is the sequence number asked for (so that
// matching and foreign messages both occur); the rest is one datagram, in a buffer of exactly its
// size, so that ASan reports any read past it. Beyond not crashing: every socket read is of a
// family that was asked for, IPv4 addresses carry no stray bytes, and no more sockets come out
// than the datagram has room for.
#include <linux/inet_diag.h>
#include <linux/netlink.h>

#include "check.h"
#include "sock_diag.h"
#include "socket_headers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::span<const unsigned char> datagram(data + 1, size - 1);
  std::vector<linger::TcpSocket> sockets;
  linger::Result<bool> done = linger::ParseDumpReply(datagram, data[0], sockets);
  if (!done.ok()) {
    fuzz::Check(!done.error().message.empty(), "an error without a reason");
    return 0;
  }
  const size_t room = datagram.size() / (sizeof(nlmsghdr) + sizeof(inet_diag_msg));
  fuzz::Check(sockets.size() <= room, "{} sockets from {} bytes", sockets.size(), datagram.size());
  for (const linger::TcpSocket& socket : sockets) {
    for (const linger::IpAddress& address : {socket.local, socket.remote}) {
      fuzz::Check(address.family == AF_INET || address.family == AF_INET6, "family {}",
                  address.family);
      if (address.family != AF_INET) continue;
      for (size_t i = 4; i < address.bytes.size(); ++i) {
        fuzz::Check(address.bytes[i] == 0, "IPv4 address with byte {} set", i);
      }
    }
  }
  return 0;
}
