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
//
// As in a packaged Neo4j (server.directories.import), LOAD CSV reads file: URLs only
// inside HOME/import; the password marker is a salted PBKDF2 hash, readable by its owner only.

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
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

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

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

    static final String MARKER = "tunegraph-password.pbkdf2";
    static final String OLD_MARKER = "tunegraph-password.sha256"; // unsalted, by older launchers
    static final int ITERATIONS = 210_000;

    static byte[] pbkdf2(String password, byte[] salt, int iterations) throws Exception {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
        return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    }

    /** Does the marker say this password is set already? "pbkdf2-sha256$ITER$SALT$HASH". */
    static boolean markerMatches(Path marker, String password) throws Exception {
        if (!Files.exists(marker)) {
            return false;
        }
        String[] parts = Files.readString(marker).trim().split("\\$");
        if (parts.length != 4 || !parts[0].equals("pbkdf2-sha256")) {
            return false;
        }
        try {
            HexFormat hex = HexFormat.of();
            byte[] expected = hex.parseHex(parts[3]);
            byte[] actual = pbkdf2(password, hex.parseHex(parts[2]), Integer.parseInt(parts[1]));
            return MessageDigest.isEqual(expected, actual);
        } catch (IllegalArgumentException e) { // a damaged marker: set the password again
            return false;
        }
    }

    /** Written to a private temporary file (0600), then moved over the marker. */
    static void writeMarker(Path marker, String password) throws Exception {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        HexFormat hex = HexFormat.of();
        String line = "pbkdf2-sha256$" + ITERATIONS + "$" + hex.formatHex(salt) + "$"
                + hex.formatHex(pbkdf2(password, salt, ITERATIONS)) + "\n";
        Path tmp = Files.createTempFile(marker.getParent(), MARKER, ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, line);
        Files.move(tmp, marker, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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

        // LOAD CSV: file: URLs resolve inside this folder, and never outside it.
        Path importDir = Files.createDirectories(home.resolve("import"));
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pagecacheMb))
                .setConfig(GraphDatabaseSettings.auth_enabled, auth)
                .setConfig(GraphDatabaseSettings.load_csv_file_url_root, importDir)
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
            // ALTER USER is a large share of a start; a marker says it is done already.
            Path marker = home.resolve(MARKER);
            Files.deleteIfExists(home.resolve(OLD_MARKER));
            if (auth && !markerMatches(marker, password)) {
                setPassword(dbms, password);
                writeMarker(marker, password);
            }
            // Touch the default database so it is online before we say we are ready.
            dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME)
                    .executeTransactionally("RETURN 1");
        } catch (Exception e) {
            System.out.println("TUNEGRAPH-NEO4J FAILED " + e);
            System.out.flush();
            System.exit(1); // runs the shutdown hook
        }
        System.out.println("TUNEGRAPH-NEO4J READY bolt://127.0.0.1:" + port);
        System.out.flush();
        stopped.await();
    }
}
