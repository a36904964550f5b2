// Certificates made with the openssl command line, and the tls_server.py helper serving them.
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include "catch.h"
#include "process.h"

namespace test {

// A test CA, a second CA nobody trusts, and server certificates (one key for all of them), made
// once per test run in a temporary directory:
//   ca.pem, other-ca.pem   the CAs
//   server.key             the servers' key
//   good.pem               for localhost, 127.0.0.1 and ::1, signed by ca.pem
//   wrong-name.pem         for other.test, signed by ca.pem
//   expired.pem            for localhost, signed by ca.pem, valid in January 2020 only
//   future.pem             for localhost, signed by ca.pem, valid from 2099
//   unknown-ca.pem         for localhost, signed by other-ca.pem
//   rsa.pem, rsa.key       for localhost, signed by ca.pem, with an RSA key of its own
class Pki {
 public:
  static const Pki& Get() {
    static const Pki pki;
    return pki;
  }
  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }

 private:
  Pki() {
    Write("good.ext", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n");
    Write("wrong-name.ext", "subjectAltName=DNS:other.test\n");
    // `openssl ca` is the one openssl command that takes validity dates in the past.
    Write("ca.cnf",
          "[ca]\ndefault_ca=c\n[c]\ndatabase=" + Path("index.txt") +
              "\nnew_certs_dir=" + dir_.path() + "\nserial=" + Path("serial") +
              "\ndefault_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n"
              "[x]\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n");
    Write("index.txt", "");
    Write("serial", "1000\n");
    for (const char* ca : {"ca", "other-ca"}) {
      OpenSsl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
               "-nodes", "-keyout", Path(std::string(ca) + ".key"), "-out",
               Path(std::string(ca) + ".pem"), "-days", "3", "-subj",
               std::string("/CN=linger test ") + ca});
    }
    OpenSsl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", Path("server.key"), "-out", Path("server.csr"), "-subj", "/CN=localhost"});
    Sign("good.pem", "ca", "good.ext");
    OpenSsl({"req", "-newkey", "rsa:2048", "-nodes", "-keyout", Path("rsa.key"), "-out",
             Path("rsa.csr"), "-subj", "/CN=localhost"});
    OpenSsl({"x509", "-req", "-in", Path("rsa.csr"), "-CA", Path("ca.pem"), "-CAkey",
             Path("ca.key"), "-CAcreateserial", "-days", "3", "-extfile", Path("good.ext"), "-out",
             Path("rsa.pem")});
    Sign("wrong-name.pem", "ca", "wrong-name.ext");
    Sign("unknown-ca.pem", "other-ca", "good.ext");
    Dated("expired.pem", "20200101000000Z", "20200131000000Z");
    Dated("future.pem", "20990101000000Z", "20991231000000Z");
  }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(Path(name)) << text;
  }
  void OpenSsl(std::vector<std::string> args) {
    args.insert(args.begin(), "/usr/bin/openssl");
    Finished r = Run(args, 30s);
    INFO(r.err);
    REQUIRE(r.status == 0);
  }
  void Sign(const std::string& out, const std::string& ca, const std::string& ext) {
    OpenSsl({"x509", "-req", "-in", Path("server.csr"), "-CA", Path(ca + ".pem"), "-CAkey",
             Path(ca + ".key"), "-CAcreateserial", "-days", "3", "-extfile", Path(ext), "-out",
             Path(out)});
  }
  void Dated(const std::string& out, const std::string& from, const std::string& until) {
    OpenSsl({"ca", "-batch", "-config", Path("ca.cnf"), "-cert", Path("ca.pem"), "-keyfile",
             Path("ca.key"), "-in", Path("server.csr"), "-startdate", from, "-enddate", until,
             "-extensions", "x", "-notext", "-out", Path(out)});
  }

  TempDir dir_;
};

// tls_server.py serving Pki's `cert` with `args` (--tls10, --stall, --host ::1); it stops with the
// test.
class TlsServer {
 public:
  explicit TlsServer(const std::string& cert, std::vector<std::string> args = {})
      : process_(Command(cert, std::move(args))) {
    bool listening = process_.WaitForStdout("\n", 10s);
    INFO(process_.Stderr());
    REQUIRE(listening);
    port_ = std::stoi(process_.Stdout().substr(5));  // "port N"
  }
  int port() const { return port_; }
  // https://HOST:PORT/
  std::string Url(const std::string& host = "localhost") const {
    return "https://" + host + ":" + std::to_string(port_) + "/";
  }
  Process& process() { return process_; }

 private:
  static std::vector<std::string> Command(const std::string& cert, std::vector<std::string> args) {
    std::vector<std::string> command = {
        "/usr/bin/python3",
        TLS_SERVER_PY,
        "--cert",
        Pki::Get().Path(cert),
        "--key",
        Pki::Get().Path(cert == "rsa.pem" ? "rsa.key" : "server.key")};
    command.insert(command.end(), args.begin(), args.end());
    return command;
  }
  Process process_;
  int port_ = 0;
};

}  // namespace test
