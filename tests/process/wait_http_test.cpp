// linger wait-http against the scripted http_server helper and against nginx, as real processes.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "catch.h"
#include "dns_sandbox.h"
#include "listener.h"
#include "proc.h"
#include "process.h"
#include "scripted_server.h"

using namespace std::chrono_literals;
using test::CheckOneLine;
using test::CheckUsageError;
using test::Contains;
using test::Count;
using test::HasSocket;
using test::Linger;
using test::OpenDescriptors;
using test::Process;
using test::Run;
using Server = test::HttpServer;

TEST_CASE("wait-http exits 0 at once when the endpoint is ready, with a start and an end line") {
  Server server({"200"});
  auto r = Run({Linger(), "wait-http", server.Url("/ready")});
  CHECK(r.status == 0);
  CHECK(r.elapsed < test::kPrompt);
  CHECK(r.out.empty());
  CHECK(test::LineCount(r.err) == 2);
  CHECK(r.err.rfind("linger: waiting for " + server.Url("/ready"), 0) == 0);
  CHECK(Contains(r.err, "linger: " + server.Url("/ready") + " is ready after "));
  CHECK(Contains(r.err, ": HTTP 200 Scripted\n"));
}

TEST_CASE("wait-http polls through 503s until a 200, one line per change of reason") {
  test::TempDir dir;
  std::string requests = dir.path() + "/requests";
  Server server({"--requests", requests, "503", "503", "503", "200"});
  auto r = Run({Linger(), "wait-http", "--interval", "50ms", server.Url()});
  CHECK(r.status == 0);
  CHECK(r.elapsed >= 150ms);
  CHECK(Count(test::ReadFile(requests), "GET / HTTP/1.1\r\n") == 4);
  CHECK(Count(r.err, "not ready: HTTP 503 Scripted") == 1);
  CHECK(test::LineCount(r.err) == 3);
}

TEST_CASE("an endpoint that stays 503 makes wait-http give up with 1 near --timeout") {
  test::TempDir dir;
  std::string requests = dir.path() + "/requests";
  Server server({"--requests", requests, "503"});
  auto r = Run({Linger(), "wait-http", "--timeout", "2s", "--interval", "0", server.Url()});
  CHECK(r.status == 1);
  CHECK(r.elapsed >= 2s);
  CHECK(r.elapsed < 2s + test::kPrompt);
  // Several attempts, few lines: start, the reason once, the end. How many attempts fit in the 2 s
  // is the machine's business; two show that a reason that stays is not repeated.
  CHECK(Count(test::ReadFile(requests), "GET /") >= 2);
  CHECK(test::LineCount(r.err) == 3);
  CHECK(Contains(r.err, "linger: wait-http: gave up on " + server.Url() + " after 2"));
  CHECK(r.err.ends_with(": HTTP 503 Scripted\n"));

  auto quiet =
      Run({Linger(), "wait-http", "--quiet", "--timeout=0.3", "--interval=100ms", server.Url()});
  CHECK(quiet.status == 1);
  CheckOneLine(quiet.err, "linger: wait-http: gave up on ");
}

TEST_CASE("the status list decides which codes are ready") {
  Server server({"404"});
  auto refused =
      Run({Linger(), "wait-http", "--timeout", "0.3", "--interval", "0.1", server.Url()});
  CHECK(refused.status == 1);
  auto accepted = Run({Linger(), "wait-http", "--status", "200-299,404", server.Url()});
  CHECK(accepted.status == 0);
  CHECK(Contains(accepted.err, "HTTP 404 Scripted"));
}

TEST_CASE("connection refused is retried until the server appears") {
  const auto reserved = test::ReservedPort();
  const int port = reserved.port();
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  Process linger({Linger(), "wait-http", "--interval", "50ms", "--timeout", "30s", url});
  REQUIRE(linger.WaitForStderr("Connection refused"));
  Server server({"--port", std::to_string(port), "200"});
  CHECK(linger.Wait(20s) == 0);
  CHECK(Count(linger.Stderr(), "not ready: connect to 127.0.0.1:" + std::to_string(port) +
                                   ": Connection refused") == 1);
}

TEST_CASE("a server that accepts and never answers is cut off by --request-timeout") {
  Server server({"hang", "200"});
  auto r =
      Run({Linger(), "wait-http", "--request-timeout", "300ms", "--interval", "0", server.Url()});
  CHECK(r.status == 0);
  CHECK(r.elapsed >= 300ms);
  CHECK(r.elapsed < 8s);
  CHECK(Contains(r.err, "not ready: timed out waiting for the response from 127.0.0.1:"));

  // Never past the overall deadline, even when one attempt would allow more.
  Server hanging({"hang"});
  auto capped =
      Run({Linger(), "wait-http", "--request-timeout", "1h", "--timeout", "500ms", hanging.Url()});
  CHECK(capped.status == 1);
  CHECK(capped.elapsed >= 500ms);
  CHECK(capped.elapsed < 8s);
}

TEST_CASE("garbage, endless headers and early closes are failed attempts, then it recovers") {
  struct Case {
    const char* behaviour;
    const char* reason;
  };
  const Case cases[] = {
      {"garbage", "not an HTTP/1.x response: 'garbage'"},
      {"endless", "headers exceed 64 KiB"},
      {"early", "connection closed before the end of the headers"},
      {"close", "connection closed without a response"},
  };
  for (const Case& c : cases) {
    INFO(c.behaviour);
    Server server({c.behaviour, c.behaviour, "200"});
    auto r = Run({Linger(), "wait-http", "--interval", "10ms", server.Url()});
    CHECK(r.status == 0);
    CHECK(Count(r.err, std::string("not ready: 127.0.0.1:") + std::to_string(server.port()) + ": " +
                           c.reason) == 1);
  }
}

TEST_CASE("body-contains reads chunked bodies and waits until the text is there") {
  Server server({"chunked:warming-up", "chunked:all-systems-ready"});
  auto r = Run({Linger(), "wait-http", "--interval", "10ms", "--body-contains", "systems-ready",
                server.Url()});
  CHECK(r.status == 0);
  CHECK(Count(r.err, "HTTP 200 OK, but the body does not contain 'systems-ready'") == 1);
  auto never = Run({Linger(), "wait-http", "--timeout", "0.3", "--interval", "0.1",
                    "--body-contains", "nowhere", server.Url()});
  CHECK(never.status == 1);
}

TEST_CASE("the request carries Host, User-Agent, Connection: close and --header as given") {
  test::TempDir dir;
  std::string requests = dir.path() + "/requests";
  Server server({"--requests", requests, "200"});
  REQUIRE(Run({Linger(), "wait-http", server.Url("/ready?x=1")}).status == 0);
  CHECK(test::ReadFile(requests) ==
        "GET /ready?x=1 HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(server.port()) +
            "\r\nUser-Agent: linger/" LINGER_VERSION_FOR_TESTS "\r\nConnection: close\r\n\r\n");
  std::remove(requests.c_str());
  REQUIRE(Run({Linger(), "wait-http", "--header", "Host: api.example.com", "--header",
               "X-Probe: yes", server.Url(), "--header=User-Agent: kube-probe/1.30"})
              .status == 0);
  CHECK(test::ReadFile(requests) ==
        "GET / HTTP/1.1\r\nHost: api.example.com\r\nUser-Agent: kube-probe/1.30\r\n"
        "Connection: close\r\nX-Probe: yes\r\n\r\n");
}

TEST_CASE("method HEAD sends HEAD and reads no body") {
  test::TempDir dir;
  std::string requests = dir.path() + "/requests";
  Server server({"--requests", requests, "200"});
  auto r = Run({Linger(), "wait-http", "--method", "HEAD", server.Url()});
  CHECK(r.status == 0);
  CHECK(test::ReadFile(requests).rfind("HEAD / HTTP/1.1\r\n", 0) == 0);
}

TEST_CASE("wait-http works over IPv6 [::1]") {
  Server server({"--ipv6", "200"});
  auto r = Run({Linger(), "wait-http", "http://[::1]:" + std::to_string(server.port()) + "/"});
  CHECK(r.status == 0);
  CHECK(Contains(r.err, "HTTP 200"));
}

TEST_CASE("wait-http reaches a name's second address while its first drops connection attempts") {
  test::DnsSandbox sandbox("10.77.0.1 multi.test\n127.0.0.1 multi.test\n", "");
  if (!sandbox.skip().empty()) LINGER_SKIP(sandbox.skip());
  sandbox.DropConnections("10.77.0.1");
  Server server({"200"});
  // Each attempt used to spend its whole --request-timeout on the first address: far longer than
  // any machine takes to try the second.
  auto r = Run({Linger(), "wait-http", "--timeout", "60s", "--request-timeout", "30s",
                "http://multi.test:" + std::to_string(server.port()) + "/"});
  CHECK(r.status == 0);
  CHECK(r.elapsed < test::kPrompt);
  CHECK(Contains(r.err, "HTTP 200 Scripted"));
  CHECK_FALSE(Contains(r.err, "not ready"));
}

TEST_CASE("SIGTERM ends wait-http promptly with 143, between attempts and inside one") {
  Server refusing({"503"});
  for (const char* phase : {"between", "inside"}) {
    INFO(phase);
    Server hanging({"hang"});
    std::vector<std::string> argv = {Linger(),     "wait-http", "--timeout",   "0",
                                     "--interval", "1h",        refusing.Url()};
    if (std::string(phase) == "inside") {
      argv = {Linger(), "wait-http", "--timeout", "0", "--request-timeout", "0", hanging.Url()};
    }
    Process p(argv);
    REQUIRE(p.WaitForStderr("waiting for"));
    if (std::string(phase) == "between") REQUIRE(p.WaitForStderr("not ready"));
    // Inside: give it time to connect and start waiting for the answer.
    if (std::string(phase) == "inside") {
      REQUIRE(test::Eventually([&] { return HasSocket(p.pid()); }));
    }
    auto sent = test::Clock::now();
    p.Signal(SIGTERM);
    CHECK(p.Wait(10s) == 143);
    CHECK(test::Clock::now() - sent < test::kPrompt);
    CHECK(Contains(p.Stderr(), "SIGTERM after"));
  }
  for (int sig : {SIGINT, SIGHUP}) {
    Process p({Linger(), "wait-http", "--interval", "1h", refusing.Url()});
    REQUIRE(p.WaitForStderr("not ready"));
    p.Signal(sig);
    CHECK(p.Wait(10s) == 128 + sig);
  }
}

TEST_CASE("10,000 fast failed attempts leave the descriptor count flat") {
  Server server({"503"});
  Process linger(
      {Linger(), "wait-http", "--quiet", "--interval", "0", "--timeout", "0", server.Url()});
  // Sampling starts once linger is well under way, so that its start-up is not counted.
  REQUIRE(server.process().WaitForStdout("accepted 1000", 120s));
  std::vector<size_t> counts;
  bool done = test::Eventually(
      [&] {
        counts.push_back(OpenDescriptors(linger.pid()));
        return Contains(server.process().Stdout(), "accepted 10000");
      },
      300s);
  REQUIRE(done);
  REQUIRE(counts.size() >= 5);
  // What linger inherited and its signalfd, plus the one socket of the attempt in flight; reading
  // /proc/PID/fd while descriptors come and go may see one more. A leak would show thousands.
  auto [low, high] = std::minmax_element(counts.begin(), counts.end());
  INFO("from " << *low << " to " << *high << " descriptors over " << counts.size() << " samples");
  CHECK(*high - *low <= 2);
  linger.Signal(SIGTERM);
  CHECK(linger.Wait(10s) == 143);
}

TEST_CASE("durations near the ~292-year limit do not overflow the monotonic clock") {
  Server ready({"200"});
  const std::string huge = "2562047h";  // beyond the clock's range once up for about an hour
  auto r = Run({Linger(), "wait-http", "--timeout", huge, "--request-timeout", huge, "--interval",
                huge, ready.Url()});
  CHECK(r.status == 0);
  Server failing({"503"});
  Process p({Linger(), "wait-http", "--timeout", huge, "--request-timeout", huge, "--interval",
             huge, failing.Url()});
  REQUIRE(p.WaitForStderr("not ready: HTTP 503"));
  CHECK_FALSE(p.Wait(300ms).has_value());  // waiting, not given up
  p.Signal(SIGTERM);
  CHECK(p.Wait(10s) == 143);
}

TEST_CASE("wait-http execs COMMAND on success, with linger's pid") {
  Server server({"200"});
  Process p({Linger(), "wait-http", server.Url(), "--", "/bin/sh", "-c", "echo $$"});
  REQUIRE(p.Wait(10s) == 0);
  CHECK(p.Stdout() == std::to_string(p.pid()) + "\n");
  auto missing = Run({Linger(), "wait-http", server.Url(), "--", "/nonexistent/app"});
  CHECK(missing.status == 127);
}

TEST_CASE("log sends the progress lines to a file, the final failure to stderr as well") {
  test::TempDir dir;
  std::string log = dir.path() + "/wait.log";
  Server server({"503"});
  auto r = Run({Linger(), "wait-http", "--log", log, "--timeout", "0.2", "--interval", "50ms",
                server.Url()});
  CHECK(r.status == 1);
  CheckOneLine(r.err, "linger: wait-http: gave up on ");
  CHECK(test::LineCount(test::ReadFile(log)) == 3);
}

TEST_CASE("bad URLs and options are usage errors: exit 2, one line naming the value") {
  struct Case {
    std::vector<std::string> args;
    const char* named;
  };
  const Case cases[] = {
      {{"https://user@db/ready"}, "https://user@db/ready"},
      {{"--cacert", "", "https://db/"}, "--cacert"},
      {{"http://user:pw@db/"}, "user:pw@db"},
      {{"http://db/#top"}, "http://db/#top"},
      {{"ftp://db/"}, "ftp://db/"},
      {{"db:8080"}, "db:8080"},
      {{"http://db:99999/"}, "99999"},
      {{}, "missing URL"},
      {{"http://a/", "ftp://b/"}, "ftp://b/"},
      {{"--status", "99", "http://db/"}, "'99'"},
      {{"--status", "2xx", "http://db/"}, "2xx"},
      {{"--timeout", "-1s", "http://db/"}, "-1s"},
      {{"--interval", "soon", "http://db/"}, "soon"},
      {{"--request-timeout", "1m30", "http://db/"}, "1m30"},
      {{"--method", "GE T", "http://db/"}, "GE T"},
      {{"--header", "NoColon", "http://db/"}, "NoColon"},
      {{"--header", "X: a\nb", "http://db/"}, "invalid header"},
      {{"--timeuot", "1s", "http://db/"}, "--timeout"},
      {{"http://db/", "--status"}, "--status"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> argv = {Linger(), "wait-http"};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    INFO(c.named);
    CheckUsageError(Run(argv), c.named, "linger: wait-http: ");
  }
}

TEST_CASE("wait-http --help documents every option") {
  auto r = Run({Linger(), "wait-http", "--help"});
  CHECK(r.status == 0);
  for (const char* option : {"--timeout", "--interval", "--request-timeout", "--status", "--method",
                             "--header", "--body-contains", "--quiet", "--log"}) {
    CHECK(Contains(r.out, option));
  }
}

TEST_CASE("nginx answering 503 until a file exists, then 200") {
  const std::string nginx = "/usr/sbin/nginx";
  struct stat st;
  if (stat(nginx.c_str(), &st) != 0) LINGER_SKIP("nginx is not installed (nginx-light)");
  test::TempDir dir;
  const auto reserved = test::ReservedPort();
  const int port = reserved.port();
  std::string ready = dir.path() + "/ready";
  {
    std::ofstream conf(dir.path() + "/nginx.conf");
    conf << "daemon off;\nmaster_process off;\nworker_processes 1;\n"
         << "pid " << dir.path() << "/nginx.pid;\n"
         << "error_log " << dir.path() << "/error.log;\n"
         << "events { worker_connections 64; }\n"
         << "http {\n  access_log off;\n"
         << "  client_body_temp_path " << dir.path() << "/body;\n"
         << "  proxy_temp_path " << dir.path() << "/proxy;\n"
         << "  fastcgi_temp_path " << dir.path() << "/fastcgi;\n"
         << "  uwsgi_temp_path " << dir.path() << "/uwsgi;\n"
         << "  scgi_temp_path " << dir.path() << "/scgi;\n"
         << "  server {\n    listen 127.0.0.1:" << port << ";\n"
         << "    location /ready {\n"
         << "      if (-f " << ready << ") { return 200 \"ready\\n\"; }\n"
         << "      return 503;\n    }\n  }\n}\n";
  }
  Process server(
      {nginx, "-p", dir.path(), "-e", dir.path() + "/error.log", "-c", dir.path() + "/nginx.conf"});
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/ready";
  Process linger({Linger(), "wait-http", "--interval", "50ms", "--body-contains", "ready", url});
  REQUIRE(linger.WaitForStderr("not ready: HTTP 503"));
  { std::ofstream(ready) << "\n"; }
  REQUIRE(linger.Wait(20s) == 0);
  CHECK(Contains(linger.Stderr(), "is ready after"));
  CHECK(Contains(linger.Stderr(), "HTTP 200 OK"));
  server.Signal(SIGQUIT);
  server.Wait(10s);
}
