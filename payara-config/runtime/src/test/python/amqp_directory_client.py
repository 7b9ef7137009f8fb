#!/usr/bin/python3
"""Another system talking to the Roamstore directory over AMQP 1.0 with Debian's python3-qpid-proton.

It provisions a user and a volume, logs in, is refused for bad requests, and sees the login on the
events topic. Driven by GatewayApiIT; runs by hand against `roamstore run` too:

    /usr/bin/python3 amqp_directory_client.py --url amqp://127.0.0.1:61616 \
        --broker-user integration --broker-password-file data/secrets/integrations/integration.password

Prints one line per check and, for the caller, NBD_URI=... and VOLUME=...; exits 0 when every check
passed, 1 otherwise.
"""
import argparse
import json
import sys
import uuid

from proton import Message, symbol
from proton.reactor import ReceiverOption
from proton.utils import BlockingConnection

REQUESTS = "roamstore.directory.requests"
EVENTS = "roamstore.events"


class Capability(ReceiverOption):
    """A source capability: 'topic' gives the receiver its own subscription of a multicast address;
    'queue' makes Artemis create an anycast queue, which is what a JMS reply-to names."""

    def __init__(self, capability):
        self.capability = capability

    def apply(self, receiver):
        receiver.source.capabilities.put_object(symbol(self.capability))


class Directory:
    def __init__(self, connection, timeout):
        self.timeout = timeout
        self.reply_address = "amqp.replies." + uuid.uuid4().hex
        self.replies = connection.create_receiver(self.reply_address, options=Capability("queue"))
        self.requests = connection.create_sender(REQUESTS)

    def ask(self, body, request_id=None):
        """Sends one request (a dict, or raw text) and returns the parsed answer."""
        text = body if isinstance(body, str) else json.dumps(body)
        self.requests.send(Message(body=text, reply_to=self.reply_address, id=request_id))
        reply = self.replies.receive(timeout=self.timeout)
        self.replies.accept()
        return json.loads(reply.body)


failures = []


def check(name, condition, detail):
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else ": " + str(detail)))
    if not condition:
        failures.append(name)


def code_of(answer):
    return answer.get("error", {}).get("code")


def await_events(events, volume, wanted, seen, timeout):
    """Receives events until the volume's wanted types are in seen (type: first such event); each
    receive gives up after timeout seconds."""
    while not wanted <= seen.keys():
        message = events.receive(timeout=timeout)
        events.accept()
        event = json.loads(message.body)
        if event.get("volume") == volume:
            seen.setdefault(event.get("type"), event)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="amqp://127.0.0.1:61616")
    parser.add_argument("--admin", default="admin:roamstore-admin")
    parser.add_argument("--timeout", type=float, default=60)
    # The broker's own login (an integrating system's user), when the broker has users.
    parser.add_argument("--broker-user")
    parser.add_argument("--broker-password-file")
    args = parser.parse_args()
    admin_user, admin_password = args.admin.split(":", 1)

    login = {}
    if args.broker_user:
        with open(args.broker_password_file) as f:
            login = dict(user=args.broker_user, password=f.readline().rstrip("\n"),
                         allowed_mechs="PLAIN", allow_insecure_mechs=True)
    connection = BlockingConnection(args.url, timeout=args.timeout, **login)
    try:
        events = connection.create_receiver(EVENTS, options=Capability("topic"))
        directory = Directory(connection, args.timeout)
        suffix = uuid.uuid4().hex[:8]
        user, password, volume = "amqp-" + suffix, "amqp-password-1", "amqp-vol-" + suffix
        admin = {"user": admin_user, "password": admin_password}

        pong = directory.ask({"op": "ping"})
        check("ping", pong.get("ok") is True and pong.get("dataCenters", 0) >= 3, pong)

        made = directory.ask(
            {
                "op": "provision",
                "requestId": "provision-" + suffix,
                "admin": admin,
                "user": {"name": user, "password": password},
                "volume": {
                    "name": volume,
                    "owner": user,
                    "sizeBytes": 16 * 1024 * 1024,
                    "transferType": "ASYNC",
                    "sites": ["seattle", "portland"],
                    "minimumStaySeconds": 0,
                },
            }
        )
        check(
            "provision a user and a volume",
            made.get("ok") is True
            and made.get("requestId") == "provision-" + suffix
            and made["result"]["user"]["name"] == user
            and made["result"]["volume"]["name"] == volume,
            made,
        )

        not_admin = directory.ask(
            {"op": "provision", "admin": {"user": user, "password": password},
             "volume": {"name": volume + "-x", "owner": user, "sizeBytes": 4096, "sites": ["seattle"]}}
        )
        check("provision needs the role admin", code_of(not_admin) == "FORBIDDEN", not_admin)

        invalid = directory.ask(
            {"op": "provision", "admin": admin,
             "volume": {"name": volume + "/x", "owner": user, "sizeBytes": 1000, "sites": []}}
        )
        check("an invalid volume is refused", code_of(invalid) == "VALIDATION_FAILED", invalid)

        login = directory.ask(
            {"op": "login", "requestId": "login-" + suffix, "user": user, "password": password,
             "volume": volume, "networkInterface": "eugene"}
        )
        result = login.get("result", {})
        check(
            "log in through Eugene: the primary moves to Portland",
            login.get("ok") is True
            and result.get("dataCenter", {}).get("name") == "portland"
            and result.get("outcome") == "SWITCH"
            and result.get("nbd", {}).get("uri", "").startswith("nbd://"),
            login,
        )

        wrong = directory.ask(
            {"op": "login", "user": user, "password": "wrong-password", "volume": volume,
             "networkInterface": "eugene"}
        )
        check("a wrong password is refused", code_of(wrong) == "AUTHENTICATION_FAILED", wrong)

        where = directory.ask(
            {"op": "login", "user": user, "password": password, "volume": volume}
        )
        check(
            "a login by message must name its network interface",
            code_of(where) == "UNKNOWN_NETWORK_INTERFACE",
            where,
        )

        missing = directory.ask({"op": "login", "user": user})
        check("missing fields are refused", code_of(missing) == "VALIDATION_FAILED", missing)

        malformed = directory.ask('{"op": "login", "user":')
        check("malformed JSON is refused", code_of(malformed) == "MALFORMED_REQUEST", malformed)

        unknown = directory.ask({"op": "format-everything"})
        check("an unknown op is refused", code_of(unknown) == "UNKNOWN_OP", unknown)

        not_admin_verify = directory.ask(
            {"op": "verify", "admin": {"user": user, "password": password}, "volume": volume}
        )
        check("a verify needs the role admin", code_of(not_admin_verify) == "FORBIDDEN",
              not_admin_verify)

        bad_verify = directory.ask(
            {"op": "verify", "admin": admin, "volume": volume, "repair": "yes"}
        )
        check("a verify option of the wrong type is refused",
              code_of(bad_verify) == "MALFORMED_REQUEST", bad_verify)

        no_volume = directory.ask({"op": "verify", "admin": admin, "volume": volume + "-none"})
        check("a verify of an unknown volume is refused", code_of(no_volume) == "UNKNOWN_VOLUME",
              no_volume)

        verify = directory.ask(
            {"op": "verify", "requestId": "verify-" + suffix, "admin": admin, "volume": volume,
             "rateMiBPerSecond": 64}
        )
        started = verify.get("result", {})
        check(
            "an admin starts a verify at the primary (Portland) of its secondary (Seattle)",
            verify.get("ok") is True
            and started.get("primary") == "portland"
            and [s.get("dataCenter") for s in started.get("secondaries", [])] == ["seattle"],
            verify,
        )

        # The login, then the verify's start and its end, on the events topic (bounded: each
        # receive gives up after --timeout seconds).
        seen = {}
        await_events(events, volume, {"LOGIN"} | ({"VERIFY_STARTED", "VERIFY_FINISHED"}
                                                  if verify.get("ok") else set()), seen, args.timeout)
        login_event = seen["LOGIN"]
        check(
            "the login is announced on the events topic",
            login_event.get("dataCenter") == "portland" and login_event.get("outcome") == "SWITCH",
            login_event,
        )
        finished = seen.get("VERIFY_FINISHED", {})
        secondaries = finished.get("secondaries", [])
        check(
            "the verify's end is announced: Seattle's copy has no difference",
            finished.get("outcome") == "NO_DIFFERENCE"
            and len(secondaries) == 1
            and secondaries[0].get("dataCenter") == "seattle"
            and secondaries[0].get("differingRegions") == 0
            and secondaries[0].get("bytesVerified") == 16 * 1024 * 1024,
            finished,
        )

        # A copy added and dropped by message, as an integrating system would.
        not_admin_copy = directory.ask(
            {"op": "addCopy", "admin": {"user": user, "password": password}, "volume": volume,
             "site": "sanfrancisco"}
        )
        check("adding a copy needs the role admin", code_of(not_admin_copy) == "FORBIDDEN",
              not_admin_copy)
        bad_site = directory.ask({"op": "addCopy", "admin": admin, "volume": volume, "site": 7})
        check("a copy's site must be a name", code_of(bad_site) == "VALIDATION_FAILED", bad_site)
        primary_drop = directory.ask(
            {"op": "dropCopy", "admin": admin, "volume": volume, "site": "portland"}
        )
        check("the primary's copy is not dropped", code_of(primary_drop) == "COPY_IS_PRIMARY",
              primary_drop)
        added = directory.ask(
            {"op": "addCopy", "admin": admin, "volume": volume, "site": "sanfrancisco"}
        )
        copying = [m for m in added.get("result", {}).get("members", [])
                   if m.get("dataCenter") == "sanfrancisco"]
        check(
            "an admin adds a copy at San Francisco: it is copying",
            added.get("ok") is True and len(copying) == 1 and copying[0].get("copying") is True,
            added,
        )
        await_events(events, volume, {"COPY_IN_SYNC"} if added.get("ok") else set(), seen, args.timeout)
        dropped = directory.ask(
            {"op": "dropCopy", "admin": admin, "volume": volume, "site": "sanfrancisco"}
        )
        check(
            "once in sync and verified, the copy is dropped again",
            seen.get("COPY_IN_SYNC", {}).get("verifiedBytes") == 16 * 1024 * 1024
            and dropped.get("ok") is True
            and dropped.get("result", {}).get("dropped") is True,
            (seen.get("COPY_IN_SYNC"), dropped),
        )

        # A placement policy set by message: checked as over REST, shown as the GET shows it.
        not_admin_policy = directory.ask(
            {"op": "setPlacement", "admin": {"user": user, "password": password}, "volume": volume,
             "mode": "dry-run", "maxCopies": 2, "addAfterLogins": 3}
        )
        check("setting a placement policy needs the role admin",
              code_of(not_admin_policy) == "FORBIDDEN", not_admin_policy)
        bad_policy = directory.ask(
            {"op": "setPlacement", "admin": admin, "volume": volume, "mode": "on",
             "maxCopies": 4294967298, "addAfterLogins": 3}
        )
        check("a placement policy's numbers are range-checked",
              code_of(bad_policy) == "VALIDATION_FAILED"
              and "maxCopies" in json.dumps(bad_policy.get("error", {}).get("details", {})),
              bad_policy)
        policy = directory.ask(
            {"op": "setPlacement", "admin": admin, "volume": volume, "mode": "dry-run",
             "maxCopies": 2, "addAfterLogins": 3}
        )
        view = policy.get("result", {})
        check("an admin sets a dry-run placement policy",
              policy.get("ok") is True and view.get("mode") == "dry-run" and view.get("maxCopies") == 2
              and view.get("addAfterLogins") == 3 and view.get("volume") == volume,
              policy)
        off = directory.ask({"op": "setPlacement", "admin": admin, "volume": volume, "mode": "off"})
        check("and turns it off", off.get("ok") is True and off.get("result", {}).get("mode") == "off",
              off)
        print("VOLUME=" + volume)
        print("NBD_URI=" + result.get("nbd", {}).get("uri", ""))
    finally:
        connection.close()

    print("%d passed, %d failed" % (25 - len(failures), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
