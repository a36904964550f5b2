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

  void Write(const std::string& name, const std::string& text) const {
    std::ofstream(Path(name)) << text;
  }
  void OpenSsl(std::vector<std::string> args) const {
    args.insert(args.begin(), "/usr/bin/openssl");
    Finished r = Run(args, 30s);
    INFO(r.err);
    REQUIRE(r.status == 0);
  }
  // Signs the servers' key for the names in `ext` with CA `ca` (a .pem and a .key) into `out`.
  void Sign(const std::string& out, const std::string& ca, const std::string& ext) const {
    OpenSsl({"x509", "-req", "-in", Path("server.csr"), "-CA", Path(ca + ".pem"), "-CAkey",
             Path(ca + ".key"), "-CAcreateserial", "-days", "3", "-extfile", Path(ext), "-out",
             Path(out)});
  }
  // Concatenates PEM files into `out`, in the order given.
  void Concatenate(const std::string& out, const std::vector<std::string>& parts) const {
    std::ofstream file(Path(out));
    for (const std::string& part : parts) file << std::ifstream(Path(part)).rdbuf();
  }

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

  void Dated(const std::string& out, const std::string& from, const std::string& until) {
    OpenSsl({"ca", "-batch", "-config", Path("ca.cnf"), "-cert", Path("ca.pem"), "-keyfile",
             Path("ca.key"), "-in", Path("server.csr"), "-startdate", from, "-enddate", until,
             "-extensions", "x", "-notext", "-out", Path(out)});
  }

  TempDir dir_;
};

// More of the same PKI, made only by the tests that need it, in Pki's directory:
//   inter-ca.pem           an intermediate CA signed by ca.pem
//   misordered.pem         for localhost, signed by inter-ca.pem, as leaf, ca.pem, inter-ca.pem
//   unrelated.pem          the same leaf as leaf, other-ca.pem, inter-ca.pem
//   outside.pem            for localhost and 127.0.0.1, then its CA, whose non-critical
//                          nameConstraints permit only example.org and 10.0.0.0/8
//   excluded.pem           the same leaf, then its CA, whose nameConstraints exclude localhost
//   inside.pem             the same leaf, then its CA, which permits localhost and 127.0.0.0/8
//   client-only.pem        for localhost, signed by ca.pem, extendedKeyUsage clientAuth only
//   server-and-client.pem  the same with serverAuth and clientAuth
//   big.pem                for localhost, signed by ca.pem, 70 KB with an extension of filler
//   huge.pem               the same, 300 KB
//   name-not-ip.pem        for the DNS name "127.0.0.1", signed by ca.pem
class ChainPki {
 public:
  static const ChainPki& Get() {
    static const ChainPki chains;
    return chains;
  }

 private:
  ChainPki() {
    const Pki& pki = Pki::Get();
    pki.Write("leaf.ext", "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    const std::string ca_ext = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n";
    pki.Write("inter-ca.ext", ca_ext);
    pki.Write("outside-ca.ext", ca_ext + "nameConstraints=permitted;DNS:example.org,permitted;IP:" +
                                    "10.0.0.0/255.0.0.0\n");
    pki.Write("excluded-ca.ext", ca_ext + "nameConstraints=excluded;DNS:localhost\n");
    pki.Write("inside-ca.ext", ca_ext + "nameConstraints=permitted;DNS:localhost,permitted;IP:" +
                                   "127.0.0.0/255.0.0.0\n");
    for (const char* kind : {"inter", "outside", "excluded", "inside"}) {
      std::string ca = std::string(kind) + "-ca";
      pki.OpenSsl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                   "-keyout", pki.Path(ca + ".key"), "-out", pki.Path(ca + ".csr"), "-subj",
                   "/CN=linger test " + ca});
      pki.OpenSsl({"x509", "-req", "-in", pki.Path(ca + ".csr"), "-CA", pki.Path("ca.pem"),
                   "-CAkey", pki.Path("ca.key"), "-CAcreateserial", "-days", "3", "-extfile",
                   pki.Path(ca + ".ext"), "-out", pki.Path(ca + ".pem")});
      pki.Sign(std::string(kind) + "-leaf.pem", ca, "leaf.ext");
    }
    pki.Concatenate("misordered.pem", {"inter-leaf.pem", "ca.pem", "inter-ca.pem"});
    pki.Concatenate("unrelated.pem", {"inter-leaf.pem", "other-ca.pem", "inter-ca.pem"});
    for (const char* kind : {"outside", "excluded", "inside"}) {
      std::string name = kind;
      pki.Concatenate(name + ".pem", {name + "-leaf.pem", name + "-ca.pem"});
    }
    pki.Write("client-only.ext", "subjectAltName=DNS:localhost\nextendedKeyUsage=clientAuth\n");
    pki.Sign("client-only.pem", "ca", "client-only.ext");
    pki.Write("server-and-client.ext",
              "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n");
    pki.Sign("server-and-client.pem", "ca", "server-and-client.ext");
    for (auto [name, filler] :
         {std::pair{"big", size_t{70000}}, std::pair{"huge", size_t{300000}}}) {
      pki.Write(std::string(name) + ".ext",
                "subjectAltName=DNS:localhost\n1.3.6.1.4.1.55555.1=ASN1:UTF8String:" +
                    std::string(filler, 'x') + "\n");
      pki.Sign(std::string(name) + ".pem", "ca", std::string(name) + ".ext");
    }
    pki.Write("name-not-ip.ext", "subjectAltName=DNS:127.0.0.1\n");
    pki.Sign("name-not-ip.pem", "ca", "name-not-ip.ext");
  }
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
