#!/usr/bin/env python3
"""Sends prompt requests to Sluice's requests topic, keyed by request id, and writes their ids to a file for
consumer.py. Usage: producer.py [--count 20] [--ids ids.txt] [--bootstrap localhost:9092]
[--registry http://localhost:8081] [--tenant python-example]"""
import argparse
import datetime
import sys
import uuid

from confluent_kafka import Producer

from sluice_wire import Wire


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", default="localhost:9092")
    parser.add_argument("--registry", default="http://localhost:8081")
    parser.add_argument("--topic", default="sluice.requests")
    parser.add_argument("--tenant", default="python-example")
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--ids", default="ids.txt", help="file the request ids are written to")
    args = parser.parse_args()

    encode = Wire(args.registry).encoder(args.topic + "-value", "PromptRequest.avsc")
    # idempotent: a retried send after a broker hiccup is not written twice
    producer = Producer({"bootstrap.servers": args.bootstrap, "enable.idempotence": True})
    failures = []
    run = uuid.uuid4().hex[:8]
    ids = []
    for i in range(args.count):
        request_id = "py-%s-%d" % (run, i)
        request = {
            "requestId": request_id, "tenantId": args.tenant, "userId": "user-%d" % (i % 3),
            "appId": "python-example", "createdAt": datetime.datetime.now(datetime.timezone.utc),
            "route": "default",
            "messages": [{"role": "user", "content": "Write a short status update, number %d." % i}],
            "params": {"maxTokens": 64, "temperature": None, "topP": None, "stop": []},
            "metadata": {"example": "python"}, "deadline": None,
        }
        producer.produce(args.topic, key=request_id, value=encode(request),
                         on_delivery=lambda err, msg: err and failures.append(str(err)))
        ids.append(request_id)
    producer.flush(30)
    if failures or len(producer) > 0:
        print("not every request was written: %s" % (failures or "%d still queued" % len(producer)),
              file=sys.stderr)
        return 1
    with open(args.ids, "w") as out:
        out.write("\n".join(ids) + "\n")
    print("sent %d requests to %s; ids in %s" % (len(ids), args.topic, args.ids))
    return 0


if __name__ == "__main__":
    sys.exit(main())
