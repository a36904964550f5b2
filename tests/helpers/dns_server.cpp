// A scripted DNS server for wait-http's tests: listens on UDP 127.0.0.1:53 (or --port N) and
// answers A queries for the NAME=IPV4 pairs it is given; other names get "no such name", AAAA
// queries an empty answer. With --silent it reads queries and never answers. Prints "ready" once
// it listens, then one "query NAME TYPE" line per query.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

int main(int argc, char** argv) {
  int port = 53;
  bool silent = false;
  std::map<std::string, in_addr> names;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    size_t equals = arg.find('=');
    if (arg == "--port" && i + 1 < argc) {
      port = std::atoi(argv[++i]);
    } else if (arg == "--silent") {
      silent = true;
    } else if (equals != std::string::npos) {
      in_addr address;
      if (inet_pton(AF_INET, arg.substr(equals + 1).c_str(), &address) != 1) return 2;
      names[arg.substr(0, equals)] = address;
    }
  }
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in self{};
  self.sin_family = AF_INET;
  self.sin_port = htons(static_cast<uint16_t>(port));
  self.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&self), sizeof self) != 0) {
    std::perror("dns_server: bind");
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  while (true) {
    unsigned char message[512];
    sockaddr_in peer{};
    socklen_t peer_length = sizeof peer;
    ssize_t n =
        recvfrom(fd, message, sizeof message, 0, reinterpret_cast<sockaddr*>(&peer), &peer_length);
    if (n < 12) continue;
    // The question: labels up to the root, then type and class.
    std::string name;
    size_t at = 12;
    while (at < static_cast<size_t>(n) && message[at] != 0) {
      if (!name.empty()) name += '.';
      name.append(reinterpret_cast<char*>(message) + at + 1, message[at]);
      at += 1 + message[at];
    }
    at += 5;  // root label, type, class
    if (at > static_cast<size_t>(n)) continue;
    int type = message[at - 3];
    std::printf("query %s %d\n", name.c_str(), type);
    std::fflush(stdout);
    if (silent) continue;
    std::string reply(reinterpret_cast<char*>(message), at);
    reply[2] = static_cast<char>(0x81);  // a reply, recursion desired
    reply[3] = static_cast<char>(0x80);  // recursion available, no error
    reply[6] = reply[7] = reply[8] = reply[9] = reply[10] = reply[11] = 0;
    auto found = names.find(name);
    if (found == names.end()) {
      reply[3] = static_cast<char>(0x83);  // no such name
    } else if (type == 1) {
      reply[7] = 1;
      // Name (a pointer to the question), type A, class IN, TTL 60, four bytes of address.
      const char record[] = {'\xc0', 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4};
      reply.append(record, sizeof record);
      reply.append(reinterpret_cast<const char*>(&found->second), 4);
    }
    sendto(fd, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&peer), peer_length);
  }
}
