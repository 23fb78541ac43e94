package io.sluice.app;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

/**
 * Where a Connect worker's REST API listens and where the other workers of its group reach it: a worker that is not
 * the leader forwards connector changes to the leader at the address the leader advertised, so several workers on
 * different machines need an address each can reach, not a loopback one.
 *
 * @param host           the address the API listens on: a loopback one for this machine only, 0.0.0.0 for every
 *                       interface (a container, or several workers)
 * @param port           its port
 * @param advertisedHost the name or address the other workers reach it at
 */
record ConnectRest(String host, int port, String advertisedHost) {
    ConnectRest {
        if (advertisedHost.contains("/")) {
            throw new IllegalArgumentException("--advertised-host takes a host name or address, not a URL: e.g."
                    + " --advertised-host connect-1.internal (the port is --port)");
        }
        if (wildcard(advertisedHost)) {
            throw new IllegalArgumentException("other workers cannot reach " + advertisedHost + ": give this"
                    + " machine's name or address, e.g. --advertised-host connect-1.internal");
        }
        if (loopback(host) && !loopback(advertisedHost)) {
            throw new IllegalArgumentException("the REST API listens on " + host + " only, so other workers cannot"
                    + " reach it at " + advertisedHost + ": add --host 0.0.0.0 (every interface) or --host <this"
                    + " machine's address>");
        }
    }

    /**
     * The REST address from the command line: with no advertised host, the listen address, or for every interface
     * this machine's name.
     */
    static ConnectRest of(String host, int port, String advertisedHost) {
        if (advertisedHost != null) {
            return new ConnectRest(host, port, advertisedHost);
        }
        if (!wildcard(host)) {
            return new ConnectRest(host, port, host);
        }
        try {
            return new ConnectRest(host, port, InetAddress.getLocalHost().getHostName());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("this machine's name does not resolve (" + e.getMessage()
                    + "): give --advertised-host <this machine's address>", e);
        }
    }

    /** The worker's REST settings: its listener and what it advertises to the group. */
    Map<String, String> workerSettings() {
        return Map.of("listeners", url(host), "rest.advertised.listener", "http",
                "rest.advertised.host.name", advertisedHost, "rest.advertised.port", String.valueOf(port));
    }

    /** Where this process reaches the worker it started: the listen address, or loopback for every interface. */
    String localUrl() {
        return url(wildcard(host) ? (host.contains(":") ? "::1" : "127.0.0.1") : host);
    }

    /** Where the other workers reach this one. */
    String advertisedUrl() {
        return url(advertisedHost);
    }

    private String url(String address) {
        return "http://" + (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
    }

    private static boolean wildcard(String address) {
        return address.equals("0.0.0.0") || address.equals("::");
    }

    private static boolean loopback(String address) {
        return address.equals("localhost") || address.startsWith("127.") || address.equals("::1");
    }
}
