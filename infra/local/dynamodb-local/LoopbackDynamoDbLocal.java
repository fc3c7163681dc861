// Starts AWS's DynamoDB Local (DynamoDBLocal.jar, on the class path) listening on 127.0.0.1 only, and
// stops it when its standard input closes. Run as a single-file source program by infra/local/dynamo.ts:
//   java -Djava.library.path=<lib>/DynamoDBLocal_lib -cp <lib>/DynamoDBLocal.jar LoopbackDynamoDbLocal.java <jar options>
//
// Why: the jar has no host option; its Jetty server is built with `new Server(port)`, which listens on every
// interface, so anyone on the network could read and write the local table. The server object is created
// first and started later, so the connector's host can be set in between. Why stdin: the node process that
// started it holds the other end of the pipe; when that process ends in any way (even SIGKILL), the pipe
// closes and this JVM exits instead of outliving it. Telemetry is not configured here, so none is sent.

import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy;
    try {
      proxy = ServerRunner.createServerFromCommandLineArgs(args);
    } catch (Exception e) {
      // e.g. "Invalid directory for database creation." for a -dbPath that is not a directory.
      System.err.println(e.getMessage());
      System.exit(1);
      return;
    }
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    for (Connector connector : ((Server) field.get(proxy)).getConnectors()) {
      ((ServerConnector) connector).setHost("127.0.0.1");
    }
    proxy.start();
    Thread parentWatch = new Thread(() -> {
      try {
        while (System.in.read() != -1) {}
      } catch (Exception ignored) {
        // A broken pipe means the same: the parent is gone.
      }
      System.exit(0);
    });
    parentWatch.setDaemon(true);
    parentWatch.start();
  }
}
