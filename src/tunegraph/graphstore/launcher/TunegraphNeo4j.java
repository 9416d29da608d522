// Runs embedded Neo4j (Community, 5.26 LTS) with a Bolt connector on loopback, for machines
// without Docker. Started by `tunegraph neo4j start`; stopped by SIGTERM (clean shutdown hook).
//
//   java -cp 'lib/*' TunegraphNeo4j.java --home DIR --port 7687 --pagecache-mb 256
// (password, if auth is wanted, in the environment variable TUNEGRAPH_NEO4J_PASSWORD)
//
// Prints "TUNEGRAPH-NEO4J READY bolt://127.0.0.1:PORT" once Bolt accepts connections.
//
// With --import-args FILE (neo4j-admin arguments, one per line), it first runs Neo4j's
// offline importer in this JVM (`tunegraph import mpd --bulk`), then starts the server on
// the result: one JVM start instead of two. A failed import prints
// "TUNEGRAPH-NEO4J IMPORT FAILED" and exits with status 3, before any server starts.

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.cli.AdminTool;
import org.neo4j.cli.ExecutionContext;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;

public class TunegraphNeo4j {
    /** The first login of a new store is neo4j/neo4j, expired; set ours. Idempotent. */
    static void setPassword(DatabaseManagementService dbms, String password) {
        GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (RuntimeException e) {
            if (!String.valueOf(e.getMessage()).contains("cannot be the same")) {
                throw e;
            }
        }
    }

    static String sha256(String text) throws Exception {
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        StringBuilder hex = new StringBuilder();
        for (byte b : hash) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        Path home = Path.of(args.getOrDefault("home", "neo4j-data")).toAbsolutePath();
        int port = Integer.parseInt(args.getOrDefault("port", "7687"));
        long pagecacheMb = Long.parseLong(args.getOrDefault("pagecache-mb", "256"));
        String password = System.getenv().getOrDefault("TUNEGRAPH_NEO4J_PASSWORD", "");
        boolean auth = !password.isEmpty();

        if (args.containsKey("import-args")) {
            List<String> importArgs = Files.readAllLines(Path.of(args.get("import-args")));
            int status = AdminTool.execute(
                    new ExecutionContext(home, home.resolve("conf")), importArgs.toArray(new String[0]));
            if (status != 0) {
                System.out.println("TUNEGRAPH-NEO4J IMPORT FAILED status " + status);
                System.out.flush();
                System.exit(3);
            }
            System.out.println("TUNEGRAPH-NEO4J IMPORT DONE");
            System.out.flush();
        }

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pagecacheMb))
                .setConfig(GraphDatabaseSettings.auth_enabled, auth)
                // Bolt otherwise waits 5 s for connections and 5 s for its threads at
                // shutdown, after the databases are already closed and checkpointed.
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofMillis(200))
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofMillis(200))
                .build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("TUNEGRAPH-NEO4J STOPPING");
            dbms.shutdown();
            System.out.println("TUNEGRAPH-NEO4J STOPPED");
            System.out.flush();
            stopped.countDown();
        }, "tunegraph-neo4j-shutdown"));

        try {
            // ALTER USER costs about 3 s of a start; a marker says it is done already.
            Path marker = home.resolve("tunegraph-password.sha256");
            String digest = sha256("tunegraph:" + password);
            if (auth && !(Files.exists(marker) && Files.readString(marker).trim().equals(digest))) {
                setPassword(dbms, password);
                Files.writeString(marker, digest + "\n");
            }
            // Touch the default database so it is online before we say we are ready.
            dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME)
                    .executeTransactionally("RETURN 1");
        } catch (RuntimeException e) {
            System.out.println("TUNEGRAPH-NEO4J FAILED " + e);
            System.out.flush();
            System.exit(1); // runs the shutdown hook
        }
        System.out.println("TUNEGRAPH-NEO4J READY bolt://127.0.0.1:" + port);
        System.out.flush();
        stopped.await();
    }
}
