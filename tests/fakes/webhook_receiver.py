#!/ usr / bin / env python3
"""A webhook receiver for tests: HTTPS on 127.0.0.1 with a certificate from the test CA.

Every POST is appended to --log as one JSON line {"path", "headers", "body"} (headers
lower-cased), then answered by what its path asks for:

  /ok            200
  /status/NNN    NNN (e.g. /status/500, /status/410)
  /fail-once/K   500 the first time this K is seen, 200 after (K is any word)
  /redirect      302 to /ok on this server (a sender must not follow it)
  /hang          never answers (until the sender gives up or the server stops)

Prints "port N" once listening. Standard library only.
"""

import argparse
import http.server
import json
import ssl
import threading
import time

seen_once = set()
lock = threading.Lock()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def answer(self, code, headers=None):
            body = b"{}"
            self.send_response(code)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length).decode("utf-8")
            entry = {"path": self.path,
                     "headers": {k.lower(): v for k, v in self.headers.items()},
                     "body": body}
            with lock:
                with open(args.log, "a", encoding="utf-8") as f:
                    f.write(json.dumps(entry) + "\n")
            path = self.path
            if path == "/ok":
                self.answer(200)
            elif path.startswith("/status/"):
                self.answer(int(path[len("/status/"):]))
            elif path.startswith("/fail-once/"):
                with lock:
                    first = path not in seen_once
                    seen_once.add(path)
                self.answer(500 if first else 200)
            elif path == "/redirect":
                port = self.server.server_address[1]
                self.answer(302, {"location": f"https://localhost:{port}/ok"})
            elif path == "/hang":
                time.sleep(120)
            else:
                self.answer(404)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
