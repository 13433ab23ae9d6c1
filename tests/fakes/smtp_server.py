#!/usr/bin/python3
"""A small SMTP server for tests (aiosmtpd, Debian package python3-aiosmtpd).

Listens on 127.0.0.1, prints "port N" on stdout once it accepts connections, and writes every
message it accepts to --maildir as NNNN.eml (the bytes received after DATA, dot-unstuffed) with
NNNN.envelope beside it ("MAIL FROM:<a>" and one "RCPT TO:<b>" line each). Messages it refuses
at the end of DATA go to --maildir/rejected/ the same way, so a test can compare a refused
attempt with the later delivery. Files appear atomically (written, then renamed).

TLS: with --cert/--key it offers STARTTLS and requires it before anything else; with
--implicit-tls it speaks TLS from the first byte (smtps). With --user/--password, AUTH PLAIN or
LOGIN with exactly those is required before MAIL.

Scripted failures:
  --fail-next N --fail-code C   answer C (e.g. 451, 554) at the end of DATA for the next N
                                messages, then accept again
  --reject-rcpt ADDRESS=C       answer C to RCPT TO:<ADDRESS> (repeatable)
  --delay-data S                at the end of DATA, accept and write the message, print
                                "holding DATA reply NNNN", then wait S seconds before the 250:
                                a client that dies in the wait delivered the message without
                                knowing it (the case that makes at-least-once send duplicates)
  --delay-count N               hold only the first N messages that way (default: every one)
  --log-rcpt                    print "rcpt <ADDRESS> CODE" for every RCPT TO answered
"""

import argparse
import asyncio
import itertools
import logging
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

REPLY_TEXT = {
    4: "4.3.0 Temporary failure, try again later (scripted)",
    5: "5.7.1 Message refused (scripted)",
}


def reply(code):
    return f"{code} {REPLY_TEXT[code // 100]}"


class Handler:
    def __init__(self, args):
        self.maildir = args.maildir
        self.fail_left = args.fail_next
        self.fail_code = args.fail_code
        self.reject_rcpt = dict(item.rsplit("=", 1) for item in args.reject_rcpt)
        self.sequence = itertools.count(1)
        self.delay_data = args.delay_data
        self.delay_left = args.delay_count
        self.log_rcpt = args.log_rcpt
        os.makedirs(os.path.join(self.maildir, "rejected"), exist_ok=True)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code = self.reject_rcpt.get(address)
        if self.log_rcpt:
            print(f"rcpt <{address}> {code if code is not None else 250}", flush=True)
        if code is not None:
            return reply(int(code))
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        refuse = self.fail_left > 0
        if refuse:
            self.fail_left -= 1
        folder = os.path.join(self.maildir, "rejected") if refuse else self.maildir
        name = self.write(folder, envelope)
        if not refuse and self.delay_data > 0 and self.delay_left != 0:
            self.delay_left -= 1
            print(f"holding DATA reply {name}", flush=True)
            # Cancelled when the client goes away; the message is written already.
            await asyncio.sleep(self.delay_data)
        return reply(self.fail_code) if refuse else "250 2.0.0 OK queued"

    def write(self, folder, envelope):
        name = f"{next(self.sequence):04d}"
        lines = [f"MAIL FROM:<{envelope.mail_from}>"]
        lines += [f"RCPT TO:<{rcpt}>" for rcpt in envelope.rcpt_tos]
        for suffix, data in ((".envelope", ("\n".join(lines) + "\n").encode()),
                             (".eml", envelope.original_content)):
            path = os.path.join(folder, name + suffix)
            with open(path + ".tmp", "wb") as f:
                f.write(data)
            os.rename(path + ".tmp", path)
        return name


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--port", type=int, default=0,
                        help="port on 127.0.0.1 (default: any free one, printed)")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--fail-next", type=int, default=0)
    parser.add_argument("--fail-code", type=int, default=451)
    parser.add_argument("--reject-rcpt", action="append", default=[])
    parser.add_argument("--delay-data", type=float, default=0)
    parser.add_argument("--delay-count", type=int, default=-1)
    parser.add_argument("--log-rcpt", action="store_true")
    args = parser.parse_args()
    logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd's own chatter

    context = None
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == args.user
              and auth_data.password.decode() == args.password)
        # handled=False: aiosmtpd then sends the 535 reply itself.
        return AuthResult(success=ok, handled=False)

    handler = Handler(args)

    def make_session():
        return SMTP(
            handler,
            hostname="localhost",
            # STARTTLS mode: offered and required. Implicit mode: the socket is TLS already.
            tls_context=None if args.implicit_tls else context,
            require_starttls=context is not None and not args.implicit_tls,
            auth_required=args.user is not None,
            auth_require_tls=not args.implicit_tls,
            authenticator=authenticate if args.user else None,
        )

    async def serve():
        server = await asyncio.get_running_loop().create_server(
            make_session, "127.0.0.1", args.port, ssl=context if args.implicit_tls else None)
        print("port", server.sockets[0].getsockname()[1], flush=True)
        async with server:
            await server.serve_forever()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
