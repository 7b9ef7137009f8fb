#!/usr/bin/python3
"""Tries one thing on a Roamstore broker over AMQP 1.0 (Debian's python3-qpid-proton), as someone
who may or may not be allowed: receive one message from an address, or send one to it.

Prints OK (and what it read) when the broker let it, REFUSED and the broker's reason otherwise.
Driven by BrokerSecurityTest:

    /usr/bin/python3 amqp_stranger.py --url amqps://127.0.0.1:61616 --ca ca.pem \
        [--cert c.pem --key k.pem] [--user U --password P] --action receive|send --address A
"""
import argparse

from proton import Message, SSLDomain
from proton.utils import BlockingConnection


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--action", choices=["receive", "send"], required=True)
    parser.add_argument("--address", required=True)
    parser.add_argument("--timeout", type=float, default=10)
    args = parser.parse_args()

    ssl = SSLDomain(SSLDomain.MODE_CLIENT)
    ssl.set_trusted_ca_db(args.ca)
    ssl.set_peer_authentication(SSLDomain.VERIFY_PEER_NAME)
    if args.cert:
        ssl.set_credentials(args.cert, args.key, None)
    options = {"ssl_domain": ssl, "timeout": args.timeout}
    if args.user is not None:
        options.update(user=args.user, password=args.password, allowed_mechs="PLAIN")
    else:
        options.update(allowed_mechs="ANONYMOUS")
    connection = None
    try:
        connection = BlockingConnection(args.url, **options)
        if args.action == "receive":
            receiver = connection.create_receiver(args.address)
            message = receiver.receive(timeout=2)
            receiver.accept()
            print("OK read " + repr(message.body))
        else:
            sender = connection.create_sender(args.address)
            sender.send(Message(body="from a stranger"))
            print("OK sent")
    except Exception as e:  # any refusal: SASL, TLS, link or delivery
        print("REFUSED " + type(e).__name__ + ": " + str(e).splitlines()[0] if str(e) else "REFUSED " + type(e).__name__)
    finally:
        if connection is not None:
            try:
                connection.close()
            except Exception:
                pass


main()
