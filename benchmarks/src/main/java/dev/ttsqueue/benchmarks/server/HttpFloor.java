package dev.ttsqueue.benchmarks.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The floor under every request of the shipped server: the same Jetty, thread pool and connector
 * settings as {@code TtsServer}, and a blocking handler (a thread per request, as Jersey takes)
 * that answers every request with the 172 bytes of JSON the server's {@code GET /health} sends,
 * and nothing else: no routing, filters, injection or serialisation. {@code http-floor.sh} drives it
 * with the same wrk load as the server's {@code /health}, so the difference between the two is
 * what the framework costs per request.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.ttsqueue.benchmarks.server.HttpFloor PORT</pre>
 */
public final class HttpFloor {
    private static final byte[] HEALTH = ("{\"status\":\"healthy\",\"model_loaded\":true,\"vocoder_loaded\":true,"
            + "\"backend\":\"synthetic\",\"device\":\"CPU\",\"store\":\"in-memory\",\"store_reachable\":true,"
            + "\"workers\":1,\"workers_stuck\":0}").getBytes(StandardCharsets.UTF_8);

    private HttpFloor() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: HttpFloor PORT");
            System.exit(2);
        }
        QueuedThreadPool threads = new QueuedThreadPool(200, 4);
        threads.setName("floor-http");
        Server jetty = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        ServerConnector connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(Integer.parseInt(args[0]));
        connector.setAcceptQueueSize(1024);
        jetty.addConnector(connector);
        jetty.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, HEALTH.length);
                response.write(true, ByteBuffer.wrap(HEALTH), callback);
                return true;
            }
        });
        jetty.start();
        System.out.println("listening on http://127.0.0.1:" + connector.getLocalPort() + "/");
        jetty.join();
    }
}
