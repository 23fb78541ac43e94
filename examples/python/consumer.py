#!/usr/bin/env python3
"""Reads Sluice's three outcome topics (responses, rejected, dead-letter) until every request id in --ids has its
outcome, and checks each has exactly one. Exits 0 when so, 1 on a missing or duplicate outcome.
Usage: consumer.py [--ids ids.txt] [--bootstrap localhost:9092] [--registry http://localhost:8081] [--timeout 120]"""
import argparse
import sys
import time
import uuid

from confluent_kafka import Consumer

from sluice_wire import Wire


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", default="localhost:9092")
    parser.add_argument("--registry", default="http://localhost:8081")
    parser.add_argument("--prefix", default="sluice.", help="topics.prefix of the Sluice instance")
    parser.add_argument("--ids", default="ids.txt")
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--linger", type=float, default=3, help="seconds to keep reading for duplicates")
    args = parser.parse_args()

    with open(args.ids) as lines:
        expected = {line.strip() for line in lines if line.strip()}
    wire = Wire(args.registry)
    responses, rejected, dead = (args.prefix + t for t in ("responses", "rejected", "dead-letter"))
    consumer = Consumer({
        "bootstrap.servers": args.bootstrap, "group.id": "python-example-" + uuid.uuid4().hex,
        "auto.offset.reset": "earliest", "enable.auto.commit": False,
        # only outcomes Sluice committed: an aborted attempt before a crash is never seen
        "isolation.level": "read_committed",
    })
    consumer.subscribe([responses, rejected, dead])
    outcomes = {}
    duplicates = 0
    deadline = time.monotonic() + args.timeout
    try:
        while time.monotonic() < deadline:
            if len(outcomes) == len(expected):
                # all in: read a little longer, so a second outcome for an id would show
                deadline = min(deadline, time.monotonic() + args.linger)
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                print("consumer error: %s" % msg.error(), file=sys.stderr)
                continue
            headers = dict(msg.headers() or [])
            key = msg.key().decode() if msg.key() else None
            request_id = headers.get("sluice.dlq.request.id", b"").decode() or key
            if request_id not in expected:
                continue
            if msg.topic() == responses:
                answer = wire.decode(msg.value())
                said = "%s from %s/%s: %s" % (answer["status"], answer["provider"], answer["model"],
                                              answer["content"][:60].replace("\n", " "))
            elif msg.topic() == rejected:
                refusal = wire.decode(msg.value())
                said = "REJECTED %s: %s" % (refusal["reason"], refusal["detail"])
            else:
                said = "DEAD_LETTER %s" % headers.get("sluice.dlq.reason", b"poison_record").decode()
            if request_id in outcomes:
                duplicates += 1
                print("DUPLICATE %s: %s" % (request_id, said))
            outcomes[request_id] = said
            print("%s: %s" % (request_id, said))
    finally:
        consumer.close()
    missing = expected - outcomes.keys()
    print("%d of %d requests have an outcome; %d missing, %d duplicates"
          % (len(outcomes), len(expected), len(missing), duplicates))
    return 0 if not missing and duplicates == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
