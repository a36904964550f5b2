// linger wait-http against HTTPS servers on loopback (tls_server.py, Python's ssl module), with
// certificates made by the openssl command line for each run.
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>

#include "catch.h"
#include "process.h"
#include "tls_server.h"

using namespace std::chrono_literals;
using test::ChainPki;
using test::Contains;
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
  // A trust store of its own: without one (no ca-certificates) the attempt would end before it.
  auto r = Run({Linger(), "wait-http", "--timeout", "2s", "--request-timeout", "300ms",
                "--interval", "0", "--cacert", Pki::Get().Path("ca.pem"), server.Url()});
  CHECK(r.status == 1);
  CHECK(r.elapsed >= 2s);
  CHECK(r.elapsed < 10s);
  CHECK(Contains(r.err, "not ready: timed out in the TLS handshake with 127.0.0.1:"));
  // Several attempts, each ended by its own limit, not one attempt until the overall timeout.
  CHECK(test::Count(server.process().Stdout(), "accepted") >= 2);
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

TEST_CASE("a trust store that is a FIFO fails each attempt at once instead of hanging") {
  TlsServer server("good.pem");
  test::TempDir dir;
  const std::string fifo = dir.path() + "/ca.pem";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  // Opening a FIFO for reading waits for a writer: without care, past --timeout and SIGTERM.
  auto flag = Run(ShortWait(server.Url(), {"--cacert", fifo}), 20s);
  INFO(flag.err);
  CHECK(flag.status == 1);
  CHECK(Contains(flag.err, "cannot read --cacert " + fifo + ": a FIFO, not a regular file"));
  auto env = RunWithCertFile(ShortWait(server.Url()), fifo);
  INFO(env.err);
  CHECK(env.status == 1);
  CHECK(Contains(env.err, "cannot read $SSL_CERT_FILE " + fifo + ": a FIFO, not a regular file"));
}

TEST_CASE("a chain sent out of order, or with a CA that does not belong, is put in order") {
  ChainPki::Get();
  for (const char* cert : {"misordered.pem", "unrelated.pem"}) {
    TlsServer server(cert);
    INFO(cert);
    auto r = Run(ShortWait(server.Url(), {"--cacert", Pki::Get().Path("ca.pem")}));
    INFO(r.err);
    CHECK(r.status == 0);
  }
}

TEST_CASE("a 70 KB server certificate is verified whole, one over 256 KiB is refused as such") {
  ChainPki::Get();
  TlsServer big("big.pem");
  auto r = Run(ShortWait(big.Url(), {"--cacert", Pki::Get().Path("ca.pem")}));
  INFO(r.err);
  CHECK(r.status == 0);
  TlsServer huge("huge.pem");
  auto refused = Run(ShortWait(huge.Url(), {"--cacert", Pki::Get().Path("ca.pem")}));
  INFO(refused.err);
  CHECK(refused.status == 1);
  CHECK(Contains(refused.err, "the server's certificate chain is too big"));
  CHECK_FALSE(Contains(refused.err, "BearSSL"));
}

TEST_CASE("name constraints of an intermediate CA are enforced, also when not critical") {
  ChainPki::Get();
  const std::string ca = Pki::Get().Path("ca.pem");
  TlsServer outside("outside.pem");
  auto r = Run(ShortWait(outside.Url(), {"--cacert", ca}));
  INFO(r.err);
  CHECK(r.status == 1);
  CHECK(Contains(r.err,
                 "certificate name localhost is outside the names permitted to CA "
                 "\"linger test outside-ca\""));
  TlsServer excluded("excluded.pem");
  auto barred = Run(ShortWait(excluded.Url(), {"--cacert", ca}));
  INFO(barred.err);
  CHECK(barred.status == 1);
  CHECK(Contains(barred.err,
                 "certificate name localhost is among the names excluded for CA "
                 "\"linger test excluded-ca\""));
  // Constraints that the names meet, for a name and for an address.
  TlsServer inside("inside.pem");
  CHECK(Run(ShortWait(inside.Url(), {"--cacert", ca})).status == 0);
  CHECK(Run(ShortWait(inside.Url("127.0.0.1"), {"--cacert", ca})).status == 0);
}

TEST_CASE("a certificate whose extended key usage excludes servers is refused") {
  ChainPki::Get();
  const std::string ca = Pki::Get().Path("ca.pem");
  TlsServer client("client-only.pem");
  auto r = Run(ShortWait(client.Url(), {"--cacert", ca}));
  INFO(r.err);
  CHECK(r.status == 1);
  CHECK(Contains(r.err, "certificate is not for TLS servers (extended key usage)"));
  TlsServer both("server-and-client.pem");
  CHECK(Run(ShortWait(both.Url(), {"--cacert", ca})).status == 0);
}

TEST_CASE("an address that the certificate names only as a DNS name is refused as such") {
  ChainPki::Get();
  TlsServer server("name-not-ip.pem");
  auto r = Run(ShortWait(server.Url("127.0.0.1"), {"--cacert", Pki::Get().Path("ca.pem")}));
  INFO(r.err);
  CHECK(r.status == 1);
  CHECK(Contains(r.err, "certificate has 127.0.0.1 only as a DNS name, and no IP address SAN"));
}

TEST_CASE("a malformed PEM block in the CA file is skipped and named, the valid ones used") {
  TlsServer server("good.pem");
  test::TempDir dir;
  const std::string bad =
      "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n";
  std::ifstream ca(Pki::Get().Path("ca.pem"));
  const std::string ca_text{std::istreambuf_iterator<char>(ca), std::istreambuf_iterator<char>()};
  std::ofstream(dir.path() + "/mixed.pem") << bad << ca_text;
  std::ofstream(dir.path() + "/bad.pem") << bad;
  auto mixed = Run(ShortWait(server.Url(), {"--cacert", dir.path() + "/mixed.pem"}));
  INFO(mixed.err);
  CHECK(mixed.status == 0);
  auto only_bad = Run(ShortWait(server.Url(), {"--cacert", dir.path() + "/bad.pem"}));
  INFO(only_bad.err);
  CHECK(only_bad.status == 1);
  CHECK(
      Contains(only_bad.err, "holds no usable certificate: the PEM block at line 1 is malformed"));
  // A server from another CA: the reason also says that a block was skipped.
  TlsServer unknown("unknown-ca.pem");
  auto skipped = Run(ShortWait(unknown.Url(), {"--cacert", dir.path() + "/mixed.pem"}));
  INFO(skipped.err);
  CHECK(skipped.status == 1);
  CHECK(Contains(skipped.err, "1 malformed PEM block skipped there, the first at line 1"));
}

TEST_CASE("an https attempt does not wait for the server's delayed ACK") {
  TlsServer server("good.pem");
  // Attempts one after the other, each failing on the body after a whole request.
  auto r =
      Run({Linger(), "wait-http", "--timeout", "2s", "--interval", "0", "--request-timeout", "1s",
           "--cacert", Pki::Get().Path("ca.pem"), "--body-contains", "never there", server.Url()});
  CHECK(r.status == 1);
  std::vector<double> times;
  std::string out = server.process().Stdout();
  const std::string key = "request after ";
  for (size_t at = 0; (at = out.find(key, at)) != std::string::npos; at += key.size()) {
    times.push_back(std::stod(out.substr(at + key.size())));
  }
  INFO(out);
  REQUIRE(times.size() >= 3);
  // Linux delays an ACK by 40 ms at least, so a client whose last handshake records wait for one
  // never gets its request there sooner; a handshake on loopback takes a few milliseconds, so the
  // best of many attempts stays far below that even on a loaded machine.
  CHECK(*std::min_element(times.begin(), times.end()) < 40.0);
}
