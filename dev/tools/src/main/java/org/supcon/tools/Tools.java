package org.supcon.tools;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.supcon.tools.bench.BareConsumer;
import org.supcon.tools.bench.RateLimitBench;
import org.supcon.tools.bench.RobustnessPlot;
import org.supcon.tools.bench.SearchBench;
import org.supcon.tools.bench.SecurityCostBench;
import org.supcon.tools.bench.ServeBench;

/**
 * The tools jar's entry point: {@code java -jar dev/tools/target/supcon-tools.jar TOOL ARGS...}, so
 * that the dev/ scripts run one built jar instead of compiling tests or source files.
 */
public final class Tools {

    /** A tool's main method. */
    @FunctionalInterface
    interface Main {
        void run(String[] args) throws Exception;
    }

    private record Tool(Main main, String summary) {}

    /** Bad arguments or settings of a tool: its message is printed alone (no stack trace) and the exit status is 2. */
    public static final class UsageException extends RuntimeException {
        public UsageException(String message) {
            super(message);
        }
    }

    private static final Map<String, Tool> TOOLS = new LinkedHashMap<>();

    static {
        TOOLS.put("token", new Tool(Token::main, "issues bearer tokens and makes their key pairs (dev/token)"));
        TOOLS.put("demo-client", new Tool(DemoClient::main, "the demo's gRPC and REST client (dev/demo)"));
        TOOLS.put("serve-bench", new Tool(ServeBench::main, "the serving benchmark (dev/bench-serve)"));
        TOOLS.put("ort-baseline", new Tool(ServeBench::worker, "serve-bench's in-process baseline in its own (pinned) process"));
        TOOLS.put("ratelimit-bench", new Tool(RateLimitBench::main, "the rate limiter's cost (dev/bench-ratelimit)"));
        TOOLS.put("security-bench", new Tool(SecurityCostBench::main, "the cost of auth and TLS (dev/bench-security, dev/bench-configs)"));
        TOOLS.put("search-bench", new Tool(SearchBench::main, "search speed, HNSW vs exact, in process and served (dev/bench-search)"));
        TOOLS.put("robustness-plot", new Tool(RobustnessPlot::main, "accuracy against label noise per method (dev/bench-robustness)"));
        TOOLS.put("bare-consumer", new Tool(BareConsumer::main, "a bare Kafka consumer loop, the ingestion baseline (dev/bench-ingest)"));
        TOOLS.put("test-images", new Tool(WriteTestImages::main, "writes the inference tests' images (dev/make-test-models)"));
    }

    private Tools() {
    }

    public static void main(String[] args) throws Exception {
        Tool tool = args.length == 0 ? null : TOOLS.get(args[0]);
        if (tool == null) {
            System.err.println(args.length == 0 ? "supcon-tools: a tool is needed" : "supcon-tools: unknown tool '" + args[0] + "'");
            System.err.println("usage: java -jar dev/tools/target/supcon-tools.jar TOOL ARGS...");
            TOOLS.forEach((name, t) -> System.err.printf("  %-16s %s%n", name, t.summary()));
            System.exit(2);
        }
        try {
            tool.main().run(Arrays.copyOfRange(args, 1, args.length));
        } catch (UsageException e) {
            System.err.println("supcon-tools " + args[0] + ": " + e.getMessage());
            System.exit(2);
        } catch (NumberFormatException e) {
            // the tools take positional numbers (ports, seconds, concurrency): name the bad one, no stack trace
            System.err.println("supcon-tools " + args[0] + ": not a number: " + e.getMessage().replace("For input string: ", ""));
            System.exit(2);
        } catch (Exception e) {
            // a failed tool must end: gRPC's and Kafka's client threads would otherwise keep the JVM alive
            System.err.println("supcon-tools " + args[0] + " failed:");
            e.printStackTrace();
            System.exit(1);
        }
    }
}
