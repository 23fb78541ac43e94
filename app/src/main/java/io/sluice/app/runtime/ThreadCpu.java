package io.sluice.app.runtime;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * CPU time of this whole process by thread group: the Java threads by name (ThreadMXBean), and the JVM's garbage
 * collector and JIT compiler threads, which ThreadMXBean does not list, from {@code /proc/self/task} (Linux only).
 * What no group claims is {@link Group#OTHER}: the process's CPU time less the groups', so the JVM's own threads,
 * threads that ended within the window, and off Linux the collector and compilers too.
 */
public final class ThreadCpu {
    /** Prefix of the bench's own threads and Kafka client ids, so their CPU counts as the load driver's. */
    public static final String DRIVER = "bench-driver";
    /** /proc reports CPU time in clock ticks of USER_HZ, which Linux fixes at 100 a second on every architecture. */
    private static final long NANOS_PER_TICK = 10_000_000L;
    private static final Path TASKS = Path.of("/proc/self/task");
    /**
     * The broker's background threads (controller, raft, coordinators, purgatories, log maintenance, its metrics'
     * ticks), named as Kafka 4 names them; the clients' own (kafka-producer-, kafka-admin-client-,
     * kafka-coordinator-heartbeat-thread) are not among them.
     */
    private static final Pattern BROKER = Pattern.compile("kafka-\\d+-.*|kafka-scheduler-.*|kafka-log-cleaner-.*"
            + "|(controller|broker)-\\d+-.*|quorum-controller-.*|raft-.*|(group|share)-coordinator-.*|executor-.*"
            + "|ExpirationReaper-.*|TxnMarkerSenderThread-.*|AddPartitionsToTxnSenderThread-.*|LogDirFailureHandler"
            + "|transaction-log-manager-.*|.*-reaper|PersisterStateManager|metrics-meter-tick-thread-.*");

    /** Thread groups, in report order, with the name each has in the JSON line. */
    public enum Group {
        STREAM_THREADS("streamThreads"), PRODUCER_IO("producerIo"), BROKER_REQUEST_HANDLERS("brokerRequestHandlers"),
        BROKER_NETWORK("brokerNetwork"), BROKER_OTHER("brokerOther"), VERTX_EVENT_LOOPS("vertxEventLoops"),
        LOAD_DRIVER("loadDriver"), GC("gc"), JIT("jitCompiler"), OTHER("other");

        public final String json;

        Group(String json) {
            this.json = json;
        }
    }

    /**
     * CPU nanoseconds used so far by each live thread (keyed {@code java:<id>} or {@code os:<tid>}), and in all; and
     * the heap bytes each live Java thread has allocated so far.
     */
    public record Snapshot(long wallNanos, long processNanos, Map<String, Long> threadNanos, Map<String, Group> groups,
                           Map<String, Long> threadAllocated) {
        /** CPU per group from {@code before} to this snapshot; a thread started in between counts from zero. */
        public Usage since(Snapshot before) {
            Map<Group, Long> nanos = new EnumMap<>(Group.class);
            long claimed = 0;
            for (Map.Entry<String, Long> thread : threadNanos.entrySet()) {
                long used = Math.max(0, thread.getValue() - before.threadNanos.getOrDefault(thread.getKey(), 0L));
                Group group = groups.get(thread.getKey());
                if (group != Group.OTHER) {
                    nanos.merge(group, used, Long::sum);
                    claimed += used;
                }
            }
            nanos.put(Group.OTHER, Math.max(0, processNanos - before.processNanos - claimed));
            Map<Group, Long> allocated = new EnumMap<>(Group.class);
            threadAllocated.forEach((thread, bytes) -> allocated.merge(groups.get(thread),
                    Math.max(0, bytes - before.threadAllocated.getOrDefault(thread, 0L)), Long::sum));
            return new Usage(wallNanos - before.wallNanos, nanos, allocated);
        }
    }

    /**
     * CPU time per group over a window of {@code wallNanos}, and the heap bytes each group's Java threads allocated
     * (threads that ended within the window not counted; the collector and compilers allocate no Java objects).
     */
    public record Usage(long wallNanos, Map<Group, Long> nanos, Map<Group, Long> allocated) {
        public long totalNanos() {
            return nanos.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Cores busy on average over the window: CPU time over wall time. */
        public double cores(long cpuNanos) {
            return wallNanos == 0 ? 0 : (double) cpuNanos / wallNanos;
        }
    }

    private ThreadCpu() {}

    public static Snapshot snapshot() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = threads.getAllThreadIds();
        long[] cpu = threads.getThreadCpuTime(ids);
        long[] bytes = threads.isThreadAllocatedMemoryEnabled() ? threads.getThreadAllocatedBytes(ids) : null;
        ThreadInfo[] infos = threads.getThreadInfo(ids);
        Map<String, Long> nanos = new HashMap<>();
        Map<String, Group> groups = new HashMap<>();
        Map<String, Long> allocated = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            if (infos[i] != null && cpu[i] >= 0) {
                nanos.put("java:" + ids[i], cpu[i]);
                groups.put("java:" + ids[i], javaGroup(infos[i].getThreadName()));
                if (bytes != null && bytes[i] >= 0) {
                    allocated.put("java:" + ids[i], bytes[i]);
                }
            }
        }
        readJvmThreads(nanos, groups);
        long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        return new Snapshot(System.nanoTime(), process, nanos, groups, allocated);
    }

    /** The group of a Java thread, by the names Kafka, Kafka Streams, Vert.x and the bench give their threads. */
    static Group javaGroup(String name) {
        if (name.contains(DRIVER)) {
            return Group.LOAD_DRIVER; // its producer's and admin's network threads too: their client ids say so
        } else if (name.startsWith("kafka-producer-network-thread") && name.contains("-StreamThread-")) {
            return Group.PRODUCER_IO; // the stream threads' producers; the registry's own is other
        } else if (name.contains("-StreamThread-") || name.contains("-StateUpdater-")) {
            return Group.STREAM_THREADS;
        } else if (name.contains("kafka-request-handler")) {
            return Group.BROKER_REQUEST_HANDLERS;
        } else if (name.contains("kafka-network-thread") || name.contains("socket-acceptor")) {
            return Group.BROKER_NETWORK;
        } else if (name.startsWith("vert.x-eventloop-thread")) {
            return Group.VERTX_EVENT_LOOPS;
        }
        return BROKER.matcher(name).matches() ? Group.BROKER_OTHER : Group.OTHER;
    }

    /** The collector's and the compilers' threads, which only the OS lists; nothing off Linux. */
    private static void readJvmThreads(Map<String, Long> nanos, Map<String, Group> groups) {
        if (!Files.isDirectory(TASKS)) {
            return;
        }
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) {
                String key = "os:" + task.getFileName();
                jvmGroup(task).ifPresent(group -> ticks(task).ifPresent(ticks -> {
                    nanos.put(key, ticks * NANOS_PER_TICK);
                    groups.put(key, group);
                }));
            }
        } catch (IOException e) {
            // the threads are then "other": the figure is still the process's, only less finely split
        }
    }

    private static Optional<Group> jvmGroup(Path task) {
        String name;
        try {
            name = Files.readString(task.resolve("comm")).strip(); // cut to 15 characters by the kernel
        } catch (IOException e) {
            return Optional.empty(); // ended since it was listed
        }
        if (name.contains("CompilerThre")) {
            return Optional.of(Group.JIT);
        }
        boolean gc = name.startsWith("GC Thread") || name.startsWith("G1 ") || name.startsWith("ZWorker")
                || name.startsWith("ZDriver") || name.startsWith("ZDirector") || name.startsWith("Shenandoah")
                || name.startsWith("Parallel GC");
        return gc ? Optional.of(Group.GC) : Optional.empty();
    }

    /** User and system time of one thread in clock ticks: fields 14 and 15 of its stat, after the name. */
    private static Optional<Long> ticks(Path task) {
        try {
            String stat = Files.readString(task.resolve("stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
