// linger wait-http against HTTPS servers on loopback (tls_server.py, Python's ssl module), with
// certificates made by the openssl command line for each run.
#include <signal.h>

#include "catch.h"
#include "process.h"
#include "tls_server.h"

using namespace std::chrono_literals;
using test::Linger;
using test::Pki;
using test::Run;
using test::TlsServer;

namespace {

// wait-http's arguments for a short wait on `url`, then `extra`.
std::vector<std::string> ShortWait(const std::string& url, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {Linger(),     "wait-http", "--timeout",         "1s",
                                   "--interval", "200ms",     "--request-timeout", "1s"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(url);
  return argv;
}

// Runs `argv` with $SSL_CERT_FILE set to `path`.
test::Finished RunWithCertFile(std::vector<std::string> argv, const std::string& path) {
  test::StartOptions options;
  options.env = {"SSL_CERT_FILE=" + path};
  return Run(std::move(argv), 20s, options);
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("https with a good chain is ready, trusting --cacert or $SSL_CERT_FILE") {
  TlsServer server("good.pem");
  auto r = Run(ShortWait(server.Url(), {"--cacert", Pki::Get().Path("ca.pem")}));
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(Contains(r.err, "is ready after"));
  CHECK(Contains(r.err, "HTTP 200 OK"));

  auto by_env = RunWithCertFile(ShortWait(server.Url("127.0.0.1")), Pki::Get().Path("ca.pem"));
  INFO(by_env.err);
  CHECK(by_env.status == 0);

  // --cacert wins over $SSL_CERT_FILE.
  auto both =
      RunWithCertFile(ShortWait(server.Url(), {"--cacert", Pki::Get().Path("other-ca.pem")}),
                      Pki::Get().Path("ca.pem"));
  CHECK(both.status == 1);
  CHECK(Contains(both.err, "unknown certificate authority (not in --cacert "));
}

TEST_CASE("an RSA server key and certificate work as well as an ECDSA one") {
  TlsServer server("rsa.pem");
  auto r = Run(ShortWait(server.Url(), {"--cacert", Pki::Get().Path("ca.pem")}));
  INFO(r.err);
  CHECK(r.status == 0);
}

TEST_CASE("a certificate for another name, expired, or from an unknown CA is refused with why") {
  struct Case {
    const char* cert;
    const char* reason;
  };
  const Case cases[] = {
      {"wrong-name.pem", "certificate is for other.test, not localhost"},
      {"expired.pem", "certificate has expired (on 2020-01-31 00:00:00 UTC)"},
      {"future.pem", "certificate is not yet valid (from 2099-01-01 00:00:00 UTC)"},
      {"unknown-ca.pem", "unknown certificate authority"},
  };
  for (const Case& c : cases) {
    TlsServer server(c.cert);
    INFO(c.cert);
    auto r = Run(ShortWait(server.Url(), {"--cacert", Pki::Get().Path("ca.pem")}));
    INFO(r.err);
    CHECK(r.status == 1);
    CHECK(r.elapsed >= 1s);
    CHECK(Contains(r.err, "not ready: TLS handshake with 127.0.0.1:"));
    CHECK(Contains(r.err, c.reason));
    CHECK(Contains(r.err, "gave up on"));

    // --insecure: ready, with one warning that says what it skips.
    auto insecure = Run(ShortWait(server.Url(), {"--insecure"}));
    INFO(insecure.err);
    CHECK(insecure.status == 0);
    CHECK(Contains(insecure.err, "linger: warning: --insecure"));
  }
}

TEST_CASE("an IP address is checked against the IP SANs, never against DNS names") {
  TlsServer good("good.pem");
  auto ip = Run(ShortWait(good.Url("127.0.0.1"), {"--cacert", Pki::Get().Path("ca.pem")}));
  CHECK(ip.status == 0);
  TlsServer wrong("wrong-name.pem");
  auto r = Run(ShortWait(wrong.Url("127.0.0.1"), {"--cacert", Pki::Get().Path("ca.pem")}));
  CHECK(r.status == 1);
  CHECK(Contains(r.err, "certificate is for other.test, not 127.0.0.1"));
}

TEST_CASE("https over IPv6: [::1] against its IP SAN") {
  TlsServer server("good.pem", {"--host", "::1"});
  auto r = Run(ShortWait(server.Url("[::1]"), {"--cacert", Pki::Get().Path("ca.pem")}));
  INFO(r.err);
  CHECK(r.status == 0);
}

TEST_CASE("SNI names the host for a name, and is absent for an IP address") {
  TlsServer server("good.pem");
  CHECK(Run(ShortWait(server.Url("localhost"), {"--cacert", Pki::Get().Path("ca.pem")})).status ==
        0);
  CHECK(server.process().WaitForStdout("sni localhost\n", 5s));
  CHECK(Run(ShortWait(server.Url("127.0.0.1"), {"--cacert", Pki::Get().Path("ca.pem")})).status ==
        0);
  CHECK(server.process().WaitForStdout("sni -\n", 5s));
}

TEST_CASE("a server that accepts and never answers the handshake fails at --request-timeout") {
  TlsServer server("good.pem", {"--stall"});
  auto r = Run({Linger(), "wait-http", "--timeout", "2s", "--request-timeout", "300ms",
                "--interval", "0", server.Url()});
  CHECK(r.status == 1);
  CHECK(r.elapsed >= 2s);
  CHECK(r.elapsed < 10s);
  CHECK(Contains(r.err, "not ready: timed out in the TLS handshake with 127.0.0.1:"));
  // Several attempts, each ended by its own limit, not one attempt until the overall timeout.
  size_t attempts = 0;
  for (size_t at = 0; (at = server.process().Stdout().find("accepted", at)) != std::string::npos;
       ++at) {
    ++attempts;
  }
  CHECK(attempts >= 3);
}

TEST_CASE("SIGTERM during a stalled handshake exits 143 at once") {
  TlsServer server("good.pem", {"--stall"});
  test::Process linger(
      {Linger(), "wait-http", "--timeout", "0", "--request-timeout", "0", server.Url()});
  REQUIRE(server.process().WaitForStdout("accepted", 10s));
  auto sent = test::Clock::now();
  linger.Signal(SIGTERM);
  CHECK(linger.Wait(10s) == 143);
  CHECK(test::Clock::now() - sent < test::kPrompt);
}

TEST_CASE("a server that speaks only TLS 1.0 is refused with a clear reason") {
  TlsServer server("good.pem", {"--tls10"});
  auto r = Run(ShortWait(server.Url(), {"--cacert", Pki::Get().Path("ca.pem")}));
  INFO(r.err);
  CHECK(r.status == 1);
  CHECK(Contains(r.err, "protocol version refused"));
  // --insecure changes nothing about it.
  CHECK(Run(ShortWait(server.Url(), {"--insecure"})).status == 1);
}

TEST_CASE("a plain HTTP server behind an https URL is named as such") {
  TlsServer http("good.pem", {"--plain"});
  auto r = Run(ShortWait(http.Url(), {"--insecure"}));
  INFO(r.err);
  CHECK(r.status == 1);
  CHECK(Contains(r.err, "does not speak TLS"));
}

TEST_CASE("a --cacert that is missing or holds no certificate fails each attempt, naming it") {
  TlsServer server("good.pem");
  auto missing = Run(ShortWait(server.Url(), {"--cacert", "/nonexistent/ca.pem"}));
  CHECK(missing.status == 1);
  CHECK(
      Contains(missing.err, "cannot read --cacert /nonexistent/ca.pem: No such file or directory"));
  auto not_pem = Run(ShortWait(server.Url(), {"--cacert", Pki::Get().Path("serial")}));
  CHECK(not_pem.status == 1);
  CHECK(Contains(not_pem.err, "holds no PEM certificate"));
}
