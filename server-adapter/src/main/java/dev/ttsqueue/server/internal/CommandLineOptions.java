package dev.ttsqueue.server.internal;

import dev.ttsqueue.server.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * The standalone server's command line, read with picocli. Every option {@code --some-name} can
 * also be given as the environment variable {@code TTSQ_SOME_NAME}; a flag wins over the
 * environment, which wins over the default. Blank environment variables count as unset, except
 * {@code TTSQ_API_KEY}, which is refused when set but blank so that {@code TTSQ_API_KEY=$KEY}
 * with {@code KEY} unset cannot start an open server.
 */
@Command(name = "ttsqueue-server", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 110,
        description = "Runs the TTS job queue behind the F5-TTS FastAPI server's REST API.%n",
        footer = {"%nEvery option --some-name can also be set as the environment variable TTSQ_SOME_NAME"
                + " (e.g. TTSQ_PORT=9000). A flag wins over the environment, which wins over the default."
                + " Durations: 90s, 30m, 24h, 7d, a number of seconds or ISO-8601 (PT1H)."})
public final class CommandLineOptions {
    /** What the command line asks for: the HTTP settings and the queue's. */
    public record Parsed(ServerConfig server, StandaloneOptions standalone) {
    }

    private static final String ENV_PREFIX = "TTSQ_";

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = ServerConfig.DEFAULT_HOST,
            description = "address to bind (0.0.0.0 for all interfaces); default ${DEFAULT-VALUE}")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8000", description = "TCP port (0 = any free port); default ${DEFAULT-VALUE}")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data", description = "jobs database, audio and voices; default ./${DEFAULT-VALUE}")
    Path dataDir;

    @Option(names = "--model-dir", paramLabel = "DIR", description = "F5-TTS ONNX model folder; default none: the built-in FreeTTS voice")
    Path modelDir;

    @Option(names = "--transcriber-model-dir", paramLabel = "DIR",
            description = "Whisper ONNX export (transformers.js layout) that transcribes references sent without ref_text;"
                    + " default none: ref_text required")
    Path transcriberModelDir;

    @Option(names = "--devices", paramLabel = "IDS", description = "comma-separated CUDA device ids, one worker each")
    String devices;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "1", description = "workers when no devices are listed; default ${DEFAULT-VALUE}")
    int workers;

    @Option(names = "--provider", paramLabel = "PROVIDER", defaultValue = "auto", description = "auto | cuda | cpu; default ${DEFAULT-VALUE}")
    String provider;

    @Option(names = "--store", paramLabel = "STORE", defaultValue = "sqlite", description = "sqlite (durable; the default) | memory"
            + " | redis://[user:password@]host:port/db (also rediss://, redis-sentinel://, redis-cluster://): several nodes, one queue")
    String store;

    @Option(names = "--node-id", paramLabel = "NAME", description = "this node's name on a Redis store (logs, Redis client list);"
            + " default host:pid")
    String nodeId;

    @Option(names = "--api-key", paramLabel = "KEY", description = "require this X-API-Key on every request but /health and docs;"
            + " default off")
    String apiKey;

    @Option(names = "--api-keys", paramLabel = "FILE", description = "API keys with tenants, one a line: 'key tenant weight"
            + " max_queued rate_per_s [admin]' (# comments); each tenant sees only its own jobs and audio; not with --api-key;"
            + " default off")
    Path apiKeys;

    @Option(names = "--metrics-open", paramLabel = "true|false", arity = "0..1", fallbackValue = "true", defaultValue = "false",
            description = "let GET /metrics answer without the API key (for a Prometheus scraper); default ${DEFAULT-VALUE}")
    boolean metricsOpen;

    @Option(names = "--access-log", paramLabel = "FILE|stdout", arity = "0..1", fallbackValue = ServerConfig.ACCESS_LOG_STDOUT,
            description = "write one line per request (common log format, without query strings) to FILE or stdout;"
                    + " default off")
    String accessLog;

    @Option(names = "--max-upload-bytes", paramLabel = "BYTES", defaultValue = "52428800",
            description = "largest upload body (413 beyond; JSON and forms get a smaller limit); default ${DEFAULT-VALUE}")
    long maxUploadBytes;

    @Option(names = "--max-text-length", paramLabel = "CHARS", defaultValue = "10000",
            description = "longest text in characters (0 = backend limit); default ${DEFAULT-VALUE}")
    int maxTextLength;

    @Option(names = "--max-queue-size", paramLabel = "JOBS", defaultValue = "10000",
            description = "queued jobs before 429 (0 = no limit); default ${DEFAULT-VALUE}")
    int maxQueueSize;

    @Option(names = "--retention", paramLabel = "DURATION", defaultValue = "24h", converter = Durations.class,
            description = "delete finished jobs older than this (0 = keep); default ${DEFAULT-VALUE}")
    Duration retention;

    @Option(names = "--upload-ttl", paramLabel = "DURATION", defaultValue = "24h", converter = Durations.class,
            description = "how long uploads are served (0 = no expiry); default ${DEFAULT-VALUE}")
    Duration uploadTtl;

    @Option(names = "--sync-timeout", paramLabel = "DURATION", defaultValue = "10m", converter = Durations.class,
            description = "how long synchronous endpoints wait for their job; default ${DEFAULT-VALUE}")
    Duration syncTimeout;

    @Option(names = "--cors-origins", paramLabel = "ORIGINS",
            description = "comma-separated origins of web pages that may use the API (http://localhost:* = any port),"
                    + " loopback, '*' = any page, none; default: loopback when bound to loopback, else none")
    String corsOrigins;

    @Option(names = "--allowed-hosts", paramLabel = "HOSTS", description = "comma-separated Host names served ('*' = any);"
            + " default: loopback names when bound to loopback, else any")
    String allowedHosts;

    @Option(names = "--lease", paramLabel = "DURATION", defaultValue = "30s", converter = Durations.class,
            description = "how long a running job's claim lasts unrenewed; a lapsed job runs again (min 2s); default ${DEFAULT-VALUE}")
    Duration lease;

    @Option(names = "--warm-up", paramLabel = "DURATION", defaultValue = "10s", converter = Durations.class,
            description = "how long each worker warms its model up before its first job, so the first jobs run at full speed"
                    + " and get estimates that hold (0 = none); default ${DEFAULT-VALUE}")
    Duration warmUp;

    @Option(names = "--backend", paramLabel = "BACKEND", defaultValue = "auto",
            description = "auto (F5 with --model-dir, else FreeTTS) | synthetic (tests only: a tone, no speech); default ${DEFAULT-VALUE}")
    String backend;

    private CommandLineOptions() {
    }

    /**
     * Reads {@code args}, then {@code env}, then the defaults.
     *
     * @throws IllegalArgumentException with one line that names the option, for an unknown option, a
     *     missing or bad value, or settings that do not go together
     */
    public static Parsed parse(String[] args, Map<String, String> env) {
        String envKey = env.get(variable("--api-key"));
        if (envKey != null && envKey.isBlank()) {
            throw new IllegalArgumentException(variable("--api-key") + " is set but empty; unset it to run without a key");
        }
        CommandLineOptions o = new CommandLineOptions();
        CommandLine cl = new CommandLine(o).setDefaultValueProvider(arg -> fromEnvironment(arg, env));
        try {
            cl.parseArgs(args);
        } catch (ParameterException e) {
            throw new IllegalArgumentException(oneLine(e, args, env), e);
        }
        if (o.apiKey != null && o.apiKey.isBlank() && cl.getParseResult().hasMatchedOption("--api-key")) {
            // What "--api-key $KEY" becomes when KEY is unset: never start an open server for it.
            throw new IllegalArgumentException("--api-key is empty; leave the option out to run without a key");
        }
        try {
            return new Parsed(o.serverConfig(), o.standaloneOptions());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(namingTheFlag(e.getMessage()), e);
        }
    }

    /** True when {@code args} ask for the usage anywhere ({@code -h}, {@code --help}). */
    public static boolean asksForHelp(String[] args) {
        return before(args, "--").stream().anyMatch(a -> a.equals("-h") || a.equals("--help"));
    }

    /** True when {@code args} ask for the version anywhere ({@code -V}, {@code --version}). */
    public static boolean asksForVersion(String[] args) {
        return before(args, "--").stream().anyMatch(a -> a.equals("-V") || a.equals("--version"));
    }

    /** The usage text {@code --help} prints. */
    public static String usage() {
        return new CommandLine(new CommandLineOptions()).getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    /** The environment variable of every option, in the order {@code --help} lists them. */
    public static List<String> environmentVariables() {
        return new CommandLine(new CommandLineOptions()).getCommandSpec().options().stream()
                .filter(o -> !o.usageHelp() && !o.versionHelp()).map(o -> variable(o.longestName())).toList();
    }

    private ServerConfig serverConfig() {
        return ServerConfig.builder().host(host).port(port).apiKey(apiKey).maxUploadBytes(maxUploadBytes)
                .syncTimeout(syncTimeout).corsOrigins(origins(corsOrigins))
                .allowedHosts(names(allowedHosts)).metricsOpen(metricsOpen).apiKeysFile(apiKeys).accessLog(accessLog).build();
    }

    private StandaloneOptions standaloneOptions() {
        return new StandaloneOptions(dataDir, modelDir, deviceIds(devices), workers, provider, store, maxTextLength, maxQueueSize,
                retention.isZero() ? null : retention, uploadTtl.isZero() ? null : uploadTtl, backend, lease, transcriberModelDir, nodeId,
                warmUp);
    }

    /** The environment's value for an option, trimmed; null (the default applies) when unset or blank. */
    private static String fromEnvironment(ArgSpec arg, Map<String, String> env) {
        if (!(arg instanceof OptionSpec option) || option.usageHelp() || option.versionHelp()) {
            return null;
        }
        String v = env.get(variable(option.longestName()));
        return v == null || v.isBlank() ? null : v.trim();
    }

    /** {@code --max-queue-size} -> {@code TTSQ_MAX_QUEUE_SIZE}. */
    static String variable(String flag) {
        return ENV_PREFIX + flag.substring(2).replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** picocli's message, first line only, saying which environment variable a bad value came from. */
    private static String oneLine(ParameterException e, String[] args, Map<String, String> env) {
        String message = e.getMessage().lines().findFirst().orElse("bad command line");
        if (e.getArgSpec() instanceof OptionSpec option) {
            String flag = option.longestName();
            boolean onCommandLine = Arrays.stream(args).anyMatch(a -> a.equals(flag) || a.startsWith(flag + "="));
            if (!onCommandLine && env.containsKey(variable(flag))) {
                message += " (from the environment variable " + variable(flag) + ")";
            }
        }
        return message;
    }

    /** ServerConfig names its settings as a library does ({@code port must be ...}); on the command line they are flags. */
    private static String namingTheFlag(String message) {
        for (String flag : new CommandLine(new CommandLineOptions()).getCommandSpec().optionsMap().keySet()) {
            if (flag.startsWith("--") && message.startsWith(flag.substring(2) + " ")) {
                return "--" + message;
            }
        }
        return message;
    }

    private static List<String> before(String[] args, String end) {
        List<String> out = new ArrayList<>();
        for (String a : args) {
            if (a.equals(end)) {
                break;
            }
            out.add(a);
        }
        return out;
    }

    /** {@code --cors-origins}: a comma-separated list whose words ({@code none}, {@code loopback}) the origin policy reads. */
    private static List<String> origins(String v) {
        return v == null ? List.of() : Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** A comma-separated list; blank or {@code none} is empty. */
    private static List<String> names(String v) {
        if (v == null || v.isBlank() || v.trim().equalsIgnoreCase("none")) {
            return List.of();
        }
        return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static List<Integer> deviceIds(String v) {
        List<Integer> out = new ArrayList<>();
        for (String part : names(v)) {
            try {
                out.add(Integer.parseInt(part));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--devices must be comma-separated device ids (e.g. 0,1): " + v);
            }
        }
        return out;
    }

    /** {@code 90s}, {@code 30m}, {@code 24h}, {@code 7d}, a bare number of seconds, or ISO-8601 ({@code PT1H}). */
    static final class Durations implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String v) {
            String s = v.trim().toLowerCase(Locale.ROOT);
            Duration d;
            try {
                if (s.startsWith("p")) {
                    d = Duration.parse(s.toUpperCase(Locale.ROOT));
                } else {
                    char unit = s.isEmpty() ? ' ' : s.charAt(s.length() - 1);
                    long n = Long.parseLong(Character.isDigit(unit) ? s : s.substring(0, s.length() - 1));
                    d = switch (unit) {
                        case 'm' -> Duration.ofMinutes(n);
                        case 'h' -> Duration.ofHours(n);
                        case 'd' -> Duration.ofDays(n);
                        case 's' -> Duration.ofSeconds(n);
                        default -> {
                            if (!Character.isDigit(unit)) {
                                throw new NumberFormatException();
                            }
                            yield Duration.ofSeconds(n);
                        }
                    };
                }
            } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
                throw new TypeConversionException("'" + v + "' is not a duration such as 90s, 30m, 24h or 7d");
            }
            if (d.isNegative()) {
                throw new TypeConversionException("'" + v + "' is negative");
            }
            return d;
        }
    }
}
