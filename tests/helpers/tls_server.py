#!/usr/bin/env python3
"""An HTTPS server on loopback for linger's process tests.

Usage: tls_server.py --cert FILE --key FILE [--host ADDRESS] [--tls10 | --stall | --plain]

FILE may hold more certificates after the server's own, which are sent in that order.
Prints "port N" once it listens, then one line per connection:
  "sni NAME" (or "sni -" when the client sent no server name) after a handshake, then
  "request after MS" once the request has arrived, MS milliseconds after the connection was
  accepted; the request is answered with "HTTP/1.1 200 OK" and the body "ok";
  "failed REASON" when the handshake fails;
  "accepted" with --stall, which accepts connections and never says a word (a stalled handshake).
--tls10 speaks TLS 1.0 and nothing else; --plain is no TLS server at all: it answers the first
bytes with "HTTP/1.1 400 Bad Request", as a plain HTTP server does. Runs until killed.
"""
import argparse
import socket
import ssl
import sys
import threading
import time


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def serve(connection, context, accepted):
    try:
        with context.wrap_socket(connection, server_side=True) as tls:
            # The callback set below saw the ClientHello; no server name means no SNI was sent.
            say("sni " + (tls.sni_name if hasattr(tls, "sni_name") else "-"))
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = tls.recv(4096)
                if not chunk:
                    return
                request += chunk
            say("request after %.1f" % ((time.monotonic() - accepted) * 1000))
            tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
    except (ssl.SSLError, OSError) as error:
        say("failed " + str(error).replace("\n", " "))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--tls10", action="store_true")
    parser.add_argument("--stall", action="store_true")
    parser.add_argument("--plain", action="store_true")
    args = parser.parse_args()

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    if args.tls10:
        # OpenSSL 3 allows TLS 1.0 only at security level 0.
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.maximum_version = ssl.TLSVersion.TLSv1

    def remember_name(tls, server_name, _context):
        if server_name is not None:
            tls.sni_name = server_name

    context.sni_callback = remember_name

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((args.host, 0))
    listener.listen(128)
    say("port %d" % listener.getsockname()[1])
    stalled = []
    while True:
        connection, _ = listener.accept()
        accepted = time.monotonic()
        if args.plain:
            connection.recv(4096)
            connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            connection.close()
            say("plain")
            continue
        if args.stall:
            stalled.append(connection)  # kept open, never read
            say("accepted")
            continue
        threading.Thread(target=serve, args=(connection, context, accepted), daemon=True).start()


if __name__ == "__main__":
    main()
