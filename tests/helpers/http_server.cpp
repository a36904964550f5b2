// A scripted HTTP server for wait-http's tests. Listens on 127.0.0.1 (or [::1] with --ipv6) on
// --port or an ephemeral port, prints "port N", and answers connection i with the i-th
// behaviour of its list (the last one repeats):
//   200, 503, ...    that status, with "status N" as a Content-Length body
//   chunked:TEXT     200 with TEXT split over several chunks, after filler chunks
//   hang             read the request, never answer, keep the connection open
//   garbage          answer "garbage" and close
//   endless          a status line, then headers until the client gives up
//   early            close in the middle of the headers
//   close            read the request and close without answering
// --requests FILE appends each request's head to FILE. Every 1000th connection prints
// "accepted N".
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

void WriteAll(int fd, const std::string& text) {
  size_t at = 0;
  while (at < text.size()) {
    ssize_t n = write(fd, text.data() + at, text.size() - at);
    if (n <= 0) return;  // the client went away: that is its right
    at += static_cast<size_t>(n);
  }
}

// Reads up to the empty line that ends the request head; "" when the client closed first.
std::string ReadHead(int fd) {
  std::string head;
  char c;
  while (head.find("\r\n\r\n") == std::string::npos && read(fd, &c, 1) == 1) head.push_back(c);
  return head.find("\r\n\r\n") == std::string::npos ? "" : head;
}

int Fail(const char* what) {
  std::perror(what);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  bool ipv6 = false;
  int port = 0;
  const char* requests = nullptr;
  std::vector<std::string> script;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--ipv6") {
      ipv6 = true;
    } else if (arg == "--port" && i + 1 < argc) {
      port = std::atoi(argv[++i]);
    } else if (arg == "--requests" && i + 1 < argc) {
      requests = argv[++i];
    } else {
      script.push_back(arg);
    }
  }
  if (script.empty()) script.push_back("200");

  int listener = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0) return Fail("socket");
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_storage storage{};
  socklen_t length;
  if (ipv6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_addr = in6addr_loopback;
    in6->sin6_port = htons(static_cast<uint16_t>(port));
    length = sizeof *in6;
  } else {
    auto* in = reinterpret_cast<sockaddr_in*>(&storage);
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    in->sin_port = htons(static_cast<uint16_t>(port));
    length = sizeof *in;
  }
  if (bind(listener, reinterpret_cast<sockaddr*>(&storage), length) != 0) return Fail("bind");
  if (listen(listener, 128) != 0) return Fail("listen");
  if (getsockname(listener, reinterpret_cast<sockaddr*>(&storage), &length) != 0) {
    return Fail("getsockname");
  }
  port = ntohs(ipv6 ? reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port
                    : reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
  std::printf("port %d\n", port);
  std::fflush(stdout);

  std::vector<int> hanging;  // kept open so that the client sees no end
  for (size_t count = 1;; ++count) {
    int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    if (count % 1000 == 0) {
      std::printf("accepted %zu\n", count);
      std::fflush(stdout);
    }
    const std::string& behaviour = script[std::min(count, script.size()) - 1];
    std::string head = ReadHead(fd);
    if (requests != nullptr && !head.empty()) {
      if (std::FILE* file = std::fopen(requests, "a")) {
        std::fputs(head.c_str(), file);
        std::fclose(file);
      }
    }
    bool head_request = head.rfind("HEAD ", 0) == 0;
    if (behaviour == "hang") {
      hanging.push_back(fd);
      continue;
    }
    if (behaviour == "garbage") {
      WriteAll(fd, "garbage\r\n\r\n");
    } else if (behaviour == "endless") {
      std::string lines = "HTTP/1.1 200 OK\r\n";
      for (int i = 0; i < 100; ++i) lines += "X-Endless: 0123456789abcdef0123456789abcdef\r\n";
      WriteAll(fd, lines.substr(0, 17));
      // Until the client closes: then write fails and the loop ends.
      while (write(fd, lines.data() + 17, lines.size() - 17) > 0) {
      }
    } else if (behaviour == "early") {
      WriteAll(fd, "HTTP/1.1 200 OK\r\nContent-Le");
    } else if (behaviour.rfind("chunked:", 0) == 0) {
      std::string text = behaviour.substr(8);
      std::string body = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfill-\r\n";
      for (size_t at = 0; at < text.size(); at += 3) {
        std::string piece = text.substr(at, 3);
        char size[16];
        std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
        body += size + piece + "\r\n";
      }
      WriteAll(fd, body + "0\r\n\r\n");
    } else if (behaviour != "close") {
      std::string text = "status " + behaviour + "\n";
      WriteAll(fd, "HTTP/1.1 " + behaviour + " Scripted\r\nContent-Length: " +
                       std::to_string(text.size()) + "\r\n\r\n" + (head_request ? "" : text));
    }
    close(fd);
  }
}
