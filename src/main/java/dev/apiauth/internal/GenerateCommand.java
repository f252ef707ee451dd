package dev.apiauth.internal;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code java -jar jakarta-api-auth.jar generate [--prefix p_] [--pepper secret]}: prints a fresh key and
 * its hash, for {@code apiauth.bootstrap.admin-key-hash}. Without {@code --pepper}, the pepper is taken
 * from the environment variable {@code APIAUTH_HASH_PEPPER} when set (keeps it out of shell history).
 * {@code scanner-rules [--prefix p_]}: prints the gitleaks, TruffleHog and GitHub secret-scanning rules for keys
 * of that prefix (the shipped ones, {@code META-INF/apiauth/scanners/}, are written for {@code ak_}).
 */
public final class GenerateCommand {

    private GenerateCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv("APIAUTH_HASH_PEPPER"), System.out, System.err));
    }

    /** The rule files shipped in the jar, written for the default prefix. */
    static final String[] SCANNER_RULES = {"gitleaks.toml", "trufflehog.yaml", "github-secret-scanning.yml"};

    static int run(String[] args, String pepperFromEnv, PrintStream out, PrintStream err) {
        for (String arg : args) {
            if (HELP.contains(arg)) { // asked for, anywhere: the usage on standard output, and success
                printUsage(out);
                return 0;
            }
        }
        if (args.length > 0 && "scanner-rules".equals(args[0])) {
            return scannerRules(args, out, err);
        }
        if (args.length == 0 || !"generate".equals(args[0])) {
            return usage(err, args.length == 0 ? null : "unknown command '" + args[0] + "'");
        }
        String prefix = "ak_";
        String pepper = pepperFromEnv;
        for (int i = 1; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length || !(option.equals("--prefix") || option.equals("--pepper"))) {
                return usage(err, "unexpected argument '" + option + "'");
            }
            String value = args[++i];
            if (option.equals("--prefix")) {
                prefix = value;
            } else {
                pepper = value;
            }
        }
        if (!KeyCodec.isValidPrefix(prefix)) {
            err.println("--prefix " + prefix + " is invalid; expected " + KeyCodec.PREFIX_RULE);
            return 2;
        }
        String key = new KeyCodec(prefix).generate();
        String hash = new KeyHasher(pepper == null || pepper.isEmpty() ? null : pepper.getBytes(StandardCharsets.UTF_8)).hash(key);
        out.println("key:  " + key);
        out.println("hash: " + hash);
        out.println();
        out.println("Configure apiauth.bootstrap.admin-key-hash=" + hash);
        out.println(pepper == null || pepper.isEmpty()
                ? "(no pepper: plain SHA-256; the server must not set apiauth.hash.pepper)"
                : "(hashed with the given pepper; the server must set the same apiauth.hash.pepper)");
        out.println("The key is shown only here and stored nowhere: keep it in your secret store.");
        return 0;
    }

    private static int scannerRules(String[] args, PrintStream out, PrintStream err) {
        String prefix = "ak_";
        if (args.length == 3 && args[1].equals("--prefix")) {
            prefix = args[2];
        } else if (args.length != 1) {
            return usage(err, "usage of scanner-rules: scanner-rules [--prefix ak_]");
        }
        if (!KeyCodec.isValidPrefix(prefix)) {
            err.println("--prefix " + prefix + " is invalid; expected " + KeyCodec.PREFIX_RULE);
            return 2;
        }
        for (String name : SCANNER_RULES) {
            out.println("===== " + name);
            out.print(scannerRule(name, prefix));
            out.println();
        }
        out.println("===== a generated key to test the rules with (valid for no server): " + new KeyCodec(prefix).generate());
        return 0;
    }

    /** A shipped rule file with its patterns and keywords written for {@code prefix} (comment lines kept as they are). */
    static String scannerRule(String name, String prefix) {
        try (java.io.InputStream in = GenerateCommand.class.getResourceAsStream("/META-INF/apiauth/scanners/" + name)) {
            if (in == null) {
                throw new IllegalStateException("META-INF/apiauth/scanners/" + name + " is missing from the jar");
            }
            StringBuilder rule = new StringBuilder();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1)) {
                rule.append(line.startsWith("#") ? line : line.replace("ak_", prefix)).append('\n');
            }
            return rule.substring(0, rule.length() - 1);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final java.util.Set<String> HELP = java.util.Set.of("--help", "-h", "-help", "help", "-?");

    private static int usage(PrintStream err, String problem) {
        if (problem != null) {
            err.println(problem);
        }
        printUsage(err);
        return 2;
    }

    private static void printUsage(PrintStream to) {
        to.println("usage: java -jar jakarta-api-auth.jar generate [--prefix ak_] [--pepper <secret>]");
        to.println("         prints a new key and its hash, for apiauth.bootstrap.admin-key-hash");
        to.println("       java -jar jakarta-api-auth.jar scanner-rules [--prefix ak_]");
        to.println("         prints gitleaks, TruffleHog and GitHub secret-scanning rules for keys of that prefix");
        to.println("       (the pepper may also come from the environment variable APIAUTH_HASH_PEPPER)");
    }
}
